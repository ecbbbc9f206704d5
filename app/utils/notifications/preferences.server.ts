/**
 * /settings/notifications on the server (issue 21): each user's delivery per kind their
 * role can receive, and a student's notification email with its consent. Each save is one
 * transaction with its audit event (docs/decisions/018-transactions.md); the user's own id
 * is the filter of every read and write.
 */
import { Types } from 'mongoose';
import { User } from '../../../models/user';
import { deliveriesFor, kindsForRole } from '~/domain/notifications/centre';
import {
  effectiveDelivery,
  KIND_RULES,
  type Delivery,
  type NotificationKind,
  type NotificationPreferences,
} from '~/domain/notifications/kinds';
import { appendAudit } from '../audit/audit.server';
import type { AuthUser } from '../auth/auth.server';
import { NotifyEmailSchema, preferencesSchema } from '../forms/notifications';
import { parseForm } from '../forms/conform';
import { badRequest } from '../responses.server';
import { inTransaction } from '../transaction.server';

interface PreferenceFields {
  notificationPreferences?: NotificationPreferences | null;
  notifyEmail?: string | null;
  notifyEmailConsentAt?: Date | null;
}

const own = (user: AuthUser) => ({ _id: new Types.ObjectId(user.id), active: true });

function readPreferences(user: AuthUser) {
  return User.findOne(own(user))
    .select({ notificationPreferences: 1, notifyEmail: 1, notifyEmailConsentAt: 1 })
    .lean<PreferenceFields>();
}

export interface KindChoice {
  kind: NotificationKind;
  mandatory: boolean;
  choices: Delivery[];
  current: Delivery;
}

export async function preferencesPage(user: AuthUser) {
  const doc = await readPreferences(user);
  const prefs = doc?.notificationPreferences ?? null;
  const kinds: KindChoice[] = kindsForRole(user.role).map((kind) => ({
    kind,
    mandatory: KIND_RULES[kind].mandatory,
    choices: deliveriesFor(kind),
    current: effectiveDelivery(kind, prefs),
  }));
  return {
    kinds,
    // Only students give a separate address (with consent); staff are mailed at their sign-in one.
    email:
      user.role === 'student'
        ? {
            notifyEmail: doc?.notifyEmail ?? null,
            consentAt: doc?.notifyEmailConsentAt ? doc.notifyEmailConsentAt.toISOString() : null,
          }
        : null,
  };
}

/** Saves the deliveries; a refused form comes back as conform's submission, nothing written. */
export async function savePreferences(user: AuthUser, form: FormData) {
  const kinds = kindsForRole(user.role);
  // A role with no kinds (the admin) has nothing to save.
  if (!kinds.length) throw badRequest();
  const submission = parseForm(form, preferencesSchema(kinds));
  if (submission.status !== 'success') return { ok: false as const, submission };
  const chosen = submission.value as Record<NotificationKind, Delivery>;
  await inTransaction(async () => {
    const before = (await readPreferences(user))?.notificationPreferences ?? {};
    const $set = Object.fromEntries(kinds.map((k) => [`notificationPreferences.${k}`, chosen[k]]));
    await User.updateOne(own(user), { $set });
    await appendAudit({
      actorId: user.id,
      action: 'user.notifications.preferences',
      entity: 'User',
      entityId: new Types.ObjectId(user.id),
      unitId: new Types.ObjectId(user.unitId),
      details: {
        before: Object.fromEntries(kinds.map((k) => [k, before[k] ?? null])),
        after: Object.fromEntries(kinds.map((k) => [k, chosen[k]])),
      },
    });
  });
  return { ok: true as const };
}

/**
 * A student's notification email: an address with the consent box ticked is stored with the
 * moment of consent; an empty address withdraws (address and consent removed). The address
 * itself stays out of the audit log, which every admin reads.
 */
export async function saveNotifyEmail(user: AuthUser, form: FormData, now = new Date()) {
  const submission = parseForm(form, NotifyEmailSchema);
  if (submission.status !== 'success') return { ok: false as const, submission };
  const address = submission.value.notifyEmail;
  const outcome = await inTransaction(async () => {
    const before = await readPreferences(user);
    if (!address && !before?.notifyEmail) return 'unchanged' as const;
    if (address) {
      await User.updateOne(own(user), { $set: { notifyEmail: address, notifyEmailConsentAt: now } });
    } else {
      await User.updateOne(own(user), { $unset: { notifyEmail: 1, notifyEmailConsentAt: 1 } });
    }
    await appendAudit({
      actorId: user.id,
      action: address ? 'user.notify_email.set' : 'user.notify_email.withdraw',
      entity: 'User',
      entityId: new Types.ObjectId(user.id),
      unitId: new Types.ObjectId(user.unitId),
      details: address ? { consentAt: now } : {},
    });
    return address ? ('set' as const) : ('withdrawn' as const);
  });
  return { ok: true as const, outcome };
}

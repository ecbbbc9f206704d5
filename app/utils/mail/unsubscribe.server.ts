/**
 * One-click unsubscribe (RFC 8058, decision 033): a signed link names a user and kinds; POSTing
 * it switches those kinds from mail to the in-app centre only. Mandatory kinds too: they
 * cannot be switched off, but their mail can ('in_app' is not 'off').
 */
import { Types } from 'mongoose';
import { User } from '../../../models/user';
import { effectiveDelivery } from '~/domain/notifications/kinds';
import { verifyUnsubscribe, type UnsubscribeClaim } from '~/domain/notifications/mail-token';
import { notFound } from '../responses.server';
import { mailSettings } from './mail-settings.server';
import { appendAudit } from '../audit/audit.server';
import { inTransaction } from '../transaction.server';

/** The claim of a genuine token for an existing user; anything else is a 404. */
export async function requireUnsubscribeClaim(token: string | undefined, secret = mailSettings().secret) {
  const claim = token ? verifyUnsubscribe(token, secret) : null;
  if (!claim || !(await User.exists({ _id: new Types.ObjectId(claim.userId) }))) throw notFound();
  return claim;
}

/**
 * Moves the claim's kinds that are mailed (at once or in the digest) to in-app only, with
 * an audit event in the same transaction (the person acted through the signed link, as
 * when she changes the same settings on /settings/notifications). A link used again
 * changes nothing and writes nothing.
 */
export async function unsubscribe(claim: UnsubscribeClaim): Promise<void> {
  await inTransaction(async () => {
    const user = await User.findById(claim.userId).select({ notificationPreferences: 1, unitId: 1 }).lean();
    if (!user) throw notFound();
    const prefs = user.notificationPreferences as never;
    const before: Record<string, string> = {};
    const set: Record<string, 'in_app'> = {};
    for (const kind of claim.kinds) {
      const delivery = effectiveDelivery(kind, prefs);
      if (delivery === 'email' || delivery === 'daily_digest') {
        before[kind] = delivery;
        set[`notificationPreferences.${kind}`] = 'in_app';
      }
    }
    if (!Object.keys(set).length) return;
    await User.updateOne({ _id: user._id }, { $set: set });
    await appendAudit({
      actorId: String(user._id),
      action: 'user.notifications.unsubscribe',
      entity: 'User',
      entityId: user._id,
      unitId: user.unitId,
      details: {
        via: 'mail_link',
        before,
        after: Object.fromEntries(Object.keys(before).map((k) => [k, 'in_app'])),
      },
    });
  });
}

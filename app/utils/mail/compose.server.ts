/**
 * Turns notifications into mail messages (decision 033): the notices to mail at once
 * (`mail: 'pending'`) every half minute, and once a day the digest of those that wait for it
 * (`mail: 'digest'`). Each batch is one transaction: the messages exist exactly when their
 * notifications say 'queued', so a crash mid-batch neither loses a notice nor composes it twice.
 */
import { randomUUID } from 'node:crypto';
import mongoose, { Types } from 'mongoose';
import { MailMessage, type MailKind } from '../../../models/mail-message';
import { Notification, type NotificationFields } from '../../../models/notification';
import { User } from '../../../models/user';
import {
  effectiveDelivery,
  type NotificationKind,
  type NotificationPreferences,
} from '~/domain/notifications/kinds';
import {
  digestMail,
  noticeMail,
  type MailContent,
  type MailNotice,
} from '~/domain/notifications/mail-content';
import { capDay, sendAfter, underCap } from '~/domain/notifications/mail-rules';
import { signUnsubscribe } from '~/domain/notifications/mail-token';
import { isLocale, type Locale } from '~/i18n';
import { inTransaction } from '../transaction.server';
import type { MailSettings } from './mail-settings.server';

const BATCH = 100;

interface MailUser {
  _id: Types.ObjectId;
  email: string;
  role: string;
  notifyEmail?: string | null;
  notifyEmailConsentAt?: Date | null;
  locale?: string | null;
  active: boolean;
  notificationPreferences?: NotificationPreferences | null;
}

type StoredNotification = NotificationFields & { _id: Types.ObjectId; createdAt: Date };

const USER_FIELDS = {
  email: 1,
  role: 1,
  notifyEmail: 1,
  notifyEmailConsentAt: 1,
  locale: 1,
  active: 1,
  notificationPreferences: 1,
} as const;

/**
 * Where a person's mail goes. Staff: the address they gave for notices, else their sign-in
 * address. A student: only an address she gave with consent (her profile); without one (or
 * after she withdrew it) she hears in the app only — her sign-in address is not consent.
 */
export function mailAddress(user: Pick<MailUser, 'email' | 'role' | 'notifyEmail' | 'notifyEmailConsentAt'>) {
  if (user.role === 'student') return (user.notifyEmailConsentAt && user.notifyEmail) || null;
  return user.notifyEmail || user.email || null;
}

const localeOf = (user: MailUser): Locale => (isLocale(user.locale) ? user.locale : 'vi');

export function unsubscribeUrl(settings: MailSettings, userId: string, kinds: NotificationKind[]): string {
  return `${settings.appUrl}/unsubscribe/${signUnsubscribe({ userId, kinds }, settings.secret)}`;
}

/** RFC 8058 one-click unsubscribe: mail clients show a button that POSTs to the link. */
function unsubscribeHeaders(url: string): Record<string, string> {
  return { 'List-Unsubscribe': `<${url}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
}

function newMessageId(settings: MailSettings): string {
  return `<${randomUUID()}@${new URL(settings.appUrl).hostname}>`;
}

const asMailNotice = (n: StoredNotification): MailNotice => ({
  kind: n.kind as NotificationKind,
  title: n.title as MailNotice['title'],
  body: (n.body as MailNotice['body']) ?? null,
  link: n.link,
  lines: (n.lines as MailNotice['lines']) ?? null,
});

interface NewMessage {
  key: string;
  user: MailUser;
  kind: MailKind;
  notificationIds: Types.ObjectId[];
  content: MailContent;
  unsubscribe: string;
  notBefore: Date;
}

/** The message's upsert: created unless its key exists (a duplicate key would abort the transaction). */
function messageUpsert(m: NewMessage, settings: MailSettings) {
  return {
    filter: { key: m.key },
    update: {
      $setOnInsert: {
        key: m.key,
        userId: m.user._id,
        to: mailAddress(m.user),
        kind: m.kind,
        notificationIds: m.notificationIds,
        ...m.content,
        headers: unsubscribeHeaders(m.unsubscribe),
        messageId: newMessageId(settings),
        state: 'queued',
        notBefore: m.notBefore,
        capDay: capDay(m.notBefore),
        attempts: 0,
      },
    },
  };
}

/** Creates the message unless its key exists; whether it did. */
async function createMessage(m: NewMessage, settings: MailSettings): Promise<boolean> {
  const { filter, update } = messageUpsert(m, settings);
  const res = await MailMessage.updateOne(filter, update, { upsert: true });
  return res.upsertedCount === 1;
}

/**
 * A batch's messages in one write, not one each: under load every command waits its turn at
 * the database, and a batch of 100 one-by-one writes outlived the transaction's 60 s
 * (bench:load --with-notification-jobs).
 */
async function createMessages(list: NewMessage[], settings: MailSettings) {
  if (!list.length) return;
  await MailMessage.bulkWrite(
    list.map((m) => ({ updateOne: { ...messageUpsert(m, settings), upsert: true } })) as never,
    { ordered: true },
  );
}

/** How many messages (digests aside) each person already has on the cap's day, in one read. */
async function sentOn(day: string, userIds: Types.ObjectId[]): Promise<Map<string, number>> {
  const rows = await MailMessage.find({
    userId: mongoose.trusted({ $in: userIds }),
    capDay: day,
    kind: mongoose.trusted({ $ne: 'daily_digest' }),
  })
    .select({ userId: 1 })
    .lean<{ userId: Types.ObjectId }[]>();
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(String(r.userId), (counts.get(String(r.userId)) ?? 0) + 1);
  return counts;
}

async function setMail(ids: Types.ObjectId[], mail: 'queued' | 'skipped' | 'digest') {
  if (ids.length) await Notification.updateMany({ _id: mongoose.trusted({ $in: ids }) }, { $set: { mail } });
}

async function usersById(ids: Types.ObjectId[]): Promise<Map<string, MailUser>> {
  const users = await User.find({ _id: mongoose.trusted({ $in: ids }) })
    .select(USER_FIELDS)
    .lean<MailUser[]>();
  return new Map(users.map((u) => [String(u._id), u]));
}

/** Whether this person still wants mail about this kind (they may have unsubscribed since). */
const wantsMail = (user: MailUser | undefined, kind: NotificationKind): user is MailUser =>
  !!user &&
  user.active &&
  !!mailAddress(user) &&
  ['email', 'daily_digest'].includes(effectiveDelivery(kind, user.notificationPreferences));

export interface ComposeSummary {
  [key: string]: number;
  queued: number;
  skipped: number;
  /** Over the daily cap: left for the next digest. */
  deferred: number;
}

/** One batch of pending notifications, in one transaction; how many it handled. */
async function composeBatch(now: Date, settings: MailSettings, sum: ComposeSummary): Promise<number> {
  return inTransaction(async () => {
    const batch = await Notification.find({ mail: 'pending' })
      .sort({ createdAt: 1, _id: 1 })
      .limit(BATCH)
      .lean<StoredNotification[]>();
    if (!batch.length) return 0;
    const users = await usersById(
      [...new Set(batch.map((n) => String(n.userId)))].map((id) => new Types.ObjectId(id)),
    );
    const notBefore = sendAfter(now);
    const day = capDay(notBefore);
    const sentToday = await sentOn(
      day,
      [...users.values()].map((u) => u._id),
    );
    const messages: NewMessage[] = [];
    const queued: Types.ObjectId[] = [];
    const skipped: Types.ObjectId[] = [];
    const deferred: Types.ObjectId[] = [];
    for (const n of batch) {
      const user = users.get(String(n.userId));
      const kind = n.kind as NotificationKind;
      if (!wantsMail(user, kind)) {
        skipped.push(n._id);
        continue;
      }
      const uid = String(user._id);
      const count = sentToday.get(uid) ?? 0;
      if (!underCap(count, settings.dailyCap)) {
        deferred.push(n._id);
        continue;
      }
      const unsubscribe = unsubscribeUrl(settings, uid, [kind]);
      const content = noticeMail(asMailNotice(n), {
        locale: localeOf(user),
        appUrl: settings.appUrl,
        unsubscribeUrl: unsubscribe,
      });
      messages.push({
        key: `n:${String(n._id)}`,
        user,
        kind,
        notificationIds: [n._id],
        content,
        unsubscribe,
        notBefore,
      });
      sentToday.set(uid, count + 1);
      queued.push(n._id);
    }
    await createMessages(messages, settings);
    await setMail(queued, 'queued');
    await setMail(skipped, 'skipped');
    await setMail(deferred, 'digest');
    sum.queued += queued.length;
    sum.skipped += skipped.length;
    sum.deferred += deferred.length;
    return batch.length;
  });
}

async function ready() {
  // Collections and indexes exist before the first transaction writes to them.
  await MailMessage.init();
  await Notification.init();
}

/** Composes every pending notification into a message (the mail job, or called directly). */
export async function composePendingMail(
  settings: MailSettings,
  { now = new Date(), signal }: { now?: Date; signal?: AbortSignal } = {},
): Promise<ComposeSummary> {
  await ready();
  const sum: ComposeSummary = { queued: 0, skipped: 0, deferred: 0 };
  while (!signal?.aborted && (await composeBatch(now, settings, sum)) > 0);
  return sum;
}

/** One person's digest of the day, in one transaction. */
async function composeDigest(userId: Types.ObjectId, now: Date, settings: MailSettings, sum: ComposeSummary) {
  await inTransaction(async () => {
    const notices = await Notification.find({
      userId,
      mail: 'digest',
      createdAt: mongoose.trusted({ $lte: now }),
    })
      .sort({ createdAt: 1, _id: 1 })
      .lean<StoredNotification[]>();
    if (!notices.length) return;
    const user = (await usersById([userId])).get(String(userId));
    const wanted = notices.filter((n) => wantsMail(user, n.kind as NotificationKind));
    const unwanted = notices.filter((n) => !wanted.includes(n)).map((n) => n._id);
    await setMail(unwanted, 'skipped');
    sum.skipped += unwanted.length;
    if (!wanted.length || !user) return;
    const notBefore = sendAfter(now);
    const day = capDay(notBefore);
    const kinds = [...new Set(wanted.map((n) => n.kind as NotificationKind))];
    const unsubscribe = unsubscribeUrl(settings, String(userId), kinds);
    const content = digestMail(wanted.map(asMailNotice), {
      locale: localeOf(user),
      appUrl: settings.appUrl,
      unsubscribeUrl: unsubscribe,
      day,
    });
    // One digest per person per day: notices that arrive after today's went out wait for tomorrow's.
    const created = await createMessage(
      {
        key: `digest:${String(userId)}:${day}`,
        user,
        kind: 'daily_digest',
        notificationIds: wanted.map((n) => n._id),
        content,
        unsubscribe,
        notBefore,
      },
      settings,
    );
    if (!created) return;
    await setMail(
      wanted.map((n) => n._id),
      'queued',
    );
    sum.queued += wanted.length;
  });
}

/** The daily digest: one mail per person merging every notice that waited for it. */
export async function composeDailyDigests(
  settings: MailSettings,
  { now = new Date(), signal }: { now?: Date; signal?: AbortSignal } = {},
): Promise<ComposeSummary & { digests: number }> {
  await ready();
  const sum: ComposeSummary = { queued: 0, skipped: 0, deferred: 0 };
  const userIds = await Notification.distinct('userId', { mail: 'digest' });
  let digests = 0;
  for (const userId of userIds as Types.ObjectId[]) {
    if (signal?.aborted) break;
    const before = sum.queued;
    await composeDigest(userId, now, settings, sum);
    if (sum.queued > before) digests++;
  }
  return { ...sum, digests };
}

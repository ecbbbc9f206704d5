/**
 * Sends the messages that are due (decision 033), one at a time:
 * 1. claim: queued and due (or 'sending' with a lease that ran out: its sender died) →
 *    'sending', leased to this sender, attempts + 1 (one atomic update: two app instances
 *    never hold the same message);
 * 2. the SMTP call with the message's own Message-ID;
 * 3. 'sent' at once, only if this sender still holds the lease.
 * A crash between the server's "250 OK" and step 3 leaves the message 'sending'; when its
 * lease runs out it is sent again, with the same Message-ID (at least once: the decision
 * record explains the window). Without an SMTP server the message is marked sent into the
 * outbox, in one update.
 */
import { randomUUID } from 'node:crypto';
import mongoose, { type Types } from 'mongoose';
import { MailMessage, type MailMessageFields } from '../../../models/mail-message';
import { User } from '../../../models/user';
import {
  effectiveDelivery,
  isNotificationKind,
  type NotificationPreferences,
} from '~/domain/notifications/kinds';
import { MAX_ATTEMPTS, retryDelayMs } from '~/domain/notifications/mail-rules';
import type { MailSettings } from './mail-settings.server';
import { isPermanentSmtpError, smtpSender, type SmtpSender } from './smtp-transport.server';

/** Long enough for any one SMTP conversation; a dead sender's message waits this long before a resend. */
export const LEASE_MS = 2 * 60_000;

type Claimed = MailMessageFields & { _id: Types.ObjectId };

export interface SendOptions {
  now?: Date;
  signal?: AbortSignal;
  /** Stop after this many messages (the job sends everything due). */
  limit?: number;
  leaseMs?: number;
  /** Reuse a sender (tests, the crash harness); otherwise one is made from settings.smtpUrl. */
  sender?: SmtpSender;
  /** Called after each message is settled (the crash harness prints progress). */
  onSettled?: (message: { key: string; state: string }) => void;
}

export interface SendSummary {
  [key: string]: number;
  sent: number;
  retried: number;
  failed: number;
  held: number;
  resentInDoubt: number;
}

async function claim(now: Date, owner: string, leaseMs: number): Promise<Claimed | null> {
  const clock = new Date();
  return MailMessage.findOneAndUpdate(
    {
      $or: [
        { state: 'queued', notBefore: mongoose.trusted({ $lte: now }) },
        { state: 'sending', leaseUntil: mongoose.trusted({ $lt: clock }) },
      ],
    },
    {
      $set: { state: 'sending', leaseOwner: owner, leaseUntil: new Date(clock.getTime() + leaseMs) },
      $inc: { attempts: 1 },
    },
    { sort: { notBefore: 1, _id: 1 }, returnDocument: 'before' },
  ).lean<Claimed>();
}

/** Settles a claimed message, only while this sender still holds it. */
async function settle(id: Types.ObjectId, owner: string, set: Record<string, unknown>) {
  await MailMessage.updateOne(
    { _id: id, state: 'sending', leaseOwner: owner },
    { $set: set, $unset: { leaseOwner: 1, leaseUntil: 1 } },
  );
}

/** Whether the recipient still wants this mail (they may have unsubscribed after it was queued). */
async function stillWanted(message: Claimed): Promise<boolean> {
  if (!isNotificationKind(message.kind)) return true; // a digest: its kinds were checked when composed
  const user = await User.findById(message.userId)
    .select({ active: 1, notificationPreferences: 1 })
    .lean<{ active: boolean; notificationPreferences?: NotificationPreferences }>();
  if (!user?.active) return false;
  return ['email', 'daily_digest'].includes(effectiveDelivery(message.kind, user.notificationPreferences));
}

export async function sendDueMail(settings: MailSettings, options: SendOptions = {}): Promise<SendSummary> {
  const now = options.now ?? new Date();
  const owner = randomUUID();
  const leaseMs = options.leaseMs ?? LEASE_MS;
  const sum: SendSummary = { sent: 0, retried: 0, failed: 0, held: 0, resentInDoubt: 0 };
  const sender = options.sender ?? (settings.smtpUrl ? smtpSender(settings.smtpUrl, settings.from) : null);
  try {
    for (let n = 0; n < (options.limit ?? Infinity) && !options.signal?.aborted; n++) {
      const before = await claim(now, owner, leaseMs);
      if (!before) break;
      // `before` is the document as it was: 'sending' means a crashed sender may have sent it already.
      const inDoubt = before.state === 'sending';
      if (inDoubt) {
        sum.resentInDoubt++;
        await MailMessage.updateOne({ _id: before._id }, { $inc: { resentInDoubt: 1 } });
      }
      const attempts = (before.attempts ?? 0) + 1;
      if (!(await stillWanted(before))) {
        await settle(before._id, owner, { state: 'held' });
        sum.held++;
      } else if (!sender) {
        await settle(before._id, owner, { state: 'sent', sentAt: new Date(), transport: 'outbox' });
        sum.sent++;
      } else {
        try {
          await sender.send({
            to: before.to,
            subject: before.subject,
            text: before.text,
            html: before.html,
            messageId: before.messageId,
            headers: (before.headers ?? {}) as Record<string, string>,
          });
          await settle(before._id, owner, { state: 'sent', sentAt: new Date(), transport: 'smtp' });
          sum.sent++;
        } catch (error) {
          const lastError = String((error as Error).message ?? error).slice(0, 500);
          if (isPermanentSmtpError(error) || attempts >= MAX_ATTEMPTS) {
            await settle(before._id, owner, { state: 'failed', lastError, transport: 'smtp' });
            sum.failed++;
          } else {
            await settle(before._id, owner, {
              state: 'queued',
              lastError,
              notBefore: new Date(Date.now() + retryDelayMs(attempts)),
            });
            sum.retried++;
          }
        }
      }
      options.onSettled?.({ key: before.key, state: 'settled' });
    }
  } finally {
    if (!options.sender) sender?.close();
  }
  return sum;
}

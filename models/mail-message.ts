/**
 * One mail to one recipient (issue 21, docs/decisions/033-mail-and-outbox.md), composed from
 * notifications by the mail job and sent by the sender job, or kept as the outbox when no
 * SMTP server is configured.
 *
 * - `key` is the message's identity (`n:<notificationId>`, `digest:<userId>:<YYYY-MM-DD>`):
 *   unique, so composing twice never makes a second message.
 * - `messageId` is made once, when the message is created, and sent as the Message-ID
 *   header on every attempt: a resend after a crash is recognisably the same mail.
 * - `state`: queued → sending (leased to one sender) → sent; failed after MAX_ATTEMPTS;
 *   held when its recipient stopped this kind of mail before it went out.
 */
import { Schema, type InferSchemaType } from 'mongoose';
import { defineModel } from './define-model.ts';
import { NOTIFICATION_KINDS } from '../app/domain/notifications/kinds.ts';

export const MAIL_STATES = ['queued', 'sending', 'sent', 'failed', 'held'] as const;
export type MailState = (typeof MAIL_STATES)[number];
export const MAIL_TRANSPORTS = ['smtp', 'outbox'] as const;
export type MailTransportKind = (typeof MAIL_TRANSPORTS)[number];
/** A notification kind, or the daily digest that merges several. */
export const MAIL_KINDS = [...NOTIFICATION_KINDS, 'daily_digest'] as const;
export type MailKind = (typeof MAIL_KINDS)[number];

export const mailMessageSchema = new Schema(
  {
    key: { type: String, required: true },
    userId: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    to: { type: String, required: true },
    kind: { type: String, required: true, enum: MAIL_KINDS },
    /** The notifications this mail carries (one, or a digest's). */
    notificationIds: { type: [Schema.Types.ObjectId], default: [] },
    subject: { type: String, required: true },
    text: { type: String, required: true },
    html: { type: String, required: true },
    /** Extra headers (List-Unsubscribe, List-Unsubscribe-Post). */
    headers: { type: Schema.Types.Mixed, default: {} },
    messageId: { type: String, required: true },
    state: { type: String, required: true, enum: MAIL_STATES, default: 'queued' },
    /** Not sent before this time (quiet hours, retry backoff). */
    notBefore: { type: Date, required: true },
    /** The Vietnam day this mail counts against the recipient's daily cap. */
    capDay: { type: String, required: true },
    attempts: { type: Number, required: true, default: 0 },
    lastError: { type: String },
    sentAt: { type: Date },
    transport: { type: String, enum: MAIL_TRANSPORTS },
    /** The sender that holds a 'sending' message, until when. */
    leaseOwner: { type: String },
    leaseUntil: { type: Date },
    /** How many times it was sent again after a crash left it in doubt (decision 033). */
    resentInDoubt: { type: Number, default: 0 },
  },
  { timestamps: true },
);

mailMessageSchema.index({ key: 1 }, { unique: true });
mailMessageSchema.index({ messageId: 1 }, { unique: true });
// The sender's claim: due queued messages, and 'sending' ones whose lease ran out.
mailMessageSchema.index({ state: 1, notBefore: 1 });
mailMessageSchema.index({ state: 1, leaseUntil: 1 });
// The cap: a person's immediate mails of one day.
mailMessageSchema.index({ userId: 1, capDay: 1, kind: 1 });
// The outbox page: newest first.
mailMessageSchema.index({ createdAt: -1 });
/**
 * A sent mail is kept 90 days, then deleted (a TTL index: MongoDB and the embedded server
 * both remove expired documents about once a minute). Its content is personal data
 * (names, steps), kept no longer than the outbox is useful (Law 91/2025/QH15: collect and
 * keep only what is needed). Queued, failed and held messages have no `sentAt` and stay.
 */
export const SENT_MAIL_RETENTION_DAYS = 90;
mailMessageSchema.index({ sentAt: 1 }, { expireAfterSeconds: SENT_MAIL_RETENTION_DAYS * 24 * 60 * 60 });

export type MailMessageFields = InferSchemaType<typeof mailMessageSchema>;

export const MailMessage = defineModel<MailMessageFields>('MailMessage', mailMessageSchema);

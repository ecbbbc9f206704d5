/**
 * One notice for one person: the in-app notification centre reads these, and mail is
 * composed from them (docs/decisions/031-notifications.md). `(userId, eventKey)` is unique,
 * so a scan or a retry that produces the same event again writes nothing.
 * Title and body are message keys with parameters, rendered in the reader's language.
 * No sensitive fields (ethnicity, religion, citizen ID) ever go into `params`.
 */
import { Schema, type InferSchemaType } from 'mongoose';
import { defineModel } from './define-model.ts';
import { DELIVERIES, NOTIFICATION_KINDS } from '../app/domain/notifications/kinds.ts';

const text = new Schema(
  { key: { type: String, required: true }, params: { type: Schema.Types.Mixed } },
  { _id: false },
);

export const notificationSchema = new Schema(
  {
    userId: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    kind: { type: String, required: true, enum: NOTIFICATION_KINDS },
    eventKey: { type: String, required: true },
    title: { type: text, required: true },
    body: { type: text },
    link: { type: String, required: true },
    lines: {
      type: [new Schema({ text: { type: text, required: true }, link: { type: String } }, { _id: false })],
      default: undefined,
    },
    memberId: { type: Schema.Types.ObjectId, ref: 'Member' },
    unitId: { type: Schema.Types.ObjectId, ref: 'Unit' },
    /** The delivery that applied when the notice was created (never 'off': no notice then). */
    delivery: { type: String, required: true, enum: DELIVERIES },
    readAt: { type: Date },
    /**
     * Mail: 'none' (in-app only), 'pending' (to be mailed at once), 'digest' (waits for the
     * daily digest), 'queued' (a mail message exists), 'skipped' (no address, unsubscribed).
     */
    mail: {
      type: String,
      required: true,
      enum: ['none', 'pending', 'digest', 'queued', 'skipped'],
      default: 'none',
    },
  },
  { timestamps: { createdAt: true, updatedAt: false } },
);

notificationSchema.index({ userId: 1, eventKey: 1 }, { unique: true });
// The centre: newest first, unread count.
notificationSchema.index({ userId: 1, createdAt: -1 });
notificationSchema.index({ userId: 1, readAt: 1 });
// The mail queue and the daily digest pick up by state.
notificationSchema.index({ mail: 1, userId: 1, createdAt: 1 });

export type NotificationFields = InferSchemaType<typeof notificationSchema>;

export const Notification = defineModel<NotificationFields>('Notification', notificationSchema);

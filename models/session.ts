/**
 * Sign-in sessions. The cookie holds only this document's id, so deleting the
 * document (logout, password reset) revokes the session at once; the TTL index
 * lets the database drop expired sessions by itself.
 */
import { Schema, type InferSchemaType } from 'mongoose';
import { defineModel } from './define-model.ts';

const sessionSchema = new Schema(
  {
    userId: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    expiresAt: { type: Date, required: true },
    createdAt: { type: Date, required: true, default: () => new Date() },
    ip: { type: String, default: '' },
    userAgent: { type: String, default: '' },
  },
  { versionKey: false },
);

sessionSchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });
sessionSchema.index({ userId: 1 });

export type SessionFields = InferSchemaType<typeof sessionSchema>;

export const Session = defineModel<SessionFields>('Session', sessionSchema);

/**
 * Bearer tokens of the read-only JSON API (`/api/v1/`, docs/decisions/012-json-api.md).
 *
 * A token reads its scope unit and everything under it, like a staff member of that
 * unit, through a fixed whitelist of fields. Only the SHA-256 of the secret is stored:
 * the secret (32 random bytes) is shown once at creation. `prefix` (its first 8
 * characters) lets an admin recognise a token in the list without holding it.
 * Tokens are revoked, never deleted, so the list keeps who had access when.
 */
import { Schema, type InferSchemaType } from 'mongoose';
import { defineModel } from './define-model.ts';

export const apiTokenSchema = new Schema(
  {
    name: { type: String, required: true, trim: true, maxlength: 100 },
    unitId: { type: Schema.Types.ObjectId, ref: 'Unit', required: true },
    prefix: { type: String, required: true },
    // Hex SHA-256 of the secret.
    hash: { type: String, required: true },
    createdBy: { type: Schema.Types.ObjectId, ref: 'User', default: null },
    createdAt: { type: Date, required: true, default: () => new Date() },
    lastUsedAt: { type: Date, default: null },
    revokedAt: { type: Date, default: null },
    revokedBy: { type: Schema.Types.ObjectId, ref: 'User', default: null },
    // Absent: no expiry. The first instant the token no longer works.
    expiresAt: { type: Date, default: null },
  },
  { versionKey: false },
);

// Every API request looks its token up by the hash of the presented secret.
apiTokenSchema.index({ hash: 1 }, { unique: true });
// The admin list, newest first.
apiTokenSchema.index({ createdAt: -1 });

export type ApiTokenFields = InferSchemaType<typeof apiTokenSchema>;

export const ApiToken = defineModel<ApiTokenFields>('ApiToken', apiTokenSchema);

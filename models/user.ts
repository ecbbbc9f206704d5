/**
 * Accounts. The scope of a user is `unitId` and everything below it; students
 * are tied to their own record through `memberId`. Hashes are in `Password`.
 */
import { Schema, type InferSchemaType } from 'mongoose';
import { defineModel } from './define-model.ts';
import { ROLES, type Role } from '../app/domain/permissions.ts';
import { DELIVERIES, NOTIFICATION_KINDS } from '../app/domain/notifications/kinds.ts';

// seed/generate.ts reads the type from here.
export type { Role };
export const LOCALES = ['vi', 'en'] as const;

export const userSchema = new Schema(
  {
    email: { type: String, required: true, trim: true, lowercase: true },
    name: { type: String, required: true, trim: true },
    role: { type: String, required: true, enum: ROLES },
    unitId: { type: Schema.Types.ObjectId, ref: 'Unit', required: true },
    memberId: { type: Schema.Types.ObjectId, ref: 'Member', default: null },
    active: { type: Boolean, required: true, default: true },
    locale: { type: String, enum: LOCALES, default: 'vi' },
    // Sessions issued before this instant are rejected.
    passwordChangedAt: { type: Date },
    // Per kind of notice: in_app | email | daily_digest | off (app/domain/notifications/kinds.ts).
    notificationPreferences: {
      type: new Schema(
        Object.fromEntries(NOTIFICATION_KINDS.map((kind) => [kind, { type: String, enum: DELIVERIES }])),
        { _id: false },
      ),
      default: undefined,
    },
    // Where notices are mailed when it is not the sign-in address (students give one in
    // their profile, with consent: `notifyEmailConsentAt`). Unset: the sign-in address.
    notifyEmail: { type: String, trim: true, lowercase: true },
    notifyEmailConsentAt: { type: Date },
  },
  { timestamps: true, optimisticConcurrency: true },
);

userSchema.index({ email: 1 }, { unique: true });
userSchema.index({ unitId: 1, role: 1 });
// A member record has at most one student account.
userSchema.index(
  { memberId: 1 },
  { unique: true, partialFilterExpression: { memberId: { $type: 'objectId' } } },
);

export type UserFields = InferSchemaType<typeof userSchema>;

export const User = defineModel<UserFields>('User', userSchema);

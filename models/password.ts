/**
 * Password hashes live apart from users (as in the Epic Stack): no query on
 * User can leak a hash, even one that forgets a projection.
 */
import { Schema, type InferSchemaType } from 'mongoose';
import { defineModel } from './define-model.ts';

export const passwordSchema = new Schema(
  {
    userId: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    hash: { type: String, required: true },
  },
  { timestamps: true },
);

passwordSchema.index({ userId: 1 }, { unique: true });

export type PasswordFields = InferSchemaType<typeof passwordSchema>;

export const Password = defineModel<PasswordFields>('Password', passwordSchema);

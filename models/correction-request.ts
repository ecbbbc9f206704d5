/**
 * A student's request to correct their own record (Law 91/2025: data subjects may
 * ask to correct; answered within 2 working days of `createdAt`'s day in Vietnam:
 * `correctionDue` in app/domain/corrections.ts). The student files it; the school
 * Union works the queue (/school/submissions). `schoolId` scopes the queue to the school.
 */
import { Schema, type InferSchemaType } from 'mongoose';
import { defineModel } from './define-model.ts';
import { CORRECTION_FIELDS } from '../app/domain/corrections.ts';

export { CORRECTION_FIELDS };

export const CORRECTION_STATUSES = ['open', 'resolved', 'rejected'] as const;

export const correctionRequestSchema = new Schema(
  {
    memberId: { type: Schema.Types.ObjectId, ref: 'Member', required: true },
    schoolId: { type: Schema.Types.ObjectId, ref: 'Unit', required: true },
    requestedBy: { type: Schema.Types.ObjectId, ref: 'User', default: null },
    field: { type: String, required: true, enum: CORRECTION_FIELDS },
    message: { type: String, required: true, trim: true, maxlength: 1000 },
    correctValue: { type: String, trim: true, maxlength: 500 },
    status: { type: String, required: true, enum: CORRECTION_STATUSES, default: 'open' },
    // The school's answer, shown to the student on /me: why it was corrected or refused.
    replyReason: { type: String, trim: true, maxlength: 1000 },
    repliedBy: { type: Schema.Types.ObjectId, ref: 'User', default: undefined },
    repliedAt: { type: Date, default: undefined },
    createdAt: { type: Date, required: true, default: () => new Date() },
  },
  { versionKey: false },
);

// The student's own list, newest first; the school's open queue, oldest first.
correctionRequestSchema.index({ memberId: 1, createdAt: -1 });
correctionRequestSchema.index({ schoolId: 1, status: 1, createdAt: 1 });

export type CorrectionRequestFields = InferSchemaType<typeof correctionRequestSchema>;

export const CorrectionRequest = defineModel<CorrectionRequestFields>(
  'CorrectionRequest',
  correctionRequestSchema,
);

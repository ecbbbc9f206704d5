/**
 * Evidence submitted by a student, waiting for the school Union (app/domain/submissions.ts).
 * Kept apart from the member until approved: only an approved submission is copied
 * into `awards` / `activities`, as verified. `ancestors` copies the member's so the
 * staff queue is scoped with the same `{ ancestors: unitId }` filter as members.
 */
import { Schema, type InferSchemaType } from 'mongoose';
import { defineModel } from './define-model.ts';
import { AWARD_KINDS, AWARD_LEVELS } from '../app/domain/criteria/types.ts';
import { SUBMISSION_KINDS, SUBMISSION_STATUSES } from '../app/domain/submissions.ts';

export const submissionSchema = new Schema(
  {
    memberId: { type: Schema.Types.ObjectId, ref: 'Member', required: true },
    schoolId: { type: Schema.Types.ObjectId, ref: 'Unit', required: true },
    ancestors: { type: [Schema.Types.ObjectId], default: [] },
    kind: { type: String, required: true, enum: SUBMISSION_KINDS },
    title: { type: String, required: true, trim: true, maxlength: 200 },
    date: { type: Date, required: true },
    awardKind: { type: String, enum: AWARD_KINDS },
    level: { type: String, enum: AWARD_LEVELS },
    days: { type: Number, min: 1, max: 366 },
    evidence: { type: String, required: true, trim: true, maxlength: 500 },
    // The attached file's summary; the bytes live in EvidenceFile.
    // sha256 (hex) of the bytes: the same file sent twice is refused (submissions.server.ts).
    file: { name: String, type: { type: String }, size: Number, sha256: String },
    // The earlier submission (not returned) that carried the same file: kept, but marked.
    sameFileAs: { id: Schema.Types.ObjectId, title: String, createdAt: Date },
    status: { type: String, required: true, enum: SUBMISSION_STATUSES, default: 'submitted' },
    reason: { type: String, trim: true },
    createdAt: { type: Date, required: true, default: () => new Date() },
    reviewedAt: { type: Date },
    reviewedBy: { type: Schema.Types.ObjectId, ref: 'User', default: null },
  },
  { versionKey: false },
);

submissionSchema.index({ memberId: 1, createdAt: -1 });
// The school Union's queue: scope + status, oldest first.
submissionSchema.index({ ancestors: 1, status: 1, createdAt: 1 });

export type SubmissionFields = InferSchemaType<typeof submissionSchema>;

export const Submission = defineModel<SubmissionFields>('Submission', submissionSchema);

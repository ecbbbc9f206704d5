/**
 * The file attached to an evidence submission (a certificate photo or PDF, ≤ 5 MB), kept
 * in its own collection so submission lists never load the bytes. `memberId` and
 * `ancestors` repeat the submission's so each download is scoped in its query.
 * ID-card images must not be uploaded (domain.md §7): the form says so.
 */
import { Schema, type InferSchemaType } from 'mongoose';
import { defineModel } from './define-model.ts';

export const EVIDENCE_TYPES = ['image/jpeg', 'image/png', 'application/pdf'] as const;
export const EVIDENCE_MAX_BYTES = 5 * 1024 * 1024;

export const evidenceFileSchema = new Schema(
  {
    submissionId: { type: Schema.Types.ObjectId, ref: 'Submission', required: true },
    memberId: { type: Schema.Types.ObjectId, ref: 'Member', required: true },
    ancestors: { type: [Schema.Types.ObjectId], default: [] },
    name: { type: String, required: true, trim: true, maxlength: 200 },
    type: { type: String, required: true, enum: EVIDENCE_TYPES },
    size: { type: Number, required: true, max: EVIDENCE_MAX_BYTES },
    data: { type: Buffer, required: true },
    createdAt: { type: Date, required: true, default: () => new Date() },
  },
  { versionKey: false },
);

evidenceFileSchema.index({ submissionId: 1 });

export type EvidenceFileFields = InferSchemaType<typeof evidenceFileSchema>;

export const EvidenceFile = defineModel<EvidenceFileFields>('EvidenceFile', evidenceFileSchema);

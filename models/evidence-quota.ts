/**
 * One student's evidence uploads in one calendar month (Vietnam time): how many files
 * and how many bytes, against EVIDENCE_QUOTA (app/utils/student/evidence-quota.server.ts). The
 * counter is raised in the upload's own transaction, so two uploads at the limit write
 * the same document and one of them is retried and refused (issue 17).
 */
import { Schema, type InferSchemaType } from 'mongoose';
import { defineModel } from './define-model.ts';

export const evidenceQuotaSchema = new Schema(
  {
    /** `<memberId>:<YYYY-MM>`. */
    _id: { type: String, required: true },
    memberId: { type: Schema.Types.ObjectId, ref: 'Member', required: true },
    month: { type: String, required: true },
    files: { type: Number, required: true, default: 0 },
    bytes: { type: Number, required: true, default: 0 },
  },
  { versionKey: false },
);

export type EvidenceQuotaFields = InferSchemaType<typeof evidenceQuotaSchema>;

export const EvidenceQuota = defineModel<EvidenceQuotaFields>('EvidenceQuota', evidenceQuotaSchema);

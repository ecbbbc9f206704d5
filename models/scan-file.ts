/**
 * The bytes of a signed scan attached to a pipeline step (app/domain/pipeline/scans.ts),
 * kept apart so that reading a member never loads them. `_id` is the scan's own id in
 * `pipeline.scans`; `memberId` and `ancestors` repeat the member's so each download is
 * scoped in its query.
 */
import { Schema, type InferSchemaType } from 'mongoose';
import { defineModel } from './define-model.ts';
import { SCAN_MAX_BYTES, SCAN_TYPES } from '../app/domain/pipeline/scans.ts';

export const scanFileSchema = new Schema(
  {
    memberId: { type: Schema.Types.ObjectId, ref: 'Member', required: true },
    ancestors: { type: [Schema.Types.ObjectId], default: [] },
    name: { type: String, required: true, trim: true, maxlength: 200 },
    type: { type: String, required: true, enum: SCAN_TYPES },
    size: { type: Number, required: true, max: SCAN_MAX_BYTES },
    data: { type: Buffer, required: true },
    createdAt: { type: Date, required: true, default: () => new Date() },
  },
  { versionKey: false },
);

scanFileSchema.index({ memberId: 1 });

export type ScanFileFields = InferSchemaType<typeof scanFileSchema>;

export const ScanFile = defineModel<ScanFileFields>('ScanFile', scanFileSchema);

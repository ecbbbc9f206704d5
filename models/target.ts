/** Yearly admissions target the provincial Union sets for a unit. */
import { Schema, type InferSchemaType } from 'mongoose';
import { defineModel } from './define-model.ts';

export const targetSchema = new Schema(
  {
    unitId: { type: Schema.Types.ObjectId, ref: 'Unit', required: true },
    year: { type: Number, required: true },
    admissions: { type: Number, required: true, min: 0 },
    note: { type: String, trim: true },
  },
  { timestamps: true, optimisticConcurrency: true },
);

targetSchema.index({ unitId: 1, year: 1 }, { unique: true });

export type TargetFields = InferSchemaType<typeof targetSchema>;

export const Target = defineModel<TargetFields>('Target', targetSchema);

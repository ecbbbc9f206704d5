/**
 * A versioned criteria set of one province, per school kind, school year and
 * purpose (outstanding-member selection or Party admission). The rules are the
 * engine's own JSON (app/domain/criteria/types.ts), validated by
 * `CriteriaSetSchema` before every write, so they are stored as Mixed.
 *
 * Life cycle: draft (editable) → active (read-only, at most one per key, enforced
 * by the partial unique index below) → retired (read-only). Editing an active or
 * retired set means "new draft from this version" (version = highest + 1).
 */
import { Schema, type InferSchemaType } from 'mongoose';
import { defineModel } from './define-model.ts';

export const CRITERIA_SET_STATUSES = ['draft', 'active', 'retired'] as const;
export type CriteriaSetStatus = (typeof CRITERIA_SET_STATUSES)[number];
export const CRITERIA_HISTORY_ACTIONS = [
  'created',
  'edited',
  'activated',
  'retired',
  'restored',
  'seeded',
] as const;

const historySchema = new Schema(
  {
    at: { type: Date, required: true },
    by: { type: Schema.Types.ObjectId, ref: 'User', default: null },
    action: { type: String, required: true, enum: CRITERIA_HISTORY_ACTIONS },
    note: { type: String },
  },
  { _id: false },
);

export const criteriaSetSchema = new Schema(
  {
    // The province the set applies to.
    unitId: { type: Schema.Types.ObjectId, ref: 'Unit', required: true },
    schoolKind: { type: String, required: true, enum: ['university', 'college', 'high_school'] },
    schoolYear: { type: String, required: true, match: /^\d{4}-\d{4}$/ },
    purpose: { type: String, required: true, enum: ['selection', 'admission'], default: 'selection' },
    version: { type: Number, required: true, min: 1 },
    status: { type: String, required: true, enum: CRITERIA_SET_STATUSES, default: 'draft' },
    name: { type: String, required: true, trim: true },
    rules: { type: Schema.Types.Mixed, required: true },
    passMark: { type: Number },
    // Version this draft was copied from, for "what changed" and the simulation's default.
    basedOn: { type: Schema.Types.ObjectId, default: null },
    createdBy: { type: Schema.Types.ObjectId, ref: 'User', default: null },
    activatedBy: { type: Schema.Types.ObjectId, ref: 'User', default: null },
    activatedAt: { type: Date },
    retiredAt: { type: Date },
    history: { type: [historySchema], default: [] },
  },
  { timestamps: true, optimisticConcurrency: true, minimize: false },
);

// At most one active set per key: a second activation fails with a duplicate key.
criteriaSetSchema.index(
  { unitId: 1, schoolKind: 1, schoolYear: 1, purpose: 1 },
  { unique: true, partialFilterExpression: { status: 'active' }, name: 'one_active_per_key' },
);
// Versions are numbered per key.
criteriaSetSchema.index(
  { unitId: 1, schoolKind: 1, schoolYear: 1, purpose: 1, version: 1 },
  { unique: true },
);
criteriaSetSchema.index({ unitId: 1, status: 1 });

export type CriteriaSetFields = InferSchemaType<typeof criteriaSetSchema>;

export const CriteriaSetModel = defineModel<CriteriaSetFields>('CriteriaSet', criteriaSetSchema);

/**
 * Append-only log of decisions and sensitive reads. Nothing updates or deletes
 * these documents; the hooks below refuse it at the model level as a guard
 * against accidental use (the database user should also lack the right).
 */
import { Schema, type InferSchemaType } from 'mongoose';
import { defineModel } from './define-model.ts';

export const auditEventSchema = new Schema(
  {
    at: { type: Date, required: true, default: () => new Date() },
    actorId: { type: Schema.Types.ObjectId, ref: 'User', default: null },
    action: { type: String, required: true },
    entity: { type: String, required: true },
    entityId: { type: Schema.Types.ObjectId, default: null },
    // Unit the event concerns, so scoped users can read their own subtree's log.
    unitId: { type: Schema.Types.ObjectId, ref: 'Unit', default: null },
    details: { type: Schema.Types.Mixed },
    // Hash chain (app/domain/audit-chain.ts): written by appendAudit, never by hand.
    // `chain` names the record's own chain ("Member:<id>"); events written before
    // per-record chains have none (the global chain of old). Optional only because
    // events written before any chain existed get theirs at start-up
    // (chainLegacyAuditEvents).
    chain: { type: String },
    seq: { type: Number },
    prevHash: { type: String },
    hash: { type: String },
  },
  { versionKey: false },
);

// A chain's seq is unique: two writers that read the same head cannot both link after it
// (inside transactions the second is a write conflict and is retried). Also each chain's
// head (highest seq) and its walk in order for `npm run audit:verify`.
auditEventSchema.index(
  { chain: 1, seq: 1 },
  { unique: true, partialFilterExpression: { seq: { $exists: true } } },
);

auditEventSchema.index({ entity: 1, entityId: 1, at: -1 });
auditEventSchema.index({ unitId: 1, at: -1 });
auditEventSchema.index({ actorId: 1, at: -1 });
// The admin browser (/admin/audit), newest first (ties in chain order): unfiltered or by
// date range, and by action.
auditEventSchema.index({ at: -1, seq: -1, _id: -1 });
auditEventSchema.index({ action: 1, at: -1 });

function refuse(): never {
  throw new Error('AuditEvent is append-only');
}
for (const op of [
  'updateOne',
  'updateMany',
  'findOneAndUpdate',
  'replaceOne',
  'deleteOne',
  'deleteMany',
  'findOneAndDelete',
] as const) {
  auditEventSchema.pre(op, refuse);
}

export type AuditEventFields = InferSchemaType<typeof auditEventSchema>;

export const AuditEvent = defineModel<AuditEventFields>('AuditEvent', auditEventSchema);

/**
 * One tree of organisational units: the provincial Union, schools, faculties,
 * class branches (chi đoàn) and student Party cells (chi bộ). Scoped queries
 * use `ancestors` (root first, excluding the unit itself): "everything under X"
 * is `{ $or: [{ _id: X }, { ancestors: X }] }`, one index lookup.
 * Units are never deleted: merged or renamed ones stay with `active: false`.
 */
import type mongoose from 'mongoose';
import { Schema, type InferSchemaType } from 'mongoose';
import { defineModel } from './define-model.ts';
import { BODY_FIELDS, BODY_KEYS } from '../app/domain/documents/settings.ts';

export const UNIT_KINDS = ['province', 'school', 'faculty', 'branch', 'party_cell'] as const;
export const SCHOOL_KINDS = ['university', 'college', 'high_school'] as const;
export type UnitKind = (typeof UNIT_KINDS)[number];
export type SchoolKind = (typeof SCHOOL_KINDS)[number];

export const unitSchema = new Schema(
  {
    name: { type: String, required: true, trim: true },
    shortName: { type: String, trim: true },
    code: { type: String, required: true, trim: true },
    kind: { type: String, required: true, enum: UNIT_KINDS },
    // Set on schools and copied to every unit below, so lists filter without a join.
    schoolKind: { type: String, enum: SCHOOL_KINDS },
    parentId: { type: Schema.Types.ObjectId, ref: 'Unit', default: null },
    ancestors: { type: [Schema.Types.ObjectId], default: [] },
    // The school a unit belongs to (itself for a school); null above school level.
    schoolId: { type: Schema.Types.ObjectId, ref: 'Unit', default: null },
    active: { type: Boolean, required: true, default: true },
    validFrom: { type: Date },
    validTo: { type: Date },
    legacyNote: { type: String },
    // Party cells: the register of official members, dated (app/domain/party-register.ts):
    // the count in force on a vote's meeting day is the denominator of the 2/3 rule.
    officialMembers: {
      type: [
        new Schema(
          {
            count: { type: Number, required: true, min: 0 },
            from: { type: Date, required: true },
            reason: { type: String, trim: true },
            by: { type: Schema.Types.ObjectId, ref: 'User', default: null },
            at: { type: Date, required: true },
          },
          { _id: false },
        ),
      ],
      default: undefined,
    },
    // Today's count of that register, kept with it for the pages that show one number.
    officialMemberCount: { type: Number, min: 0 },
    // Schools: lower bounds of the conduct-score bands below "Tốt" (Khá, Trung bình), the
    // school's own regulation (app/domain/academic.ts: ConductBandsSchema); absent: 65/50.
    conductBands: {
      type: new Schema(
        { goodMin: { type: Number, min: 0, max: 100 }, averageMin: { type: Number, min: 0, max: 100 } },
        { _id: false },
      ),
      default: undefined,
    },
    // Schools: their own wording of the bodies that issue admission documents, field by field
    // over the defaults from the unit tree (app/domain/documents/settings.ts).
    documentBodies: {
      type: new Schema(
        Object.fromEntries(
          BODY_KEYS.map((body) => [
            body,
            {
              type: new Schema(
                Object.fromEntries(BODY_FIELDS.map((f) => [f, { type: String, trim: true, maxlength: 200 }])),
                { _id: false },
              ),
              default: undefined,
            },
          ]),
        ),
        { _id: false },
      ),
      default: undefined,
    },
  },
  { timestamps: true, optimisticConcurrency: true },
);

unitSchema.index({ code: 1 }, { unique: true });
unitSchema.index({ ancestors: 1, kind: 1 });
unitSchema.index({ parentId: 1 });
unitSchema.index({ kind: 1, active: 1 });

export type UnitFields = InferSchemaType<typeof unitSchema>;
export type UnitDocument = mongoose.HydratedDocument<UnitFields>;

export const Unit = defineModel<UnitFields>('Unit', unitSchema);

/**
 * A Union member (đoàn viên) and everything the pipeline needs about them.
 * Bounded arrays are embedded, so one member is one document and each stage
 * change is one atomic update (no transactions needed; see embedded-mongo.md).
 *
 * Sensitive fields (Law 91/2025): ethnicity, religion and citizen ID. The
 * citizen ID is `select: false`; ethnicity and religion are masked by the
 * loaders and every read of them is audited. Relatives' details and ID-card
 * images are never stored: the dossier only tracks dates and statuses.
 */
import type mongoose from 'mongoose';
import { Schema, type InferSchemaType } from 'mongoose';
import { defineModel } from './define-model.ts';
import { ALL_STAGES } from '../app/domain/stages.ts';
import { latestGpa10 } from '../app/domain/latest-gpa.ts';
import { memberSearchKey, nameSortKey } from '../app/domain/text.ts';
import {
  AWARD_KINDS,
  AWARD_LEVELS,
  THPT_RATINGS,
  UNION_RATING_LEVELS,
} from '../app/domain/criteria/types.ts';
import { GENDERS } from '../app/domain/member-vocabulary.ts';
import { SCAN_MAX_BYTES, SCAN_TYPES } from '../app/domain/pipeline/scans.ts';
import { SCHOOL_KINDS } from './unit.ts';

export const unionRatingSchema = new Schema(
  {
    year: { type: String, required: true, match: /^\d{4}-\d{4}$/ },
    level: { type: String, required: true, enum: UNION_RATING_LEVELS },
    // % of the branch's meetings and activities attended, where the school records it:
    // "xuất sắc" needs ≥ 90 % then (app/domain/union-rating.ts).
    participation: { type: Number, min: 0, max: 100 },
  },
  { _id: false },
);

export const academicTermSchema = new Schema(
  {
    year: { type: String, required: true, match: /^\d{4}-\d{4}$/ },
    term: { type: Number, required: true, enum: [1, 2, 3] },
    scale: { type: Number, required: true, enum: [4, 10] },
    gpa: { type: Number, min: 0, max: 10 },
    // Universities and colleges: điểm rèn luyện 0-100.
    conductScore: { type: Number, min: 0, max: 100 },
    // THPT (Thông tư 22/2021): conduct and study results.
    conductRating: { type: String, enum: THPT_RATINGS },
    studyRating: { type: String, enum: THPT_RATINGS },
  },
  { _id: false },
);

// Awards and activities keep their _id: students submit them and staff verify
// them one by one, so each needs a stable handle.
export const awardSchema = new Schema({
  title: { type: String, required: true, trim: true },
  kind: { type: String, required: true, enum: AWARD_KINDS },
  level: { type: String, required: true, enum: AWARD_LEVELS },
  date: { type: Date },
  decisionNo: { type: String, trim: true },
  issuer: { type: String, trim: true },
  verified: { type: Boolean, default: false },
  // The approved submission this award was copied from (`npm run audit:verify` checks it is here).
  submissionId: { type: Schema.Types.ObjectId },
});

export const activitySchema = new Schema({
  campaign: { type: String, required: true, trim: true },
  role: { type: String, trim: true },
  days: { type: Number, min: 0 },
  hours: { type: Number, min: 0 },
  startDate: { type: Date },
  endDate: { type: Date },
  verifiedBy: { type: Schema.Types.ObjectId, ref: 'User', default: null },
  verifiedAt: { type: Date },
  // The approved submission this activity was copied from (see awardSchema).
  submissionId: { type: Schema.Types.ObjectId },
});

export const historyEntrySchema = new Schema(
  {
    stage: { type: String, required: true, enum: ALL_STAGES },
    at: { type: Date, required: true },
    by: { type: Schema.Types.ObjectId, ref: 'User', default: null },
    note: { type: String },
    // Reference document (resolution, decision…) behind the change.
    refNo: { type: String },
    refDate: { type: Date },
  },
  { _id: false },
);

/** A chi bộ vote as recorded: the admission vote (5-KNĐ) and each official-status vote (13-KNĐ). */
const VOTE_FIELDS = {
  meetingDate: Date,
  yes: Number,
  no: Number,
  officialMemberCount: Number,
  partyCellId: { type: Schema.Types.ObjectId, ref: 'Unit' },
  resolutionNo: String,
};

export const pipelineSchema = new Schema(
  {
    stage: { type: String, required: true, enum: ALL_STAGES, default: 'member' },
    stageSince: { type: Date },
    history: { type: [historyEntrySchema], default: [] },
    // Awareness-class certificate: valid 60 months from issue.
    certificate: {
      number: String,
      issuer: String,
      issuedAt: Date,
      expiresAt: Date,
    },
    // Official Party member the chi bộ assigns to help the candidate.
    helperName: { type: String },
    // Outstanding-member list voted by the school Union executive.
    unionResolution: { number: String, date: Date },
    application: { receivedAt: Date },
    personalHistory: {
      receivedAt: Date,
      verification: { type: String, enum: ['pending', 'verified', 'issues'] },
      verifiedAt: Date,
    },
    introducers: {
      type: [
        new Schema(
          {
            name: { type: String, required: true },
            official: { type: Boolean, default: true },
            monthsTogether: { type: Number, min: 0 },
            // 'union' = introduced by the grassroots Union executive's resolution (4-KNĐ).
            kind: { type: String, enum: ['party_member', 'union'], default: 'party_member' },
            refNo: String,
          },
          { _id: false },
        ),
      ],
      default: undefined,
    },
    opinions: {
      type: [new Schema({ source: String, date: Date, summary: String }, { _id: false })],
      default: undefined,
    },
    // officialMemberCount: the chi bộ's register on the meeting day (partyCellId), not a typed count.
    branchVote: VOTE_FIELDS,
    committeeResolution: { number: String, date: Date },
    // receivedAt: the day the chi bộ received the decision (starts the ceremony clock).
    decision: { number: String, date: Date, issuer: String, receivedAt: Date },
    // Why the decision needs the extra 30 working days (decisions/005).
    decisionExtensionReason: { type: String },
    ceremonyDate: { type: Date },
    probation: { start: Date, end: Date },
    // Every official-status vote of the chi bộ (13-KNĐ), failed ones included: the third failure escalates.
    officialVotes: {
      type: [
        new Schema(
          {
            ...VOTE_FIELDS,
            by: { type: Schema.Types.ObjectId, ref: 'User', default: null },
          },
          { _id: false },
        ),
      ],
      default: undefined,
    },
    // The committee's decision recognising official membership (15-KNĐ).
    officialDecision: { number: String, date: Date, issuer: String },
    officialDecisionExtensionReason: { type: String },
    officialDate: { type: Date },
    // Paper checklist of the forms 1-KNĐ … 15-KNĐ: dates only, never their content.
    // Filled where no transition records the form itself (see app/utils/pipeline/pipeline-tab-writes.server.ts).
    dossier: {
      type: [
        new Schema(
          {
            form: { type: String, required: true, match: /^(?:[1-9]|1[0-5])-KNĐ$/ },
            receivedAt: Date,
            verifiedAt: Date,
          },
          { _id: false },
        ),
      ],
      default: undefined,
    },
    // Signed scans of paper forms attached to recorded steps (app/domain/pipeline/scans.ts): the
    // summary only, the bytes live in ScanFile (models/scan-file.ts) under the same _id.
    scans: {
      type: [
        new Schema({
          form: { type: String, required: true, match: /^(?:[1-9]|1[0-5])-KNĐ$/ },
          name: { type: String, required: true, trim: true, maxlength: 200 },
          type: { type: String, required: true, enum: SCAN_TYPES },
          size: { type: Number, required: true, max: SCAN_MAX_BYTES },
          sha256: { type: String, required: true },
          by: { type: Schema.Types.ObjectId, ref: 'User', default: null },
          at: { type: Date, required: true },
        }),
      ],
      default: undefined,
    },
    // Shown to the student when the record is sent back.
    returnReason: { type: String },
    // Selected as đoàn viên ưu tú outside the criteria (app/domain/pipeline/selection.ts): the
    // written reason, who and when, the verdict overridden and the rules that failed.
    selectionOverride: {
      reason: { type: String, trim: true, maxlength: 2000 },
      verdict: { type: String, enum: ['not_met', 'missing', 'no_criteria'] },
      setId: { type: Schema.Types.ObjectId },
      setVersion: { type: Number },
      failing: { type: [String], default: undefined },
      by: { type: Schema.Types.ObjectId, ref: 'User', default: null },
      at: { type: Date },
    },
    // The earliest open legal deadline (app/domain/deadlines.ts), kept by
    // app/utils/pipeline/pipeline-due.server.ts after every write, holiday edit and each night,
    // so the board and the province can filter "overdue" with an index.
    due: {
      at: { type: Date },
      kind: { type: String },
    },
    // Province reviewers' flags and comments (they may flag, comment and return, never decide).
    reviewNotes: {
      type: [
        new Schema({
          kind: { type: String, required: true, enum: ['flag', 'comment'] },
          text: { type: String, required: true, trim: true, maxlength: 2000 },
          by: { type: Schema.Types.ObjectId, ref: 'User', default: null },
          at: { type: Date, required: true },
          resolvedAt: { type: Date },
          resolvedBy: { type: Schema.Types.ObjectId, ref: 'User' },
        }),
      ],
      default: undefined,
    },
    // Unresolved flags, for the board's filter and badge.
    openFlags: { type: Number, default: undefined },
    // Derived (app/utils/pipeline/pipeline-conflicts.server.ts): recorded steps that no longer hold on
    // the data on file, recomputed in the transaction of every write that can change it.
    conflicts: {
      type: [
        new Schema(
          {
            step: { type: String, required: true },
            code: { type: String, required: true },
            message: { vi: String, en: String },
            fields: { type: [String], default: undefined },
            // Whose write produced it (an override needs someone else), and when.
            by: { type: Schema.Types.ObjectId, ref: 'User', default: null },
            at: { type: Date },
          },
          { _id: false },
        ),
      ],
      default: undefined,
    },
    // Conflicts no override covers: the list filter (due=conflict), the board, the province.
    openConflicts: { type: Number, default: undefined },
    // A different user's written reason to go on despite the conflicts of these keys (audited).
    conflictOverride: {
      by: { type: Schema.Types.ObjectId, ref: 'User' },
      at: { type: Date },
      reason: { type: String, trim: true, maxlength: 2000 },
      keys: { type: [String], default: undefined },
    },
  },
  { _id: false },
);

export const memberSchema = new Schema(
  {
    fullName: { type: String, required: true, trim: true },
    searchKey: { type: String, required: true },
    nameSortKey: { type: String, required: true },
    dateOfBirth: { type: Date, required: true },
    gender: { type: String, required: true, enum: GENDERS },
    studentCode: { type: String, required: true, trim: true },
    email: { type: String, trim: true, lowercase: true },
    phone: { type: String, trim: true },
    ethnicity: { type: String },
    religion: { type: String },
    citizenId: { type: String, select: false },
    schoolId: { type: Schema.Types.ObjectId, ref: 'Unit', required: true },
    branchId: { type: Schema.Types.ObjectId, ref: 'Unit' },
    partyCellId: { type: Schema.Types.ObjectId, ref: 'Unit', default: null },
    // Unit ids from the province down to the branch: scope filters are `{ ancestors: unitId }`.
    ancestors: { type: [Schema.Types.ObjectId], default: [] },
    schoolKind: { type: String, required: true, enum: SCHOOL_KINDS },
    schoolYear: { type: String, match: /^\d{4}-\d{4}$/ },
    cohort: { type: Number },
    // Expected graduation month ("2027-06"), optional: a warning when it falls before the
    // expected admission decision (app/domain/graduation.ts).
    expectedGraduation: { type: String, match: /^\d{4}-(0[1-9]|1[0-2])$/ },
    union: { joinedAt: Date, cardNumber: String },
    unionRatings: { type: [unionRatingSchema], default: [] },
    academicTerms: { type: [academicTermSchema], default: [] },
    // Sort key of the member table: the latest graded term on the 10-point scale
    // (app/domain/latest-gpa.ts). Kept in step by the hook below, the term editor,
    // the results import and the seed.
    latestGpa10: { type: Number, default: null },
    awards: { type: [awardSchema], default: [] },
    activities: { type: [activitySchema], default: [] },
    consent: { version: String, givenAt: Date, withdrawnAt: Date, guardianName: String },
    pipeline: { type: pipelineSchema, required: true, default: () => ({}) },
    // Stored verdict against the active selection set, for the member list's filter and
    // column (docs/decisions/006-eligibility-storage.md). Written only by
    // app/utils/criteria/eligibility.server.ts; stale once `updatedAt` or the active set moves on.
    eligibility: {
      setId: { type: Schema.Types.ObjectId },
      version: { type: Number },
      eligible: { type: Boolean },
      key: { type: String },
      evaluatedAt: { type: Date },
    },
  },
  { timestamps: true, optimisticConcurrency: true },
);

// Derived keys are recomputed on every validated save, so they never drift from
// the name. Bulk writes that skip validation (the seed, imports) set them too.
memberSchema.pre('validate', function () {
  if (this.fullName) {
    this.searchKey = memberSearchKey(this.fullName, this.studentCode ?? '');
    this.nameSortKey = nameSortKey(this.fullName);
  }
  this.latestGpa10 = latestGpa10(this.academicTerms);
});

// Same for query updates that rename someone (an edit form using findOneAndUpdate).
memberSchema.pre(['updateOne', 'findOneAndUpdate'], async function () {
  const update = this.getUpdate() as Record<string, unknown> | null;
  if (!update || Array.isArray(update)) return;
  const set = (update.$set ?? update) as Record<string, unknown>;
  const fullName = set.fullName;
  if (typeof fullName !== 'string') return;
  let studentCode = set.studentCode;
  if (typeof studentCode !== 'string') {
    const current = await this.model
      .findOne(this.getFilter())
      .select('studentCode')
      .lean<{ studentCode?: string }>();
    studentCode = current?.studentCode ?? '';
  }
  this.set({
    searchKey: memberSearchKey(fullName, studentCode as string),
    nameSortKey: nameSortKey(fullName),
  });
});

memberSchema.index({ schoolId: 1, studentCode: 1 }, { unique: true });
// Member list: scope + stage filter sorted by name; scope sorted by name.
memberSchema.index({ ancestors: 1, 'pipeline.stage': 1, nameSortKey: 1 });
memberSchema.index({ ancestors: 1, nameSortKey: 1 });
// Name search by prefix (anchored regex on the diacritic-free key).
memberSchema.index({ searchKey: 1 });
// Member list sorted by the latest GPA.
memberSchema.index({ ancestors: 1, latestGpa10: -1, nameSortKey: 1 });
// Member list filtered by stored eligibility, sorted by name.
memberSchema.index({ ancestors: 1, 'eligibility.eligible': 1, nameSortKey: 1 });
// Pipeline board: a stage's lane, most urgent first; "overdue" is a range on due.at.
// Stage leads: the embedded server looks up the leading field (or every field) of a
// compound index, and one stage is a far smaller posting than the whole province.
memberSchema.index({ 'pipeline.stage': 1, ancestors: 1, 'pipeline.due.at': 1 });

export type MemberFields = InferSchemaType<typeof memberSchema>;
export type MemberDocument = mongoose.HydratedDocument<MemberFields>;

export { memberSearchKey };

export const Member = defineModel<MemberFields>('Member', memberSchema);

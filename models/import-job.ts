/**
 * One member import, from its check to its end (docs/decisions/020-import-in-one-transaction.md):
 * what the page shows under its token survives a restart, and a TTL index removes the job
 * once its purpose is served. The uploaded file itself is not here: its bytes stay in the
 * memory of the process that received it (app/utils/members/member-import-jobs.server.ts).
 *
 * States: `checked` (dry run done; `ok` says whether it can be committed), `committing`,
 * `done` and `failed` (both written inside the commit's transaction when it decides them),
 * `interrupted` (the process that was committing died: its transaction never committed).
 */
import { Schema, type InferSchemaType } from 'mongoose';
import { defineModel } from './define-model.ts';

export const IMPORT_JOB_STATES = ['checked', 'committing', 'done', 'failed', 'interrupted'] as const;
export type ImportJobState = (typeof IMPORT_JOB_STATES)[number];

const summarySchema = new Schema(
  {
    rows: { type: Number, default: 0 },
    toCreate: { type: Number, default: 0 },
    toUpdate: { type: Number, default: 0 },
    unchanged: { type: Number, default: 0 },
  },
  { _id: false },
);

export const importJobSchema = new Schema(
  {
    token: { type: String, required: true },
    userId: { type: Schema.Types.ObjectId, ref: 'User', required: true },
    schoolId: { type: Schema.Types.ObjectId, ref: 'Unit', required: true },
    schoolName: { type: String, default: '' },
    kind: { type: String, enum: ['members', 'results'], required: true },
    filename: { type: String, default: '' },
    state: { type: String, enum: IMPORT_JOB_STATES, required: true, default: 'checked' },
    /** The dry run found no problem: the file may be committed. */
    ok: { type: Boolean, required: true },
    summary: { type: summarySchema, default: () => ({}) },
    // Mixed: thousands of problems are stored as given, without a subdocument each.
    // Capped (problemCount is the real number); values of sensitive columns are left out.
    problems: { type: [Schema.Types.Mixed], default: [] },
    problemCount: { type: Number, default: 0 },
    /** Rows written by the commit (members, or terms for results). */
    written: { type: Number, default: 0 },
    /** A few of the imported members, for links on the page. */
    memberIds: { type: [Schema.Types.ObjectId], default: [] },
    /** Existing members whose update broke a recorded step (the first ones), and how many. */
    brokeIds: { type: [Schema.Types.ObjectId], default: [] },
    brokeCount: { type: Number, default: 0 },
    /**
     * The process committing: `instance` names the app instance (host and port), `boot`
     * this run of it. A job `committing` under this instance but another boot was left
     * by a process that died.
     */
    owner: {
      type: new Schema({ instance: String, boot: String }, { _id: false }),
      default: null,
    },
    createdAt: { type: Date, required: true, default: () => new Date() },
    startedAt: { type: Date, default: null },
    finishedAt: { type: Date, default: null },
    /** The TTL index removes the job at this instant (the page also treats it as gone). */
    expiresAt: { type: Date, required: true },
  },
  { versionKey: false },
);

importJobSchema.index({ token: 1 }, { unique: true });
importJobSchema.index({ expiresAt: 1 }, { expireAfterSeconds: 0 });

export type ImportJobFields = InferSchemaType<typeof importJobSchema>;

export const ImportJob = defineModel<ImportJobFields>('ImportJob', importJobSchema);

/**
 * One document per scheduled job (by its name), shared by every app instance: the
 * schedule's state survives restarts, and the lease (`lockedBy` + `lockedUntil`) makes a
 * run happen once across instances (docs/decisions/032-scheduled-jobs.md).
 * Written by app/utils/jobs/scheduler.server.ts; read by /admin/jobs.
 */
import { Schema, type InferSchemaType } from 'mongoose';
import { defineModel } from './define-model.ts';

export const scheduledJobSchema = new Schema(
  {
    name: { type: String, required: true },
    /** The definition's schedule as last started (`{ dailyAt }`…), for the admin page. */
    schedule: { type: Schema.Types.Mixed, required: true },
    /** `scheduleKey(schedule)`: a changed definition recomputes `nextRunAt` at start. */
    scheduleKey: { type: String, required: true },
    /** Due when this instant has passed; "run now" sets it to now. */
    nextRunAt: { type: Date, required: true },
    enabled: { type: Boolean, required: true, default: true },
    /** The instance running it, until `lockedUntil` (the lease, renewed while it runs). */
    lockedBy: { type: String, default: null },
    lockedUntil: { type: Date, default: null },
    /** When the latest run started, and when and how the latest finished one ended. */
    lastRunAt: { type: Date, default: null },
    lastFinishedAt: { type: Date, default: null },
    lastDurationMs: { type: Number, default: null },
    lastResult: { type: Schema.Types.Mixed, default: null },
    lastError: { type: String, default: null },
    /** Failures in a row (0 after a success): drives the backoff. */
    failCount: { type: Number, required: true, default: 0 },
    runCount: { type: Number, required: true, default: 0 },
  },
  { timestamps: true, collection: 'scheduledjobs', minimize: false },
);

scheduledJobSchema.index({ name: 1 }, { unique: true });

export type ScheduledJobFields = InferSchemaType<typeof scheduledJobSchema>;

export const ScheduledJob = defineModel<ScheduledJobFields>('ScheduledJob', scheduledJobSchema);

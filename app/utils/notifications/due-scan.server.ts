/**
 * The daily due-date scan (issue 21): every morning at 06:00 Vietnam time, each record
 * whose legal deadlines call for a notice today gets it (app/domain/notifications/triggers.ts:
 * approaching 7/3/1 working days, overdue, escalated to the province after N working days,
 * the certificate 6/3/1 months ahead).
 *
 * Reads only the records that can need one, by the stored next deadline (`pipeline.due`,
 * kept by pipeline-due.server.ts, indexed with the stage): a record's earliest open deadline
 * is at most the horizon away whenever any of its deadlines is (the certificate's 6 months
 * are the widest window), and overdue records have it in the past. The rules are
 * idempotent, so the scan is too: a second run the same day, or a retry after a crash
 * half-way, writes nothing new; `notify()` is called in batches so a large province never
 * holds one huge write.
 */
import mongoose, { type Types } from 'mongoose';
import { Member } from '../../../models/member';
import { Unit } from '../../../models/unit';
import { DAY_MS, dayNumber } from '~/domain/calendar';
import { computeDeadlines } from '~/domain/deadlines';
import type { Notice } from '~/domain/notifications/kinds';
import { deadlineNotices, type TriggerMember, type TriggerSettings } from '~/domain/notifications/triggers';
import type { PipelineMember } from '~/domain/pipeline';
import { OPEN_STAGES, type Stage } from '~/domain/stages';
import type { WorkingCalendar } from '~/domain/working-days';
import type { JobContext, JobDefinition } from '../jobs/job-definition';
import { getEnv } from '../env.server';
import { loadCalendar } from '../pipeline/working-calendar.server';
import { notify } from './notify.server';

/** Farther than any trigger looks ahead: 6 months of certificate plus slack. */
const HORIZON_DAYS = 7 * 31;
const NOTICE_BATCH = 500;
const READ_BATCH = 1_000;

export const SCAN_PROJECTION = {
  fullName: 1,
  schoolId: 1,
  ancestors: 1,
  dateOfBirth: 1,
  pipeline: 1,
} as const;

export interface ScanRow {
  _id: Types.ObjectId;
  fullName: string;
  schoolId: Types.ObjectId;
  ancestors?: Types.ObjectId[];
  dateOfBirth?: Date;
  pipeline?: PipelineMember['pipeline'] & { due?: { at?: Date; kind?: string } };
}

/** Names of the schools, for the province's lines. */
export async function schoolNames(): Promise<Map<string, string>> {
  const rows = await Unit.find({ kind: 'school' }).select({ name: 1 }).lean();
  return new Map(rows.map((u) => [String(u._id), u.name]));
}

export function triggerMember(row: ScanRow, schools: Map<string, string>): TriggerMember {
  const schoolId = String(row.schoolId);
  return {
    id: String(row._id),
    fullName: row.fullName,
    stage: (row.pipeline?.stage ?? 'member') as Stage,
    schoolId,
    provinceId: String(row.ancestors?.[0] ?? row.schoolId),
    schoolName: schools.get(schoolId) ?? '',
  };
}

export function triggerSettings(): TriggerSettings {
  return { escalateAfterWorkingDays: getEnv().NOTIFY_ESCALATE_AFTER_WORKING_DAYS };
}

export interface DueScanResult {
  scanned: number;
  notices: number;
  created: number;
  escalateAfter: number;
  ms: number;
}

/** One run of the scan for the day of `now` (Vietnam time). */
export async function runDueScan(
  options: { now?: Date; signal?: AbortSignal; calendar?: WorkingCalendar; settings?: TriggerSettings } = {},
): Promise<DueScanResult> {
  const started = Date.now();
  const now = options.now ?? new Date();
  const calendar = options.calendar ?? (await loadCalendar());
  const settings = options.settings ?? triggerSettings();
  const horizon = new Date((dayNumber(now) + HORIZON_DAYS) * DAY_MS);
  const schools = await schoolNames();
  let scanned = 0;
  let produced = 0;
  let created = 0;
  let pending: Notice[] = [];
  const flush = async () => {
    if (!pending.length) return;
    created += await notify(pending, { now });
    produced += pending.length;
    pending = [];
  };
  const cursor = Member.find({
    'pipeline.stage': mongoose.trusted({ $in: [...OPEN_STAGES] }),
    'pipeline.due.at': mongoose.trusted({ $lte: horizon }),
  })
    .select(SCAN_PROJECTION)
    .lean<ScanRow[]>()
    .cursor({ batchSize: READ_BATCH });
  for await (const row of cursor as AsyncIterable<ScanRow>) {
    if (options.signal?.aborted) break;
    scanned++;
    const deadlines = computeDeadlines(row as unknown as PipelineMember, calendar, now);
    pending.push(...deadlineNotices(triggerMember(row, schools), deadlines, calendar, now, settings));
    if (pending.length >= NOTICE_BATCH) await flush();
  }
  await flush();
  return {
    scanned,
    notices: produced,
    created,
    escalateAfter: settings.escalateAfterWorkingDays,
    ms: Date.now() - started,
  };
}

export const DUE_SCAN_JOB: JobDefinition = {
  name: 'notifications.due-scan',
  schedule: { dailyAt: '06:00' },
  async run({ now, signal }: JobContext) {
    const { scanned, notices, created, escalateAfter } = await runDueScan({ now, signal });
    return { scanned, notices, created, escalateAfterWorkingDays: escalateAfter };
  },
};

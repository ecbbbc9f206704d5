/**
 * Keeps `pipeline.due` (the earliest open legal deadline, see `nextDue`) in step with
 * the record, so "overdue" and "most urgent first" are index ranges for the board and
 * the province instead of a scan that computes every member's deadlines.
 *
 * It moves when a step is recorded (`refreshPipelineDue([id])` after the write), when
 * the holiday table changes and as days pass (probation ends by itself): both call
 * `refreshAllPipelineDue()`, the job `pipeline-due-refresh` at start and after each Vietnam
 * midnight (app/utils/jobs/pipeline-due-refresh.server.ts).
 * The field is derived data: it never bumps `__v`, so it cannot make a user's form stale.
 */
import type { Types } from 'mongoose';
import mongoose, { type AnyBulkWriteOperation } from 'mongoose';
import { Member } from '../../../models/member';
import { nextDue, type NextDue } from '~/domain/deadlines';
import type { PipelineMember } from '~/domain/pipeline';
import type { WorkingCalendar } from '~/domain/working-days';
import { loadCalendar } from './working-calendar.server';

const PROJECTION = { dateOfBirth: 1, pipeline: 1 } as const;
const BATCH = 1_000;

interface DueRow {
  _id: Types.ObjectId;
  dateOfBirth?: Date;
  pipeline?: PipelineMember['pipeline'] & { due?: { at?: Date; kind?: string } };
}

/** Calendar days are stored as UTC midnight, like every other pipeline date. */
const dueAt = (due: NextDue) => new Date(`${due.dueDate}T00:00:00Z`);

function sameDue(stored: DueRow['pipeline'], due: NextDue | null): boolean {
  const at = stored?.due?.at;
  if (!due) return !at;
  return !!at && at.getTime() === dueAt(due).getTime() && stored?.due?.kind === due.kind;
}

/** The stored next deadline as `pipeline.due` holds it, or null when nothing is due. */
export function storedDue(
  member: PipelineMember,
  calendar: WorkingCalendar,
  asOf: Date,
): { at: Date; kind: NextDue['kind'] } | null {
  const due = nextDue(member, calendar, asOf);
  return due ? { at: dueAt(due), kind: due.kind } : null;
}

function dueUpdate(row: DueRow, calendar: WorkingCalendar, asOf: Date): AnyBulkWriteOperation | null {
  const due = nextDue(row as unknown as PipelineMember, calendar, asOf);
  if (sameDue(row.pipeline, due)) return null;
  const update = due
    ? { $set: { 'pipeline.due': { at: dueAt(due), kind: due.kind } } }
    : { $unset: { 'pipeline.due': 1 } };
  return { updateOne: { filter: { _id: row._id }, update } };
}

async function writeAll(ops: AnyBulkWriteOperation[]): Promise<number> {
  let written = 0;
  for (let i = 0; i < ops.length; i += BATCH) {
    const res = await Member.bulkWrite(ops.slice(i, i + BATCH) as never, { ordered: false });
    written += res.modifiedCount;
  }
  return written;
}

/** Recomputes the stored next deadline of these members (after a recorded step). */
export async function refreshPipelineDue(
  ids: Types.ObjectId[],
  options: { now?: Date; calendar?: WorkingCalendar } = {},
): Promise<number> {
  if (!ids.length) return 0;
  const calendar = options.calendar ?? (await loadCalendar());
  const now = options.now ?? new Date();
  const rows = await Member.find({ _id: mongoose.trusted({ $in: ids }) })
    .select(PROJECTION)
    .lean<DueRow[]>();
  const ops = rows.map((r) => dueUpdate(r, calendar, now)).filter((op) => op !== null);
  return writeAll(ops);
}

/**
 * Every record in the pipeline (plain members have nothing due and are skipped by the
 * query); writes only the ones whose next deadline changed.
 */
export async function refreshAllPipelineDue(
  options: { now?: Date; calendar?: WorkingCalendar } = {},
): Promise<{ scanned: number; written: number; ms: number }> {
  const started = Date.now();
  const calendar = options.calendar ?? (await loadCalendar());
  const now = options.now ?? new Date();
  let scanned = 0;
  let ops: AnyBulkWriteOperation[] = [];
  let written = 0;
  const cursor = Member.find({ 'pipeline.stage': mongoose.trusted({ $ne: 'member' }) })
    .select(PROJECTION)
    .lean<DueRow[]>()
    .cursor({ batchSize: BATCH });
  for await (const row of cursor as AsyncIterable<DueRow>) {
    scanned++;
    const op = dueUpdate(row, calendar, now);
    if (op) ops.push(op);
    if (ops.length >= BATCH) {
      written += await writeAll(ops);
      ops = [];
    }
  }
  written += await writeAll(ops);
  return { scanned, written, ms: Date.now() - started };
}

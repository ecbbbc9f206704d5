/**
 * The weekly digests (issue 21): Monday 07:00 Vietnam time, one notice per school (its
 * Union and Party users) and one per province (province_union) with the week's counts —
 * overdue, due this week, ready for the next step, admissions against the year's target —
 * and the overdue cases as lines (app/domain/notifications/triggers-digest.ts).
 *
 * One pass over the records in open stages (the stage index) counts everything for every
 * unit at once; targets come from the reports' own `targetProgress`, so the digest and
 * /reports/targets agree. eventKey `digest:<unitId>:<ISO week>` makes a rerun in the same
 * week write nothing new.
 */
import mongoose from 'mongoose';
import { Member } from '../../../models/member';
import { Unit } from '../../../models/unit';
import { dayNumber, vietnamYear } from '~/domain/calendar';
import type { Notice } from '~/domain/notifications/kinds';
import {
  digestNotice,
  weekRange,
  type DigestCounts,
  type OverdueCase,
} from '~/domain/notifications/triggers-digest';
import { isReadyForNextStep, type PipelineMember } from '~/domain/pipeline';
import { OPEN_STAGES } from '~/domain/stages';
import type { WorkingCalendar } from '~/domain/working-days';
import type { JobContext, JobDefinition } from '../jobs/job-definition';
import { loadCalendar } from '../pipeline/working-calendar.server';
import { targetProgress } from '../reports/targets.server';
import { schoolNames, triggerMember, type ScanRow } from './due-scan.server';
import { notify } from './notify.server';

const READ_BATCH = 1_000;
const NOTICE_BATCH = 100;

/** What readiness reads besides the scan's fields: consent pauses a record. */
const DIGEST_PROJECTION = {
  fullName: 1,
  schoolId: 1,
  ancestors: 1,
  dateOfBirth: 1,
  partyCellId: 1,
  pipeline: 1,
  consent: 1,
} as const;

interface Tally {
  counts: Omit<DigestCounts, 'target' | 'admitted'>;
  cases: OverdueCase[];
}

const emptyTally = (): Tally => ({ counts: { overdue: 0, dueThisWeek: 0, ready: 0 }, cases: [] });

export interface DigestResult {
  units: number;
  scanned: number;
  created: number;
  ms: number;
}

export async function runWeeklyDigests(
  options: { now?: Date; signal?: AbortSignal; calendar?: WorkingCalendar } = {},
): Promise<DigestResult> {
  const started = Date.now();
  const now = options.now ?? new Date();
  const calendar = options.calendar ?? (await loadCalendar());
  const today = dayNumber(now);
  const weekEnd = weekRange(now).end;
  const [schools, units] = await Promise.all([
    schoolNames(),
    Unit.find({ kind: mongoose.trusted({ $in: ['school', 'province'] }), active: true })
      .select({ name: 1, kind: 1 })
      .lean(),
  ]);
  const tallies = new Map<string, Tally>(units.map((u) => [String(u._id), emptyTally()]));
  const add = (unitId: string, f: (t: Tally) => void) => {
    const t = tallies.get(unitId);
    if (t) f(t);
  };
  let scanned = 0;
  const cursor = Member.find({ 'pipeline.stage': mongoose.trusted({ $in: [...OPEN_STAGES] }) })
    .select(DIGEST_PROJECTION)
    .lean<ScanRow[]>()
    .cursor({ batchSize: READ_BATCH });
  for await (const row of cursor as AsyncIterable<ScanRow>) {
    if (options.signal?.aborted) break;
    scanned++;
    const member = triggerMember(row, schools);
    const dueDay = row.pipeline?.due?.at ? dayNumber(row.pipeline.due.at) : NaN;
    const overdue = dueDay < today;
    const dueThisWeek = dueDay >= today && dueDay < weekEnd;
    const ready = isReadyForNextStep(row as unknown as PipelineMember, calendar, now).ready;
    const days = overdue ? calendar.workingDaysBetweenNumbers(dueDay, today) : 0;
    // The school's digest and its province's.
    for (const unitId of [member.schoolId, member.provinceId]) {
      add(unitId, (t) => {
        if (overdue) {
          t.counts.overdue++;
          t.cases.push({ member, days });
        }
        if (dueThisWeek) t.counts.dueThisWeek++;
        if (ready) t.counts.ready++;
      });
    }
  }
  if (options.signal?.aborted) return { units: 0, scanned, created: 0, ms: Date.now() - started };
  const progress = await targetProgress(
    units.map((u) => u._id),
    vietnamYear(now),
  );
  const notices: Notice[] = units.map((u) => {
    const id = String(u._id);
    const t = tallies.get(id)!;
    const p = progress[id] ?? { target: null, admitted: 0 };
    return digestNotice({
      unitId: id,
      unitName: u.name,
      scope: u.kind === 'province' ? 'province' : 'school',
      counts: { ...t.counts, target: p.target ?? null, admitted: p.admitted },
      cases: t.cases,
      asOf: now,
    });
  });
  let created = 0;
  for (let i = 0; i < notices.length; i += NOTICE_BATCH) {
    created += await notify(notices.slice(i, i + NOTICE_BATCH), { now });
  }
  return { units: units.length, scanned, created, ms: Date.now() - started };
}

export const WEEKLY_DIGEST_JOB: JobDefinition = {
  name: 'notifications.weekly-digest',
  schedule: { weeklyAt: { weekday: 1, time: '07:00' } },
  async run({ now, signal }: JobContext) {
    const { units, scanned, created } = await runWeeklyDigests({ now, signal });
    return { units, scanned, created };
  },
};

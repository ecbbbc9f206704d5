/**
 * `/pipeline`: the admission pipeline as lanes by stage, for the school and the province.
 *
 * Queries (all with the scope inside, all backed by
 * `{ 'pipeline.stage', ancestors, 'pipeline.due.at' }`):
 * - counts per stage, and overdue counts per lane (one count each, from the index);
 * - per lane the most urgent cards: stored next deadline first (`pipeline.due`, kept by
 *   pipeline-due.server.ts; the index walked in due-date order up to the page), then, if
 *   the lane has room, records with nothing due.
 * Nothing here computes a member's deadlines from scratch: the board must stay fast at
 * the province's scale (design.md: dashboard p95 ≤ 300 ms at 50,000 members).
 */
import mongoose, { Types } from 'mongoose';
import { z } from 'zod';
import { Member } from '../../../models/member';
import type { ConsentRecord } from '~/domain/consent';
import { dayNumber, dayToDate, isoDay } from '~/domain/calendar';
import { DEADLINE_KINDS, type DeadlineKind } from '~/domain/deadlines';
import { nextActor, type NextActor } from '~/domain/pipeline';
import { OPEN_STAGES } from '~/domain/stages';
import type { WorkingCalendar } from '~/domain/working-days';
import type { AuthUser } from '../auth/auth.server';
import { CONSENT_PAUSE_PROJECTION, pausedSince } from '../student/consent.server';
import { isProvinceWide, unitNamesById, unitsOf, type UnitOption } from '../members/members-list.server';
import { scopeFilter, unitScopeFilter } from '../auth/permissions.server';
import { loadCalendar } from './working-calendar.server';
import { OBJECT_ID_PATTERN } from '~/domain/ids';

/** Lanes shown on the board: every stage somebody must still act on. */
export const BOARD_LANES = OPEN_STAGES;
export type BoardLane = (typeof BOARD_LANES)[number];

/** Cards per lane on the overview; one lane alone pages by this many. */
export const LANE_CARDS = 8;
export const PAGE_CARDS = 50;
/** An open deadline within this many working days is "due soon" (deadlines.ts default). */
const DUE_SOON_WORKING_DAYS = 10;

const objectId = z.string().regex(OBJECT_ID_PATTERN);
const blank = (v: unknown) => (v === '' || v === null ? undefined : v);

export const BoardQuerySchema = z.object({
  school: z.preprocess(blank, objectId.optional()).catch(undefined),
  cell: z.preprocess(blank, objectId.optional()).catch(undefined),
  stage: z.preprocess(blank, z.enum(BOARD_LANES).optional()).catch(undefined),
  overdue: z.preprocess((v) => v === '1' || v === 'on', z.boolean()).catch(false),
  flagged: z.preprocess((v) => v === '1' || v === 'on', z.boolean()).catch(false),
  page: z.coerce.number().int().min(1).max(10_000).catch(1),
});
export type BoardQuery = z.infer<typeof BoardQuerySchema>;

export function parseBoardQuery(params: URLSearchParams): BoardQuery {
  return BoardQuerySchema.parse(Object.fromEntries(params));
}

const oid = (id: string) => new Types.ObjectId(id);

/** Start of today in Vietnam as the UTC-midnight Date the pipeline stores days as. */
export function todayAsStoredDay(now: Date): Date {
  return dayToDate(dayNumber(now));
}

/**
 * The filter every board query shares (without the stage). `query.school`/`query.cell`
 * must already be known to lie in the user's scope.
 */
export function boardFilter(user: AuthUser, query: BoardQuery, now: Date): Record<string, unknown> {
  const filter: Record<string, unknown> = { ...scopeFilter(user) };
  // The school and cell were checked against the units in the user's scope (loadBoard),
  // so the narrower unit replaces the scope's: one `ancestors` equality, index-backed.
  const unit = query.cell ?? query.school;
  if (unit) filter.ancestors = oid(unit);
  if (query.overdue) filter['pipeline.due.at'] = mongoose.trusted({ $lt: todayAsStoredDay(now) });
  if (query.flagged) filter['pipeline.openFlags'] = mongoose.trusted({ $gt: 0 });
  return filter;
}

export type DueStatus = 'overdue' | 'due_soon' | 'upcoming';

export interface BoardCard {
  id: string;
  fullName: string;
  studentCode: string;
  school: string;
  stage: BoardLane;
  daysInStage: number | null;
  due: { kind: DeadlineKind; date: string; status: DueStatus; days: number } | null;
  nextActor: NextActor | null;
  openFlags: number;
  returnReason: string | null;
  /** Consent withdrawn on this date (ISO; '' when unreadable): the record is paused. */
  pausedSince: string | null;
  /** Rule conflicts no override covers (pipeline-conflicts.server.ts): the next step waits. */
  openConflicts: number;
}

interface CardRow {
  _id: Types.ObjectId;
  fullName: string;
  studentCode: string;
  schoolId: Types.ObjectId;
  pipeline?: {
    stage?: string;
    stageSince?: Date;
    due?: { at?: Date; kind?: string };
    openFlags?: number;
    returnReason?: string;
    openConflicts?: number;
  };
  consent?: ConsentRecord;
}

const CARD_PROJECTION = {
  fullName: 1,
  studentCode: 1,
  schoolId: 1,
  'pipeline.stage': 1,
  'pipeline.stageSince': 1,
  'pipeline.due': 1,
  'pipeline.openFlags': 1,
  'pipeline.returnReason': 1,
  'pipeline.openConflicts': 1,
  // Two dates, only on the few records that ever withdrew: the projection stays small.
  ...CONSENT_PAUSE_PROJECTION,
} as const;

function dueOf(row: CardRow, calendar: WorkingCalendar, today: number): BoardCard['due'] {
  const at = row.pipeline?.due?.at;
  const kind = row.pipeline?.due?.kind;
  if (!at || !(DEADLINE_KINDS as readonly string[]).includes(kind ?? '')) return null;
  const due = dayNumber(at);
  const date = isoDay(due);
  if (today > due) return { kind: kind as DeadlineKind, date, status: 'overdue', days: today - due };
  const left = calendar.workingDaysBetweenNumbers(today, due);
  return {
    kind: kind as DeadlineKind,
    date,
    status: left <= DUE_SOON_WORKING_DAYS ? 'due_soon' : 'upcoming',
    days: left,
  };
}

function toCard(row: CardRow, schools: Map<string, string>, calendar: WorkingCalendar, now: Date): BoardCard {
  const stage = (row.pipeline?.stage ?? 'outstanding') as BoardLane;
  const since = row.pipeline?.stageSince;
  return {
    id: String(row._id),
    fullName: row.fullName,
    studentCode: row.studentCode,
    school: schools.get(String(row.schoolId)) ?? '',
    stage,
    daysInStage: since ? Math.max(0, dayNumber(now) - dayNumber(since)) : null,
    due: dueOf(row, calendar, dayNumber(now)),
    nextActor: nextActor(stage),
    openFlags: row.pipeline?.openFlags ?? 0,
    returnReason: row.pipeline?.returnReason ?? null,
    pausedSince: pausedSince(row.consent),
    openConflicts: row.pipeline?.openConflicts ?? 0,
  };
}

/**
 * The most urgent cards of one lane: records with a next deadline by that date, then
 * (only if the page is not full) records with none, longest in the stage first.
 */
async function laneRows(
  filter: Record<string, unknown>,
  lane: BoardLane,
  skip: number,
  limit: number,
  withDue: number,
): Promise<CardRow[]> {
  const inLane = { ...filter, 'pipeline.stage': lane };
  const dated =
    skip < withDue
      ? await Member.find({
          ...inLane,
          'pipeline.due.at': mongoose.trusted({
            ...((filter['pipeline.due.at'] as object) ?? {}),
            $type: 'date',
          }),
        })
          .sort({ 'pipeline.due.at': 1, _id: 1 })
          .skip(skip)
          .limit(limit)
          .select(CARD_PROJECTION)
          .lean<CardRow[]>()
      : [];
  if (dated.length >= limit || filter['pipeline.due.at']) return dated;
  const undated = await Member.find({ ...inLane, 'pipeline.due.at': null })
    .sort({ 'pipeline.stageSince': 1, _id: 1 })
    .skip(Math.max(0, skip - withDue))
    .limit(limit - dated.length)
    .select(CARD_PROJECTION)
    .lean<CardRow[]>();
  return [...dated, ...undated];
}

/**
 * Records per stage and overdue records per lane: one count each, every one answered
 * from `{ 'pipeline.stage', ancestors, 'pipeline.due.at' }` without reading a record
 * (the embedded server's COUNT_SCAN: a posting's size, or a Date range of it). A
 * `$group` by stage would read all ~85,000 open records of a province twice.
 */
async function countByStage(filter: Record<string, unknown>, now: Date) {
  const dueAt = filter['pipeline.due.at'] as Record<string, unknown> | undefined;
  const overdueAt = mongoose.trusted({ ...(dueAt ?? {}), $lt: todayAsStoredDay(now) });
  const stages = [...BOARD_LANES, 'official'] as const;
  const [all, overdue] = await Promise.all([
    Promise.all(stages.map((stage) => Member.countDocuments({ ...filter, 'pipeline.stage': stage }))),
    Promise.all(
      BOARD_LANES.map((stage) =>
        Member.countDocuments({ ...filter, 'pipeline.stage': stage, 'pipeline.due.at': overdueAt }),
      ),
    ),
  ]);
  return {
    all: new Map<string, number>(stages.map((s, i) => [s, all[i]])),
    overdue: new Map<string, number>(BOARD_LANES.map((s, i) => [s, overdue[i]])),
  };
}

/** One lane's records that have a next deadline (for paging past them into the undated ones). */
function countDated(filter: Record<string, unknown>, lane: BoardLane): Promise<number> {
  const dueAt = filter['pipeline.due.at'] as Record<string, unknown> | undefined;
  return Member.countDocuments({
    ...filter,
    'pipeline.stage': lane,
    'pipeline.due.at': mongoose.trusted({ ...(dueAt ?? {}), $type: 'date' }),
  });
}

export interface BoardLaneView {
  stage: BoardLane;
  count: number;
  overdue: number;
  cards: BoardCard[];
}

export interface BoardFilters {
  schools: UnitOption[];
  cells: UnitOption[];
}

/**
 * The filter choices, and the query with any school or cell outside them dropped: a
 * school role has no school filter at all, a province role only its own schools, and a
 * cell must belong to the chosen school (or the user's). `boardFilter` relies on this.
 */
async function scopedChoices(
  user: AuthUser,
  raw: BoardQuery,
): Promise<{ query: BoardQuery; filters: BoardFilters }> {
  const wide = isProvinceWide(user);
  const schools = wide ? await unitsOf({ kind: 'school', ...unitScopeFilter(user) }) : [];
  const school = wide && schools.some((s) => s.id === raw.school) ? raw.school : undefined;
  const cells =
    school || !wide
      ? await unitsOf({
          kind: 'party_cell',
          ...(school ? { ancestors: oid(school) } : {}),
          ...unitScopeFilter(user),
        })
      : [];
  const cell = cells.some((c) => c.id === raw.cell) ? raw.cell : undefined;
  return { query: { ...raw, school, cell }, filters: { schools, cells } };
}

/** Everything `/pipeline` shows. */
export async function loadBoard(user: AuthUser, rawQuery: BoardQuery, now = new Date()) {
  const { query, filters } = await scopedChoices(user, rawQuery);
  const filter = boardFilter(user, query, now);
  const [counts, calendar] = await Promise.all([countByStage(filter, now), loadCalendar()]);
  const lanes = query.stage ? [query.stage] : BOARD_LANES;
  const size = query.stage ? PAGE_CARDS : LANE_CARDS;
  const skip = query.stage ? (query.page - 1) * PAGE_CARDS : 0;
  // On the overview every lane starts at 0, so the dated query always runs first.
  const withDue = query.stage && skip > 0 ? await countDated(filter, query.stage) : Infinity;
  const rows = await Promise.all(
    lanes.map((lane) =>
      (counts.all.get(lane) ?? 0) === 0 ? Promise.resolve([]) : laneRows(filter, lane, skip, size, withDue),
    ),
  );
  const schools = await unitNamesById(rows.flat().map((r) => String(r.schoolId)));
  const laneViews: BoardLaneView[] = lanes.map((stage, i) => ({
    stage,
    count: counts.all.get(stage) ?? 0,
    overdue: counts.overdue.get(stage) ?? 0,
    cards: rows[i].map((r) => toCard(r, schools, calendar, now)),
  }));
  const inFlight = BOARD_LANES.reduce((n, s) => n + (counts.all.get(s) ?? 0), 0);
  const overdue = BOARD_LANES.reduce((n, s) => n + (counts.overdue.get(s) ?? 0), 0);
  return {
    query,
    filters,
    lanes: laneViews,
    totals: { inFlight, overdue, official: counts.all.get('official') ?? 0 },
    pageCount: query.stage ? Math.max(1, Math.ceil((counts.all.get(query.stage) ?? 0) / PAGE_CARDS)) : 1,
    wide: isProvinceWide(user),
  };
}

/**
 * The member table's URL state, shared by the page, the export route and the
 * browser: `?page=2&size=50&sort=name.asc&q=nguyen&stage=dossier&cols=dob,gpa`.
 *
 * Every field falls back to its default on a bad value (`.catch`), so a typed or
 * stale URL always renders a page and never a 500. Only the names listed here are
 * read, each as a single string, so `q[$gt]=` or `stage[$ne]=x` are just unknown
 * names and never reach a query.
 *
 * Isomorphic on purpose (no models import): the value lists below mirror the
 * enums in models/member.ts and models/unit.ts.
 */
import { z } from 'zod';
import { calendarDay, schoolYearStart } from '~/domain/calendar';
import { GENDERS } from '~/domain/member-vocabulary';
import { ALL_STAGES, type Stage } from '~/domain/stages';
import { OBJECT_ID_PATTERN } from '~/domain/ids';

export const MEMBER_SORT_KEYS = ['name', 'dob', 'school', 'branch', 'gpa', 'stage', 'days'] as const;
export type MemberSortKey = (typeof MEMBER_SORT_KEYS)[number];
export type SortDir = 'asc' | 'desc';

export const PAGE_SIZES = [25, 50, 100] as const;
export const DEFAULT_PAGE_SIZE = 50;
export const DEFAULT_SORT = 'name.asc';

/** Columns the user can show or hide; the checkbox and the name are always shown. */
export const MEMBER_COLUMNS = [
  'studentCode',
  'dob',
  'gender',
  'school',
  'branch',
  'gpa',
  'rating',
  'eligible',
  'stage',
  'days',
] as const;
export type MemberColumn = (typeof MEMBER_COLUMNS)[number];
export const DEFAULT_COLUMNS: readonly MemberColumn[] = [
  'studentCode',
  'dob',
  'school',
  'branch',
  'gpa',
  'eligible',
  'stage',
  'days',
];

export const RATING_VALUES = ['excellent', 'good', 'complete', 'incomplete'] as const;
export const SCHOOL_KIND_FILTER_VALUES = ['university', 'college', 'high_school'] as const;
/** Stored verdict against the active selection set (docs/decisions/006-eligibility-storage.md). */
export const ELIGIBLE_VALUES = ['yes', 'no'] as const;

/** Bottlenecks: an open deadline passed, over 30 days in an open stage, a certificate running out within 6 months. */
// 'paused': consent withdrawn (app/utils/student/consent.server.ts), the dashboard's count of paused records.
// 'override': selected as đoàn viên ưu tú outside the criteria (pipeline.selectionOverride).
// 'conflict': an open rule conflict of a recorded step (pipeline-conflicts.server.ts).
export const DUE_FILTER_VALUES = ['overdue', 'stuck', 'certSoon', 'paused', 'override', 'conflict'] as const;
/** 'pipeline': outstanding member to official; 'open': a stage someone must act on. */
export const STAGE_GROUP_VALUES = ['pipeline', 'open'] as const;
export const STUCK_DAYS = 30;
export const CERT_SOON_DAYS = 183;

const objectId = z.string().regex(OBJECT_ID_PATTERN);
const yearParam = z.coerce.number().int().min(2000).max(2100).optional().catch(undefined);
const SORT_PATTERN = new RegExp(`^(${MEMBER_SORT_KEYS.join('|')})\\.(asc|desc)$`);

export const MemberListQuerySchema = z.object({
  page: z.coerce.number().int().min(1).max(100_000).catch(1),
  size: z.coerce
    .number()
    .refine((n) => (PAGE_SIZES as readonly number[]).includes(n))
    .catch(DEFAULT_PAGE_SIZE),
  sort: z.string().regex(SORT_PATTERN).catch(DEFAULT_SORT),
  q: z.string().trim().max(100).catch(''),
  stage: z.enum(ALL_STAGES).optional().catch(undefined),
  school: objectId.optional().catch(undefined),
  schoolKind: z.enum(SCHOOL_KIND_FILTER_VALUES).optional().catch(undefined),
  branch: objectId.optional().catch(undefined),
  rating: z.enum(RATING_VALUES).optional().catch(undefined),
  gender: z.enum(GENDERS).optional().catch(undefined),
  eligible: z.enum(ELIGIBLE_VALUES).optional().catch(undefined),
  year: z
    .string()
    .regex(/^\d{4}-\d{4}$/)
    .optional()
    .catch(undefined),
  // Drill-down filters from the dashboard (/reports): each figure links here with them.
  due: z.enum(DUE_FILTER_VALUES).optional().catch(undefined),
  group: z.enum(STAGE_GROUP_VALUES).optional().catch(undefined),
  selected: yearParam,
  admitted: yearParam,
  official: yearParam,
  // Sensitive (app/domain/sensitive-data.ts): refused to roles that may not reveal them.
  ethnicity: z.string().trim().min(1).max(50).optional().catch(undefined),
  religion: z.string().trim().min(1).max(50).optional().catch(undefined),
  // Absent: the default set. Present (even empty): exactly the listed known columns.
  cols: z
    .string()
    .max(500)
    .transform((s) => {
      const wanted = new Set(s.split(',').map((c) => c.trim()));
      return MEMBER_COLUMNS.filter((c) => wanted.has(c));
    })
    .optional()
    .catch(undefined),
});
export type MemberListQuery = z.infer<typeof MemberListQuerySchema>;

export const FILTER_PARAMS = [
  'q',
  'stage',
  'school',
  'schoolKind',
  'branch',
  'rating',
  'gender',
  'eligible',
  'year',
] as const;
/** Set only by links from the dashboard; kept when the other filters change. */
export const DRILL_PARAMS = [
  'due',
  'group',
  'selected',
  'admitted',
  'official',
  'ethnicity',
  'religion',
] as const;
const SCALAR_PARAMS = ['page', 'size', 'sort', ...FILTER_PARAMS, ...DRILL_PARAMS] as const;

/** Reads only the known names, first value each; `cols` may also come as repeated checkboxes. */
export function parseMemberListQuery(params: URLSearchParams): MemberListQuery {
  const raw: Record<string, string | undefined> = {};
  for (const name of SCALAR_PARAMS) raw[name] = params.get(name) ?? undefined;
  if (params.has('cols')) raw.cols = params.getAll('cols').join(',');
  return MemberListQuerySchema.parse(raw);
}

export function sortOf(query: Pick<MemberListQuery, 'sort'>): { key: MemberSortKey; dir: SortDir } {
  const [key, dir] = query.sort.split('.') as [MemberSortKey, SortDir];
  return { key, dir };
}

/** Defaults: a school's own users do not need a column that repeats their school on every row. */
export function visibleColumns(
  query: Pick<MemberListQuery, 'cols'>,
  provinceWide = true,
): readonly MemberColumn[] {
  return query.cols ?? (provinceWide ? DEFAULT_COLUMNS : DEFAULT_COLUMNS.filter((c) => c !== 'school'));
}

/**
 * The school year whose Union ratings are the latest: ratings are given at the end
 * of a school year (May), so from June on it is the year just ending.
 */
export function latestRatingYear(now = new Date()): string {
  // Today's date in Vietnam: at 00:30 on 1 June there it is still 31 May in UTC.
  const { y, m } = calendarDay(now)!;
  const start = m >= 6 ? y - 1 : y - 2;
  return `${start}-${start + 1}`;
}

/** The current school year (September to August) and the five before it, newest first. */
export function recentSchoolYears(now = new Date(), count = 6): string[] {
  const start = schoolYearStart(calendarDay(now)!);
  return Array.from({ length: count }, (_, i) => `${start - i}-${start - i + 1}`);
}

/**
 * The query string of a table state, dropping defaults so bookmarks stay short.
 * `overrides` with `undefined` removes a name.
 */
export function tableSearch(current: URLSearchParams, overrides: Record<string, string | undefined>): string {
  const next = new URLSearchParams(current);
  next.delete('ok');
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined || v === '') next.delete(k);
    else next.set(k, v);
  }
  if (next.get('page') === '1') next.delete('page');
  if (next.get('size') === String(DEFAULT_PAGE_SIZE)) next.delete('size');
  if (next.get('sort') === DEFAULT_SORT) next.delete('sort');
  const s = next.toString();
  return s ? `?${s}` : '?';
}

/**
 * A link to the member table filtered as given (a drill-down from a count): the
 * reports and the home pages use it; the table keeps the user's scope itself.
 */
export function memberListHref(filters: Record<string, string | number | null | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(filters))
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  return `/members?${q}`;
}

/** A row of the table as the loader sends it (dates are ISO strings). */
export interface MemberTableRow {
  id: string;
  fullName: string;
  studentCode: string;
  dateOfBirth: string | null;
  gender: string | null;
  school: string;
  branch: string;
  gpa: number | null;
  gpaScale: number | null;
  rating: string | null;
  eligible: boolean | null;
  stage: Stage | null;
  daysInStage: number | null;
  /** Open rule conflicts of recorded steps: the marker beside the name. */
  openConflicts: number;
}

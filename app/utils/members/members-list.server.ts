/**
 * The member table (`/members`) and its export: one scoped filter built from the
 * URL state, one page query and one count run in parallel, unit names resolved
 * with a single `$in` query. The scope is part of the filter, so an out-of-scope
 * school or branch in the URL just matches nothing.
 *
 * Sorts on stored fields (name key, birth date, stage start) are plain `find`s.
 * School and branch (by name) and stage (in pipeline order) are read bucket by
 * bucket (see bucketPage). Latest-term GPA sorts on the stored `latestGpa10`.
 */
import mongoose, { Types } from 'mongoose';
import { Member } from '../../../models/member';
import { Unit } from '../../../models/unit';
import { DAY_MS, dayNumber, dayToDate } from '~/domain/calendar';
import { ALL_STAGES, OPEN_STAGES, PIPELINE_STAGES, PRE_VOTE_STAGES, type Stage } from '~/domain/stages';
import { latestGradedTerm } from '~/domain/latest-gpa';
import { compareVietnamese, searchKey } from '~/domain/text';
import { appendAudit } from '../audit/audit.server';
import type { AuthUser } from '../auth/auth.server';
import { consentWithdrawnFilter } from '../student/consent.server';
import { ensureEligibility } from '../criteria/eligibility.server';
import { can } from '~/domain/permissions';
import { scopeFilter, unitScopeFilter } from '../auth/permissions.server';
import {
  CERT_SOON_DAYS,
  STUCK_DAYS,
  latestRatingYear,
  recentSchoolYears,
  sortOf,
  type MemberListQuery,
  type MemberSortKey,
  type MemberTableRow,
} from './members-query';
import { isObjectId } from '~/domain/ids';

const oid = (id: string) => new Types.ObjectId(id);

export function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Roles whose scope is the whole province (or everything): they get the school filter. */
export function isProvinceWide(user: Pick<AuthUser, 'role'>): boolean {
  return user.role === 'admin' || user.role === 'province_union';
}

/**
 * The query filter for the table state. `ids` narrows to selected rows (export).
 * Every operator object is wrapped in `mongoose.trusted`: sanitizeFilter is on.
 */
export function memberListFilter(
  user: Pick<AuthUser, 'role' | 'unitId' | 'memberId'>,
  query: MemberListQuery,
  options: { ids?: string[]; now?: Date } = {},
): Record<string, unknown> {
  const filter: Record<string, unknown> = { ...scopeFilter(user) };
  if (query.school) filter.schoolId = oid(query.school);
  if (query.branch) filter.branchId = oid(query.branch);
  if (query.stage) filter['pipeline.stage'] = query.stage;
  if (query.schoolKind) filter.schoolKind = query.schoolKind;
  if (query.gender) filter.gender = query.gender;
  if (query.year) filter.schoolYear = query.year;
  // Members without an active set (eligible: null) match neither yes nor no.
  if (query.eligible) filter['eligibility.eligible'] = query.eligible === 'yes';
  if (query.rating) {
    filter.unionRatings = mongoose.trusted({
      $elemMatch: { year: latestRatingYear(options.now), level: query.rating },
    });
  }
  Object.assign(
    filter,
    drillFilter(user, query, options.now ?? new Date(), filter['pipeline.stage'] !== undefined),
  );
  const needle = searchKey(query.q);
  // Word-prefix match on the diacritic-free key ("nguyen thi", "anh", "sv0012").
  if (needle) filter.searchKey = mongoose.trusted({ $regex: `(?:^| )${escapeRegex(needle)}` });
  if (options.ids) {
    const ids = options.ids.filter((id) => isObjectId(id)).map(oid);
    // Still ANDed with the scope above: a forged id of another school matches nothing.
    filter._id = mongoose.trusted({ $in: ids });
  }
  return filter;
}

const IN_PIPELINE_STAGES = PIPELINE_STAGES.filter((s) => s !== 'member');
/** UTC midnight of a calendar year's first day in Vietnam, as the pipeline stores days. */
const yearStart = (year: number) => new Date(Date.UTC(year, 0, 1));

/**
 * The dashboard's drill-down filters (`due`, `group`, `selected`, `admitted`, `official`,
 * `ethnicity`, and `religion`): the dashboard counts with exactly these (app/utils/reports/reports.server.ts), so a
 * figure and the table it links to always agree. `stageSet` says the caller already fixed
 * the stage; the groups then leave it alone.
 */
export function drillFilter(
  user: Pick<AuthUser, 'role'>,
  query: Pick<
    MemberListQuery,
    'due' | 'group' | 'selected' | 'admitted' | 'official' | 'ethnicity' | 'religion'
  >,
  now: Date,
  stageSet = false,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const stageIn = (stages: readonly string[]) => {
    if (!stageSet) out['pipeline.stage'] = mongoose.trusted({ $in: [...stages] });
  };
  const today = dayToDate(dayNumber(now));
  if (query.group) stageIn(query.group === 'open' ? OPEN_STAGES : IN_PIPELINE_STAGES);
  if (query.due === 'overdue') out['pipeline.due.at'] = mongoose.trusted({ $lt: today });
  if (query.due === 'stuck') {
    stageIn(OPEN_STAGES);
    out['pipeline.stageSince'] = mongoose.trusted({ $lt: new Date(today.getTime() - STUCK_DAYS * DAY_MS) });
  }
  if (query.due === 'paused') {
    stageIn(OPEN_STAGES);
    Object.assign(out, consentWithdrawnFilter());
  }
  if (query.due === 'conflict') {
    // The same rule as the dashboard's count: open conflicts, kept by every write (derived).
    stageIn(IN_PIPELINE_STAGES);
    out['pipeline.openConflicts'] = mongoose.trusted({ $gt: 0 });
  }
  if (query.due === 'override') {
    stageIn(IN_PIPELINE_STAGES);
    out['pipeline.selectionOverride.at'] = mongoose.trusted({ $type: 'date' });
  }
  if (query.due === 'certSoon') {
    stageIn(PRE_VOTE_STAGES);
    out['pipeline.certificate.expiresAt'] = mongoose.trusted({
      $gte: today,
      $lt: new Date(today.getTime() + CERT_SOON_DAYS * DAY_MS),
    });
  }
  const inYear = (year: number) => mongoose.trusted({ $gte: yearStart(year), $lt: yearStart(year + 1) });
  if (query.selected) out['pipeline.unionResolution.date'] = inYear(query.selected);
  if (query.admitted) out['pipeline.decision.date'] = inYear(query.admitted);
  if (query.official) out['pipeline.officialDate'] = inYear(query.official);
  // Sensitive (Law 91/2025): the routes refuse these filters to roles that may not read
  // them (sensitive-access.server.ts); here they are dropped for such a role all the same.
  if (can(user.role, 'sensitive:read')) {
    if (query.ethnicity) out.ethnicity = query.ethnicity;
    if (query.religion) out.religion = query.religion;
  }
  return out;
}

/** `find` sorts for keys held by the document; null for keys computed in an aggregation. */
export function findSort(key: MemberSortKey, dir: 'asc' | 'desc'): Record<string, 1 | -1> | null {
  const d = dir === 'asc' ? 1 : -1;
  switch (key) {
    case 'name':
      return { nameSortKey: d, _id: 1 };
    case 'dob':
      return { dateOfBirth: d, nameSortKey: 1, _id: 1 };
    case 'days':
      // More days in the stage = an earlier start.
      return { 'pipeline.stageSince': d === 1 ? -1 : 1, nameSortKey: 1, _id: 1 };
    case 'gpa':
      // Stored beside the terms (app/domain/latest-gpa.ts), so 4- and 10-point schools
      // compare by rank; members without a graded term sort as null, as in MongoDB.
      return { latestGpa10: d, nameSortKey: 1, _id: 1 };
    default:
      return null;
  }
}

export const ROW_PROJECTION = {
  fullName: 1,
  studentCode: 1,
  dateOfBirth: 1,
  gender: 1,
  schoolId: 1,
  branchId: 1,
  'pipeline.stage': 1,
  'pipeline.stageSince': 1,
  unionRatings: 1,
  'academicTerms.year': 1,
  'academicTerms.term': 1,
  'academicTerms.scale': 1,
  'academicTerms.gpa': 1,
  'eligibility.eligible': 1,
  'pipeline.openConflicts': 1,
} as const;

interface LeanRow {
  _id: Types.ObjectId;
  fullName: string;
  studentCode: string;
  dateOfBirth?: Date;
  gender?: string;
  schoolId?: Types.ObjectId;
  branchId?: Types.ObjectId;
  pipeline?: { stage?: string; stageSince?: Date; openConflicts?: number };
  unionRatings?: { year: string; level: string }[];
  academicTerms?: { year: string; term: number; scale: number; gpa?: number }[];
  eligibility?: { eligible?: boolean | null };
}

export interface UnitOption {
  id: string;
  name: string;
  active: boolean;
}

/*
 * A small cache of unit lists and names. Units change a few times a year and a
 * province has hundreds, not millions; every list request would otherwise spend
 * two or three extra queries on them. A renamed or new unit shows within 30 s.
 */
const UNIT_CACHE_MS = 30_000;
const unitListCache = new Map<string, { at: number; value: Promise<UnitOption[]> }>();
const unitNameCache = new Map<string, { at: number; name: string }>();

export function unitsOf(filter: Record<string, unknown>): Promise<UnitOption[]> {
  const key = JSON.stringify(filter);
  const hit = unitListCache.get(key);
  if (hit && Date.now() - hit.at < UNIT_CACHE_MS) return hit.value;
  if (unitListCache.size > 500) unitListCache.clear();
  const value = Unit.find(filter)
    .select({ name: 1, active: 1 })
    .lean()
    .then((units) => {
      const list = units
        .map((u) => ({ id: String(u._id), name: u.name, active: u.active }))
        .sort((a, b) => Number(b.active) - Number(a.active) || compareVietnamese(a.name, b.name));
      for (const u of list) unitNameCache.set(u.id, { at: Date.now(), name: u.name });
      return list;
    });
  // A failed query must not stay cached.
  value.catch(() => unitListCache.delete(key));
  unitListCache.set(key, { at: Date.now(), value });
  return value;
}

/** Names of units by id: cached ones, the rest with one `$in` query. */
export async function unitNamesById(ids: Iterable<string>): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  const missing: string[] = [];
  for (const id of new Set(ids)) {
    const hit = unitNameCache.get(id);
    if (hit && Date.now() - hit.at < UNIT_CACHE_MS) names.set(id, hit.name);
    else missing.push(id);
  }
  if (missing.length) {
    if (unitNameCache.size > 5_000) unitNameCache.clear();
    const units = await Unit.find({ _id: mongoose.trusted({ $in: missing.map(oid) }) })
      .select({ name: 1 })
      .lean();
    for (const u of units) {
      names.set(String(u._id), u.name);
      unitNameCache.set(String(u._id), { at: Date.now(), name: u.name });
    }
  }
  return names;
}

/** Schools (province roles) and branches (of the chosen school, or of the user's own scope) for the filters. */
export async function filterOptions(user: AuthUser, query: MemberListQuery) {
  const wide = isProvinceWide(user);
  const [schools, branches] = await Promise.all([
    wide ? unitsOf({ kind: 'school', ...unitScopeFilter(user) }) : Promise.resolve([]),
    query.school
      ? unitsOf({ kind: 'branch', ancestors: oid(query.school), ...unitScopeFilter(user) })
      : wide
        ? Promise.resolve([])
        : unitsOf({ kind: 'branch', ...unitScopeFilter(user) }),
  ]);
  return { schools, branches, years: recentSchoolYears(), ratingYear: latestRatingYear() };
}

/**
 * One page of the table. `options` are the filter choices already loaded: their
 * names serve the rows too, so most pages need no unit lookup at all.
 */
export async function listMembers(
  user: AuthUser,
  query: MemberListQuery,
  known: { schools: UnitOption[]; branches: UnitOption[] },
  now = new Date(),
) {
  // A branch outside the chosen school (or the scope) would silently empty the table: drop it.
  if (
    query.branch &&
    (query.school || !isProvinceWide(user)) &&
    !known.branches.some((b) => b.id === query.branch)
  ) {
    query = { ...query, branch: undefined };
  }
  // Stored verdicts of the scope brought up to date first (waits only after an activation
  // or on the day's first request; otherwise refreshes in the background).
  await ensureEligibility(scopeFilter(user), now);
  const filter = memberListFilter(user, query, { now });
  const { key, dir } = sortOf(query);
  const skip = (query.page - 1) * query.size;

  let { rows, rowCount } = await pageQuery(filter, key, dir, skip, query.size);

  // Past the last page (a stale bookmark): show the last page instead of an empty one.
  const pages = Math.max(1, Math.ceil(rowCount / query.size));
  let page = query.page;
  if (page > pages) {
    page = pages;
    ({ rows, rowCount } = await pageQuery(filter, key, dir, (page - 1) * query.size, query.size));
  }

  const names = await unitNamesById(
    rows.flatMap((r) => [r.schoolId, r.branchId]).flatMap((id) => (id ? [String(id)] : [])),
  );

  const ratingYear = latestRatingYear(now);
  return {
    query,
    rowCount,
    page,
    pages,
    rows: rows.map((r): MemberTableRow => {
      const term = latestGradedTerm(r.academicTerms);
      const since = r.pipeline?.stageSince;
      return {
        id: String(r._id),
        fullName: r.fullName,
        studentCode: r.studentCode,
        dateOfBirth: r.dateOfBirth ? r.dateOfBirth.toISOString() : null,
        gender: r.gender ?? null,
        school: r.schoolId ? (names.get(String(r.schoolId)) ?? '') : '',
        branch: r.branchId ? (names.get(String(r.branchId)) ?? '') : '',
        gpa: term?.gpa ?? null,
        gpaScale: term?.scale ?? null,
        rating: r.unionRatings?.find((x) => x.year === ratingYear)?.level ?? null,
        eligible: typeof r.eligibility?.eligible === 'boolean' ? r.eligibility.eligible : null,
        stage: (r.pipeline?.stage as Stage | undefined) ?? null,
        daysInStage: since ? Math.max(0, dayNumber(now) - dayNumber(since)) : null,
        openConflicts: r.pipeline?.openConflicts ?? 0,
      };
    }),
  };
}

/**
 * One page and the total. Stored sort keys: `find` + `countDocuments` in parallel.
 * Stage, school and branch: see bucketPage.
 */
async function pageQuery(
  filter: Record<string, unknown>,
  key: MemberSortKey,
  dir: 'asc' | 'desc',
  skip: number,
  limit: number,
): Promise<{ rows: LeanRow[]; rowCount: number }> {
  const sort = findSort(key, dir);
  let rows: Promise<LeanRow[]>;
  if (sort) {
    rows = Member.find(filter).select(ROW_PROJECTION).sort(sort).skip(skip).limit(limit).lean<LeanRow[]>();
  } else {
    return bucketPage(
      filter,
      key === 'stage' ? 'pipeline.stage' : key === 'school' ? 'schoolId' : 'branchId',
      dir,
      skip,
      limit,
    );
  }
  const [page, rowCount] = await Promise.all([rows, Member.countDocuments(filter)]);
  return { rows: page, rowCount };
}

/**
 * Sorting by a field with few distinct values (stage, school, branch) whose order
 * is not the stored value's order (pipeline order, unit names). One `$group`
 * counts the matches per value (and so gives the total); the page is then read
 * from the one or two buckets it falls in, each a plain indexed `find` in name
 * order. No per-document sort key, so it stays fast on the whole province.
 */
async function bucketPage(
  filter: Record<string, unknown>,
  field: 'pipeline.stage' | 'schoolId' | 'branchId',
  dir: 'asc' | 'desc',
  skip: number,
  limit: number,
): Promise<{ rows: LeanRow[]; rowCount: number }> {
  const groups = await Member.aggregate<{ _id: unknown; n: number }>([
    { $match: filter },
    { $group: { _id: `$${field}`, n: { $sum: 1 } } },
  ]);
  const label = new Map<string, string>();
  if (field === 'pipeline.stage') {
    ALL_STAGES.forEach((stage, i) => label.set(stage, String(i).padStart(3, '0')));
  } else {
    const ids = groups.flatMap((g) => (g._id instanceof Types.ObjectId ? [String(g._id)] : []));
    for (const [id, name] of await unitNamesById(ids)) label.set(id, name);
  }
  // Members without a value (or with an unknown one) come last in ascending order.
  const rank = (g: { _id: unknown }) => (g._id == null ? null : (label.get(String(g._id)) ?? null));
  const buckets = [...groups].sort((a, b) => {
    const x = rank(a);
    const y = rank(b);
    if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
    return (
      (field === 'pipeline.stage' ? x.localeCompare(y) : compareVietnamese(x, y)) ||
      String(a._id).localeCompare(String(b._id))
    );
  });
  if (dir === 'desc') buckets.reverse();

  const rowCount = groups.reduce((sum, g) => sum + g.n, 0);
  const rows: LeanRow[] = [];
  let offset = skip;
  for (const bucket of buckets) {
    if (rows.length >= limit) break;
    if (offset >= bucket.n) {
      offset -= bucket.n;
      continue;
    }
    const take = Math.min(limit - rows.length, bucket.n - offset);
    rows.push(
      ...(await Member.find({ ...filter, [field]: bucket._id ?? null })
        .select(ROW_PROJECTION)
        .sort({ nameSortKey: 1, _id: 1 })
        .skip(offset)
        .limit(take)
        .lean<LeanRow[]>()),
    );
    offset = 0;
  }
  return { rows, rowCount };
}

/**
 * How many records an export of `filter` writes: the matches less those paused because
 * consent was withdrawn (the export leaves them out). Two counts, so the size of a
 * sensitive group is judged on the rows the file will really hold.
 */
export async function countExported(filter: Record<string, unknown>): Promise<number> {
  const [all, paused] = await Promise.all([
    Member.countDocuments(filter),
    Member.countDocuments({ ...filter, ...consentWithdrawnFilter() }),
  ]);
  return all - paused;
}

/** Law 91/2025: every read of sensitive fields leaves a trace (who, when, which view). */
export async function auditSensitiveExport(
  user: Pick<AuthUser, 'id' | 'unitId'>,
  details: Record<string, unknown>,
) {
  await appendAudit({
    actorId: user.id,
    action: 'member.export.sensitive',
    entity: 'Member',
    unitId: new Types.ObjectId(user.unitId),
    details,
  });
}

/**
 * The review dashboard (`/reports`): funnel, per-school table, trends by year,
 * breakdowns and bottlenecks for the user's scope (the province, or one school).
 *
 * One read: every record in the admission pipeline (stage other than 'member') with a
 * small projection, then one pass in memory; plus the count of plain members and the
 * year's targets. At 50,000 members that is ~21,000 small documents, far cheaper on the
 * embedded server than a dozen `$group`s that would each test every document again.
 *
 * Every figure uses the same definitions as the member table's drill-down filters
 * (`drillFilter` in members-list.server.ts), and links to the table filtered by them;
 * tests compare each figure with `countDocuments` of that filter.
 */
import mongoose, { Types } from 'mongoose';
import { z } from 'zod';
import { Member } from '../../../models/member';
import { Target } from '../../../models/target';
import { Unit } from '../../../models/unit';
import { DAY_MS, dayNumber, dayToDate, vietnamDay, vietnamYear } from '~/domain/calendar';
import {
  OPEN_STAGES,
  PIPELINE_STAGES,
  PRE_VOTE_STAGES,
  STAGE_LABELS,
  isExitStage,
  type Stage,
} from '~/domain/stages';
import { compareVietnamese } from '~/domain/text';
import type { Locale, MessageKey, TFunction } from '~/i18n';
import { SMALL_GROUP_UNDER } from '~/domain/sensitive-data';
import type { AuthUser } from '../auth/auth.server';
import { CONSENT_WITHDRAWN_EXPR } from '../student/consent.server';
import { lastMemberWriteAt } from '../criteria/eligibility.server';
import { isProvinceWide, unitsOf, type UnitOption } from '../members/members-list.server';
import { CERT_SOON_DAYS, memberListHref, STUCK_DAYS } from '../members/members-query';
import { can } from '~/domain/permissions';
import { scopeFilter, unitScopeFilter } from '../auth/permissions.server';
import type { ReportCell, ReportTable } from './report-tables';
import { OBJECT_ID_PATTERN } from '~/domain/ids';

const TREND_YEARS = 5;
/** Breakdown cells (ethnicity) under this many people are hidden: small groups identify people. */
export const SUPPRESS_UNDER = SMALL_GROUP_UNDER;
const BOTTLENECK_LIST = 10;
const PRE_VOTE = new Set<string>(PRE_VOTE_STAGES);
const OPEN = new Set<string>(OPEN_STAGES);
/** From outstanding member to official: "in the pipeline" for the breakdowns. */
const FORWARD = PIPELINE_STAGES.filter((s) => s !== 'member');

const objectId = z.string().regex(OBJECT_ID_PATTERN);

export const DashboardQuerySchema = z.object({
  year: z.coerce.number().int().min(2000).max(2100).optional().catch(undefined),
  school: objectId.optional().catch(undefined),
});
export type DashboardQuery = z.infer<typeof DashboardQuerySchema>;

export function parseDashboardQuery(params: URLSearchParams): DashboardQuery {
  return DashboardQuerySchema.parse({
    year: params.get('year') ?? undefined,
    school: params.get('school') || undefined,
  });
}

interface Row {
  schoolId: Types.ObjectId;
  schoolKind?: string;
  gender?: string;
  ethnicity?: string;
  pipeline?: {
    stage?: string;
    stageSince?: Date;
    due?: { at?: Date };
    decision?: { date?: Date };
    officialDate?: Date;
    unionResolution?: { date?: Date };
    certificate?: { expiresAt?: Date };
  };
  fullName: string;
  _id: Types.ObjectId;
}

export interface SchoolRow {
  id: string;
  name: string;
  counts: Partial<Record<Stage, number>>;
  open: number;
  overdue: number;
  medianDays: number | null;
  admitted: number;
  target: number | null;
  /** Selected outside the criteria ("chọn ngoài tiêu chí"). */
  overrides: number;
}

export interface Bottleneck {
  /**
   * 'paused': consent withdrawn (counted, never named: the record is paused). 'override':
   * selected as đoàn viên ưu tú outside the criteria, with a written reason (selection.ts).
   * 'conflict': an open rule conflict of a recorded step (pipeline-conflicts.server.ts).
   */
  kind: 'stuck' | 'overdue' | 'certSoon' | 'paused' | 'override' | 'conflict';
  count: number;
  items: { id: string; fullName: string; school: string; date: string | null; days: number | null }[];
}

export type BreakdownKey = 'schoolKind' | 'gender' | 'ethnicity';
export interface BreakdownRow {
  value: string;
  open: number | null;
  admitted: number | null;
  official: number | null;
}

function median(values: number[]): number | null {
  if (!values.length) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : Math.round((s[mid - 1] + s[mid]) / 2);
}

/** The scope's filter, narrowed to a school a province role picked (checked against its schools). */
async function scopeOf(user: AuthUser, query: DashboardQuery) {
  const wide = isProvinceWide(user);
  const schools: UnitOption[] = await unitsOf({ kind: 'school', ...unitScopeFilter(user) });
  const school =
    wide && query.school && schools.some((s) => s.id === query.school) ? query.school : undefined;
  const filter: Record<string, unknown> = { ...scopeFilter(user) };
  if (school) filter.ancestors = new Types.ObjectId(school);
  return { wide, schools: school ? schools.filter((s) => s.id === school) : schools, school, filter };
}

/** One group of the dashboard's `$group`: school × stage × gender × kind (× ethnicity). */
interface Group {
  _id: { s: Types.ObjectId; st: string; g?: string; k?: string; e?: string };
  n: number;
  overdue: number;
  stuckish: number;
  certSoon: number;
  paused: number;
  override: number;
  conflict: number;
  days: Date[];
  [yearly: string]: unknown;
}

const isDate = (path: string) => ({ $eq: [{ $type: path }, 'date'] });
const countIf = (cond: unknown) => ({ $sum: { $cond: [cond, 1, 0] } });
const dateBetween = (path: string, from: Date, to: Date) => ({
  $and: [isDate(path), { $gte: [path, from] }, { $lt: [path, to] }],
});
const yearStartUtc = (y: number) => new Date(Date.UTC(y, 0, 1));

async function computeDashboard(user: AuthUser, query: DashboardQuery, now: Date) {
  const year = query.year ?? vietnamYear(now);
  const { wide, schools, school, filter } = await scopeOf(user, query);
  const sensitive = can(user.role, 'sensitive:read');
  const today = dayToDate(dayNumber(now));
  const stuckBefore = new Date(today.getTime() - STUCK_DAYS * DAY_MS);
  const certUntil = new Date(today.getTime() + CERT_SOON_DAYS * DAY_MS);
  const firstYear = year - TREND_YEARS + 1;
  const trendYears = Array.from({ length: TREND_YEARS }, (_, i) => firstYear + i);

  // Everything counted on the server in one pass over the pipeline's records: the
  // embedded server groups in place, where shipping ~21,000 documents to the app would
  // cost seconds. Yearly figures are one accumulator per year and kind.
  const yearly: Record<string, unknown> = {};
  for (const y of trendYears) {
    yearly[`sel${y}`] = countIf(
      dateBetween('$pipeline.unionResolution.date', yearStartUtc(y), yearStartUtc(y + 1)),
    );
    yearly[`adm${y}`] = countIf(dateBetween('$pipeline.decision.date', yearStartUtc(y), yearStartUtc(y + 1)));
    yearly[`off${y}`] = countIf(dateBetween('$pipeline.officialDate', yearStartUtc(y), yearStartUtc(y + 1)));
  }
  yearly.admYear = countIf(
    dateBetween('$pipeline.decision.date', yearStartUtc(year), yearStartUtc(year + 1)),
  );
  const groupId: Record<string, string> = {
    s: '$schoolId',
    st: '$pipeline.stage',
    g: '$gender',
    k: '$schoolKind',
  };
  if (sensitive) groupId.e = '$ethnicity';
  const inPipeline = mongoose.trusted({ $ne: 'member' });
  const [groups, plainMembers, targets, lists] = await Promise.all([
    Member.aggregate<Group>([
      { $match: { ...filter, 'pipeline.stage': inPipeline } },
      {
        $group: {
          _id: groupId,
          n: { $sum: 1 },
          overdue: countIf({ $and: [isDate('$pipeline.due.at'), { $lt: ['$pipeline.due.at', today] }] }),
          stuckish: countIf({
            $and: [isDate('$pipeline.stageSince'), { $lt: ['$pipeline.stageSince', stuckBefore] }],
          }),
          certSoon: countIf(dateBetween('$pipeline.certificate.expiresAt', today, certUntil)),
          paused: countIf(CONSENT_WITHDRAWN_EXPR),
          override: countIf(isDate('$pipeline.selectionOverride.at')),
          // Derived, kept by every write that can change it (pipeline-conflicts.server.ts): one more sum.
          conflict: countIf({ $gt: ['$pipeline.openConflicts', 0] }),
          days: { $push: '$pipeline.stageSince' },
          ...yearly,
        },
      },
    ]),
    Member.countDocuments({ ...filter, 'pipeline.stage': 'member' }),
    Target.find({ unitId: mongoose.trusted({ $in: schools.map((x) => new Types.ObjectId(x.id)) }), year })
      .select({ unitId: 1, admissions: 1 })
      .lean(),
    bottleneckLists(filter, today, stuckBefore, certUntil),
  ]);

  const schoolName = new Map(schools.map((x) => [x.id, x.name]));
  const bySchool = new Map<string, SchoolRow & { days: number[] }>();
  for (const x of schools) {
    bySchool.set(x.id, {
      id: x.id,
      name: x.name,
      counts: {},
      open: 0,
      overdue: 0,
      medianDays: null,
      admitted: 0,
      target: null,
      overrides: 0,
      days: [],
    });
  }
  for (const t of targets) {
    const row = bySchool.get(String(t.unitId));
    if (row) row.target = t.admissions;
  }
  const stageCounts: Partial<Record<Stage, number>> = { member: plainMembers };
  const exits: Partial<Record<Stage, number>> = {};
  const trends = trendYears.map((y) => ({ year: y, selected: 0, admitted: 0, official: 0 }));
  const breakdowns: Record<
    BreakdownKey,
    Map<string, { open: number; admitted: number; official: number }>
  > = {
    schoolKind: new Map(),
    gender: new Map(),
    ethnicity: new Map(),
  };
  const counts = { stuck: 0, overdue: 0, certSoon: 0, paused: 0, override: 0, conflict: 0 };

  for (const g of groups) {
    const stage = g._id.st as Stage;
    const isOpen = OPEN.has(stage);
    const admitted = Number(g.admYear);
    stageCounts[stage] = (stageCounts[stage] ?? 0) + g.n;
    if (isExitStage(stage)) exits[stage] = (exits[stage] ?? 0) + g.n;
    counts.overdue += g.overdue;
    if (isOpen) counts.stuck += g.stuckish;
    if (isOpen) counts.paused += g.paused;
    counts.override += g.override;
    counts.conflict += g.conflict;
    if (PRE_VOTE.has(stage)) counts.certSoon += g.certSoon;
    const row = bySchool.get(String(g._id.s));
    if (row) {
      row.counts[stage] = (row.counts[stage] ?? 0) + g.n;
      row.overdue += g.overdue;
      row.admitted += admitted;
      row.overrides += g.override;
      if (isOpen) {
        row.open += g.n;
        for (const d of g.days) {
          if (d instanceof Date)
            row.days.push(Math.max(0, Math.floor((now.getTime() - d.getTime()) / DAY_MS)));
        }
      }
    }
    for (const t of trends) {
      t.selected += Number(g[`sel${t.year}`]);
      t.admitted += Number(g[`adm${t.year}`]);
      t.official += Number(g[`off${t.year}`]);
    }
    const keys: [BreakdownKey, string | undefined][] = [
      ['schoolKind', g._id.k],
      ['gender', g._id.g],
      ['ethnicity', sensitive ? g._id.e : undefined],
    ];
    for (const [key, value] of keys) {
      if (!value) continue;
      const m = breakdowns[key];
      const cell = m.get(value) ?? { open: 0, admitted: 0, official: 0 };
      if (isOpen) cell.open += g.n;
      cell.admitted += admitted;
      if (stage === 'official') cell.official += g.n;
      m.set(value, cell);
    }
  }

  // Funnel: how many are at each forward stage or beyond it now (exits leave the funnel).
  let beyond = 0;
  const funnel = [...PIPELINE_STAGES]
    .reverse()
    .map((stage) => {
      const count = stageCounts[stage] ?? 0;
      beyond += count;
      return { stage, count, atOrBeyond: beyond };
    })
    .reverse()
    .map((f, i, all) => ({
      ...f,
      conversion: i === 0 || all[i - 1].atOrBeyond === 0 ? null : f.atOrBeyond / all[i - 1].atOrBeyond,
    }));

  const breakdownRows = (key: BreakdownKey): BreakdownRow[] => {
    const suppress = key === 'ethnicity';
    return [...breakdowns[key].entries()]
      .sort(
        (a, b) => b[1].open + b[1].official - (a[1].open + a[1].official) || compareVietnamese(a[0], b[0]),
      )
      .map(([value, c]) => {
        const hide = (n: number) => (suppress && n > 0 && n < SUPPRESS_UNDER ? null : n);
        return { value, open: hide(c.open), admitted: hide(c.admitted), official: hide(c.official) };
      });
  };

  const schoolRows: SchoolRow[] = [...bySchool.values()]
    .map(({ days, ...x }) => ({ ...x, medianDays: median(days) }))
    .sort((a, b) => b.open - a.open || compareVietnamese(a.name, b.name));

  const bottleneck = (kind: Bottleneck['kind']): Bottleneck => ({
    kind,
    count: counts[kind],
    items: (kind === 'paused' || kind === 'override' || kind === 'conflict' ? [] : lists[kind]).map((r) => {
      const d =
        kind === 'overdue'
          ? r.pipeline?.due?.at
          : kind === 'certSoon'
            ? r.pipeline?.certificate?.expiresAt
            : r.pipeline?.stageSince;
      return {
        id: String(r._id),
        fullName: r.fullName,
        school: schoolName.get(String(r.schoolId)) ?? '',
        // stageSince is the instant a record was created or imported when no step moved it since.
        date: d ? vietnamDay(d) : null,
        days: d ? Math.round((today.getTime() - dayNumber(d) * DAY_MS) / DAY_MS) : null,
      };
    }),
  });

  return {
    year,
    wide,
    school: school ?? null,
    scopeName: school ? (schoolName.get(school) ?? '') : null,
    schoolOptions: wide ? schools.map((x) => ({ id: x.id, name: x.name })) : [],
    funnel,
    exits,
    schools: schoolRows,
    trends,
    breakdowns: {
      schoolKind: breakdownRows('schoolKind'),
      gender: breakdownRows('gender'),
      ethnicity: sensitive ? breakdownRows('ethnicity') : null,
    },
    bottlenecks: [
      bottleneck('stuck'),
      bottleneck('overdue'),
      bottleneck('certSoon'),
      bottleneck('paused'),
      bottleneck('override'),
      bottleneck('conflict'),
    ],
    generatedAt: now.toISOString(),
  };
}

/** The longest-waiting few of each bottleneck, for names beside the counts. */
async function bottleneckLists(
  filter: Record<string, unknown>,
  today: Date,
  stuckBefore: Date,
  certUntil: Date,
) {
  const select = {
    fullName: 1,
    schoolId: 1,
    'pipeline.stageSince': 1,
    'pipeline.due.at': 1,
    'pipeline.certificate.expiresAt': 1,
  };
  const [stuck, overdue, certSoon] = await Promise.all([
    Member.find({
      ...filter,
      'pipeline.stage': mongoose.trusted({ $in: [...OPEN_STAGES] }),
      'pipeline.stageSince': mongoose.trusted({ $lt: stuckBefore }),
    })
      .sort({ 'pipeline.stageSince': 1, _id: 1 })
      .limit(BOTTLENECK_LIST)
      .select(select)
      .lean<Row[]>(),
    Member.find({ ...filter, 'pipeline.due.at': mongoose.trusted({ $lt: today }) })
      .sort({ 'pipeline.due.at': 1, _id: 1 })
      .limit(BOTTLENECK_LIST)
      .select(select)
      .lean<Row[]>(),
    Member.find({
      ...filter,
      'pipeline.stage': mongoose.trusted({ $in: [...PRE_VOTE_STAGES] }),
      'pipeline.certificate.expiresAt': mongoose.trusted({ $gte: today, $lt: certUntil }),
    } as Record<string, unknown>)
      .sort({ 'pipeline.certificate.expiresAt': 1, _id: 1 })
      .limit(BOTTLENECK_LIST)
      .select(select)
      .lean<Row[]>(),
  ]);
  return { stuck, overdue, certSoon };
}

export type Dashboard = Awaited<ReturnType<typeof computeDashboard>>;

/*
 * The province's figures take seconds to count on the embedded server (one `$group` over
 * ~21,000 records at 50,000 members), so they are kept per scope, year and day:
 * - fresh (under a minute old, and no member written since or counted under 10 s ago)
 *   → served as they are;
 * - changed since, or older → served at once while one recount runs in the background
 *   (the page says when the figures were counted). The 10 s gap keeps a stream of steps
 *   from chaining province recounts back to back (each holds the embedded server for
 *   seconds; measured with `npm run bench:load`);
 * - none yet today, or targets changed → counted now. The server counts the province's
 *   current year at start-up and after midnight (`warmDashboards`), so that is rare.
 * Writes from other processes show within a minute; docs/decisions/013-dashboard.md.
 */
const FRESH_MS = 60_000;
const RECOUNT_GAP_MS = 10_000;
interface CacheEntry {
  at: number;
  stamp: number;
  value: Promise<Dashboard>;
  refreshing: boolean;
}
const cache = new Map<string, CacheEntry>();

/** Targets changed: the next request counts again. */
export function invalidateDashboards() {
  cache.clear();
}

export async function loadDashboard(
  user: AuthUser,
  query: DashboardQuery,
  now = new Date(),
): Promise<Dashboard> {
  const key = JSON.stringify([
    user.role === 'admin' ? '*' : user.unitId,
    can(user.role, 'sensitive:read'),
    isProvinceWide(user),
    query.year ?? null,
    query.school ?? null,
    dayNumber(now),
  ]);
  const stamp = lastMemberWriteAt();
  const hit = cache.get(key);
  const age = hit ? now.getTime() - hit.at : Infinity;
  if (hit && age < FRESH_MS && (hit.stamp === stamp || age < RECOUNT_GAP_MS)) return hit.value;
  if (hit) {
    if (!hit.refreshing) {
      hit.refreshing = true;
      const value = computeDashboard(user, query, new Date());
      value.then(
        () => cache.set(key, { at: Date.now(), stamp, value, refreshing: false }),
        (error: unknown) => {
          hit.refreshing = false;
          console.error('[reports] background refresh failed', error);
        },
      );
    }
    return hit.value;
  }
  const value = computeDashboard(user, query, now);
  if (cache.size > 200) cache.clear();
  cache.set(key, { at: now.getTime(), stamp, value, refreshing: false });
  // A failed count must not be served all day.
  value.catch(() => cache.delete(key));
  return value;
}

/** Member-table link with the dashboard's school (when one is picked) and the given filters. */
export function drillHref(d: Pick<Dashboard, 'school'>, params: Record<string, string | number>): string {
  return memberListHref({ school: d.school, ...params });
}

const cell = (value: string | number | null, href?: string): ReportCell =>
  href ? { value, href } : { value };
const pct = (x: number | null, locale: Locale) =>
  x === null
    ? null
    : new Intl.NumberFormat(locale === 'vi' ? 'vi-VN' : 'en-GB', {
        style: 'percent',
        maximumFractionDigits: 0,
      }).format(x);

/** The dashboard as tables: the page shows them under the charts, the print page and Excel use them as they are. */
export function dashboardTables(d: Dashboard, t: TFunction, locale: Locale): ReportTable[] {
  const stageName = (s: Stage) => STAGE_LABELS[s][locale];
  const tables: ReportTable[] = [];
  tables.push({
    id: 'funnel',
    sheet: t('reports.sheet.funnel'),
    title: t('reports.funnel'),
    columns: [
      t('reports.col.stage'),
      t('reports.col.now'),
      t('reports.col.atOrBeyond'),
      t('reports.col.conversion'),
    ],
    rows: d.funnel.map((f) => [
      cell(stageName(f.stage)),
      cell(f.count, drillHref(d, { stage: f.stage })),
      cell(f.atOrBeyond),
      f.conversion === null ? cell(null) : { value: pct(f.conversion, locale), ratio: f.conversion },
    ]),
    note: t('reports.funnel.note'),
  });
  const stageCols = FORWARD;
  tables.push({
    id: 'schools',
    sheet: t('reports.sheet.schools'),
    title: t('reports.schools', { year: d.year }),
    columns: [
      t('reports.col.school'),
      ...stageCols.map(stageName),
      t('reports.col.overdue'),
      t('reports.col.medianDays'),
      t('reports.col.admitted', { year: d.year }),
      t('reports.col.target'),
      t('reports.col.overrides'),
    ],
    rows: d.schools.map((s) => [
      cell(s.name),
      ...stageCols.map((st) => {
        const n = s.counts[st] ?? 0;
        return cell(n, n ? `/members?school=${s.id}&stage=${st}` : undefined);
      }),
      cell(s.overdue, s.overdue ? `/members?school=${s.id}&due=overdue` : undefined),
      cell(s.medianDays),
      cell(s.admitted, s.admitted ? `/members?school=${s.id}&admitted=${d.year}` : undefined),
      cell(s.target),
      cell(s.overrides, s.overrides ? `/members?school=${s.id}&due=override` : undefined),
    ]),
  });
  tables.push({
    id: 'trends',
    sheet: t('reports.sheet.trends'),
    title: t('reports.trends'),
    columns: [
      t('reports.col.year'),
      t('reports.col.selected'),
      t('reports.col.admittedShort'),
      t('reports.col.official'),
    ],
    rows: d.trends.map((y) => [
      cell(String(y.year)),
      cell(y.selected, y.selected ? drillHref(d, { selected: y.year }) : undefined),
      cell(y.admitted, y.admitted ? drillHref(d, { admitted: y.year }) : undefined),
      cell(y.official, y.official ? drillHref(d, { official: y.year }) : undefined),
    ]),
  });
  const breakdown = (key: BreakdownKey, rows: BreakdownRow[], label: (v: string) => string): ReportTable => ({
    id: `by-${key}`,
    sheet: t(`reports.sheet.${key}` as MessageKey),
    title: t(`reports.by.${key}` as MessageKey),
    columns: [
      t(`reports.col.${key}` as MessageKey),
      t('reports.col.open'),
      t('reports.col.admitted', { year: d.year }),
      t('reports.col.official'),
    ],
    rows: rows.map((r) => {
      const link = (n: number | null, extra: Record<string, string | number>) =>
        n === null
          ? cell(t('reports.suppressed'))
          : cell(n, n ? drillHref(d, { [key]: r.value, ...extra }) : undefined);
      return [
        cell(label(r.value)),
        link(r.open, { group: 'open' }),
        link(r.admitted, { admitted: d.year }),
        link(r.official, { stage: 'official' }),
      ];
    }),
    ...(key === 'ethnicity' ? { note: t('reports.suppressedNote', { n: SUPPRESS_UNDER }) } : {}),
  });
  tables.push(breakdown('schoolKind', d.breakdowns.schoolKind, (v) => t(`schoolKind.${v}` as MessageKey)));
  tables.push(breakdown('gender', d.breakdowns.gender, (v) => t(`members.gender.${v}` as MessageKey)));
  if (d.breakdowns.ethnicity) tables.push(breakdown('ethnicity', d.breakdowns.ethnicity, (v) => v));
  tables.push({
    id: 'bottlenecks',
    sheet: t('reports.sheet.bottlenecks'),
    title: t('reports.bottlenecks'),
    columns: [t('reports.col.problem'), t('reports.col.count'), t('reports.col.examples')],
    rows: d.bottlenecks.map((b) => [
      cell(t(`reports.bottleneck.${b.kind}` as MessageKey, { days: STUCK_DAYS })),
      cell(b.count, b.count ? drillHref(d, { due: b.kind }) : undefined),
      cell(b.items.map((i) => i.fullName).join(', ')),
    ]),
  });
  return tables;
}

/**
 * Counts the current year for each province's Union (the scope most expensive to count),
 * so the first visit of the day is served from kept figures. Run by the job
 * `pipeline-due-refresh` at start-up and after midnight.
 */
export async function warmDashboards(now = new Date()): Promise<number> {
  const provinces = await Unit.find({ kind: 'province', active: true }).select({ _id: 1 }).lean();
  for (const p of provinces) {
    const user = {
      id: 'warm-up',
      role: 'province_union',
      unitId: String(p._id),
      memberId: null,
    } as unknown as AuthUser;
    await loadDashboard(user, {}, now);
  }
  return provinces.length;
}

/**
 * "Báo cáo năm" (issue 20, part 3): the year's figures of the caller's scope, counted in
 * one `$group` (school × stage) plus the year's targets, added up by `annualFigures`
 * (app/domain/annual-report.ts) and laid out by `buildAnnualReport`.
 *
 * Scope: the province's Union (and the admin) report on every school of their scope, or
 * on one school they pick; a school role gets its own school's version, issued by its
 * school Union. A school outside the caller's scope is a 404, and the scope is part of
 * every query, not a check after it.
 *
 * The issuing body's header comes from the unit tree (`defaultBodies`); a
 * school's version prints its Union's header and signer from the school's document settings.
 */
import type { Types } from 'mongoose';
import mongoose from 'mongoose';
import { Member } from '../../../models/member';
import { Target } from '../../../models/target';
import { Unit } from '../../../models/unit';
import {
  annualFigures,
  type ReportSchoolKind,
  type SchoolTally,
  type StageTally,
} from '~/domain/annual-report';
import { dayNumber, dayToDate, vietnamDay, vietnamYear } from '~/domain/calendar';
import {
  annualReportFileName,
  applyDocumentSettings,
  buildAnnualReport,
  defaultBodies,
  upper,
  type AnnualReportDocument,
  type DocumentSettings,
  type ReportIssuer,
} from '~/domain/documents';
import { EXIT_STAGES, OPEN_STAGES } from '~/domain/stages';
import type { AuthUser } from '../auth/auth.server';
import { scopeFilter, unitScopeFilter } from '../auth/permissions.server';
import { isProvinceWide } from '../members/members-list.server';
import { notFound } from '../responses.server';
import { parseDashboardQuery, type DashboardQuery } from './reports.server';
import { appendAudit } from '../audit/audit.server';
import { DOCUMENT_FORMATS, renderDocument, type DocumentFormat } from '../documents/render.server';

interface SchoolUnit {
  _id: Types.ObjectId;
  name: string;
  schoolKind?: string | null;
  active: boolean;
  ancestors: Types.ObjectId[];
  /** The school's own document settings (its Union's header and signer), edited on its unit page. */
  documentBodies?: DocumentSettings | null;
}
interface ProvinceUnit {
  _id: Types.ObjectId;
  name: string;
  shortName?: string | null;
}

const yearStart = (y: number) => new Date(Date.UTC(y, 0, 1));
const isDate = (path: string) => ({ $eq: [{ $type: path }, 'date'] });
const countIf = (cond: unknown) => ({ $sum: { $cond: [cond, 1, 0] } });
const inYear = (path: string, y: number) => ({
  $and: [isDate(path), { $gte: [path, yearStart(y)] }, { $lt: [path, yearStart(y + 1)] }],
});

/** "Quảng Ngãi" from the province's Union unit ("Tỉnh đoàn Quảng Ngãi", short name "Quảng Ngãi"). */
const provincePlace = (p: ProvinceUnit | null) =>
  (p?.shortName || p?.name || '').replace(/^Tỉnh đoàn\s+/i, '').trim();

async function provinceOf(user: AuthUser, school: SchoolUnit | null): Promise<ProvinceUnit | null> {
  const select = { name: 1, shortName: 1 };
  if (school?.ancestors[0]) return Unit.findById(school.ancestors[0]).select(select).lean<ProvinceUnit>();
  if (user.role === 'province_union') return Unit.findById(user.unitId).select(select).lean<ProvinceUnit>();
  return Unit.findOne({ kind: 'province', active: true })
    .sort({ _id: 1 })
    .select(select)
    .lean<ProvinceUnit>();
}

/** The body that issues the report: the province's Union, or the school's for its own version. */
function reportIssuer(province: ProvinceUnit | null, school: SchoolUnit | null, wide: boolean): ReportIssuer {
  const place = provincePlace(province);
  if (wide) {
    return {
      level: 'province',
      heading: { superior: null, name: `BCH ĐOÀN TỈNH ${upper(place)}` },
      symbol: 'TĐTN',
      authority: 'TM. BAN THƯỜNG VỤ',
      position: 'BÍ THƯ',
      signer: null,
      place,
      scopeName: school ? school.name : `tỉnh ${place}`,
    };
  }
  // The school's saved wording and signer over the unit tree's defaults, as its other documents.
  const union = applyDocumentSettings(
    defaultBodies({ province: `Tỉnh ${place}`, school: school?.name ?? '', cell: null }),
    school?.documentBodies,
  ).union;
  return {
    level: 'school',
    heading: { superior: union.superior, name: union.heading },
    symbol: union.symbol,
    authority: union.authority,
    position: union.position,
    signer: union.signer,
    place,
    scopeName: school?.name ?? '',
  };
}

interface Group {
  _id: { s: Types.ObjectId; st: string };
  n: number;
  selected: number;
  admitted: number;
  official: number;
  overdue: number;
  oldestDue: Date | null;
}

/** The report for `query.year` (default: this year in Vietnam) in the caller's scope. */
export async function loadAnnualReport(
  user: AuthUser,
  query: DashboardQuery,
  now = new Date(),
): Promise<AnnualReportDocument> {
  const year = query.year ?? vietnamYear(now);
  const wide = isProvinceWide(user);
  const inScope = await Unit.find({ kind: 'school', ...unitScopeFilter(user) })
    .select({ name: 1, schoolKind: 1, active: 1, ancestors: 1, documentBodies: 1 })
    .lean<SchoolUnit[]>();
  let schools = inScope;
  if (query.school) {
    schools = inScope.filter((s) => String(s._id) === query.school);
    if (!schools.length) throw notFound();
  }
  const picked = query.school || !wide ? (schools[0] ?? null) : null;
  const today = dayToDate(dayNumber(now));
  const ids = schools.map((s) => s._id);
  const open = new Set<string>(OPEN_STAGES);
  // Records in the pipeline are grouped (school × stage) with the year's counts; plain
  // members (most of the province) are only counted, per school, from the index on
  // (ancestors, stage), without reading them: a fraction of one `$group` over everyone.
  const [groups, plain, targets, province] = await Promise.all([
    Member.aggregate<Group>([
      {
        $match: {
          ...scopeFilter(user),
          schoolId: mongoose.trusted({ $in: ids }),
          'pipeline.stage': mongoose.trusted({ $ne: 'member' }),
        },
      },
      {
        $group: {
          _id: { s: '$schoolId', st: '$pipeline.stage' },
          n: { $sum: 1 },
          selected: countIf(inYear('$pipeline.unionResolution.date', year)),
          admitted: countIf(inYear('$pipeline.decision.date', year)),
          official: countIf(inYear('$pipeline.officialDate', year)),
          overdue: countIf({ $and: [isDate('$pipeline.due.at'), { $lt: ['$pipeline.due.at', today] }] }),
          oldestDue: {
            $min: {
              $cond: [
                { $and: [isDate('$pipeline.due.at'), { $lt: ['$pipeline.due.at', today] }] },
                '$pipeline.due.at',
                null,
              ],
            },
          },
        },
      },
    ]),
    Promise.all(
      ids.map((id) =>
        // `ids` are the schools the caller's scope selected (unitScopeFilter above); ANDing the
        // scope again here would keep the embedded server from counting on the index (5× slower).
        Member.countDocuments({ ancestors: id, 'pipeline.stage': 'member' }),
      ),
    ),
    Target.find({ unitId: mongoose.trusted({ $in: ids }), year })
      .select({ unitId: 1, admissions: 1 })
      .lean(),
    provinceOf(user, picked ?? (wide ? null : (schools[0] ?? null))),
  ]);

  const tallies = new Map<string, SchoolTally>(
    schools.map((s) => [
      String(s._id),
      {
        id: String(s._id),
        name: s.name,
        kind: (s.schoolKind ?? 'university') as ReportSchoolKind,
        members: 0,
        selected: 0,
        admitted: 0,
        official: 0,
        open: 0,
        overdue: 0,
        target: null,
      },
    ]),
  );
  ids.forEach((id, i) => (tallies.get(String(id))!.members += plain[i]));
  for (const t of targets) {
    const row = tallies.get(String(t.unitId));
    if (row) row.target = t.admissions;
  }
  const stages: StageTally[] = [];
  const exits = new Set<string>(EXIT_STAGES);
  for (const g of groups) {
    const row = tallies.get(String(g._id.s));
    if (!row) continue;
    const stage = g._id.st ?? 'member';
    if (!exits.has(stage)) row.members += g.n;
    row.selected += g.selected;
    row.admitted += g.admitted;
    row.official += g.official;
    if (open.has(stage)) {
      // Overdue counts open records only: an exit has no step left to be late for.
      row.overdue += g.overdue;
      row.open += g.n;
      stages.push({
        schoolId: row.id,
        stage,
        open: g.n,
        overdue: g.overdue,
        oldestDue: g.oldestDue ? vietnamDay(g.oldestDue) : null,
      });
    }
  }
  // A legacy (inactive) school appears only when it still has figures for the year.
  const shown = [...tallies.values()].filter((t) => {
    const unit = schools.find((s) => String(s._id) === t.id)!;
    return unit.active || t.members + t.selected + t.admitted + t.official > 0;
  });
  const figures = annualFigures(year, shown, stages);
  return buildAnnualReport(figures, reportIssuer(province, picked, wide), now);
}

/**
 * The report as a download, always in Vietnamese (an official document). Audited: a
 * report leaves the system with it.
 */
export async function annualReportDownload(
  user: AuthUser,
  params: URLSearchParams,
  format: DocumentFormat,
  now = new Date(),
): Promise<Response> {
  const query = parseDashboardQuery(params);
  const doc = await loadAnnualReport(user, query, now);
  const body = await renderDocument(doc, format, { createdAt: now });
  const filename = annualReportFileName(doc.year, DOCUMENT_FORMATS[format].extension);
  await appendAudit({
    actorId: user.id,
    action: 'report.export',
    entity: 'Report',
    details: { format: `annual-${format}`, year: doc.year, school: query.school ?? null },
  });
  return new Response(new Uint8Array(body), {
    status: 200,
    headers: {
      'Content-Type': DOCUMENT_FORMATS[format].contentType,
      'Content-Disposition': `attachment; filename="${filename}"`,
      'Content-Length': String(body.length),
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    },
  });
}

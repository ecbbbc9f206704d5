/**
 * The read-only JSON API (`/api/v1/`): parameter parsing and the scoped
 * queries behind units, members and statistics (docs/decisions/012-json-api.md).
 *
 * - The token's scope goes INTO every query (`{ ancestors: unitId }` for members,
 *   `{ $or: [{ _id }, { ancestors }] }` for units): an out-of-scope record is simply not
 *   found, with the same 404 body as an unknown id.
 * - Members leave through a whitelist: an explicit projection AND a mapping that
 *   builds a fresh object, so no sensitive field (Law 91/2025: ethnicity, religion,
 *   citizen ID) nor contact detail can appear even if the projection grew by mistake.
 * - Every parameter is parsed with zod; anything invalid is a 400 with one detail per
 *   parameter, never a 500. Unknown parameters are ignored (cache busters), a known
 *   one given twice is a 400.
 * - Reads are not audited one by one (too noisy, and nothing sensitive leaves);
 *   creating and revoking tokens is (api-auth.server.ts).
 * - A member whose consent is withdrawn (app/utils/student/consent.server.ts) is paused: no data
 *   of theirs leaves. A page of the list leaves them out and names them in `withheld`
 *   (id and reason only, so a system that holds a copy knows to stop using it; the page
 *   cursor still moves past them); the record alone answers 409 `consent_withdrawn`.
 *   Statistics are counts and stay whole.
 */
import mongoose, { Types } from 'mongoose';
import { z } from 'zod';
import { Member } from '../../../models/member';
import { Unit } from '../../../models/unit';
import { consentWithdrawn, type ConsentRecord } from '~/domain/consent';
import { vietnamDay } from '~/domain/calendar';
import { ALL_STAGES } from '~/domain/stages';
import { compareVietnamese, searchKey } from '~/domain/text';
import type { ApiPrincipal } from './api-auth.server';
import { API_DEFAULT_PAGE_SIZE, API_MAX_PAGE_SIZE, API_UNIT_KINDS } from './api-openapi';
import { apiJson, apiError, apiNotFound, type ApiErrorDetail } from './api-responses.server';
import { CONSENT_PAUSE_PROJECTION } from '../student/consent.server';
import { ensureEligibility } from '../criteria/eligibility.server';
import { escapeRegex } from '../members/members-list.server';
import { todayAsStoredDay } from '../pipeline/pipeline-board.server';
import { OBJECT_ID_PATTERN, isObjectId } from '~/domain/ids';

// ---------------------------------------------------------------- parameters

const objectId = z.string().regex(OBJECT_ID_PATTERN, 'Must be a 24-character hexadecimal id.');

const wholeNumber = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d{1,9}$/, 'Must be a whole number.')
    .transform(Number)
    .pipe(z.number().min(min, `Must be at least ${min}.`).max(max, `Must be at most ${max}.`));

const sizeParam = wholeNumber(1, API_MAX_PAGE_SIZE).optional();

const enumParam = <T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: `Must be one of: ${values.join(', ')}.` });

const VN_OFFSET = '+07:00';
/** An ISO 8601 instant with an offset, or a date alone (midnight in Vietnam). */
const instantParam = z
  .union([z.iso.datetime({ offset: true }), z.iso.date()], {
    error: 'Must be an ISO 8601 date (2026-01-31) or date-time with offset (2026-01-31T08:00:00Z).',
  })
  .transform((v) => new Date(v.length === 10 ? `${v}T00:00:00${VN_OFFSET}` : v));

const schoolYearParam = z
  .string()
  .regex(/^\d{4}-\d{4}$/, 'Must be a school year like 2025-2026.')
  .refine((v) => Number(v.slice(5)) === Number(v.slice(0, 4)) + 1, 'The second year must follow the first.');

export const UnitListParamsSchema = z.object({
  kind: enumParam(API_UNIT_KINDS).optional(),
  page: wholeNumber(1, 100_000).optional(),
  size: sizeParam,
});

export const MemberListParamsSchema = z.object({
  school: objectId.optional(),
  stage: enumParam(ALL_STAGES).optional(),
  schoolYear: schoolYearParam.optional(),
  q: z.string().max(100, 'Must be at most 100 characters.').optional(),
  updatedSince: instantParam.optional(),
  cursor: objectId.optional(),
  size: sizeParam,
});

export const StatsParamsSchema = z.object({
  school: objectId.optional(),
});

/**
 * The query string through `schema`, or a thrown 400 naming each bad parameter.
 * An empty value counts as absent (`?kind=` from a form); a parameter given twice is an error.
 */
export function parseApiParams<T extends z.ZodObject>(url: URL, schema: T): z.output<T> {
  const raw: Record<string, string> = {};
  const details: ApiErrorDetail[] = [];
  for (const key of Object.keys(schema.shape)) {
    const values = url.searchParams.getAll(key);
    if (values.length > 1) details.push({ param: key, message: 'Given more than once.' });
    else if (values.length === 1 && values[0] !== '') raw[key] = values[0];
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const param = issue.path.length ? String(issue.path[0]) : '';
      if (!details.some((d) => d.param === param)) details.push({ param, message: issue.message });
    }
  }
  if (details.length || !parsed.success) {
    throw apiError(400, 'bad_request', 'Invalid query parameters.', { details });
  }
  return parsed.data;
}

const idOf = (value: string | undefined) => (isObjectId(value) ? new Types.ObjectId(value) : null);

// ---------------------------------------------------------------- scope

/** Members in the token's scope: every member whose units include the scope unit. */
export function apiMemberScope(token: ApiPrincipal): Record<string, unknown> {
  return { ancestors: token.unitId };
}

/** Units in the token's scope: the scope unit and everything below it. */
export function apiUnitScope(token: ApiPrincipal): Record<string, unknown> {
  return { $or: [{ _id: token.unitId }, { ancestors: token.unitId }] };
}

const dayOrNull = (d: Date | null | undefined) => vietnamDay(d) || null;
const isoTime = (d: Date | null | undefined) => (d ? d.toISOString() : null);
const idString = (id: Types.ObjectId | null | undefined) => (id ? String(id) : null);

// ---------------------------------------------------------------- units

const UNIT_PROJECTION = {
  name: 1,
  shortName: 1,
  code: 1,
  kind: 1,
  schoolKind: 1,
  parentId: 1,
  schoolId: 1,
  active: 1,
  validFrom: 1,
  validTo: 1,
  updatedAt: 1,
} as const;

interface UnitRow {
  _id: Types.ObjectId;
  name: string;
  shortName?: string | null;
  code: string;
  kind: string;
  schoolKind?: string | null;
  parentId?: Types.ObjectId | null;
  schoolId?: Types.ObjectId | null;
  active: boolean;
  validFrom?: Date | null;
  validTo?: Date | null;
  updatedAt?: Date | null;
}

function toApiUnit(u: UnitRow) {
  return {
    id: String(u._id),
    name: u.name,
    shortName: u.shortName ?? null,
    code: u.code,
    kind: u.kind,
    schoolKind: u.schoolKind ?? null,
    parentId: idString(u.parentId),
    schoolId: idString(u.schoolId),
    active: u.active,
    validFrom: dayOrNull(u.validFrom),
    validTo: dayOrNull(u.validTo),
    updatedAt: isoTime(u.updatedAt),
  };
}

export async function apiListUnits(token: ApiPrincipal, url: URL): Promise<Response> {
  const params = parseApiParams(url, UnitListParamsSchema);
  const size = params.size ?? API_DEFAULT_PAGE_SIZE;
  const number = params.page ?? 1;
  const filter: Record<string, unknown> = { ...apiUnitScope(token) };
  if (params.kind) filter.kind = params.kind;
  const [rows, total] = await Promise.all([
    Unit.find(filter)
      .select(UNIT_PROJECTION)
      .sort({ _id: 1 })
      .skip((number - 1) * size)
      .limit(size)
      .lean<UnitRow[]>(),
    Unit.countDocuments(filter),
  ]);
  return apiJson({
    data: rows.map(toApiUnit),
    page: { number, size, total, next: number * size < total ? number + 1 : null },
  });
}

export async function apiGetUnit(token: ApiPrincipal, id: string | undefined): Promise<Response> {
  const _id = idOf(id);
  if (!_id) return apiNotFound();
  const unit = await Unit.findOne({ $and: [{ _id }, apiUnitScope(token)] })
    .select(UNIT_PROJECTION)
    .lean<UnitRow>();
  return unit ? apiJson({ data: toApiUnit(unit) }) : apiNotFound();
}

// ---------------------------------------------------------------- members

/** Exactly the fields the API may show. Never add a sensitive one (domain.md §7). */
const MEMBER_PROJECTION = {
  fullName: 1,
  studentCode: 1,
  dateOfBirth: 1,
  gender: 1,
  schoolId: 1,
  branchId: 1,
  schoolKind: 1,
  schoolYear: 1,
  'union.joinedAt': 1,
  latestGpa10: 1,
  'pipeline.stage': 1,
  'pipeline.stageSince': 1,
  'pipeline.due.at': 1,
  'pipeline.due.kind': 1,
  'eligibility.eligible': 1,
  'eligibility.version': 1,
  updatedAt: 1,
  // Read to leave paused records out; never mapped into a response (toApiMember).
  ...CONSENT_PAUSE_PROJECTION,
} as const;

interface MemberRow {
  _id: Types.ObjectId;
  fullName: string;
  studentCode: string;
  dateOfBirth?: Date | null;
  gender?: string | null;
  schoolId: Types.ObjectId;
  branchId?: Types.ObjectId | null;
  schoolKind: string;
  schoolYear?: string | null;
  union?: { joinedAt?: Date | null } | null;
  latestGpa10?: number | null;
  pipeline?: { stage?: string; stageSince?: Date | null; due?: { at?: Date | null; kind?: string | null } };
  eligibility?: { eligible?: boolean | null; version?: number | null } | null;
  updatedAt?: Date | null;
  consent?: ConsentRecord | null;
}

/** What stands in a page for a member whose data may not leave (consent withdrawn). */
export interface ApiWithheld {
  id: string;
  reason: 'consent_withdrawn';
}

const CONSENT_WITHDRAWN_MESSAGE =
  'The member withdrew consent to personal data processing: the record is paused until they consent again (Personal Data Protection Law No. 91/2025/QH15, Decree 356/2025/ND-CP).';

export type ApiMember = ReturnType<typeof toApiMember>;

export function toApiMember(m: MemberRow) {
  const due = m.pipeline?.due;
  return {
    id: String(m._id),
    fullName: m.fullName,
    studentCode: m.studentCode,
    dateOfBirth: dayOrNull(m.dateOfBirth),
    gender: m.gender ?? null,
    schoolId: String(m.schoolId),
    branchId: idString(m.branchId),
    schoolKind: m.schoolKind,
    schoolYear: m.schoolYear ?? null,
    union: { joinedAt: dayOrNull(m.union?.joinedAt) },
    latestGpa10: typeof m.latestGpa10 === 'number' ? m.latestGpa10 : null,
    pipeline: {
      stage: m.pipeline?.stage ?? 'member',
      // A step's day, or the instant the record was created: its day in Vietnam either way.
      stageSince: vietnamDay(m.pipeline?.stageSince) || null,
      due: due?.at ? { at: dayOrNull(due.at), kind: due.kind ?? null } : null,
    },
    eligibility: {
      eligible: typeof m.eligibility?.eligible === 'boolean' ? m.eligibility.eligible : null,
      setVersion: typeof m.eligibility?.version === 'number' ? m.eligibility.version : null,
    },
    updatedAt: isoTime(m.updatedAt),
  };
}

/**
 * Sensitive fields (ethnicity, religion, citizen ID) are never API filters: a token has no
 * right to reveal them, and a filter by one would reveal it for every member listed. Asked
 * for, they are refused (403) rather than ignored, so a client never takes the whole list
 * for the group it asked for (docs/decisions/023-sensitive-data-exits.md).
 */
const API_SENSITIVE_PARAMS = ['ethnicity', 'religion', 'citizenId'] as const;

export async function apiListMembers(token: ApiPrincipal, url: URL, now = new Date()): Promise<Response> {
  const sensitive = API_SENSITIVE_PARAMS.filter((p) => url.searchParams.has(p));
  if (sensitive.length) {
    return apiError(
      403,
      'sensitive_filter',
      'Sensitive personal data (ethnicity, religion, citizen ID) cannot be read or filtered through the API.',
      { details: sensitive.map((param) => ({ param, message: 'Not available through the API.' })) },
    );
  }
  const params = parseApiParams(url, MemberListParamsSchema);
  const size = params.size ?? API_DEFAULT_PAGE_SIZE;
  const scope = apiMemberScope(token);
  const filter: Record<string, unknown> = { ...scope };
  if (params.school) filter.schoolId = new Types.ObjectId(params.school);
  if (params.stage) filter['pipeline.stage'] = params.stage;
  if (params.schoolYear) filter.schoolYear = params.schoolYear;
  const needle = searchKey(params.q ?? '');
  // Word-prefix match on the diacritic-free key, as in the member table ("nguyen thi", "sv0012").
  if (needle) filter.searchKey = mongoose.trusted({ $regex: `(?:^| )${escapeRegex(needle)}` });
  if (params.updatedSince) filter.updatedAt = mongoose.trusted({ $gte: params.updatedSince });
  // Keyset paging on _id: stable while records are added or edited between pages.
  if (params.cursor) filter._id = mongoose.trusted({ $gt: new Types.ObjectId(params.cursor) });
  // The stored eligibility verdicts of the scope brought up to date, as the member table does.
  await ensureEligibility(scope, now);
  const rows = await Member.find(filter)
    .select(MEMBER_PROJECTION)
    .sort({ _id: 1 })
    .limit(size + 1)
    .lean<MemberRow[]>();
  const more = rows.length > size;
  const page = more ? rows.slice(0, size) : rows;
  const withheld: ApiWithheld[] = page
    .filter((m) => consentWithdrawn(m.consent))
    .map((m) => ({ id: String(m._id), reason: 'consent_withdrawn' }));
  return apiJson({
    data: page.filter((m) => !consentWithdrawn(m.consent)).map(toApiMember),
    withheld,
    // The cursor is the last record read, withheld or not, so paging never stalls.
    page: { size, next: more ? String(page[page.length - 1]._id) : null },
  });
}

export async function apiGetMember(token: ApiPrincipal, id: string | undefined, now = new Date()) {
  const _id = idOf(id);
  if (!_id) return apiNotFound();
  await ensureEligibility(apiMemberScope(token), now);
  const member = await Member.findOne({ _id, ...apiMemberScope(token) })
    .select(MEMBER_PROJECTION)
    .lean<MemberRow>();
  if (!member) return apiNotFound();
  if (consentWithdrawn(member.consent)) return apiError(409, 'consent_withdrawn', CONSENT_WITHDRAWN_MESSAGE);
  return apiJson({ data: toApiMember(member) });
}

// ---------------------------------------------------------------- statistics

type StageCounts = Record<string, number>;
const zeroStages = (): StageCounts => Object.fromEntries(ALL_STAGES.map((s) => [s, 0]));

/**
 * Pipeline figures in the token's scope (or one school of it): members per stage,
 * per school × stage, and overdue records (`pipeline.due.at` before today in Vietnam).
 * Two `$group`s over the scoped members, run together.
 */
export async function apiStats(token: ApiPrincipal, url: URL, now = new Date()): Promise<Response> {
  const params = parseApiParams(url, StatsParamsSchema);
  const [scopeUnit, school] = await Promise.all([
    Unit.findOne({ _id: token.unitId }).select({ name: 1, kind: 1 }).lean(),
    params.school
      ? Unit.findOne({
          $and: [{ _id: new Types.ObjectId(params.school), kind: 'school' }, apiUnitScope(token)],
        })
          .select({ name: 1 })
          .lean()
      : Promise.resolve(null),
  ]);
  // A school outside the scope is as unknown as one that does not exist.
  if (params.school && !school) return apiNotFound();
  const filter: Record<string, unknown> = { ...apiMemberScope(token) };
  if (school) filter.schoolId = school._id;
  const today = todayAsStoredDay(now);
  const [bySchoolStage, overdueBySchool] = await Promise.all([
    Member.aggregate<{ _id: { school: Types.ObjectId | null; stage: string | null }; n: number }>([
      { $match: filter },
      { $group: { _id: { school: '$schoolId', stage: '$pipeline.stage' }, n: { $sum: 1 } } },
    ]),
    Member.aggregate<{ _id: Types.ObjectId | null; n: number }>([
      { $match: { ...filter, 'pipeline.due.at': mongoose.trusted({ $lt: today }) } },
      { $group: { _id: '$schoolId', n: { $sum: 1 } } },
    ]),
  ]);

  const schools = new Map<string, { total: number; overdue: number; byStage: StageCounts }>();
  const schoolEntry = (id: Types.ObjectId | null) => {
    const key = String(id);
    let entry = schools.get(key);
    if (!entry) schools.set(key, (entry = { total: 0, overdue: 0, byStage: zeroStages() }));
    return entry;
  };
  const byStage = zeroStages();
  let total = 0;
  for (const g of bySchoolStage) {
    const stage = g._id.stage ?? 'member';
    const entry = schoolEntry(g._id.school);
    entry.byStage[stage] = (entry.byStage[stage] ?? 0) + g.n;
    entry.total += g.n;
    byStage[stage] = (byStage[stage] ?? 0) + g.n;
    total += g.n;
  }
  let overdue = 0;
  for (const g of overdueBySchool) {
    schoolEntry(g._id).overdue += g.n;
    overdue += g.n;
  }
  const ids = [...schools.keys()].filter((id) => isObjectId(id)).map((id) => new Types.ObjectId(id));
  const names = new Map(
    (
      await Unit.find({ _id: mongoose.trusted({ $in: ids }) })
        .select({ name: 1 })
        .lean()
    ).map((u) => [String(u._id), u.name]),
  );
  const bySchool = [...schools.entries()]
    .map(([id, entry]) => ({ schoolId: isObjectId(id) ? id : null, name: names.get(id) ?? null, ...entry }))
    .sort(
      (a, b) =>
        compareVietnamese(a.name ?? '', b.name ?? '') || String(a.schoolId).localeCompare(String(b.schoolId)),
    );

  return apiJson({
    data: {
      scope: { id: String(token.unitId), name: scopeUnit?.name ?? null, kind: scopeUnit?.kind ?? null },
      school: school ? { id: String(school._id), name: school.name } : null,
      asOf: now.toISOString(),
      today: dayOrNull(today),
      total,
      overdue,
      byStage,
      bySchool,
    },
  });
}

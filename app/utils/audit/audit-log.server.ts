/**
 * Reading the audit log: the admin browser (/admin/audit) and one member's history
 * as a CSV file (/members/:id/history.csv). Writing is audit.server.ts.
 *
 * The browser's filters map onto the model's indexes (docs/architecture.md):
 * member → { entity, entityId, at }, unit → { unitId, at }, actor → { actorId, at },
 * action → { action, at }, nothing or a date range → { at }. Always newest first.
 */
import mongoose, { Types } from 'mongoose';
import { z } from 'zod';
import { AuditEvent } from '../../../models/audit-event';
import { Member } from '../../../models/member';
import { Unit } from '../../../models/unit';
import { User } from '../../../models/user';
import {
  AUDIT_ACTIONS,
  idsIn,
  summarizeDetails,
  summaryText,
  type AuditSummary,
  type IdNames,
} from '~/domain/audit-actions';
import { DAY_MS } from '~/domain/calendar';
import { consentWithdrawn, type ConsentRecord } from '~/domain/consent';
import { compareVietnamese, searchKey } from '~/domain/text';
import { createT, formatDateTime, isMessageKey, type Locale, type TFunction } from '~/i18n';
import { appendAudit } from './audit.server';
import type { AuthUser } from '../auth/auth.server';
import { CONSENT_PAUSE_PROJECTION, consentPausedResponse } from '../student/consent.server';
import { csvField } from '../members/member-export.server';
import { memberFilter } from '../members/member-access.server';
import { scopeFilter, unitScopeFilter } from '../auth/permissions.server';
import { escapeRegex } from '../members/members-list.server';
import { OBJECT_ID_PATTERN } from '~/domain/ids';
import { notFound } from '../responses.server';

export const AUDIT_PAGE_SIZE = 50;

const day = z
  .string()
  .trim()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .refine((v) => !Number.isNaN(Date.parse(v)))
  .optional()
  .catch(undefined);

export const AuditQuerySchema = z.object({
  action: z.enum(AUDIT_ACTIONS).optional().catch(undefined),
  actor: z.string().trim().max(100).catch(''),
  member: z.string().trim().max(40).catch(''),
  unit: z.string().regex(OBJECT_ID_PATTERN).optional().catch(undefined),
  from: day,
  to: day,
  page: z.coerce.number().int().min(1).max(10_000).catch(1),
});
export type AuditQuery = z.infer<typeof AuditQuerySchema>;

export function parseAuditQuery(url: URL): AuditQuery {
  const p = url.searchParams;
  return AuditQuerySchema.parse({
    action: p.get('action') || undefined,
    actor: p.get('actor') ?? '',
    member: p.get('member') ?? '',
    unit: p.get('unit') || undefined,
    from: p.get('from') || undefined,
    to: p.get('to') || undefined,
    page: p.get('page') ?? 1,
  });
}

/** Midnight in Vietnam (UTC+7, no daylight saving) of a yyyy-mm-dd day. */
const vnMidnight = (isoDay: string) => new Date(`${isoDay}T00:00:00+07:00`);

interface LeanEvent {
  _id: Types.ObjectId;
  seq?: number;
  hash?: string;
  at: Date;
  actorId?: Types.ObjectId | null;
  action: string;
  entity: string;
  entityId?: Types.ObjectId | null;
  unitId?: Types.ObjectId | null;
  details?: unknown;
}

/** Builds the filter; null when a search matched nobody (the page is then empty without a query). */
async function auditFilter(query: AuditQuery): Promise<Record<string, unknown> | null> {
  const filter: Record<string, unknown> = {};
  if (query.action) filter.action = query.action;
  if (query.unit) filter.unitId = new Types.ObjectId(query.unit);
  if (query.from || query.to) {
    const at: Record<string, Date> = {};
    if (query.from) at.$gte = vnMidnight(query.from);
    if (query.to) at.$lt = new Date(vnMidnight(query.to).getTime() + DAY_MS);
    filter.at = mongoose.trusted(at);
  }
  if (query.actor) {
    // Accounts number in the hundreds: a regex over them is cheap, and gives ids for the index.
    const needle = escapeRegex(query.actor);
    const users = await User.find({
      $or: [
        { email: mongoose.trusted({ $regex: needle, $options: 'i' }) },
        { name: mongoose.trusted({ $regex: needle, $options: 'i' }) },
      ],
    })
      .select({ _id: 1 })
      .limit(200)
      .lean();
    if (!users.length) return null;
    filter.actorId = mongoose.trusted({ $in: users.map((u) => u._id) });
  }
  if (query.member) {
    // Exact student code; the same code may exist in two schools, so keep every match.
    const members = await Member.find({
      ...(query.unit ? { schoolId: new Types.ObjectId(query.unit) } : {}),
      searchKey: mongoose.trusted({ $regex: `(?:^| )${escapeRegex(searchKey(query.member))}(?: |$)` }),
      studentCode: query.member,
    })
      .select({ _id: 1 })
      .limit(20)
      .lean();
    if (!members.length) return null;
    filter.entity = 'Member';
    filter.entityId = mongoose.trusted({ $in: members.map((m) => m._id) });
  }
  return filter;
}

const oids = (ids: Iterable<string>) => [...ids].map((id) => new Types.ObjectId(id));

/**
 * The names behind the ids of a page of events, one query per collection: the actors and
 * the members the events are about (as before), and every user, member and unit id found
 * in the details or as another entity's id (an account, a unit), those only inside the
 * viewer's scope: an id outside it is left as an id.
 */
async function namesOf(events: LeanEvent[], viewer: AuthUser) {
  const actorIds = new Set(events.flatMap((e) => (e.actorId ? [String(e.actorId)] : [])));
  const memberIds = new Set(
    events.flatMap((e) => (e.entity === 'Member' && e.entityId ? [String(e.entityId)] : [])),
  );
  // Ids inside details, and entity ids of accounts and units: looked up in every collection.
  const other = new Set<string>();
  for (const e of events) {
    idsIn(e.details, other);
    if ((e.entity === 'User' || e.entity === 'Unit') && e.entityId) other.add(String(e.entityId));
  }
  const scoped = (filter: Record<string, unknown>) =>
    other.size ? [{ $and: [{ _id: mongoose.trusted({ $in: oids(other) }) }, filter] }] : [];
  const userOr = [
    ...(actorIds.size ? [{ _id: mongoose.trusted({ $in: oids(actorIds) }) }] : []),
    ...scoped(scopeFilter(viewer, 'unitId')),
  ];
  const memberOr = [
    ...(memberIds.size ? [{ _id: mongoose.trusted({ $in: oids(memberIds) }) }] : []),
    ...scoped(scopeFilter(viewer)),
  ];
  const [users, members, units] = await Promise.all([
    userOr.length ? User.find({ $or: userOr }).select({ name: 1, email: 1 }).lean() : [],
    memberOr.length ? Member.find({ $or: memberOr }).select({ fullName: 1, studentCode: 1 }).lean() : [],
    other.size
      ? Unit.find({ $and: [{ _id: mongoose.trusted({ $in: oids(other) }) }, unitScopeFilter(viewer)] })
          .select({ name: 1 })
          .lean()
      : [],
  ]);
  const ids = new Map<string, string>();
  for (const u of units) ids.set(String(u._id), u.name);
  for (const m of members)
    if (other.has(String(m._id))) ids.set(String(m._id), `${m.fullName} (${m.studentCode})`);
  for (const u of users) if (other.has(String(u._id))) ids.set(String(u._id), u.name);
  return {
    actor: new Map(users.map((u) => [String(u._id), { name: u.name, email: u.email }])),
    member: new Map(members.map((m) => [String(m._id), { name: m.fullName, code: m.studentCode }])),
    ids: ids as IdNames,
  };
}

export interface AuditRow {
  id: string;
  seq: number | null;
  at: string;
  actor: string | null;
  actorEmail: string | null;
  action: string;
  entity: string;
  member: { id: string; name: string; code: string } | null;
  /** The account or unit an event is about, by name (its id when outside the viewer's scope). */
  subject: string | null;
  summary: AuditSummary;
}

export async function listAudit(query: AuditQuery, viewer: AuthUser) {
  const filter = await auditFilter(query);
  const empty = { rows: [] as AuditRow[], rowCount: 0, page: 1, pages: 1 };
  if (!filter) return empty;
  const rowCount = await AuditEvent.countDocuments(filter);
  const pages = Math.max(1, Math.ceil(rowCount / AUDIT_PAGE_SIZE));
  const page = Math.min(query.page, pages);
  const events = await AuditEvent.find(filter)
    .select({ seq: 1, at: 1, actorId: 1, action: 1, entity: 1, entityId: 1, details: 1 })
    // Events of the same millisecond (appends batched together) in chain order, not by chance.
    .sort({ at: -1, seq: -1, _id: -1 })
    .skip((page - 1) * AUDIT_PAGE_SIZE)
    .limit(AUDIT_PAGE_SIZE)
    .lean<LeanEvent[]>();
  const names = await namesOf(events, viewer);
  const rows: AuditRow[] = events.map((e) => {
    const actor = e.actorId ? names.actor.get(String(e.actorId)) : undefined;
    const member = e.entity === 'Member' && e.entityId ? names.member.get(String(e.entityId)) : undefined;
    return {
      id: String(e._id),
      seq: e.seq ?? null,
      at: e.at.toISOString(),
      actor: actor?.name ?? null,
      actorEmail: actor?.email ?? null,
      action: e.action,
      entity: e.entity,
      member: member ? { id: String(e.entityId), ...member } : null,
      subject:
        (e.entity === 'User' || e.entity === 'Unit') && e.entityId
          ? (names.ids.get(String(e.entityId)) ?? String(e.entityId))
          : null,
      summary: summarizeDetails(e.details, names.ids),
    };
  });
  return { rows, rowCount, page, pages };
}

/** Schools for the unit filter, current ones first, in Vietnamese order. */
export async function auditSchoolOptions() {
  const schools = await Unit.find({ kind: 'school' }).select({ name: 1, code: 1, active: 1 }).lean();
  return schools
    .sort((a, b) => Number(b.active) - Number(a.active) || compareVietnamese(a.name, b.name))
    .map((s) => ({ id: String(s._id), label: `${s.name} (${s.code})` }));
}

export function actionLabel(t: TFunction, action: string): string {
  const key = `audit.action.${action}`;
  return isMessageKey(key) ? t(key) : action;
}

/**
 * One member's audit history as CSV (UTF-8 with BOM, like the member export),
 * oldest first. The member is looked up with the profile's scoped filter, so one
 * outside the user's scope is a 404; the export itself is logged first, so a
 * failed log write means no file.
 */
export async function memberHistoryExport(
  user: AuthUser,
  id: Types.ObjectId,
  locale: Locale,
): Promise<{ body: string; filename: string }> {
  // memberFilter pins a student to their own record whatever id was asked; another id is a 404 here.
  if (user.role === 'student' && user.memberId !== String(id)) throw notFound();
  const member = await Member.findOne(memberFilter(user, id))
    .select({ schoolId: 1, studentCode: 1, ...CONSENT_PAUSE_PROJECTION })
    .lean<{
      _id: Types.ObjectId;
      schoolId?: Types.ObjectId | null;
      studentCode: string;
      consent?: ConsentRecord;
    }>();
  if (!member) throw notFound();
  // Paused by the student's withdrawn consent: staff may not export the record (409 with the
  // reason, nothing logged as exported); the student's own copy stays a data-subject right.
  if (user.role !== 'student' && consentWithdrawn(member.consent))
    throw consentPausedResponse(member.consent, locale);
  await appendAudit({
    actorId: user.id,
    action: 'member.history.export',
    entity: 'Member',
    entityId: member._id,
    unitId: member.schoolId ?? null,
    details: { format: 'csv' },
  });
  const t = createT(locale);
  const events = await AuditEvent.find({ entity: 'Member', entityId: member._id })
    .select({ seq: 1, hash: 1, at: 1, actorId: 1, action: 1, entity: 1, entityId: 1, details: 1 })
    .sort({ at: 1, seq: 1, _id: 1 })
    .lean<LeanEvent[]>();
  const names = await namesOf(events, user);
  const header = [
    t('audit.col.at'),
    t('audit.col.actor'),
    t('audit.col.action'),
    t('audit.col.details'),
    'seq',
    'hash',
  ];
  const lines = events.map((e) => {
    const actor = e.actorId ? names.actor.get(String(e.actorId)) : undefined;
    return [
      formatDateTime(e.at, locale),
      actor ? `${actor.name} <${actor.email}>` : t('audit.system'),
      actionLabel(t, e.action),
      summaryText(summarizeDetails(e.details, names.ids), t('audit.reason')),
      e.seq == null ? '' : String(e.seq),
      e.hash ?? '',
    ]
      .map((v) => csvField(v, 'text'))
      .join(',');
  });
  // The BOM makes Excel read the file as UTF-8, so Vietnamese diacritics survive.
  const body = '\uFEFF' + [header.map((h) => csvField(h, 'text')).join(','), ...lines].join('\r\n') + '\r\n';
  const safeCode = member.studentCode.replace(/[^A-Za-z0-9_-]/g, '_');
  return { body, filename: `lich-su-${safeCode}.csv` };
}

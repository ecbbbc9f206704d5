/**
 * The chi bộ registers of official members (app/domain/party-register.ts): the school
 * Party committee's page lists its cells with their dated counts and records a new count,
 * from a day, with a reason; the vote steps read the count in force on the meeting day.
 * Scope is in every query; a record is the unit's update and its audit event in one
 * transaction (decision 018).
 */
import { data, redirect } from '@remix-run/node';
import mongoose, { Types } from 'mongoose';
import { Unit } from '../../../models/unit';
import { User } from '../../../models/user';
import { dayNumber, isoDay, vietnamDay } from '~/domain/calendar';
import { countOn, registerEntrySchema, registerOf, type RegisterEntry } from '~/domain/party-register';
import type { VoteCell } from '~/domain/pipeline';
import { appendAudit } from '../audit/audit.server';
import type { AuthUser } from '../auth/auth.server';
import { brokeMembersParam } from '../members/broke-members.server';
import { refreshConflictsOfCell } from './pipeline-conflicts.server';
import { unitScopeFilter } from '../auth/permissions.server';
import { inTransaction } from '../transaction.server';
import { parseForm, refusal, typedValues, type FieldErrors, type FormResult } from '../forms/conform';
import { isObjectId } from '~/domain/ids';
import { notFound } from '../responses.server';

interface StoredEntry extends RegisterEntry {
  by?: Types.ObjectId | null;
  at?: Date;
}

interface LeanCell {
  _id: Types.ObjectId;
  name: string;
  code: string;
  active: boolean;
  officialMembers?: StoredEntry[];
  officialMemberCount?: number | null;
}

/** The cells of the user's scope with their registers, newest entry first, and today's counts. */
export async function partyCellRegisters(user: AuthUser, now = new Date()) {
  const cells = await Unit.find({ kind: 'party_cell', ...unitScopeFilter(user) })
    .select({ name: 1, code: 1, active: 1, officialMembers: 1, officialMemberCount: 1 })
    .sort({ active: -1, name: 1 })
    .limit(500)
    .lean<LeanCell[]>();
  const byIds = [
    ...new Set(cells.flatMap((c) => (c.officialMembers ?? []).map((e) => (e.by ? String(e.by) : '')))),
  ].filter(Boolean);
  const users = byIds.length
    ? await User.find({ _id: mongoose.trusted({ $in: byIds.map((id) => new Types.ObjectId(id)) }) })
        .select({ name: 1 })
        .lean()
    : [];
  const nameOf = new Map(users.map((u) => [String(u._id), u.name]));
  return cells.map((c) => ({
    id: String(c._id),
    name: c.name,
    code: c.code,
    active: c.active,
    today: countOn(registerOf(c), now),
    entries: (c.officialMembers ?? [])
      .map((e) => ({
        count: e.count,
        from: vietnamDay(e.from),
        reason: e.reason ?? '',
        by: e.by ? (nameOf.get(String(e.by)) ?? null) : null,
        at: e.at ? e.at.toISOString() : null,
      }))
      .reverse(),
  }));
}

export { registerOfCell } from './cell-register.server';

export interface RegisterFailure {
  cellId: string;
  /** conform's reply, for the cell's form. */
  result: FormResult;
  fieldErrors: FieldErrors;
  values: Record<string, string>;
}

/**
 * Records a new count for one cell of the user's scope: from a day (not after today), with
 * a reason; 400 with a message beside each field, 404 outside the scope. The unit keeps
 * `officialMemberCount` as today's count, for the pages that show one number.
 */
export async function recordRegister(user: AuthUser, form: FormData, now = new Date()) {
  const cellId = String(form.get('cellId') ?? '');
  if (!isObjectId(cellId)) throw notFound();
  const submission = parseForm(form, registerEntrySchema(dayNumber(now)));
  if (submission.status !== 'success') {
    const { count = '', from = '', reason = '' } = typedValues(submission.payload);
    return data<RegisterFailure>(
      { cellId, ...refusal(submission), values: { count, from, reason } },
      { status: 400 },
    );
  }
  const { count, from, reason } = submission.value;
  const entry = {
    count,
    from: new Date(`${from}T00:00:00Z`),
    reason,
    by: new Types.ObjectId(user.id),
    at: now,
  };
  const found = await inTransaction(async () => {
    const cell = await Unit.findOne({
      _id: new Types.ObjectId(cellId),
      kind: 'party_cell',
      ...unitScopeFilter(user),
    })
      .select({ officialMembers: 1, officialMemberCount: 1, schoolId: 1 })
      .lean<LeanCell & { schoolId?: Types.ObjectId | null }>();
    if (!cell) return null;
    const before = registerOf(cell);
    // A cell from before the register keeps its old count as the first entry.
    const entries = cell.officialMembers?.length
      ? [entry]
      : [...before.map((e) => ({ ...e, reason: e.reason ?? null, by: null, at: now })), entry];
    await Unit.updateOne(
      { _id: cell._id },
      {
        $push: { officialMembers: { $each: entries } },
        $set: { officialMemberCount: countOn([...before, entry], now) },
      },
    );
    await appendAudit({
      actorId: user.id,
      action: 'unit.register',
      entity: 'Unit',
      entityId: cell._id,
      unitId: cell.schoolId ?? cell._id,
      details: { before: { count: countOn(before, from) }, after: { count }, from, reason },
    });
    // Votes judged against this register are re-checked against the new count; the page
    // after the redirect names the members whose vote the change broke.
    return (await refreshConflictsOfCell(cell._id, user.id, now)).map((b) => b.memberId);
  });
  if (!found) throw notFound();
  throw redirect(`/school/party-cells?ok=${cellId}${brokeMembersParam(found)}`);
}

/** A chi bộ offered to a vote form: its dated register, for the count shown on the meeting day. */
export interface VoteCellOption {
  id: string;
  name: string;
  active: boolean;
  /** The register's entries in the order recorded (`from` as YYYY-MM-DD): countOn reads them in the browser. */
  register: { count: number; from: string }[];
}

/**
 * The party cells a vote of a member of `schoolId` may be recorded in: the school's active
 * cells, and `keep` (the member's own cell) even when it is no longer active, each with its
 * register. Scope in the query.
 */
export async function voteCellOptions(
  user: AuthUser,
  schoolId: Types.ObjectId | null | undefined,
  keep?: Types.ObjectId | null,
): Promise<VoteCellOption[]> {
  if (!schoolId) return [];
  const cells = await Unit.find({
    kind: 'party_cell',
    schoolId,
    $and: [unitScopeFilter(user), keep ? { $or: [{ active: true }, { _id: keep }] } : { active: true }],
  })
    .select({ name: 1, active: 1, officialMembers: 1, officialMemberCount: 1 })
    .sort({ name: 1 })
    .limit(200)
    .lean<LeanCell[]>();
  return cells.map((c) => ({
    id: String(c._id),
    name: c.name,
    active: c.active,
    register: registerOf(c).map((e) => ({ count: e.count, from: isoDayOf(e.from) })),
  }));
}

const isoDayOf = (from: RegisterEntry['from']) => isoDay(dayNumber(from));

/**
 * The chi bộ a vote is recorded in, with its register, for the machine (`CheckOptions.cell`):
 * a party cell of the member's school and of the user's scope; null otherwise (another
 * school's cell, a unit that is not a cell, an id that is not one).
 */
export async function voteCellOf(
  user: AuthUser,
  schoolId: Types.ObjectId | null | undefined,
  cellId: string,
): Promise<VoteCell | null> {
  if (!schoolId || !isObjectId(cellId)) return null;
  const cell = await Unit.findOne({
    _id: new Types.ObjectId(cellId),
    kind: 'party_cell',
    schoolId,
    ...unitScopeFilter(user),
  })
    .select({ name: 1, officialMembers: 1, officialMemberCount: 1 })
    .lean<LeanCell>();
  return cell ? { id: String(cell._id), name: cell.name, register: registerOf(cell) } : null;
}

/**
 * Unit administration: tree listing, the parent picker and the one save action the
 * new and edit pages share. A unit's `ancestors`, `schoolId` and `schoolKind` are
 * always computed here from its parent, never taken from the form. Each save or
 * (de)activation writes the unit and its audit event (chain "Unit:<id>") in one
 * transaction (decision 018).
 */
import type { Submission } from '@conform-to/react';
import { data, redirect } from '@remix-run/node';
import mongoose, { Types } from 'mongoose';
import { z } from 'zod';
import { Member } from '../../../models/member';
import { Unit } from '../../../models/unit';
import { ConductBandsSchema, conductBandsOf } from '~/domain/academic';
import { vietnamDay } from '~/domain/calendar';
import { compareVietnamese, searchKey } from '~/domain/text';
import type { MessageKey } from '~/i18n';
import {
  PARENT_KINDS,
  UNIT_KIND_VALUES,
  UnitSchema,
  type ParentOption,
  type UnitFormValues,
  type UnitInput,
  type UnitKindValue,
} from '~/utils/forms/unit';
import { appendAudit } from '../audit/audit.server';
import type { AuthUser } from '../auth/auth.server';
import { noteMemberWrite } from '../criteria/eligibility.server';
import { unitScopeFilter } from '../auth/permissions.server';
import { inTransaction } from '../transaction.server';
import { parseForm, refusal, typedValues, type FieldErrors } from '../forms/conform';
import { isObjectId } from '~/domain/ids';
import { notFound, invariantResponse } from '../responses.server';

export const UNITS_PAGE_SIZE = 100;

export const UnitListQuerySchema = z.object({
  q: z.string().trim().max(100).catch(''),
  kind: z.enum(UNIT_KIND_VALUES).optional().catch(undefined),
  status: z.enum(['all', 'active', 'inactive']).catch('all'),
  page: z.coerce.number().int().min(1).max(10_000).catch(1),
});
export type UnitListQuery = z.infer<typeof UnitListQuerySchema>;

interface TreeUnit {
  _id: Types.ObjectId;
  name: string;
  shortName?: string | null;
  code: string;
  kind: string;
  active: boolean;
  parentId?: Types.ObjectId | null;
  ancestors: Types.ObjectId[];
}

/** Depth-first order, siblings by Vietnamese name; depth relative to the shallowest unit shown. */
function treeOrder<T extends TreeUnit>(units: T[]): (T & { depth: number })[] {
  const ids = new Set(units.map((u) => String(u._id)));
  const children = new Map<string, T[]>();
  const roots: T[] = [];
  for (const u of units) {
    const parent = u.parentId ? String(u.parentId) : null;
    if (parent && ids.has(parent)) {
      const list = children.get(parent) ?? [];
      list.push(u);
      children.set(parent, list);
    } else roots.push(u);
  }
  const byName = (a: T, b: T) => compareVietnamese(a.name, b.name);
  const minDepth = Math.min(...units.map((u) => u.ancestors.length));
  const out: (T & { depth: number })[] = [];
  const visit = (u: T) => {
    out.push({ ...u, depth: u.ancestors.length - minDepth });
    for (const c of (children.get(String(u._id)) ?? []).sort(byName)) visit(c);
  };
  // Current roots before legacy ones (e.g. pre-merger provinces kept inactive).
  roots.sort((a, b) => Number(b.active) - Number(a.active) || byName(a, b)).forEach(visit);
  return out;
}

async function unitsInScope(user: AuthUser, extra: Record<string, unknown> = {}) {
  return Unit.find({ ...unitScopeFilter(user), ...extra })
    .select({ name: 1, shortName: 1, code: 1, kind: 1, active: 1, parentId: 1, ancestors: 1, schoolKind: 1 })
    .lean<(TreeUnit & { schoolKind?: string | null })[]>();
}

/**
 * The unit list. A province has hundreds of units, not millions, so the scoped set
 * is read once and searched in memory: that gives diacritic-insensitive search and
 * tree order without a search-key field on units.
 */
export async function listUnits(user: AuthUser, query: UnitListQuery) {
  const all = treeOrder(await unitsInScope(user));
  const needle = searchKey(query.q);
  const rows = all.filter(
    (u) =>
      (!query.kind || u.kind === query.kind) &&
      (query.status === 'all' || u.active === (query.status === 'active')) &&
      (!needle || searchKey(`${u.name} ${u.shortName ?? ''} ${u.code}`).includes(needle)),
  );
  const pages = Math.max(1, Math.ceil(rows.length / UNITS_PAGE_SIZE));
  const page = Math.min(query.page, pages);
  return {
    rowCount: rows.length,
    page,
    pages,
    rows: rows.slice((page - 1) * UNITS_PAGE_SIZE, page * UNITS_PAGE_SIZE).map((u) => ({
      id: String(u._id),
      name: u.name,
      code: u.code,
      kind: u.kind,
      active: u.active,
      depth: u.depth,
    })),
  };
}

/** Active units of the given kinds in the user's scope, in tree order, for pickers. */
export async function unitOptions(user: AuthUser, kinds: readonly UnitKindValue[]): Promise<ParentOption[]> {
  const units = await unitsInScope(user, { kind: mongoose.trusted({ $in: [...kinds] }), active: true });
  return treeOrder(units).map((u) => ({ id: String(u._id), label: `${u.name} (${u.code})`, depth: u.depth }));
}

/** Units that can hold others. */
export const parentOptions = (user: AuthUser) => unitOptions(user, ['province', 'school', 'faculty']);

export async function getUnit(user: AuthUser, id: Types.ObjectId) {
  const unit = await Unit.findOne({ _id: id, ...unitScopeFilter(user) })
    .select({
      name: 1,
      shortName: 1,
      code: 1,
      kind: 1,
      schoolKind: 1,
      parentId: 1,
      ancestors: 1,
      active: 1,
      validFrom: 1,
      validTo: 1,
      legacyNote: 1,
      officialMemberCount: 1,
      conductBands: 1,
    })
    .lean();
  if (!unit) throw notFound();
  const path = unit.ancestors.length
    ? await Unit.find({ _id: mongoose.trusted({ $in: unit.ancestors }) })
        .select({ name: 1 })
        .lean()
    : [];
  const nameOf = new Map(path.map((p) => [String(p._id), p.name]));
  return {
    id: String(unit._id),
    active: unit.active,
    kind: unit.kind,
    name: unit.name,
    path: unit.ancestors.map((a) => nameOf.get(String(a)) ?? '?'),
    // Schools: the conduct-score bands below "Tốt" in force (the defaults when none is set).
    conductBands: unit.kind === 'school' ? conductBandsOf(unit.conductBands) : null,
    conductBandsSet: unit.kind === 'school' && !!unit.conductBands,
    values: {
      name: unit.name,
      shortName: unit.shortName ?? '',
      code: unit.code,
      kind: unit.kind,
      schoolKind: unit.schoolKind ?? '',
      parentId: unit.parentId ? String(unit.parentId) : '',
      validFrom: vietnamDay(unit.validFrom),
      validTo: vietnamDay(unit.validTo),
      legacyNote: unit.legacyNote ?? '',
      officialMemberCount: unit.officialMemberCount == null ? '' : String(unit.officialMemberCount),
    } satisfies UnitFormValues,
  };
}

/** A refused unit: conform's reply and its messages by field (forms/conform.ts), the values posted. */
function invalid(
  submission: Submission<UnitInput, MessageKey[]>,
  fieldErrors: FieldErrors | null,
  status = 400,
) {
  return data(
    {
      ...refusal(submission, fieldErrors ? { fieldErrors } : {}),
      values: submission.payload as UnitFormValues,
      formError: null as MessageKey | null,
    },
    { status },
  );
}

/** A duplicate key on the unique `code` index (not any other write of the action). */
const isCodeTaken = (error: unknown) =>
  typeof error === 'object' &&
  error !== null &&
  (error as { code?: unknown }).code === 11000 &&
  'code' in ((error as { keyPattern?: Record<string, unknown> }).keyPattern ?? {});

/**
 * Creates (existingId undefined) or updates a unit. Returns a 400/409 `data()` with
 * the submission and per-field messages, or throws a redirect with a toast.
 */
export async function saveUnit(user: AuthUser, formData: FormData, existingId?: Types.ObjectId) {
  // A copy of the text fields (a unit has no file): the kind of an existing unit is set below
  // without touching the caller's form.
  const form = new FormData();
  for (const [key, value] of formData) if (typeof value === 'string') form.append(key, value);

  let existing: { _id: Types.ObjectId; kind: string } | null = null;
  if (existingId) {
    existing = await Unit.findOne({ _id: existingId, ...unitScopeFilter(user) })
      .select({ kind: 1 })
      .lean();
    if (!existing) throw notFound();
    // The kind is fixed at creation (the editor disables it); a forged change is ignored.
    form.set('kind', existing.kind);
  }

  const submission = parseForm(form, UnitSchema);
  if (submission.status !== 'success') return invalid(submission, null);
  const input: UnitInput = submission.value;

  const id = existingId ?? new Types.ObjectId();
  let ancestors: Types.ObjectId[] = [];
  let schoolId: Types.ObjectId | null = input.kind === 'school' ? id : null;
  let schoolKind = input.kind === 'school' ? input.schoolKind : undefined;

  if (input.kind !== 'province') {
    if (!isObjectId(input.parentId)) return invalid(submission, { parentId: ['validation.parentRequired'] });
    const parent = await Unit.findOne({ _id: new Types.ObjectId(input.parentId), ...unitScopeFilter(user) })
      .select({ kind: 1, ancestors: 1, schoolId: 1, schoolKind: 1 })
      .lean();
    if (!parent || !PARENT_KINDS[input.kind].includes(parent.kind as UnitKindValue)) {
      return invalid(submission, { parentId: ['validation.parentInvalid'] });
    }
    if (parent._id.equals(id) || parent.ancestors.some((a) => a.equals(id))) {
      return invalid(submission, { parentId: ['validation.parentCycle'] });
    }
    ancestors = [...parent.ancestors, parent._id];
    if (input.kind !== 'school') {
      schoolId = parent.kind === 'school' ? parent._id : (parent.schoolId ?? null);
      schoolKind = (parent.schoolKind ?? undefined) as typeof schoolKind;
    }
  } else if (user.role !== 'admin') {
    return invalid(submission, { kind: ['validation.invalidChoice'] }, 403);
  }

  if (await Unit.exists({ code: input.code, _id: mongoose.trusted({ $ne: id }) })) {
    return invalid(submission, { code: ['validation.codeTaken'] }, 409);
  }

  const fields: Record<string, unknown> = {
    name: input.name,
    shortName: input.shortName,
    code: input.code,
    kind: input.kind,
    schoolKind,
    parentId: input.kind === 'province' ? null : new Types.ObjectId(input.parentId),
    ancestors,
    schoolId,
    validFrom: input.validFrom ? new Date(`${input.validFrom}T00:00:00Z`) : undefined,
    validTo: input.validTo ? new Date(`${input.validTo}T00:00:00Z`) : undefined,
    legacyNote: input.legacyNote,
  };
  // A chi bộ's count is its register's (app/utils/pipeline/party-register.server.ts): set here only
  // when the cell is created, as the register's first entry; later counts go through the
  // register, dated and with a reason, never by editing the unit.
  if (!existing && input.kind === 'party_cell' && input.officialMemberCount !== undefined) {
    const from = input.validFrom ? new Date(`${input.validFrom}T00:00:00Z`) : new Date();
    fields.officialMemberCount = input.officialMemberCount;
    fields.officialMembers = [
      {
        count: input.officialMemberCount,
        from: new Date(`${vietnamDay(from)}T00:00:00Z`),
        reason: REGISTER_FIRST_REASON,
        by: new Types.ObjectId(user.id),
        at: new Date(),
      },
    ];
  }

  let outcome: 'saved' | 'savedWithMembers' | 'cannotMove' | 'notFound';
  try {
    // The unit, what copies its school kind, and the event commit together or not at all
    // (decision 018). The move check reads inside, on the snapshot the write stands on.
    outcome = await inTransaction(async () => {
      if (!existing) {
        await Unit.create({ _id: id, ...fields, active: true });
        await auditUnit(user, 'unit.create', id, { after: recorded(fields) });
        return 'saved';
      }
      const before = (await Unit.findOne({ _id: id }).select(UNIT_FIELDS_PROJECTION).lean()) as Record<
        string,
        unknown
      > | null;
      if (!before) return 'notFound';
      const moved = String(before.parentId ?? '') !== String(fields.parentId ?? '');
      // Members and sub-units copy their ancestors; moving a populated unit would strand
      // them, so it is refused and no descendant's ancestors are ever rewritten here.
      if (moved && ((await Unit.exists({ parentId: id })) || (await Member.exists({ ancestors: id }))))
        return 'cannotMove';
      const changed = UNIT_FIELDS.filter((k) => !sameValue(before[k], fields[k]));
      if (changed.length === 0) return 'saved';
      const unset = Object.fromEntries(
        Object.entries(fields)
          .filter(([, v]) => v === undefined)
          .map(([k]) => [k, 1]),
      );
      const set = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
      await Unit.updateOne(
        { _id: id },
        { $set: set, ...(Object.keys(unset).length ? { $unset: unset } : {}) },
      );
      const copies: Record<string, number> = {};
      // A school's kind is copied to its units and members so lists filter without a join.
      // The copies are derived (the school's event records the change): members keep their
      // version, so no member form goes stale and no member event is due.
      if (input.kind === 'school' && before.schoolKind !== schoolKind) {
        copies.units = (await Unit.updateMany({ ancestors: id }, { $set: { schoolKind } })).modifiedCount;
        copies.members = (await Member.updateMany({ schoolId: id }, { $set: { schoolKind } })).modifiedCount;
      }
      await auditUnit(user, 'unit.update', id, {
        fields: changed,
        before: recorded(before, changed),
        after: recorded(fields, changed),
        ...(Object.keys(copies).length ? { copies } : {}),
      });
      return copies.members ? 'savedWithMembers' : 'saved';
    });
  } catch (error) {
    if (isCodeTaken(error)) return invalid(submission, { code: ['validation.codeTaken'] }, 409);
    throw error;
  }
  if (outcome === 'notFound') throw notFound();
  if (outcome === 'cannotMove') return invalid(submission, { parentId: ['validation.cannotMove'] });
  // Members' school kind decides which criteria set judges them: their verdicts are refreshed.
  if (outcome === 'savedWithMembers') noteMemberWrite();
  throw redirect(existing ? `/admin/units/${id}?ok=unitSaved` : `/admin/units/${id}?ok=unitCreated`);
}

/** The stored fields a save sets, recorded before/after in its event (`ancestors` follows `parentId`). */
const UNIT_FIELDS = [
  'name',
  'shortName',
  'code',
  'kind',
  'schoolKind',
  'parentId',
  'schoolId',
  'validFrom',
  'validTo',
  'legacyNote',
] as const;
const UNIT_FIELDS_PROJECTION = Object.fromEntries(UNIT_FIELDS.map((k) => [k, 1]));
/** The reason of a chi bộ's first register entry, written when the unit is created. */
const REGISTER_FIRST_REASON = 'Số đảng viên chính thức khi lập chi bộ';

const comparable = (v: unknown) =>
  v === undefined || v === null || v === '' ? null : v instanceof Date ? v.getTime() : String(v);
const sameValue = (a: unknown, b: unknown) => comparable(a) === comparable(b);

/** The listed fields (all by default), absent ones as null: an event says what a field was. */
function recorded(from: Record<string, unknown>, keys: readonly string[] = UNIT_FIELDS) {
  return Object.fromEntries(keys.map((k) => [k, from[k] ?? null]));
}

/** An event in the unit's own chain (Unit:<id>), listed under the unit itself. */
async function auditUnit(
  user: AuthUser,
  action: string,
  id: Types.ObjectId,
  details: Record<string, unknown>,
) {
  await appendAudit({ actorId: user.id, action, entity: 'Unit', entityId: id, unitId: id, details });
}

/** The conduct-score bands of the school of a member in the user's scope (the defaults if unset). */
export async function conductBandsOfMember(memberScope: Record<string, unknown>) {
  const m = await Member.findOne(memberScope).select({ schoolId: 1 }).lean();
  const school = m?.schoolId
    ? await Unit.findOne({ _id: m.schoolId }).select({ conductBands: 1 }).lean()
    : null;
  return conductBandsOf(school?.conductBands);
}

/**
 * A school's conduct-score bands below "Tốt" (Khá from goodMin, Trung bình from averageMin),
 * validated by ConductBandsSchema (whole scores 0–100, 80 > goodMin > averageMin): 400 with a
 * message beside each field, nothing written; otherwise the unit and its event
 * (`unit.conduct_bands`, before and after) in one transaction. Only schools have bands.
 */
export async function saveConductBands(user: AuthUser, id: Types.ObjectId, formData: FormData) {
  const submission = parseForm(formData, ConductBandsSchema);
  if (submission.status !== 'success') {
    const { goodMin = '', averageMin = '' } = typedValues(submission.payload);
    const values = { goodMin, averageMin };
    return data({ intent: 'conductBands' as const, ...refusal(submission), values }, { status: 400 });
  }
  const bands = submission.value;
  const outcome = await inTransaction(async () => {
    const unit = await Unit.findOne({ _id: id, ...unitScopeFilter(user) })
      .select({ kind: 1, conductBands: 1 })
      .lean();
    if (!unit) return 'notFound' as const;
    if (unit.kind !== 'school') return 'notSchool' as const;
    const before = conductBandsOf(unit.conductBands);
    if (unit.conductBands && before.goodMin === bands.goodMin && before.averageMin === bands.averageMin)
      return 'unchanged' as const;
    await Unit.updateOne({ _id: id }, { $set: { conductBands: bands } });
    await auditUnit(user, 'unit.conduct_bands', id, {
      before: unit.conductBands ? before : null,
      after: bands,
    });
    return 'saved' as const;
  });
  if (outcome === 'notFound') throw notFound();
  invariantResponse(outcome !== 'notSchool', 'Only schools have conduct bands');
  throw redirect(`/admin/units/${id}?ok=unitSaved`);
}

export async function setUnitActive(user: AuthUser, id: Types.ObjectId, active: boolean) {
  const update = active
    ? { $set: { active: true }, $unset: { validTo: 1 } }
    : { $set: { active: false, validTo: new Date() } };
  // The flag and its event: both or neither.
  const found = await inTransaction(async () => {
    const before = await Unit.findOneAndUpdate({ _id: id, ...unitScopeFilter(user) }, update, {
      returnDocument: 'before',
      projection: { active: 1, validTo: 1 },
    }).lean();
    if (!before) return false;
    // Activating an active unit changes nothing: nothing to record.
    if (before.active !== active)
      await auditUnit(user, active ? 'unit.activate' : 'unit.deactivate', id, {
        before: { active: before.active },
        after: { active },
      });
    return true;
  });
  if (!found) throw notFound();
  throw redirect(`/admin/units/${id}?ok=${active ? 'unitActivated' : 'unitDeactivated'}`);
}

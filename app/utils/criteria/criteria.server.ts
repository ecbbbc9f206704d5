/**
 * Criteria sets on the server: who may read which sets, editing drafts,
 * activation (retiring the previous active version), "new draft from this
 * version", the active set a member is judged by, the member's verdict, and the
 * simulation of a draft against the active set over every member in scope.
 *
 * Which set judges a member (decision): the active set of the member's province
 * and school kind, purpose 'selection' unless asked, with the latest school year
 * not after today's. A set stays in force until a later year's set is activated,
 * so a province that has not yet adopted 2026-2027 rules keeps judging by 2025-2026.
 *
 * Reading rights: criteria:manage (admin, province_union) reads and edits every
 * set of its province; school roles read only the ACTIVE sets of their school's
 * kind in their province. Everything else is a 404 inside the query itself.
 */
import { data, redirect } from '@remix-run/node';
import mongoose, { Types } from 'mongoose';
import { CriteriaSetModel } from '../../../models/criteria-set';
import { Member } from '../../../models/member';
import { Unit } from '../../../models/unit';
import { User } from '../../../models/user';
import {
  emptyDiffCounts,
  evaluate,
  simulate,
  type CriteriaMember,
  type CriteriaPurpose,
  type CriteriaSet,
  type Rule,
  type SchoolKind,
  type Text,
  type Verdict,
  type VerdictChange,
  type VerdictDiffCounts,
} from '~/domain/criteria';
import { schoolYearOf, vietnamDay } from '~/domain/calendar';
import {
  checkCriteriaForm,
  criteriaFromForm,
  ruleValues,
  type CriteriaFieldErrors,
  type RuleValues,
} from '~/utils/forms/criteria';
import { appendAudit } from '../audit/audit.server';
import { ENGINE_PROJECTION, toEngineSet, type LeanSet } from './criteria-engine.server';
import { forgetActiveSignature, refreshEligibility } from './eligibility.server';
import type { AuthUser } from '../auth/auth.server';
import { can } from '~/domain/permissions';
import { requireUser, scopeFilter } from '../auth/permissions.server';
import { inTransaction } from '../transaction.server';
import { conflict, forbidden, notFound } from '../responses.server';

const oid = (id: string | Types.ObjectId) => new Types.ObjectId(String(id));

/** A duplicate key on the unique version index of a set's key (not any other write). */
const isVersionTaken = (error: unknown) =>
  typeof error === 'object' &&
  error !== null &&
  (error as { code?: unknown }).code === 11000 &&
  'version' in ((error as { keyPattern?: Record<string, unknown> }).keyPattern ?? {});

/** A duplicate key on the one-active-set-per-key index. */
const isSecondActive = (error: unknown) => {
  if (typeof error !== 'object' || error === null || (error as { code?: unknown }).code !== 11000)
    return false;
  const pattern = (error as { keyPattern?: Record<string, unknown> }).keyPattern ?? {};
  return 'purpose' in pattern && !('version' in pattern);
};

export interface CriteriaAccess {
  user: AuthUser;
  canManage: boolean;
  /** Goes into every criteria-set query. */
  filter: Record<string, unknown>;
}

/** Managers see their province's sets; school roles the active sets of their school kind. */
export async function requireCriteriaAccess(request: Request): Promise<CriteriaAccess> {
  const user = await requireUser(request);
  if (can(user.role, 'criteria:manage')) {
    return { user, canManage: true, filter: user.role === 'admin' ? {} : { unitId: oid(user.unitId) } };
  }
  if (user.role === 'school_union' || user.role === 'school_party') {
    const unit = await Unit.findOne({ _id: oid(user.unitId) })
      .select({ ancestors: 1, schoolKind: 1 })
      .lean();
    if (!unit?.schoolKind) throw forbidden();
    return {
      user,
      canManage: false,
      filter: {
        unitId: mongoose.trusted({ $in: [unit._id, ...unit.ancestors] }),
        schoolKind: unit.schoolKind,
        status: 'active',
      },
    };
  }
  throw forbidden();
}

export async function requireCriteriaManager(request: Request): Promise<CriteriaAccess> {
  const access = await requireCriteriaAccess(request);
  if (!access.canManage) throw forbidden();
  return access;
}

// ---------------------------------------------------------------------------
// Reading sets

const iso = (d?: Date | null) => (d ? d.toISOString() : null);

function setSummary(doc: LeanSet) {
  return {
    id: String(doc._id),
    name: doc.name,
    schoolKind: doc.schoolKind,
    schoolYear: doc.schoolYear,
    purpose: doc.purpose,
    version: doc.version,
    status: doc.status,
    ruleCount: Array.isArray(doc.rules) ? doc.rules.length : 0,
    updatedAt: iso(doc.updatedAt),
    activatedAt: iso(doc.activatedAt),
  };
}
export type CriteriaSetSummary = ReturnType<typeof setSummary>;

export async function listSets(access: CriteriaAccess): Promise<CriteriaSetSummary[]> {
  const docs = await CriteriaSetModel.find(access.filter)
    .select({ history: 0 })
    .sort({ schoolKind: 1, schoolYear: -1, purpose: 1, version: -1 })
    .lean<LeanSet[]>();
  return docs.map(setSummary);
}

async function findSet(access: CriteriaAccess, id: Types.ObjectId): Promise<LeanSet> {
  const doc = await CriteriaSetModel.findOne({ _id: id, ...access.filter }).lean<LeanSet>();
  if (!doc) throw notFound();
  return doc;
}

export async function getSet(access: CriteriaAccess, id: Types.ObjectId) {
  const doc = await findSet(access, id);
  const active =
    doc.status === 'active'
      ? null
      : await CriteriaSetModel.findOne({ ...keyOf(doc), status: 'active' })
          .select({ _id: 1, version: 1, name: 1 })
          .lean<Pick<LeanSet, '_id' | 'version' | 'name'>>();
  return {
    ...setSummary(doc),
    rules: doc.rules,
    passMark: doc.passMark ?? null,
    retiredAt: iso(doc.retiredAt),
    basedOn: doc.basedOn ? String(doc.basedOn) : null,
    history: await withActorNames(doc.history ?? []),
    activeVersion: active ? { id: String(active._id), version: active.version } : null,
  };
}

/** History entries with who did them: one `$in` query for every actor's name. */
async function withActorNames(history: NonNullable<LeanSet['history']>) {
  const ids = [...new Set(history.flatMap((h) => (h.by ? [String(h.by)] : [])))];
  const users = ids.length
    ? await User.find({ _id: mongoose.trusted({ $in: ids.map(oid) }) })
        .select({ name: 1 })
        .lean<{ _id: Types.ObjectId; name: string }[]>()
    : [];
  const names = new Map(users.map((u) => [String(u._id), u.name]));
  return history.map((h) => ({
    at: h.at.toISOString(),
    action: h.action,
    by: h.by ? (names.get(String(h.by)) ?? '') : '',
    note: h.note ?? '',
  }));
}

/** The draft's values for the editor; an active or retired set is a 409 (read-only). */
export async function getDraftForEdit(access: CriteriaAccess, id: Types.ObjectId) {
  const doc = await findSet(access, id);
  if (doc.status !== 'draft') throw conflict('Only drafts can be edited');
  // The engine's view of the set (a stored set always has its purpose), the rules as the form's values.
  return { ...toEngineSet(doc), purpose: doc.purpose, rules: ruleValues(doc.rules) };
}

function keyOf(doc: Pick<LeanSet, 'unitId' | 'schoolKind' | 'schoolYear' | 'purpose'>) {
  return { unitId: doc.unitId, schoolKind: doc.schoolKind, schoolYear: doc.schoolYear, purpose: doc.purpose };
}

async function audit(user: AuthUser, action: string, doc: LeanSet, details: Record<string, unknown>) {
  await appendAudit({
    actorId: oid(user.id),
    action,
    entity: 'CriteriaSet',
    entityId: doc._id,
    unitId: doc.unitId,
    details: { version: doc.version, schoolKind: doc.schoolKind, schoolYear: doc.schoolYear, ...details },
  });
}

// ---------------------------------------------------------------------------
// Writing sets

/** Saves a draft from the editor form: 400 with per-field codes, 409 when it is no longer a draft. */
export async function saveDraft(access: CriteriaAccess, id: Types.ObjectId, formData: FormData) {
  const doc = await findSet(access, id);
  if (doc.status !== 'draft') throw conflict('Only drafts can be edited');
  const input = criteriaFromForm(formData);
  const check = checkCriteriaForm(input, doc);
  if (!check.ok) {
    return data(
      {
        errors: check.errors,
        values: {
          name: typeof input.name === 'string' ? input.name : '',
          passMark:
            typeof input.passMark === 'number' && !Number.isNaN(input.passMark) ? input.passMark : undefined,
          rules: ruleValues(input.rules as unknown as Rule[]).map(blankNaN),
        },
      },
      { status: 400 },
    );
  }
  const { name, rules, passMark } = check.set;
  // The draft and its event commit together or not at all (decision 018).
  const saved = await inTransaction(async () => {
    const res = await CriteriaSetModel.updateOne(
      { _id: doc._id, status: 'draft' },
      {
        $set: { name, rules, ...(passMark === undefined ? {} : { passMark }) },
        ...(passMark === undefined ? { $unset: { passMark: 1 } } : {}),
        $push: { history: { at: new Date(), by: oid(access.user.id), action: 'edited' } },
      },
    );
    if (res.matchedCount !== 1) return false;
    await audit(access.user, 'criteria.edit', doc, {});
    return true;
  });
  if (!saved) throw conflict('Only drafts can be edited');
  throw redirect(`/criteria/${String(doc._id)}?ok=criteria-saved`);
}

function blankNaN(v: RuleValues): RuleValues {
  const out: RuleValues = {};
  for (const [k, val] of Object.entries(v)) {
    if (k === 'rules' && Array.isArray(val)) out.rules = (val as RuleValues[]).map(blankNaN);
    else out[k] = val === 'NaN' ? '' : val;
  }
  return out;
}

/** "New draft from this version": a copy with version = highest of its key + 1. */
export async function newDraftFrom(access: CriteriaAccess, id: Types.ObjectId) {
  if (!access.canManage) throw forbidden();
  const source = await findSet(access, id);
  for (let attempt = 0; attempt < 3; attempt++) {
    let createdId: Types.ObjectId;
    try {
      // The copy and its event commit together or not at all (decision 018).
      createdId = await inTransaction(async () => {
        const top = await CriteriaSetModel.findOne(keyOf(source))
          .sort({ version: -1 })
          .select({ version: 1 })
          .lean<{ version: number }>();
        const version = (top?.version ?? 0) + 1;
        const now = new Date();
        const created = await CriteriaSetModel.create({
          ...keyOf(source),
          version,
          status: 'draft',
          name: source.name.replace(/\s*\(mặc định\)$/, ''),
          rules: source.rules,
          ...(typeof source.passMark === 'number' ? { passMark: source.passMark } : {}),
          basedOn: source._id,
          createdBy: oid(access.user.id),
          history: [{ at: now, by: oid(access.user.id), action: 'created', note: `v${source.version}` }],
        });
        await audit(access.user, 'criteria.draft', created.toObject() as unknown as LeanSet, {
          from: source._id,
        });
        return created._id;
      });
    } catch (error) {
      // Two managers copying at once: the unique version index refused the second, whose
      // transaction is rolled back whole; take the next number in a new one.
      if (isVersionTaken(error)) continue;
      throw error;
    }
    throw redirect(`/criteria/${String(createdId)}/edit?ok=criteria-draft`);
  }
  throw conflict('Could not number the new version');
}

/**
 * Activates a draft: in one transaction the previous active set of the same key is
 * retired (first, as the unique partial index allows one active set per key), the draft
 * is activated and the event appended. Either all three commit or none does, so the key
 * never has two active sets, nor none in place of the previous one. Two activations of
 * the same key at once conflict over the previous set; the later is retried and retires
 * the one activated first.
 */
export async function activateSet(access: CriteriaAccess, id: Types.ObjectId) {
  if (!access.canManage) throw forbidden();
  const doc = await findSet(access, id);
  if (doc.status !== 'draft') throw conflict('Only drafts can be activated');
  const check = checkCriteriaForm(
    { name: doc.name, passMark: doc.passMark ?? undefined, rules: doc.rules as never },
    doc,
  );
  if (!check.ok) return data({ errors: check.errors, activateFailed: true as const }, { status: 400 });
  const by = oid(access.user.id);
  let activated: boolean;
  try {
    activated = await inTransaction(async () => {
      const now = new Date();
      const previous = await CriteriaSetModel.findOne({ ...keyOf(doc), status: 'active' })
        .select({ _id: 1, version: 1 })
        .lean<{ _id: Types.ObjectId; version: number }>();
      if (previous) {
        await CriteriaSetModel.updateOne(
          { _id: previous._id, status: 'active' },
          {
            $set: { status: 'retired', retiredAt: now },
            $push: { history: { at: now, by, action: 'retired', note: `v${doc.version}` } },
          },
        );
      }
      const r = await CriteriaSetModel.updateOne(
        { _id: doc._id, status: 'draft' },
        {
          $set: { status: 'active', activatedBy: by, activatedAt: now },
          $push: {
            history: { at: now, by, action: 'activated', note: previous ? `v${previous.version}` : '' },
          },
        },
      );
      // No longer a draft (activated meanwhile): abort, so the previous set is not retired.
      if (r.modifiedCount !== 1) throw new NotADraft();
      await audit(access.user, 'criteria.activate', doc, { retired: previous?._id ?? null });
      return true;
    });
  } catch (error) {
    if (error instanceof NotADraft) activated = false;
    else if (isSecondActive(error)) throw conflict('Another version became active meanwhile');
    else throw error;
  }
  if (!activated) throw conflict('Only drafts can be activated');
  invalidateActiveSets();
  if (doc.purpose === 'selection') {
    // Stored verdicts of the province catch up in the background; the member list
    // also refreshes whatever is stale before it queries (decision 006).
    forgetActiveSignature();
    refreshEligibility({ ancestors: doc.unitId, schoolKind: doc.schoolKind }).catch((error: unknown) =>
      console.error('[criteria] eligibility refresh failed', error),
    );
  }
  throw redirect(`/criteria/${String(doc._id)}?ok=criteria-activated`);
}

/** Thrown inside the activation's transaction to roll back the retirement already written. */
class NotADraft extends Error {}

// ---------------------------------------------------------------------------
// The set a member is judged by, and the verdict

export interface ActiveSet {
  doc: LeanSet;
  set: CriteriaSet;
}

// Active sets change a few times a year and are read on every verdict: cached
// per process for a minute, dropped at once on activation in this process.
const activeCache = new Map<string, { at: number; value: ActiveSet | null }>();
const ACTIVE_TTL_MS = 60_000;
export function invalidateActiveSets() {
  activeCache.clear();
}

/** The active set judging members of `schoolKind` under any of `unitIds` on `asOf` (see the header). */
export async function getActiveSet(
  unitIds: readonly Types.ObjectId[],
  schoolKind: string,
  purpose: CriteriaPurpose = 'selection',
  asOf = new Date(),
): Promise<ActiveSet | null> {
  const year = schoolYearOf(asOf);
  const key = `${unitIds.map(String).join(',')}|${schoolKind}|${purpose}|${year}`;
  const hit = activeCache.get(key);
  if (hit && Date.now() - hit.at < ACTIVE_TTL_MS) return hit.value;
  const doc = await CriteriaSetModel.findOne({
    unitId: mongoose.trusted({ $in: [...unitIds] }),
    schoolKind: schoolKind as SchoolKind,
    purpose,
    status: 'active',
    schoolYear: mongoose.trusted({ $lte: year }),
  })
    .select({ history: 0 })
    .sort({ schoolYear: -1 })
    .lean<LeanSet>();
  const value = doc ? { doc, set: toEngineSet(doc) } : null;
  activeCache.set(key, { at: Date.now(), value });
  return value;
}

export type VerdictMember = CriteriaMember & {
  schoolKind: string;
  ancestors?: readonly Types.ObjectId[] | null;
};

export interface MemberVerdict {
  set: { id: string; name: string; version: number; schoolYear: string; purpose: CriteriaPurpose } | null;
  verdict: Verdict | null;
  asOf: string;
}

/**
 * The verdict of one member against the active set of their school kind, for the
 * profile and the student portal. `member` needs the engine fields
 * (ENGINE_PROJECTION), `schoolKind` and `ancestors` (the province is among them).
 */
export async function getMemberVerdict(
  member: VerdictMember,
  options: { purpose?: CriteriaPurpose; asOf?: Date } = {},
): Promise<MemberVerdict> {
  const asOf = options.asOf ?? new Date();
  const active = await getActiveSet(member.ancestors ?? [], member.schoolKind, options.purpose, asOf);
  if (!active) return { set: null, verdict: null, asOf: asOf.toISOString() };
  return {
    set: {
      id: String(active.doc._id),
      name: active.doc.name,
      version: active.doc.version,
      schoolYear: active.doc.schoolYear,
      purpose: active.doc.purpose,
    },
    verdict: evaluate(member, active.set, asOf),
    asOf: asOf.toISOString(),
  };
}

/** The member's verdicts (selection and admission) for the profile tab; 404 outside the scope. */
export async function getMemberCriteria(user: AuthUser, id: Types.ObjectId) {
  const m = await Member.findOne({ _id: id, ...scopeFilter(user) })
    .select({ ...ENGINE_PROJECTION, schoolKind: 1, ancestors: 1 })
    .lean<VerdictMember & { _id: Types.ObjectId }>();
  if (!m) throw notFound();
  const asOf = new Date();
  const [selection, admission] = await Promise.all([
    getMemberVerdict(m, { purpose: 'selection', asOf }),
    getMemberVerdict(m, { purpose: 'admission', asOf }),
  ]);
  // Same cached lookup getMemberVerdict just made: the rules cost no extra query.
  const rulesOf = async (v: MemberVerdict) =>
    v.set
      ? ((await getActiveSet(m.ancestors ?? [], m.schoolKind, v.set.purpose, asOf))?.set.rules ?? [])
      : [];
  return {
    selection: { ...selection, rules: await rulesOf(selection) },
    admission: { ...admission, rules: await rulesOf(admission) },
  };
}

// ---------------------------------------------------------------------------
// Simulation

export interface SimulationRow {
  id: string;
  fullName: string;
  studentCode: string;
  schoolId: string;
  change: Exclude<VerdictChange, 'unchanged'>;
  /** The rules whose outcome differs, with the draft's explanation (or the old one for a removed rule). */
  reasons: Text[];
  scoreBefore: number | null;
  scoreAfter: number | null;
}

export interface SimulationResult {
  counts: VerdictDiffCounts;
  rows: SimulationRow[];
  schools: { id: string; name: string }[];
  active: { id: string; name: string; version: number } | null;
  asOf: string;
  durationMs: number;
}

const SIM_CACHE_TTL_MS = 5 * 60_000;
const simCache = new Map<string, { at: number; value: SimulationResult }>();

function reasonsOf(before: Verdict, after: Verdict): Text[] {
  const was = new Map(before.results.map((r) => [r.ruleId, r]));
  const out: Text[] = [];
  for (const r of after.results) {
    const b = was.get(r.ruleId);
    if (!b || b.passed !== r.passed) out.push(r.explanation);
    was.delete(r.ruleId);
  }
  for (const b of was.values()) if (!b.passed) out.push(b.explanation);
  if (out.length === 0 && after.score !== undefined) {
    out.push({
      vi: `Điểm cộng ${after.score}/${after.passMark ?? 0}`,
      en: `Score ${after.score}/${after.passMark ?? 0}`,
    });
  }
  return out;
}

const BATCH = 1000;

/**
 * Runs `draft` beside the active set of its key over every member of its school
 * kind in the province and in the user's scope. Members are streamed through a
 * lean cursor with only the engine's fields and simulated a batch at a time, so
 * memory follows the changes, not the province. Results are cached for a few
 * minutes per (draft, active set, scope, day) so paging and export do not re-run it.
 */
export async function runSimulation(access: CriteriaAccess, id: Types.ObjectId): Promise<SimulationResult> {
  const draft = await findSet(access, id);
  const asOf = new Date();
  const activeDoc =
    (await CriteriaSetModel.findOne({ ...keyOf(draft), status: 'active' })
      .select({ history: 0 })
      .lean<LeanSet>()) ??
    (await getActiveSet([draft.unitId], draft.schoolKind, draft.purpose, asOf))?.doc ??
    null;
  const scopeKey = access.user.role === 'admin' ? 'all' : access.user.unitId;
  const cacheKey = [
    draft._id,
    draft.updatedAt?.getTime(),
    activeDoc?._id,
    activeDoc?.updatedAt?.getTime(),
    scopeKey,
    schoolYearOf(asOf),
    // The verdicts depend on the day in Vietnam, not in UTC.
    vietnamDay(asOf),
  ].join('|');
  const hit = simCache.get(cacheKey);
  if (hit && Date.now() - hit.at < SIM_CACHE_TTL_MS) return hit.value;

  const started = performance.now();
  const after = toEngineSet(draft);
  // Without an active set to compare with, "before" is the draft itself: counts only, no changes.
  const before = activeDoc ? toEngineSet(activeDoc) : after;
  const counts = emptyDiffCounts();
  const rows: SimulationRow[] = [];
  type SimMember = CriteriaMember & {
    _id: Types.ObjectId;
    fullName: string;
    studentCode: string;
    schoolId: Types.ObjectId;
  };
  const flush = (batch: SimMember[]) => {
    const result = simulate(batch, before, after, asOf);
    for (const k of Object.keys(counts) as (keyof VerdictDiffCounts)[]) counts[k] += result.counts[k];
    for (const c of result.changed) {
      rows.push({
        id: String(c.member._id),
        fullName: c.member.fullName,
        studentCode: c.member.studentCode,
        schoolId: String(c.member.schoolId),
        change: c.change,
        reasons: reasonsOf(c.before, c.after),
        scoreBefore: c.before.score ?? null,
        scoreAfter: c.after.score ?? null,
      });
    }
  };
  const cursor = Member.find({
    schoolKind: draft.schoolKind,
    $and: [{ ancestors: draft.unitId }, scopeFilter(access.user)],
  })
    .select({ ...ENGINE_PROJECTION, fullName: 1, studentCode: 1, schoolId: 1 })
    .lean<SimMember[]>()
    .cursor({ batchSize: 2 * BATCH });
  let batch: SimMember[] = [];
  for await (const m of cursor) {
    batch.push(m as unknown as SimMember);
    if (batch.length === BATCH) {
      flush(batch);
      batch = [];
    }
  }
  if (batch.length) flush(batch);

  const schoolIds = [...new Set(rows.map((r) => r.schoolId))];
  const schools = schoolIds.length
    ? await Unit.find({ _id: mongoose.trusted({ $in: schoolIds.map(oid) }) })
        .select({ name: 1 })
        .lean()
    : [];
  const value: SimulationResult = {
    counts,
    rows: rows.sort((a, b) => a.change.localeCompare(b.change) || a.fullName.localeCompare(b.fullName, 'vi')),
    schools: schools
      .map((s) => ({ id: String(s._id), name: s.name }))
      .sort((a, b) => a.name.localeCompare(b.name, 'vi')),
    active: activeDoc
      ? { id: String(activeDoc._id), name: activeDoc.name, version: activeDoc.version }
      : null,
    asOf: asOf.toISOString(),
    durationMs: Math.round(performance.now() - started),
  };
  simCache.set(cacheKey, { at: Date.now(), value });
  if (simCache.size > 16) simCache.delete(simCache.keys().next().value!);
  return value;
}

export type { CriteriaFieldErrors };

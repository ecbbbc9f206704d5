/**
 * Stored eligibility (docs/decisions/006-eligibility-storage.md): each member
 * carries `eligibility: { setId, version, eligible, key, evaluatedAt }`, its verdict against the active *selection* set of its province
 * and school kind, so the member list can filter, count and sort by it in the
 * database query itself.
 *
 * A stored verdict is current when its `key` (set id, version and Vietnamese
 * calendar day: age, certificate expiry and "within 24 months" windows move with
 * the date) is today's key for the member's set AND the member's `updatedAt` is
 * not after `evaluatedAt`. Every member write bumps `updatedAt` (mongoose timestamps;
 * imports set it explicitly), so no write path needs to know about this module.
 *
 * `refreshEligibility(scope)` re-evaluates only the stale members of a scope
 * (lean cursor, engine fields only, grouped writes guarded by `updatedAt` so a
 * concurrent edit is never overwritten with an older verdict). The member list
 * calls `ensureEligibility` before querying; activation refreshes in the background.
 */
import mongoose, { type Types } from 'mongoose';
import type { AnyBulkWriteOperation } from 'mongodb';
import { CriteriaSetModel } from '../../../models/criteria-set';
import { Member } from '../../../models/member';
import { compile, type CriteriaMember, type Evaluator, type Rule } from '~/domain/criteria';
import { schoolYearOf, vietnamDay } from '~/domain/calendar';
import { ENGINE_PROJECTION, toEngineSet } from './criteria-engine.server';

interface ActiveEntry {
  id: Types.ObjectId;
  version: number;
  evaluate: Evaluator;
  key: string;
}

/** Today's calendar day in Vietnam, yyyy-mm-dd (the working-day calendar's own day key). */
const dayKey = (asOf: Date): string => vietnamDay(asOf);

/** Active selection sets in force on asOf, by `${unitId}|${schoolKind}` (latest school year wins). */
async function activeSelectionSets(asOf: Date): Promise<Map<string, ActiveEntry>> {
  const year = schoolYearOf(asOf);
  const docs = await CriteriaSetModel.find({
    status: 'active',
    purpose: 'selection',
    schoolYear: mongoose.trusted({ $lte: year }),
  })
    .select({ history: 0 })
    .sort({ schoolYear: -1 })
    .lean();
  const day = dayKey(asOf);
  const map = new Map<string, ActiveEntry>();
  for (const doc of docs) {
    const k = `${String(doc.unitId)}|${doc.schoolKind}`;
    if (map.has(k)) continue;
    const set = toEngineSet({ ...doc, rules: doc.rules as Rule[] } as never);
    map.set(k, {
      id: doc._id,
      version: doc.version,
      evaluate: compile(set, { explain: false }),
      key: `${String(doc._id)}:${doc.version}:${day}`,
    });
  }
  return map;
}

type EligibilityMember = CriteriaMember & {
  _id: Types.ObjectId;
  schoolKind: string;
  ancestors?: Types.ObjectId[];
};

function setFor(sets: Map<string, ActiveEntry>, m: EligibilityMember): ActiveEntry | null {
  for (const unit of m.ancestors ?? []) {
    const hit = sets.get(`${String(unit)}|${m.schoolKind}`);
    if (hit) return hit;
  }
  return null;
}

export interface RefreshResult {
  stale: number;
  written: number;
  ms: number;
}

const inFlight = new Map<string, Promise<RefreshResult>>();
const BATCH = 2000;

/**
 * Brings the stored verdicts of every member matching `scope` up to date.
 * Concurrent calls for the same scope share one run.
 */
export function refreshEligibility(
  scope: Record<string, unknown>,
  asOf = new Date(),
): Promise<RefreshResult> {
  const id = JSON.stringify(scope) + dayKey(asOf);
  let running = inFlight.get(id);
  if (!running) {
    running = run(scope, asOf).finally(() => inFlight.delete(id));
    inFlight.set(id, running);
  }
  return running;
}

/**
 * Stale: no verdict, a verdict for another set/version/day, or a member written
 * after its verdict (updatedAt ≥ evaluatedAt; every write path bumps updatedAt).
 * Verdicts are written with evaluatedAt = the run's start and only where
 * updatedAt < that start, so an edit racing the run (even in the same
 * millisecond) stays stale for the next one.
 * Writes are unordered bulks of single-document updates by _id (measured faster
 * on the embedded server than one `_id $in` updateMany per verdict).
 */
async function run(scope: Record<string, unknown>, asOf: Date): Promise<RefreshResult> {
  const started = performance.now();
  const runStart = new Date();
  const sets = await activeSelectionSets(asOf);
  const day = dayKey(asOf);
  const validKeys = [...[...sets.values()].map((s) => s.key), `none:${day}`];
  const cursor = Member.find({
    ...scope,
    $or: [
      { 'eligibility.key': mongoose.trusted({ $nin: validKeys }) },
      // trusted: sanitizeFilter would turn the one-operator object into an $eq.
      { $expr: mongoose.trusted({ $gte: ['$updatedAt', '$eligibility.evaluatedAt'] }) },
    ],
  })
    .select({ ...ENGINE_PROJECTION, schoolKind: 1, ancestors: 1 })
    .lean<EligibilityMember[]>()
    .cursor({ batchSize: BATCH });
  let stale = 0;
  let written = 0;
  // One verdict object per (set, verdict): members sharing it share the value.
  const values = new Map<string, Record<string, unknown>>();
  let ops: AnyBulkWriteOperation[] = [];
  const flush = async () => {
    if (!ops.length) return;
    const res = await Member.collection.bulkWrite(ops, { ordered: false });
    written += res.modifiedCount;
    ops = [];
  };
  for await (const doc of cursor) {
    const m = doc as unknown as EligibilityMember;
    stale++;
    const set = setFor(sets, m);
    const eligible = set ? set.evaluate(m, asOf).eligible : null;
    const key = `${set?.key ?? `none:${day}`}|${String(eligible)}`;
    let value = values.get(key);
    if (!value) {
      value = {
        setId: set?.id ?? null,
        version: set?.version ?? null,
        eligible,
        key: set?.key ?? `none:${day}`,
        evaluatedAt: runStart,
      };
      values.set(key, value);
    }
    ops.push({
      updateOne: {
        filter: { _id: m._id, updatedAt: { $lt: runStart } },
        update: { $set: { eligibility: value } },
      },
    });
    if (ops.length >= BATCH) await flush();
  }
  await flush();
  return { stale, written, ms: Math.round(performance.now() - started) };
}

// Which selection sets are active, re-read at most every SIG_MS (activations in
// this process clear it at once), so a list request normally costs no query here.
let sigCache: { at: number; value: string } | null = null;
const SIG_MS = 5_000;
export function forgetActiveSignature() {
  sigCache = null;
}
async function activeSignature(): Promise<string> {
  if (sigCache && Date.now() - sigCache.at < SIG_MS) return sigCache.value;
  const active = await CriteriaSetModel.find({ status: 'active', purpose: 'selection' })
    .select({ _id: 1, version: 1 })
    .sort({ _id: 1 })
    .lean();
  const value = active.map((a) => `${String(a._id)}:${a.version}`).join(',');
  sigCache = { at: Date.now(), value };
  return value;
}

interface Freshness {
  at: number;
  sig: string;
}
const freshness = new Map<string, Freshness>();
const FRESH_MS = 10_000;
// Writes made by other processes (a second app instance, a script) are picked up by
// this slower safety refresh; writes made here mark the scopes stale at once.
const SAFETY_MS = 5 * 60_000;
let lastMemberWrite = 0;

/**
 * Called after this process writes a member (edits, records, imports, pipeline steps),
 * so the next list request refreshes verdicts in the background. Without writes, no
 * refresh scans the scope: at 50,000 members a scan costs ~0.5 s of CPU that would
 * otherwise run every 10 s and slow every request beside it.
 */
export function noteMemberWrite() {
  lastMemberWrite = Date.now();
}

/** When this process last wrote a member (0: never): caches of derived figures compare it. */
export function lastMemberWriteAt(): number {
  return lastMemberWrite;
}

/**
 * What the member list calls before it filters by eligibility. Waits for a
 * refresh only when this process has not refreshed the scope yet today or the
 * active sets changed since (an activation); otherwise it answers at once and,
 * after this process wrote members (every FRESH_MS at most) or every SAFETY_MS,
 * refreshes in the background to pick up edits and imports. So a list request never pays the scan on the hot path, at the cost of
 * a list filter that can trail an edit by ~10 s (the member's own criteria tab is
 * always live).
 */
export async function ensureEligibility(scope: Record<string, unknown>, asOf = new Date()): Promise<void> {
  const sig = `${dayKey(asOf)}|${await activeSignature()}`;
  const id = JSON.stringify(scope);
  const known = freshness.get(id);
  if (known && known.sig === sig) {
    const since = Date.now() - known.at;
    if ((lastMemberWrite >= known.at && since > FRESH_MS) || since > SAFETY_MS) {
      known.at = Date.now();
      void refreshEligibility(scope, asOf).catch((error: unknown) =>
        console.error('[eligibility] background refresh failed', error),
      );
    }
    return;
  }
  await refreshEligibility(scope, asOf);
  freshness.set(id, { at: Date.now(), sig });
}

/** The member-list filter on the stored verdict (after `refreshEligibility`). */
export function eligibilityFilter(eligible: boolean | undefined): Record<string, unknown> {
  return eligible === undefined ? {} : { 'eligibility.eligible': eligible };
}

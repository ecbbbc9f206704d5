/**
 * Simulation of a rule change: who would become eligible or ineligible if a
 * draft set replaced the adopted one ("who would become ineligible?").
 */
import { compile, type Evaluator } from './engine.ts';
import type { CriteriaMember, CriteriaSet, Verdict } from './types.ts';

export const VERDICT_CHANGES = ['became_eligible', 'became_ineligible', 'unchanged'] as const;
export type VerdictChange = (typeof VERDICT_CHANGES)[number];

export interface VerdictDiffCounts {
  total: number;
  became_eligible: number;
  became_ineligible: number;
  unchanged: number;
  eligibleBefore: number;
  eligibleAfter: number;
}

export interface VerdictDiff {
  /** One entry per member, in input order. */
  changes: VerdictChange[];
  counts: VerdictDiffCounts;
}

export function classifyChange(
  before: Pick<Verdict, 'eligible'>,
  after: Pick<Verdict, 'eligible'>,
): VerdictChange {
  if (before.eligible === after.eligible) return 'unchanged';
  return after.eligible ? 'became_eligible' : 'became_ineligible';
}

/** Counts of no members yet, to add to. */
export function emptyDiffCounts(): VerdictDiffCounts {
  return {
    total: 0,
    became_eligible: 0,
    became_ineligible: 0,
    unchanged: 0,
    eligibleBefore: 0,
    eligibleAfter: 0,
  };
}

/** Adds one member's verdicts under both sets to `counts`; returns how it changed. */
function tally(
  counts: VerdictDiffCounts,
  before: Pick<Verdict, 'eligible'>,
  after: Pick<Verdict, 'eligible'>,
): VerdictChange {
  const change = classifyChange(before, after);
  counts.total++;
  counts[change]++;
  if (before.eligible) counts.eligibleBefore++;
  if (after.eligible) counts.eligibleAfter++;
  return change;
}

/** Compares verdicts of the same members (same order) under two sets. */
export function diffVerdicts(
  before: readonly Pick<Verdict, 'eligible'>[],
  after: readonly Pick<Verdict, 'eligible'>[],
): VerdictDiff {
  if (before.length !== after.length) {
    throw new RangeError(`diffVerdicts: ${before.length} verdicts before, ${after.length} after`);
  }
  const counts = emptyDiffCounts();
  const changes = new Array<VerdictChange>(before.length);
  for (let i = 0; i < before.length; i++) changes[i] = tally(counts, before[i], after[i]);
  return { changes, counts };
}

export interface SimulatedChange<M> {
  member: M;
  change: Exclude<VerdictChange, 'unchanged'>;
  before: Verdict;
  after: Verdict;
}

export interface Simulation<M> {
  counts: VerdictDiffCounts;
  /** Only the members whose verdict changed, with both verdicts to show why. */
  changed: SimulatedChange<M>[];
}

/**
 * Evaluates every member under both sets on `asOf` and keeps the changes.
 * Unchanged verdicts are dropped as it goes, so memory stays proportional to
 * the changes, not to the province.
 */
export function simulate<M extends CriteriaMember>(
  members: Iterable<M>,
  before: CriteriaSet,
  after: CriteriaSet,
  asOf: Date,
): Simulation<M> {
  // Counting needs no words; the few changed members are evaluated again with them.
  const evalBefore = compile(before, { explain: false });
  const evalAfter = compile(after, { explain: false });
  let explainBefore: Evaluator | null = null;
  let explainAfter: Evaluator | null = null;
  const counts = emptyDiffCounts();
  const changed: SimulatedChange<M>[] = [];
  for (const member of members) {
    const change = tally(counts, evalBefore(member, asOf), evalAfter(member, asOf));
    if (change !== 'unchanged') {
      explainBefore ??= compile(before);
      explainAfter ??= compile(after);
      changed.push({
        member,
        change,
        before: explainBefore(member, asOf),
        after: explainAfter(member, asOf),
      });
    }
  }
  return { counts, changed };
}

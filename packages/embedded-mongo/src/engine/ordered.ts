/**
 * Index order for the planner: one posting's documents ordered by a field (what a
 * B-tree walk of `{ <equality prefix>, <field> }` gives mongod), so a sorted page
 * with a limit reads its first documents instead of sorting the whole posting, and
 * a count over a Date range of that field is two binary searches (COUNT_SCAN).
 *
 * The order is the plain sort's own (`sortDocs`), so an index walk never orders
 * differently from the sort it replaces. Views are built only when every value of
 * the field in the posting is a scalar: arrays (a sort reads their smallest or
 * largest element) and embedded documents are left to the plain path.
 */
import type { Doc } from './keys.ts';
import { isPlainObject, keyOf } from './keys.ts';
import { type OrderedView, type Posting, postingIds } from './indexes.ts';
import { sortDocs } from './mingo.ts';

const NOT_SCALAR = Symbol('notScalar');

/** The field's value as a sort reads it: undefined when missing; NOT_SCALAR for arrays and documents. */
function scalarAt(doc: Doc, path: string[]): unknown {
  let v: unknown = doc;
  for (const p of path) {
    if (Array.isArray(v)) return NOT_SCALAR;
    if (!isPlainObject(v)) return undefined;
    v = v[p];
  }
  if (Array.isArray(v) || isPlainObject(v)) return NOT_SCALAR;
  if (v instanceof Date && Number.isNaN(v.getTime())) return NOT_SCALAR;
  return v;
}

/** A posting's documents in `{ [field]: dir }` order, or null when a value is not a scalar. */
export function buildOrderedView(
  docs: Map<string, Doc>,
  posting: Posting | undefined,
  field: string,
  dir: 1 | -1,
): OrderedView | null {
  const path = field.split('.');
  const list: Doc[] = [];
  const info = new Map<Doc, { id: string; v: unknown }>();
  for (const id of postingIds(posting)) {
    const d = docs.get(id);
    if (!d) continue;
    const v = scalarAt(d, path);
    if (v === NOT_SCALAR) return null;
    list.push(d);
    info.set(d, { id, v });
  }
  const sorted = sortDocs(list, { [field]: dir });
  const n = sorted.length;
  const ids = new Array<string>(n);
  const group = new Int32Array(n);
  const times: number[] = [];
  let from = -1;
  let contiguous = true;
  let g = -1;
  let prev: string | undefined;
  for (let i = 0; i < n; i++) {
    const { id, v } = info.get(sorted[i])!;
    // Missing and null sort as one value, and keyOf gives both 'z'.
    const k = keyOf(v);
    if (k !== prev) {
      g++;
      prev = k;
    }
    group[i] = g;
    ids[i] = id;
    if (v instanceof Date) {
      if (from < 0) from = i;
      else if (from + times.length !== i) contiguous = false;
      times.push(v.getTime());
    }
  }
  const ascending = dir === 1 && contiguous && times.every((t, i) => i === 0 || times[i - 1] <= t);
  return { ids, group, dates: ascending ? { from: Math.max(0, from), times: Float64Array.from(times) } : null };
}

/** A condition that holds exactly for Dates in a range: `$gt`/`$gte`/`$lt`/`$lte` on Dates, `$type: 'date'`. */
export interface DateRange {
  lo?: number;
  loOpen: boolean;
  hi?: number;
  hiOpen: boolean;
}

const validDate = (v: unknown): v is Date =>
  v instanceof Date && v.constructor === Date && !Number.isNaN(v.getTime());

/**
 * The Date range a condition is, or null. A comparison with a Date matches only
 * Dates (MongoDB's type bracketing), so no other value can be counted in.
 */
export function dateRangeOf(cond: unknown): DateRange | null {
  if (!isPlainObject(cond)) return null;
  const ops = Object.keys(cond);
  if (ops.length === 0) return null;
  const r: DateRange = { loOpen: false, hiOpen: false };
  for (const op of ops) {
    const v = cond[op];
    if (op === '$type') {
      if (v === 'date' || v === 9) continue;
      return null;
    }
    if (!validDate(v)) return null;
    const t = v.getTime();
    if (op === '$gt' || op === '$gte') {
      r.lo = t;
      r.loOpen = op === '$gt';
    } else if (op === '$lt' || op === '$lte') {
      r.hi = t;
      r.hiOpen = op === '$lt';
    } else return null;
  }
  return r;
}

/** The first position whose time is past `t` (`strict`: > t, else >= t). */
function bound(times: Float64Array, t: number, strict: boolean): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (strict ? times[mid] <= t : times[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The positions `[start, end)` of the sorted times that lie in the range. */
export function rangeIn(times: Float64Array, r: DateRange): [number, number] {
  const start = r.lo === undefined ? 0 : bound(times, r.lo, r.loOpen);
  const end = r.hi === undefined ? times.length : bound(times, r.hi, !r.hiOpen);
  return [start, Math.max(start, end)];
}

/** How many of the sorted times lie in the range. */
export function countInRange(times: Float64Array, r: DateRange): number {
  const [start, end] = rangeIn(times, r);
  return end - start;
}

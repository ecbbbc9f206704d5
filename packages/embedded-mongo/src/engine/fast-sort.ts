/**
 * A fast path for `find` sorts: when every sort key of every document is missing/null
 * or one plain scalar kind (number, string, Date, ObjectId, boolean) per key, decorate
 * the documents with their keys once and sort with native comparisons. mingo's generic
 * `$sort` resolves paths and compares BSON types on every comparison, which made a
 * sort of a few thousand documents cost more than finding them.
 *
 * Number wrappers (Long, Double, Decimal128) are numbers compared by value. Anything
 * else (arrays: multikey sort rules; embedded documents; mixed kinds in one key; NaN; a collation) answers `null`, and the caller falls back
 * to mingo, so the semantics are mingo's/MongoDB's in every case.
 */
import type { Doc } from './keys.ts';
import { isNumWrapper, numCmp } from './numbers.ts';

type Kind = 'number' | 'string' | 'date' | 'objectId' | 'bool';
/** An object key is a number wrapper (Long, Double, Decimal128) of kind 'number'. */
type Key = number | string | boolean | null | object;

/** Gives up on the fast path (caught by `fastSort`, which then answers null). */
const BAIL = Symbol('bail');
/** The kind of the last value `keyOf` returned (`null` for missing or null). */
let keyKind: Kind | null = null;

/**
 * Sort key of one document (`null` = missing or null; its kind in `keyKind`), or
 * BAIL to give up on the fast path. No object per call: a province-wide sort
 * decorates 50,000 documents.
 */
function keyOf(doc: Doc, path: string[]): Key | typeof BAIL {
  let v: unknown = doc;
  for (const part of path) {
    if (v === null || v === undefined) break;
    if (typeof v !== 'object' || Array.isArray(v)) return BAIL;
    if ((v as { _bsontype?: string })._bsontype) return BAIL;
    v = (v as Doc)[part];
  }
  keyKind = null;
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return Number.isNaN(v) ? BAIL : ((keyKind = 'number'), v);
  if (typeof v === 'string') return ((keyKind = 'string'), v);
  if (typeof v === 'boolean') return ((keyKind = 'bool'), v);
  if (v instanceof Date) {
    const t = v.getTime();
    return Number.isNaN(t) ? BAIL : ((keyKind = 'date'), t);
  }
  if (isNumWrapper(v)) {
    // Numbers of every BSON type order by value (numCmp), NaN first as in mongod.
    keyKind = 'number';
    return v as object;
  }
  if ((v as { _bsontype?: string })._bsontype === 'ObjectId') {
    // Hex strings order like the 12 bytes they encode.
    keyKind = 'objectId';
    return (v as { toHexString(): string }).toHexString();
  }
  return BAIL;
}

/**
 * `docs` sorted by `sort` (ties in input order, as a stable sort), or `null` (see
 * above). With `limit`, only the first `limit` of that order: a bounded insertion
 * buffer instead of sorting everything, for a page near the start of a large match.
 * The first key is read for every document; later keys only for documents that
 * tie on the keys before (a name sort's `_id` tie-breaker is rarely needed), and a
 * value the fast path cannot order found then still gives up.
 */
export function fastSort(docs: Doc[], sort: Record<string, number>, limit = Infinity): Doc[] | null {
  const keys = Object.entries(sort).map(([path, dir]) => ({ path: path.split('.'), dir }));
  if (keys.length === 0 || keys.some((k) => k.path[0].startsWith('$'))) return null;
  const n = docs.length;
  const kinds: (Kind | null)[] = keys.map(() => null);
  /** Per key, per document: its value once read (`undefined`: not read yet). */
  const values: (Key | undefined)[][] = keys.map(() => new Array<Key | undefined>(n));
  const read = (i: number, j: number): Key => {
    const k = keyOf(docs[j], keys[i].path);
    if (k === BAIL) throw BAIL;
    if (keyKind !== null) {
      if (kinds[i] === null) kinds[i] = keyKind;
      else if (kinds[i] !== keyKind) throw BAIL;
    }
    values[i][j] = k;
    return k;
  };
  try {
    for (let j = 0; j < n; j++) read(0, j);
    const compare = (a: number, b: number) => {
      for (let i = 0; i < keys.length; i++) {
        const column = values[i];
        let va = column[a];
        if (va === undefined) va = read(i, a);
        let vb = column[b];
        if (vb === undefined) vb = read(i, b);
        if (va === vb) continue;
        // Missing and null sort before every value, ascending.
        let c: number;
        if (va === null) c = -1;
        else if (vb === null) c = 1;
        else if (typeof va === 'object' || typeof vb === 'object') {
          c = numCmp(va, vb);
          if (c === 0) continue;
        } else c = va < vb ? -1 : 1;
        return c * keys[i].dir;
      }
      return 0;
    };
    if (limit < n / 4) return smallest(n, limit, compare).map((j) => docs[j]);
    const order = Array.from({ length: n }, (_, j) => j);
    order.sort(compare);
    if (limit < n) order.length = limit;
    return order.map((j) => docs[j]);
  } catch (e) {
    if (e === BAIL) return null;
    throw e;
  }
}

/**
 * The `k` first of `0..n-1` in `compare` order, ties by index (what a stable sort
 * gives): a sorted buffer that a candidate enters only when it beats the last one,
 * so O(n) comparisons plus about k·log(n/k) insertions.
 */
function smallest(n: number, k: number, compare: (a: number, b: number) => number): number[] {
  const top: number[] = [];
  if (k <= 0) return top;
  for (let j = 0; j < n; j++) {
    // Later indexes lose ties, so a candidate must be strictly smaller than the last.
    if (top.length === k && compare(j, top[k - 1]) >= 0) continue;
    let lo = 0;
    let hi = top.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compare(j, top[mid]) < 0) hi = mid;
      else lo = mid + 1;
    }
    top.splice(lo, 0, j);
    if (top.length > k) top.pop();
  }
  return top;
}

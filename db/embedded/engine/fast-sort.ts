/**
 * A fast path for `find` sorts: when every sort key of every document is missing/null
 * or one plain scalar kind (number, string, Date, ObjectId, boolean) per key, decorate
 * the documents with their keys once and sort with native comparisons. mingo's generic
 * `$sort` resolves paths and compares BSON types on every comparison, which made a
 * sort of a few thousand documents cost more than finding them.
 *
 * Anything else (arrays: multikey sort rules; embedded documents; Long, Decimal128,
 * mixed kinds in one key; NaN; a collation) answers `null`, and the caller falls back
 * to mingo, so the semantics are mingo's/MongoDB's in every case.
 */
import type { Doc } from './bsonutil.ts';

type Kind = 'number' | 'string' | 'date' | 'objectId' | 'bool';

/** Key value, or `undefined` to give up on the fast path. `null` = missing or null. */
function keyOf(
  doc: Doc,
  path: string[],
): { kind: Kind | null; value: number | string | boolean | null } | undefined {
  let v: unknown = doc;
  for (const part of path) {
    if (v === null || v === undefined) break;
    if (typeof v !== 'object' || Array.isArray(v)) return undefined;
    if ((v as { _bsontype?: string })._bsontype) return undefined;
    v = (v as Doc)[part];
  }
  if (v === null || v === undefined) return { kind: null, value: null };
  if (typeof v === 'number') return Number.isNaN(v) ? undefined : { kind: 'number', value: v };
  if (typeof v === 'string') return { kind: 'string', value: v };
  if (typeof v === 'boolean') return { kind: 'bool', value: v };
  if (v instanceof Date) {
    const t = v.getTime();
    return Number.isNaN(t) ? undefined : { kind: 'date', value: t };
  }
  if ((v as { _bsontype?: string })._bsontype === 'ObjectId') {
    // Hex strings order like the 12 bytes they encode.
    return { kind: 'objectId', value: (v as { toHexString(): string }).toHexString() };
  }
  return undefined;
}

/**
 * `docs` sorted by `sort` (ties in input order, as a stable sort), or `null` (see
 * above). With `limit`, only the first `limit` of that order: a bounded insertion
 * buffer instead of sorting everything, for a page near the start of a large match.
 */
export function fastSort(docs: Doc[], sort: Record<string, number>, limit = Infinity): Doc[] | null {
  const keys = Object.entries(sort).map(([path, dir]) => ({ path: path.split('.'), dir }));
  if (keys.length === 0 || keys.some((k) => k.path[0].startsWith('$'))) return null;
  const n = docs.length;
  const values: (number | string | boolean | null)[][] = keys.map(() => new Array(n));
  const kinds: (Kind | null)[] = keys.map(() => null);
  for (let i = 0; i < keys.length; i++) {
    const { path } = keys[i];
    const column = values[i];
    for (let j = 0; j < n; j++) {
      const k = keyOf(docs[j], path);
      if (k === undefined) return null;
      if (k.kind !== null) {
        if (kinds[i] === null) kinds[i] = k.kind;
        else if (kinds[i] !== k.kind) return null;
      }
      column[j] = k.value;
    }
  }
  const compare = (a: number, b: number) => {
    for (let i = 0; i < keys.length; i++) {
      const va = values[i][a];
      const vb = values[i][b];
      if (va === vb) continue;
      // Missing and null sort before every value, ascending.
      const c = va === null ? -1 : vb === null ? 1 : va < vb ? -1 : 1;
      return c * keys[i].dir;
    }
    return 0;
  };
  if (limit < n / 4) return smallest(n, limit, compare).map((j) => docs[j]);
  const order = Array.from({ length: n }, (_, j) => j);
  order.sort(compare);
  if (limit < n) order.length = limit;
  return order.map((j) => docs[j]);
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

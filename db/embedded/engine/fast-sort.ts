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

export function fastSort(docs: Doc[], sort: Record<string, number>): Doc[] | null {
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
  const order = Array.from({ length: n }, (_, j) => j);
  order.sort((a, b) => {
    for (let i = 0; i < keys.length; i++) {
      const va = values[i][a];
      const vb = values[i][b];
      if (va === vb) continue;
      // Missing and null sort before every value, ascending.
      const c = va === null ? -1 : vb === null ? 1 : va < vb ? -1 : 1;
      return c * keys[i].dir;
    }
    return 0;
  });
  return order.map((j) => docs[j]);
}

/**
 * MongoDB's sort order, for the `$sort` stage and `find`'s sort wherever the fast
 * path (fast-sort.ts) gives up: arrays, embedded documents, mixed types, a collation.
 *
 * Two rules mingo's own `$sort` gets wrong, which made this server silently different:
 * - **Sort keys of arrays.** An ascending sort orders a document by the smallest
 *   value the path reaches (array elements, and each element's field for a dotted
 *   path), a descending sort by the largest. An empty array sorts below null and
 *   missing. mingo used the smallest element in both directions.
 * - **Comparing values of one type.** BSON compares embedded documents field by field
 *   in stored order (type, then name, then value) and arrays element by element;
 *   mingo sorted both before comparing.
 *
 * Types order as mongod's canonical type order: MinKey, (empty array as a sort key),
 * null, numbers, strings, objects, arrays, binary, ObjectId, booleans, dates,
 * timestamps, regular expressions, code, MaxKey. A value of a type not listed is
 * refused, not ordered by guess.
 */
import { type Doc, isPlainObject } from './keys.ts';
import { numCmp, numKind } from './numbers.ts';
import type { Collation } from './collation.ts';
import { err } from './errors.ts';

/** The sort key of a path that reaches only an empty array: below null. */
const EMPTY_ARRAY = Symbol('empty array');

type BsonTagged = { _bsontype?: string };
const tag = (v: object): string | undefined => (v as BsonTagged)._bsontype;

/** mongod's canonical type rank (`canonicalizeBSONType`); refuses a type it does not know. */
export function bsonRank(v: unknown): number {
  if (v === EMPTY_ARRAY) return 0;
  if (v === null || v === undefined) return 5;
  switch (typeof v) {
    case 'number':
    case 'bigint':
      return 10;
    case 'string':
      return 15;
    case 'boolean':
      return 40;
    case 'object':
      break;
    default:
      throw unsortable(v);
  }
  if (Array.isArray(v)) return 25;
  if (v instanceof Date) return 45;
  if (v instanceof RegExp) return 50;
  if (ArrayBuffer.isView(v)) return 30;
  if (numKind(v) !== null) return 10;
  switch (tag(v)) {
    case undefined:
      if (isPlainObject(v)) return 20;
      throw unsortable(v);
    case 'MinKey':
      return -1;
    case 'BSONSymbol':
      return 15;
    case 'DBRef':
      return 20;
    case 'Binary':
      return 30;
    case 'ObjectId':
      return 35;
    case 'Timestamp':
      return 47;
    case 'BSONRegExp':
      return 50;
    case 'Code':
      return (v as { scope?: unknown }).scope ? 65 : 60;
    case 'MaxKey':
      return 127;
    default:
      throw unsortable(v);
  }
}

function unsortable(v: unknown): Error {
  const name = (v as BsonTagged | null)?._bsontype ?? typeof v;
  return err(2, `sorting by a value of type '${name}' is not supported by this server`);
}

const cmp = <T extends string | number | bigint>(a: T, b: T): number => (a < b ? -1 : a > b ? 1 : 0);

function bytesOf(v: object): Uint8Array {
  if (tag(v) === 'Binary') return (v as { buffer: Uint8Array }).buffer;
  const view = v as ArrayBufferView;
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

/** A DBRef's fields in stored order. */
function dbRefFields(v: object): Doc {
  const r = v as { collection: string; oid: unknown; db?: string; fields?: Doc };
  return { $ref: r.collection, $id: r.oid, ...(r.db ? { $db: r.db } : {}), ...(r.fields ?? {}) };
}

/** Compares two values of one rank. */
function sameRank(r: number, a: unknown, b: unknown, c: Collation | undefined): number {
  switch (r) {
    case 10:
      return numCmp(a, b);
    case 15: {
      const x = typeof a === 'string' ? a : String((a as { value: string }).value);
      const y = typeof b === 'string' ? b : String((b as { value: string }).value);
      return c ? Math.sign(c.compare(x, y)) : cmp(x, y);
    }
    case 20: {
      const x = tag(a as object) === 'DBRef' ? dbRefFields(a as object) : (a as Doc);
      const y = tag(b as object) === 'DBRef' ? dbRefFields(b as object) : (b as Doc);
      return compareFields(Object.entries(x), Object.entries(y), c);
    }
    case 25: {
      const x = a as unknown[];
      const y = b as unknown[];
      for (let i = 0; i < x.length && i < y.length; i++) {
        const d = bsonCompare(x[i], y[i], c);
        if (d !== 0) return d;
      }
      return cmp(x.length, y.length);
    }
    case 30: {
      const x = bytesOf(a as object);
      const y = bytesOf(b as object);
      if (x.length !== y.length) return cmp(x.length, y.length);
      const st = (v: unknown) => (tag(v as object) === 'Binary' ? (v as { sub_type: number }).sub_type : 0);
      if (st(a) !== st(b)) return cmp(st(a), st(b));
      for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return cmp(x[i], y[i]);
      return 0;
    }
    case 35:
      return cmp(
        (a as { toHexString(): string }).toHexString(),
        (b as { toHexString(): string }).toHexString(),
      );
    case 40:
      return cmp(Number(a), Number(b));
    case 45:
      return cmp((a as Date).getTime(), (b as Date).getTime());
    case 47: {
      const ts = (v: unknown) => (v as { toBigInt?(): bigint }).toBigInt?.() ?? BigInt(String(v));
      return cmp(BigInt.asUintN(64, ts(a)), BigInt.asUintN(64, ts(b)));
    }
    case 50: {
      const re = (v: unknown) =>
        v instanceof RegExp
          ? [v.source, v.flags]
          : [(v as { pattern: string }).pattern, (v as { options: string }).options];
      const [pa, fa] = re(a);
      const [pb, fb] = re(b);
      return cmp(pa, pb) || cmp(fa, fb);
    }
    case 60:
    case 65: {
      const x = a as { code: string; scope?: Doc };
      const y = b as { code: string; scope?: Doc };
      return cmp(String(x.code), String(y.code)) || (r === 65 ? bsonCompare(x.scope, y.scope, c) : 0);
    }
    default:
      // MinKey, MaxKey, null and the empty-array key: one value each.
      return 0;
  }
}

/** Embedded documents: each field's type, then its name, then its value; then length. */
function compareFields(x: [string, unknown][], y: [string, unknown][], c: Collation | undefined): number {
  for (let i = 0; i < x.length && i < y.length; i++) {
    const [ka, va] = x[i];
    const [kb, vb] = y[i];
    const ra = bsonRank(va);
    const rb = bsonRank(vb);
    if (ra !== rb) return cmp(ra, rb);
    if (ka !== kb) return cmp(ka, kb);
    const d = sameRank(ra, va, vb, c);
    if (d !== 0) return d;
  }
  return cmp(x.length, y.length);
}

/** BSON order of two values (strings, also nested ones, by the collation when given). */
export function bsonCompare(a: unknown, b: unknown, c?: Collation): number {
  const ra = bsonRank(a);
  const rb = bsonRank(b);
  return ra !== rb ? cmp(ra, rb) : sameRank(ra, a, b, c);
}

/**
 * Every value `path` reaches in `doc` as mongod's sort key generator sees them: arrays
 * on the way are expanded (an element that is a document continues the path; a
 * numeric part also picks that position), the array at the end contributes its
 * elements, and a branch that reaches nothing contributes null.
 */
function reach(v: unknown, parts: string[], i: number, out: unknown[]): void {
  if (i === parts.length) {
    if (!Array.isArray(v)) out.push(v === undefined ? null : v);
    else if (v.length === 0) out.push(EMPTY_ARRAY);
    else for (const x of v) out.push(x === undefined ? null : x);
    return;
  }
  if (Array.isArray(v)) {
    const before = out.length;
    if (/^\d+$/.test(parts[i])) {
      const at = Number(parts[i]);
      if (at < v.length) reach(v[at], parts, i + 1, out);
    }
    for (const x of v) if (isPlainObject(x)) reach(x, parts, i, out);
    if (out.length === before) out.push(null);
    return;
  }
  if (isPlainObject(v)) reach(v[parts[i]], parts, i + 1, out);
  else out.push(null);
}

/** The value a document sorts by on `parts`: the smallest reached ascending, the largest descending. */
export function sortKeyOf(doc: Doc, parts: string[], dir: number, c?: Collation): unknown {
  const values: unknown[] = [];
  reach(doc, parts, 0, values);
  let best = values[0];
  for (let j = 1; j < values.length; j++) {
    const d = bsonCompare(values[j], best, c);
    if (dir > 0 ? d < 0 : d > 0) best = values[j];
  }
  return best;
}

/**
 * `docs` in the order of `sort` (a validated `{path: 1 | -1}`), ties in input order.
 * Each document's keys are computed once.
 */
export function sortBson(docs: Doc[], sort: Record<string, number>, c?: Collation): Doc[] {
  const keys = Object.entries(sort).map(([path, dir]) => ({ parts: path.split('.'), dir }));
  const decorated = docs.map((d, i) => ({ d, i, k: keys.map((k) => sortKeyOf(d, k.parts, k.dir, c)) }));
  decorated.sort((x, y) => {
    for (let j = 0; j < keys.length; j++) {
      const d = bsonCompare(x.k[j], y.k[j], c);
      if (d !== 0) return d * keys[j].dir;
    }
    return x.i - y.i;
  });
  return decorated.map((e) => e.d);
}

/**
 * Sharing between stored documents: pools of repeated strings, dates and ObjectIds
 * (adaptive per field name), and one literal factory per key sequence ("shape").
 * Used by the copy (clone.ts) and by the recovery decoder (decode.ts).
 */
import { ObjectId } from 'bson';
import type { Doc } from './keys.ts';

/*
 * Memory: deserialized documents cost ~3x their BSON size, much of it repeated
 * short strings (enumerations, campaign names, notes) and repeated dates. Stored
 * documents are immutable, so equal strings and Dates can be shared between
 * them. Hashing every string costs CPU, so interning is adaptive per field name:
 * a field whose values rarely repeat (names, emails, timestamps) stops being
 * interned after a sample. The pools only reference values documents already
 * hold, and are reset when large so deleted values do not pile up.
 */
const MAX_POOL = 500_000;
// Long enough that a field with a few thousand distinct values (dates by day) warms the pool.
const SAMPLE = 4096;
let strPool = new Map<string, string>();
let datePool = new Map<number, Date>();
export interface FieldStat {
  seen: number;
  hits: number;
  off: boolean;
}
const fieldStats = new Map<string, FieldStat>();

export function stat(field: string): FieldStat {
  let s = fieldStats.get(field);
  if (!s) fieldStats.set(field, (s = { seen: 0, hits: 0, off: false }));
  return s;
}

function record(s: FieldStat, hit: boolean): void {
  s.seen++;
  if (hit) s.hits++;
  // After a sample, keep interning only fields whose values repeat often enough.
  if (s.seen === SAMPLE) s.off = s.hits < SAMPLE / 10;
}

/** Counts a repeated value found without the pool (decoder caches). */
export function recordHit(s: FieldStat): void {
  record(s, true);
}

/** Counts a value that is neither remembered nor pooled (a long string the decoder met first). */
export function recordMiss(s: FieldStat): void {
  record(s, false);
}

export function internString(v: string, s: FieldStat): string {
  if (s.off || v.length > 48) return v;
  const x = strPool.get(v);
  record(s, x !== undefined);
  if (x !== undefined) return x;
  if (strPool.size >= MAX_POOL) strPool = new Map();
  strPool.set(v, v);
  return v;
}

export function internDate(v: Date, s: FieldStat): Date {
  if (s.off) return v;
  const k = v.getTime();
  const x = datePool.get(k);
  record(s, x !== undefined);
  if (x !== undefined) return x;
  if (datePool.size >= MAX_POOL) datePool = new Map();
  datePool.set(k, v);
  return v;
}

/** A Date of `ms`: the shared one when the field's dates repeat (no Date is made for a repeat). */
export function dateAt(ms: number, s: FieldStat | null): Date {
  if (!s || s.off) return new Date(ms);
  const x = datePool.get(ms);
  record(s, x !== undefined);
  if (x !== undefined) return x;
  const d = new Date(ms);
  if (datePool.size >= MAX_POOL) datePool = new Map();
  datePool.set(ms, d);
  return d;
}

function internValue(v: unknown, s: FieldStat): unknown {
  if (typeof v === 'string') return internString(v, s);
  if (v === null || typeof v !== 'object') return v;
  if (v instanceof Date) return internDate(v, s);
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = internValue(v[i], s);
    return v;
  }
  const bt = (v as { _bsontype?: string })._bsontype;
  if (bt === 'ObjectId') return copyOid(v as ObjectId, s);
  if (bt !== undefined || ArrayBuffer.isView(v)) return v;
  const o = v as Doc;
  const keys = Object.keys(o);
  for (let i = 0; i < keys.length; i++) {
    const x = o[keys[i]];
    if (x !== null && (typeof x === 'object' || typeof x === 'string')) {
      const y = internValue(x, stat(keys[i]));
      if (y !== x) o[keys[i]] = y;
    }
  }
  return v;
}

/*
 * ObjectIds repeat a lot across documents (school, branch, unit ancestors, the
 * user who verified or changed something). bson 7 keeps an ObjectId as four
 * 24-bit integers (i0..i3), so the pool is keyed by numbers, no hex strings.
 */
type OidLike = { i0: number; i1: number; i2: number; i3: number };
let oidPool = new Map<number, ObjectId | ObjectId[]>();
let oidCount = 0;

/** The pooled ObjectId equal to (i0..i3), creating it with `make` if new. */
export function internOid(
  i0: number,
  i1: number,
  i2: number,
  i3: number,
  s: FieldStat | null,
  make: () => ObjectId,
): ObjectId {
  if (!s || s.off) return make();
  const key = i3 * 16777216 + i2;
  const cur = oidPool.get(key);
  if (cur !== undefined) {
    if (!Array.isArray(cur)) {
      const c = cur as unknown as OidLike;
      if (c.i0 === i0 && c.i1 === i1) {
        record(s, true);
        return cur;
      }
    } else {
      for (const o of cur) {
        const c = o as unknown as OidLike;
        if (c.i0 === i0 && c.i1 === i1) {
          record(s, true);
          return o;
        }
      }
    }
  }
  record(s, false);
  const made = make();
  if (oidCount >= MAX_POOL) {
    oidPool = new Map();
    oidCount = 0;
  }
  oidCount++;
  if (cur === undefined) oidPool.set(key, made);
  else if (Array.isArray(cur)) cur.push(made);
  else oidPool.set(key, [cur, made]);
  return made;
}

export function copyOid(v: ObjectId, s: FieldStat | null): ObjectId {
  const o = v as unknown as OidLike;
  if (typeof o.i0 !== 'number') return new ObjectId(v);
  return internOid(o.i0, o.i1, o.i2, o.i3, s, () => new ObjectId(v));
}

/** The stat of a document's root (never interned itself; its fields are). */
export const ROOT_STAT: FieldStat = { seen: 0, hits: 0, off: true };

/** Shares repeated strings/dates of a freshly deserialized document (mutates it; call before storing). */
export function intern(d: Doc): Doc {
  return internValue(d, ROOT_STAT) as Doc;
}

/*
 * Objects built by adding properties one by one keep most of them in a separate
 * backing store; an object literal keeps them in the object itself. So documents
 * are built through one cached literal factory per key sequence ("shape"):
 * ~20% less heap, and documents of a collection share hidden classes.
 */
export type Factory = (v: unknown[]) => Doc;
const shapes = new Map<string, Factory>();
const MAX_SHAPES = 10_000;

/**
 * The literal factory for a key sequence, or null when objects of it are built
 * field by field. With `idFirst`, the object it builds has its `_id` key first.
 */
export function shapeFactory(keys: string[], idFirst = false): Factory | null {
  if (keys.length > 4 && keys.length <= 100) {
    const at = idFirst ? keys.indexOf('_id') : -1;
    const sk = (at > 0 ? '\u0001' : '') + keys.join('\u0000');
    let f = shapes.get(sk);
    if (f === undefined && shapes.size < MAX_SHAPES) {
      const order = keys.map((_, i) => i);
      if (at > 0) order.unshift(...order.splice(at, 1));
      f = new Function(
        'v',
        `return {${order.map((i) => `${JSON.stringify(keys[i])}: v[${i}]`).join(',')}};`,
      ) as Factory;
      shapes.set(sk, f);
    }
    if (f !== undefined) return f;
  }
  return null;
}

export function buildObject(keys: string[], vals: unknown[]): Doc {
  const f = shapeFactory(keys);
  if (f !== null) return f(vals);
  const o: Doc = {};
  for (let i = 0; i < keys.length; i++) o[keys[i]] = vals[i];
  return o;
}

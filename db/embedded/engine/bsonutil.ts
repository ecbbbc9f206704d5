/**
 * BSON helpers: cloning by round trip, canonical key strings for index lookups,
 * and MongoDB-style value formatting for error messages.
 */
import { BSON, ObjectId, type BSONRegExp, type Document } from 'bson';
import { decodeStored } from './decode.ts';

export type Doc = Document;

export const MAX_BSON_SIZE = 16 * 1024 * 1024;

export const serialize = (d: Doc): Buffer => BSON.serialize(d) as Buffer;
export const deserialize = (b: Uint8Array): Doc => BSON.deserialize(b);

/** Deep copy preserving BSON types (ObjectId, Date, Long, Binary…), as a BSON round trip would. */
export const clone = (d: Doc): Doc => copyDoc(d);

export const bsonSize = (d: Doc): number => BSON.calculateObjectSize(d);

function bsonType(v: object): string | undefined {
  return (v as { _bsontype?: string })._bsontype;
}

/** A plain (sub)document: not an array, not a BSON value class, not Date/RegExp. */
export function isPlainObject(v: unknown): v is Doc {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  if (v instanceof Date || v instanceof RegExp || ArrayBuffer.isView(v)) return false;
  return bsonType(v) === undefined;
}

/**
 * Canonical string for a BSON value with MongoDB equality semantics: numbers of
 * any BSON type compare equal by value (1 == 1.0 == Long(1)), null and missing are
 * the same key. Used as Map keys in indexes, so `{email: x}` is one Map lookup.
 */
export function keyOf(v: unknown): string {
  if (v === null || v === undefined) return 'z';
  switch (typeof v) {
    case 'number':
      return 'n' + (v === 0 ? '0' : String(v));
    case 'string':
      return 's' + v;
    case 'boolean':
      return v ? 'T' : 'F';
    case 'bigint':
      return 'n' + (Number.isSafeInteger(Number(v)) ? String(Number(v)) : v.toString());
    case 'object':
      break;
    default:
      return 'q' + String(v);
  }
  if (v instanceof Date) return 'd' + v.getTime();
  if (v instanceof RegExp) return 'r' + v.source + '/' + v.flags;
  if (Array.isArray(v)) return 'a' + JSON.stringify(v.map(keyOf));
  const t = bsonType(v);
  if (t !== undefined) {
    switch (t) {
      case 'ObjectId':
        return oidKey(v as ObjectId);
      case 'Long': {
        const n = (v as { toNumber(): number }).toNumber();
        return 'n' + (Number.isSafeInteger(n) ? String(n) : String(v));
      }
      case 'Int32':
      case 'Double':
        return 'n' + String((v as { valueOf(): number }).valueOf());
      case 'Decimal128': {
        const n = Number(String(v));
        return 'n' + (Number.isFinite(n) ? String(n) : String(v));
      }
      case 'Binary':
        return 'x' + Buffer.from((v as { buffer: Uint8Array }).buffer).toString('base64');
      case 'BSONRegExp':
        return 'r' + (v as BSONRegExp).pattern + '/' + (v as BSONRegExp).options;
      default:
        return t + ':' + JSON.stringify(BSON.EJSON.serialize({ v }));
    }
  }
  if (ArrayBuffer.isView(v))
    return 'x' + Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
  const parts: string[] = [];
  for (const k of Object.keys(v)) {
    const x = (v as Doc)[k];
    if (x !== undefined) parts.push(k, keyOf(x));
  }
  return 'O' + JSON.stringify(parts);
}

/**
 * Key of an ObjectId: its 12 bytes as 12 one-byte characters (bson 7 keeps them
 * as four 24-bit integers), half the length of the hex string and no conversion.
 */
function oidKey(v: ObjectId): string {
  const o = v as unknown as { i0?: number; i1: number; i2: number; i3: number };
  if (typeof o.i0 !== 'number') return 'o' + v.toHexString();
  const { i0, i1, i2, i3 } = o as { i0: number; i1: number; i2: number; i3: number };
  return (
    'o' +
    String.fromCharCode(
      i0 >>> 16,
      (i0 >>> 8) & 255,
      i0 & 255,
      i1 >>> 16,
      (i1 >>> 8) & 255,
      i1 & 255,
      i2 >>> 16,
      (i2 >>> 8) & 255,
      i2 & 255,
      i3 >>> 16,
      (i3 >>> 8) & 255,
      i3 & 255,
    )
  );
}

/** Formats a value the way mongod prints it inside `dup key: { ... }`. */
export function formatValue(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (v instanceof Date) return `new Date(${v.getTime()})`;
  if (Array.isArray(v)) return `[ ${v.map(formatValue).join(', ')} ]`;
  if (typeof v === 'object') {
    const t = bsonType(v);
    if (t === 'ObjectId') return `ObjectId('${(v as ObjectId).toHexString()}')`;
    if (t !== undefined) return String(v);
    const entries = Object.entries(v as Doc);
    if (!entries.length) return '{}';
    return `{ ${entries.map(([k, x]) => `${k}: ${formatValue(x)}`).join(', ')} }`;
  }
  return String(v);
}

/**
 * Filters may arrive with `BSONRegExp` (when the wire deserializes with
 * `bsonRegExp: true`); mingo only understands JS `RegExp`.
 */
export function normalizeFilter(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (bsonType(v) === 'BSONRegExp') {
    const r = v as BSONRegExp;
    return new RegExp(r.pattern, r.options.replace(/[^imsu]/g, ''));
  }
  if (Array.isArray(v)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const n = normalizeFilter(v[i]);
      if (n !== v[i]) (out ??= v.slice())[i] = n;
    }
    return out ?? v;
  }
  if (!isPlainObject(v)) return v;
  let out: Doc | undefined;
  for (const k of Object.keys(v)) {
    const n = normalizeFilter(v[k]);
    if (n !== v[k]) (out ??= { ...v })[k] = n;
  }
  return out ?? v;
}

export const newObjectId = () => new ObjectId();

/** Reads a dotted path without array traversal (used for _id and simple fields). */
export function getPath(doc: Doc, path: string): unknown {
  let cur: unknown = doc;
  for (const p of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Doc)[p];
  }
  return cur;
}

/** Sets a dotted path creating intermediate objects (upsert seeding from filters). */
export function setPath(doc: Doc, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur = doc;
  for (let i = 0; i < parts.length - 1; i++) {
    const next = cur[parts[i]];
    if (!isPlainObject(next)) cur[parts[i]] = {};
    cur = cur[parts[i]] as Doc;
  }
  cur[parts[parts.length - 1]] = value;
}

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

function copyOid(v: ObjectId, s: FieldStat | null): ObjectId {
  const o = v as unknown as OidLike;
  if (typeof o.i0 !== 'number') return new ObjectId(v);
  return internOid(o.i0, o.i1, o.i2, o.i3, s, () => new ObjectId(v));
}

const ROOT_STAT: FieldStat = { seen: 0, hits: 0, off: true };

/** Shares repeated strings/dates of a freshly deserialized document (mutates it; call before storing). */
export function intern(d: Doc): Doc {
  return internValue(d, ROOT_STAT) as Doc;
}

/**
 * The stored form of a document from its bytes (`_id` first). The extra structural copy is
 * deliberate: objects built by copyDoc take ~30% less heap than the ones
 * BSON.deserialize builds (measured 6.7 vs 9.9 KB per member document).
 */
export const toStored = (bytes: Uint8Array): Doc =>
  decodeStored(bytes) ?? idFirst(copyDoc(BSON.deserialize(bytes), true));

/** The document with its `_id` key first (the same object when it already is). */
export function idFirst(d: Doc): Doc {
  if (!('_id' in d) || Object.keys(d)[0] === '_id') return d;
  const { _id, ...rest } = d;
  return { _id, ...rest };
}

/*
 * Fast structural clone for the common BSON value types, about 3x cheaper than
 * a BSON round trip. It produces exactly what `deserialize(serialize(v))` would
 * for those types (undefined fields are dropped, undefined array items become
 * null); any other value type makes it give
 * up (returns NO_FAST) and callers fall back to the round trip.
 */
const NO_FAST = Symbol('noFast');

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

/** Upper bound of the BSON size of what fastValue copied (reset per copy). */
let sizeBound = 0;

function fastValue(v: unknown, s: FieldStat | null): unknown {
  switch (typeof v) {
    case 'string':
      sizeBound += 3 * v.length + 5;
      return s ? internString(v, s) : v;
    case 'number':
    case 'boolean':
    case 'undefined':
      sizeBound += 8;
      return v === undefined ? null : v;
    case 'object': {
      if (v === null) return null;
      sizeBound += 12;
      if (Array.isArray(v)) {
        const out = new Array(v.length);
        for (let i = 0; i < v.length; i++) {
          sizeBound += 10; // type byte + index key
          const x = fastValue(v[i], s);
          if (x === NO_FAST) return NO_FAST;
          out[i] = x;
        }
        return out;
      }
      if (v instanceof Date) return dateAt(v.getTime(), s);
      const t = (v as { _bsontype?: string })._bsontype;
      if (t === 'ObjectId') return copyOid(v as ObjectId, s);
      if (t !== undefined || ArrayBuffer.isView(v) || v instanceof RegExp || v instanceof Map) return NO_FAST;
      const proto = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null) return NO_FAST;
      const src = v as Doc;
      const keys = Object.keys(src);
      const vals = new Array(keys.length);
      let dropped = false;
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i];
        if (k === '__proto__') return NO_FAST;
        const val = src[k];
        if (typeof val === 'function' || typeof val === 'symbol') return NO_FAST;
        // BSON.serialize drops undefined fields (ignoreUndefined defaults to true).
        if (val === undefined) {
          dropped = true;
          continue;
        }
        sizeBound += 3 * k.length + 2;
        const x = fastValue(val, s && stat(k));
        if (x === NO_FAST) return NO_FAST;
        vals[i] = x;
      }
      if (dropped) {
        const ks: string[] = [];
        const vs: unknown[] = [];
        for (let i = 0; i < keys.length; i++) {
          if (src[keys[i]] === undefined) continue;
          ks.push(keys[i]);
          vs.push(vals[i]);
        }
        return buildObject(ks, vs);
      }
      return buildObject(keys, vals);
    }
    default:
      return NO_FAST;
  }
}

/** Deep copy with BSON round-trip semantics; `pool` also interns (for stored docs). */
export function copyDoc(d: Doc, pool = false): Doc {
  sizeBound = 0;
  const x = fastValue(d, pool ? ROOT_STAT : null);
  if (x !== NO_FAST) return x as Doc;
  sizeBound = Infinity;
  const r = BSON.deserialize(BSON.serialize(d));
  return pool ? intern(r) : r;
}

/**
 * Exact BSON size of a document just copied by `copyDoc`, computed only when the
 * cheap upper bound from the copy could exceed `limit`.
 */
export function sizeAfterCopy(d: Doc, limit: number): number {
  return sizeBound <= limit ? sizeBound : BSON.calculateObjectSize(d);
}

/** Structural equality with BSON semantics (key order matters, as in mongod's no-op detection). */
export function sameDoc(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') {
    return typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b);
  }
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameDoc(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  if (a instanceof Date) return b instanceof Date && a.getTime() === b.getTime();
  const ta = (a as { _bsontype?: string })._bsontype;
  const tb = (b as { _bsontype?: string })._bsontype;
  if (ta !== tb) return false;
  if (ta !== undefined || ArrayBuffer.isView(a) || a instanceof RegExp) return keyOf(a) === keyOf(b);
  const ka = Object.keys(a as Doc);
  const kb = Object.keys(b as Doc);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) {
    if (ka[i] !== kb[i]) return false;
    if (!sameDoc((a as Doc)[ka[i]], (b as Doc)[kb[i]])) return false;
  }
  return true;
}

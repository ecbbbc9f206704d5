/**
 * BSON values as MongoDB compares and prints them: canonical key strings for index
 * lookups (`keyOf`), structural equality (`sameDoc`), dotted paths, and mongod-style
 * value formatting for error messages.
 */
import { BSON, ObjectId, type BSONRegExp, type Document } from 'bson';
import { decimalKey, plainQueryNumber } from './numbers.ts';

export type Doc = Document;

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
      return 'n' + numberKey(v);
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
        return 'n' + numberKey((v as { valueOf(): number }).valueOf());
      case 'Decimal128': {
        // Equal to a double only when exactly its value ("0.1" is not the double 0.1).
        const n = plainQueryNumber(v);
        return 'n' + (typeof n === 'number' ? numberKey(n) : decimalKey(v));
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
 * Key text of a number: integers from 2^53 on by their exact digits (as an int64 or
 * an integral decimal of that value is keyed; String(2 ** 60) would round them).
 */
function numberKey(v: number): string {
  if (v === 0) return '0';
  if ((v >= 9007199254740992 || v <= -9007199254740992) && Number.isFinite(v)) return BigInt(v).toString();
  return String(v);
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

/** Structural equality with BSON semantics (key order matters, as in mongod's no-op detection). */
export function sameDoc(a: unknown, b: unknown): boolean {
  // 0 and -0 differ in BSON (an int32 0 and a double -0 are different bytes).
  if (a === b) return a !== 0 || Object.is(a, b);
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

/**
 * A BSON decoder for recovery: builds stored documents directly (compact
 * objects, interned strings and dates) for the common types, about twice as fast
 * as BSON.deserialize followed by a copy. Numbers keep their BSON type as
 * bson-numbers.ts stores them (int64 as Long, integral double as Double); any other BSON
 * type makes it return null and the caller falls back to the generic path.
 */
import { isUtf8 } from 'node:buffer';
import { Double, Long, ObjectId } from 'bson';
import { isInt32 } from '../bson-numbers.ts';
import {
  type Factory,
  type FieldStat,
  dateAt,
  internOid,
  internString,
  recordHit,
  recordMiss,
  shapeFactory,
  stat,
} from './intern.ts';
import type { Doc } from './keys.ts';

// Node's Buffer has these (used by Buffer#toString) but @types/node does not declare them.
type FastBuffer = Buffer & {
  latin1Slice(s: number, e: number): string;
  utf8Slice(s: number, e: number): string;
};
// bson 7's ObjectId reads 12 bytes at an offset without copying; not in its typings.
const OidFromBytes = ObjectId as unknown as new (b: Uint8Array, offset: number) => ObjectId;

class Unsupported extends Error {}
const UNSUPPORTED = new Unsupported();

/** Bytes that are not valid BSON (what BSON.deserialize with UTF-8 validation would refuse). */
export class MalformedBytes extends Error {}
const malformed = (what: string) => new MalformedBytes(what);

/**
 * A decoded string value must come from valid UTF-8, as with BSON.deserialize's
 * validation. Node turns invalid sequences into U+FFFD, so only a string holding
 * one needs the byte check (`includes` is native and quick on one-byte strings).
 */
function checkUtf8(str: string, b: Buffer, from: number, to: number): void {
  if (str.includes('\uFFFD') && !isUtf8(b.subarray(from, to)))
    throw malformed('Invalid UTF-8 string in BSON document');
}

/*
 * Recovery decodes tens of thousands of documents of the same few shapes. A
 * Shape remembers, per position in an object, the key last seen there (with its
 * FieldStat, the literal factory of the whole key sequence and the shapes of
 * nested values) and the string value last seen there. A key whose bytes match
 * is reused without creating a string, hashing it or joining the key list to
 * find the factory; a repeated string value is reused without decoding it.
 */
interface Shape {
  keys: string[];
  /** Key at that position is ASCII (compared byte by byte against the string). */
  ascii: boolean[];
  stats: FieldStat[];
  subs: (Shape | undefined)[];
  /**
   * The last VALUES_KEPT string values at that position (slots p * VALUES_KEPT ...)
   * and their bytes (when not ASCII); `vnext[p]` is the slot to replace next.
   */
  vstr: (string | undefined)[];
  vbytes: (Uint8Array | undefined)[];
  vnext: number[];
  factory: Factory | null;
  /** Number of keys `factory` was made for; -1 when none. */
  fkeys: number;
  /** Shape shared by the object elements of an array. */
  elem: Shape | undefined;
}
const newShape = (): Shape => ({
  keys: [],
  ascii: [],
  stats: [],
  subs: [],
  vstr: [],
  vbytes: [],
  vnext: [],
  factory: null,
  fkeys: -1,
  elem: undefined,
});
const ROOT_SHAPE = newShape();
/**
 * String values remembered per position: the fields of array elements cycle
 * through a few values (a school year, a campaign, a rating), which one slot
 * would miss every time.
 */
const VALUES_KEPT = 4;
/** Strings longer than this many bytes are never compared with remembered values. */
const LONG_STRING = 1024;
/** Reused value lists, one per nesting depth (factories copy out of them). */
const valStack: unknown[][] = [];

function sameAscii(b: Buffer, start: number, end: number, str: string): boolean {
  if (str.length !== end - start) return false;
  for (let k = 0; k < str.length; k++) if (b[start + k] !== str.charCodeAt(k)) return false;
  return true;
}

/** From this many bytes on, a native compare beats a loop (measured: 77 ns flat against ~1.4 ns a byte). */
const NATIVE_COMPARE = 64;

function sameBytes(b: Buffer, start: number, end: number, other: Uint8Array): boolean {
  const n = end - start;
  if (other.length !== n) return false;
  if (n >= NATIVE_COMPARE) return b.compare(other, 0, n, start, end) === 0;
  for (let k = 0; k < n; k++) if (b[start + k] !== other[k]) return false;
  return true;
}

/** Position of the NUL ending the cstring at `start`, and whether it is ASCII. */
let keyAscii = true;
function keyEnd(b: Buffer, start: number): number {
  let end = start;
  let ascii = true;
  while (b[end] !== 0) {
    if (b[end] > 0x7f) ascii = false;
    end++;
  }
  keyAscii = ascii;
  return end;
}

/** Where the value just decoded by decodeInto ends. */
let nextOffset = 0;

function decodeInto(
  b: FastBuffer,
  start: number,
  isArray: boolean,
  parent: FieldStat | null,
  shape: Shape,
  depth: number,
  limit: number,
): Doc | unknown[] {
  // The checks of the wire's validateDocument (bson-io.ts), so untrusted bytes can
  // be decoded without a separate validation pass: same outcome as BSON.deserialize.
  if (limit - start < 5) throw malformed('truncated document');
  const size = b.readInt32LE(start);
  if (size < 5 || start + size > limit) throw malformed('document size out of range');
  const end = start + size - 1;
  if (b[end] !== 0) throw malformed('document not terminated');
  if (depth > 100) throw UNSUPPORTED;
  let i = start + 4;
  const arr: unknown[] | null = isArray ? [] : null;
  let vals: unknown[] | null = null;
  if (!isArray) vals = valStack[depth] ??= [];
  let p = 0;
  let matched = true;
  while (i < end) {
    const type = b[i++];
    // b[end] is 0, so the scan stops there at the latest.
    const kEnd = keyEnd(b, i);
    if (kEnd >= end) throw malformed('unterminated key');
    let s: FieldStat | null;
    if (isArray) s = parent;
    else {
      const cached = shape.keys[p];
      if (
        cached !== undefined &&
        (shape.ascii[p] ? keyAscii && sameAscii(b, i, kEnd, cached) : cached === b.utf8Slice(i, kEnd))
      ) {
        s = shape.stats[p];
      } else {
        const key = keyAscii ? b.latin1Slice(i, kEnd) : b.utf8Slice(i, kEnd);
        if (key === '__proto__' || key === '$ref') throw UNSUPPORTED;
        shape.keys[p] = key;
        shape.ascii[p] = keyAscii;
        s = shape.stats[p] = stat(key);
        shape.subs[p] = undefined;
        for (let k = p * VALUES_KEPT; k < (p + 1) * VALUES_KEPT; k++)
          shape.vstr[k] = shape.vbytes[k] = undefined;
        shape.vnext[p] = 0;
        matched = false;
      }
    }
    i = kEnd + 1;
    let v: unknown;
    switch (type) {
      case 0x01:
        if (i + 8 > end) throw malformed('truncated double');
        v = b.readDoubleLE(i);
        // An integral double stays one (a number would be written back as an int32).
        if (isInt32(v as number)) v = new Double(v as number);
        i += 8;
        break;
      case 0x02: {
        if (i + 4 > end) throw malformed('truncated string');
        const len = b.readInt32LE(i);
        if (len < 1 || i + 4 + len > end || b[i + 3 + len] !== 0) throw malformed('bad string length');
        const from = i + 4;
        const to = from + len - 1;
        i = from + len;
        if (s === null || s.off || len > LONG_STRING) {
          v = b.utf8Slice(from, to);
          checkUtf8(v as string, b, from, to);
          break;
        }
        const slots = p * VALUES_KEPT;
        let known: string | undefined;
        for (let k = slots; k < slots + VALUES_KEPT; k++) {
          const last = shape.vstr[k];
          if (last === undefined) break;
          const lb = shape.vbytes[k];
          if (lb === undefined ? sameAscii(b, from, to, last) : sameBytes(b, from, to, lb)) {
            known = last;
            break;
          }
        }
        if (known !== undefined) {
          recordHit(s);
          v = known;
          break;
        }
        const decoded = b.utf8Slice(from, to);
        checkUtf8(decoded, b, from, to);
        // Long values (an award's title) are shared through the remembered values
        // only: hashing them into the pool would cost more than it finds.
        let str = decoded;
        if (len > 49) recordMiss(s);
        else str = internString(decoded, s);
        const slot = slots + (shape.vnext[p] ?? 0);
        shape.vnext[p] = (slot + 1 - slots) % VALUES_KEPT;
        shape.vstr[slot] = str;
        // An exact-size copy (a small Buffer would pin a whole 8 KiB pool slab); a short
        // ASCII value needs none (compared with its characters).
        shape.vbytes[slot] =
          str.length === to - from && to - from < NATIVE_COMPARE
            ? undefined
            : new Uint8Array(b.subarray(from, to));
        v = str;
        break;
      }
      case 0x03:
      case 0x04: {
        let sub: Shape | undefined;
        if (isArray) sub = shape.elem ??= newShape();
        else sub = shape.subs[p] ??= newShape();
        v = decodeInto(b, i, type === 0x04, s, sub, depth + 1, end);
        i = nextOffset;
        break;
      }
      case 0x07: {
        if (i + 12 > end) throw malformed('truncated ObjectId');
        const at = i;
        v = internOid(
          (b[i] << 16) | (b[i + 1] << 8) | b[i + 2],
          (b[i + 3] << 16) | (b[i + 4] << 8) | b[i + 5],
          (b[i + 6] << 16) | (b[i + 7] << 8) | b[i + 8],
          (b[i + 9] << 16) | (b[i + 10] << 8) | b[i + 11],
          s,
          () => new OidFromBytes(b, at),
        );
        i += 12;
        break;
      }
      case 0x08:
        if (b[i] > 1) throw malformed('illegal boolean type value');
        v = b[i] === 1;
        i += 1;
        break;
      case 0x09: {
        if (i + 8 > end) throw malformed('truncated date');
        v = dateAt(b.readInt32LE(i + 4) * 4294967296 + b.readUInt32LE(i), s);
        i += 8;
        break;
      }
      case 0x0a:
        v = null;
        break;
      case 0x10:
        if (i + 4 > end) throw malformed('truncated int32');
        v = b.readInt32LE(i);
        i += 4;
        break;
      case 0x12: {
        if (i + 8 > end) throw malformed('truncated int64');
        // Always a Long: as a number it would be written back as an int32 or a double.
        v = Long.fromBits(b.readInt32LE(i), b.readInt32LE(i + 4));
        i += 8;
        break;
      }
      default:
        throw UNSUPPORTED;
    }
    if (i > end) throw malformed('value overruns its document');
    if (arr) arr.push(v);
    else vals![p] = v;
    p++;
  }
  nextOffset = end + 1;
  if (arr) return arr;
  // A stored document has its `_id` first, as in mongod (drivers append the `_id`
  // they generate): the root's factory puts it there.
  const root = depth === 0;
  if (!matched || shape.fkeys !== p) {
    shape.factory = shapeFactory(p === shape.keys.length ? shape.keys : shape.keys.slice(0, p), root);
    shape.fkeys = p;
  }
  if (shape.factory !== null) return shape.factory(vals!);
  const o: Doc = {};
  if (root) {
    const at = shape.keys.indexOf('_id');
    if (at >= 0 && at < p) o._id = vals![at];
  }
  for (let k = 0; k < p; k++) o[shape.keys[k]] = vals![k];
  return o;
}

/**
 * Decodes a stored document (`_id` first, wherever it was in the bytes), or
 * returns null if it holds a type this decoder leaves to bson. Throws MalformedBytes where BSON.deserialize (UTF-8 validated)
 * would throw; a document holding a type this decoder leaves to bson returns null
 * before any such check of that value.
 */
export function decodeStored(bytes: Uint8Array): Doc | null {
  const b = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  try {
    return decodeInto(b as FastBuffer, 0, false, null, ROOT_SHAPE, 0, b.length) as Doc;
  } catch (e) {
    if (e instanceof Unsupported) return null;
    throw e;
  }
}

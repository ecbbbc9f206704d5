/**
 * A BSON decoder for recovery: builds stored documents directly (compact
 * objects, interned strings and dates) for the common types, about twice as fast
 * as BSON.deserialize followed by a copy. Produces what BSON.deserialize with
 * default options would (int64 as number when exact, else Long); any other BSON
 * type makes it return null and the caller falls back to the generic path.
 */
import { Long, ObjectId } from 'bson';
import {
  type Doc,
  type FieldStat,
  buildObject,
  internDate,
  internOid,
  internString,
  stat,
} from './bsonutil.ts';

// Node's Buffer has these (used by Buffer#toString) but @types/node does not declare them.
type FastBuffer = Buffer & {
  latin1Slice(s: number, e: number): string;
  utf8Slice(s: number, e: number): string;
};
// bson 7's ObjectId reads 12 bytes at an offset without copying; not in its typings.
const OidFromBytes = ObjectId as unknown as new (b: Uint8Array, offset: number) => ObjectId;

class Unsupported extends Error {}
const UNSUPPORTED = new Unsupported();

function readKey(b: FastBuffer, start: number): [string, number] {
  let end = start;
  let ascii = true;
  while (b[end] !== 0) {
    if (b[end] > 0x7f) ascii = false;
    end++;
  }
  return [ascii ? b.latin1Slice(start, end) : b.utf8Slice(start, end), end + 1];
}

function decodeInto(
  b: FastBuffer,
  start: number,
  isArray: boolean,
  parent: FieldStat | null,
): [Doc | unknown[], number] {
  const size = b.readInt32LE(start);
  const end = start + size - 1;
  let i = start + 4;
  const arr: unknown[] | null = isArray ? [] : null;
  const keys: string[] | null = isArray ? null : [];
  const vals: unknown[] | null = isArray ? null : [];
  while (i < end) {
    const type = b[i++];
    const [key, afterKey] = readKey(b, i);
    i = afterKey;
    if (!isArray && (key === '__proto__' || key === '$ref')) throw UNSUPPORTED;
    const s = isArray ? parent : stat(key);
    let v: unknown;
    switch (type) {
      case 0x01:
        v = b.readDoubleLE(i);
        i += 8;
        break;
      case 0x02: {
        const len = b.readInt32LE(i);
        const str = b.utf8Slice(i + 4, i + 4 + len - 1);
        v = s ? internString(str, s) : str;
        i += 4 + len;
        break;
      }
      case 0x03:
      case 0x04: {
        const [sub, next] = decodeInto(b, i, type === 0x04, s);
        v = sub;
        i = next;
        break;
      }
      case 0x07: {
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
        v = b[i] === 1;
        i += 1;
        break;
      case 0x09: {
        const d = new Date(b.readInt32LE(i + 4) * 4294967296 + b.readUInt32LE(i));
        v = s ? internDate(d, s) : d;
        i += 8;
        break;
      }
      case 0x0a:
        v = null;
        break;
      case 0x10:
        v = b.readInt32LE(i);
        i += 4;
        break;
      case 0x12: {
        const lo = b.readInt32LE(i);
        const hi = b.readInt32LE(i + 4);
        const n = hi * 4294967296 + (lo >>> 0);
        v = Number.isSafeInteger(n) ? n : Long.fromBits(lo, hi);
        i += 8;
        break;
      }
      default:
        throw UNSUPPORTED;
    }
    if (arr) arr.push(v);
    else {
      keys!.push(key);
      vals!.push(v);
    }
  }
  return [arr ?? buildObject(keys!, vals!), end + 1];
}

/** Decodes a stored document, or returns null if it holds a type this decoder leaves to bson. */
export function decodeStored(bytes: Uint8Array): Doc | null {
  const b = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  try {
    return decodeInto(b as FastBuffer, 0, false, null)[0] as Doc;
  } catch (e) {
    if (e instanceof Unsupported) return null;
    throw e;
  }
}

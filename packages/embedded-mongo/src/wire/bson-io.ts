import { isUtf8 } from 'node:buffer';
import { BSON, type Document, type DeserializeOptions } from 'bson';
import { ProtocolError } from './errors.ts';
import { storedNumbers } from '../bson-numbers.ts';

/**
 * How every incoming document is decoded, decided once for the whole server:
 * - Numbers keep their BSON type (see ../engine/numbers.ts): decoded without
 *   promotion, then int32 and non-integral doubles become JS numbers while every
 *   int64 stays a `Long` and an integral double a `Double` (a number would be
 *   written back as an int32). A cursor id in `getMore` arrives as a `Long`.
 * - ObjectId, Date, Decimal128, Binary, Timestamp stay typed.
 * - BSON regexes become JS RegExp (mingo needs them); flags JS lacks are dropped.
 * - UTF-8 of string values is validated: a malformed string is a malformed
 *   message (see decodeDocument). Like bson, keys are not validated.
 */
export const DESERIALIZE_OPTIONS: DeserializeOptions = Object.freeze({
  promoteLongs: false,
  promoteValues: false,
  promoteBuffers: false,
  useBigInt64: false,
  bsonRegExp: false,
  validation: { utf8: true },
});

const UNVALIDATED_OPTIONS: DeserializeOptions = Object.freeze({
  ...DESERIALIZE_OPTIONS,
  validation: { utf8: false },
});

/** Typed values that hold no text, so they cannot hide invalid UTF-8. */
const TEXTLESS_BSON_TYPES = new Set([
  'ObjectId',
  'Long',
  'Decimal128',
  'Binary',
  'Timestamp',
  'MinKey',
  'MaxKey',
  'Int32',
  'Double',
]);

/**
 * Whether a document decoded without validation may contain invalid UTF-8 in
 * a string value (bson validates values only, never keys; we match it).
 * Node decodes invalid UTF-8 to U+FFFD, so a document without U+FFFD in any
 * string is valid; `includes` is native, whereas bson's own check walks
 * every string char by char in JS (about 40% of the decode time for 3 KB
 * text-heavy documents). Exotic values (Code, DBRef, Symbol…) are rare and
 * simply take the slow path.
 */
function mayHoldInvalidUtf8(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\uFFFD');
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) {
    for (const item of value) if (mayHoldInvalidUtf8(item)) return true;
    return false;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) {
    for (const key in value) {
      if (mayHoldInvalidUtf8((value as Record<string, unknown>)[key])) return true;
    }
    return false;
  }
  if (value instanceof Date) return false;
  if (value instanceof RegExp) return value.source.includes('\uFFFD');
  const bsonType = (value as { _bsontype?: unknown })._bsontype;
  return !(typeof bsonType === 'string' && TEXTLESS_BSON_TYPES.has(bsonType));
}

/** Reads the int32 size prefix of the document at `offset` and checks that it fits in `end`. */
export function documentSizeAt(buffer: Buffer, offset: number, end: number): number {
  if (end - offset < 5) throw new ProtocolError('truncated BSON document');
  const size = buffer.readInt32LE(offset);
  if (size < 5 || size > end - offset) {
    throw new ProtocolError(`BSON document size ${size} does not fit the message`);
  }
  return size;
}

/**
 * Decodes exactly `size` bytes at `offset`, with the semantics of
 * DESERIALIZE_OPTIONS (UTF-8 validated), but validating only documents that
 * could fail (see mayHoldInvalidUtf8). Any BSON error becomes a ProtocolError.
 */
export function decodeDocument(buffer: Buffer, offset: number, size: number): Document {
  const bytes = buffer.subarray(offset, offset + size);
  try {
    const document = BSON.deserialize(bytes, UNVALIDATED_OPTIONS);
    return storedNumbers(
      mayHoldInvalidUtf8(document) ? BSON.deserialize(bytes, DESERIALIZE_OPTIONS) : document,
    );
  } catch (error) {
    throw new ProtocolError(`invalid BSON: ${(error as Error).message}`);
  }
}

/** Reads a NUL-terminated UTF-8 string; returns it and the offset after the NUL. */
export function readCString(buffer: Buffer, offset: number, end: number): [string, number] {
  const nul = buffer.indexOf(0, offset);
  if (nul < 0 || nul >= end) throw new ProtocolError('unterminated C string');
  if (!isUtf8(buffer.subarray(offset, nul))) throw new ProtocolError('C string is not valid UTF-8');
  return [buffer.toString('utf8', offset, nul), nul + 1];
}

function checkUtf8(buffer: Buffer, from: number, to: number): void {
  // ASCII runs are checked here; from the first byte above 0x7f, the native check.
  for (let k = from; k < to; k++) {
    if (buffer[k] > 0x7f) {
      if (!isUtf8(buffer.subarray(k, to)))
        throw new ProtocolError('invalid BSON: Invalid UTF-8 string in BSON document');
      return;
    }
  }
}

/**
 * Validates the document at `offset` (exactly `size` bytes) without building it:
 * structure, sizes, booleans and UTF-8 of strings, as `decodeDocument` would.
 * Returns false when the document holds a type this walker does not check
 * (regex, code, DBPointer, symbol, undefined…): decode it with `decodeDocument`.
 * Malformed bytes throw ProtocolError.
 */
export function validateDocument(buffer: Buffer, offset: number, size: number): boolean {
  return walk(buffer, offset, offset + size, 0);
}

function walk(b: Buffer, start: number, limit: number, depth: number): boolean {
  if (depth > 100) return false;
  if (limit - start < 5) throw new ProtocolError('invalid BSON: truncated document');
  const size = b.readInt32LE(start);
  if (size < 5 || start + size > limit) throw new ProtocolError('invalid BSON: document size out of range');
  const last = start + size - 1;
  if (b[last] !== 0) throw new ProtocolError('invalid BSON: document not terminated');
  let i = start + 4;
  while (i < last) {
    const type = b[i++];
    // Keys are short: a loop beats a native indexOf call.
    while (i < last && b[i] !== 0) i++;
    if (i >= last) throw new ProtocolError('invalid BSON: unterminated key');
    i++;
    switch (type) {
      case 0x01:
      case 0x09:
      case 0x11:
      case 0x12:
        i += 8;
        break;
      case 0x02: {
        if (i + 4 > last) throw new ProtocolError('invalid BSON: truncated string');
        const len = b.readInt32LE(i);
        if (len < 1 || i + 4 + len > last || b[i + 3 + len] !== 0)
          throw new ProtocolError('invalid BSON: bad string length');
        checkUtf8(b, i + 4, i + 3 + len);
        i += 4 + len;
        break;
      }
      case 0x03:
      case 0x04: {
        if (!walk(b, i, last, depth + 1)) return false;
        i += b.readInt32LE(i);
        break;
      }
      case 0x05: {
        if (i + 5 > last) throw new ProtocolError('invalid BSON: truncated binary');
        const len = b.readInt32LE(i);
        if (len < 0 || i + 5 + len > last) throw new ProtocolError('invalid BSON: bad binary length');
        if (b[i + 4] === 2) return false; // old binary: bson checks its inner length
        i += 5 + len;
        break;
      }
      case 0x07:
        i += 12;
        break;
      case 0x08:
        if (b[i] > 1) throw new ProtocolError('invalid BSON: illegal boolean type value');
        i += 1;
        break;
      case 0x0a:
      case 0x7f:
      case 0xff:
        break;
      case 0x10:
        i += 4;
        break;
      case 0x13:
        i += 16;
        break;
      default:
        return false;
    }
    if (i > last) throw new ProtocolError('invalid BSON: value overruns its document');
  }
  return true;
}

import { isUtf8 } from 'node:buffer';
import { BSON, type Document, type DeserializeOptions } from 'bson';
import { ProtocolError } from './errors.ts';

/**
 * How every incoming document is decoded, decided once for the whole server:
 * - `promoteLongs`/`promoteValues` (the defaults): int32, int64 that fit in a
 *   double, and doubles all become JS numbers, so mingo compares `5` (int32)
 *   with `5` (int64) as equal, like MongoDB does. A cursor id in `getMore`
 *   therefore arrives as a number or, when above 2^53, as a `Long`.
 * - ObjectId, Date, Decimal128, Binary, Timestamp stay typed.
 * - BSON regexes become JS RegExp (mingo needs them); flags JS lacks are dropped.
 * - UTF-8 of string values is validated: a malformed string is a malformed
 *   message (see decodeDocument). Like bson, keys are not validated.
 */
export const DESERIALIZE_OPTIONS: DeserializeOptions = Object.freeze({
  promoteLongs: true,
  promoteValues: true,
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
    return mayHoldInvalidUtf8(document) ? BSON.deserialize(bytes, DESERIALIZE_OPTIONS) : document;
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

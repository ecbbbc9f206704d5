/**
 * Numbers as the server keeps them, shared by the wire (decoding) and the engine
 * (see engine/numbers.ts): documents are decoded with `promoteValues: false`, then
 * int32 and non-integral doubles become JS numbers (the common case, and what
 * bson writes back with the same type) while an int64 stays a `Long` and an
 * integral double a `Double` (as a number it would be written back as an int32).
 */
import type { Double, Int32 } from 'bson';

const tag = (v: object): string | undefined => (v as { _bsontype?: string })._bsontype;

/** A JS number bson serializes as int32 (not -0). */
export const isInt32 = (n: number): boolean =>
  Number.isInteger(n) && n >= -2147483648 && n <= 2147483647 && !Object.is(n, -0);

/**
 * The stored form of a value decoded with `promoteValues: false`: int32 and
 * non-integral doubles become numbers, the rest keeps its wrapper. Returns the
 * same value when nothing changes.
 */
export function storedNumber(v: object): unknown {
  const t = tag(v);
  if (t === 'Int32') return (v as Int32).value;
  if (t === 'Double') {
    const x = (v as Double).value;
    return isInt32(x) ? v : x;
  }
  return v;
}

/**
 * Converts, in place, the numeric wrappers of a document decoded with
 * `promoteValues: false` to their stored form (see storedNumber).
 */
export function storedNumbers<T>(v: T): T {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (x !== null && typeof x === 'object')
        v[i] = tag(x) !== undefined ? storedNumber(x) : storedNumbers(x);
    }
    return v;
  }
  if (tag(v) !== undefined) return storedNumber(v) as T;
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return v;
  const o = v as Record<string, unknown>;
  for (const k in o) {
    const x = o[k];
    if (x !== null && typeof x === 'object') o[k] = tag(x) !== undefined ? storedNumber(x) : storedNumbers(x);
  }
  return v;
}

/** Sub-documents of a command that hold options, never stored values. */
const OPTION_DOCS = new Set(['cursor', 'writeConcern']);

/**
 * A command's own numeric options (`limit: NumberLong(5)`, `batchSize: 5.0`, a
 * `cursor.batchSize` or `writeConcern.wtimeout`, as drivers in other languages send
 * them) as plain numbers, which the command handlers read; values that will be
 * stored or matched (filters, documents, updates) are never at the top level.
 * An int64 beyond 2^53 (a cursor id) stays a Long. Changes `body` in place.
 */
export function commandNumbers<T extends Record<string, unknown>>(body: T): T {
  const o = body as Record<string, unknown>;
  for (const k in o) {
    const v = o[k];
    if (v === null || typeof v !== 'object') continue;
    if (tag(v) !== undefined) o[k] = plainNumber(v);
    else if (OPTION_DOCS.has(k) && Object.getPrototypeOf(v) === Object.prototype) {
      const sub = v as Record<string, unknown>;
      for (const s in sub) {
        const x = sub[s];
        if (x !== null && typeof x === 'object' && tag(x) !== undefined) sub[s] = plainNumber(x);
      }
    }
  }
  return body;
}

function plainNumber(v: object): unknown {
  const t = tag(v);
  if (t === 'Double') return (v as Double).value;
  if (t === 'Long') {
    const n = (v as { toNumber(): number }).toNumber();
    return Number.isSafeInteger(n) ? n : v;
  }
  return v;
}

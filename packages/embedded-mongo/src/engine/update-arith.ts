/**
 * `$inc`, `$mul`, `$min` and `$max` with mongod's numeric types (numbers.ts):
 * mingo's would add JS numbers, losing int64/decimal values and their types. Per
 * document, each such field becomes a `$set` of the value mongod computes (`$min`/
 * `$max` in BSON order, sort-order.ts, strings by the update's collation).
 * `$push` with `$sort` likewise (mingo sorted by the first key only, in its own order).
 */
import { type Doc, formatValue, isPlainObject } from './keys.ts';
import { err } from './errors.ts';
import { LongOverflow, add, mul, numKind } from './numbers.ts';
import { bsonCompare, sortBson } from './sort-order.ts';
import type { Collation } from './collation.ts';

const ARITH = ['$inc', '$mul', '$min', '$max'] as const;

export const hasArith = (ops: Record<string, Doc>): boolean => ARITH.some((op) => op in ops);

/** mongod refuses a non-numeric `$inc`/`$mul` operand before touching any document (14). */
export function checkArithOperands(ops: Record<string, Doc>): void {
  for (const [op, verb] of [
    ['$inc', 'increment'],
    ['$mul', 'multiply'],
  ] as const) {
    const fields = ops[op];
    if (!fields) continue;
    for (const [f, v] of Object.entries(fields))
      if (numKind(v) === null)
        throw err(14, `Cannot ${verb} with non-numeric argument: {${f}: ${formatValue(v)}}`);
  }
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (v instanceof Date) return 'date';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'object') {
    const t = (v as { _bsontype?: string })._bsontype;
    if (t === 'ObjectId') return 'objectId';
    if (t === 'Binary') return 'binData';
    return t ? t.toLowerCase() : 'object';
  }
  return typeof v;
}

/** The value at a concrete dotted path (array elements by index), or undefined. */
export function readPath(doc: Doc, path: string): unknown {
  let cur: unknown = doc;
  for (const p of path.split('.')) {
    if (Array.isArray(cur)) cur = /^\d+$/.test(p) ? cur[Number(p)] : undefined;
    else if (isPlainObject(cur)) cur = cur[p];
    else return undefined;
  }
  return cur;
}

const isPositional = (path: string) =>
  path.split('.').some((p) => p === '$' || (p.startsWith('$[') && p.endsWith(']')));

/**
 * The operators for one document with `$inc`/`$mul` (and numeric `$min`/`$max`)
 * turned into `$set`s of their results. `concrete` resolves positional paths
 * for the document (null: nothing to apply).
 */
export function resolveArith(
  doc: Doc,
  ops: Record<string, Doc>,
  concrete: (doc: Doc, ops: Record<string, Doc>) => Record<string, Doc> | null,
  collation?: Collation,
): Record<string, Doc> {
  let arith: Record<string, Doc> = {};
  const out: Record<string, Doc> = {};
  let positional = false;
  for (const [op, fields] of Object.entries(ops)) {
    if ((ARITH as readonly string[]).includes(op)) {
      arith[op] = fields;
      if (Object.keys(fields).some(isPositional)) positional = true;
    } else out[op] = fields;
  }
  if (positional) arith = concrete(doc, arith) ?? {};
  const set: Doc = {};
  for (const [op, fields] of Object.entries(arith)) {
    for (const [path, operand] of Object.entries(fields)) {
      const cur = readPath(doc, path);
      if (cur === undefined) {
        set[path] = op === '$mul' ? mul(0, operand, 'error') : operand;
        continue;
      }
      if (op === '$min' || op === '$max') {
        // BSON order: numbers by value, then types, arrays element by element, strings
        // (also nested) by the update's collation.
        const c = bsonCompare(operand, cur, collation);
        if (op === '$min' ? c < 0 : c > 0) set[path] = operand;
        continue;
      }
      if (numKind(cur) === null)
        throw err(
          14,
          `Cannot apply ${op} to a value of non-numeric type. {_id: ${formatValue(doc._id)}} has the field '${path.split('.').pop()}' of non-numeric type ${typeName(cur)}`,
        );
      try {
        set[path] = op === '$inc' ? add(cur, operand, 'error') : mul(cur, operand, 'error');
      } catch (e) {
        if (!(e instanceof LongOverflow)) throw e;
        throw err(
          2,
          `Failed to apply ${op} operations to current value ((NumberLong)${String(cur)}) for document {_id: ${formatValue(doc._id)}}`,
        );
      }
    }
  }
  if (Object.keys(set).length) out.$set = { ...out.$set, ...set };
  return out;
}

/**
 * `$bit` is mingo's, on JS numbers: on an int64 (stored or as the operand) it
 * would not be exact, so that is refused rather than answered wrong.
 */
export function checkBit(doc: Doc, ops: Record<string, Doc>): void {
  const fields = ops.$bit;
  if (!fields) return;
  for (const [path, spec] of Object.entries(fields)) {
    const operands = isPlainObject(spec) ? Object.values(spec) : [];
    const cur = isPositional(path) ? undefined : readPath(doc, path);
    if ([cur, ...operands].some((v) => numKind(v) === 'long' || numKind(v) === 'decimal'))
      throw err(2, `$bit on a long value is not supported by this server (it would not be exact)`);
  }
}

// ---------------------------------------------------------------------------------------------
// $push with $sort.

export const hasPushSort = (ops: Record<string, Doc>): boolean =>
  !!ops.$push && Object.values(ops.$push).some((spec) => isPlainObject(spec) && '$sort' in spec);

const integer = (v: unknown) => typeof v === 'number' && Number.isInteger(v);

/** The `$sort` of a `$push`: 1 / -1 (the elements) or `{field: 1 | -1, …}`, else mongod's refusal. */
function pushSortSpec(sort: unknown): number | Record<string, number> {
  if (sort === 1 || sort === -1) return sort;
  if (
    isPlainObject(sort) &&
    Object.keys(sort).length > 0 &&
    Object.values(sort).every((d) => d === 1 || d === -1)
  )
    return sort as Record<string, number>;
  throw err(
    2,
    'The $sort is invalid: use 1/-1 to sort the whole element, or {field:1/-1} to sort embedded fields',
  );
}

/**
 * The operators for one document with each `$push` that has a `$sort` turned into a `$set`
 * of the array mongod makes: `$each` inserted at `$position` (the end without it), sorted
 * (stable; by the elements or their fields, as `$sort` orders them), then `$slice`d.
 */
export function resolvePushSort(
  doc: Doc,
  ops: Record<string, Doc>,
  collation?: Collation,
): Record<string, Doc> {
  const out: Record<string, Doc> = { ...ops };
  const keep: Doc = {};
  const set: Doc = {};
  for (const [path, spec] of Object.entries(ops.$push)) {
    if (!isPlainObject(spec) || !('$sort' in spec)) {
      keep[path] = spec;
      continue;
    }
    if (isPositional(path))
      throw err(2, `$push with $sort on a positional path ('${path}') is not supported by this server`);
    if (!Array.isArray(spec.$each)) throw err(2, 'The argument to $each in $push must be an array');
    const order = pushSortSpec(spec.$sort);
    if (spec.$slice !== undefined && !integer(spec.$slice))
      throw err(2, 'The value for $slice must be an integer value');
    if (spec.$position !== undefined && !integer(spec.$position))
      throw err(2, 'The value for $position must be an integer value');
    const cur = readPath(doc, path);
    if (cur !== undefined && !Array.isArray(cur))
      throw err(
        2,
        `The field '${path}' must be an array but is of type ${typeName(cur)} in document {_id: ${formatValue(doc._id)}}`,
      );
    let arr = [...((cur as unknown[] | undefined) ?? [])];
    const position = spec.$position as number | undefined;
    const at =
      position === undefined
        ? arr.length
        : position < 0
          ? Math.max(0, arr.length + position)
          : Math.min(position, arr.length);
    arr.splice(at, 0, ...(spec.$each as unknown[]));
    arr =
      typeof order === 'number'
        ? arr
            .map((v, i) => ({ v, i }))
            .sort((a, b) => order * bsonCompare(a.v, b.v, collation) || a.i - b.i)
            .map((e) => e.v)
        : sortBson(arr as Doc[], order, collation);
    const slice = spec.$slice as number | undefined;
    if (slice !== undefined)
      arr = slice >= 0 ? arr.slice(0, slice) : arr.slice(Math.max(0, arr.length + slice));
    set[path] = arr;
  }
  delete out.$push;
  if (Object.keys(keep).length) out.$push = keep;
  // No other operator names these paths (mongod's conflict check ran before).
  if (Object.keys(set).length) out.$set = { ...(out.$set ?? {}), ...set };
  return out;
}

/**
 * The operators that order values, in MongoDB's order (sort-order.ts) instead of
 * mingo's: `$sortArray`; the accumulators `$top`, `$topN`, `$bottom`, `$bottomN`
 * (their `sortBy` as `$sort`: arrays by their smallest or largest element); the
 * expressions (and so the accumulators) `$maxN`, `$minN` (BSON order: arrays element
 * by element). mingo sorted with its own
 * `$sort` and compared arrays after sorting their elements, so these answered
 * differently from mongod without an error.
 *
 * `$setWindowFields` keeps mingo's code (its windows read the sorted documents), but
 * when mingo's order of the documents would differ from mongod's, the stage is refused
 * rather than computed over a different order.
 */
import { evalExpr } from 'mingo/core';
import { Lazy, type Iterator } from 'mingo/lazy';
import * as accumulatorOperators from 'mingo/operators/accumulator';
import * as pipelineOperators from 'mingo/operators/pipeline';
import type { Options } from 'mingo/types';
import { type Doc, isPlainObject } from './keys.ts';
import { err } from './errors.ts';
import { bsonCompare, sortBson, sortKeyOf } from './sort-order.ts';
import { collationIn } from './collated-ops.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyFn = (...args: any[]) => any;
type Accumulator = (coll: Doc[], expr: Doc, options: Options) => unknown;

const mingoAcc = accumulatorOperators as unknown as Record<string, Accumulator>;
const $push = mingoAcc.$push;

/** A `$sort`-style spec (`{path: 1 | -1, …}`, at least one key), or null. */
function sortSpec(v: unknown): Record<string, number> | null {
  if (!isPlainObject(v) || Object.keys(v).length === 0) return null;
  return Object.values(v).every((d) => d === 1 || d === -1) ? (v as Record<string, number>) : null;
}

/** The group's `n`: a positive integer, else mongod's error. */
function countN(name: string, expr: Doc, options: Options): number {
  const local = (options as { local?: { groupId?: unknown } }).local;
  const n = evalExpr(local?.groupId, expr.n, options);
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1)
    throw err(2, `'n' must be a positive integer, found ${String(n)} in ${name}`);
  return n;
}

/** `$topN` / `$bottomN` (and `$top` / `$bottom`, one document, not in an array). */
function topBottom(name: string, bottom: boolean, single: boolean): Accumulator {
  const original = mingoAcc[name];
  return (coll, expr, options) => {
    const spec = isPlainObject(expr) ? sortSpec(expr.sortBy) : null;
    if (!spec || !('output' in expr)) return original(coll, expr, options);
    const n = single ? 1 : countN(name, expr, options);
    const sorted = sortBson(coll, spec, collationIn(options));
    const picked = bottom ? sorted.slice(Math.max(0, sorted.length - n)) : sorted.slice(0, n);
    const out = ($push(picked, expr.output, options) as unknown[]).map((v) => (v === undefined ? null : v));
    return single ? (out[0] ?? null) : out;
  };
}

/**
 * `$maxN` / `$minN`: the n greatest or least non-null elements of `input`, in that
 * order. mingo runs an expression before an accumulator of the same name, so in a
 * `$group` this also runs, with `input` evaluated over the group's documents.
 */
function extremesN(name: '$maxN' | '$minN') {
  return (obj: unknown, expr: Doc, options: Options): unknown => {
    if (!isPlainObject(expr) || !('n' in expr) || !('input' in expr))
      throw err(2, `${name} requires 'n' and 'input'`);
    const n = evalExpr(obj, expr.n, options);
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1)
      throw err(2, `'n' must be a positive integer, found ${String(n)} in ${name}`);
    const input = evalExpr(obj, expr.input, options);
    if (input === null || input === undefined) return null;
    if (!Array.isArray(input)) throw err(2, `${name} requires an array for 'input'`);
    const sign = name === '$maxN' ? -1 : 1;
    return input
      .filter((v) => v !== null && v !== undefined)
      .map((v, i) => ({ v, i }))
      .sort((a, b) => sign * bsonCompare(a.v, b.v) || a.i - b.i)
      .slice(0, n)
      .map((e) => e.v);
  };
}

export const sortedAccumulators: Record<string, AnyFn> = {
  $top: topBottom('$top', false, true) as AnyFn,
  $topN: topBottom('$topN', false, false) as AnyFn,
  $bottom: topBottom('$bottom', true, true) as AnyFn,
  $bottomN: topBottom('$bottomN', true, false) as AnyFn,
};

/** `$sortArray`: the elements (1 / -1) or the elements' fields (a sort spec) in MongoDB's order. */
function $sortArray(obj: unknown, expr: unknown, options: Options): unknown {
  if (!isPlainObject(expr) || !('input' in expr) || !('sortBy' in expr))
    throw err(2, "$sortArray requires 'input' and 'sortBy'");
  const input = evalExpr(obj, expr.input, options);
  if (input === null || input === undefined) return null;
  if (!Array.isArray(input))
    throw err(2, `The input argument to $sortArray must be an array, but was of type: ${typeof input}`);
  const by = expr.sortBy;
  const c = collationIn(options);
  if (by === 1 || by === -1)
    return input
      .map((v, i) => ({ v, i }))
      .sort((a, b) => by * bsonCompare(a.v, b.v, c) || a.i - b.i)
      .map((e) => e.v);
  const spec = sortSpec(by);
  if (!spec) throw err(2, '$sortArray sortBy must be 1, -1, or a sort specification');
  return sortBson(input as Doc[], spec, c);
}

export const sortedExpressions: Record<string, AnyFn> = {
  $sortArray: $sortArray as AnyFn,
  $maxN: extremesN('$maxN') as AnyFn,
  $minN: extremesN('$minN') as AnyFn,
};

type Stage = (coll: Iterator, expr: Doc, options: Options) => Iterator;
const pipeline = pipelineOperators as unknown as Record<string, Stage>;

/**
 * `$setWindowFields`, refused where mingo's order of the documents is not one mongod
 * could give: at some position the two orders hold documents with different sort keys
 * (ties may come in any order, as in mongod).
 */
function $setWindowFields(coll: Iterator, expr: Doc, options: Options): Iterator {
  const spec = isPlainObject(expr) ? sortSpec(expr.sortBy) : null;
  if (!spec) return pipeline.$setWindowFields(coll, expr, options);
  const keys = Object.entries(spec).map(([path, dir]) => ({ parts: path.split('.'), dir }));
  const c = collationIn(options);
  return coll.transform((items) => {
    const docs = items as Doc[];
    const ours = sortBson(docs, spec, c);
    const theirs = pipeline.$sort(Lazy(docs), spec, options).collect() as Doc[];
    const same = ours.every((d, i) =>
      keys.every(
        ({ parts, dir }) =>
          bsonCompare(sortKeyOf(d, parts, dir, c), sortKeyOf(theirs[i], parts, dir, c), c) === 0,
      ),
    );
    if (!same)
      throw err(
        2,
        `$setWindowFields sortBy on ${Object.keys(spec).join(', ')}: values of this kind (arrays, embedded documents, mixed types) are not supported by this server`,
      );
    return pipeline.$setWindowFields(Lazy(docs), expr, options);
  });
}

export const sortedPipeline: Record<string, AnyFn> = { $setWindowFields: $setWindowFields as AnyFn };

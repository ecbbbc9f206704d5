/**
 * mingo operators that honour a collation for string comparisons: query `$eq $ne
 * $in $nin $gt $gte $lt $lte $all`, expression `$eq $ne $gt $gte $lt $lte $cmp`,
 * and the `$sort` stage. Each wraps mingo's own operator and takes over only when
 * the options carry a collation (`options.collation.locale`, a parsed
 * CollationSpec), so the plain path runs mingo's code unchanged. `$regex` is not
 * wrapped: mongod's regexes ignore the collation too.
 */
import { numCmp, numKind } from './numbers.ts';
import { evalExpr } from 'mingo/core';
import { compare as mingoCompare, resolve } from 'mingo/util';
import type { Options } from 'mingo/types';
import { type Collation, type CollationSpec, collatedEqual, collationOf } from './collation.ts';
import { type Doc, isPlainObject } from './keys.ts';
import { err } from './errors.ts';
import { bsonCompare } from './sort-order.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyFn = (...args: any[]) => any;

/** The collation mingo's options carry (a parsed spec), if any. */
export function collationIn(options: Options | undefined): Collation | undefined {
  const spec = options?.collation as CollationSpec | undefined;
  return spec && typeof spec.locale === 'string' && 'version' in spec ? collationOf(spec) : undefined;
}

const isRegex = (v: unknown) =>
  v instanceof RegExp ||
  (v !== null && typeof v === 'object' && (v as { _bsontype?: string })._bsontype === 'BSONRegExp');

/** mingo's order for scalars (it tells missing from null), with strings by the collation; arrays and documents in BSON order. */
export function collatedCompare(a: unknown, b: unknown, c: Collation): number {
  if (typeof a === 'string' && typeof b === 'string') return c.compare(a, b);
  if (Array.isArray(a) || Array.isArray(b) || isPlainObject(a) || isPlainObject(b))
    return bsonCompare(a, b, c);
  // Numbers of any BSON type by value (Long, Double and Decimal128 wrappers included).
  if (numKind(a) !== null && numKind(b) !== null) return numCmp(a, b);
  return mingoCompare(a, b);
}

const sameKind = (a: unknown, b: unknown) =>
  typeof a === typeof b && Array.isArray(a) === Array.isArray(b) && (a === null) === (b === null);

/** Query `$eq` on a resolved value: the value itself or (an array) any element. */
function eq(lhs: unknown, rhs: unknown, c: Collation): boolean {
  if ((lhs === null || lhs === undefined) && (rhs === null || rhs === undefined)) return true;
  if (collatedEqual(lhs, rhs, c)) return true;
  return (
    Array.isArray(lhs) &&
    lhs.some((v) => collatedEqual(v, rhs, c) || (Array.isArray(v) && v.some((w) => collatedEqual(w, rhs, c))))
  );
}

/** A query's regex as a RegExp (the driver may hand a BSONRegExp). */
function toRegExp(x: unknown): RegExp {
  if (x instanceof RegExp) return x;
  const r = x as { pattern: string; options: string };
  return new RegExp(r.pattern, r.options.replace(/[^gimsuy]/g, ''));
}

function inList(lhs: unknown, list: unknown[], c: Collation): boolean {
  return list.some((x) => {
    if (isRegex(x)) {
      const re = toRegExp(x);
      const vals = Array.isArray(lhs) ? lhs : [lhs];
      return vals.some((v) => typeof v === 'string' && re.test(v));
    }
    return eq(lhs, x, c);
  });
}

function range(lhs: unknown, rhs: unknown, c: Collation, ok: (r: number) => boolean): boolean {
  const vals = Array.isArray(lhs) ? [lhs, ...lhs] : [lhs];
  return vals.some((v) => sameKind(v, rhs) && ok(collatedCompare(v, rhs, c)));
}

type Pred = (lhs: unknown, rhs: unknown, c: Collation) => boolean;

function queryOp(original: AnyFn, pred: Pred, mingoOnly?: (value: unknown) => boolean): AnyFn {
  return (selector: string, value: unknown, options: Options) => {
    const c = collationIn(options);
    if (!c || mingoOnly?.(value)) return original(selector, value, options);
    return (o: object) => pred(resolve(o as Doc, selector, { unwrapArray: true }), value, c);
  };
}

function exprOp(original: AnyFn, pred: (a: unknown, b: unknown, c: Collation) => unknown): AnyFn {
  return (obj: unknown, expr: unknown, options: Options) => {
    const c = collationIn(options);
    if (!c) return original(obj, expr, options);
    const [a, b] = evalExpr(obj, expr, options) as unknown[];
    return pred(a, b, c);
  };
}

/** The query operators, wrapped. */
export function collatedQueryOps(ops: Record<string, AnyFn>): Record<string, AnyFn> {
  return {
    $eq: queryOp(ops.$eq, eq),
    $ne: queryOp(ops.$ne, (l, r, c) => !eq(l, r, c)),
    $in: queryOp(ops.$in, (l, r, c) => inList(l, r as unknown[], c)),
    $nin: queryOp(ops.$nin, (l, r, c) => !inList(l, r as unknown[], c)),
    $gt: queryOp(ops.$gt, (l, r, c) => range(l, r, c, (x) => x > 0)),
    $gte: queryOp(ops.$gte, (l, r, c) => range(l, r, c, (x) => x >= 0)),
    $lt: queryOp(ops.$lt, (l, r, c) => range(l, r, c, (x) => x < 0)),
    $lte: queryOp(ops.$lte, (l, r, c) => range(l, r, c, (x) => x <= 0)),
    $all: queryOp(
      ops.$all,
      (l, r, c) => {
        const rhs = r as unknown[];
        if (!Array.isArray(l) || !Array.isArray(rhs) || !l.length || !rhs.length) return false;
        return rhs.every((x) =>
          isRegex(x)
            ? l.some((v) => typeof v === 'string' && toRegExp(x).test(v))
            : l.some((v) => collatedEqual(v, x, c)),
        );
        // `$elemMatch` inside `$all` is mingo's (its inner query gets the collation itself).
      },
      (v) => Array.isArray(v) && v.some((x) => isPlainObject(x) && '$elemMatch' in x),
    ),
  };
}

/** The expression comparison operators, wrapped (aggregation and `$expr`). */
export function collatedExpressionOps(ops: Record<string, AnyFn>): Record<string, AnyFn> {
  const cmp = (ok: (r: number) => boolean) => (a: unknown, b: unknown, c: Collation) =>
    ok(collatedCompare(a, b, c));
  return {
    $eq: exprOp(ops.$eq, (a, b, c) => collatedEqual(a, b, c)),
    $ne: exprOp(ops.$ne, (a, b, c) => !collatedEqual(a, b, c)),
    $gt: exprOp(
      ops.$gt,
      cmp((r) => r > 0),
    ),
    $gte: exprOp(
      ops.$gte,
      cmp((r) => r >= 0),
    ),
    $lt: exprOp(
      ops.$lt,
      cmp((r) => r < 0),
    ),
    $lte: exprOp(
      ops.$lte,
      cmp((r) => r <= 0),
    ),
    $cmp: exprOp(ops.$cmp, (a, b, c) => Math.sign(collatedCompare(a, b, c))),
  };
}

/**
 * Operators whose string comparisons mongod makes with the collation but mingo makes
 * binary (grouping, set and array membership, min/max of strings, joins): refused
 * under a collation rather than answered differently.
 */
const UNCOLLATED = new Set([
  '$bucket',
  '$bucketAuto',
  '$sortByCount',
  '$lookup',
  '$graphLookup',
  '$setWindowFields',
  '$addToSet',
  '$in',
  '$setUnion',
  '$setIntersection',
  '$setDifference',
  '$setEquals',
  '$setIsSubset',
  '$indexOfArray',
  '$max',
  '$min',
  '$maxN',
  '$minN',
  '$top',
  '$topN',
  '$bottom',
  '$bottomN',
  '$sortArray',
]);

/** A `$group` key that is one value for every document (countDocuments' `_id: 1`). */
const constantKey = (id: unknown) =>
  id === null ||
  typeof id === 'number' ||
  typeof id === 'boolean' ||
  (typeof id === 'string' && !id.startsWith('$'));

/** The `$expr` expressions of a query, however deep in `$and`/`$or`/`$nor`. */
export function queryExprs(q: unknown, out: unknown[] = []): unknown[] {
  if (Array.isArray(q)) for (const x of q) queryExprs(x, out);
  else if (isPlainObject(q))
    for (const [k, v] of Object.entries(q)) {
      if (k === '$expr') out.push(v);
      else if (k === '$and' || k === '$or' || k === '$nor') queryExprs(v, out);
    }
  return out;
}

export function refuseUncollated(spec: unknown): void {
  if (Array.isArray(spec)) {
    for (const x of spec) refuseUncollated(x);
    return;
  }
  if (!isPlainObject(spec)) return;
  for (const [k, v] of Object.entries(spec)) {
    // A query's own operators honour the collation; only its `$expr` holds expressions.
    if (k === '$match') {
      refuseUncollated(queryExprs(v));
      continue;
    }
    const grouped = k === '$group' && isPlainObject(v) && !constantKey(v._id);
    if (UNCOLLATED.has(k) || grouped)
      throw err(
        115,
        `${k} with a non-simple collation is not supported by the embedded server (it would compare strings binary)`,
      );
    refuseUncollated(v);
  }
}

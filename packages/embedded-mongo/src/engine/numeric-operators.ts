/**
 * mingo operators that know BSON numbers (numbers.ts): mingo compares and adds
 * JS numbers only, so a Long, an integral Double or a Decimal128 would not match
 * `{n: 5}`, would be skipped by `$sum`, and `$add` would refuse them. These
 * replace mingo's in the context mingo.ts builds.
 */
import { evalExpr } from 'mingo/core';
import * as accumulatorOperators from 'mingo/operators/accumulator';
import * as expressionOperators from 'mingo/operators/expression';
import * as pipelineOperators from 'mingo/operators/pipeline';
import * as queryOperators from 'mingo/operators/query';
import { Lazy, type Iterator } from 'mingo/lazy';
import { resolve } from 'mingo/util';
import type { Options } from 'mingo/types';
import { err } from './errors.ts';
import { isPlainObject, keyOf } from './keys.ts';
import { fastSort } from './fast-sort.ts';
import { bsonCompare, sortBson } from './sort-order.ts';
import { collationIn } from './collated-ops.ts';
import {
  type NumKind,
  Summer,
  abs,
  add,
  convertNumber,
  divide,
  isNumWrapper,
  mul,
  numCmp,
  numEq,
  numKind,
  sub,
} from './numbers.ts';

type Doc = Record<string, unknown>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyFn = (...args: any[]) => any;
type QueryOp = (selector: string, value: unknown, options: Options) => (o: Doc) => boolean;

const isNum = (v: unknown) => numKind(v) !== null;

/** A wrapper anywhere in the resolved value (arrays to `depth` levels). */
function hasWrapper(v: unknown, depth: number): boolean {
  if (isNumWrapper(v)) return true;
  if (!Array.isArray(v) || depth < 0) return false;
  return v.some((x) => hasWrapper(x, depth - 1));
}

function flat(v: unknown, depth: number, out: unknown[] = []): unknown[] {
  if (Array.isArray(v) && depth >= 0) for (const x of v) flat(x, depth - 1, out);
  else out.push(v);
  return out;
}

const dots = (s: string) => s.split('.').length - 1;

/**
 * mingo's operator `name`, replaced by `numeric(lhs, value, depth)` when the
 * query value is a number wrapper or the document holds one where it looks.
 */
function numericAware(
  name: string,
  numeric: (lhs: unknown, value: unknown, depth: number) => boolean,
  applies: (value: unknown) => boolean,
): QueryOp {
  const orig = (queryOperators as unknown as Record<string, QueryOp>)[name];
  return (selector, value, options) => {
    const base = orig(selector, value, options);
    if (!applies(value)) return base;
    // mingo's $eq looks at the elements of an array and flattens it `dots` levels.
    const depth = Math.max(1, dots(selector)) - 1;
    const wrapped = Array.isArray(value) ? value.some(isNumWrapper) : isNumWrapper(value);
    return (o) => {
      const lhs = resolve(o, selector, { unwrapArray: true });
      if (!wrapped && !hasWrapper(lhs, depth)) return base(o);
      return numeric(lhs, value, depth);
    };
  };
}

const eqNum = (lhs: unknown, value: unknown, depth: number) =>
  flat(lhs, depth).some((x) => isNum(x) && numEq(x, value)) || (isNum(lhs) && numEq(lhs, value));

function range(ok: (c: number) => boolean) {
  return (lhs: unknown, value: unknown) =>
    (Array.isArray(lhs) ? lhs : [lhs]).some((x) => isNum(x) && ok(numCmp(x, value)));
}

/** `$in` with numbers compared by value; other members as mingo does. */
function inNum(lhs: unknown, values: unknown, depth: number, base: boolean): boolean {
  if (base) return true;
  const nums = (values as unknown[]).filter(isNum);
  const xs = flat(lhs, depth);
  return xs.some((x) => isNum(x) && nums.some((n) => numEq(x, n)));
}

function inOp(name: '$in' | '$nin'): QueryOp {
  const orig = (queryOperators as unknown as Record<string, QueryOp>).$in;
  return (selector, value, options) => {
    const base = orig(selector, value, options);
    // mingo's $in looks at the value or the elements of an array, no deeper.
    const depth = 0;
    const test = Array.isArray(value) && value.some(isNum);
    const pred = (o: Doc) => {
      const b = base(o);
      if (b || !test) return b;
      return inNum(resolve(o, selector, { unwrapArray: true }), value, depth, b);
    };
    return name === '$in' ? pred : (o) => !pred(o);
  };
}

const eq = numericAware('$eq', eqNum, isNum);

export const numericQueryOperators: Record<string, AnyFn> = {
  $eq: eq,
  $ne: ((selector: string, value: unknown, options: Options) => {
    const p = eq(selector, value, options);
    return (o: Doc) => !p(o);
  }) as AnyFn,
  $gt: numericAware(
    '$gt',
    range((c) => c > 0),
    isNum,
  ),
  $gte: numericAware(
    '$gte',
    range((c) => c >= 0),
    isNum,
  ),
  $lt: numericAware(
    '$lt',
    range((c) => c < 0),
    isNum,
  ),
  $lte: numericAware(
    '$lte',
    range((c) => c <= 0),
    isNum,
  ),
  $in: inOp('$in'),
  $nin: inOp('$nin'),
};

// ---------------------------------------------------------------------------------------------
// Accumulators.

type Accumulator = (coll: Doc[], expr: unknown, options: Options) => unknown;
const $push = (accumulatorOperators as unknown as Record<string, Accumulator>).$push;

function summed(coll: Doc[], expr: unknown, options: Options): Summer {
  const s = new Summer();
  if (isNum(expr)) for (let i = 0; i < coll.length; i++) s.push(expr);
  else for (const v of $push(coll, expr, options) as unknown[]) s.push(v);
  return s;
}

export const numericAccumulators: Record<string, AnyFn> = {
  $sum: ((coll: Doc[], expr: unknown, options: Options) => summed(coll, expr, options).current()) as AnyFn,
  $avg: ((coll: Doc[], expr: unknown, options: Options) => summed(coll, expr, options).average()) as AnyFn,
};

// ---------------------------------------------------------------------------------------------
// Expressions.

type Expr = (obj: unknown, expr: unknown, options: Options) => unknown;
const mingoExpr = expressionOperators as unknown as Record<string, Expr>;

/**
 * Evaluates the arguments: numbers (any kind) get mongod's result types here;
 * dates and wrong types go to mingo's operator (its results and errors), except
 * a date with a long or decimal, refused.
 */
function withArgs(name: string, numeric: (args: unknown[]) => unknown): Expr {
  return (obj, expr, options) => {
    const raw = evalExpr(obj, expr, options);
    const args = Array.isArray(raw) ? raw : [raw];
    const wrapped = args.some(isNumWrapper);
    if (args.some((a) => a instanceof Date)) {
      if (wrapped)
        throw err(2, `${name} of a date and a long or decimal value is not supported by this server`);
      return mingoExpr[name](obj, expr, options);
    }
    if (!wrapped && !args.every((a) => isNum(a) || a === null || a === undefined))
      return mingoExpr[name](obj, expr, options);
    return numeric(args);
  };
}

const typeName = (v: unknown): string => {
  const k = numKind(v);
  if (k) return k;
  if (v instanceof Date) return 'date';
  if (Array.isArray(v)) return 'array';
  return v === null ? 'null' : typeof v === 'object' ? 'object' : typeof v;
};

function onlyNumbers(op: string, args: unknown[]): boolean {
  if (args.some((a) => a === null || a === undefined)) return false;
  for (const a of args)
    if (!isNum(a))
      throw err(
        op === '$add' ? 16554 : 16555,
        `${op} only supports numeric or date types, not ${typeName(a)}`,
      );
  return true;
}

/** mingo's arithmetic beyond these would treat a Long/Decimal128 as NaN: refused instead. */
function refuseWrapped(name: string): Expr {
  return (obj, expr, options) => {
    const raw = evalExpr(obj, expr, options);
    const args = Array.isArray(raw) ? raw : [raw];
    if (args.some((a) => isNumWrapper(a) && numKind(a) !== 'double'))
      throw err(
        2,
        `${name} of a long or decimal value is not supported by this server (it would not keep the exact value)`,
      );
    const plain = args.some(isNumWrapper);
    if (!plain) return mingoExpr[name](obj, expr, options);
    // Integral doubles: mingo's result on their values, kept a double.
    const literal = args.map((a) => (isNumWrapper(a) ? (a as { value: number }).value : a));
    const r = mingoExpr[name](
      {},
      Array.isArray(raw) ? literal.map((l) => ({ $literal: l })) : { $literal: literal[0] },
      options,
    );
    return typeof r === 'number' ? convertNumber(r, 'double') : r;
  };
}

const convert =
  (to: NumKind): Expr =>
  (obj, expr, options) =>
    convertNumber(evalExpr(obj, expr, options), to);

export const numericExpressions: Record<string, AnyFn> = {
  $add: withArgs('$add', (args) => {
    if (!onlyNumbers('$add', args)) return null;
    return args.reduce((s, a) => add(s, a, 'double'), 0);
  }),
  $subtract: withArgs('$subtract', (args) => {
    if (!onlyNumbers('$subtract', args)) return null;
    return sub(args[0], args[1]);
  }),
  $multiply: withArgs('$multiply', (args) => {
    if (!onlyNumbers('$multiply', args)) return null;
    return args.reduce((s, a) => mul(s, a, 'double'), 1);
  }),
  $divide: withArgs('$divide', (args) => {
    if (!onlyNumbers('$divide', args)) return null;
    return divide(args[0], args[1]);
  }),
  $abs: withArgs('$abs', (args) => {
    if (args[0] === null || args[0] === undefined) return null;
    if (!isNum(args[0])) throw err(28765, `$abs only supports numeric types, not ${typeName(args[0])}`);
    return abs(args[0]);
  }),
  $toInt: convert('int'),
  $toLong: convert('long'),
  $toDouble: convert('double'),
  $toDecimal: convert('decimal'),
  ...Object.fromEntries(
    ['$mod', '$pow', '$round', '$ceil', '$floor', '$trunc', '$sqrt', '$exp', '$ln', '$log', '$log10'].map(
      (n) => [n, refuseWrapped(n)],
    ),
  ),
};

// ---------------------------------------------------------------------------------------------
// $group keys.

type Stage = (coll: Iterator, expr: Doc, options: Options) => Iterator;
const mingoGroup = (pipelineOperators as unknown as Record<string, Stage>).$group;

/** The group key of a value (keys.ts: numbers by value), remembering the first value per key. */
function $groupKey(obj: unknown, arg: { expr: unknown; firsts: Map<string, unknown> }, options: Options) {
  let v = evalExpr(obj, arg.expr, options) ?? null;
  if (v === 0) v = 0; // -0 and 0 are one group, shown as 0 (as mingo's Map keys and fast-group.ts)
  const k = keyOf(v);
  if (!arg.firsts.has(k)) arg.firsts.set(k, v);
  return k;
}

/**
 * `$group` keyed as mongod compares values (5, Long 5, Double 5 and Decimal128 "5"
 * are one group; missing is null), each group's `_id` the first value met. mingo's
 * groups by its own equality, which tells the number types apart.
 */
function $group(coll: Iterator, expr: Doc, options: Options): Iterator {
  if (!expr || typeof expr !== 'object' || !('_id' in expr)) return mingoGroup(coll, expr, options);
  const firsts = new Map<string, unknown>();
  const keyed = { ...expr, _id: { $__groupKey: { expr: expr._id, firsts } } };
  return mingoGroup(coll, keyed, options).map((o) => {
    const out = o as Doc;
    out._id = firsts.get(out._id as string);
    return out;
  });
}

// ---------------------------------------------------------------------------------------------
// $sort.

const mingoSort = (pipelineOperators as unknown as Record<string, Stage>).$sort;

/**
 * `$sort`: the fast path for plain scalar keys (fast-sort.ts), otherwise MongoDB's
 * order for arrays, embedded documents, mixed types and collations (sort-order.ts).
 * A spec that is not `{path: 1 | -1}` goes to mingo, which validates it.
 */
function $sort(coll: Iterator, spec: Doc, options: Options): Iterator {
  if (!isPlainObject(spec) || !Object.values(spec).every((v) => v === 1 || v === -1))
    return mingoSort(coll, spec, options);
  const c = collationIn(options);
  return coll.transform((items) => {
    const docs = items as Doc[];
    const keys = spec as Record<string, number>;
    return Lazy((c ? null : fastSort(docs, keys)) ?? sortBson(docs, keys, c));
  });
}

export const numericPipeline: Record<string, AnyFn> = { $group: $group as AnyFn, $sort: $sort as AnyFn };
export const groupKeyExpression: Record<string, AnyFn> = { $__groupKey: $groupKey as AnyFn };

// ---------------------------------------------------------------------------------------------
// $min/$max accumulators and comparison expressions.

/**
 * `$min`/`$max` in BSON order (sort-order.ts): numbers of any type by value, values of
 * different types by type, arrays element by element, documents field by field; null
 * and missing ignored. mingo's own compared arrays after sorting their elements.
 */
function extremeOf(op: '$min' | '$max', values: unknown[]): unknown {
  let best: unknown = null;
  for (const v of values) {
    if (v === null || v === undefined) continue;
    if (best === null) best = v;
    else {
      const c = bsonCompare(v, best);
      if (op === '$min' ? c < 0 : c > 0) best = v;
    }
  }
  return best;
}

function extreme(op: '$min' | '$max'): Accumulator {
  return (coll, expr, options) => extremeOf(op, $push(coll, expr, options) as unknown[]);
}

numericAccumulators.$min = extreme('$min') as AnyFn;
numericAccumulators.$max = extreme('$max') as AnyFn;

/** The expressions `$min`/`$max`: of their arguments, or of one argument's array elements. */
for (const op of ['$min', '$max'] as const) {
  numericExpressions[op] = ((obj: unknown, expr: unknown, options: Options) => {
    const v = evalExpr(obj, expr, options);
    const args =
      Array.isArray(expr) && expr.length !== 1
        ? (v as unknown[])
        : [Array.isArray(expr) ? (v as unknown[])[0] : v];
    return extremeOf(op, args.length === 1 && Array.isArray(args[0]) ? args[0] : args);
  }) as AnyFn;
}

const COMPARISONS: Record<string, (c: number) => unknown> = {
  $eq: (c) => c === 0,
  $ne: (c) => c !== 0,
  $gt: (c) => c > 0,
  $gte: (c) => c >= 0,
  $lt: (c) => c < 0,
  $lte: (c) => c <= 0,
  $cmp: (c) => Math.sign(c),
};

/**
 * Aggregation comparisons (`$expr: {$gt: ['$n', 5]}`) in BSON order when a number
 * wrapper, an array or a document is compared (numbers by value; arrays element by
 * element, which mingo did after sorting them); otherwise mingo's, which also tells
 * missing from null as mongod does.
 */
const bsonOrdered = (v: unknown) => isNumWrapper(v) || Array.isArray(v) || isPlainObject(v);
for (const [op, result] of Object.entries(COMPARISONS)) {
  numericExpressions[op] = ((obj: unknown, expr: unknown, options: Options) => {
    const args = evalExpr(obj, expr, options);
    if (!Array.isArray(args) || args.length !== 2 || !args.some(bsonOrdered))
      return mingoExpr[op](obj, expr, options);
    return result(bsonCompare(args[0], args[1]));
  }) as AnyFn;
}

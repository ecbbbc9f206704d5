/**
 * mingo operators that know BSON numbers (numbers.ts): mingo compares and adds
 * JS numbers only, so a Long, an integral Double or a Decimal128 would not match
 * `{n: 5}`, would be skipped by `$sum`, and `$add` would refuse them. These
 * replace mingo's in the context mingo.ts builds.
 */
import { evalExpr } from 'mingo/core';
import * as accumulatorOperators from 'mingo/operators/accumulator';
import * as expressionOperators from 'mingo/operators/expression';
import * as queryOperators from 'mingo/operators/query';
import { resolve } from 'mingo/util';
import type { Options } from 'mingo/types';
import { err } from './errors.ts';
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
    const depth = dots(selector) + 1;
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
    const depth = dots(selector) + 1;
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
  $gt: numericAware('$gt', range((c) => c > 0), isNum),
  $gte: numericAware('$gte', range((c) => c >= 0), isNum),
  $lt: numericAware('$lt', range((c) => c < 0), isNum),
  $lte: numericAware('$lte', range((c) => c <= 0), isNum),
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
    const r = mingoExpr[name]({}, Array.isArray(raw) ? literal.map((l) => ({ $literal: l })) : { $literal: literal[0] }, options);
    return typeof r === 'number' ? convertNumber(r, 'double') : r;
  };
}

const convert = (to: NumKind): Expr => (obj, expr, options) =>
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
    ['$mod', '$pow', '$round', '$ceil', '$floor', '$trunc', '$sqrt', '$exp', '$ln', '$log', '$log10'].map((n) => [
      n,
      refuseWrapped(n),
    ]),
  ),
};

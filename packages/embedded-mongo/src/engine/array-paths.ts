/**
 * Query operators on a dotted path that crosses an array and ends on arrays, as mongod
 * matches them. For `{'p.s': {$in: ['y']}}` on `{p: [{s: ['y']}, {s: []}]}` the path
 * reaches two values, `['y']` and `[]`; mongod matches when the condition holds for
 * one of them (a value, or an element of an array value). mingo's path resolution
 * gives `[['y'], []]`, one level too deep for `$in`, `$all`, `$size`, `$gt`…, so it
 * answered no: a silently wrong answer (and the index, which is right, disagreed).
 *
 * Each wrapped operator keeps its own code for every other document; for a document
 * in that case it runs on each value reached, as if that value were a top-level field:
 * any of them for the positive operators, every one for `$ne`/`$nin` (not any `$eq`/
 * `$in`); `$all` is its items' `$in`s (each item may be met by a different value).
 */
import type { Options } from 'mingo/types';
import { type Doc, isPlainObject } from './keys.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyFn = (...args: any[]) => any;
type Pred = (o: Doc) => boolean;

/**
 * The values `parts` reaches in `doc` when it crosses an array before its last part and
 * at least one value reached is itself an array; otherwise null (mingo's answer is
 * right then). Array elements that are not documents reach nothing; a document without
 * the field reaches `undefined` (missing), as in mongod.
 */
export function nestedTerminals(doc: Doc, parts: string[]): unknown[] | null {
  const out: unknown[] = [];
  let crossed = false;
  const walk = (v: unknown, i: number): void => {
    if (i === parts.length) {
      out.push(v);
      return;
    }
    if (Array.isArray(v)) {
      crossed = true;
      for (const x of v) if (isPlainObject(x)) walk(x, i);
      return;
    }
    if (isPlainObject(v)) walk(v[parts[i]], i + 1);
    else out.push(undefined);
  };
  walk(doc, 0);
  return crossed && out.some(Array.isArray) ? out : null;
}

const asField = (v: unknown): Doc => (v === undefined ? {} : { v });

/** A path this wrapper takes: dotted, with no numeric (positional) part. */
const wrappable = (selector: string) => selector.includes('.') && !/(^|\.)\d+(\.|$)/.test(selector);

function anyOf(op: AnyFn, negated: boolean): AnyFn {
  return (selector: string, value: unknown, options: Options) => {
    const base = op(selector, value, options) as Pred;
    if (!wrappable(selector)) return base;
    const parts = selector.split('.');
    const leaf = op('v', value, options) as Pred;
    return (o: Doc) => {
      const values = nestedTerminals(o, parts);
      if (!values) return base(o);
      // `leaf` of a negated operator is already negated: every value must pass it.
      return negated ? values.every((v) => leaf(asField(v))) : values.some((v) => leaf(asField(v)));
    };
  };
}

/**
 * `$all` as mongod defines it, an `$and` of one condition per item: `$in: [item]` (an
 * equality that also takes regexes, through the wrapped `$in`) or the item's
 * `$elemMatch`. mingo's own `$all` also missed a plain value (`{a: 'y'}` matches
 * `{a: {$all: ['y']}}`) and values reached through an array.
 */
function allOf(original: AnyFn, $in: AnyFn, $elemMatch: AnyFn): AnyFn {
  return (selector: string, value: unknown, options: Options) => {
    if (!Array.isArray(value) || value.length === 0) return original(selector, value, options) as Pred;
    const items = value.map((item) => {
      const elem = isPlainObject(item) && Object.keys(item)[0] === '$elemMatch';
      return (elem ? $elemMatch(selector, item.$elemMatch, options) : $in(selector, [item], options)) as Pred;
    });
    return (o: Doc) => items.every((item) => item(o));
  };
}

const POSITIVE = ['$eq', '$in', '$size', '$gt', '$gte', '$lt', '$lte', '$type', '$mod'];
const NEGATED = ['$ne', '$nin'];

/** The query operators of `ops` that need it, wrapped (the others unchanged). */
export function arrayPathOps(ops: Record<string, AnyFn>): Record<string, AnyFn> {
  const out: Record<string, AnyFn> = {};
  for (const name of POSITIVE) if (ops[name]) out[name] = anyOf(ops[name], false);
  for (const name of NEGATED) if (ops[name]) out[name] = anyOf(ops[name], true);
  if (ops.$all && ops.$elemMatch) out.$all = allOf(ops.$all, out.$in, ops.$elemMatch);
  return out;
}

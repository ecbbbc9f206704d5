/**
 * The one place that configures mingo: custom operators that fill mingo's gaps
 * for BSON values (ObjectId in `$type`, `$toString`, `$toObjectId`) and helpers
 * that wrap Query/Aggregator with our options. Everything mingo throws is mapped
 * by errors.ts.
 */
import { Aggregator } from 'mingo/aggregator';
import { Context, OpType, ProcessingMode } from 'mingo/core';
import { Query } from 'mingo/query';
import { updateMany } from 'mingo/updater';
import * as accumulatorOperators from 'mingo/operators/accumulator';
import * as expressionOperators from 'mingo/operators/expression';
import * as pipelineOperators from 'mingo/operators/pipeline';
import * as projectionOperators from 'mingo/operators/projection';
import * as queryOperators from 'mingo/operators/query';
import * as windowOperators from 'mingo/operators/window';
import { evalExpr } from 'mingo/core';
import { resolve } from 'mingo/util';
import type { CollationSpec as MingoCollation, CollectionResolver, Options } from 'mingo/types';
import { ObjectId } from 'bson';
import { copyDoc } from './clone.ts';
import { type Doc, isPlainObject } from './keys.ts';
import { compileInclusion } from './fast-project.ts';
import { err, toMongoError } from './errors.ts';
import { BAIL, compileFastFilter } from './fast-match.ts';
import { fastSort } from './fast-sort.ts';
import { sortBson } from './sort-order.ts';
import { arrayPathOps } from './array-paths.ts';
import { sortedAccumulators, sortedExpressions, sortedPipeline } from './sorted-operators.ts';
import {
  groupKeyExpression,
  numericAccumulators,
  numericExpressions,
  numericPipeline,
  numericQueryOperators,
} from './numeric-operators.ts';
import { isInt32, plainQueryNumbers } from './numbers.ts';
import { collatedExpressionOps, collatedQueryOps, queryExprs, refuseUncollated } from './collated-ops.ts';
import { type Collation, resolveCollation } from './collation.ts';

// mingo's operator tables are typed loosely; our operators have precise signatures.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyFn = (...args: any[]) => any;

export function bsonTypeName(v: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (v === null) return 'null';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  // A number is an int32 exactly when bson writes it as one (numbers.ts keeps the other types wrapped).
  if (typeof v === 'number') return isInt32(v) ? 'int' : 'double';
  if (typeof v === 'bigint') return 'long';
  if (v instanceof Date) return 'date';
  if (v instanceof RegExp) return 'regex';
  if (Array.isArray(v)) return 'array';
  const t = (v as { _bsontype?: string })._bsontype;
  switch (t) {
    case undefined:
      return ArrayBuffer.isView(v) ? 'binData' : 'object';
    case 'ObjectId':
      return 'objectId';
    case 'Long':
      return 'long';
    case 'Int32':
      return 'int';
    case 'Double':
      return 'double';
    case 'Decimal128':
      return 'decimal';
    case 'Binary':
    case 'UUID':
      return 'binData';
    case 'BSONRegExp':
      return 'regex';
    case 'Timestamp':
      return 'timestamp';
    case 'MinKey':
      return 'minKey';
    case 'MaxKey':
      return 'maxKey';
    default:
      return t.toLowerCase();
  }
}

const NUMBER_ALIASES: Record<number, string> = {
  1: 'double',
  2: 'string',
  3: 'object',
  4: 'array',
  5: 'binData',
  6: 'undefined',
  7: 'objectId',
  8: 'bool',
  9: 'date',
  10: 'null',
  11: 'regex',
  16: 'int',
  17: 'timestamp',
  18: 'long',
  19: 'decimal',
  [-1]: 'minKey',
  127: 'maxKey',
};

function typeMatches(v: unknown, wanted: unknown): boolean {
  const name = typeof wanted === 'number' ? NUMBER_ALIASES[wanted] : String(wanted);
  const actual = bsonTypeName(v);
  if (actual === undefined) return false;
  if (name === 'number')
    return actual === 'int' || actual === 'double' || actual === 'long' || actual === 'decimal';
  return actual === name;
}

/** `$type` query operator aware of every BSON type, including 'objectId'. */
function $typeQuery(selector: string, value: unknown, _options: Options) {
  const wanted = Array.isArray(value) ? value : [value];
  return (o: Doc) => {
    const lhs = resolve(o, selector, { unwrapArray: true });
    if (Array.isArray(lhs)) {
      if (wanted.some((w) => w === 'array' || w === 4)) return true;
      return lhs.some((x) => wanted.some((w) => typeMatches(x, w)));
    }
    return wanted.some((w) => typeMatches(lhs, w));
  };
}

function $toString(obj: unknown, expr: unknown, options: Options) {
  const v = evalExpr(obj, expr, options);
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object') {
    const t = (v as { _bsontype?: string })._bsontype;
    if (t === 'ObjectId') return (v as ObjectId).toHexString();
    if (t === 'Long' || t === 'Decimal128' || t === 'Int32' || t === 'Double') return String(v);
    if (v instanceof RegExp) return String(v);
    throw err(241, `Unsupported conversion from object to string in $convert with no onError value`);
  }
  return String(v);
}

function $toObjectId(obj: unknown, expr: unknown, options: Options) {
  const v = evalExpr(obj, expr, options);
  if (v === null || v === undefined) return null;
  if (v instanceof ObjectId) return v;
  if (typeof v === 'string' && /^[0-9a-fA-F]{24}$/.test(v)) return new ObjectId(v);
  throw err(
    241,
    `Failed to parse objectId '${String(v)}' in $convert with no onError value: Invalid string length for parsing to OID, expected 24 but found ${String(v).length}`,
  );
}

/** Expression `$type` returning MongoDB type names ('objectId', 'missing'…). */
function $typeExpr(obj: unknown, expr: unknown, options: Options) {
  const v = evalExpr(obj, expr, options);
  return v === undefined ? 'missing' : bsonTypeName(v);
}

const withArrayPaths = (ops: Record<string, AnyFn>) => ({ ...ops, ...arrayPathOps(ops) });

// Built from the base classes (not the 'mingo' entry point) because mingo's
// Context.from lets the first context win, so overrides there would be ignored.
const CONTEXT = Context.init({
  // Values in BSON order: $min/$max (numeric-operators.ts), $top…/$maxN… (sorted-operators.ts).
  accumulator: { ...accumulatorOperators, ...numericAccumulators, ...sortedAccumulators },
  expression: {
    ...expressionOperators,
    ...numericExpressions,
    ...groupKeyExpression,
    $toString: $toString as AnyFn,
    $toObjectId: $toObjectId as AnyFn,
    $type: $typeExpr as AnyFn,
    ...sortedExpressions,
    ...collatedExpressionOps({ ...expressionOperators, ...numericExpressions } as Record<string, AnyFn>),
  },
  pipeline: {
    ...pipelineOperators,
    // $group keys and $sort as MongoDB (numeric-operators.ts); $setWindowFields only where
    // mingo's order is mongod's (sorted-operators.ts).
    ...numericPipeline,
    ...sortedPipeline,
  },
  projection: { ...projectionOperators },
  // Numbers by value, `$type` for BSON types, strings by a collation, then paths that
  // cross an array and end on arrays as mongod matches them (array-paths.ts).
  query: withArrayPaths({
    ...queryOperators,
    ...numericQueryOperators,
    $type: $typeQuery as AnyFn,
    ...collatedQueryOps({ ...queryOperators, ...numericQueryOperators } as Record<string, AnyFn>),
  }),
  window: { ...windowOperators },
} as Parameters<typeof Context.init>[0]);

/** The stages and accumulators mingo runs (README: generated from these). */
export const stageNames = (): string[] => Object.keys(pipelineOperators).filter((k) => k.startsWith('$'));
export const accumulatorNames = (): string[] =>
  Object.keys(accumulatorOperators).filter((k) => k.startsWith('$'));

/** Whether mingo (so this server) runs the pipeline stage `name`. */
export const isPipelineStage = (name: string): boolean =>
  name.startsWith('$') && Object.hasOwn(pipelineOperators, name);
/** Whether `name` is a `$group` accumulator mingo runs. */
export const isAccumulator = (name: string): boolean =>
  name.startsWith('$') && Object.hasOwn(accumulatorOperators, name);

/** Whether a query operator (`$gt`, `$elemMatch`…) is one this server runs. */
export const isQueryOperator = (name: string): boolean => CONTEXT.getOperator(OpType.QUERY, name) !== null;
/**
 * Whether `{name: …}` is an expression this server evaluates: mingo, like mongod,
 * also takes an accumulator (`$sum`, `$max`…) as an expression over an array.
 */
export const isExpressionOperator = (name: string): boolean =>
  CONTEXT.getOperator(OpType.EXPRESSION, name) !== null ||
  CONTEXT.getOperator(OpType.ACCUMULATOR, name) !== null;

export interface MingoOpts {
  collation?: Collation;
  collectionResolver?: CollectionResolver;
  variables?: Doc;
  clone?: boolean;
}

function options(o: MingoOpts = {}): Partial<Options> {
  return {
    context: CONTEXT,
    // The full parsed spec: collated-ops.ts builds its collator from it.
    collation: o.collation?.spec as MingoCollation | undefined,
    collectionResolver: o.collectionResolver,
    variables: o.variables,
    processingMode: o.clone ? ProcessingMode.CLONE_INPUT : ProcessingMode.CLONE_OFF,
  };
}

/** The options every mingo call here uses (tests compare fast paths against mingo with them). */
export const mingoOptions = (): Partial<Options> => options();

/**
 * A command's collation: its own if given (`{locale: 'simple'}` → none), else the
 * collection's default (`create` with `collation`). Throws mongod's parse errors.
 */
export function normalizeCollation(raw: unknown, defaults?: { options: Doc }): Collation | undefined {
  if (raw === undefined || raw === null) {
    const d = defaults?.options.collation;
    return d === undefined ? undefined : resolveCollation(d);
  }
  return resolveCollation(raw);
}

/** A compiled filter; `test` never mutates its argument. */
export function compileFilter(
  filter: Doc,
  collation?: Collation,
  variables?: Doc,
): { test(d: Doc): boolean } {
  if (!isPlainObject(filter)) throw err(14, 'filter must be an object');
  if (Object.keys(filter).length === 0) return { test: () => true };
  // Long 5, Double 5 and Decimal128 "5" in a filter are the number 5 for matching.
  filter = plainQueryNumbers(filter) as Doc;
  if (collation) refuseUncollated(queryExprs(filter));
  const fast = collation ? null : compileFastFilter(filter);
  if (fast) {
    // mingo only for the rare document the fast matcher cannot decide.
    let q: Query | undefined;
    return {
      test(d: Doc) {
        try {
          return fast(d);
        } catch (e) {
          if (e !== BAIL) throw e;
          try {
            return (q ??= new Query(filter, options({ variables }))).test(d);
          } catch (e2) {
            throw toMongoError(e2);
          }
        }
      },
    };
  }
  try {
    const q = new Query(filter, options({ collation, variables }));
    return {
      test(d: Doc) {
        try {
          return q.test(d);
        } catch (e) {
          throw toMongoError(e);
        }
      },
    };
  } catch (e) {
    throw toMongoError(e);
  }
}

/** Runs a pipeline. `clone` must be true unless every stage is known not to mutate its input. */
export function runPipeline(docs: Doc[], pipeline: Doc[], o: MingoOpts = {}): Doc[] {
  try {
    return new Aggregator(pipeline, options(o)).run(docs) as Doc[];
  } catch (e) {
    throw toMongoError(e);
  }
}

/**
 * Sort without cloning ($sort never mutates documents). With `first`, only that many
 * leading documents of the order are guaranteed (the fast path selects them instead of
 * sorting everything; callers slice).
 */
export function sortDocs(docs: Doc[], sort: Doc, collation?: Collation, first = Infinity): Doc[] {
  const keys = Object.keys(sort);
  if (keys.length === 0) return docs;
  if (keys.length === 1 && keys[0] === '$natural') return sort.$natural < 0 ? docs.slice().reverse() : docs;
  for (const k of keys) {
    const d = sort[k];
    if (isPlainObject(d) && d.$meta) throw err(2, '$meta sort is not supported (no $text)');
    if (d !== 1 && d !== -1 && Number(d) !== 1 && Number(d) !== -1)
      throw err(2, `$sort key ordering must be 1 (for ascending) or -1 (for descending)`);
  }
  const norm: Record<string, number> = {};
  for (const k of keys) norm[k] = Number(sort[k]);
  return (collation ? null : fastSort(docs, norm, first)) ?? sortBson(docs, norm, collation);
}

function sliceArray(arr: unknown[], spec: unknown): unknown[] {
  if (Array.isArray(spec)) {
    const [skip, limit] = spec as number[];
    const start = skip < 0 ? Math.max(0, arr.length + skip) : skip;
    return arr.slice(start, start + limit);
  }
  const n = Number(spec);
  return n >= 0 ? arr.slice(0, n) : arr.slice(Math.max(0, arr.length + n));
}

/**
 * Projected stored documents, which are never mutated: an inclusion projection is
 * applied natively and only what it keeps is copied (`fast-project.ts`), or not
 * copied at all without `copy` (a reply serialized at once); anything else copies
 * the documents whole and goes to `projectDocs`.
 */
export function projectCopies(
  docs: Doc[],
  projection: Doc,
  filter: Doc,
  copy = true,
  variables?: Doc,
): Doc[] {
  const project = compileInclusion(projection);
  if (project) return copy ? docs.map((d) => copyDoc(project(d))) : docs.map(project);
  return projectDocs(
    docs.map((d) => copyDoc(d)),
    projection,
    filter,
    variables,
  );
}

/**
 * find-style projection through mingo (supports `$slice`, `$elemMatch`, positional
 * `.$`). Input docs must be private copies: exclusions change them in place. A
 * projection made only of `$slice`s keeps every other field in mongod (mingo would
 * treat it as an inclusion).
 */
export function projectDocs(docs: Doc[], projection: Doc, filter: Doc, variables?: Doc): Doc[] {
  if (!projection || Object.keys(projection).length === 0) return docs;
  const entries = Object.entries(projection);
  const isSlice = (v: unknown) => isPlainObject(v) && '$slice' in v && Object.keys(v).length === 1;
  const rest = entries.filter(([k, v]) => !isSlice(v) && !(k === '_id' && !v));
  if (rest.length === 0 || rest.every(([, v]) => v === 0 || v === false)) {
    const slices = entries.filter(([, v]) => isSlice(v));
    const excluded = entries.filter(([, v]) => v === 0 || v === false).map(([k]) => k);
    return docs.map((d) => {
      for (const [path, v] of slices) {
        const parts = path.split('.');
        let cur: unknown = d;
        for (let i = 0; i < parts.length - 1 && isPlainObject(cur); i++) cur = (cur as Doc)[parts[i]];
        const last = parts[parts.length - 1];
        if (isPlainObject(cur) && Array.isArray(cur[last]))
          cur[last] = sliceArray(cur[last] as unknown[], (v as Doc).$slice);
      }
      for (const k of excluded) if (!k.includes('.')) delete d[k];
      return d;
    });
  }
  try {
    const needsFilter = Object.keys(projection).some((k) => k.endsWith('.$'));
    const out = new Query(needsFilter ? filter : {}, options({ variables }))
      .find(docs, projection)
      .all() as Doc[];
    // mingo appends _id last; mongod keeps it first.
    return out.map((d) => {
      if (!('_id' in d) || Object.keys(d)[0] === '_id') return d;
      const { _id, ...rest } = d;
      return { _id, ...rest };
    });
  } catch (e) {
    throw toMongoError(e);
  }
}

/**
 * A user variable name as mongod checks it before running anything: a `let` name
 * (a variable being defined) starts with a lowercase ASCII letter or a non-ASCII
 * character, so `$$NOW` and the other system names cannot be redefined; a `c`
 * name (read rules) may also start uppercase. Then letters, digits, `_`, non-ASCII.
 */
function checkVariableName(name: string, upperFirst: boolean): void {
  if (name === '') throw err(9, 'empty variable names are not allowed');
  const ok = (c: string, first: boolean) =>
    c.charCodeAt(0) > 0x7f ||
    (c >= 'a' && c <= 'z') ||
    ((!first || upperFirst) && c >= 'A' && c <= 'Z') ||
    (!first && /[0-9_]/.test(c));
  if (!ok(name[0], true)) throw err(9, `'${name}' starts with an invalid character for a user variable name`);
  for (const c of name.slice(1))
    if (!ok(c, false)) throw err(9, `'${name}' contains an invalid character for a variable name: '${c}'`);
}

function asVariablesDoc(spec: unknown, field: string): Doc | undefined {
  if (spec === undefined || spec === null) return undefined;
  if (!isPlainObject(spec))
    throw err(14, `BSON field '${field}' is the wrong type '${bsonTypeName(spec)}', expected type 'object'`);
  return Object.keys(spec).length ? spec : undefined;
}

/** A field path (`'$a'`, not `'$$v'`) anywhere in an expression, `$literal` aside. */
function readsField(expr: unknown): boolean {
  if (typeof expr === 'string') return expr.startsWith('$') && !expr.startsWith('$$');
  if (Array.isArray(expr)) return expr.some(readsField);
  if (!isPlainObject(expr)) return false;
  return Object.entries(expr).some(([k, v]) => k !== '$literal' && readsField(v));
}

/**
 * A command's `let`: names checked, each value an expression evaluated once,
 * before any document (so `$$NOW` is one instant, and a field path, having no
 * document to read, is mongod's 4890500). Undefined when there are none.
 */
export function letVariables(spec: unknown, field: string): Doc | undefined {
  const doc = asVariablesDoc(spec, field);
  if (!doc) return undefined;
  const out: Doc = {};
  for (const name of Object.keys(doc)) {
    checkVariableName(name, false);
    if (readsField(doc[name]))
      throw err(
        4890500,
        'Command let Expression tried to access a field, but this is not allowed because command let expressions run before the query examines any documents.',
      );
    try {
      // mingo fills the options left out (idKey…) with its defaults.
      out[name] = evalExpr({}, doc[name], options({ variables: out }) as Options);
    } catch (e) {
      throw toMongoError(e);
    }
  }
  return out;
}

/**
 * An update statement's `c`: constants for its pipeline only (taken as they are,
 * not evaluated), alongside the command's `let`.
 */
export function updateConstants(spec: unknown, field: string, base: Doc | undefined): Doc | undefined {
  const doc = asVariablesDoc(spec, field);
  if (!doc) return base;
  for (const name of Object.keys(doc)) checkVariableName(name, true);
  return { ...base, ...doc };
}

/** Applies update operators in place to private copies (one mingo call per statement). */
export function applyOperators(
  docs: Doc[],
  condition: Doc,
  ops: Doc,
  arrayFilters?: Doc[],
  collation?: Collation,
): void {
  try {
    updateMany(docs, condition, ops, { arrayFilters, cloneMode: 'copy' }, options({ collation }));
  } catch (e) {
    throw toMongoError(e);
  }
}

/**
 * Operator names checked before anything runs, as mongod parses a query, a
 * projection or a pipeline before it reads a document. mingo only meets an
 * operator when a document reaches it, so without this `{a: {$foo: 1}}` on an
 * empty or missing collection, or `{$project: {x: {$foo: 1}}}` after a `$match`
 * that keeps nothing, answered `ok: 1` where mongod answers 2 or 168: a typo that
 * passes every test on empty data and fails in production.
 *
 * The names come from the same mingo context that evaluates them (mingo.ts), so a
 * name passes here exactly when evaluation would accept it. Only names are
 * checked; argument shapes stay mingo's (and mongod's) concern at evaluation.
 */
import { err } from './errors.ts';
import { type Doc, isPlainObject } from './keys.ts';
import { isExpressionOperator, isQueryOperator } from './mingo.ts';

const LOGICAL = new Set(['$and', '$or', '$nor']);
/** Top-level keys whose values are not filters or expressions. */
const TOP_LEVEL_OTHER = new Set(['$comment', '$jsonSchema']);
/** A DBRef compared by equality has these `$` fields; they are not operators. */
const DBREF_FIELDS = new Set(['$ref', '$id', '$db']);

const unknownTopLevel = (op: string) =>
  err(
    2,
    `unknown top level operator: ${op}. If you have a field name that starts with a '$' symbol, consider using $getField or $setField.`,
  );

/** A query filter (`find.filter`, `$match`, `q`…): every operator name is one the server runs. */
export function checkFilter(filter: unknown): void {
  if (!isPlainObject(filter)) return;
  for (const [key, value] of Object.entries(filter)) {
    if (key.startsWith('$')) {
      if (LOGICAL.has(key)) {
        if (Array.isArray(value)) for (const sub of value) checkFilter(sub);
      } else if (key === '$expr') checkExpression(value);
      else if (key === '$text')
        throw err(2, '$text queries are not supported by the embedded server (it has no text indexes)');
      else if (key === '$where')
        throw err(2, '$where is not supported by the embedded server (it runs no JavaScript)');
      else if (!TOP_LEVEL_OTHER.has(key)) throw unknownTopLevel(key);
    } else if (isOperatorObject(value)) checkOperators(value);
  }
}

function isOperatorObject(v: unknown): v is Doc {
  if (!isPlainObject(v)) return false;
  const first = Object.keys(v)[0];
  return first !== undefined && first.startsWith('$') && !DBREF_FIELDS.has(first);
}

function checkOperators(ops: Doc): void {
  for (const [op, arg] of Object.entries(ops)) {
    if (!op.startsWith('$') || op === '$options') continue;
    if (!isQueryOperator(op)) throw err(2, `unknown operator: ${op}`);
    if (op === '$not' && isOperatorObject(arg)) checkOperators(arg);
    if (op === '$elemMatch' && isPlainObject(arg)) {
      // `{$elemMatch: {$gt: 1}}` tests the elements themselves; `{$elemMatch: {a: 1}}` is a filter on them.
      const first = Object.keys(arg)[0] ?? '';
      if (first.startsWith('$') && !LOGICAL.has(first) && first !== '$expr') checkOperators(arg);
      else checkFilter(arg);
    }
  }
}

/** An aggregation expression: `{$op: args}` names an expression operator or an accumulator. */
export function checkExpression(expr: unknown): void {
  if (Array.isArray(expr)) {
    for (const e of expr) checkExpression(e);
    return;
  }
  if (!isPlainObject(expr)) return;
  const keys = Object.keys(expr);
  const first = keys[0];
  if (first !== undefined && first.startsWith('$') && keys.length === 1) {
    if (first === '$literal') return;
    if (!isExpressionOperator(first)) throw err(168, `Unrecognized expression '${first}'`);
  }
  for (const value of Object.values(expr)) checkExpression(value);
}

/** `$group`/`$bucket` output fields are `{<accumulator>: expression}` (names checked by aggregate.ts). */
function checkAccumulated(fields: unknown, skip?: string): void {
  if (!isPlainObject(fields)) return;
  for (const [field, spec] of Object.entries(fields)) {
    if (field === skip) continue;
    if (isPlainObject(spec)) for (const arg of Object.values(spec)) checkExpression(arg);
  }
}

/** Every filter and expression inside a pipeline's stages (stage names are checked by aggregate.ts). */
export function checkPipeline(pipeline: unknown): void {
  if (!Array.isArray(pipeline)) return;
  for (const stage of pipeline) {
    if (!isPlainObject(stage)) continue;
    const [name] = Object.keys(stage);
    const spec = stage[name];
    switch (name) {
      case '$match':
        checkFilter(spec);
        break;
      case '$sort':
        checkSort(spec);
        break;
      case '$project':
      case '$addFields':
      case '$set':
      case '$replaceWith':
      case '$redact':
      case '$sortByCount':
      case '$documents':
        checkExpression(spec);
        break;
      case '$replaceRoot':
        if (isPlainObject(spec)) checkExpression(spec.newRoot);
        break;
      case '$group':
        if (isPlainObject(spec)) checkExpression(spec._id);
        checkAccumulated(spec, '_id');
        break;
      case '$bucket':
      case '$bucketAuto':
        if (isPlainObject(spec)) {
          checkExpression(spec.groupBy);
          checkAccumulated(spec.output);
        }
        break;
      case '$setWindowFields':
        if (isPlainObject(spec)) {
          checkExpression(spec.partitionBy);
          checkAccumulated(spec.output);
        }
        break;
      case '$lookup':
        if (isPlainObject(spec)) {
          checkExpression(spec.let);
          checkPipeline(spec.pipeline);
        }
        break;
      case '$unionWith':
        if (isPlainObject(spec)) checkPipeline(spec.pipeline);
        break;
      case '$facet':
        if (isPlainObject(spec)) for (const sub of Object.values(spec)) checkPipeline(sub);
        break;
    }
  }
}

/** A find projection: `$elemMatch` takes a filter; other values may be expressions. */
export function checkProjection(projection: unknown): void {
  if (!isPlainObject(projection)) return;
  for (const value of Object.values(projection)) {
    if (!isPlainObject(value)) continue;
    const [first] = Object.keys(value);
    if (first === '$elemMatch') checkFilter(value.$elemMatch);
    else if (first !== '$slice' && first !== '$meta') checkExpression(value);
  }
}

/** A sort by `$meta` needs a `$text` score, which this server never computes. */
export function checkSort(sort: unknown): void {
  if (!isPlainObject(sort)) return;
  for (const value of Object.values(sort))
    if (isPlainObject(value) && '$meta' in value) throw err(2, '$meta sort is not supported (no $text)');
}

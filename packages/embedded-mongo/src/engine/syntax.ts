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
import { type Doc, formatValue, isPlainObject } from './keys.ts';
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
      if (LOGICAL.has(key)) checkLogical(key, value);
      else if (key === '$expr') checkExpression(value);
      else if (key === '$text')
        throw err(2, '$text queries are not supported by the embedded server (it has no text indexes)');
      else if (key === '$where')
        throw err(2, '$where is not supported by the embedded server (it runs no JavaScript)');
      else if (!TOP_LEVEL_OTHER.has(key)) throw unknownTopLevel(key);
    } else if (isOperatorObject(value)) checkOperators(value);
  }
}

function checkLogical(op: string, list: unknown): void {
  if (!Array.isArray(list)) throw err(2, `${op} must be an array`);
  if (list.length === 0) throw err(2, '$and/$or/$nor must be a nonempty array');
  for (const sub of list) {
    if (!isPlainObject(sub)) throw err(2, '$or/$and/$nor entries need to be full objects');
    checkFilter(sub);
  }
}

/** Argument shapes mongod's query parser checks before it runs (messages as its expression_parser). */
function checkArgument(op: string, arg: unknown, ops: Doc): void {
  switch (op) {
    case '$in':
    case '$nin':
    case '$all':
      if (!Array.isArray(arg)) throw err(2, `${op} needs an array`);
      break;
    case '$size': {
      const n = numeric(arg);
      if (n === undefined) throw err(2, '$size needs a number');
      if (!Number.isInteger(n)) throw err(2, '$size must be a whole number');
      if (n < 0) throw err(2, '$size may not be negative');
      break;
    }
    case '$regex':
      if (typeof arg !== 'string' && !isRegex(arg)) throw err(2, '$regex has to be a string');
      break;
    case '$options':
      if (!('$regex' in ops)) throw err(2, '$options needs a $regex');
      break;
    case '$elemMatch':
      if (!isPlainObject(arg)) throw err(2, '$elemMatch needs an Object');
      break;
    case '$mod':
      if (!Array.isArray(arg)) throw err(2, 'malformed mod, needs to be an array');
      if (arg.length < 2) throw err(2, 'malformed mod, not enough elements');
      if (arg.length > 2) throw err(2, 'malformed mod, too many elements');
      break;
    case '$where':
      throw err(2, '$where cannot be applied to a field');
  }
}

/** A number of any BSON numeric type, else undefined. */
function numeric(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  const t = (v as { _bsontype?: string } | null)?._bsontype;
  if (t === 'Int32' || t === 'Double' || t === 'Long' || t === 'Decimal128') return Number(String(v));
  return undefined;
}

const isRegex = (v: unknown) =>
  v instanceof RegExp || (v as { _bsontype?: string } | null)?._bsontype === 'BSONRegExp';

function isOperatorObject(v: unknown): v is Doc {
  if (!isPlainObject(v)) return false;
  const first = Object.keys(v)[0];
  return first !== undefined && first.startsWith('$') && !DBREF_FIELDS.has(first);
}

function checkOperators(ops: Doc): void {
  for (const [op, arg] of Object.entries(ops)) {
    if (!op.startsWith('$')) continue;
    if (op !== '$options' && op !== '$where' && !isQueryOperator(op)) throw err(2, `unknown operator: ${op}`);
    checkArgument(op, arg, ops);
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
        if (!isPlainObject(spec)) throw err(15973, 'the $sort key specification must be an object');
        if (Object.keys(spec).length === 0) throw err(15976, '$sort stage must have at least one sort key');
        checkSort(spec);
        break;
      case '$limit': {
        const n = numeric(spec);
        if (n === undefined) throw err(15957, 'the limit must be specified as a number');
        if (n <= 0) throw err(15958, 'the limit must be positive');
        break;
      }
      case '$skip': {
        const n = numeric(spec);
        if (n === undefined) throw err(15972, 'Argument to $skip must be a number');
        if (n < 0) throw err(15956, 'Argument to $skip cannot be negative');
        break;
      }
      case '$unwind': {
        const path = isPlainObject(spec) ? spec.path : spec;
        if (typeof path === 'string' && !path.startsWith('$'))
          throw err(28818, `path option to $unwind stage should be prefixed with a '$': ${path}`);
        break;
      }
      case '$project':
        if (isPlainObject(spec) && Object.keys(spec).length === 0)
          throw err(
            51272,
            'Invalid $project :: caused by :: projection specification must have at least one field',
          );
        checkProjectionKind(spec, 'Invalid $project :: caused by :: ');
        checkExpression(spec);
        break;
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
        if (isPlainObject(spec) && !('_id' in spec))
          throw err(15955, 'a group specification must include an _id');
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
  checkProjectionKind(projection, '');
  for (const value of Object.values(projection)) {
    if (!isPlainObject(value)) continue;
    const [first] = Object.keys(value);
    if (first === '$elemMatch') checkFilter(value.$elemMatch);
    else if (first !== '$slice' && first !== '$meta') checkExpression(value);
  }
}

/**
 * A projection either includes or excludes: the first field that decides sets the kind
 * (`_id` may be excluded from an inclusion), and a later field of the other kind is
 * mongod's 31254/31253 naming it. `$slice`, `$elemMatch` and `$meta` decide nothing.
 */
function checkProjectionKind(projection: unknown, prefix: string): void {
  let kind: 'inclusion' | 'exclusion' | undefined;
  const visit = (spec: Doc, path: string) => {
    for (const [field, value] of Object.entries(spec)) {
      const full = path + field;
      let own: 'inclusion' | 'exclusion' | undefined;
      if (isPlainObject(value)) {
        const first = Object.keys(value)[0] ?? '';
        if (!first.startsWith('$')) {
          visit(value, `${full}.`);
          continue;
        }
        if (first !== '$slice' && first !== '$elemMatch' && first !== '$meta') own = 'inclusion';
      } else if (value === false || (numeric(value) === 0 && typeof value !== 'string')) own = 'exclusion';
      else own = 'inclusion';
      if (own === undefined || (full === '_id' && own === 'exclusion')) continue;
      if (kind === undefined) kind = own;
      else if (kind !== own)
        throw own === 'exclusion'
          ? err(31254, `${prefix}Cannot do exclusion on field ${full} in inclusion projection`)
          : err(31253, `${prefix}Cannot do inclusion on field ${full} in exclusion projection`);
    }
  };
  if (isPlainObject(projection)) visit(projection, '');
}

/** A sort by `$meta` needs a `$text` score, which this server never computes. */
export function checkSort(sort: unknown): void {
  if (!isPlainObject(sort)) return;
  for (const [field, value] of Object.entries(sort)) {
    if (isPlainObject(value) && '$meta' in value) throw err(2, '$meta sort is not supported (no $text)');
    const n = numeric(value);
    if (n === undefined)
      throw err(15974, `Illegal key in $sort specification: ${field}: ${formatValue(value)}`);
    if (n !== 1 && n !== -1)
      throw err(15975, '$sort key ordering must be 1 (for ascending) or -1 (for descending)');
  }
}

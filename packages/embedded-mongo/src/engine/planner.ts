/**
 * What the collection's planner needs besides the indexes themselves: the query
 * shape (a filter's structure without its values, as mongod's `queryHash`), the
 * per-shape plan cache entry, and which equality conditions an index lookup already
 * guarantees, so they need not be tested again on every candidate.
 */
import { type Doc, isPlainObject } from './keys.ts';
import type { Index } from './indexes.ts';

/**
 * Values whose index key (keyOf) is equal exactly when the query's equality holds,
 * in mingo's semantics as in mongod's: strings, booleans, ObjectIds and valid Dates.
 * Not numbers (keyOf gives 5, Long 5 and Decimal128 5 one key, which mingo does not
 * find equal), null (it also matches missing fields), arrays, documents, regexes.
 */
export function exactKeyValue(v: unknown): boolean {
  if (typeof v === 'string' || typeof v === 'boolean') return true;
  if (v === null || typeof v !== 'object') return false;
  if (v instanceof Date) return v.constructor === Date && !Number.isNaN(v.getTime());
  return (v as { _bsontype?: unknown })._bsontype === 'ObjectId';
}

/**
 * A path whose index keys are the values the query's path resolution yields: no
 * numeric part (`a.0` reads an array element in a query but may also name a field),
 * no empty part, no operator.
 */
function plainPath(path: string): boolean {
  if (path === '' || path[0] === '$') return false;
  for (const p of path.split('.')) if (p === '' || /^\d+$/.test(p)) return false;
  return true;
}

/** The class of a condition's value that matters to planning (not the value). */
function valueClass(v: unknown): string {
  if (exactKeyValue(v)) return 'e';
  if (v === null || v === undefined) return 'n';
  if (Array.isArray(v)) return 'a';
  if (v instanceof RegExp || (v as Doc)?._bsontype === 'BSONRegExp') return 'r';
  if (isPlainObject(v)) return 'o' + queryShape(v);
  return 'v';
}

/**
 * The filter's shape: field names, operators and value classes, in order. Two
 * filters of one shape are planned alike (same candidate indexes, same conditions
 * an index can guarantee); values are looked at per query (key counts, partial
 * filters, null).
 */
export function queryShape(filter: Doc): string {
  let s = '{';
  for (const k of Object.keys(filter)) {
    const v = filter[k];
    s += JSON.stringify(k) + ':';
    if ((k === '$and' || k === '$or' || k === '$nor') && Array.isArray(v)) {
      s += '[';
      for (const sub of v) s += isPlainObject(sub) ? queryShape(sub) : valueClass(sub);
      s += ']';
    } else if (isPlainObject(v) && Object.keys(v).some((op) => op[0] === '$')) {
      s += '{';
      for (const op of Object.keys(v)) {
        const x = v[op];
        s += op + ':';
        if ((op === '$in' || op === '$nin' || op === '$all') && Array.isArray(x))
          s += x.every(exactKeyValue) ? 'E' : x.some((e) => e === null || Array.isArray(e)) ? 'N' : 'V';
        else s += valueClass(x);
        s += ',';
      }
      s += '}';
    } else s += valueClass(v);
    s += ',';
  }
  return s + '}';
}

/** 32-bit FNV-1a as 8 upper-case hex digits, the form of mongod's queryHash/planCacheKey. */
export function shapeHash(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).toUpperCase().padStart(8, '0');
}

/** One cached plan: what a shape can use, decided once per shape and set of indexes. */
export interface ShapePlan {
  readonly queryHash: string;
  /** The shape and the indexes it may use (mongod's planCacheKey depends on both). */
  readonly planCacheKey: string;
  /** Indexes whose leading field the shape fixes by equality, with how many leading fields it fixes. */
  readonly options: { ix: Index; fixed: number }[];
  /** Top-level fields whose condition is an equality (or `$in`) on exactly keyed values. */
  readonly exact: string[];
}

/** Builds the plan of a shape from the equality constraints one filter of it has. */
export function buildShapePlan(
  shape: string,
  filter: Doc,
  eq: Map<string, unknown[]>,
  indexes: Iterable<Index>,
): ShapePlan {
  const options: { ix: Index; fixed: number }[] = [];
  for (const ix of indexes) {
    let fixed = 0;
    while (fixed < ix.fields.length && eq.has(ix.fields[fixed])) fixed++;
    if (fixed > 0) options.push({ ix, fixed });
  }
  const exact: string[] = [];
  for (const f of eq.keys()) if (guaranteedBy(filter, f, eq.get(f))) exact.push(f);
  const queryHash = shapeHash(shape);
  const planCacheKey = shapeHash(shape + '|' + options.map((o) => o.ix.name).join(','));
  return { queryHash, planCacheKey, options, exact };
}

/**
 * Whether the condition on `field` is a top-level `{f: v}`, `{f: {$eq: v}}` or
 * `{f: {$in: [...]}}` on exactly keyed values, and is the one `values` (the equality
 * constraint the planner looked up) came from: then a document under one of those
 * keys in an index on `field` matches that condition, and it need not be tested.
 * (`{$and: [{f: 1}], f: 2}` looks `f` up by the `$and` term: the top-level `f` stays.)
 */
export function guaranteedBy(filter: Doc, field: string, values: unknown[] | undefined): boolean {
  if (!values || !Object.hasOwn(filter, field) || !plainPath(field)) return false;
  const c = filter[field];
  if (isPlainObject(c)) {
    const ops = Object.keys(c);
    if (ops.length !== 1) return false;
    if (ops[0] === '$eq') return values.length === 1 && values[0] === c.$eq && exactKeyValue(c.$eq);
    if (ops[0] === '$in') return values === c.$in && values.length > 0 && values.every(exactKeyValue);
    return false;
  }
  return values.length === 1 && values[0] === c && exactKeyValue(c);
}

/** The filter without the given top-level conditions (the rest is tested per document). */
export function withoutFields(filter: Doc, fields: string[]): Doc {
  if (fields.length === 0) return filter;
  const out: Doc = {};
  for (const k of Object.keys(filter)) if (!fields.includes(k)) out[k] = filter[k];
  return out;
}

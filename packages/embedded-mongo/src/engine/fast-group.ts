/**
 * A native `$group` for the counting shapes the app runs over a collection (`_id` a
 * `'$path'`, `null` or an object of `'$path'`s; `$sum` of a number or a path, `$min`,
 * `$max`, `$push` of a path), with exactly mingo's output: groups in order of first
 * appearance, `_id` the first value seen (missing → null; in an object `_id` a missing
 * field stays an own `undefined`), keys equal as mingo's HashMap has them (SameValueZero
 * for primitives, Dates by time, ObjectIds by bytes), `$sum` of a literal = count × literal,
 * non-numbers ignored, `$push` of a missing value → null, `$min`/`$max` in BSON order as
 * the general accumulators (numeric-operators.ts: nulls ignored, types by mongod's rank).
 *
 * Answers null for any other spec, and for data it does not decide exactly (arrays,
 * embedded documents, Long… as keys or `$min`/`$max` values; NaN; invalid Dates); the
 * caller then runs mingo's `$group` over the same input.
 */
import { ObjectId } from 'bson';
import { type Doc, isPlainObject } from './keys.ts';
import { Summer, isInt32 } from './numbers.ts';
import { bsonRank } from './sort-order.ts';
import {
  BAIL,
  type Oid,
  type Path,
  compilePath,
  isOid,
  isPlain as plain,
  oidCmp,
  resolve,
} from './fast-match.ts';

type Cond = (d: Doc) => boolean;

type Acc =
  | { kind: 'count'; field: string; n: number }
  | { kind: 'sum' | 'min' | 'max' | 'push'; field: string; path: Path }
  | { kind: 'condsum'; field: string; cond: Cond; then: number; else: number };

const validDate = (v: unknown): v is Date =>
  v instanceof Date && v.constructor === Date && !Number.isNaN(v.getTime());
const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const COMPARE: Record<string, (x: number, t: number) => boolean> = {
  $gt: (x, t) => x > t,
  $gte: (x, t) => x >= t,
  $lt: (x, t) => x < t,
  $lte: (x, t) => x <= t,
};

/**
 * The conditions of the dashboard's conditional counts (`{ $sum: { $cond: [c, 1, 0] } }`):
 * `$and`/`$or` of "this path holds a date" (`{ $eq: [{ $type: '$p' }, 'date'] }`) and a
 * comparison of a path with a date literal. A comparison that meets anything but a valid
 * Date gives up (BAIL): expression comparisons order values of every type, which only
 * mingo does; the app guards each one with the date test, which `$and` checks first.
 */
function compileCond(e: unknown): Cond | null {
  if (!plain(e)) return null;
  const ops = Object.keys(e);
  if (ops.length !== 1) return null;
  const op = ops[0];
  const arg = e[op];
  if (op === '$and' || op === '$or') {
    if (!Array.isArray(arg) || arg.length === 0) return null;
    const parts: Cond[] = [];
    for (const x of arg) {
      const c = compileCond(x);
      if (!c) return null;
      parts.push(c);
    }
    return op === '$and' ? (d) => parts.every((c) => c(d)) : (d) => parts.some((c) => c(d));
  }
  if (!Array.isArray(arg) || arg.length !== 2) return null;
  if (op === '$eq') {
    const [t, name] = arg as [unknown, unknown];
    if (name !== 'date' || !plain(t) || Object.keys(t).length !== 1) return null;
    const path = fieldPath(t.$type);
    if (!path) return null;
    return (d) => {
      const v = resolve(d, path, false);
      if (v === undefined || v === null) return false;
      if (validDate(v)) return true;
      if (v instanceof Date || Array.isArray(v)) throw BAIL;
      return false;
    };
  }
  const compare = Object.hasOwn(COMPARE, op) ? COMPARE[op] : undefined;
  const path = fieldPath(arg[0]);
  const literal = arg[1] as unknown;
  if (!compare || !path || !validDate(literal)) return null;
  const t = literal.getTime();
  return (d) => {
    const v = resolve(d, path, false);
    if (!validDate(v)) throw BAIL;
    return compare(v.getTime(), t);
  };
}

/** `{ $cond: [if, then, else] }` or `{ $cond: { if, then, else } }` with number results. */
function compileCondSum(field: string, e: unknown): Acc | null {
  if (!plain(e) || Object.keys(e).length !== 1 || !('$cond' in e)) return null;
  const c = e.$cond;
  const [test, then, otherwise] = Array.isArray(c)
    ? c.length === 3
      ? c
      : []
    : plain(c) && Object.keys(c).length === 3
      ? [c.if, c.then, c.else]
      : [];
  if (!finite(then) || !finite(otherwise)) return null;
  const cond = compileCond(test);
  return cond ? { kind: 'condsum', field, cond, then, else: otherwise } : null;
}

interface Group {
  id: unknown;
  docs: Doc[];
}

function fieldPath(v: unknown): Path | null {
  if (typeof v !== 'string' || v[0] !== '$' || v[1] === '$') return null;
  return compilePath(v.slice(1));
}

const plainKey = (k: string) => k !== '' && k[0] !== '$' && !k.includes('.') && k !== '__proto__';

/** Key part of a group key value, or BAIL for values whose mingo equality is not a plain one. */
function keyPart(v: unknown): string {
  switch (typeof v) {
    case 'undefined':
      return 'u';
    case 'string':
      return `s${v.length}:${v}`;
    case 'number':
      // 0 and -0 are one key (===), NaN one key (Object.is).
      return 'n' + (v === 0 ? '0' : String(v));
    case 'boolean':
      return v ? 'T' : 'F';
    case 'object':
      if (v === null) return 'z';
      if (v instanceof Date && v.constructor === Date && !Number.isNaN(v.getTime())) return 'd' + v.getTime();
      // Eight 12-bit characters: fixed length, no hex conversion.
      if (isOid(v))
        return String.fromCharCode(
          111,
          v.i0 >>> 12,
          v.i0 & 4095,
          v.i1 >>> 12,
          v.i1 & 4095,
          v.i2 >>> 12,
          v.i2 & 4095,
          v.i3 >>> 12,
          v.i3 & 4095,
        );
  }
  throw BAIL;
}

/**
 * The BSON type order's rank (sort-order.ts) of the values this path decides: null,
 * numbers but NaN, strings, booleans, valid Dates and ObjectIds; any other gives up.
 */
const RANK_DATE = bsonRank(new Date(0));
const RANK_OBJECT_ID = bsonRank(new ObjectId());

function rank(v: unknown): number {
  const decided =
    v === null ||
    (typeof v === 'number' && !Number.isNaN(v)) ||
    typeof v === 'string' ||
    typeof v === 'boolean' ||
    (v instanceof Date && v.constructor === Date && !Number.isNaN(v.getTime())) ||
    isOid(v);
  if (!decided) throw BAIL;
  return bsonRank(v);
}

function cmp(a: unknown, b: unknown): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  if (a === b) return 0;
  switch (ra) {
    case RANK_DATE:
      return cmpPrim((a as Date).getTime(), (b as Date).getTime());
    case RANK_OBJECT_ID:
      return oidCmp(a as Oid, b as Oid);
    default:
      return cmpPrim(a as number, b as number);
  }
}

const cmpPrim = (a: number | string | boolean, b: number | string | boolean) => (a < b ? -1 : a > b ? 1 : 0);

function compileAccs(spec: Doc): Acc[] | null {
  const accs: Acc[] = [];
  for (const field of Object.keys(spec)) {
    if (field === '_id') continue;
    const a = spec[field];
    if (!plainKey(field) || !plain(a)) return null;
    const ops = Object.keys(a);
    if (ops.length !== 1) return null;
    const op = ops[0];
    const arg = a[op];
    if (op === '$sum' && typeof arg === 'number') {
      if (Number.isNaN(arg)) return null;
      accs.push({ kind: 'count', field, n: arg });
      continue;
    }
    if (op === '$sum' && plain(arg)) {
      const acc = compileCondSum(field, arg);
      if (!acc) return null;
      accs.push(acc);
      continue;
    }
    const path = fieldPath(arg);
    if (!path) return null;
    if (op === '$sum') accs.push({ kind: 'sum', field, path });
    else if (op === '$min') accs.push({ kind: 'min', field, path });
    else if (op === '$max') accs.push({ kind: 'max', field, path });
    else if (op === '$push') accs.push({ kind: 'push', field, path });
    else return null;
  }
  return accs;
}

function accumulate(acc: Acc, docs: Doc[]): unknown {
  if (acc.kind === 'count') {
    // The usual `$sum: 1`: an int32 product that fits is the sum; otherwise sum as mongod.
    const r = docs.length * acc.n;
    if (isInt32(acc.n) && isInt32(r)) return r;
    const s = new Summer();
    for (let i = 0; i < docs.length; i++) s.push(acc.n);
    return s.current();
  }
  if (acc.kind === 'condsum') {
    const s = new Summer();
    for (const d of docs) s.push(acc.cond(d) ? acc.then : acc.else);
    return s.current();
  }
  const { path } = acc;
  switch (acc.kind) {
    case 'sum': {
      // mongod's types (int → long → double, double, decimal): numbers.ts.
      const s = new Summer();
      for (const d of docs) s.push(resolve(d, path, false));
      return s.current();
    }
    case 'push': {
      const out = new Array(docs.length);
      for (let i = 0; i < docs.length; i++) out[i] = resolve(docs[i], path, false) ?? null;
      return out;
    }
    case 'min': {
      // Nulls are dropped, then the first of the smallest (a stable sort's first).
      let best: unknown = null;
      for (const d of docs) {
        const v = resolve(d, path, false) ?? null;
        rank(v);
        if (v !== null && (best === null || cmp(v, best) < 0)) best = v;
      }
      return best;
    }
    case 'max': {
      // Nulls are dropped, then the first of the largest (mongod keeps the first of equals).
      let best: unknown = null;
      for (const d of docs) {
        const v = resolve(d, path, false) ?? null;
        rank(v);
        if (v !== null && (best === null || cmp(v, best) > 0)) best = v;
      }
      return best;
    }
  }
}

/** `$group` over `docs` as mingo computes it, or null when mingo must. */
export function fastGroup(docs: Doc[], spec: unknown): Doc[] | null {
  if (!plain(spec) || !Object.prototype.hasOwnProperty.call(spec, '_id')) return null;
  const idSpec = spec._id;
  let idPath: Path | null = null;
  let idFields: { name: string; path: Path }[] | null = null;
  // A constant `_id` (the driver's countDocuments groups by `_id: 1`): one group.
  const constant = typeof idSpec === 'boolean' || (typeof idSpec === 'number' && Number.isFinite(idSpec));
  if (idSpec !== null && !constant) {
    if (typeof idSpec === 'string') {
      idPath = fieldPath(idSpec);
      if (!idPath) return null;
    } else if (plain(idSpec)) {
      const names = Object.keys(idSpec);
      if (!names.length) return null;
      idFields = [];
      for (const name of names) {
        const path = plainKey(name) ? fieldPath(idSpec[name]) : null;
        if (!path) return null;
        idFields.push({ name, path });
      }
    } else return null;
  }
  const accs = compileAccs(spec);
  if (!accs) return null;
  try {
    const groups: Group[] = [];
    // Primitive keys as mingo's HashMap holds them (a Map: SameValueZero), others encoded.
    const prims = new Map<unknown, Group>();
    const encoded = new Map<string, Group>();
    const vals: unknown[] = [];
    const add = <K>(m: Map<K, Group>, key: K, id: unknown): Group => {
      const g = { id, docs: [] };
      m.set(key, g);
      groups.push(g);
      return g;
    };
    for (const d of docs) {
      if (!plain(d)) return null;
      let g: Group | undefined;
      if (idFields) {
        let key = '';
        for (let i = 0; i < idFields.length; i++) {
          const v = resolve(d, idFields[i].path, false);
          vals[i] = v;
          key += keyPart(v) + '|';
        }
        g = encoded.get(key);
        if (!g) {
          // mingo's object expression: every field an own property, undefined when missing.
          const id: Doc = {};
          for (let i = 0; i < idFields.length; i++) id[idFields[i].name] = vals[i];
          g = add(encoded, key, id);
        }
      } else {
        const v = constant ? idSpec : idPath ? (resolve(d, idPath, false) ?? null) : null;
        if (v === null || typeof v !== 'object') {
          if (typeof v === 'bigint' || typeof v === 'symbol' || typeof v === 'function') return null;
          // The Map's key: -0 is stored as 0.
          g = prims.get(v) ?? add(prims, v, v === 0 ? 0 : v);
        } else {
          const key = keyPart(v);
          g = encoded.get(key) ?? add(encoded, key, v);
        }
      }
      g.docs.push(d);
    }
    return groups.map((g) => {
      const out: Doc = { _id: g.id };
      for (const acc of accs) out[acc.field] = accumulate(acc, g.docs);
      return out;
    });
  } catch (e) {
    if (e === BAIL) return null;
    throw e;
  }
}

/**
 * A `$group` that only counts its input into one group: a constant `_id` (not an
 * expression) and `{ $sum: 1 }` fields, as mongoose's `countDocuments` sends.
 */
export function countOnly(stage: unknown): { id: unknown; fields: string[] } | null {
  if (!isPlainObject(stage) || !isPlainObject(stage.$group)) return null;
  const { _id: id, ...acc } = stage.$group;
  const constant =
    id === null ||
    typeof id === 'number' ||
    typeof id === 'boolean' ||
    (typeof id === 'string' && !id.startsWith('$'));
  if (!constant || !('_id' in stage.$group)) return null;
  const fields = Object.keys(acc);
  for (const f of fields) {
    const spec = acc[f];
    if (!isPlainObject(spec) || Object.keys(spec).length !== 1 || spec.$sum !== 1) return null;
  }
  return { id, fields };
}

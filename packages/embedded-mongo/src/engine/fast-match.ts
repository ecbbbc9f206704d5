/**
 * A native filter matcher for the query shapes the app uses, with exactly mingo's
 * semantics (mingo 7.2: `resolve` with its array traversal and unwrapping, `$eq`'s
 * flattening by path depth, `$in`'s SameValueZero/isEqual, `$gt`… only between values
 * of one `typeOf`). mingo's generic path resolution, `isEqual` (ObjectIds compared by
 * `toString()`) and `$in` (a hash map built per test) were the largest server cost.
 *
 * `compileFastFilter` answers `null` for any filter shape it does not cover (the caller
 * uses mingo, which also raises the errors). A compiled matcher throws `BAIL` for a
 * document holding a value it does not decide exactly (Long, Decimal128, Binary, a
 * RegExp, a path through a Date or ObjectId, an array under a dotted `$exists`…); the
 * caller asks mingo for that document.
 */
import { ObjectId } from 'bson';
import type { Doc } from './keys.ts';
import { isNumWrapper } from './numbers.ts';
import { nestedTerminals } from './array-paths.ts';

/** Thrown for a document the fast matcher cannot decide; not an Error (no stack to build). */
export const BAIL: { readonly bail: true } = Object.freeze({ bail: true as const });

export type FastFilter = (d: Doc) => boolean;
type Pred = (d: Doc) => boolean;
type VPred = (lhs: unknown) => boolean;

export interface Oid {
  i0: number;
  i1: number;
  i2: number;
  i3: number;
}

/** Names mingo's getValue refuses to read unless own; reading them here could hit Object.prototype. */
const PROTO_NAMES = new Set(Object.getOwnPropertyNames(Object.prototype));

/** An object whose fields mingo reads as fields (literal or null-prototype). */
export function isPlain(v: unknown): v is Doc {
  if (v === null || typeof v !== 'object') return false;
  const p = Object.getPrototypeOf(v);
  return p === Object.prototype || p === null;
}
export const isOid = (v: unknown): v is Oid =>
  v instanceof ObjectId && v.constructor === ObjectId && typeof (v as unknown as Oid).i0 === 'number';
const oidEq = (a: Oid, b: Oid) => a.i0 === b.i0 && a.i1 === b.i1 && a.i2 === b.i2 && a.i3 === b.i3;
/** Like comparing the hex strings (mingo compares `toString()`s). */
export function oidCmp(a: Oid, b: Oid): number {
  if (a.i0 !== b.i0) return a.i0 < b.i0 ? -1 : 1;
  if (a.i1 !== b.i1) return a.i1 < b.i1 ? -1 : 1;
  if (a.i2 !== b.i2) return a.i2 < b.i2 ? -1 : 1;
  if (a.i3 !== b.i3) return a.i3 < b.i3 ? -1 : 1;
  return 0;
}
const validDate = (v: unknown): v is Date =>
  v instanceof Date && v.constructor === Date && !Number.isNaN(v.getTime());
const isDigits = (s: string) => /^[0-9]+$/.test(s);

// ---------------------------------------------------------------------------------------------
// Paths: mingo's `resolve(obj, selector, { unwrapArray })`.

export interface Path {
  parts: string[];
  index: boolean[];
  nums: number[];
  /** Dots in the selector: the depth `$eq` flattens arrays to. */
  dots: number;
}

export function compilePath(key: string): Path | null {
  if (key === '' || key[0] === '$' || key.includes('__proto__')) return null;
  const parts = key.split('.');
  for (const p of parts) if (p === '' || PROTO_NAMES.has(p)) return null;
  const index = parts.map(isDigits);
  return { parts, index, nums: parts.map(Number), dots: parts.length - 1 };
}

/** mingo's getValue for an object met on the way (arrays only reach here with an index part). */
function step(v: unknown, part: string, index: boolean, num: number): unknown {
  if (v === null || typeof v !== 'object') return undefined;
  if (Array.isArray(v)) return index ? v[num] : bail();
  // Date, ObjectId, Long…: mingo would read their properties (methods, getters).
  if (!isPlain(v)) return bail();
  return (v as Doc)[part];
}

function bail(): never {
  throw BAIL;
}

/** Bails on a number wrapper (Long, Double, Decimal128); false otherwise. */
function numWrapperBail(x: object): boolean {
  if (isNumWrapper(x)) bail();
  return false;
}

// Shared by one resolve call and its recursion, as in mingo (single-threaded, not re-entered).
let depth = 0;

function resolvePath(o: unknown, p: Path, start: number): unknown {
  let value = o;
  const n = p.parts.length;
  for (let i = start; i < n; i++) {
    if (!p.index[i] && Array.isArray(value)) {
      if (i === start && depth > 0) break;
      depth++;
      const acc: unknown[] = [];
      for (let j = 0; j < value.length; j++) {
        const v = resolvePath(value[j], p, i);
        if (v !== undefined) acc.push(v);
      }
      return acc;
    }
    value = step(value, p.parts[i], p.index[i], p.nums[i]);
    if (value === undefined) break;
  }
  return value;
}

/** mingo's `resolve(d, selector, { unwrapArray })` for a plain document; may throw BAIL. */
export function resolve(d: Doc, p: Path, unwrap: boolean): unknown {
  const { parts } = p;
  if (parts.length === 1) return d[parts[0]];
  // Through embedded documents only: a plain walk.
  let v: unknown = d;
  for (let i = 0; i < parts.length && !Array.isArray(v); i++) {
    if (v === null || typeof v !== 'object') return undefined;
    if (!isPlain(v)) bail();
    v = v[parts[i]];
    if (v === undefined || i === parts.length - 1) return v;
  }
  // Crossing an array to values that are arrays: mongod's answer is not mingo's
  // (array-paths.ts), and mingo's operators are wrapped for it; this matcher is not.
  if (unwrap && !p.index.includes(true) && nestedTerminals(d, parts)) bail();
  depth = 0;
  const res = resolvePath(d, p, 0);
  if (!unwrap || !Array.isArray(res)) return res;
  let arr: unknown[] = res;
  for (let k = depth; k > 0 && arr.length === 1 && Array.isArray(arr[0]); k--) arr = arr[0] as unknown[];
  return arr;
}

/** A getter for the unwrapped value. */
function getter(p: Path): (d: Doc) => unknown {
  if (p.parts.length === 1) {
    const k = p.parts[0];
    return (d) => d[k];
  }
  return (d) => resolve(d, p, true);
}

/** `flatten(xs, depth).some(f)`. */
function someDeep(xs: unknown[], d: number, f: VPred): boolean {
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    if (d > 0 && Array.isArray(x)) {
      if (someDeep(x, d - 1, f)) return true;
    } else if (f(x)) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Values.

/** Query values `$eq` handles: scalars, valid Dates, ObjectIds and arrays of them. */
function eqValueOk(v: unknown): boolean {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return !Number.isNaN(v);
    case 'object':
      if (v === null || validDate(v) || isOid(v)) return true;
      return Array.isArray(v) && v.constructor === Array && v.every(eqValueOk);
    default:
      return false;
  }
}

/** mingo's `isEqual(x, b)` for a query value `b` accepted by eqValueOk. */
function equalTo(b: unknown): VPred {
  // A Long, Double or Decimal128 in the document: mingo (numeric-operators.ts) decides.
  if (typeof b === 'number')
    return (x) => x === b || (typeof x === 'object' && x !== null && numWrapperBail(x));
  if (b === null || typeof b !== 'object') return (x) => x === b;
  if (b instanceof Date) {
    const t = b.getTime();
    return (x) => x instanceof Date && x.constructor === Date && x.getTime() === t;
  }
  if (isOid(b))
    return (x) => x instanceof ObjectId && x.constructor === ObjectId && oidEq(x as unknown as Oid, b);
  const items = (b as unknown[]).map(equalTo);
  return (x) => {
    if (x === b) return true;
    if (!Array.isArray(x) || x.constructor !== Array || x.length !== items.length) return false;
    for (let i = 0; i < items.length; i++) if (!items[i](x[i])) return false;
    return true;
  };
}

/** mingo's `$eq(lhs, b)`: isEqual, nil with nil, or an array element (flattened to `dots`). */
function eqPred(b: unknown, dots: number): VPred {
  const eq = equalTo(b);
  if (b === null)
    return (x) => x === null || x === undefined || (Array.isArray(x) && someDeep(x, dots, (y) => y === null));
  if (Array.isArray(b)) return (x) => eq(x) || (Array.isArray(x) && (x.some(eq) || someDeep(x, dots, eq)));
  if (typeof b === 'string') return (x) => x === b || (Array.isArray(x) && someDeep(x, dots, eq));
  return (x) => eq(x) || (Array.isArray(x) && someDeep(x, dots, eq));
}

function regexOk(r: RegExp): boolean {
  return !r.global && !r.sticky;
}

/** mingo's `$in(lhs, arr)`: SameValueZero for primitives, isEqual for objects, RegExps on strings. */
function inPred(arr: unknown[]): VPred | null {
  const prims = new Set<unknown>();
  const dates = new Set<number>();
  // ObjectIds by their first 48 bits, then the last 48.
  const oids = new Map<number, Set<number>>();
  const res: RegExp[] = [];
  let hasNull = false;
  for (const v of arr) {
    if (v === null) {
      hasNull = true;
      prims.add(null);
    } else if (typeof v === 'string' || typeof v === 'boolean') prims.add(v);
    else if (typeof v === 'number') {
      if (Number.isNaN(v)) return null;
      prims.add(v);
    } else if (validDate(v)) dates.add(v.getTime());
    else if (isOid(v)) {
      const hi = v.i0 * 0x1000000 + v.i1;
      let s = oids.get(hi);
      if (!s) oids.set(hi, (s = new Set()));
      s.add(v.i2 * 0x1000000 + v.i3);
    } else if (v instanceof RegExp && v.constructor === RegExp && regexOk(v)) res.push(v);
    else return null;
  }
  const one = (x: unknown): boolean => {
    if (x === null || typeof x !== 'object') return prims.has(x);
    if (x instanceof Date) return x.constructor === Date && dates.has(x.getTime());
    if (x instanceof ObjectId) {
      if (x.constructor !== ObjectId) return false;
      const o = x as unknown as Oid;
      return oids.get(o.i0 * 0x1000000 + o.i1)?.has(o.i2 * 0x1000000 + o.i3) === true;
    }
    if (isNumWrapper(x)) bail();
    // mingo would compare a stored RegExp with the query's, and fails hashing null-prototype objects.
    if ((res.length && x instanceof RegExp) || Object.getPrototypeOf(x) === null) bail();
    return false;
  };
  const re = (x: unknown): boolean => {
    if (typeof x !== 'string') return false;
    for (const r of res) if (r.test(x)) return true;
    return false;
  };
  return (x) => {
    if (x === null || x === undefined) return hasNull;
    if (!Array.isArray(x)) return one(x) || (res.length > 0 && re(x));
    for (let i = 0; i < x.length; i++) if (one(x[i])) return true;
    if (res.length) for (let i = 0; i < x.length; i++) if (re(x[i])) return true;
    return false;
  };
}

const simpleCmp = (a: number | string | boolean, b: number | string | boolean) =>
  a < b ? -1 : a > b ? 1 : 0;

/** mingo's `$gt`… : some element (not flattened) of the same `typeOf` compares as asked. */
function rangePred(b: unknown, ok: (c: number) => boolean): VPred | null {
  let cmp: (x: unknown) => number | undefined;
  if (b === null) cmp = (x) => (x === null ? 0 : undefined);
  else if (typeof b === 'number') {
    if (Number.isNaN(b)) return null;
    cmp = (x) => {
      if (typeof x === 'number') return simpleCmp(x, b);
      if (typeof x === 'object' && x !== null) numWrapperBail(x);
      return undefined;
    };
  } else if (typeof b === 'string') cmp = (x) => (typeof x === 'string' ? simpleCmp(x, b) : undefined);
  else if (typeof b === 'boolean') cmp = (x) => (typeof x === 'boolean' ? simpleCmp(x, b) : undefined);
  else if (validDate(b)) {
    const t = b.getTime();
    cmp = (x) => (x instanceof Date ? simpleCmp(x.getTime(), t) : undefined);
  } else if (isOid(b)) {
    cmp = (x) => {
      if (x === null || typeof x !== 'object') return undefined;
      if (x.constructor === ObjectId) return oidCmp(x as unknown as Oid, b);
      // Another class whose typeOf is also 'objectid' (a second bson copy): mingo compares keys.
      if ((x.constructor as { name?: string } | undefined)?.name?.toLowerCase() === 'objectid') bail();
      return undefined;
    };
  } else return null;
  return (x) => {
    if (!Array.isArray(x)) {
      const c = cmp(x);
      return c !== undefined && ok(c);
    }
    for (let i = 0; i < x.length; i++) {
      const c = cmp(x[i]);
      if (c !== undefined && ok(c)) return true;
    }
    return false;
  };
}

/** mingo's `$regex`: a string, or a string element (one level of nesting). */
function regexPred(r: RegExp): VPred {
  const m = (x: unknown) => typeof x === 'string' && r.test(x);
  return (x) => (Array.isArray(x) ? someDeep(x, 1, m) : m(x));
}

function makeRegex(pattern: unknown, options: unknown): RegExp | null {
  if (typeof pattern !== 'string' && !(pattern instanceof RegExp)) return null;
  if (options !== undefined && typeof options !== 'string') return null;
  try {
    const r = new RegExp(pattern, options);
    return regexOk(r) ? r : null;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Filters.

const isOperator = (k: string) => /^\$[a-zA-Z0-9_]+$/.test(k);

/** mingo's `normalize` of a field's expression. */
function normalize(expr: unknown): Doc | null {
  if (expr instanceof RegExp) return { $regex: expr };
  if (expr === null || typeof expr !== 'object' || expr instanceof Date) return { $eq: expr };
  if (!Object.keys(expr).some(isOperator)) return { $eq: expr };
  if (!isPlain(expr)) return null;
  if (Object.prototype.hasOwnProperty.call(expr, '$regex')) {
    const r = makeRegex(expr.$regex, expr.$options);
    if (!r) return null;
    const out: Doc = { ...expr, $regex: r };
    delete out.$options;
    return out;
  }
  return expr;
}

const RANGES: Record<string, (c: number) => boolean> = {
  $gt: (c) => c > 0,
  $gte: (c) => c >= 0,
  $lt: (c) => c < 0,
  $lte: (c) => c <= 0,
};

function and(ps: Pred[]): Pred {
  if (ps.length === 1) return ps[0];
  if (ps.length === 2) {
    const [a, b] = ps;
    return (d) => a(d) && b(d);
  }
  return (d) => {
    for (let i = 0; i < ps.length; i++) if (!ps[i](d)) return false;
    return true;
  };
}

function existsPred(key: string, p: Path, want: boolean): Pred {
  if (p.parts.length === 1 || /\.\d+$/.test(key)) return (d) => (resolve(d, p, false) !== undefined) === want;
  // mingo goes through resolveGraph here; without arrays on the way that is a plain walk.
  const n = p.parts.length;
  return (d) => {
    let v: unknown = d;
    for (let i = 0; i < n; i++) {
      if (v === null || typeof v !== 'object') return !want;
      if (!isPlain(v)) bail();
      v = v[p.parts[i]];
    }
    return (v !== undefined) === want;
  };
}

/** The predicates of one field's (normalized) operator object; null if any is not covered. */
function fieldPred(key: string, p: Path, ops: Doc): Pred | null {
  const vps: VPred[] = [];
  const dps: Pred[] = [];
  for (const op of Object.keys(ops)) {
    const b = ops[op];
    switch (op) {
      case '$eq':
      case '$ne': {
        if (!eqValueOk(b)) return null;
        const e = eqPred(b, p.dots);
        vps.push(op === '$eq' ? e : (x) => !e(x));
        break;
      }
      case '$in':
      case '$nin': {
        if (!Array.isArray(b) || b.constructor !== Array) return null;
        const e = inPred(b);
        if (!e) return null;
        vps.push(op === '$in' ? e : (x) => !e(x));
        break;
      }
      case '$gt':
      case '$gte':
      case '$lt':
      case '$lte': {
        const r = rangePred(b, RANGES[op]);
        if (!r) return null;
        vps.push(r);
        break;
      }
      case '$regex':
        if (!(b instanceof RegExp) || !regexOk(b)) return null;
        vps.push(regexPred(b));
        break;
      case '$exists':
        if (typeof b !== 'boolean' && typeof b !== 'number') return null;
        dps.push(existsPred(key, p, !!b));
        break;
      case '$not': {
        if (
          !(b instanceof RegExp) &&
          !(isPlain(b) && Object.keys(b).length > 0 && Object.keys(b).every(isOperator))
        )
          return null;
        const inner = normalize(b);
        const q = inner && fieldPred(key, p, inner);
        if (!q) return null;
        dps.push((d) => !q(d));
        break;
      }
      default:
        return null;
    }
  }
  if (vps.length) {
    const get = getter(p);
    if (vps.length === 1) {
      const v = vps[0];
      dps.unshift((d) => v(get(d)));
    } else {
      dps.unshift((d) => {
        const x = get(d);
        for (let i = 0; i < vps.length; i++) if (!vps[i](x)) return false;
        return true;
      });
    }
  }
  return dps.length ? and(dps) : null;
}

function compileDoc(filter: unknown): Pred | null {
  if (!isPlain(filter)) return null;
  const ps: Pred[] = [];
  for (const key of Object.keys(filter)) {
    const v = filter[key];
    if (key === '$and' || key === '$or' || key === '$nor') {
      if (!Array.isArray(v) || v.length === 0) return null;
      const subs: Pred[] = [];
      for (const f of v) {
        const s = compileDoc(f);
        if (!s) return null;
        subs.push(s);
      }
      if (key === '$and') ps.push(and(subs));
      else {
        const any: Pred = (d) => {
          for (let i = 0; i < subs.length; i++) if (subs[i](d)) return true;
          return false;
        };
        ps.push(key === '$or' ? any : (d) => !any(d));
      }
      continue;
    }
    const p = compilePath(key);
    const ops = p && normalize(v);
    const f = ops && fieldPred(key, p, ops);
    if (!f) return null;
    ps.push(f);
  }
  return ps.length ? and(ps) : () => true;
}

/**
 * A native matcher for `filter`, or null when mingo must do it (unsupported operator or
 * value, or anything mingo would refuse). The matcher may throw `BAIL` for a document.
 */
export function compileFastFilter(filter: Doc): FastFilter | null {
  const f = compileDoc(filter);
  if (!f) return null;
  return (d) => {
    if (!isPlain(d)) bail();
    return f(d);
  };
}

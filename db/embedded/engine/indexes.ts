/**
 * Secondary indexes: a Map from the canonical key string of the indexed value(s)
 * to the document(s) holding it. Serves two purposes:
 *  - unique constraints with MongoDB semantics (multikey: every array element is
 *    a key; a missing field is null unless `sparse`; `partialFilterExpression`
 *    limits which documents are indexed; compound keys are the cartesian product);
 *  - equality lookups (`{email: x}`, `{a: {$in: [...]}}`, leading field of a
 *    compound index) so such queries do not scan the collection.
 * Documents are referenced by their `_id` key string (see keyOf), so an entry is a
 * short string, or a Set only when several documents share a key.
 */
import type { Doc } from './bsonutil.ts';
import { formatValue, isPlainObject, keyOf } from './bsonutil.ts';
import { err } from './errors.ts';
import { compileFilter } from './mingo.ts';

/** Sentinel for "field absent", distinct from an explicit null (matters for sparse). */
const MISSING = Symbol('missing');
/** An empty array indexes as `undefined` in MongoDB (distinct from null). */
const EMPTY_ARRAY = Symbol('emptyArray');

export type Posting = string | Set<string>;

function addPosting(map: Map<string, Posting>, key: string, id: string): void {
  const cur = map.get(key);
  if (cur === undefined) map.set(key, id);
  else if (typeof cur === 'string') {
    if (cur !== id) map.set(key, new Set([cur, id]));
  } else cur.add(id);
}

function removePosting(map: Map<string, Posting>, key: string, id: string): void {
  const cur = map.get(key);
  if (cur === undefined) return;
  if (typeof cur === 'string') {
    if (cur === id) map.delete(key);
  } else {
    cur.delete(id);
    if (cur.size === 1) map.set(key, cur.values().next().value as string);
    else if (cur.size === 0) map.delete(key);
  }
}

export function postingIds(p: Posting | undefined): Iterable<string> {
  if (p === undefined) return [];
  return typeof p === 'string' ? [p] : p;
}

export function postingSize(p: Posting | undefined): number {
  return p === undefined ? 0 : typeof p === 'string' ? 1 : p.size;
}

/** All values a dotted path yields in a document, expanding arrays (multikey). */
function extract(v: unknown, parts: string[], i: number, out: unknown[]): void {
  if (i === parts.length) {
    if (Array.isArray(v)) {
      if (v.length === 0) out.push(EMPTY_ARRAY);
      else for (const e of v) out.push(e);
    } else out.push(v === undefined ? MISSING : v);
    return;
  }
  if (Array.isArray(v)) {
    const p = parts[i];
    if (/^\d+$/.test(p) && Number(p) < v.length) {
      extract(v[Number(p)], parts, i + 1, out);
      return;
    }
    if (v.length === 0) {
      out.push(MISSING);
      return;
    }
    for (const e of v) {
      if (isPlainObject(e)) extract(e[p], parts, i + 1, out);
      else out.push(MISSING);
    }
    return;
  }
  if (isPlainObject(v)) extract(v[parts[i]], parts, i + 1, out);
  else out.push(MISSING);
}

export interface IndexSpec {
  key: Doc;
  name: string;
  unique?: boolean;
  sparse?: boolean;
  partialFilterExpression?: Doc;
  expireAfterSeconds?: number;
  [k: string]: unknown;
}

export function defaultIndexName(key: Doc): string {
  return Object.entries(key)
    .map(([k, v]) => `${k}_${v}`)
    .join('_');
}

/** Options that make two specs with the same key different indexes (85 if they differ). */
export function indexOptionsEqual(a: IndexSpec, b: IndexSpec): boolean {
  const norm = (s: IndexSpec) =>
    JSON.stringify([
      !!s.unique,
      !!s.sparse,
      s.partialFilterExpression ?? null,
      s.expireAfterSeconds ?? null,
      s.collation ?? null,
    ]);
  return norm(a) === norm(b);
}

export function validateIndexSpec(raw: unknown): IndexSpec {
  if (!isPlainObject(raw)) throw err(9, 'index specification must be an object');
  const key = raw.key;
  if (!isPlainObject(key) || Object.keys(key).length === 0) throw err(67, 'Index keys cannot be empty.');
  for (const [f, dir] of Object.entries(key)) {
    if (f === '' || f.startsWith('$'))
      throw err(67, `Index key contains an illegal field name: field name starts with '$'.`);
    if (
      dir === 'text' ||
      dir === '2d' ||
      dir === '2dsphere' ||
      dir === 'geoHaystack' ||
      dir === 'wildcard' ||
      f.includes('$**')
    )
      throw err(67, `Index type '${String(dir)}' is not supported by the embedded server`);
    if (!(dir === 1 || dir === -1 || dir === 'hashed' || (typeof dir === 'number' && dir !== 0)))
      throw err(
        67,
        `Values in the index key pattern can contain only non-zero numbers or the strings "hashed"; found ${formatValue(dir)}`,
      );
  }
  const name = typeof raw.name === 'string' && raw.name ? raw.name : defaultIndexName(key);
  if (raw.partialFilterExpression !== undefined && !isPlainObject(raw.partialFilterExpression))
    throw err(2, 'partialFilterExpression must be an object');
  if (raw.partialFilterExpression && raw.sparse)
    throw err(67, 'cannot mix "partialFilterExpression" and "sparse" options');
  const spec: IndexSpec = { v: 2, key, name };
  for (const [k, v] of Object.entries(raw)) {
    if (k === 'key' || k === 'name' || k === 'v' || k === 'ns' || k === 'background') continue;
    if ((k === 'unique' || k === 'sparse') && !v) continue;
    spec[k] = v;
  }
  if (name === '_id_' && !(Object.keys(key).length === 1 && key._id !== undefined))
    throw err(67, "The index name '_id_' is reserved for the _id index");
  return spec;
}

/**
 * A document's keys in one index: `keys[i]` (the Map key), the values it was made
 * of (`vals[i]`, for dup-key messages) and, for a compound index, the key of its
 * leading field (`leads[i]`, for prefix lookups).
 */
export interface IndexKeys {
  keys: string[];
  vals: unknown[][];
  leads: string[] | undefined;
}

/** Key of one field's value: missing is null ('z'), an empty array is `undefined` ('u'). */
const partKey = (v: unknown): string => (v === MISSING ? 'z' : v === EMPTY_ARRAY ? 'u' : keyOf(v));
const partValue = (v: unknown): unknown => (v === MISSING ? null : v === EMPTY_ARRAY ? undefined : v);

/**
 * The key of a compound index entry: each field's key with its length in front,
 * so no separator needs escaping (cheaper than JSON, and key strings may hold any
 * character).
 */
function joinKey(parts: string[]): string {
  let s = '';
  for (const p of parts) s += p.length + ':' + p;
  return s;
}

export interface DupInfo {
  keyPattern: Doc;
  keyValue: Doc;
}

export class Index {
  readonly fields: string[];
  private readonly paths: string[][];
  private readonly partial?: { test(d: Doc): boolean };
  /** full key → doc id(s) */
  readonly map = new Map<string, Posting>();
  /** leading-field key → doc id(s); only for compound indexes, for prefix lookups */
  readonly lead?: Map<string, Posting>;

  constructor(readonly spec: IndexSpec) {
    this.fields = Object.keys(spec.key);
    this.paths = this.fields.map((f) => f.split('.'));
    if (spec.partialFilterExpression) this.partial = compileFilter(spec.partialFilterExpression);
    if (this.fields.length > 1) this.lead = new Map();
  }

  get name(): string {
    return this.spec.name;
  }
  get unique(): boolean {
    return !!this.spec.unique;
  }
  /** Usable for equality lookups on any value (sparse/partial skip documents). */
  get complete(): boolean {
    return !this.spec.sparse && !this.partial;
  }

  /**
   * The index keys of a document: `null` when the document is not in the index
   * (sparse with all fields missing, or outside the partial filter). Each key
   * carries the values for dup-key messages and, for a compound index, its
   * leading field's key. Duplicates within one document collapse, so a document
   * may repeat a value inside its own array.
   */
  keysOf(doc: Doc): IndexKeys | null {
    if (this.partial && !this.partial.test(doc)) return null;
    const n = this.paths.length;
    const perField = new Array<unknown[]>(n);
    let single = true;
    let allMissing = true;
    for (let i = 0; i < n; i++) {
      const out: unknown[] = [];
      extract(doc, this.paths[i], 0, out);
      perField[i] = out;
      if (out.length !== 1) single = false;
      if (allMissing) for (const v of out) if (v !== MISSING) allMissing = false;
    }
    if (this.spec.sparse && allMissing) return null;
    const compound = n > 1;
    if (single) {
      // The common case (no array in any indexed field): exactly one key.
      const parts = new Array<string>(n);
      const vals = new Array<unknown>(n);
      for (let i = 0; i < n; i++) {
        const v = perField[i][0];
        parts[i] = partKey(v);
        vals[i] = partValue(v);
      }
      return {
        keys: [compound ? joinKey(parts) : parts[0]],
        vals: [vals],
        leads: compound ? [parts[0]] : undefined,
      };
    }
    const result: IndexKeys = { keys: [], vals: [], leads: compound ? [] : undefined };
    const seenKeys = new Set<string>();
    const keyParts = new Array<string>(n);
    const keyVals = new Array<unknown>(n);
    const rec = (i: number) => {
      if (i === n) {
        const key = compound ? joinKey(keyParts) : keyParts[0];
        if (seenKeys.has(key)) return;
        seenKeys.add(key);
        result.keys.push(key);
        result.vals.push(keyVals.slice());
        result.leads?.push(keyParts[0]);
        return;
      }
      const seen = new Set<string>();
      for (const v of perField[i]) {
        const k = partKey(v);
        if (seen.has(k)) continue;
        seen.add(k);
        keyParts[i] = k;
        keyVals[i] = partValue(v);
        rec(i + 1);
      }
    };
    rec(0);
    return result;
  }

  /** Throws E11000 if adding `doc` (id `id`) would violate uniqueness. */
  checkUnique(ns: string, id: string, keys: IndexKeys | null): void {
    if (!this.unique || !keys) return;
    for (let i = 0; i < keys.keys.length; i++) {
      const p = this.map.get(keys.keys[i]);
      if (p === undefined) continue;
      if (typeof p === 'string' ? p !== id : [...p].some((x) => x !== id))
        throw this.dupError(ns, keys.vals[i]);
    }
  }

  dupError(ns: string, vals: unknown[]) {
    const keyValue: Doc = {};
    this.fields.forEach((f, i) => (keyValue[f] = vals[i] === undefined ? undefined : vals[i]));
    const shown = this.fields
      .map((f, i) => `${f}: ${vals[i] === undefined ? 'undefined' : formatValue(vals[i])}`)
      .join(', ');
    return err(
      11000,
      `E11000 duplicate key error collection: ${ns} index: ${this.name} dup key: { ${shown} }`,
      {
        keyPattern: this.spec.key,
        keyValue,
      },
    );
  }

  add(id: string, keys: IndexKeys | null): void {
    if (!keys) return;
    for (const k of keys.keys) addPosting(this.map, k, id);
    if (this.lead && keys.leads) for (const lk of keys.leads) addPosting(this.lead, lk, id);
  }

  /** Removes every entry of the document (all its keys are passed). */
  remove(id: string, keys: IndexKeys | null): void {
    if (!keys) return;
    for (const k of keys.keys) removePosting(this.map, k, id);
    if (this.lead && keys.leads) for (const lk of new Set(keys.leads)) removePosting(this.lead, lk, id);
  }

  /** Doc ids having `value` in the leading field (equality semantics). */
  lookup(value: unknown): Posting | undefined {
    const k = keyOf(value);
    return (this.lead ?? this.map).get(k);
  }

  /**
   * Doc ids whose key is exactly `values` (one value per indexed field, in the
   * index's field order): the same key string `keysOf` builds, so one Map lookup.
   */
  lookupFull(values: unknown[]): Posting | undefined {
    if (values.length === 1) return this.map.get(keyOf(values[0]));
    const parts = new Array<string>(values.length);
    for (let i = 0; i < values.length; i++) parts[i] = keyOf(values[i]);
    return this.map.get(joinKey(parts));
  }
}

/** Values of a path for `distinct` (arrays flattened, missing fields skipped). */
export function extractValues(doc: Doc, path: string): unknown[] {
  const out: unknown[] = [];
  extract(doc, path.split('.'), 0, out);
  return out.filter((v) => v !== MISSING && v !== EMPTY_ARRAY);
}

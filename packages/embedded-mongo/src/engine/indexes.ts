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
import { type Doc, formatValue, isPlainObject, keyOf } from './keys.ts';
import { err } from './errors.ts';
import { compileFilter } from './mingo.ts';
import { type Collation, collatedEqual, collatedKeyOf, resolveCollation } from './collation.ts';

/** Sentinel for "field absent", distinct from an explicit null (matters for sparse). */
const MISSING = Symbol('missing');
/** An empty array indexes as `undefined` in MongoDB (distinct from null). */
const EMPTY_ARRAY = Symbol('emptyArray');

/**
 * The ids under one index key, each once: one id as a string; several as an
 * array while they are only added to (a bulk load appends; an array costs a
 * third of a Set's memory), as a Set once one is removed (removal stays O(1)).
 */
export type Posting = string | string[] | Set<string>;

export function addPosting(map: Map<string, Posting>, key: string, id: string): void {
  const cur = map.get(key);
  if (cur === undefined) map.set(key, id);
  else if (typeof cur === 'string') {
    if (cur !== id) map.set(key, [cur, id]);
  } else if (Array.isArray(cur)) {
    // A document's keys are distinct and an id is added once per key; the check
    // only keeps a repeated add of the same document harmless.
    if (cur[cur.length - 1] !== id) cur.push(id);
  } else cur.add(id);
}

export function removePosting(map: Map<string, Posting>, key: string, id: string): void {
  const cur = map.get(key);
  if (cur === undefined) return;
  if (typeof cur === 'string') {
    if (cur === id) map.delete(key);
    return;
  }
  const set = Array.isArray(cur) ? new Set(cur) : cur;
  set.delete(id);
  if (set.size === 1) map.set(key, set.values().next().value as string);
  else if (set.size === 0) map.delete(key);
  else if (set !== cur) map.set(key, set);
}

export function postingIds(p: Posting | undefined): Iterable<string> {
  if (p === undefined) return [];
  return typeof p === 'string' ? [p] : p;
}

export function postingSize(p: Posting | undefined): number {
  if (p === undefined) return 0;
  if (typeof p === 'string') return 1;
  return Array.isArray(p) ? p.length : p.size;
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
    if (f === '$**' || f.endsWith('.$**'))
      throw err(67, `Wildcard indexes ('${f}') are not supported by the embedded server`);
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
 * A document's keys in one index, per stored prefix (see `Index.lengths`):
 * `keys[j]` are the distinct keys of its first `lengths[j]` fields; `vals[i]` are
 * the values behind the i-th full key (for dup-key messages), when the full key is
 * stored.
 */
export interface IndexKeys {
  keys: string[][];
  vals: unknown[][];
}

/** The one field with several values when every other has exactly one (-1 otherwise). */
function onlyMultiField(perField: unknown[][]): number {
  let m = -1;
  for (let i = 0; i < perField.length; i++) {
    if (perField[i].length === 1) continue;
    if (m >= 0 || perField[i].length === 0 || perField[i].length > 64) return -1;
    m = i;
  }
  return m;
}

/** Key of one field's value: missing is null ('z'), an empty array is `undefined` ('u'). */
const partKey = (v: unknown): string => (v === MISSING ? 'z' : v === EMPTY_ARRAY ? 'u' : keyOf(v));
/** `partKey` of an index with a collation: strings by their bucket (see collation.ts). */
const collatedPartKey = (v: unknown, c: Collation): string =>
  v === MISSING ? 'z' : v === EMPTY_ARRAY ? 'u' : collatedKeyOf(v, c);
const partValue = (v: unknown): unknown => (v === MISSING ? null : v === EMPTY_ARRAY ? undefined : v);

/**
 * The key of the first `n` parts of an entry: the part itself for one field, else
 * each part with its length in front, so no separator needs escaping (cheaper than
 * JSON, and key strings may hold any character).
 */
function joinKey(parts: string[], n = parts.length): string {
  if (n === 1) return parts[0];
  let s = '';
  for (let i = 0; i < n; i++) s += parts[i].length + ':' + parts[i];
  return s;
}

/**
 * One posting's documents in the order of a field (see `Collection.orderedView`): what
 * a B-tree index walk gives mongod, kept per posting instead of per key.
 */
export interface OrderedView {
  /** Document ids in sort order. */
  readonly ids: string[];
  /** Per position, its tie group: equal while the sort field's value is equal. */
  readonly group: Int32Array;
  /** Ascending views: where the Dates start (one block in BSON order) and their times; else null. */
  readonly dates: { from: number; times: Float64Array } | null;
}

/** Ordered views kept per index; past this many, they start over (one per lane and order). */
const MAX_VIEWS = 256;
/**
 * Postings above this size get no view: building one sorts the whole posting, and any
 * change to one of its documents drops it, so a province-wide list (every member) under
 * writes would pay a full sort where the plain path selects a page in one pass.
 */
export const MAX_VIEW_DOCS = 50_000;
/** See `Index.asked`. */
const ASKS_BEFORE_VIEW = 4;

export interface DupInfo {
  keyPattern: Doc;
  keyValue: Doc;
}

export class Index {
  readonly fields: string[];
  private readonly paths: string[][];
  private readonly partial?: { test(d: Doc): boolean };
  /**
   * Which key prefixes are kept, ascending: every index keeps its leading field (1);
   * a unique index and a single-field one keep the full key; a non-unique compound
   * index keeps its first two fields instead (when it has more than two). The full
   * key of a sort index such as `{ancestors, stage, nameSortKey}` is unique per
   * document and per ancestor, and served only exact lookups no query makes: it
   * held most of the server's index memory (measured: 224 of 384 MB at 50,000
   * members), so those lookups read the longest kept prefix and filter.
   */
  readonly lengths: number[];
  /** `maps[j]`: key of the first `lengths[j]` fields → doc id(s). */
  readonly maps: Map<string, Posting>[];
  private readonly full: boolean;
  /**
   * Per field: some document has had several values in it (an array), as mongod's
   * multikey flag; never cleared. While a field is not multikey, lists for different
   * values of it cannot name the same document.
   */
  readonly multikey: boolean[];
  /**
   * The index's collation: its map keys are then coarse buckets (a lookup gives a
   * superset, which the query filters exactly) and a unique key is confirmed by the
   * collator. Compared by identity (collationOf caches one per spec).
   */
  readonly collation: Collation | undefined;
  private readonly key: (v: unknown) => string;

  constructor(readonly spec: IndexSpec) {
    this.collation = spec.collation === undefined ? undefined : resolveCollation(spec.collation);
    const c = this.collation;
    this.key = c ? (v) => collatedPartKey(v, c) : partKey;
    this.fields = Object.keys(spec.key);
    this.paths = this.fields.map((f) => f.split('.'));
    if (spec.partialFilterExpression) this.partial = compileFilter(spec.partialFilterExpression);
    const n = this.fields.length;
    const lengths = new Set([1]);
    if (spec.unique || n === 1) lengths.add(n);
    else if (n > 2) lengths.add(2);
    this.lengths = [...lengths].sort((a, b) => a - b);
    this.maps = this.lengths.map(() => new Map());
    this.full = this.lengths[this.lengths.length - 1] === n;
    this.multikey = this.fields.map(() => false);
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
   * (sparse with all fields missing, or outside the partial filter). Duplicates
   * within one document collapse, so a document may repeat a value inside its own
   * array.
   */
  keysOf(doc: Doc): IndexKeys | null {
    if (this.partial && !this.partial.test(doc)) return null;
    const n = this.paths.length;
    // Fields past the longest kept prefix are not looked at (no cartesian product).
    const depth = this.lengths[this.lengths.length - 1];
    const perField = new Array<unknown[]>(depth);
    let single = true;
    let allMissing = true;
    for (let i = 0; i < n; i++) {
      const out: unknown[] = [];
      extract(doc, this.paths[i], 0, out);
      if (i < depth) perField[i] = out;
      if (out.length !== 1 && i < depth) single = false;
      if (out.length > 1) this.multikey[i] = true;
      if (allMissing) for (const v of out) if (v !== MISSING) allMissing = false;
    }
    if (this.spec.sparse && allMissing) return null;
    const levels = this.lengths.length;
    const multi = single ? -1 : onlyMultiField(perField);
    if (multi >= 0) return this.keysWithOneArray(perField, multi);
    if (single) {
      // The common case (no array in the indexed fields): one key per prefix.
      const parts = new Array<string>(depth);
      for (let i = 0; i < depth; i++) parts[i] = this.key(perField[i][0]);
      const keys = new Array<string[]>(levels);
      for (let j = 0; j < levels; j++) keys[j] = [joinKey(parts, this.lengths[j])];
      return { keys, vals: this.full ? [perField.map((vs) => partValue(vs[0]))] : [] };
    }
    const sets = this.lengths.map(() => new Set<string>());
    const vals: unknown[][] = [];
    const keyParts = new Array<string>(depth);
    const keyVals = new Array<unknown>(depth);
    const rec = (i: number) => {
      const level = this.lengths.indexOf(i);
      if (level >= 0) {
        const key = joinKey(keyParts, i);
        const set = sets[level];
        if (i === depth && set.has(key)) return;
        set.add(key);
        if (i === depth) {
          if (this.full) vals.push(keyVals.slice());
          return;
        }
      }
      const seen = new Set<string>();
      for (const v of perField[i]) {
        const k = this.key(v);
        if (seen.has(k)) continue;
        seen.add(k);
        keyParts[i] = k;
        keyVals[i] = partValue(v);
        rec(i + 1);
      }
    };
    rec(0);
    return { keys: sets.map((set) => [...set]), vals };
  }

  /**
   * `keysOf` when only field `m` has several values (a member's `ancestors`, say):
   * one key per distinct value of it, in order, without the general expansion.
   */
  private keysWithOneArray(perField: unknown[][], m: number): IndexKeys {
    const depth = perField.length;
    const parts = new Array<string>(depth);
    for (let i = 0; i < depth; i++) if (i !== m) parts[i] = this.key(perField[i][0]);
    const distinct: unknown[] = [];
    const distinctKeys: string[] = [];
    for (const v of perField[m]) {
      const k = this.key(v);
      if (!distinctKeys.includes(k)) {
        distinctKeys.push(k);
        distinct.push(v);
      }
    }
    const keys = this.lengths.map((n) => {
      if (n <= m) return [joinKey(parts, n)];
      return distinctKeys.map((k) => {
        parts[m] = k;
        return joinKey(parts, n);
      });
    });
    const vals = this.full
      ? distinct.map((v) => perField.map((vs, i) => partValue(i === m ? v : vs[0])))
      : [];
    return { keys, vals };
  }

  /**
   * Throws E11000 if adding `doc` (id `id`) would violate uniqueness. `docOf` gives
   * the stored documents: with a collation, a shared bucket is a duplicate only if
   * the collator holds the values equal.
   */
  checkUnique(ns: string, id: string, keys: IndexKeys | null, docOf?: (id: string) => Doc | undefined): void {
    if (!this.unique || !keys) return;
    const last = this.lengths.length - 1;
    const full = keys.keys[last];
    const map = this.maps[last];
    for (let i = 0; i < full.length; i++) {
      const p = map.get(full[i]);
      if (p === undefined) continue;
      for (const other of postingIds(p)) {
        if (other === id) continue;
        if (this.collation && docOf && !this.holds(docOf(other), keys.vals[i])) continue;
        throw this.dupError(ns, keys.vals[i]);
      }
    }
  }

  /** Whether a document has a full key the index's collation holds equal to `vals`. */
  holds(doc: Doc | null | undefined, vals: unknown[]): boolean {
    if (!doc) return false;
    const c = this.collation;
    const keys = this.keysOf(doc);
    if (!keys) return false;
    if (!c) return true;
    return keys.vals.some((v) => v.every((x, i) => collatedEqual(x, vals[i], c)));
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

  /**
   * Ordered views by posting (`<prefix length>:<key>`), then by field and direction.
   * A view is dropped whenever a document of its posting is added, removed or
   * replaced (`touch`), so it never shows a stale order or a stale version.
   */
  private readonly views = new Map<string, Map<string, OrderedView>>();
  private viewCount = 0;

  /**
   * How often each posting's view was asked for since the posting (or the index) last
   * changed. A view is built on the ASKS_BEFORE_VIEW-th ask: building sorts the whole
   * posting, which pays only when the same page is read again and again (a board), not
   * for a list read a few times between writes (measured: bench:db's page of a school,
   * read ~4 times per school, was 1.5× slower with a view built on the second ask).
   */
  private readonly asked = new Map<string, number>();

  /** The cached view, or the one `build` makes on the ASKS_BEFORE_VIEW-th ask (null: none yet). */
  orderedView(posting: string, order: string, build: () => OrderedView | null): OrderedView | null {
    let byOrder = this.views.get(posting);
    const hit = byOrder?.get(order);
    if (hit) return hit;
    const ask = posting + '|' + order;
    const asks = (this.asked.get(ask) ?? 0) + 1;
    if (asks < ASKS_BEFORE_VIEW) {
      if (this.asked.size >= MAX_VIEWS) this.asked.clear();
      this.asked.set(ask, asks);
      return null;
    }
    this.asked.delete(ask);
    const view = build();
    if (!view) return null;
    if (this.viewCount >= MAX_VIEWS) {
      this.views.clear();
      this.viewCount = 0;
      byOrder = undefined;
    }
    if (!byOrder) this.views.set(posting, (byOrder = new Map()));
    byOrder.set(order, view);
    this.viewCount++;
    return view;
  }

  /** The key of a posting: the first `values.length` fields (a kept prefix) are `values`. */
  postingKey(values: unknown[]): string {
    const parts = values.map((v) => this.key(v));
    return values.length + ':' + joinKey(parts);
  }

  /** A document of these postings changed: their ordered views are stale. */
  touch(keys: IndexKeys | null): void {
    if (!keys || (this.viewCount === 0 && this.asked.size === 0)) return;
    if (this.asked.size) this.asked.clear();
    for (let j = 0; j < this.maps.length; j++) {
      for (const k of keys.keys[j]) {
        const byOrder = this.views.get(this.lengths[j] + ':' + k);
        if (!byOrder) continue;
        this.viewCount -= byOrder.size;
        this.views.delete(this.lengths[j] + ':' + k);
      }
    }
  }

  add(id: string, keys: IndexKeys | null): void {
    if (!keys) return;
    this.touch(keys);
    for (let j = 0; j < this.maps.length; j++) for (const k of keys.keys[j]) addPosting(this.maps[j], k, id);
  }

  /** Removes every entry of the document (all its keys are passed). */
  remove(id: string, keys: IndexKeys | null): void {
    if (!keys) return;
    this.touch(keys);
    for (let j = 0; j < this.maps.length; j++)
      for (const k of keys.keys[j]) removePosting(this.maps[j], k, id);
  }

  /** Doc ids having `value` in the leading field (equality semantics). */
  lookup(value: unknown): Posting | undefined {
    return this.maps[0].get(this.key(value));
  }

  /** The longest kept prefix not longer than `n` fields. */
  prefixFor(n: number): number {
    let best = 1;
    for (const l of this.lengths) if (l <= n) best = l;
    return best;
  }

  /**
   * Doc ids whose first `values.length` fields are exactly `values` (in the index's
   * field order; that many must be a kept prefix, see `prefixFor`): one Map lookup.
   */
  lookupPrefix(values: unknown[]): Posting | undefined {
    const j = this.lengths.indexOf(values.length);
    if (j < 0) throw new Error(`index ${this.name} keeps no prefix of ${values.length} fields`);
    const parts = new Array<string>(values.length);
    for (let i = 0; i < values.length; i++) parts[i] = this.key(values[i]);
    return this.maps[j].get(joinKey(parts));
  }
}

/** Values of a path for `distinct` (arrays flattened, missing fields skipped). */
export function extractValues(doc: Doc, path: string): unknown[] {
  const out: unknown[] = [];
  extract(doc, path.split('.'), 0, out);
  return out.filter((v) => v !== MISSING && v !== EMPTY_ARRAY);
}

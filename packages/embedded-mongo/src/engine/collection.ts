/**
 * One collection: documents in insertion order (a Map keyed by the canonical
 * `_id` key, which doubles as the `_id_` index) plus secondary indexes.
 *
 * Stored documents are never mutated: updates build a new object and swap it in.
 * That lets cursors and background snapshots hold plain references safely.
 */
import type { Collation } from './collation.ts';
import { type Doc, isPlainObject, keyOf, sameDoc } from './keys.ts';
import { err } from './errors.ts';
import {
  Index,
  type IndexKeys,
  type IndexSpec,
  MAX_VIEW_DOCS,
  type Posting,
  indexOptionsEqual,
  postingIds,
  postingSize,
} from './indexes.ts';
import { compileFilter, sortDocs } from './mingo.ts';
import { buildOrderedView, countInRange, dateRangeOf, rangeIn } from './ordered.ts';
import { type ShapePlan, buildShapePlan, guaranteedBy, queryShape, withoutFields } from './planner.ts';

/** Above this many value combinations (`$in` × `$in`…), a compound index is looked up by its leading field. */
const MAX_KEY_COMBINATIONS = 1000;
/** Candidates from an index cover at least this share of the documents: scan instead. */
const SCAN_SHARE = 0.8;

/** Plan cache entries kept per collection (mongod bounds its cache too); beyond, it starts over. */
const MAX_CACHED_SHAPES = 500;

/** The secondary indexes, counting changes so cached plans know when they are stale. */
export class IndexMap extends Map<string, Index> {
  version = 0;
  set(name: string, ix: Index): this {
    this.version++;
    return super.set(name, ix);
  }
  delete(name: string): boolean {
    this.version++;
    return super.delete(name);
  }
  clear(): void {
    this.version++;
    super.clear();
  }
}

/** What the planner chose for the last query (explain reads it). */
export interface PlanChoice {
  /** The index read: an Index, '_id_' for the documents map itself, or null for a scan. */
  index: Index | '_id_' | null;
  /** The conditions still tested on each candidate (the filter less what the index guarantees). */
  residual: Doc;
  /** The shape's cache entry, null when the filter was not planned (empty, collation, `_id`). */
  shape: ShapePlan | null;
  /** Whether the shape's entry came from the plan cache. */
  cached: boolean;
  /** The index lookup read (when `index` is an Index): its postings and their keys. */
  lookup?: IndexLookup;
  /** A sort the index walk gave (`sortedMatch`): the field it orders by, and its direction. */
  walk?: { field: string; dir: 1 | -1; examined: number };
  /** The count was answered from the index's postings, no document read (`countIndexed`). */
  countScan?: boolean;
}

/** The postings a plan reads from its index, over its first `used` fields. */
export interface IndexLookup {
  ix: Index;
  used: number;
  postings: (Posting | undefined)[];
  /** Per posting, the values of its key (`Index.postingKey` names its ordered views). */
  tuples: unknown[][];
  disjoint: boolean;
}

export const ID_INDEX_SPEC: IndexSpec = { v: 2, key: { _id: 1 }, name: '_id_' };

/**
 * Equality constraints a filter imposes on top-level paths: `{f: v}`,
 * `{f: {$eq: v}}`, `{f: {$in: [...]}}`, also inside `$and`. Any one of them
 * gives a superset of the matches, which mingo then filters exactly.
 */
export function equalityConstraints(filter: Doc, out: Map<string, unknown[]>): void {
  for (const [k, v] of Object.entries(filter)) {
    if (k === '$and' && Array.isArray(v)) {
      for (const sub of v) if (isPlainObject(sub)) equalityConstraints(sub, out);
      continue;
    }
    if (k.startsWith('$') || out.has(k)) continue;
    const usable = (x: unknown) =>
      !(x instanceof RegExp) && !Array.isArray(x) && !(x && (x as Doc)._bsontype === 'BSONRegExp');
    if (isPlainObject(v)) {
      const ks = Object.keys(v);
      if (ks.length > 0 && ks[0].startsWith('$')) {
        if ('$eq' in v && usable(v.$eq)) out.set(k, [v.$eq]);
        else if (Array.isArray(v.$in) && v.$in.every(usable)) out.set(k, v.$in as unknown[]);
        continue;
      }
    }
    if (usable(v)) out.set(k, [v]);
  }
}

/** Whether a value is or holds a string (compared by a collation, so not by binary keys). */
function hasString(v: unknown): boolean {
  if (typeof v === 'string') return true;
  if (Array.isArray(v)) return v.some(hasString);
  return isPlainObject(v) && Object.values(v).some(hasString);
}

/** The constrained fields whose values hold a string. */
const stringFields = (eq: Map<string, unknown[]>): Set<string> =>
  new Set([...eq].filter(([, vs]) => vs.some(hasString)).map(([f]) => f));

/** The filter's top-level conditions, those inside `$and` included. */
function conditions(filter: Doc, out: [string, unknown][] = []): [string, unknown][] {
  for (const [k, v] of Object.entries(filter)) {
    if (k === '$and' && Array.isArray(v)) {
      for (const sub of v) if (isPlainObject(sub)) conditions(sub, out);
    } else out.push([k, v]);
  }
  return out;
}

/**
 * Whether every document the filter matches is in a partial index: each condition of the
 * index's `partialFilterExpression` appears, as written, among the filter's (mongod also
 * uses a partial index only when the query implies its filter; this is the plain case:
 * `{ chain: c, seq: { $exists: true } }` and the audit log's `{ seq: { $exists: true } }`).
 */
function impliesPartial(filter: Doc, partial: Doc): boolean {
  const have = conditions(filter);
  return conditions(partial).every(([k, v]) => have.some(([hk, hv]) => hk === k && sameDoc(hv, v)));
}

/** Whether a document's entries in one index are the same before and after a change. */
function sameKeys(a: IndexKeys | null, b: IndexKeys | null): boolean {
  if (a === null || b === null) return a === b;
  for (let j = 0; j < a.keys.length; j++) {
    const x = a.keys[j];
    const y = b.keys[j];
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  }
  return true;
}

/** The read side the command handlers use, on a committed collection or a transaction's view of one. */
export interface CollectionView {
  readonly db: string;
  readonly name: string;
  readonly ns: string;
  readonly options: Doc;
  readonly indexes: Map<string, Index>;
  indexSpecs(): IndexSpec[];
  /** `variables`: a command's `let`, for `$$name` in `$expr`. */
  match(filter: Doc, collation?: Collation, limit?: number, variables?: Doc): Doc[];
  /** Every document, in storage order. */
  all(): Iterable<Doc>;
  readonly size: number;
  /** A sorted page from an index walk, or null (then match and sort): see `Collection.sortedMatch`. */
  sortedMatch?(filter: Doc, sort: Doc, collation: Collation | undefined, first: number, variables?: Doc): Doc[] | null;
  /** A count from the index alone, or null (then match and count): see `Collection.countIndexed`. */
  countIndexed?(filter: Doc, collation: Collation | undefined): number | null;
}

export class Collection implements CollectionView {
  readonly docs = new Map<string, Doc>();
  /** Secondary indexes by name (the `_id_` index is `docs` itself). */
  readonly indexes = new IndexMap();
  /** Plans by query shape, valid while `indexes.version` is `plansVersion`. */
  private readonly plans = new Map<string, ShapePlan>();
  private plansVersion = 0;

  constructor(
    /** Changed only by `Store.rename` (renameCollection moves the collection, documents and indexes). */
    public db: string,
    public name: string,
    readonly options: Doc = {},
  ) {
    // A default collation is the `_id` index's too: `_id`s it holds equal are duplicates.
    if (options.collation)
      this.idIndex = new Index({ ...ID_INDEX_SPEC, unique: true, collation: options.collation });
  }

  /** The `_id` index's keys under the collection's collation (plain collections: `docs` alone). */
  private readonly idIndex: Index | undefined;

  get ns(): string {
    return `${this.db}.${this.name}`;
  }

  /** Every document, in storage order (CollectionView, as a transaction's view also offers it). */
  all(): Iterable<Doc> {
    return this.docs.values();
  }

  get size(): number {
    return this.docs.size;
  }

  indexSpecs(): IndexSpec[] {
    const id = this.idIndex ? { ...ID_INDEX_SPEC, collation: this.options.collation as Doc } : ID_INDEX_SPEC;
    return [id, ...[...this.indexes.values()].map((i) => i.spec)];
  }

  /** A stored document by `_id` key (collated unique checks confirm against it). */
  private readonly docOf = (id: string): Doc | undefined => this.docs.get(id);

  private idDupError(doc: Doc) {
    const idx = new Index(ID_INDEX_SPEC);
    return idx.dupError(this.ns, [doc._id]);
  }

  /** Inserts a private, already-validated document with an `_id`. */
  insert(doc: Doc): void {
    const id = keyOf(doc._id);
    if (this.docs.has(id)) throw this.idDupError(doc);
    const keyed: [Index, IndexKeys | null][] = [];
    if (this.idIndex) {
      const keys = this.idIndex.keysOf(doc);
      this.idIndex.checkUnique(this.ns, id, keys, this.docOf);
      keyed.push([this.idIndex, keys]);
    }
    for (const ix of this.indexes.values()) {
      const keys = ix.keysOf(doc);
      ix.checkUnique(this.ns, id, keys, this.docOf);
      keyed.push([ix, keys]);
    }
    for (const [ix, keys] of keyed) ix.add(id, keys);
    this.docs.set(id, doc);
  }

  /** Swaps in a new version of a document (same `_id`), keeping indexes consistent. */
  replace(oldDoc: Doc, newDoc: Doc): void {
    const id = keyOf(oldDoc._id);
    const changes: [Index, IndexKeys | null, IndexKeys | null][] = [];
    for (const ix of this.indexes.values()) {
      const newKeys = ix.keysOf(newDoc);
      const oldKeys = ix.keysOf(oldDoc);
      // Most updates leave indexed fields alone: nothing to check or move (removing and
      // re-adding an id in a large posting set is what made such updates slow). Its
      // postings' ordered views may still order by a changed field: dropped.
      if (sameKeys(oldKeys, newKeys)) {
        ix.touch(oldKeys);
        continue;
      }
      ix.checkUnique(this.ns, id, newKeys, this.docOf);
      changes.push([ix, oldKeys, newKeys]);
    }
    for (const [ix, oldKeys, newKeys] of changes) {
      ix.remove(id, oldKeys);
      ix.add(id, newKeys);
    }
    this.docs.set(id, newDoc);
  }

  remove(doc: Doc): void {
    const id = keyOf(doc._id);
    for (const ix of this.indexes.values()) ix.remove(id, ix.keysOf(doc));
    this.idIndex?.remove(id, this.idIndex.keysOf(doc));
    this.docs.delete(id);
  }

  /** The planner's last choice (explain). One object per planned query. */
  lastPlan: PlanChoice = { index: null, residual: {}, shape: null, cached: false };

  /** Forgets cached plans (collMod of an index, rename: mongod clears its plan cache too). */
  invalidatePlans(): void {
    this.plans.clear();
  }

  private shapePlan(filter: Doc, eq: Map<string, unknown[]>): { plan: ShapePlan; cached: boolean } {
    if (this.plansVersion !== this.indexes.version) {
      this.plans.clear();
      this.plansVersion = this.indexes.version;
    }
    const shape = queryShape(filter);
    const hit = this.plans.get(shape);
    if (hit) return { plan: hit, cached: true };
    const plan = buildShapePlan(shape, filter, eq, this.indexes.values());
    if (this.plans.size >= MAX_CACHED_SHAPES) this.plans.clear();
    this.plans.set(shape, plan);
    return { plan, cached: false };
  }

  /** Documents that may match `filter` (every one is tested against the whole filter). */
  candidates(filter: Doc, collation?: Collation): Iterable<Doc> {
    return this.plan(filter, collation).docs;
  }

  /**
   * The documents that may match `filter` and the part of it they must still be
   * tested against. The index is chosen by selectivity: each usable index's exact
   * key count for the query's values (its posting sizes, one Map lookup per key),
   * over the longest kept prefix of a compound index the filter fixes; the smallest
   * wins. Equality conditions the chosen lookup guarantees are dropped from the
   * test, and so is an equality every document satisfies (its key lists the whole
   * collection: a province user's `ancestors: <province>` in a one-province
   * database). Which indexes a shape may use is cached per query shape.
   */
  plan(filter: Doc, collation?: Collation, orderField?: string): { docs: Iterable<Doc>; residual: Doc } {
    const choice: PlanChoice = { index: null, residual: filter, shape: null, cached: false };
    this.lastPlan = choice;
    if (!isPlainObject(filter) || Object.keys(filter).length === 0)
      return { docs: this.docs.values(), residual: filter };
    const eq = new Map<string, unknown[]>();
    equalityConstraints(filter, eq);
    if (eq.size === 0) return { docs: this.docs.values(), residual: filter };
    // A string predicate is answered only by an index of the query's collation, as
    // mongod plans it (binary keys would miss collation-equal strings; an index's
    // bucket keys hold a superset, filtered exactly). Plain queries on plain
    // indexes pay one identity comparison per index, nothing else.
    let strings: Set<string> | undefined;
    const ids = eq.get('_id');
    if (ids && !(collation && (strings ??= stringFields(eq)).has('_id'))) {
      choice.index = '_id_';
      const out: Doc[] = [];
      const seen = new Set<string>();
      for (const v of ids) {
        const k = keyOf(v);
        const d = this.docs.get(k);
        if (d && !seen.has(k)) {
          seen.add(k);
          out.push(d);
        }
      }
      return { docs: out, residual: filter };
    }
    const { plan: shape, cached } = this.shapePlan(filter, eq);
    choice.shape = shape;
    choice.cached = cached;
    // Per index: the longest kept key prefix whose fields the filter all fixes → exact
    // keys (one Map lookup per combination of values); else the leading field's lists.
    let best: (IndexLookup & { size: number }) | undefined;
    // Of two lookups naming as many documents, the one whose index orders them by
    // `orderField` next wins: a sort's field (mongod ranks a plan without a blocking
    // sort higher) or a range's (its bounds are then a part of the index).
    const orders = (l: { ix: Index; used: number }) =>
      orderField !== undefined && l.ix.fields[l.used] === orderField;
    for (const { ix, fixed } of shape.options) {
      if (ix.collation !== collation && ix.fields.some((f) => (strings ??= stringFields(eq)).has(f)))
        continue;
      if (ix.spec.partialFilterExpression && !impliesPartial(filter, ix.spec.partialFilterExpression))
        continue;
      const lists: unknown[][] = [];
      for (let i = 0; i < fixed; i++) lists.push(eq.get(ix.fields[i])!);
      if (!ix.complete && lists.some((vs) => vs.some((v) => v === null || v === undefined))) continue;
      const first = lists[0];
      const postings: (Posting | undefined)[] = [];
      const tuples: unknown[][] = [];
      const prefix = ix.prefixFor(lists.length);
      let prefixCombos = 1;
      for (let i = 0; i < prefix; i++) prefixCombos *= lists[i].length;
      const byPrefix = prefix > 1 && prefixCombos <= MAX_KEY_COMBINATIONS;
      if (byPrefix) {
        const tuple = new Array<unknown>(prefix);
        const walk = (i: number): void => {
          if (i === prefix) {
            postings.push(ix.lookupPrefix(tuple));
            tuples.push(tuple.slice());
            return;
          }
          for (const v of lists[i]) {
            tuple[i] = v;
            walk(i + 1);
          }
        };
        walk(0);
      } else {
        for (const v of first) {
          postings.push(ix.lookup(v));
          tuples.push([v]);
        }
      }
      let size = 0;
      for (const p of postings) size += postingSize(p);
      // Lists for different values of fields no document has several values in cannot
      // share a document: no need to deduplicate (the board's ten stages of a province).
      const used = byPrefix ? prefix : 1;
      let disjoint = new Set(postings).size === postings.length;
      for (let i = 0; i < used && disjoint; i++) if (lists[i].length > 1 && ix.multikey[i]) disjoint = false;
      const option = { ix, postings, size, disjoint, used, tuples };
      if (!best || size < best.size || (size === best.size && orders(option) && !orders(best))) best = option;
      if (size === 0 && orderField === undefined) break;
    }
    const drop: string[] = [];
    // A list naming most of the collection (a province's every member) is read
    // faster by scanning than by looking each id up.
    // Not when the index gives the order asked for: a walk stops early, a scan cannot.
    const useIndex = !!best && (best.size < SCAN_SHARE * this.docs.size || orders(best));
    if (useIndex && !best!.ix.spec.collation) {
      for (let i = 0; i < best!.used; i++) {
        const f = best!.ix.fields[i];
        if (guaranteedBy(filter, f, eq.get(f))) drop.push(f);
      }
    }
    // An equality every document satisfies tests nothing: its key lists them all.
    for (const f of shape.exact) {
      if (drop.includes(f)) continue;
      const vs = eq.get(f);
      if (!vs || vs.length !== 1 || !guaranteedBy(filter, f, vs)) continue;
      for (const { ix } of shape.options) {
        if (ix.fields[0] !== f || ix.spec.collation) continue;
        if (postingSize(ix.lookup(vs[0])) === this.docs.size) drop.push(f);
        break;
      }
    }
    const residual = withoutFields(filter, drop);
    choice.residual = residual;
    if (!useIndex) return { docs: this.docs.values(), residual };
    choice.index = best!.ix;
    const { ix, used, postings, disjoint, tuples } = best!;
    choice.lookup = { ix, used, postings, disjoint, tuples };
    return { docs: this.docsOf(postings, disjoint), residual };
  }

  /**
   * The documents of some posting lists, lazily (a `find` with a limit stops early
   * instead of materializing a province's 50,000), and deduplicated only when there
   * is more than one list and they may share documents: one list never names a
   * document twice.
   */
  private *docsOf(postings: (Posting | undefined)[], disjoint: boolean): Generator<Doc> {
    const docs = this.docs;
    if (postings.length === 1 || disjoint) {
      for (const p of postings) {
        for (const id of postingIds(p)) {
          const d = docs.get(id);
          if (d) yield d;
        }
      }
      return;
    }
    const seen = new Set<string>();
    for (const p of postings) {
      for (const id of postingIds(p)) {
        if (seen.has(id)) continue;
        seen.add(id);
        const d = docs.get(id);
        if (d) yield d;
      }
    }
  }

  /** Matching stored documents (references: never hand them out without cloning). */
  match(filter: Doc, collation?: Collation, limit = Infinity, variables?: Doc): Doc[] {
    // Only the residual is compiled: the conditions the plan dropped are plain equalities
    // on strings, booleans, ObjectIds and Dates, which cannot be invalid.
    const { docs, residual } = this.plan(filter, collation);
    const q = compileFilter(residual, collation, variables);
    const out: Doc[] = [];
    if (limit <= 0) return out;
    for (const d of docs) {
      if (q.test(d)) {
        out.push(d);
        if (out.length >= limit) break;
      }
    }
    return out;
  }

  /**
   * The first `first` documents matching `filter` in `sort` order, read by walking the
   * chosen index's posting in the order of its next field, or null when no index gives
   * that order: the equality prefix must name one posting, the sort's first field must
   * be the index's next field, and no collation may apply (a binary order is not a
   * collated one). The walk stops after the `first`-th match's tie group on that field;
   * the later sort keys (`_id` as a tie-breaker) then order only what was read.
   */
  sortedMatch(filter: Doc, sort: Doc, collation: Collation | undefined, first: number, variables?: Doc): Doc[] | null {
    if (collation || !isPlainObject(filter) || !(first > 0 && Number.isFinite(first))) return null;
    const fields = Object.keys(sort);
    const field = fields[0];
    if (field === undefined || field[0] === '$') return null;
    // Anything sortDocs would refuse or treat specially stays on its path.
    for (const f of fields) if (typeof sort[f] !== 'number' || (sort[f] !== 1 && sort[f] !== -1)) return null;
    const dir = sort[field] as 1 | -1;
    const { residual } = this.plan(filter, undefined, field);
    const choice = this.lastPlan;
    const view = this.viewOf(choice.lookup, field, dir);
    if (!view) return null;
    const walk = (choice.walk = { field, dir, examined: 0 });
    const q = compileFilter(residual, undefined, variables);
    const out: Doc[] = [];
    let last = -1;
    // A Date range on the field bounds the walk, as index bounds bound mongod's scan
    // (the records with no date, first in the order, are not read one by one).
    let [start, end] = [0, view.ids.length];
    const range = view.dates && dateRangeOf(residual[field]);
    if (range && view.dates) [start, end] = rangeIn(view.dates.times, range).map((i) => i + view.dates!.from);
    for (let i = start; i < end; i++) {
      if (out.length >= first && view.group[i] !== last) break;
      walk.examined++;
      const d = this.docs.get(view.ids[i]);
      if (!d || !q.test(d)) continue;
      out.push(d);
      last = view.group[i];
    }
    return fields.length > 1 ? sortDocs(out, sort, undefined, first) : out.slice(0, first);
  }

  /** The ordered view of a one-posting lookup by the index's next field, if it is `field`. */
  private viewOf(lookup: IndexLookup | undefined, field: string, dir: 1 | -1) {
    if (!lookup || lookup.postings.length !== 1 || lookup.ix.collation) return null;
    const { ix, used } = lookup;
    if (ix.fields[used] !== field) return null;
    const posting = lookup.postings[0];
    if (postingSize(posting) > MAX_VIEW_DOCS) return null;
    return ix.orderedView(ix.postingKey(lookup.tuples[0]), `${dir}`, () =>
      buildOrderedView(this.docs, posting, field, dir),
    );
  }

  /**
   * How many documents match `filter`, from the index alone (mongod's COUNT_SCAN), or
   * null: when the lookup guarantees every condition, the count is its postings' sizes;
   * when one condition is left and it is a Date range on the index's next field, two
   * binary searches in that posting's ascending view.
   */
  countIndexed(filter: Doc, collation: Collation | undefined): number | null {
    if (!isPlainObject(filter)) return null;
    const fields = Object.keys(filter);
    if (fields.length === 0) return this.docs.size;
    // A Date range's field: an index ordered by it next can count it.
    const ranged = collation ? undefined : fields.find((f) => dateRangeOf(filter[f]) !== null);
    const { residual } = this.plan(filter, collation, ranged);
    const choice = this.lastPlan;
    const rest = Object.keys(residual);
    if (rest.length === 0) {
      // A scan with nothing left to test: every document matches.
      if (choice.index === null) return this.docs.size;
      if (!choice.lookup) return null;
      const { postings, disjoint } = choice.lookup;
      choice.countScan = true;
      if (postings.length === 1 || disjoint) {
        let n = 0;
        for (const p of postings) n += postingSize(p);
        return n;
      }
      const seen = new Set<string>();
      for (const p of postings) for (const id of postingIds(p)) seen.add(id);
      return seen.size;
    }
    if (rest.length !== 1 || collation) return null;
    const range = dateRangeOf(residual[rest[0]]);
    if (!range || choice.lookup?.ix.fields[choice.lookup.used] !== rest[0]) return null;
    const dates = this.viewOf(choice.lookup, rest[0], 1)?.dates;
    if (!dates) return null;
    choice.countScan = true;
    return countInRange(dates.times, range);
  }

  /**
   * Adds an index. Returns false if an identical index exists. Builds on a side
   * structure first so a duplicate in existing data leaves no index behind.
   */
  createIndex(spec: IndexSpec): boolean {
    const keyStr = JSON.stringify(spec.key);
    for (const existing of this.indexSpecs()) {
      const sameKey = JSON.stringify(existing.key) === keyStr;
      if (existing.name === spec.name) {
        if (sameKey && indexOptionsEqual(existing, spec)) return false;
        if (!sameKey)
          throw err(
            86,
            `An existing index has the same name as the requested index. When index names are not specified, they are auto generated and can cause conflicts. Please refer to our documentation. Requested index: ${JSON.stringify(spec)}, existing index: ${JSON.stringify(existing)}`,
          );
        throw err(
          85,
          `An equivalent index already exists with the same name but different options. Requested index: ${JSON.stringify(spec)}, existing index: ${JSON.stringify(existing)}`,
        );
      }
      if (
        sameKey &&
        JSON.stringify(existing.partialFilterExpression ?? null) ===
          JSON.stringify(spec.partialFilterExpression ?? null) &&
        JSON.stringify(existing.collation ?? null) === JSON.stringify(spec.collation ?? null)
      ) {
        if (existing.name === '_id_' && !spec.unique) return false;
        throw err(85, `Index already exists with a different name: ${existing.name}`);
      }
    }
    const ix = new Index(spec);
    for (const [id, doc] of this.docs) {
      const keys = ix.keysOf(doc);
      ix.checkUnique(this.ns, id, keys, this.docOf);
      ix.add(id, keys);
    }
    this.indexes.set(spec.name, ix);
    return true;
  }
}

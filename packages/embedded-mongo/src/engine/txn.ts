/**
 * Multi-document transactions: snapshot reads, private writes, write conflicts.
 *
 * A transaction never touches the committed state until it commits:
 *
 * - **Writes** go to the transaction's own overlay (`writes`: per namespace, `_id`
 *   key → new version, or null for a deletion). The first write of a document
 *   takes its **lock** (one table for the whole store); a second transaction that
 *   writes the same document gets 112 WriteConflict, as on mongod, and is aborted.
 * - **Snapshot**: the transaction sees the committed state as it was when it began.
 *   Rather than copying anything at the start, every committed change made while
 *   transactions are open first hands the version it replaces to each of them
 *   (`before`: key → that version, or null where there was none). A transaction
 *   reads a document from its overlay, else from `before`, else the committed
 *   state, which nobody has changed since it began. A document in `before` changed
 *   after the snapshot, so writing it is a write conflict too (first committer wins).
 * - **Non-transactional writes** to a document a transaction holds wait until that
 *   transaction ends (mongod blocks them the same way), then run again from scratch:
 *   `LockedByTransaction` unwinds the command, the store undoes what it had applied.
 * - **Commit** applies the overlay to the store in one synchronous step and is
 *   journaled as one group (journal.ts), so after a crash it is all there or absent.
 *   A unique key that a concurrent non-transactional write took meanwhile makes the
 *   commit a write conflict (undone, TransientTransactionError: the driver retries).
 *
 * Cost when no transaction is open: one size check per committed write.
 */
import type { Collation } from './collation.ts';
import { type Doc, keyOf } from './keys.ts';
import { Collection, type CollectionView, ID_INDEX_SPEC, equalityConstraints } from './collection.ts';
import { MongoError, err } from './errors.ts';
import { Index, type IndexSpec, type Posting, addPosting, postingIds, removePosting } from './indexes.ts';
import { compileFilter } from './mingo.ts';

/** 112 WriteConflict, with the label that makes drivers retry the whole transaction. */
export class WriteConflict extends MongoError {
  constructor(message = 'Caused by :: Write conflict during plan execution and yielding is disabled.') {
    super(112, `WriteConflict error: this operation conflicted with another operation. ${message}`, {
      errorLabels: ['TransientTransactionError'],
    });
  }
}

/** A non-transactional write reached a document `txn` has written: wait for it to end, then retry. */
export class LockedByTransaction extends Error {
  constructor(readonly txn: Transaction) {
    super('document locked by a transaction');
  }
}

/** Errors that must leave a command whole, never become one statement's writeError. */
export const isUnwinding = (e: unknown): boolean =>
  e instanceof WriteConflict || e instanceof LockedByTransaction;

export type TxnState = 'active' | 'committed' | 'aborted';

/** One namespace's writes inside a transaction. */
export interface NsWrites {
  db: string;
  name: string;
  /** Options of a collection the transaction creates (it does not exist outside yet). */
  created: Doc | null;
  /**
   * For a collection the transaction creates: an empty collection of its own that
   * holds the indexes created in the transaction (their definitions and checks).
   */
  scratch: Collection | null;
  /** `_id` key → the transaction's version (null: deleted), in first-write order. */
  docs: Map<string, Doc | null>;
  /** Unique index name → full key → ids of overlay documents holding it. */
  unique: Map<string, Map<string, Posting>>;
}

export class Transaction {
  state: TxnState = 'active';
  /** Why an aborted transaction ended (the NoSuchTransaction message differs). */
  abortReason: 'error' | 'conflict' | 'expired' | 'aborted' | 'ddl' | 'session' | null = null;
  readonly startedAt = Date.now();
  /** Namespace → `_id` key → the version this transaction's snapshot holds (null: none). */
  readonly before = new Map<string, Map<string, Doc | null>>();
  readonly writes = new Map<string, NsWrites>();
  /** Namespaces read or written: a DDL command on one of them aborts the transaction. */
  readonly touched = new Set<string>();
  /** Lock-table keys this transaction holds. */
  readonly locked: string[] = [];
  /** Whether a statement has run (readConcern is accepted on the first only). */
  started = false;
  private settle!: () => void;
  /** Resolves when the transaction commits or aborts (what blocked writers wait for). */
  readonly done = new Promise<void>((resolve) => (this.settle = resolve));

  constructor(
    readonly id: number,
    readonly sessionKey: string,
    readonly txnNumber: number,
  ) {}

  /** Number of documents written (for the lifetime log and tests). */
  get writeCount(): number {
    let n = 0;
    for (const w of this.writes.values()) n += w.docs.size;
    return n;
  }

  /** Marks the transaction finished; the registry releases its locks. */
  finish(state: 'committed' | 'aborted'): void {
    if (this.state !== 'active') return;
    this.state = state;
    this.settle();
  }
}

/** Open transactions and the document locks they hold, for the whole store. */
export class TxnRegistry {
  readonly active = new Set<Transaction>();
  /** `ns \0 key` → the transaction that wrote it. */
  readonly locks = new Map<string, Transaction>();
  private nextId = 1;

  begin(sessionKey: string, txnNumber: number): Transaction {
    const t = new Transaction(this.nextId++, sessionKey, txnNumber);
    this.active.add(t);
    return t;
  }

  /** Ends a transaction: releases its locks and wakes the writers waiting on it. */
  end(t: Transaction, state: 'committed' | 'aborted', reason: Transaction['abortReason'] = null): void {
    if (t.state !== 'active') return;
    this.active.delete(t);
    for (const k of t.locked) if (this.locks.get(k) === t) this.locks.delete(k);
    if (state === 'aborted') t.abortReason = reason;
    t.finish(state);
  }

  /**
   * DDL on a namespace: the open transactions that used it cannot go on (mongod makes
   * them conflict). `except`: the transaction whose commit creates the namespace.
   */
  abortTouching(ns: string, isPrefix = false, except: Transaction | null = null): void {
    for (const t of [...this.active]) {
      if (t === except) continue;
      for (const n of t.touched) {
        if (n === ns || (isPrefix && n.startsWith(ns + '.'))) {
          this.end(t, 'aborted', 'ddl');
          break;
        }
      }
    }
  }
}

export const lockKey = (ns: string, key: string) => ns + '\0' + key;

/**
 * A collection as one transaction sees it: the committed documents nobody changed
 * since its snapshot, the versions its snapshot holds for those somebody did, and
 * its own writes, each document once.
 */
export class TxnCollection implements CollectionView {
  constructor(
    readonly db: string,
    readonly name: string,
    private readonly base: Collection | undefined,
    private readonly w: NsWrites | undefined,
    private readonly b: Map<string, Doc | null> | undefined,
  ) {}

  get ns(): string {
    return `${this.db}.${this.name}`;
  }
  get options(): Doc {
    return this.base?.options ?? this.w?.created ?? {};
  }
  get indexes(): Map<string, Index> {
    return (this.base ?? this.w?.scratch)?.indexes ?? new Map();
  }
  indexSpecs(): IndexSpec[] {
    return (this.base ?? this.w?.scratch)?.indexSpecs() ?? [ID_INDEX_SPEC];
  }

  private shadowed(key: string): boolean {
    return (this.w?.docs.has(key) ?? false) || (this.b?.has(key) ?? false);
  }

  /** The versions that are not the committed ones: the snapshot's, then the transaction's own. */
  private *others(): Generator<Doc> {
    if (this.b) for (const [k, d] of this.b) if (d && !this.w?.docs.has(k)) yield d;
    if (this.w) for (const d of this.w.docs.values()) if (d) yield d;
  }

  *all(): Generator<Doc> {
    if (this.base) for (const [k, d] of this.base.docs) if (!this.shadowed(k)) yield d;
    yield* this.others();
  }

  get size(): number {
    let n = 0;
    for (const _ of this.all()) n++;
    return n;
  }

  match(filter: Doc, collation?: Collation, limit = Infinity, variables?: Doc): Doc[] {
    const out: Doc[] = [];
    if (limit <= 0) return out;
    const q = compileFilter(filter, collation, variables);
    // By `_id` (an update or a delete of one record, the commonest statement in a
    // transaction): only those documents, whatever the transaction has written besides.
    const eq = new Map<string, unknown[]>();
    if (!collation) equalityConstraints(filter, eq);
    const ids = eq.get('_id');
    if (ids) {
      const seen = new Set<string>();
      for (const v of ids) {
        const key = keyOf(v);
        if (seen.has(key)) continue;
        seen.add(key);
        const d = this.visible(key);
        if (d && q.test(d)) {
          out.push(d);
          if (out.length >= limit) break;
        }
      }
      return out;
    }
    if (this.base) {
      // The committed indexes answer for committed documents; the others are tested one by one.
      for (const d of this.base.candidates(filter, collation)) {
        if (this.shadowed(keyOf(d._id)) || !q.test(d)) continue;
        out.push(d);
        if (out.length >= limit) return out;
      }
    }
    for (const d of this.others()) {
      if (!q.test(d)) continue;
      out.push(d);
      if (out.length >= limit) return out;
    }
    return out;
  }

  /** The version of a document this view shows (null: none). */
  private visible(key: string): Doc | null {
    if (this.w?.docs.has(key)) return this.w.docs.get(key)!;
    if (this.b?.has(key)) return this.b.get(key)!;
    return this.base?.docs.get(key) ?? null;
  }
}

/** The committed state a transaction reads and commits into (the Store's side of the seam). */
export interface CommittedState {
  get(db: string, name: string): Collection | undefined;
}

/**
 * A transaction's reads and writes, for the command handlers (see `StoreView` in
 * store.ts): reads through TxnCollection, writes into the overlay with the checks
 * mongod makes at write time (duplicate `_id` and unique keys as the transaction
 * sees them, write conflicts).
 */
export class TxnStore {
  /** Overlay documents are serialized for the journal at commit, not per statement. */
  readonly persistent = false;
  readonly txn: Transaction;

  constructor(
    private readonly committed: CommittedState,
    private readonly registry: TxnRegistry,
    txn: Transaction,
  ) {
    this.txn = txn;
  }

  /** What a cursor opened in this transaction remembers of it. */
  get cursorTxn(): { id: number; txnNumber: number } {
    return { id: this.txn.id, txnNumber: this.txn.txnNumber };
  }

  get(db: string, name: string): CollectionView | undefined {
    const ns = `${db}.${name}`;
    this.txn.touched.add(ns);
    const base = this.committed.get(db, name);
    const w = this.txn.writes.get(ns);
    const b = this.txn.before.get(ns);
    if (!w && (!b || b.size === 0)) return base;
    if (!base && !w?.created) return undefined;
    return new TxnCollection(db, name, base, w, b);
  }

  /** The collection, created (for this transaction only, until it commits) if it does not exist. */
  ensure(db: string, name: string): CollectionView {
    return this.get(db, name) ?? this.create(db, name, {});
  }

  create(db: string, name: string, options: Doc): CollectionView {
    const ns = `${db}.${name}`;
    this.txn.touched.add(ns);
    if (this.get(db, name)) throw err(48, `Collection ${ns} already exists.`);
    this.txn.writes.set(ns, {
      db,
      name,
      created: options,
      scratch: new Collection(db, name, options),
      docs: new Map(),
      unique: new Map(),
    });
    return this.get(db, name)!;
  }

  /**
   * createIndexes inside the transaction: only on a collection that exists for this
   * transaction alone (mongod 4.4+'s rule; on any other, 263 and the transaction ends).
   */
  createIndexes(db: string, name: string, specs: IndexSpec[]): Doc {
    const ns = `${db}.${name}`;
    if (this.committed.get(db, name))
      throw err(
        263,
        `Cannot create new indexes on existing collection ${ns} in a multi-document transaction.`,
      );
    const existed = !!this.get(db, name);
    if (!existed) this.create(db, name, {});
    const w = this.txn.writes.get(ns)!;
    const scratch = w.scratch!;
    const before = scratch.indexes.size + 1;
    for (const spec of specs) {
      if (!scratch.createIndex(spec)) continue;
      const ix = scratch.indexes.get(spec.name)!;
      if (!ix.unique) continue;
      // Documents the transaction inserted already must satisfy a new unique index.
      const map = new Map<string, Posting>();
      const last = ix.lengths.length - 1;
      for (const [key, doc] of w.docs) {
        if (!doc) continue;
        const keys = ix.keysOf(doc);
        keys?.keys[last].forEach((k, i) => {
          if (map.has(k)) {
            scratch.indexes.delete(spec.name);
            throw ix.dupError(ns, keys.vals[i]);
          }
          addPosting(map, k, key);
        });
      }
      w.unique.set(ix.name, map);
    }
    return {
      numIndexesBefore: before,
      numIndexesAfter: scratch.indexes.size + 1,
      createdCollectionAutomatically: !existed,
      ok: 1,
    };
  }

  private writesOf(c: CollectionView): NsWrites {
    let w = this.txn.writes.get(c.ns);
    if (!w) {
      w = { db: c.db, name: c.name, created: null, scratch: null, docs: new Map(), unique: new Map() };
      this.txn.writes.set(c.ns, w);
    }
    return w;
  }

  /** Where a collection's indexes are: the committed collection, or this transaction's own new one. */
  private indexHolder(c: CollectionView, w: NsWrites): Collection | undefined {
    return this.committed.get(c.db, c.name) ?? w.scratch ?? undefined;
  }

  /** The version of a document this transaction sees (null: none). */
  private visible(ns: string, base: Collection | undefined, key: string): Doc | null {
    const w = this.txn.writes.get(ns);
    if (w?.docs.has(key)) return w.docs.get(key)!;
    const b = this.txn.before.get(ns);
    if (b?.has(key)) return b.get(key)!;
    return base?.docs.get(key) ?? null;
  }

  /** Takes the document's lock, or throws a write conflict (another holder, or changed since the snapshot). */
  private claim(ns: string, key: string): void {
    const k = lockKey(ns, key);
    const owner = this.registry.locks.get(k);
    if (owner === this.txn) return;
    if (owner) throw new WriteConflict();
    if (this.txn.before.get(ns)?.has(key)) throw new WriteConflict();
    this.registry.locks.set(k, this.txn);
    this.txn.locked.push(k);
  }

  /**
   * Unique secondary keys of `doc` against what this transaction sees: its own
   * writes (kept per index), and committed documents it has not replaced. A
   * committed holder changed since the snapshot is a conflict rather than a
   * duplicate (which of the two it is depends on who commits first).
   */
  private checkUnique(c: CollectionView, w: NsWrites, key: string, doc: Doc): void {
    const base = this.indexHolder(c, w);
    if (!base) return;
    const b = this.txn.before.get(c.ns);
    for (const ix of base.indexes.values()) {
      if (!ix.unique) continue;
      const keys = ix.keysOf(doc);
      if (!keys) continue;
      const last = ix.lengths.length - 1;
      const own = w.unique.get(ix.name);
      // With a collation a shared key is a bucket: a duplicate only if the collator agrees.
      const same = (d: Doc | null | undefined, vals: unknown[]) => !ix.collation || ix.holds(d, vals);
      keys.keys[last].forEach((k, i) => {
        for (const id of postingIds(own?.get(k)))
          if (id !== key && same(w.docs.get(id), keys.vals[i])) throw ix.dupError(c.ns, keys.vals[i]);
        for (const id of postingIds(ix.maps[last].get(k))) {
          if (id === key || w.docs.has(id)) continue;
          if (!same(base.docs.get(id), keys.vals[i])) continue;
          if (b?.has(id)) throw new WriteConflict();
          throw ix.dupError(c.ns, keys.vals[i]);
        }
      });
    }
  }

  /** Moves the overlay's unique-key entries of document `key` from `oldDoc` to `newDoc`. */
  private reindex(c: CollectionView, w: NsWrites, key: string, oldDoc: Doc | null, newDoc: Doc | null): void {
    const base = this.indexHolder(c, w);
    if (!base) return;
    for (const ix of base.indexes.values()) {
      if (!ix.unique) continue;
      const last = ix.lengths.length - 1;
      let map = w.unique.get(ix.name);
      if (!map) w.unique.set(ix.name, (map = new Map()));
      if (oldDoc) for (const k of ix.keysOf(oldDoc)?.keys[last] ?? []) removePosting(map, k, key);
      if (newDoc) for (const k of ix.keysOf(newDoc)?.keys[last] ?? []) addPosting(map, k, key);
    }
  }

  insert(c: CollectionView, doc: Doc): void {
    const key = keyOf(doc._id);
    const base = this.committed.get(c.db, c.name);
    if (this.visible(c.ns, base, key)) throw idDup(c.ns, doc);
    this.claim(c.ns, key);
    const w = this.writesOf(c);
    this.checkUnique(c, w, key, doc);
    const prev = w.docs.get(key) ?? null;
    this.reindex(c, w, key, prev, doc);
    w.docs.set(key, doc);
  }

  replace(c: CollectionView, oldDoc: Doc, newDoc: Doc): void {
    const key = keyOf(oldDoc._id);
    this.claim(c.ns, key);
    const w = this.writesOf(c);
    this.checkUnique(c, w, key, newDoc);
    this.reindex(c, w, key, w.docs.get(key) ?? null, newDoc);
    w.docs.set(key, newDoc);
  }

  remove(c: CollectionView, doc: Doc): void {
    const key = keyOf(doc._id);
    this.claim(c.ns, key);
    const w = this.writesOf(c);
    this.reindex(c, w, key, w.docs.get(key) ?? null, null);
    w.docs.set(key, null);
  }
}

/** mongod's E11000 on `_id` (the collection's own message, through the same index code). */
const idDup = (ns: string, doc: Doc) => new Index(ID_INDEX_SPEC).dupError(ns, [doc._id]);

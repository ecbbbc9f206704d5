/**
 * All databases and collections, and the only code that changes them. Every
 * mutation also produces its journal record (when persistent) into `pending`;
 * `run` flushes those before acknowledging the command. Replay (`apply`) goes
 * through the same in-memory paths without producing records.
 */
import { BSON } from 'bson';
import { Collection, type CollectionView } from './collection.ts';
import { MAX_BSON_SIZE, copyDoc, deserialize, idFirst, serialize, sizeAfterCopy, toStored } from './clone.ts';
import { type Doc, keyOf } from './keys.ts';
import { MalformedBytes, decodeStored } from './decode.ts';
import { MalformedBsonError } from '../contract.ts';
import { MongoError, err } from './errors.ts';
import { type IndexSpec, validateIndexSpec } from './indexes.ts';
import { Op, type Rec, eachDocument, encode, recordHead, recordPrefix } from './journal.ts';
import { LockedByTransaction, type Transaction, TxnRegistry, WriteConflict, lockKey } from './txn.ts';

export function validateCollectionName(name: unknown): string {
  if (typeof name !== 'string' || name === '') throw err(73, `Invalid namespace specified '${String(name)}'`);
  if (name.includes('$') || name.includes('\0') || name.startsWith('.') || name.startsWith('system.'))
    throw err(73, `Invalid collection name: ${name}`);
  return name;
}

/**
 * Validates a document for insertion and returns its stored form (a private,
 * interned deep copy, `_id` first) and, when persisting, its BSON bytes.
 */
export function prepareDoc(
  raw: unknown,
  generateId: () => unknown,
  needBytes: boolean,
  rawBytes?: Uint8Array,
): { doc: Doc; bytes?: Uint8Array } {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw err(2, 'document to insert must be an object');
  let d = raw as Doc;
  for (const k of Object.keys(d)) {
    if (k.startsWith('$')) throw err(2, `Document can't have $ prefixed field names: ${k}`);
  }
  const id = d._id;
  if (Array.isArray(id)) throw err(2, `can't use an array for _id`);
  if (id instanceof RegExp || (id && (id as Doc)._bsontype === 'BSONRegExp'))
    throw err(2, `can't use a regex for _id`);
  if (id === undefined) d = { _id: generateId(), ...d };
  else if (needBytes && rawBytes) {
    // The wire bytes are the journal record (replay puts `_id` first), so the
    // document is not serialized again. (Copying the decoded document, 22 µs for
    // 3.5 KB, beats decoding the bytes again, 43 µs.)
    if (rawBytes.length > MAX_BSON_SIZE) throw tooLarge(rawBytes.length);
    return { doc: copyDoc(idFirst(d), true), bytes: rawBytes };
  } else d = idFirst(d);
  const bytes = needBytes ? serialize(d) : undefined;
  const doc = copyDoc(d, true);
  const size = bytes ? bytes.length : sizeAfterCopy(doc, MAX_BSON_SIZE);
  if (size > MAX_BSON_SIZE) throw tooLarge(size);
  return { doc, bytes };
}

const tooLarge = (size: number) =>
  err(10334, `object to insert too large. size in bytes: ${size}, max size: ${MAX_BSON_SIZE}`);

/**
 * Decodes bytes the wire handed over without validating them (see
 * `validatesRawDocuments` in ../contract.ts) through bson, for the documents the
 * fast decoder leaves to it: invalid bytes become a MalformedBsonError.
 */
function deserializeChecked(bytes: Uint8Array): Doc {
  try {
    return deserialize(bytes, { validation: { utf8: true } });
  } catch (e) {
    throw new MalformedBsonError((e as Error).message);
  }
}

/** A long insert hands its records to the journal in pieces of about this size (see Store.earlyWrite). */
const EARLY_WRITE_BYTES = 8 << 20;

/**
 * The documents of one `insert` that the wire left undecoded and unvalidated (see
 * RAW_DOCUMENTS and `validatesRawDocuments` in ../contract.ts). All of them are
 * decoded first, so malformed bytes reject the command before anything changes.
 * Their journal records are their wire bytes: each run of documents inserted one
 * after another, contiguous in the message, becomes one PUT_MANY record whose
 * body is a view of the message (no copy; replay puts `_id` first, as decoding
 * does here).
 */
export class RawInsertBatch {
  private readonly prefix: Buffer;
  /** Per document index: its decoded stored form (fast path only). */
  private readonly decoded: (Doc | undefined)[];
  /** The run of inserted documents not yet handed to the store: its bytes are [runStart, runEnd) of runBuf. */
  private runBuf: ArrayBufferLike | null = null;
  private runStart = 0;
  private runEnd = 0;
  private unwritten = 0;

  /**
   * Decodes every `undefined` element of `docs` from `raws`: into the fast path
   * when the decoder handles it and the document has an `_id`, else into `docs[i]`
   * (for the generic path). Throws MalformedBsonError on invalid bytes.
   */
  constructor(
    private readonly store: Store,
    db: string,
    coll: string,
    docs: unknown[],
    private readonly raws: Uint8Array[],
    /** Decode every document for the generic path (a transaction's inserts go to its overlay). */
    generic = false,
  ) {
    this.prefix = store.persistent ? recordPrefix(Op.PUT_MANY, db, coll) : Buffer.alloc(0);
    this.decoded = new Array<Doc | undefined>(docs.length);
    for (let i = 0; i < docs.length; i++) {
      if (docs[i] !== undefined) continue;
      let doc: Doc | null;
      try {
        doc = decodeStored(raws[i]);
      } catch (e) {
        if (e instanceof MalformedBytes) throw new MalformedBsonError(e.message);
        throw e;
      }
      if (doc && doc._id !== undefined && !generic) this.decoded[i] = doc;
      // No `_id` (one is generated) or a type left to bson: the generic path.
      else docs[i] = doc ?? deserializeChecked(raws[i]);
    }
  }

  /** Whether document `i` takes the fast path (`insert(i)`) rather than the generic one. */
  has(i: number): boolean {
    return this.decoded[i] !== undefined;
  }

  /** Inserts document `i` (see `has`) into `c`; throws on a rejected document (nothing changed). */
  insert(c: Collection, i: number): void {
    const doc = this.decoded[i]!;
    for (const k in doc) {
      if (k.startsWith('$')) throw err(2, `Document can't have $ prefixed field names: ${k}`);
    }
    if (Array.isArray(doc._id)) throw err(2, `can't use an array for _id`);
    const bytes = this.raws[i];
    if (bytes.length > MAX_BSON_SIZE) throw tooLarge(bytes.length);
    this.store.beforeChange(c, undefined, doc);
    c.insert(doc);
    if (!this.store.persistent) return;
    // A rejected document before this one, or documents not back to back in the message, end the run.
    if (bytes.buffer !== this.runBuf || bytes.byteOffset !== this.runEnd) {
      this.flush();
      this.runBuf = bytes.buffer;
      this.runStart = this.runEnd = bytes.byteOffset;
    }
    this.runEnd += bytes.length;
    this.unwritten += bytes.length;
    if (this.unwritten >= EARLY_WRITE_BYTES) {
      this.flush();
      this.store.writeEarly();
      this.unwritten = 0;
    }
  }

  /** Hands the records of the documents inserted so far to the store (call before any other record). */
  flush(): void {
    if (this.runBuf === null || this.runEnd === this.runStart) return;
    const body = Buffer.from(this.runBuf, this.runStart, this.runEnd - this.runStart);
    this.store.pending.push(recordHead(this.prefix, body), body);
    this.runStart = this.runEnd;
  }
}

/**
 * What the command handlers read and write through: the committed state (Store),
 * or one transaction's view of it (TxnStore in txn.ts). DDL commands, which do not
 * run inside transactions, use the Store itself.
 */
export interface StoreView {
  /** Whether writes need their BSON for the journal (a transaction's are serialized at commit). */
  readonly persistent: boolean;
  get(db: string, name: string): CollectionView | undefined;
  ensure(db: string, name: string): CollectionView;
  create(db: string, name: string, options?: Doc): CollectionView;
  insert(c: CollectionView, doc: Doc, bytes?: Uint8Array): void;
  replace(c: CollectionView, oldDoc: Doc, newDoc: Doc, bytes?: Uint8Array): void;
  remove(c: CollectionView, doc: Doc): void;
}

/** What to put back if the command (or commit) that made a change is undone. */
interface UndoEntry {
  c: Collection;
  key: string;
  /** The version before the change; undefined where there was none. */
  old: Doc | undefined;
  /** Transactions this change handed a snapshot version to (taken back on undo). */
  preimaged: Transaction[];
}

export class Store implements StoreView {
  readonly dbs = new Map<string, Map<string, Collection>>();
  /** Journal records produced by the command being run. */
  pending: Buffer[] = [];
  /** Open transactions and their document locks (txn.ts). */
  readonly txns = new TxnRegistry();
  /** The transaction whose commit is being applied: its own locks do not block it. */
  private committing: Transaction | null = null;
  /** Committed document changes so far (the engine moves the cluster time when a command made any). */
  changes = 0;
  /** Changes of the command being run, while it may still be undone (see `guard`). */
  private undo: UndoEntry[] | null = null;

  constructor(readonly persistent: boolean) {}

  /**
   * Every change to a committed document passes here first, while transactions are
   * open: a document a transaction has written blocks the change (LockedByTransaction:
   * the command is undone and waits), and each open transaction keeps the version
   * being replaced as part of its snapshot (txn.ts). One size check otherwise.
   */
  beforeChange(c: Collection, old: Doc | undefined, doc: Doc): void {
    this.changes++;
    const reg = this.txns;
    if (reg.active.size === 0) return;
    const key = keyOf((old ?? doc)._id);
    if (reg.locks.size) {
      const owner = reg.locks.get(lockKey(c.ns, key));
      if (owner && owner !== this.committing) throw new LockedByTransaction(owner);
    }
    const preimaged: Transaction[] = [];
    for (const t of reg.active) {
      if (t === this.committing) continue;
      let m = t.before.get(c.ns);
      if (!m) t.before.set(c.ns, (m = new Map()));
      if (!m.has(key)) {
        m.set(key, old ?? null);
        preimaged.push(t);
      }
    }
    this.undo?.push({ c, key, old, preimaged });
  }

  /**
   * Runs `apply` so that it can be undone: used for a write command while some
   * transaction holds locks (it may hit one halfway) and for a commit. On a throw,
   * every change it made is put back, its journal records dropped, and the error
   * rethrown.
   */
  guard<T>(apply: () => T): T {
    const outer = this.undo;
    this.undo = [];
    try {
      return apply();
    } catch (e) {
      this.rollback(this.undo);
      throw e;
    } finally {
      this.undo = outer;
    }
  }

  private rollback(entries: UndoEntry[]): void {
    for (let i = entries.length - 1; i >= 0; i--) {
      const { c, key, old, preimaged } = entries[i];
      const cur = c.docs.get(key);
      // A change that threw before happening leaves `cur === old`: nothing to put back.
      if (old === undefined) {
        if (cur) c.remove(cur);
      } else if (!cur) c.insert(old);
      else if (cur !== old) c.replace(cur, old);
      for (const t of preimaged) t.before.get(c.ns)?.delete(key);
    }
    this.pending = [];
  }

  /**
   * Applies a transaction's writes to the committed state, all in this one
   * synchronous step (nothing else runs in between). A unique key that a
   * non-transactional write took since the transaction checked it undoes the whole
   * commit as a write conflict (drivers retry the transaction, which then sees the
   * duplicate). The journal records are in `pending`, to be written as one group.
   */
  commit(t: Transaction): void {
    this.committing = t;
    try {
      this.guard(() => {
        for (const w of t.writes.values()) {
          if (w.docs.size === 0 && !w.created) continue;
          let c = this.get(w.db, w.name);
          if (!c) {
            c = this.create(w.db, w.name, w.created ?? {});
            // Indexes the transaction created on it, before its documents (they are checked).
            for (const ix of w.scratch?.indexes.values() ?? []) this.createIndex(c, ix.spec);
          }
          for (const [key, doc] of w.docs) {
            const cur = c.docs.get(key);
            if (doc === null) {
              if (cur) this.remove(c, cur);
            } else if (!cur) this.insert(c, doc);
            else if (cur !== doc) this.replace(c, cur, doc);
          }
        }
      });
    } catch (e) {
      throw e instanceof MongoError && e.code === 11000 ? new WriteConflict() : e;
    } finally {
      this.committing = null;
    }
  }

  private record(op: Op, db: string, coll: string, body: Uint8Array | Doc): void {
    if (this.persistent) this.pending.push(encode(op, db, coll, body));
  }

  /**
   * Set by the engine when persistent: hands records to the journal before the
   * command ends. A long insert calls `writeEarly` as it goes, so the journal
   * write runs (in libuv's thread pool) while the rest of the batch is indexed;
   * the command still waits for all of it (`takeEarly`) before replying.
   */
  earlyWrite?: (records: Buffer[]) => Promise<void>;
  private early: Promise<void>[] = [];

  /**
   * Starts writing the records produced so far (see `earlyWrite`), not while the
   * command may still be undone. The first early write opens the command's journal
   * group (GROUP_BEGIN), which the engine closes after the command.
   */
  writeEarly(): void {
    if (!this.earlyWrite || !this.pending.length || this.undo) return;
    const records = this.takePending();
    if (!this.groupOpen) {
      records.unshift(encode(Op.GROUP_BEGIN, '', '', {}));
      this.groupOpen = true;
    }
    this.early.push(this.earlyWrite(records));
  }

  /** The command being run has opened a journal group with an early write. */
  groupOpen = false;

  /** The writes `writeEarly` started for the command being run. */
  takeEarly(): Promise<void>[] {
    const e = this.early;
    this.early = [];
    return e;
  }

  takePending(): Buffer[] {
    const p = this.pending;
    this.pending = [];
    return p;
  }

  get(db: string, name: string): Collection | undefined {
    return this.dbs.get(db)?.get(name);
  }

  collections(db: string): Collection[] {
    return [...(this.dbs.get(db)?.values() ?? [])];
  }

  create(db: string, name: string, options: Doc = {}): Collection {
    validateCollectionName(name);
    let colls = this.dbs.get(db);
    if (!colls) this.dbs.set(db, (colls = new Map()));
    const c = new Collection(db, name, options);
    colls.set(name, c);
    this.record(Op.CREATE_COLL, db, name, { options });
    return c;
  }

  /** The collection, created implicitly (as a write to a new namespace does). */
  ensure(db: string, name: string): Collection {
    return this.get(db, name) ?? this.create(db, name);
  }

  drop(db: string, name: string): Collection | undefined {
    const colls = this.dbs.get(db);
    const c = colls?.get(name);
    if (!c || !colls) return undefined;
    this.txns.abortTouching(c.ns);
    colls.delete(name);
    if (colls.size === 0) this.dbs.delete(db);
    this.record(Op.DROP_COLL, db, name, {});
    return c;
  }

  /**
   * renameCollection: the same Collection object moves to its new namespace, so its
   * documents and indexes go with it without a copy. Transactions that used either
   * namespace are aborted (their overlays are keyed by namespace), as for a drop.
   */
  rename(c: Collection, toDb: string, toName: string): void {
    validateCollectionName(toName);
    this.txns.abortTouching(c.ns);
    this.txns.abortTouching(`${toDb}.${toName}`);
    const from = this.dbs.get(c.db);
    from?.delete(c.name);
    if (from && from.size === 0) this.dbs.delete(c.db);
    this.record(Op.RENAME_COLL, c.db, c.name, { toDb, toColl: toName });
    // mongod clears a collection's plan cache on rename as on any catalog change.
    c.invalidatePlans();
    c.db = toDb;
    c.name = toName;
    let to = this.dbs.get(toDb);
    if (!to) this.dbs.set(toDb, (to = new Map()));
    to.set(toName, c);
  }

  /** collMod: the collection's options (validator…) replaced, journaled whole. */
  setOptions(c: Collection, options: Doc): void {
    for (const k of Object.keys(c.options)) delete c.options[k];
    Object.assign(c.options, options);
    this.record(Op.SET_OPTIONS, c.db, c.name, { options });
  }

  /**
   * collMod of an index option (the TTL): the spec changes in place; the journal gets
   * the index dropped and created again with its new spec (replay rebuilds it).
   */
  setIndexSpec(c: Collection, name: string, spec: IndexSpec): void {
    const ix = c.indexes.get(name);
    if (!ix) return;
    Object.assign(ix.spec, spec);
    c.invalidatePlans();
    this.record(Op.DROP_INDEX, c.db, c.name, { name });
    this.record(Op.CREATE_INDEX, c.db, c.name, ix.spec);
  }

  dropDatabase(db: string): boolean {
    this.txns.abortTouching(db, true);
    const had = this.dbs.delete(db);
    this.record(Op.DROP_DB, db, '', {});
    return had;
  }

  insert(c: Collection, doc: Doc, bytes?: Uint8Array): void {
    this.beforeChange(c, undefined, doc);
    c.insert(doc);
    if (this.persistent) this.record(Op.PUT, c.db, c.name, bytes ?? serialize(doc));
  }

  replace(c: Collection, oldDoc: Doc, newDoc: Doc, bytes?: Uint8Array): void {
    this.beforeChange(c, oldDoc, newDoc);
    c.replace(oldDoc, newDoc);
    if (this.persistent) this.record(Op.PUT, c.db, c.name, bytes ?? serialize(newDoc));
  }

  remove(c: Collection, doc: Doc): void {
    this.beforeChange(c, doc, doc);
    c.remove(doc);
    this.record(Op.DEL, c.db, c.name, { _id: doc._id });
  }

  createIndex(c: Collection, spec: IndexSpec): boolean {
    const created = c.createIndex(spec);
    if (created) {
      // Open transactions that used the collection checked their writes without this index.
      this.txns.abortTouching(c.ns, false, this.committing);
      this.record(Op.CREATE_INDEX, c.db, c.name, spec);
    }
    return created;
  }

  dropIndex(c: Collection, name: string): void {
    this.txns.abortTouching(c.ns);
    c.indexes.delete(name);
    this.record(Op.DROP_INDEX, c.db, c.name, { name });
  }

  /** Stores `doc` in place of the document with its `_id`, if any (replay). */
  private put(c: Collection, doc: Doc): void {
    const old = c.docs.get(keyOfId(doc));
    if (old) c.replace(old, doc);
    else c.insert(doc);
  }

  /** Replays one journal/snapshot record (idempotent). */
  apply(r: Rec): void {
    switch (r.op) {
      case Op.PUT:
        this.put(this.ensure(r.db, r.coll), toStored(r.body));
        break;
      case Op.PUT_MANY: {
        const c = this.ensure(r.db, r.coll);
        // The checksum matched, so a body that is not a run of documents is a bug, not a torn write.
        if (!eachDocument(r.body, (bytes) => this.put(c, toStored(bytes))))
          throw new Error(`journal: malformed PUT_MANY record for ${r.db}.${r.coll}`);
        break;
      }
      case Op.DEL: {
        const { _id } = BSON.deserialize(r.body);
        const c = this.get(r.db, r.coll);
        const old = c?.docs.get(keyOfId({ _id }));
        if (c && old) c.remove(old);
        break;
      }
      case Op.CREATE_COLL:
        if (!this.get(r.db, r.coll)) this.create(r.db, r.coll, BSON.deserialize(r.body).options ?? {});
        break;
      case Op.CREATE_INDEX: {
        const c = this.ensure(r.db, r.coll);
        const spec = validateIndexSpec(BSON.deserialize(r.body));
        if (!c.indexes.has(spec.name)) c.createIndex(spec);
        break;
      }
      case Op.DROP_INDEX: {
        const { name } = BSON.deserialize(r.body);
        this.get(r.db, r.coll)?.indexes.delete(name);
        break;
      }
      case Op.DROP_COLL:
        this.drop(r.db, r.coll);
        break;
      case Op.DROP_DB:
        this.dbs.delete(r.db);
        break;
      case Op.RENAME_COLL: {
        const { toDb, toColl } = BSON.deserialize(r.body);
        const c = this.get(r.db, r.coll);
        if (c && !this.get(toDb, toColl)) this.rename(c, toDb, toColl);
        break;
      }
      case Op.SET_OPTIONS: {
        const c = this.get(r.db, r.coll);
        if (c) this.setOptions(c, BSON.deserialize(r.body).options ?? {});
        break;
      }
    }
  }

  /**
   * The whole state as records, in chunks, from references captured now: stored
   * documents are immutable, so later writes cannot tear the snapshot.
   */
  snapshotChunks(): () => Iterable<Buffer[]> {
    const captured = [...this.dbs.values()]
      .flatMap((m) => [...m.values()])
      .map((c) => ({
        c,
        specs: [...c.indexes.values()].map((i) => i.spec),
        docs: [...c.docs.values()],
      }));
    return function* () {
      for (const { c, specs, docs } of captured) {
        const head = [encode(Op.CREATE_COLL, c.db, c.name, { options: c.options })];
        for (const s of specs) head.push(encode(Op.CREATE_INDEX, c.db, c.name, s));
        yield head;
        for (let i = 0; i < docs.length; i += 256) {
          yield docs.slice(i, i + 256).map((d) => encode(Op.PUT, c.db, c.name, serialize(d)));
        }
      }
    };
  }
}

const keyOfId = (d: Doc) => keyOf(d._id);

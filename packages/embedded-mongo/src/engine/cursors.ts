/**
 * Server-side cursors. A cursor holds references to the (immutable) stored
 * documents it will return; each batch is cloned and projected on the way out.
 * Ids are positive int64 (`Long`); an exhausted cursor answers id 0.
 */
import { randomBytes } from 'node:crypto';
import { Long, type Document } from 'bson';
import { bsonSize, clone, copyDoc } from './clone.ts';
import type { Doc } from './keys.ts';
import { err } from './errors.ts';

export const DEFAULT_BATCH = 101;
/** getMore without batchSize returns up to this many bytes (like mongod's 16 MiB). */
const MAX_BATCH_BYTES = 16 * 1024 * 1024;
export const CURSOR_TIMEOUT_MS = 10 * 60 * 1000;

interface Cursor {
  id: Long;
  ns: string;
  docs: Doc[];
  pos: number;
  connectionId: number;
  lastUsed: number;
  /** Turns stored documents into reply documents (projection), copying what it must. */
  transform?: (docs: Doc[]) => Doc[];
  /** No copy needed: the documents are private, or the reply is serialized at once. */
  owned: boolean;
  /** The transaction the cursor was opened in: only that transaction may continue it. */
  txn?: CursorTxn;
}

/** A transaction as cursors know it: its process-wide id and its number on the session. */
export interface CursorTxn {
  id: number;
  txnNumber: number;
}

function toKey(id: unknown): string {
  if (Long.isLong(id)) return id.toString();
  if (typeof id === 'number' || typeof id === 'bigint') return String(id);
  if (id && typeof id === 'object' && 'valueOf' in id)
    return String((id as { valueOf(): unknown }).valueOf());
  throw err(14, `cursor id must be a long`);
}

export class CursorManager {
  private readonly cursors = new Map<string, Cursor>();
  private readonly timer: NodeJS.Timeout;

  constructor() {
    this.timer = setInterval(() => this.reap(), 60_000);
    this.timer.unref();
  }

  private newId(): Long {
    // Random positive 63-bit ids above 2^53 like mongod's, so drivers keep them
    // as Long (promoteLongs only turns values that fit a double into numbers).
    for (;;) {
      const b = randomBytes(8);
      const high = (b.readUInt32LE(0) & 0x7fffffff) | 0x00200000;
      const id = Long.fromBits(b.readInt32LE(4), high);
      if (!this.cursors.has(id.toString())) return id;
    }
  }

  private take(
    c: Pick<Cursor, 'docs' | 'pos' | 'transform' | 'owned'>,
    batchSize: number | undefined,
  ): Doc[] {
    const out: Doc[] = [];
    let bytes = 0;
    const max = batchSize && batchSize > 0 ? batchSize : Infinity;
    while (c.pos < c.docs.length && out.length < max) {
      const d = c.docs[c.pos];
      // A transform makes its own copies (of what it keeps).
      out.push(c.owned || c.transform !== undefined ? d : copyDoc(d));
      // Without a batch size, stop near mongod's 16 MiB reply limit.
      if (max === Infinity) bytes += bsonSize(d);
      c.pos++;
      if (max === Infinity && bytes >= MAX_BATCH_BYTES) break;
    }
    return c.transform ? c.transform(out) : out;
  }

  /**
   * Builds the first reply. `docs` are the full results (skip/limit applied).
   * `batchSize` undefined = 101; `singleBatch` closes the cursor after it.
   */
  open(
    ns: string,
    docs: Doc[],
    opts: {
      batchSize?: number;
      singleBatch?: boolean;
      connectionId: number;
      transform?: (d: Doc[]) => Doc[];
      owned?: boolean;
      txn?: CursorTxn;
    },
  ): Document {
    const state = { docs, pos: 0, transform: opts.transform, owned: !!opts.owned };
    const batchSize = opts.batchSize ?? DEFAULT_BATCH;
    const firstBatch =
      batchSize === 0 && !opts.singleBatch
        ? []
        : this.take(state, opts.singleBatch && batchSize === 0 ? undefined : batchSize);
    let id = Long.ZERO;
    if (!opts.singleBatch && state.pos < docs.length) {
      id = this.newId();
      this.cursors.set(id.toString(), {
        id,
        ns,
        docs,
        pos: state.pos,
        connectionId: opts.connectionId,
        lastUsed: Date.now(),
        transform: opts.transform,
        owned: state.owned,
        txn: opts.txn,
      });
    }
    return { cursor: { firstBatch, id, ns }, ok: 1 };
  }

  getMore(
    rawId: unknown,
    collection: string,
    dbName: string,
    batchSize: number | undefined,
    txn?: CursorTxn,
  ): Document {
    const key = toKey(rawId);
    const c = this.cursors.get(key);
    if (!c) throw err(43, `cursor id ${key} not found`);
    // mongod's checks: a cursor and its getMore are in the same transaction, or neither is.
    if (txn && !c.txn)
      throw err(
        50739,
        `Cannot run getMore on cursor ${key}, which was not created in a transaction, in transaction ${txn.txnNumber}`,
      );
    if (!txn && c.txn)
      throw err(
        50740,
        `Cannot run getMore on cursor ${key}, which was created in transaction ${c.txn.txnNumber}, without an lsid and txnNumber`,
      );
    if (txn && c.txn && txn.id !== c.txn.id)
      throw err(
        50741,
        `Cannot run getMore on cursor ${key}, which was created in transaction ${c.txn.txnNumber}, in transaction ${txn.txnNumber}`,
      );
    const ns = `${dbName}.${collection}`;
    if (c.ns !== ns)
      throw err(
        13,
        `Requested getMore on namespace '${ns}', but cursor belongs to a different namespace ${c.ns}`,
      );
    c.lastUsed = Date.now();
    const nextBatch = this.take(c, batchSize);
    let id = c.id;
    if (c.pos >= c.docs.length) {
      this.cursors.delete(key);
      id = Long.ZERO;
    }
    return { cursor: { nextBatch, id, ns }, ok: 1 };
  }

  kill(ids: unknown[]): Document {
    const cursorsKilled: Long[] = [];
    const cursorsNotFound: Long[] = [];
    for (const raw of ids) {
      const key = toKey(raw);
      const long = Long.fromString(key);
      if (this.cursors.delete(key)) cursorsKilled.push(long);
      else cursorsNotFound.push(long);
    }
    return { cursorsKilled, cursorsNotFound, cursorsAlive: [], cursorsUnknown: [], ok: 1 };
  }

  connectionClosed(connectionId: number): void {
    for (const [k, c] of this.cursors) if (c.connectionId === connectionId) this.cursors.delete(k);
  }

  /** Drops cursors of a namespace (collection or database dropped). */
  dropNamespace(prefix: string): void {
    for (const [k, c] of this.cursors)
      if (c.ns === prefix || c.ns.startsWith(prefix + '.')) this.cursors.delete(k);
  }

  reap(now = Date.now()): void {
    for (const [k, c] of this.cursors) if (now - c.lastUsed > CURSOR_TIMEOUT_MS) this.cursors.delete(k);
  }

  get size(): number {
    return this.cursors.size;
  }

  close(): void {
    clearInterval(this.timer);
    this.cursors.clear();
  }
}

export { clone };

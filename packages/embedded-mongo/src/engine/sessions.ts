/**
 * Logical sessions as a replica-set member keeps them: per `lsid`, the highest
 * transaction number seen, the reply of the retryable write that used it (so a
 * retry after a lost reply is answered, not applied again), and the transaction
 * it started. Also the cluster clock the replies carry (`$clusterTime`,
 * `operationTime`).
 *
 * What must survive a crash is journaled with the write itself (in the same
 * journal group, see journal.ts): a retryable write's reply, a transaction's
 * commit. A snapshot carries the live entries as SESSION records.
 */
import { Binary, Long, Timestamp, type Document } from 'bson';
import { err } from './errors.ts';
import type { Transaction } from './txn.ts';

/** mongod's default: idle sessions (and their transactions) are forgotten after 30 minutes. */
export const LOGICAL_SESSION_TIMEOUT_MINUTES = 30;

export interface SessionEntry {
  key: string;
  /** The lsid as the client sent it (journaled with the session's records). */
  lsid: Document;
  /** Highest transaction number used on the session; -1 before any. */
  txnNumber: number;
  lastUse: number;
  /** Reply of the retryable write numbered `txnNumber` (answers its retries). */
  retryReply: Document | null;
  /** That retryable write while it runs: a retry waits for it instead of applying it twice. */
  inflight: Promise<Document> | null;
  /** The transaction numbered `txnNumber`, while this process knows it. */
  txn: Transaction | null;
  /** The transaction numbered `txnNumber` committed (known across restarts: commit retries answer ok). */
  committed: boolean;
}

/** A session's durable part: what a journal group or a snapshot record carries. */
export interface SessionRecord {
  lsid: Document;
  txnNumber: number;
  reply?: Document;
  committed?: boolean;
}

function binaryHex(v: unknown): string | null {
  if (v instanceof Binary) return Buffer.from(v.buffer).toString('hex');
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  if (v && typeof v === 'object' && (v as { _bsontype?: string })._bsontype === 'Binary')
    return Buffer.from((v as unknown as Binary).buffer).toString('hex');
  return null;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The session's identity: its id, and the user hash when there is one. */
export function sessionKey(lsid: unknown): string {
  if (!lsid || typeof lsid !== 'object' || Array.isArray(lsid))
    throw err(14, "BSON field 'OperationSessionInfo.lsid' is the wrong type, expected type 'object'");
  const id = binaryHex((lsid as Document).id);
  if (id === null) throw err(40414, "BSON field 'LogicalSessionId.id' is missing but a required field");
  const uid = binaryHex((lsid as Document).uid);
  return uid ? `${id}:${uid}` : id;
}

/** A transaction number as a JavaScript number (drivers send a Long). */
export function txnNumberOf(v: unknown): number {
  let n: number;
  if (Long.isLong(v)) n = v.toNumber();
  else if (typeof v === 'number') n = v;
  else if (typeof v === 'bigint') n = Number(v);
  else throw err(14, "BSON field 'OperationSessionInfo.txnNumber' is the wrong type, expected type 'long'");
  if (!Number.isSafeInteger(n) || n < 0) throw err(2, `Invalid transaction number ${String(v)}`);
  return n;
}

export class SessionTable {
  private readonly entries = new Map<string, SessionEntry>();

  /** The session's entry, created on first use. */
  entry(lsid: unknown, now = Date.now()): SessionEntry {
    const key = sessionKey(lsid);
    let e = this.entries.get(key);
    if (!e) {
      e = {
        key,
        lsid: lsid as Document,
        txnNumber: -1,
        lastUse: now,
        retryReply: null,
        inflight: null,
        txn: null,
        committed: false,
      };
      this.entries.set(key, e);
    }
    e.lastUse = now;
    return e;
  }

  /** Notes a use of the session, if `lsid` is well formed (the command checks it where it matters). */
  touch(lsid: unknown): void {
    const id = (lsid as Document)?.id;
    const buf = (id as { buffer?: unknown } | undefined)?.buffer;
    const bytes = buf instanceof Uint8Array ? buf : undefined;
    // Most commands come from the session the previous one used: compare its 16 bytes
    // instead of building the key (this runs on every command).
    const last = this.lastTouched;
    if (bytes && last && (lsid as Document).uid === undefined && sameBytes(bytes, last.bytes)) {
      last.entry.lastUse = Date.now();
      return;
    }
    if (binaryHex(id) === null) return;
    const entry = this.entry(lsid);
    this.lastTouched =
      bytes && (lsid as Document).uid === undefined ? { bytes: Uint8Array.from(bytes), entry } : null;
  }

  private lastTouched: { bytes: Uint8Array; entry: SessionEntry } | null = null;

  find(lsid: unknown): SessionEntry | undefined {
    try {
      return this.entries.get(sessionKey(lsid));
    } catch {
      return undefined;
    }
  }

  /** Replays a durable record (journal group or snapshot). */
  restore(r: SessionRecord): void {
    const e = this.entry(r.lsid);
    const n = txnNumberOf(r.txnNumber);
    if (n < e.txnNumber) return;
    e.txnNumber = n;
    e.retryReply = r.reply ?? null;
    e.committed = r.committed === true;
    e.txn = null;
  }

  /** Entries idle for longer than the timeout; the caller aborts their transactions and drops them. */
  expired(now = Date.now()): SessionEntry[] {
    const limit = LOGICAL_SESSION_TIMEOUT_MINUTES * 60_000;
    return [...this.entries.values()].filter((e) => now - e.lastUse > limit && !e.inflight);
  }

  /** Every session known here (the local session cache). */
  list(): SessionEntry[] {
    return [...this.entries.values()];
  }

  drop(e: SessionEntry): void {
    if (this.lastTouched?.entry === e) this.lastTouched = null;
    this.entries.delete(e.key);
  }

  /** Durable state of every session that has some (for a snapshot). */
  records(): SessionRecord[] {
    const out: SessionRecord[] = [];
    for (const e of this.entries.values()) {
      if (e.retryReply) out.push({ lsid: e.lsid, txnNumber: e.txnNumber, reply: e.retryReply });
      else if (e.committed) out.push({ lsid: e.lsid, txnNumber: e.txnNumber, committed: true });
    }
    return out;
  }

  get size(): number {
    return this.entries.size;
  }
}

/**
 * The cluster time: seconds and an increment, as mongod's oplog timestamps. It
 * moves on every write; replies carry it so drivers' causal consistency and
 * `$clusterTime` gossip work as against a replica set.
 */
export class ClusterClock {
  private t = 0;
  private i = 0;
  /** The reply fields for the current time, made once per tick (every reply carries them). */
  private fields: Document | null = null;
  /** When the last write happened (hello's `lastWrite`). */
  lastWriteDate = new Date();

  constructor() {
    this.tick();
  }

  tick(now = Date.now()): Timestamp {
    const secs = Math.floor(now / 1000);
    if (secs > this.t) {
      this.t = secs;
      this.i = 1;
    } else this.i++;
    this.lastWriteDate = new Date(now);
    this.fields = null;
    return this.current;
  }

  get current(): Timestamp {
    return new Timestamp({ t: this.t, i: this.i });
  }

  /** The fields every reply carries. The signature is zeros: there are no keys to sign with. */
  gossip(): Document {
    const ts = this.current;
    return {
      $clusterTime: {
        clusterTime: ts,
        signature: { hash: new Binary(Buffer.alloc(20), 0), keyId: Long.ZERO },
      },
      operationTime: ts,
    };
  }
}

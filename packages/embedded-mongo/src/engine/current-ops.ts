/**
 * The commands running now, for currentOp and killOp. Handlers are synchronous, so
 * an operation stays listed while it waits: for a transaction's lock, for its
 * journal flush. killOp interrupts an operation waiting for a lock (11601
 * Interrupted, as mongod); one already applying finishes (it is a single step).
 */
import os from 'node:os';
import type { Document } from 'bson';
import { err } from './errors.ts';

export interface RunningOp {
  opid: number;
  connectionId: number;
  db: string;
  name: string;
  body: Document;
  /** performance.now() at the start. */
  started: number;
  killed: boolean;
  /** Set while the operation waits for something killOp may cut short. */
  interrupt?: (e: unknown) => void;
}

/** mongod's `op` for a command name. */
const OP_TYPES: Record<string, string> = {
  find: 'query',
  insert: 'insert',
  update: 'update',
  delete: 'remove',
  getMore: 'getmore',
};

/** Big arrays of a write (its documents) are not repeated in the listing. */
const BULK_FIELDS = new Set(['documents', 'updates', 'deletes']);

export class CurrentOps {
  private next = 1;
  private readonly running = new Map<number, RunningOp>();

  begin(db: string, name: string, body: Document, connectionId: number): RunningOp {
    const op: RunningOp = {
      opid: this.next++,
      connectionId,
      db,
      name,
      body,
      started: performance.now(),
      killed: false,
    };
    this.running.set(op.opid, op);
    return op;
  }

  end(op: RunningOp): void {
    this.running.delete(op.opid);
  }

  /** The running operation of a command body (to make its waits interruptible; only when one waits). */
  of(body: Document): RunningOp | undefined {
    for (const op of this.running.values()) if (op.body === body) return op;
    return undefined;
  }

  /** Marks the operation killed and interrupts its wait; false when no such operation runs. */
  kill(opid: number): boolean {
    const op = this.running.get(opid);
    if (!op) return false;
    op.killed = true;
    op.interrupt?.(interrupted());
    return true;
  }

  /** currentOp's `inprog` entries. */
  list(now = performance.now()): Document[] {
    const host = os.hostname();
    return [...this.running.values()].map((op) => {
      const micros = Math.max(0, Math.round((now - op.started) * 1000));
      const command: Document = {};
      for (const [k, v] of Object.entries(op.body)) if (!BULK_FIELDS.has(k)) command[k] = v;
      const coll = op.body[op.name];
      const entry: Document = {
        type: 'op',
        host,
        desc: `conn${op.connectionId}`,
        connectionId: op.connectionId,
        client: '127.0.0.1',
        active: true,
        currentOpTime: new Date().toISOString(),
        opid: op.opid,
        secs_running: Math.floor(micros / 1e6),
        microsecs_running: micros,
        op: OP_TYPES[op.name] ?? 'command',
        ns: typeof coll === 'string' ? `${op.db}.${coll}` : `${op.db}.$cmd`,
        command,
        numYields: 0,
        waitingForLock: !!op.interrupt,
      };
      if (op.body.lsid !== undefined) entry.lsid = op.body.lsid;
      if (op.killed) entry.killPending = true;
      return entry;
    });
  }
}

export const interrupted = () => err(11601, 'operation was interrupted');

import type { Document } from 'bson';
import type { CursorManager } from '../cursors.ts';
import type { Store, StoreView } from '../store.ts';
import type { TxnStore } from '../txn.ts';
import type { CurrentOps } from '../current-ops.ts';
import type { ClusterClock, SessionTable } from '../sessions.ts';
import type { ServerCounters } from '../server-status.ts';
import { err } from '../errors.ts';
import { validateCollectionName } from '../store.ts';

export interface Ctx {
  /** What reads and writes go through: the committed state, or the command's transaction's view of it. */
  store: StoreView;
  /** The committed state itself, for DDL and informational commands (never run inside a transaction). */
  state: Store;
  /** The command's transaction (then `store` is this), or null. */
  txn: TxnStore | null;
  cursors: CursorManager;
  db: string;
  body: Document;
  connectionId: number;
  startedAt: number;
  /** The reply is serialized at once and not kept: it may hold stored documents, uncopied. */
  serializesReply: boolean;
  /** Server parameters (`getParameter` / `setParameter`). */
  params: EngineParams;
  /** Where the data lives (undefined in memory): dbStats reports its file system. */
  dataDir?: string;
  /** Commands running now (currentOp, killOp). */
  ops: CurrentOps;
  /** The logical sessions this server knows ($listLocalSessions). */
  sessions: SessionTable;
  /** serverStatus's counters (opcounters, asserts, connections, network). */
  counters: ServerCounters;
  /** host:port of this member (serverStatus's `repl`, replSetGetStatus). */
  address: string;
  /** The cluster clock (replSetGetStatus's optimes). */
  clock: ClusterClock;
}

export interface EngineParams {
  /** Transactions older than this are aborted (mongod's default: 60). */
  transactionLifetimeLimitSeconds: number;
}

/** Handlers are synchronous: a command's in-memory effect is atomic w.r.t. others. */
export type Handler = (ctx: Ctx) => Document;

/** The collection named by the command's first field. */
export function collectionArg(ctx: Ctx): string {
  const name = Object.keys(ctx.body)[0];
  const v = ctx.body[name];
  if (typeof v !== 'string')
    throw err(
      73,
      `collection name has invalid type ${v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v}`,
    );
  return validateCollectionName(v);
}

export function asNumber(v: unknown, field: string, def: number): number {
  if (v === undefined || v === null) return def;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'object' && typeof (v as { valueOf(): unknown }).valueOf() === 'number')
    return (v as { valueOf(): number }).valueOf();
  if (typeof v === 'object' && 'toNumber' in (v as object)) return (v as { toNumber(): number }).toNumber();
  throw err(
    14,
    `BSON field '${field}' is the wrong type '${typeof v}', expected types '[long, int, decimal, double]'`,
  );
}

export function asObject(v: unknown, field: string, def: Document = {}): Document {
  if (v === undefined || v === null) return def;
  if (typeof v !== 'object' || Array.isArray(v))
    throw err(
      14,
      `BSON field '${field}' is the wrong type '${Array.isArray(v) ? 'array' : typeof v}', expected type 'object'`,
    );
  return v as Document;
}

/**
 * The engine of the embedded MongoDB-compatible server: executes commands
 * against in-memory collections, journaling every write (when given a data
 * directory) before acknowledging it. See README.md in this folder.
 */
import type { Document } from 'bson';
import { type CommandContext, type CommandExecutor, isMalformedBson } from '../contract.ts';
import { CursorManager } from './cursors.ts';
import { err, errorReply } from './errors.ts';
import { Journal, recover, writeSnapshot } from './journal.ts';
import { Store } from './store.ts';
import type { Ctx, Handler } from './commands/types.ts';
import * as admin from './commands/admin.ts';
import * as crud from './commands/crud.ts';
import { aggregate } from './commands/aggregate.ts';
import * as ix from './commands/indexes.ts';
import { startTtlMonitor } from './ttl.ts';

const COMMANDS: Record<string, Handler> = {
  ping: admin.ping,
  buildInfo: admin.buildInfo,
  buildinfo: admin.buildInfo,
  hello: admin.hello,
  isMaster: admin.hello,
  ismaster: admin.hello,
  insert: crud.insert,
  find: crud.find,
  getMore: crud.getMore,
  killCursors: crud.killCursors,
  update: crud.update,
  delete: crud.del,
  findAndModify: crud.findAndModify,
  findandmodify: crud.findAndModify,
  aggregate,
  count: crud.count,
  distinct: crud.distinct,
  createIndexes: ix.createIndexes,
  listIndexes: ix.listIndexes,
  dropIndexes: ix.dropIndexes,
  deleteIndexes: ix.dropIndexes,
  listCollections: admin.listCollections,
  create: admin.create,
  drop: admin.drop,
  dropDatabase: admin.dropDatabase,
  listDatabases: admin.listDatabases,
  endSessions: admin.ok,
  killSessions: admin.ok,
  killAllSessions: admin.ok,
  refreshSessions: admin.ok,
  startSession: admin.startSession,
  abortTransaction: admin.noTransactions,
  commitTransaction: admin.noTransactions,
  getLastError: admin.getLastError,
  getlasterror: admin.getLastError,
  serverStatus: admin.serverStatus,
  connectionStatus: admin.connectionStatus,
  getParameter: admin.getParameter,
  hostInfo: admin.hostInfo,
  whatsmyuri: admin.whatsmyuri,
  dbStats: admin.dbStats,
  getCmdLineOpts: () => ({ argv: [], parsed: {}, ok: 1 }),
  getFreeMonitoringStatus: () => ({ state: 'disabled', ok: 1 }),
};

const WRITE_COMMANDS = new Set(['insert', 'update', 'delete', 'findAndModify', 'findandmodify']);

/** Compact when the journal outgrows this many times the snapshot (and this floor). */
const COMPACT_RATIO = 4;
const COMPACT_MIN_BYTES = 64 * 1024 * 1024;
const COMPACT_IDLE_MS = 2000;

export interface EngineOptions {
  dataDir?: string;
  /** Tests: compact when the journal exceeds this many bytes (default 64 MiB floor). */
  compactMinBytes?: number;
}

export class Engine implements CommandExecutor {
  /** `insert` decodes its documents from the wire bytes (see RawInsertBatch). */
  readonly rawInsertDocuments = true;
  /** ...and validates them while decoding (one pass over the bytes). */
  readonly validatesRawDocuments = true;
  readonly store: Store;
  readonly cursors = new CursorManager();
  private journal?: Journal;
  private snapshotBytes = 0;
  private compacting: Promise<void> | null = null;
  private compactTimer?: NodeJS.Timeout;
  private lastWriteAt = 0;
  /** Write commands between their start and their journal flush (not a quiet moment). */
  private writesInFlight = 0;
  private closed = false;
  private readonly startedAt = Date.now();
  private stopTtl: () => void;
  /** Figures from the last start-up, for logs and measure.ts. */
  recovery?: { ms: number; documents: number; journalRecords: number; truncatedBytes: number };

  private constructor(readonly options: EngineOptions) {
    this.store = new Store(!!options.dataDir);
    this.stopTtl = startTtlMonitor(this);
  }

  static async create(options: EngineOptions): Promise<Engine> {
    const e = new Engine(options);
    if (options.dataDir) await e.open(options.dataDir);
    return e;
  }

  private async open(dir: string): Promise<void> {
    const t0 = performance.now();
    let replayErrors = 0;
    const rec = await recover(dir, (r) => {
      try {
        this.store.apply(r);
      } catch (e) {
        // A record that no longer applies (should not happen) must not make the data unreadable.
        replayErrors++;
        if (replayErrors <= 5)
          console.warn('[embedded engine] skipped journal record:', (e as Error).message);
      }
    });
    this.store.takePending();
    let generation = rec.generation;
    if (rec.snapshotBytes === 0 && rec.journalRecords === 0 && rec.truncatedBytes === 0) {
      // A new data directory: an empty snapshot marks it as ours.
      generation += 1;
      this.snapshotBytes = await writeSnapshot(dir, generation, this.store.snapshotChunks());
    } else this.snapshotBytes = rec.snapshotBytes;
    // A torn or corrupt tail must not be appended to: later records go to a new
    // journal generation (recovery reads every journal from the snapshot's on).
    if (rec.truncatedBytes > 0) generation += 1;
    this.journal = Journal.open(dir, generation);
    const journal = this.journal;
    this.store.earlyWrite = (records) => journal.append(records);
    // Start-up does not fold the journal into a new snapshot: replaying it costs
    // what loading a snapshot would, so the server answers first and the usual
    // background compaction (journal > 4x snapshot, when idle) runs later. A
    // discarded tail is cleaned up by a compaction soon after start.
    this.journal.bytes = rec.journalBytes;
    if (rec.truncatedBytes > 0) this.scheduleCompaction(true);
    else this.maybeCompact();
    let documents = 0;
    for (const colls of this.store.dbs.values()) for (const c of colls.values()) documents += c.docs.size;
    this.recovery = {
      ms: performance.now() - t0,
      documents,
      journalRecords: rec.journalRecords,
      truncatedBytes: rec.truncatedBytes,
    };
  }

  async run(dbName: string, command: Document, ctx: CommandContext): Promise<Document> {
    if (this.closed)
      return { ok: 0, errmsg: 'The server is shutting down', code: 11600, codeName: 'InterruptedAtShutdown' };
    const name = Object.keys(command)[0];
    // A long write in progress is not a quiet moment for compaction either.
    const isWrite = WRITE_COMMANDS.has(name);
    if (isWrite) {
      this.lastWriteAt = Date.now();
      this.writesInFlight++;
    }
    try {
      return await this.execute(name, dbName, command, ctx);
    } finally {
      if (isWrite) {
        this.writesInFlight--;
        this.lastWriteAt = Date.now();
      }
    }
  }

  private async execute(
    name: string | undefined,
    dbName: string,
    command: Document,
    ctx: CommandContext,
  ): Promise<Document> {
    let reply: Document;
    try {
      if (name === undefined) throw err(59, "no such command: ''");
      if (command.txnNumber !== undefined || command.startTransaction || command.autocommit === false)
        throw err(20, 'Transaction numbers are only allowed on a replica set member or mongos');
      const handler = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
      if (!handler) throw err(59, `no such command: '${name}'`);
      if (typeof dbName !== 'string' || dbName === '' || /[/\\. "$\0]/.test(dbName))
        throw err(73, `Invalid database name: '${dbName}'`);
      const c: Ctx = {
        store: this.store,
        cursors: this.cursors,
        db: dbName,
        body: command,
        connectionId: ctx.connectionId,
        startedAt: this.startedAt,
        serializesReply: ctx.serializesReply === true,
      };
      reply = handler(c);
    } catch (e) {
      // Bad bytes in an insert: the wire server closes the connection (nothing was applied).
      if (isMalformedBson(e)) throw e;
      reply = errorReply(e);
    }
    // Records of whatever was applied (also on partial failure) are made durable first,
    // including those a long insert handed to the journal while it ran.
    const early = this.store.takeEarly();
    const records = this.store.takePending();
    if ((records.length || early.length) && this.journal) {
      try {
        if (records.length) early.push(this.journal.append(records));
        await Promise.all(early);
      } catch (e) {
        return {
          ok: 0,
          errmsg: `journal write failed: ${(e as Error).message}`,
          code: 1,
          codeName: 'InternalError',
        };
      }
      this.maybeCompact();
    }
    return reply;
  }

  /** Makes records produced outside `run` (TTL deletions) durable. */
  async flushPending(): Promise<void> {
    const records = this.store.takePending();
    if (records.length && this.journal && !this.closed) await this.journal.append(records);
  }

  connectionClosed(connectionId: number): void {
    this.cursors.connectionClosed(connectionId);
  }

  /**
   * Compaction re-serializes every document, so it waits for a quiet moment
   * (no write for COMPACT_IDLE_MS) instead of competing with a bulk load, unless
   * the journal has grown far past the threshold.
   */
  private maybeCompact(): void {
    this.lastWriteAt = Date.now();
    this.scheduleCompaction(false);
  }

  /** Compacts at the next quiet moment if the journal is large enough (or `force`). */
  private scheduleCompaction(force: boolean): void {
    const j = this.journal;
    if (!j || this.compacting || this.closed || this.compactTimer) return;
    const threshold = force
      ? 0
      : Math.max(this.snapshotBytes * COMPACT_RATIO, this.options.compactMinBytes ?? COMPACT_MIN_BYTES);
    if (j.bytes < threshold) return;
    const check = () => {
      this.compactTimer = undefined;
      if (this.closed || this.compacting) return;
      const busy = this.writesInFlight > 0 || Date.now() - this.lastWriteAt < COMPACT_IDLE_MS;
      if (busy && (force || j.bytes < threshold * 4)) {
        this.compactTimer = setTimeout(check, COMPACT_IDLE_MS);
        this.compactTimer.unref();
        return;
      }
      void this.compact();
    };
    this.compactTimer = setTimeout(check, COMPACT_IDLE_MS);
    this.compactTimer.unref();
  }

  /**
   * Background compaction: rotate the journal and capture document references at
   * the same instant, then write the snapshot in chunks between other work.
   */
  async compact(): Promise<void> {
    // One compaction at a time (a caller's and a scheduled one share the tmp file).
    while (this.compacting) await this.compacting;
    if (this.closed) return;
    const run = this.compactNow();
    this.compacting = run;
    try {
      await run;
    } finally {
      if (this.compacting === run) this.compacting = null;
    }
  }

  private async compactNow(): Promise<void> {
    const j = this.journal;
    if (!j || !this.options.dataDir) return;
    try {
      const { generation, captured } = await j.rotate(() => this.store.snapshotChunks());
      this.snapshotBytes = await writeSnapshot(this.options.dataDir, generation, captured);
    } catch (e) {
      console.warn('[embedded engine] compaction failed (journal still complete):', (e as Error).message);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopTtl();
    clearTimeout(this.compactTimer);
    this.cursors.close();
    if (this.compacting) await this.compacting;
    await this.journal?.close();
  }
}

export async function createEngine(options: EngineOptions = {}): Promise<CommandExecutor & Engine> {
  return Engine.create(options);
}

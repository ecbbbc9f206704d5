/**
 * The engine of the embedded MongoDB-compatible server: executes commands
 * against in-memory collections, journaling every write (when given a data
 * directory) before acknowledging it. See README.md in this folder.
 */
import * as replset from './commands/replset.ts';
import { ServerCounters } from './server-status.ts';
import { BSON, Long, ObjectId, type Document } from 'bson';
import {
  type CommandContext,
  type CommandExecutor,
  REPLICA_SET_NAME,
  isMalformedBson,
  type WireStats,
} from '../contract.ts';
import { MAX_BSON_OBJECT_SIZE, MAX_MESSAGE_SIZE_BYTES, MAX_WRITE_BATCH_SIZE } from '../wire/constants.ts';
import { debugLog } from '../wire/log.ts';
import { CursorManager } from './cursors.ts';
import { checkCommandFields } from './command-fields.ts';
import { err, errorReply } from './errors.ts';
import { Journal, Op, type Rec, encode, recover, writeSnapshot } from './journal.ts';
import {
  ClusterClock,
  LOGICAL_SESSION_TIMEOUT_MINUTES,
  type SessionEntry,
  type SessionRecord,
  SessionTable,
  txnNumberOf,
} from './sessions.ts';
import { Store, type StoreView } from './store.ts';
import { LockedByTransaction, type Transaction, TxnStore, WriteConflict } from './txn.ts';
import type { Ctx, EngineParams, Handler } from './commands/types.ts';
import * as admin from './commands/admin.ts';
import * as crud from './commands/crud.ts';
import { aggregate } from './commands/aggregate.ts';
import { endsWithWrite } from './commands/aggregate-write.ts';
import * as ix from './commands/indexes.ts';
import * as stats from './commands/stats.ts';
import { startTtlMonitor } from './ttl.ts';
import { CurrentOps, interrupted } from './current-ops.ts';
import * as ops from './commands/ops.ts';
import { explain } from './commands/explain.ts';
import { renameCollection } from './commands/rename.ts';

const COMMANDS: Record<string, Handler> = {
  ping: admin.ping,
  buildInfo: admin.buildInfo,
  buildinfo: admin.buildInfo,
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
  renameCollection,
  explain,
  collMod: ops.collMod,
  validate: ops.validate,
  currentOp: ops.currentOp,
  killOp: ops.killOp,
  listDatabases: admin.listDatabases,
  refreshSessions: admin.ok,
  startSession: admin.startSession,
  getLastError: admin.getLastError,
  getlasterror: admin.getLastError,
  serverStatus: admin.serverStatus,
  connectionStatus: admin.connectionStatus,
  getParameter: admin.getParameter,
  setParameter: admin.setParameter,
  hostInfo: admin.hostInfo,
  whatsmyuri: admin.whatsmyuri,
  dbStats: stats.dbStats,
  collStats: stats.collStats,
  replSetGetStatus: replset.replSetGetStatus,
  replSetGetConfig: replset.replSetGetConfig,
  profile: replset.profile,
  getLog: replset.getLog,
  getCmdLineOpts: () => ({ argv: [], parsed: {}, ok: 1 }),
  getFreeMonitoringStatus: () => ({ state: 'disabled', ok: 1 }),
};

/** Every command this server runs (README: generated from this and command-fields.ts). */
export function commandNames(): string[] {
  const special = [
    'hello',
    'isMaster',
    'commitTransaction',
    'abortTransaction',
    'endSessions',
    'killSessions',
    'killAllSessions',
  ];
  return [...new Set([...special, ...Object.keys(COMMANDS)])];
}

const WRITE_COMMANDS = new Set(['insert', 'update', 'delete', 'findAndModify', 'findandmodify']);
/** Writes a driver may retry with the same `txnNumber` (applied once, answered again). */
const RETRYABLE = WRITE_COMMANDS;
const HELLO = new Set(['hello', 'isMaster', 'ismaster']);
/** Commands mongod 7.0 runs inside a transaction (collections created implicitly by a write too). */
const IN_TRANSACTION = new Set([
  'find',
  'getMore',
  'killCursors',
  'insert',
  'update',
  'delete',
  'findAndModify',
  'findandmodify',
  'aggregate',
  'distinct',
  'create',
  'createIndexes',
  'buildInfo',
  'buildinfo',
  'connectionStatus',
]);
/** Databases a transaction may not use (mongod's rule). */
const NO_TRANSACTION_DBS = new Set(['admin', 'config', 'local']);

const ELECTION_ID = new ObjectId('7fffffff0000000000000001');
/** How often open transactions are checked against their lifetime. */
const REAP_INTERVAL_MS = 1000;

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
  readonly replicaSetName = REPLICA_SET_NAME;
  readonly store: Store;
  readonly cursors = new CursorManager();
  readonly sessions = new SessionTable();
  readonly clock = new ClusterClock();
  /** Commands running now (currentOp, killOp). */
  readonly ops = new CurrentOps();
  /** Server parameters `setParameter` may change at run time. */
  readonly params: EngineParams = { transactionLifetimeLimitSeconds: 60 };
  /** host:port clients reach this server at (hello's `me`, `hosts`, `primary`). */
  private address = '127.0.0.1:27017';
  private readonly reaper: NodeJS.Timeout;
  private lastSessionSweep = Date.now();
  private journal?: Journal;
  private snapshotBytes = 0;
  private compacting: Promise<void> | null = null;
  private compactTimer?: NodeJS.Timeout;
  private lastWriteAt = 0;
  /** Write commands between their start and their journal flush (not a quiet moment). */
  private writesInFlight = 0;
  private closed = false;
  private readonly startedAt = Date.now();
  private readonly counters = new ServerCounters();
  private stopTtl: () => void;
  /** Figures from the last start-up, for logs and tests. */
  recovery?: {
    ms: number;
    documents: number;
    journalRecords: number;
    truncatedBytes: number;
    /** Journal groups a crash cut short (dropped whole). */
    droppedGroups: number;
  };

  private constructor(readonly options: EngineOptions) {
    this.store = new Store(!!options.dataDir);
    this.stopTtl = startTtlMonitor(this.store, () => this.flushPending());
    this.reaper = setInterval(() => this.reap(), REAP_INTERVAL_MS);
    this.reaper.unref();
  }

  static async create(options: EngineOptions): Promise<Engine> {
    const e = new Engine(options);
    if (options.dataDir) await e.open(options.dataDir);
    return e;
  }

  private async open(dir: string): Promise<void> {
    const t0 = performance.now();
    let replayErrors = 0;
    const applyOne = (r: Rec) => {
      try {
        this.store.apply(r);
      } catch (e) {
        // A record that no longer applies (should not happen) must not make the data unreadable.
        replayErrors++;
        if (replayErrors <= 5)
          console.warn('[embedded engine] skipped journal record:', (e as Error).message);
      }
    };
    // A group (a commit, a retryable write, a command of several records) is applied
    // only once its GROUP_END is read; one cut short by a crash is dropped whole.
    let group: Rec[] | null = null;
    let droppedGroups = 0;
    const rec = await recover(
      dir,
      (r) => {
        switch (r.op) {
          case Op.GROUP_BEGIN:
            if (group) droppedGroups++;
            group = [];
            return;
          case Op.GROUP_END:
            if (group) for (const g of group) applyOne(g);
            group = null;
            this.restoreSession(r.body);
            return;
          case Op.SESSION:
            this.restoreSession(r.body);
            return;
          default:
            if (group) group.push(r);
            else applyOne(r);
        }
      },
      () => {
        if (group) droppedGroups++;
        group = null;
      },
    );
    this.store.takePending();
    let generation = rec.generation;
    if (rec.snapshotBytes === 0 && rec.journalRecords === 0 && rec.truncatedBytes === 0) {
      // A new data directory: an empty snapshot marks it as ours.
      generation += 1;
      this.snapshotBytes = await writeSnapshot(dir, generation, this.store.snapshotChunks());
    } else this.snapshotBytes = rec.snapshotBytes;
    // A torn or corrupt tail, or a group that never ended, must not be appended to:
    // later records go to a new journal generation (recovery reads every journal from
    // the snapshot's on, and drops an unfinished group at the end of its file).
    const damaged = rec.truncatedBytes > 0 || droppedGroups > 0;
    if (damaged) generation += 1;
    this.journal = Journal.open(dir, generation);
    const journal = this.journal;
    this.store.earlyWrite = (records) => journal.append(records);
    // Start-up does not fold the journal into a new snapshot: replaying it costs
    // what loading a snapshot would, so the server answers first and the usual
    // background compaction (journal > 4x snapshot, when idle) runs later. A
    // discarded tail is cleaned up by a compaction soon after start.
    this.journal.bytes = rec.journalBytes;
    if (damaged) this.scheduleCompaction(true);
    else this.maybeCompact();
    let documents = 0;
    for (const colls of this.store.dbs.values()) for (const c of colls.values()) documents += c.docs.size;
    this.recovery = {
      ms: performance.now() - t0,
      documents,
      journalRecords: rec.journalRecords,
      truncatedBytes: rec.truncatedBytes,
      droppedGroups,
    };
  }

  private restoreSession(body: Uint8Array): void {
    // A copy: deserialized Binary values (the lsid) would otherwise be views that keep
    // the whole journal file's buffer alive.
    const { session } = BSON.deserialize(Buffer.from(body));
    if (session) this.sessions.restore(session as SessionRecord);
  }

  async run(dbName: string, command: Document, ctx: CommandContext): Promise<Document> {
    if (this.closed)
      return {
        ok: 0,
        errmsg: 'The server is shutting down',
        code: 11600,
        codeName: 'InterruptedAtShutdown',
        ...this.clock.gossip(),
      };
    const name = Object.keys(command)[0];
    // A long write in progress is not a quiet moment for compaction either.
    const isWrite = WRITE_COMMANDS.has(name) || name === 'commitTransaction';
    if (isWrite) {
      this.lastWriteAt = Date.now();
      this.writesInFlight++;
    }
    const op = this.ops.begin(dbName, name, command, ctx.connectionId);
    this.counters.count(name, command);
    try {
      const reply = await this.dispatch(name, dbName, command, ctx);
      if (reply.ok !== 1 || reply.writeErrors) this.counters.failed();
      // Every reply carries the cluster time, as a replica-set member's do. Replies are made
      // per command (a retry's answer is a copy of the first), so it is added in place.
      return Object.assign(reply, this.clock.gossip());
    } finally {
      this.ops.end(op);
      if (isWrite) {
        this.writesInFlight--;
        this.lastWriteAt = Date.now();
      }
    }
  }

  /** The handshake a replica-set primary gives (the wire server asks for it: see the contract). */
  hello(body: Document, connectionId: number): Document {
    const legacy = !('hello' in body);
    const opTime = { ts: this.clock.current, t: Long.fromNumber(1) };
    const date = this.clock.lastWriteDate;
    return {
      helloOk: true,
      ...(legacy ? { ismaster: true } : { isWritablePrimary: true }),
      secondary: false,
      // No `topologyVersion`: it would switch drivers to streaming (exhaust) hello.
      setName: REPLICA_SET_NAME,
      setVersion: 1,
      hosts: [this.address],
      primary: this.address,
      me: this.address,
      electionId: ELECTION_ID,
      lastWrite: { opTime, lastWriteDate: date, majorityOpTime: opTime, majorityWriteDate: date },
      maxBsonObjectSize: MAX_BSON_OBJECT_SIZE,
      maxMessageSizeBytes: MAX_MESSAGE_SIZE_BYTES,
      maxWriteBatchSize: MAX_WRITE_BATCH_SIZE,
      localTime: new Date(),
      logicalSessionTimeoutMinutes: LOGICAL_SESSION_TIMEOUT_MINUTES,
      connectionId,
      minWireVersion: 0,
      maxWireVersion: 21,
      readOnly: false,
      ok: 1,
      ...this.clock.gossip(),
    };
  }

  /** Told by the wire server where clients reach it. */
  wireStats(read: () => WireStats): void {
    this.counters.wire = read;
  }

  listening(address: string): void {
    this.address = address;
  }

  private async dispatch(
    name: string | undefined,
    dbName: string,
    command: Document,
    ctx: CommandContext,
  ): Promise<Document> {
    try {
      if (name === undefined) throw err(59, "no such command: ''");
      if (typeof dbName !== 'string' || dbName === '' || /[/\\. "$\0]/.test(dbName))
        throw err(73, `Invalid database name: '${dbName}'`);
      if (name === 'commitTransaction' || name === 'abortTransaction')
        return await this.endTransaction(name, dbName, command);
      if (HELLO.has(name)) return this.hello(command, ctx.connectionId);
      if (name === 'endSessions' || name === 'killSessions' || name === 'killAllSessions')
        return this.endSessions(name, command);
      const handler = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
      if (!handler) throw err(59, `no such command: '${name}'`);
      // Parsed as mongod parses it, before anything runs (also inside a transaction).
      checkCommandFields(name, command);
      // The session cache $listLocalSessions lists: every session a command used, as mongod's.
      if (command.lsid !== undefined) this.sessions.touch(command.lsid);
      if (command.autocommit !== undefined || command.startTransaction !== undefined)
        return this.statement(name, handler, dbName, command, ctx);
      if (command.txnNumber !== undefined)
        return await this.retryableWrite(name, handler, dbName, command, ctx);
      return await this.command(name, handler, this.ctx(dbName, command, ctx, this.store), null);
    } catch (e) {
      // Bad bytes in an insert: the wire server closes the connection (nothing was applied).
      if (isMalformedBson(e)) throw e;
      return errorReply(e);
    }
  }

  private ctx(dbName: string, command: Document, ctx: CommandContext, store: StoreView): Ctx {
    return {
      store,
      state: this.store,
      cursors: this.cursors,
      db: dbName,
      body: command,
      connectionId: ctx.connectionId,
      startedAt: this.startedAt,
      serializesReply: ctx.serializesReply === true,
      params: this.params,
      dataDir: this.options.dataDir,
      ops: this.ops,
      sessions: this.sessions,
      counters: this.counters,
      address: this.address,
      clock: this.clock,
      txn: store instanceof TxnStore ? store : null,
    };
  }

  /**
   * A command outside a transaction. A write that reaches a document some open
   * transaction has written is undone, waits for that transaction to end and runs
   * again (mongod blocks it the same way). `session`: a retryable write's session,
   * whose reply is journaled with the write so that a retry is answered, not applied.
   */
  private async command(
    name: string,
    handler: Handler,
    c: Ctx,
    session: { entry: SessionEntry; txnNumber: number } | null,
  ): Promise<Document> {
    // An aggregate ending in $out/$merge writes documents a transaction may hold.
    const write = WRITE_COMMANDS.has(name) || (name === 'aggregate' && endsWithWrite(c.body.pipeline));
    let reply: Document;
    for (;;) {
      const changes = this.store.changes;
      try {
        // Only while some transaction holds locks can a write have to be undone halfway.
        reply = write && this.store.txns.locks.size > 0 ? this.store.guard(() => handler(c)) : handler(c);
      } catch (e) {
        if (e instanceof LockedByTransaction) {
          await this.waitFor(e.txn, c.body);
          continue;
        }
        if (isMalformedBson(e)) throw e;
        reply = errorReply(e);
      }
      if (this.store.changes !== changes) this.clock.tick();
      break;
    }
    const record =
      session && reply.ok === 1
        ? { lsid: session.entry.lsid, txnNumber: session.txnNumber, reply }
        : undefined;
    return this.persist(reply, record);
  }

  /** Waits for `txn` to end, within the command's `maxTimeMS` if it has one. */
  private async waitFor(txn: Transaction, body: Document): Promise<void> {
    const slow = setTimeout(
      () => debugLog(`a write has waited 1 s for transaction ${txn.id} (session ${txn.sessionKey}) to end`),
      1000,
    );
    slow.unref();
    const op = this.ops.of(body);
    try {
      if (op?.killed) throw interrupted();
      // killOp cuts the wait short.
      const killed = new Promise<never>((_, reject) => {
        if (op) op.interrupt = reject;
      });
      const max = typeof body.maxTimeMS === 'number' ? body.maxTimeMS : Number(body.maxTimeMS ?? 0);
      if (!(max > 0)) return await Promise.race([txn.done, killed]);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(err(50, 'operation exceeded time limit')), max);
      });
      try {
        await Promise.race([txn.done, timeout, killed]);
      } finally {
        clearTimeout(timer);
      }
    } finally {
      if (op) op.interrupt = undefined;
      clearTimeout(slow);
    }
  }

  /**
   * Makes the command's records durable before its reply leaves: several records
   * (or a session's state) as one journal group, so a crash keeps all or none.
   */
  private async persist(reply: Document, session?: SessionRecord): Promise<Document> {
    const early = this.store.takeEarly();
    const groupOpen = this.store.groupOpen;
    this.store.groupOpen = false;
    const records = this.store.takePending();
    if (!this.journal) return reply;
    if (groupOpen || records.length > 1 || (session && records.length)) {
      if (!groupOpen) records.unshift(encode(Op.GROUP_BEGIN, '', '', {}));
      records.push(encode(Op.GROUP_END, '', '', session ? { session } : {}));
    } else if (session) records.push(encode(Op.SESSION, '', '', { session }));
    if (!records.length && !early.length) return reply;
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
    return reply;
  }

  /** A write carrying `lsid` and `txnNumber` outside a transaction: applied once, whatever the retries. */
  private async retryableWrite(
    name: string,
    handler: Handler,
    dbName: string,
    command: Document,
    ctx: CommandContext,
  ): Promise<Document> {
    if (!RETRYABLE.has(name))
      throw err(
        50768,
        `txnNumber may only be provided for multi-document transactions and retryable write commands. autocommit:false was not provided, and ${name} is not a retryable write command.`,
      );
    if (command.lsid === undefined)
      throw err(50768, 'Transaction number requires a session ID to also be specified');
    const entry = this.sessions.entry(command.lsid);
    const n = txnNumberOf(command.txnNumber);
    if (n < entry.txnNumber)
      throw err(
        225,
        `Retryable write with txnNumber ${n} is prohibited on session ${entry.key} because a newer retryable write with txnNumber ${entry.txnNumber} has already started on this session.`,
      );
    if (n === entry.txnNumber) {
      // A retry: answered as the first time, with the statements mongod says it did not run again.
      if (entry.inflight) return retried(name, command, await entry.inflight);
      if (entry.retryReply) return retried(name, command, entry.retryReply);
      if (entry.txn || entry.committed)
        throw err(
          50911,
          `Cannot start a retryable write with txnNumber ${n} on session ${entry.key} because it was already used by a transaction`,
        );
    } else this.renumber(entry, n);
    const run = this.command(name, handler, this.ctx(dbName, command, ctx, this.store), {
      entry,
      txnNumber: n,
    });
    entry.inflight = run;
    try {
      const reply = await run;
      if (reply.ok === 1) entry.retryReply = reply;
      return reply;
    } finally {
      entry.inflight = null;
    }
  }

  /** A new transaction number on a session: whatever ran under the old one is over. */
  private renumber(entry: SessionEntry, n: number): void {
    if (entry.txn?.state === 'active') this.store.txns.end(entry.txn, 'aborted', 'session');
    entry.txnNumber = n;
    entry.txn = null;
    entry.retryReply = null;
    entry.committed = false;
  }

  /** The session's transaction numbered `n`, if it is still running; else mongod's error for why not. */
  private activeTxn(entry: SessionEntry, n: number): Transaction {
    const txn = entry.txn;
    if (n !== entry.txnNumber || !txn) {
      if (n === entry.txnNumber && entry.committed)
        throw err(256, `Transaction with { txnNumber: ${n} } has been committed.`);
      throw noSuchTransaction(
        `Given transaction number ${n} does not match any in-progress transactions. The active transaction number is ${entry.txnNumber}`,
      );
    }
    if (txn.state === 'committed') throw err(256, `Transaction with { txnNumber: ${n} } has been committed.`);
    if (txn.state === 'aborted')
      throw noSuchTransaction(
        txn.abortReason === 'expired'
          ? `Transaction with { txnNumber: ${n} } has been aborted because it exceeded the transaction lifetime limit of ${this.params.transactionLifetimeLimitSeconds} seconds.`
          : `Transaction with { txnNumber: ${n} } has been aborted.`,
      );
    return txn;
  }

  /** A statement of a multi-document transaction (`autocommit: false`). */
  private statement(
    name: string,
    handler: Handler,
    dbName: string,
    command: Document,
    ctx: CommandContext,
  ): Document {
    if (command.lsid === undefined || command.txnNumber === undefined)
      throw err(50768, 'Transaction number and session ID are required for a multi-document transaction');
    if (command.autocommit !== false)
      throw err(50768, "autocommit:true is not supported; a transaction's statements carry autocommit:false");
    const entry = this.sessions.entry(command.lsid);
    const n = txnNumberOf(command.txnNumber);
    if (n < entry.txnNumber)
      throw err(
        225,
        `Cannot start transaction ${n} on session ${entry.key} because a newer transaction ${entry.txnNumber} has already started.`,
      );
    let txn: Transaction;
    if (command.startTransaction === true) {
      if (n === entry.txnNumber)
        throw err(
          50911,
          `Cannot start a transaction with txnNumber ${n} on session ${entry.key}: that number was already used`,
        );
      this.renumber(entry, n);
      txn = entry.txn = this.store.txns.begin(entry.key, n);
      checkReadConcern(command.readConcern);
    } else {
      txn = this.activeTxn(entry, n);
      if (command.readConcern !== undefined)
        throw err(72, 'Only the first command in a transaction may specify a readConcern');
    }
    // Refused before it runs: the transaction itself goes on (mongod checks these first too).
    if (command.writeConcern !== undefined)
      throw err(72, 'Cannot set write concern after starting a transaction.');
    if (!IN_TRANSACTION.has(name)) throw err(263, `Cannot run '${name}' in a multi-document transaction.`);
    if (NO_TRANSACTION_DBS.has(dbName))
      throw err(263, `Cannot run command against the '${dbName}' database in a transaction.`);
    txn.started = true;
    const c = this.ctx(dbName, command, ctx, new TxnStore(this.store, this.store.txns, txn));
    let reply: Document;
    try {
      reply = handler(c);
    } catch (e) {
      if (isMalformedBson(e)) {
        this.store.txns.end(txn, 'aborted', 'error');
        throw e;
      }
      reply = errorReply(e);
    }
    // Any failed statement (a write conflict, a duplicate key…) aborts the transaction, as on mongod.
    if (reply.ok !== 1 || reply.writeErrors)
      this.store.txns.end(txn, 'aborted', reply.code === 112 ? 'conflict' : 'error');
    return reply;
  }

  /** commitTransaction / abortTransaction. */
  private async endTransaction(name: string, dbName: string, command: Document): Promise<Document> {
    if (dbName !== 'admin') throw err(13, `${name} may only be run against the admin database.`);
    if (command.lsid === undefined || command.txnNumber === undefined || command.autocommit !== false)
      throw err(125, `${name} must be run within a transaction`);
    const entry = this.sessions.entry(command.lsid);
    const n = txnNumberOf(command.txnNumber);
    if (n < entry.txnNumber)
      throw err(
        225,
        `Cannot ${name === 'commitTransaction' ? 'commit' : 'abort'} transaction ${n} on session ${entry.key} because a newer transaction ${entry.txnNumber} has already started.`,
      );
    if (name === 'abortTransaction') {
      const txn = this.activeTxn(entry, n);
      this.store.txns.end(txn, 'aborted', 'aborted');
      return { ok: 1 };
    }
    // A commit retried after a lost reply (or a restart) is answered as the first one was.
    if (n === entry.txnNumber && entry.committed && entry.txn?.state !== 'active') return { ok: 1 };
    const txn = this.activeTxn(entry, n);
    try {
      this.store.commit(txn);
    } catch (e) {
      if (e instanceof WriteConflict) this.store.txns.end(txn, 'aborted', 'conflict');
      throw e;
    }
    const wrote = this.store.pending.length > 0 || txn.writeCount > 0;
    this.store.txns.end(txn, 'committed');
    entry.committed = true;
    if (!wrote) return { ok: 1 };
    this.clock.tick();
    // Appended (synchronously, inside persist) before any writer the commit woke runs.
    return this.persist({ ok: 1 }, { lsid: entry.lsid, txnNumber: n, committed: true });
  }

  /** endSessions / killSessions / killAllSessions: the sessions' open transactions are aborted. */
  private endSessions(name: string, command: Document): Document {
    const ids = name === 'killAllSessions' ? null : command[name];
    if (ids !== null && !Array.isArray(ids))
      throw err(14, `BSON field '${name}' is the wrong type, expected type 'array'`);
    for (const t of [...this.store.txns.active]) {
      const mine = ids === null || ids.some((lsid: unknown) => this.sessions.find(lsid)?.txn === t);
      if (mine) this.store.txns.end(t, 'aborted', 'session');
    }
    return { ok: 1 };
  }

  /** Aborts transactions past their lifetime; forgets sessions idle past the session timeout. */
  private reap(now = Date.now()): void {
    const limit = this.params.transactionLifetimeLimitSeconds * 1000;
    for (const t of [...this.store.txns.active]) {
      if (now - t.startedAt <= limit) continue;
      debugLog(`transaction ${t.id} (session ${t.sessionKey}) aborted: it exceeded its lifetime`);
      this.store.txns.end(t, 'aborted', 'expired');
    }
    if (now - this.lastSessionSweep < 60_000) return;
    this.lastSessionSweep = now;
    for (const e of this.sessions.expired(now)) {
      if (e.txn?.state === 'active') this.store.txns.end(e.txn, 'aborted', 'session');
      this.sessions.drop(e);
    }
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
      const { generation, captured } = await j.rotate(() => {
        // The documents and the sessions' durable state at the same instant.
        const docs = this.store.snapshotChunks();
        const sessions = this.sessions.records().map((session) => encode(Op.SESSION, '', '', { session }));
        return function* () {
          yield* docs();
          yield sessions;
        };
      });
      this.snapshotBytes = await writeSnapshot(this.options.dataDir, generation, captured);
    } catch (e) {
      console.warn('[embedded engine] compaction failed (journal still complete):', (e as Error).message);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopTtl();
    clearInterval(this.reaper);
    for (const t of [...this.store.txns.active]) this.store.txns.end(t, 'aborted', 'session');
    clearTimeout(this.compactTimer);
    this.cursors.close();
    if (this.compacting) await this.compacting;
    await this.journal?.close();
  }
}

/** A retryable write's first reply, as its retry gets it: `retriedStmtIds` (findAndModify: `retriedStmtId`). */
function retried(name: string, command: Document, reply: Document): Document {
  if (reply.ok !== 1) return reply;
  if (name === 'findAndModify' || name === 'findandmodify') return { ...reply, retriedStmtId: 0 };
  const list = command[name === 'insert' ? 'documents' : name === 'update' ? 'updates' : 'deletes'];
  const count = Array.isArray(list) ? list.length : 0;
  return { ...reply, retriedStmtIds: Array.from({ length: count }, (_, i) => i) };
}

/** 251 NoSuchTransaction, with the label that makes drivers retry the whole transaction. */
function noSuchTransaction(message: string) {
  return err(251, message, { errorLabels: ['TransientTransactionError'] });
}

/** The first statement's readConcern: what a replica set accepts, and nothing we would ignore. */
function checkReadConcern(rc: unknown): void {
  if (rc === undefined) return;
  if (rc === null || typeof rc !== 'object' || Array.isArray(rc))
    throw err(14, "BSON field 'readConcern' is the wrong type, expected type 'object'");
  const { level, atClusterTime } = rc as Document;
  if (level !== undefined && !['local', 'majority', 'snapshot'].includes(String(level)))
    throw err(
      72,
      `The readConcern level must be either 'local' (default), 'majority' or 'snapshot' in order to run in a transaction`,
    );
  if (atClusterTime !== undefined)
    throw err(72, 'readConcern atClusterTime is not supported by the embedded server');
}

export async function createEngine(options: EngineOptions = {}): Promise<CommandExecutor & Engine> {
  return Engine.create(options);
}

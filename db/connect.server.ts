/**
 * The app's one way to reach its database: a real MongoDB when MONGODB_URI is
 * set, otherwise the embedded MongoDB-compatible server started in this
 * process. Everything above this file talks to mongoose and cannot tell which.
 */
import mongoose from 'mongoose';
import { startEmbeddedServer, type EmbeddedServer } from '@dvut/embedded-mongo';

export type DatabaseKind = 'embedded' | 'external';

export interface DatabaseHandle {
  kind: DatabaseKind;
  /**
   * The embedded server's URI with its credential, or the external URI as given: both may
   * hold credentials, so do not log it.
   */
  uri: string;
  /** Disconnects mongoose, then stops the embedded server if there is one. Safe to call twice. */
  close(): Promise<void>;
}

export interface ConnectOptions {
  /** Overrides MONGODB_URI; when either is set, no embedded server is started. */
  uri?: string;
  /**
   * Embedded server only: where it persists. Defaults to DATA_DIR, else `.data/db`;
   * `null` keeps everything in memory (tests).
   */
  dataDir?: string | null;
  /**
   * Database name. For an external URI the name in the URI wins unless this is
   * given; the embedded URI has none, so it defaults to `doanvien`.
   */
  dbName?: string;
}

const EMBEDDED_DB_NAME = 'doanvien';

let connecting: Promise<DatabaseHandle> | undefined;
let connectedKind: DatabaseKind | null = null;

/** Connects once per process; later calls return the same handle until it is closed. */
export function connectDatabase(options: ConnectOptions = {}): Promise<DatabaseHandle> {
  connecting ??= open(options).catch((error: unknown) => {
    // A failed start must not be cached, or the app could never retry.
    connecting = undefined;
    throw error;
  });
  return connecting;
}

/** What /healthz reports: the kind of database in use, or null before connecting. */
export function databaseKind(): DatabaseKind | null {
  return connectedKind;
}

/**
 * Every user action that writes several documents is one transaction
 * (app/utils/transaction.server.ts), and MongoDB runs transactions only on a replica
 * set or a sharded cluster. A standalone mongod would make each of them fail at its
 * first write, so the app refuses to start against one, saying what to do.
 */
export class StandaloneMongoError extends Error {
  constructor() {
    super(
      'The MongoDB at MONGODB_URI is a standalone server, and this app needs transactions, ' +
        'which MongoDB runs only on a replica set. A one-member replica set is enough: start ' +
        'mongod with --replSet rs0, run rs.initiate() once in mongosh, and add ?replicaSet=rs0 ' +
        'to MONGODB_URI (see docs/operations.md).',
    );
    this.name = 'StandaloneMongoError';
  }
}

/** Refuses a server that cannot run transactions (see StandaloneMongoError). */
async function requireTransactions(): Promise<void> {
  const hello = await mongoose.connection.db!.admin().command({ hello: 1 });
  if (hello.setName || hello.msg === 'isdbgrid') return;
  throw new StandaloneMongoError();
}

async function open(options: ConnectOptions): Promise<DatabaseHandle> {
  // Filters built from request input cannot smuggle operators like `$ne`,
  // and unknown filter paths are dropped instead of silently matching everything.
  mongoose.set('sanitizeFilter', true);
  mongoose.set('strictQuery', true);
  // Inside `inTransaction(...)` every mongoose operation joins the transaction by itself.
  mongoose.set('transactionAsyncLocalStorage', true);

  const externalUri = options.uri ?? process.env.MONGODB_URI;
  if (externalUri) {
    await mongoose.connect(externalUri, options.dbName ? { dbName: options.dbName } : {});
    try {
      await requireTransactions();
    } catch (error) {
      await mongoose.disconnect().catch(() => undefined);
      throw error;
    }
    return handle('external', externalUri, undefined);
  }

  const dataDir =
    options.dataDir === null ? undefined : (options.dataDir ?? process.env.DATA_DIR ?? '.data/db');
  // The embedded server authenticates every connection (SCRAM-SHA-256): its URI carries the
  // credential kept 0600 in the data directory (generated at first start), or a random one for
  // an in-memory database (tests). See docs/decisions/022-embedded-database-authentication.md.
  const server = await startEmbeddedServer({ dataDir });
  try {
    // The driver drops its own idle connections (5 min) before the embedded server closes
    // idle sockets (WIRE_LIMITS, 10 min), so a pooled connection is never found dead.
    await mongoose.connect(server.uri, {
      dbName: options.dbName ?? EMBEDDED_DB_NAME,
      maxIdleTimeMS: 5 * 60 * 1000,
    });
  } catch (error) {
    await server.close().catch(() => undefined);
    throw error;
  }
  return handle('embedded', server.uri, server);
}

function handle(kind: DatabaseKind, uri: string, server: EmbeddedServer | undefined): DatabaseHandle {
  connectedKind = kind;
  let closing: Promise<void> | undefined;
  return {
    kind,
    uri,
    close() {
      closing ??= (async () => {
        try {
          // Mongoose first, so its last `endSessions` still finds a server to talk to.
          await mongoose.disconnect();
        } finally {
          await server?.close();
          connectedKind = null;
          connecting = undefined;
        }
      })();
      return closing;
    },
  };
}

export interface ShutdownOptions {
  /** Exit anyway if closing takes longer than this. */
  timeoutMs?: number;
}

/**
 * The mongoose pool and the embedded server keep the event loop alive, so
 * without this `remix-serve` ignores SIGTERM. The first SIGTERM/SIGINT closes
 * and exits; a second one exits at once. Returns a function that uninstalls.
 */
export function installShutdownHandlers(
  close: () => Promise<void>,
  options: ShutdownOptions = {},
): () => void {
  const timeoutMs = options.timeoutMs ?? 10_000;
  let shuttingDown = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (shuttingDown) {
      console.error(`${signal} received again, exiting now`);
      process.exit(1);
    }
    shuttingDown = true;
    const force = setTimeout(() => {
      console.error(`shutdown took longer than ${timeoutMs} ms, exiting`);
      process.exit(1);
    }, timeoutMs);
    force.unref();
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('error during shutdown:', error);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return () => {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  };
}

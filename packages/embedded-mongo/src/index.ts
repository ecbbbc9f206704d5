import { Worker } from 'node:worker_threads';
import {
  AUTH_DB,
  type ClientCredential,
  loadOrCreateCredentials,
  memoryCredentials,
  secureDataDir,
} from './auth/credentials.ts';
import { type ScramCredential, ScramUsers } from './auth/scram.ts';
import { type CommandExecutor, REPLICA_SET_NAME } from './contract.ts';
import { WireServer } from './server.ts';
import { removeServerFile, writeServerFile } from './server-file.ts';
import { debugLog } from './wire/log.ts';
import { workerBundle } from './worker/bundle.ts';
import {
  type FromWorker,
  type ToWorker,
  type WorkerMemory,
  type WorkerStartData,
  deserializeError,
} from './worker/protocol.ts';

export type { CommandExecutor, CommandContext } from './contract.ts';

/** Tests only: on a worker-mode server, makes the worker thread throw an uncaught error. */
export const CRASH_FOR_TESTS: unique symbol = Symbol('embedded-mongo.crashForTests');
export type { WorkerMemory } from './worker/protocol.ts';

export type { ClientCredential } from './auth/credentials.ts';
export { SERVER_FILE, findRunningServer, type RunningServer } from './server-file.ts';

export interface EmbeddedServer {
  /** Where to connect, with the credential in it when authentication is on: do not log it. */
  uri: string;
  /** The same address without any credential (safe to print; a client using it is refused). */
  address: string;
  /** The user and password clients authenticate with (authSource `admin`); absent when authentication is off. */
  credential?: ClientCredential;
  port: number;
  host: string;
  /** Where the server runs: its own worker thread or this thread (see `inProcess`). */
  mode: 'worker' | 'in-process';
  /** Open client connections (for /healthz and tests). */
  connectionCount(): number;
  /**
   * The server thread's JS heap, after a full GC when the process runs with
   * `--expose-gc` (benchmarks). In-process mode: this thread's heap.
   */
  heapUsage(): Promise<WorkerMemory>;
  /** Closes every client connection, then flushes and closes storage. Safe to call twice. */
  close(): Promise<void>;
  [CRASH_FOR_TESTS]?: () => void;
}

export interface EmbeddedServerOptions {
  /** Defaults to 127.0.0.1: the embedded server is for this machine, so it never listens publicly by default. */
  host?: string;
  /** 0 (the default) picks any free port. */
  port?: number;
  /** Where the engine persists; omit for an in-memory database. */
  dataDir?: string;
  /** Serve this executor instead of a new engine (tests); it is closed with the server. Implies in-process. */
  executor?: CommandExecutor;
  /**
   * Run the wire server and the engine on this thread instead of a worker thread.
   * Default: a worker thread with a `dataDir`, this thread in memory mode (tests:
   * quicker start, no thread hop per round trip); `EMBEDDED_DB_IN_PROCESS=1` or `0`
   * overrides the default. Always this thread when `executor` is given.
   */
  inProcess?: boolean;
  /**
   * Called if the worker thread dies after start-up (an engine bug, out of memory).
   * Without it the error is thrown as an uncaught exception on this thread, as the
   * same failure would be in-process: clients would otherwise wait on a dead server.
   */
  onError?: (error: Error) => void;
  /**
   * SCRAM-SHA-256 authentication, on by default: with a `dataDir`, as the credential
   * kept in it (`credential.json`, 0600, generated at first start); in memory, as the
   * credential given here or a random one for this server's life. The server's `uri`
   * carries it. `false` turns it off: only for tests of the wire layer, and the
   * default when a custom `executor` (a test double) is given.
   */
  auth?: boolean | ClientCredential;
  /** Connection cap of the TCP port (default `WIRE_LIMITS.maxConnections`, server.ts). */
  maxConnections?: number;
  /** Idle connections are closed after this long; 0 never (default `WIRE_LIMITS.idleTimeoutMs`). */
  idleTimeoutMs?: number;
}

/**
 * Starts a MongoDB-wire-compatible server listening on `host:port`: with a data
 * directory, in a worker thread of this process (own event loop, own heap: see
 * packages/embedded-mongo/README.md); in memory, on this thread (see `inProcess`).
 */
export async function startEmbeddedServer(options: EmbeddedServerOptions = {}): Promise<EmbeddedServer> {
  const env = process.env.EMBEDDED_DB_IN_PROCESS;
  const inProcess = options.inProcess ?? (env === '1' ? true : env === '0' ? false : !options.dataDir);
  // The data directory is private to this account (0700, files 0600) whether or not
  // clients authenticate: it holds everything the database holds, in clear.
  if (options.dataDir) await secureDataDir(options.dataDir);
  const authOn = options.auth === undefined ? !options.executor : options.auth !== false;
  const credentials = !authOn
    ? undefined
    : options.dataDir
      ? await loadOrCreateCredentials(options.dataDir)
      : memoryCredentials(typeof options.auth === 'object' ? options.auth : undefined);
  const resolved = { ...options, users: credentials?.users, credential: credentials?.client };
  if (options.executor || inProcess) return startInProcess(resolved);
  return startInWorker(resolved);
}

/** Options once the credential is known (the worker thread gets the users, never the password). */
type ResolvedOptions = EmbeddedServerOptions & {
  users?: ScramCredential[];
  credential?: ClientCredential;
};

/**
 * The server's URI. It names the replica set the engine answers as, so a driver
 * checks it is talking to that set and turns on sessions, retryable writes and
 * transactions, as against production's replica set (see packages/embedded-mongo/README.md).
 */
function uriOf(
  host: string,
  port: number,
  replicaSet: string | undefined,
  credential?: ClientCredential,
): string {
  const uriHost = host.includes(':') ? `[${host}]` : host;
  const params = [
    ...(replicaSet ? [`replicaSet=${replicaSet}`] : []),
    ...(credential ? [`authSource=${AUTH_DB}`] : []),
  ];
  const auth = credential
    ? `${encodeURIComponent(credential.user)}:${encodeURIComponent(credential.password)}@`
    : '';
  return `mongodb://${auth}${uriHost}:${port}/${params.length ? `?${params.join('&')}` : ''}`;
}

/** The server on this thread (also what the worker thread runs). */
export async function startInProcess(
  options: ResolvedOptions & { onConnectionCount?: (n: number) => void } = {},
): Promise<EmbeddedServer> {
  const host = options.host ?? '127.0.0.1';
  // Imported lazily so the wire server (and its tests) load without the engine.
  const executor =
    options.executor ??
    (await (await import('./engine/index.ts')).createEngine({ dataDir: options.dataDir }));
  let wire: WireServer;
  try {
    wire = await WireServer.listen({
      host,
      port: options.port ?? 0,
      executor,
      onConnectionCount: options.onConnectionCount,
      users: options.users ? new ScramUsers(options.users) : undefined,
      maxConnections: options.maxConnections,
      idleTimeoutMs: options.idleTimeoutMs,
    });
  } catch (error) {
    await executor.close().catch(() => undefined);
    throw error;
  }
  const port = wire.port;
  const dataDir = options.dataDir;
  if (dataDir) {
    try {
      await writeServerFile(dataDir, host, port);
    } catch (error) {
      await wire.close().catch(() => undefined);
      throw error;
    }
  }
  return {
    uri: uriOf(host, port, executor.replicaSetName, options.credential),
    address: uriOf(host, port, executor.replicaSetName),
    credential: options.credential,
    port,
    host,
    mode: 'in-process',
    connectionCount: () => wire.connectionCount,
    heapUsage: () => {
      globalThis.gc?.();
      const { heapUsed, heapTotal } = process.memoryUsage();
      return Promise.resolve({ heapUsed, heapTotal });
    },
    close: async () => {
      await wire.close();
      if (dataDir) await removeServerFile(dataDir, port).catch(() => undefined);
    },
  };
}

/**
 * Node flags for the worker: the profilers' (`--cpu-prof`, `--heap-prof`…), so
 * `node --cpu-prof` also profiles the server thread, and `--enable-source-maps`.
 * V8 flags (`--expose-gc`, heap sizes) are process-wide and apply to the worker
 * anyway (a Worker refuses them); module loaders are left out: the worker runs a
 * plain-JavaScript bundle, or `boot.mjs` registers tsx itself.
 */
function workerExecArgv(): string[] {
  return process.execArgv.filter((a) => /^--((cpu|heap)-prof|enable-source-maps)/.test(a));
}

const WORKER_YOUNG_GENERATION_MB = 8;

async function startInWorker(options: ResolvedOptions): Promise<EmbeddedServer> {
  const host = options.host ?? '127.0.0.1';
  const counters = new SharedArrayBuffer(4);
  const data: WorkerStartData = {
    entry: new URL('./worker/main.ts', import.meta.url).href,
    host,
    port: options.port ?? 0,
    dataDir: options.dataDir,
    users: options.users,
    maxConnections: options.maxConnections,
    idleTimeoutMs: options.idleTimeoutMs,
    counters,
  };
  // The bundled entry needs no TypeScript loader in the thread; if bundling fails
  // (no writable temporary directory…), tsx is registered in the thread instead.
  const bundle = await workerBundle().catch((error: unknown) => {
    debugLog(`worker bundle unavailable, loading through tsx: ${(error as Error).message}`);
    return { url: new URL('./worker/boot.mjs', import.meta.url), remove: () => undefined };
  });
  const worker = new Worker(bundle.url, {
    workerData: data,
    execArgv: workerExecArgv(),
    name: 'embedded-mongo',
    // A small young generation: the server's garbage is short-lived per command
    // and its long-lived data (documents, indexes) goes to the old generation
    // anyway; measured, the default (up to 3 × 16 MiB) costs ~15 MB of RSS and
    // saves no CPU on a 50,000-document bulk insert.
    resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
  });
  const connections = new Int32Array(counters);
  let state: 'starting' | 'running' | 'closing' | 'closed' = 'starting';
  let closed: { resolve(): void; reject(error: Error): void } | undefined;
  const memoryWaiters = new Map<number, (m: WorkerMemory) => void>();
  let nextMemoryId = 1;

  const started = new Promise<number>((resolve, reject) => {
    const died = (error: Error) => {
      const wasState = state;
      state = 'closed';
      for (const w of memoryWaiters.values()) w({ heapUsed: 0, heapTotal: 0 });
      memoryWaiters.clear();
      if (wasState === 'starting') reject(error);
      // Closing: storage may not have been flushed and closed, so close() rejects.
      else if (wasState === 'closing') closed?.reject(error);
      else if (options.onError) options.onError(error);
      else
        process.nextTick(() => {
          throw error;
        });
    };
    worker.on('message', (m: FromWorker) => {
      switch (m.type) {
        case 'ready':
          state = 'running';
          resolve(m.port);
          break;
        case 'startFailed':
          state = 'closed';
          reject(deserializeError(m.error));
          break;
        case 'closed':
          state = 'closed';
          closed?.resolve();
          break;
        case 'memory':
          memoryWaiters.get(m.id)?.(m.memory);
          memoryWaiters.delete(m.id);
          break;
      }
    });
    worker.on('error', (error) => {
      const e = new Error(`embedded database worker crashed: ${error.message}`, { cause: error });
      died(e);
    });
    worker.on('exit', (code) => {
      if (state === 'closed') return;
      died(new Error(`embedded database worker exited unexpectedly (exit code ${code})`));
    });
  });
  let port: number;
  try {
    port = await started;
  } finally {
    // Loaded (or failed): the file is not needed any more.
    bundle.remove();
  }

  let closing: Promise<void> | undefined;
  return {
    uri: uriOf(host, port, REPLICA_SET_NAME, options.credential),
    address: uriOf(host, port, REPLICA_SET_NAME),
    credential: options.credential,
    port,
    host,
    mode: 'worker',
    connectionCount: () => (state === 'running' ? Atomics.load(connections, 0) : 0),
    heapUsage: () =>
      new Promise<WorkerMemory>((resolve) => {
        if (state !== 'running') return resolve({ heapUsed: 0, heapTotal: 0 });
        const id = nextMemoryId++;
        memoryWaiters.set(id, resolve);
        worker.postMessage({ type: 'memory', id } satisfies ToWorker);
      }),
    [CRASH_FOR_TESTS]: () => worker.postMessage({ type: 'crash' } satisfies ToWorker),
    close() {
      closing ??= (async () => {
        if (state === 'running') {
          state = 'closing';
          try {
            await new Promise<void>((resolve, reject) => {
              closed = { resolve, reject };
              worker.postMessage({ type: 'close' } satisfies ToWorker);
            });
          } finally {
            // Storage is closed (or the thread died); what remains is the thread itself.
            await worker.terminate();
          }
        } else await worker.terminate();
      })();
      return closing;
    },
  };
}

/** Messages between the embedded server's worker thread and the thread that started it. */
import type { ScramCredential } from '../auth/scram.ts';

export interface WorkerStartData {
  /** URL of `main.ts`, imported by `boot.mjs` once tsx is registered. */
  entry: string;
  host: string;
  port: number;
  dataDir?: string;
  /** The users clients must authenticate as (salted keys only); absent: no authentication. */
  users?: ScramCredential[];
  maxConnections?: number;
  idleTimeoutMs?: number;
  /** Int32Array view: [0] = open client connections, kept current by the worker. */
  counters: SharedArrayBuffer;
}

export interface SerializedError {
  message: string;
  name?: string;
  code?: string;
  stack?: string;
}

export interface WorkerMemory {
  /** JS heap of the worker thread after a GC (when `--expose-gc` is on) in bytes. */
  heapUsed: number;
  heapTotal: number;
}

/** Parent → worker. */
export type ToWorker =
  | { type: 'close' }
  | { type: 'memory'; id: number }
  /** Tests only: throw an uncaught error in the worker thread. */
  | { type: 'crash' };

/** Worker → parent. */
export type FromWorker =
  | { type: 'ready'; port: number }
  | { type: 'startFailed'; error: SerializedError }
  | { type: 'closed' }
  | { type: 'memory'; id: number; memory: WorkerMemory };

export function serializeError(error: unknown): SerializedError {
  if (error instanceof Error)
    return {
      message: error.message,
      name: error.name,
      code: (error as NodeJS.ErrnoException).code,
      stack: error.stack,
    };
  return { message: String(error) };
}

export function deserializeError(e: SerializedError): Error {
  const error = new Error(e.message) as NodeJS.ErrnoException;
  if (e.name) error.name = e.name;
  if (e.code) error.code = e.code;
  if (e.stack) error.stack = e.stack;
  return error;
}

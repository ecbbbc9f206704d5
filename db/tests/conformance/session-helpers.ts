/**
 * Helpers for the session, retryable-write and transaction conformance files: catching a
 * server error, recording the commands a client sends and the replies it gets, ordering
 * cluster Timestamps, and small promise utilities. No assertions about MongoDB live here.
 */
import {
  MongoServerError,
  type CommandFailedEvent,
  type CommandStartedEvent,
  type CommandSucceededEvent,
  type MongoClient,
  type Timestamp,
} from 'mongodb';
import { expect } from 'vitest';

/** Awaits `promise`, expects it to reject with a MongoServerError, and returns that error. */
export async function serverError(promise: Promise<unknown>): Promise<MongoServerError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MongoServerError);
  return error as MongoServerError;
}

/** The server's error for `run`, which must fail. */
export const failure = (run: () => Promise<unknown>) => serverError(run());

export interface CommandLog {
  started: CommandStartedEvent[];
  succeeded: CommandSucceededEvent[];
  failed: CommandFailedEvent[];
  /** Started events of one command name, in order. */
  named(name: string): CommandStartedEvent[];
  clear(): void;
}

/** Records every command of a client created with `monitorCommands: true`. */
export function recordCommands(client: MongoClient): CommandLog {
  const log: CommandLog = {
    started: [],
    succeeded: [],
    failed: [],
    named: (name) => log.started.filter((event) => event.commandName === name),
    clear() {
      log.started.length = 0;
      log.succeeded.length = 0;
      log.failed.length = 0;
    },
  };
  client.on('commandStarted', (event) => log.started.push(event));
  client.on('commandSucceeded', (event) => log.succeeded.push(event));
  client.on('commandFailed', (event) => log.failed.push(event));
  return log;
}

/** Negative, zero or positive as `a` is before, equal to or after `b`. */
export function compareTimestamps(a: Timestamp, b: Timestamp): number {
  return a.t - b.t || a.i - b.i;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface Deferred {
  promise: Promise<void>;
  resolve(): void;
}

export function deferred(): Deferred {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

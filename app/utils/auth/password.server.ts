/**
 * Password hashing with scrypt (RFC 7914) from Node's crypto: a proven memory-hard
 * algorithm that needs no native add-on. Stored as `scrypt$N$r$p$salt$hash` so the
 * cost can be raised later without invalidating existing hashes.
 *
 * Every hash runs through one small in-process queue (docs/decisions/024-sign-in-limits.md):
 * scrypt runs on libuv's thread pool (4 threads), which the embedded database's file
 * writes and fsyncs share. Unbounded, a sign-in flood took all four threads and every
 * database write waited 20 s and more. At most HASH_CONCURRENCY hashes run at once and
 * at most HASH_MAX_WAITING wait; a sign-in beyond that is refused at once
 * (PasswordBusyError, answered 429 with Retry-After) instead of queueing without end.
 */
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const KEY_LENGTH = 64;
const COST = { N: 16384, r: 8, p: 1 } as const;

/** Hashes running at once: leaves at least two of libuv's four threads to the database. */
export const HASH_CONCURRENCY = 2;
/** Hashes waiting for a slot; beyond this a sign-in is refused at once. */
export const HASH_MAX_WAITING = 8;
/** What a refused sign-in is told to wait, in seconds. */
export const HASH_BUSY_RETRY_AFTER = 5;

/** The queue is full: answer 429 with `Retry-After: retryAfter`. */
export class PasswordBusyError extends Error {
  readonly retryAfter = HASH_BUSY_RETRY_AFTER;
  constructor() {
    super('password hashing queue is full');
    this.name = 'PasswordBusyError';
  }
}

let running = 0;
const waiting: Array<() => void> = [];
const stats = { started: 0, refused: 0, maxRunning: 0, maxWaiting: 0 };

/** What the queue has done since the last reset (tests and benchmarks). */
export function hashQueueStats() {
  return { ...stats, running, waiting: waiting.length };
}

export function resetHashQueueStats() {
  Object.assign(stats, { started: 0, refused: 0, maxRunning: running, maxWaiting: waiting.length });
}

/**
 * Runs `fn` in a hashing slot. `refuseWhenFull`: a sign-in is refused when the queue is
 * full; setting a password (an administrator, the bootstrap, the seed) waits its turn.
 */
async function inHashSlot<T>(fn: () => Promise<T>, refuseWhenFull: boolean): Promise<T> {
  if (running < HASH_CONCURRENCY) {
    running++;
  } else {
    if (refuseWhenFull && waiting.length >= HASH_MAX_WAITING) {
      stats.refused++;
      throw new PasswordBusyError();
    }
    // The slot is handed over by the hash that ends (`running` stays the same).
    await new Promise<void>((resolve) => {
      waiting.push(resolve);
      stats.maxWaiting = Math.max(stats.maxWaiting, waiting.length);
    });
  }
  stats.started++;
  stats.maxRunning = Math.max(stats.maxRunning, running);
  try {
    return await fn();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}

function scrypt(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scryptCb(
      password.normalize('NFC'),
      salt,
      KEY_LENGTH,
      { ...options, maxmem: 64 * 1024 * 1024 },
      (err, key) => (err ? reject(err) : resolve(key)),
    );
  });
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await inHashSlot(() => scrypt(password, salt, COST), false);
  return ['scrypt', COST.N, COST.r, COST.p, salt.toString('base64'), key.toString('base64')].join('$');
}

/** Throws PasswordBusyError when the hashing queue is full (the caller answers 429). */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, r, p, saltB64, keyB64] = parts;
  const expected = Buffer.from(keyB64, 'base64');
  const key = await inHashSlot(
    () => scrypt(password, Buffer.from(saltB64, 'base64'), { N: Number(n), r: Number(r), p: Number(p) }),
    true,
  );
  return key.length === expected.length && timingSafeEqual(key, expected);
}

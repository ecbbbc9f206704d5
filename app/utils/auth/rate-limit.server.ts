/**
 * Sign-in limits (docs/decisions/024-sign-in-limits.md): every attempt is counted in
 * MongoDB before its password is hashed, so guesses sent in parallel are counted as
 * surely as guesses sent one after another. `rate-limiter-flexible`'s RateLimiterMongo
 * does the counting with one atomic findOneAndUpdate ($inc, upsert) per key, in the
 * app's own database, so several app instances share one count.
 *
 * Four counters, each over its own window:
 * - per address (IP) and globally, checked first: a flood from one address (or from
 *   many) is refused before it creates per-account counters or reaches the hash queue;
 * - per account (email) and per account + address.
 * A successful sign-in resets the account's counters and gives its point back to the
 * address and global counters, so these count failures and attempts still in flight.
 */
import mongoose from 'mongoose';
import { RateLimiterMongo, RateLimiterRes } from 'rate-limiter-flexible';

export const LOGIN_LIMITS = {
  /** The same account from the same address: the limit a person mistyping meets. */
  accountIp: { points: 5, duration: 15 * 60 },
  /** One account from any address: guessing spread over many addresses. */
  account: { points: 10, duration: 15 * 60 },
  /** One address, any accounts (unknown emails too): password spraying, floods. */
  ip: { points: 50, duration: 15 * 60 },
  /** Everyone: the ceiling on failed sign-ins per minute for the whole app. */
  global: { points: 1200, duration: 60 },
} as const;

/** Kept beside the app's other collections; rate-limiter-flexible adds a TTL index on `expire`. */
export const LOGIN_LIMITS_COLLECTION = 'login_limits';

type LimiterName = keyof typeof LOGIN_LIMITS;
type Limiters = Record<LimiterName, RateLimiterMongo>;

let built: { client: unknown; limiters: Limiters; indexes: Promise<void> } | undefined;

/**
 * Built on first use against the connection mongoose has then (tests each open their own).
 * The unique index on `key` is awaited before the first count: without it, two first
 * attempts racing on a real replica set could each insert a document for the same key.
 */
async function limiters(): Promise<Limiters> {
  const client = mongoose.connection.getClient();
  if (built?.client === client) {
    await built.indexes;
    return built.limiters;
  }
  const dbName = mongoose.connection.db?.databaseName;
  if (!dbName) throw new Error('sign-in limits need the database connection');
  const make = (name: LimiterName) => {
    const { points, duration } = LOGIN_LIMITS[name];
    // An address or the whole app over its limit is refused from memory for the rest of
    // the window, so a flood costs the database nothing once it is refused.
    const inMemory = name === 'ip' || name === 'global' ? { inMemoryBlockOnConsumed: points + 1 } : {};
    return new RateLimiterMongo({
      storeClient: client,
      dbName,
      tableName: LOGIN_LIMITS_COLLECTION,
      keyPrefix: `login_${name}`,
      points,
      duration,
      ...inMemory,
      disableIndexesCreation: true,
    });
  };
  const limiters: Limiters = {
    accountIp: make('accountIp'),
    account: make('account'),
    ip: make('ip'),
    global: make('global'),
  };
  // One collection for all four: its TTL index on `expire` and unique index on `key`.
  const indexes = limiters.accountIp.createIndexes();
  built = { client, limiters, indexes };
  indexes.catch(() => {
    if (built?.indexes === indexes) built = undefined; // try again on the next attempt
  });
  await indexes;
  return limiters;
}

const emailKey = (email: string) => email.trim().toLowerCase();

/** Seconds until the refused key frees a point (at least 1). */
const secondsOf = (res: RateLimiterRes) => Math.max(1, Math.ceil(res.msBeforeNext / 1000));

/** Consumes one point from each limiter; the seconds to wait when any refuses, else 0. */
async function consumeAll(pairs: Array<[RateLimiterMongo, string]>): Promise<number> {
  const results = await Promise.allSettled(pairs.map(([limiter, key]) => limiter.consume(key)));
  let retryAfter = 0;
  for (const result of results) {
    if (result.status === 'fulfilled') continue;
    // A RateLimiterRes is a refusal; anything else is the store failing, which must not
    // be mistaken for "allowed".
    if (!(result.reason instanceof RateLimiterRes)) throw result.reason;
    retryAfter = Math.max(retryAfter, secondsOf(result.reason));
  }
  return retryAfter;
}

/**
 * Counts one sign-in attempt before its password is checked. Returns 0 when the attempt
 * may go on, else the seconds to wait (answer 429 with that Retry-After).
 */
export async function consumeLoginAttempt(email: string, ip: string): Promise<number> {
  const l = await limiters();
  const account = emailKey(email);
  const wide = await consumeAll([
    [l.ip, ip],
    [l.global, 'all'],
  ]);
  if (wide > 0) return wide;
  return consumeAll([
    [l.account, account],
    [l.accountIp, `${account}|${ip}`],
  ]);
}

/** A correct password: the account's counts start again; the address and global get their point back. */
export async function loginSucceeded(email: string, ip: string): Promise<void> {
  const l = await limiters();
  const account = emailKey(email);
  await Promise.all([
    l.account.delete(account),
    l.accountIp.delete(`${account}|${ip}`),
    l.ip.reward(ip, 1),
    l.global.reward('all', 1),
  ]);
}

/** For tests: forgets every count (the stored ones and the in-memory refusals). */
export async function resetLoginRateLimit(): Promise<void> {
  built = undefined;
  await mongoose.connection.db?.collection(LOGIN_LIMITS_COLLECTION).deleteMany({});
}

/**
 * Issue 17, findings 1 and 2: the sign-in limit holds against guesses sent in parallel
 * (each attempt is counted in MongoDB before its password is hashed), and a flood of
 * sign-ins to unknown emails cannot occupy more than the hashing queue's slots.
 */
import mongoose from 'mongoose';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { seedDatabase } from '../../seed/seed.server.ts';
import { action as loginAction } from '~/routes/login';
import {
  HASH_CONCURRENCY,
  HASH_MAX_WAITING,
  hashQueueStats,
  resetHashQueueStats,
} from '~/utils/auth/password.server';
import { LOGIN_LIMITS, LOGIN_LIMITS_COLLECTION, resetLoginRateLimit } from '~/utils/auth/rate-limit.server';
import { call, context, post, type RouteResult } from '../fixtures/remix.ts';

const PASSWORD = 'demo1234';

beforeAll(async () => {
  await seedDatabase({ members: 5, seed: 1, reset: true });
});

beforeEach(async () => {
  await resetLoginRateLimit();
  resetHashQueueStats();
});

type LoginData = { formError: string | null };
const login = (email: string, password: string, ip = '203.0.113.7') =>
  call(loginAction, post('/login', { email, password }), {}, context({ clientIp: ip })) as Promise<
    RouteResult<LoginData>
  >;

const countBy = (results: RouteResult[]) =>
  results.reduce<Record<number, number>>((acc, r) => ({ ...acc, [r.status]: (acc[r.status] ?? 0) + 1 }), {});

describe('guesses sent in parallel', () => {
  it('checks only the first few of 30 parallel wrong guesses; the rest and then the right password get 429', async () => {
    const guesses = await Promise.all(
      Array.from({ length: 30 }, (_, i) => login('admin@demo.vn', `wrong-guess-${i}`)),
    );
    const allowed = LOGIN_LIMITS.accountIp.points;
    expect(countBy(guesses)).toEqual({ 400: allowed, 429: 30 - allowed });
    // Counted before the hash: only the allowed guesses ever reached scrypt.
    expect(hashQueueStats().started).toBe(allowed);
    for (const refused of guesses.filter((r) => r.status === 429)) {
      expect(refused.data.formError).toBe('login.rateLimited');
      expect(Number(refused.headers.get('Retry-After'))).toBeGreaterThan(0);
    }

    const right = await login('admin@demo.vn', PASSWORD);
    expect(right).toHaveStatus(429);
    expect(right.headers.get('Set-Cookie')).toBeNull();
    expect(hashQueueStats().started).toBe(allowed);
  });

  it('limits one account across addresses, and the count lives in MongoDB', async () => {
    const guesses = await Promise.all(
      Array.from({ length: 20 }, (_, i) => login('tinhdoan@demo.vn', `wrong-${i}`, `198.51.100.${i + 1}`)),
    );
    expect(countBy(guesses)).toEqual({
      400: LOGIN_LIMITS.account.points,
      429: 20 - LOGIN_LIMITS.account.points,
    });
    const stored = await mongoose.connection
      .db!.collection(LOGIN_LIMITS_COLLECTION)
      .findOne({ key: 'login_account:tinhdoan@demo.vn' });
    expect(stored?.points).toBe(20);
    expect((await login('tinhdoan@demo.vn', PASSWORD, '198.51.100.99')).status).toBe(429);
  });

  it('a successful sign-in starts the account count again', async () => {
    for (let i = 0; i < LOGIN_LIMITS.accountIp.points - 1; i++)
      expect((await login('sinhvien@demo.vn', `bad-${i}`)).status).toBe(400);
    expect((await login('sinhvien@demo.vn', PASSWORD)).status).toBe(302);
    for (let i = 0; i < LOGIN_LIMITS.accountIp.points - 1; i++)
      expect((await login('sinhvien@demo.vn', `bad-again-${i}`)).status).toBe(400);
    expect((await login('sinhvien@demo.vn', PASSWORD)).status).toBe(302);
  });
});

describe('a flood of sign-ins to unknown emails', () => {
  it('never hashes more than the queue allows at once and refuses the excess with 429 at once', async () => {
    // Fifty addresses, so the per-address limit plays no part: the hashing queue alone.
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => login(`nobody-${i}@example.vn`, 'whatever-1', `192.0.2.${i + 1}`)),
    );
    const stats = hashQueueStats();
    expect(stats.maxRunning).toBeLessThanOrEqual(HASH_CONCURRENCY);
    expect(stats.maxWaiting).toBeLessThanOrEqual(HASH_MAX_WAITING);
    const counts = countBy(results);
    expect(Object.keys(counts).sort()).toEqual(['400', '429']);
    expect(counts[429]).toBeGreaterThanOrEqual(25);
    expect(stats.refused).toBe(counts[429]);
    for (const refused of results.filter((r) => r.status === 429)) {
      expect(refused.data.formError).toBe('login.busy');
      expect(Number(refused.headers.get('Retry-After'))).toBeGreaterThan(0);
    }
  });

  it('limits one address spraying unknown emails', async () => {
    const ip = '203.0.113.200';
    for (let i = 0; i < LOGIN_LIMITS.ip.points; i++)
      expect((await login(`spray-${i}@example.vn`, 'whatever-1', ip)).status).toBe(400);
    const started = hashQueueStats().started;
    const refused = await login('spray-last@example.vn', 'whatever-1', ip);
    expect(refused).toHaveStatus(429);
    expect(refused.data.formError).toBe('login.rateLimited');
    expect(Number(refused.headers.get('Retry-After'))).toBeGreaterThan(0);
    // A real account from that address is refused too, without a hash.
    expect((await login('admin@demo.vn', PASSWORD, ip)).status).toBe(429);
    expect(hashQueueStats().started).toBe(started);
    // Another address is not.
    expect((await login('admin@demo.vn', PASSWORD, '203.0.113.201')).status).toBe(302);
  }, 60_000);
});

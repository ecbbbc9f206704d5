/**
 * Failed sign-in limiter: at most MAX_FAILURES per email+IP in WINDOW_MS.
 *
 * In memory on purpose: one process serves the app today, and a restart merely
 * forgives recent failures. Running several instances behind a load balancer
 * needs a shared store (a TTL collection in MongoDB would do); see docs/.
 */
export const MAX_FAILURES = 5;
export const WINDOW_MS = 15 * 60 * 1000;
const MAX_KEYS = 50_000;

const failures = new Map<string, number[]>();

const keyOf = (email: string, ip: string) => `${email.trim().toLowerCase()}|${ip}`;

function recent(key: string, now: number): number[] {
  const list = (failures.get(key) ?? []).filter((t) => now - t < WINDOW_MS);
  if (list.length) failures.set(key, list);
  else failures.delete(key);
  return list;
}

/** Seconds until another attempt is allowed, or 0 when the caller may try now. */
export function loginRetryAfter(email: string, ip: string, now = Date.now()): number {
  const list = recent(keyOf(email, ip), now);
  if (list.length < MAX_FAILURES) return 0;
  return Math.ceil((list[0] + WINDOW_MS - now) / 1000);
}

export function recordLoginFailure(email: string, ip: string, now = Date.now()) {
  const key = keyOf(email, ip);
  const list = recent(key, now);
  list.push(now);
  failures.set(key, list);
  // Bound memory under a credential-stuffing flood: drop the oldest keys.
  if (failures.size > MAX_KEYS) {
    const excess = failures.size - MAX_KEYS;
    let i = 0;
    for (const k of failures.keys()) {
      if (i++ >= excess) break;
      failures.delete(k);
    }
  }
}

export function clearLoginFailures(email: string, ip: string) {
  failures.delete(keyOf(email, ip));
}

/** For tests. */
export function resetLoginRateLimit() {
  failures.clear();
}

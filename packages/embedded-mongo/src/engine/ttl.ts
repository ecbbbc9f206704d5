/**
 * TTL indexes (`expireAfterSeconds`, e.g. sessions): like mongod's TTL monitor,
 * a background pass every 60 s deletes documents whose indexed date is older
 * than the limit. Deletions go through the journal like any write.
 */
import { type Doc, getPath } from './keys.ts';
import type { Store } from './store.ts';
import { LockedByTransaction } from './txn.ts';

export const TTL_INTERVAL_MS = 60_000;

function expired(v: unknown, cutoff: number): boolean {
  if (v instanceof Date) return v.getTime() <= cutoff;
  if (Array.isArray(v)) return v.some((x) => x instanceof Date && x.getTime() <= cutoff);
  return false;
}

/**
 * One pass over `store`, then `flush` (the engine's journal flush, so the deletions
 * are durable before the pass counts as done); returns how many documents were removed.
 */
export async function expireOnce(
  store: Store,
  flush: () => Promise<void>,
  now = Date.now(),
): Promise<number> {
  let removed = 0;
  for (const colls of store.dbs.values()) {
    for (const c of colls.values()) {
      for (const ix of c.indexes.values()) {
        const secs = ix.spec.expireAfterSeconds;
        if (typeof secs !== 'number' || ix.fields.length !== 1) continue;
        const cutoff = now - secs * 1000;
        const victims: Doc[] = [];
        for (const d of c.docs.values()) if (expired(getPath(d, ix.fields[0]), cutoff)) victims.push(d);
        for (const d of victims) {
          try {
            store.remove(c, d);
            removed++;
          } catch (e) {
            // A document an open transaction has written waits for the next pass.
            if (!(e instanceof LockedByTransaction)) throw e;
          }
        }
      }
    }
  }
  await flush();
  return removed;
}

/** Runs `expireOnce(store, flush)` every TTL_INTERVAL_MS; returns the function that stops it. */
export function startTtlMonitor(store: Store, flush: () => Promise<void>): () => void {
  const t = setInterval(() => {
    expireOnce(store, flush).catch((e) =>
      console.warn('[embedded engine] TTL pass failed:', (e as Error).message),
    );
  }, TTL_INTERVAL_MS);
  t.unref();
  return () => clearInterval(t);
}

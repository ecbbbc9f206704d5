/**
 * Sign-in flood benchmark (issue 17, finding 2): the app as `npm start` runs it (server.ts,
 * production build, embedded database in its worker thread on a real data directory, so
 * every write is journalled and fsynced) in a child process on 127.0.0.1; ~30 sign-ins a
 * second to unknown emails (no account needed) for --seconds, while one signed-in user saves
 * a setting (POST /settings/locale, one user-document write, alternating vi/en) one save
 * after another. Reports the save's p50/p95/max during the flood and before it, and how the
 * flood was answered.
 *
 * --many-addresses: each flood request carries a random X-Forwarded-For and the app is
 * started with TRUST_PROXY=loopback, as a flood from many addresses behind a proxy (the
 * per-address limit then does not apply; only the hashing queue and the global limit do).
 *
 * Not a test. Options: --seconds N (20), --rate N (30 a second), --members N (500).
 *   node --import tsx bench/signin-flood.ts --seconds 20
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { benchSignIn, fmtMs, quantile, spawnApp } from './http-app.ts';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) {
  if (process.argv[i] === '--many-addresses') i--;
  else args.set(process.argv[i].replace(/^--/, ''), process.argv[i + 1]);
}
const SECONDS = Math.max(1, Number(args.get('seconds') ?? 20));
const RATE = Math.max(1, Number(args.get('rate') ?? 30));
const MEMBERS = Math.max(0, Number(args.get('members') ?? 500));
const MANY = process.argv.includes('--many-addresses');
const TIMEOUT_MS = 60_000;

process.env.SEED_MEMBERS = String(MEMBERS);
process.env.SEED_DEMO = '1';
if (MANY) process.env.TRUST_PROXY = 'loopback';
else delete process.env.TRUST_PROXY;

const summary = (times: number[]) => {
  const sorted = [...times].sort((a, b) => a - b);
  return sorted.length
    ? `n=${sorted.length} p50 ${fmtMs(quantile(sorted, 0.5))}, p95 ${fmtMs(quantile(sorted, 0.95))}, max ${fmtMs(sorted.at(-1)!)}`
    : 'n=0';
};

async function main() {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'dvut-flood-'));
  console.error(
    `[flood] starting the app on ${dataDir} (seeding ${MEMBERS} members; builds first if needed)…`,
  );
  const app = await spawnApp(dataDir);
  const { base } = app;
  try {
    const cookie = await benchSignIn(base, 'tinhdoan@demo.vn');
    let locale = 'vi';
    const save = async () => {
      locale = locale === 'vi' ? 'en' : 'vi';
      const t0 = performance.now();
      const res = await fetch(`${base}/settings/locale`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: base, Cookie: cookie },
        body: new URLSearchParams({ locale, redirectTo: '/province' }),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      await res.arrayBuffer();
      if (res.status !== 302) throw new Error(`save answered ${res.status}`);
      return performance.now() - t0;
    };

    // Before the flood: the same saves on a quiet app.
    const quiet: number[] = [];
    for (let i = 0; i < 20; i++) quiet.push(await save());

    const statuses = new Map<string, number>();
    const floodTimes: number[] = [];
    let sent = 0;
    const inFlight = new Set<Promise<void>>();
    const flood = () => {
      const n = sent++;
      const headers: Record<string, string> = {
        'Content-Type': 'application/x-www-form-urlencoded',
        Origin: base,
      };
      if (MANY) headers['X-Forwarded-For'] = `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
      const t0 = performance.now();
      const p = fetch(`${base}/login`, {
        method: 'POST',
        redirect: 'manual',
        headers,
        body: new URLSearchParams({ email: `khong-co-${n}@flood.example`, password: `doan-mo-${n}-xyz` }),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      })
        .then(async (res) => {
          await res.arrayBuffer();
          statuses.set(String(res.status), (statuses.get(String(res.status)) ?? 0) + 1);
          floodTimes.push(performance.now() - t0);
        })
        .catch((error: unknown) => {
          const key = (error as Error).name === 'TimeoutError' ? 'timeout' : 'error';
          statuses.set(key, (statuses.get(key) ?? 0) + 1);
        })
        .finally(() => inFlight.delete(p));
      inFlight.add(p);
    };
    const started = performance.now();
    const timer = setInterval(flood, 1000 / RATE);
    // Let the flood build up for a second before the first measured save.
    await new Promise((r) => setTimeout(r, 1000));
    const during: number[] = [];
    while (performance.now() - started < SECONDS * 1000) during.push(await save());
    clearInterval(timer);
    const elapsed = (performance.now() - started) / 1000;
    await Promise.all(inFlight);

    // A real sign-in right after the flood.
    const t0 = performance.now();
    await benchSignIn(base, 'doantruong.pvd@demo.vn').catch((e: Error) =>
      console.error(`[flood] ${e.message}`),
    );
    const realSignIn = performance.now() - t0;

    console.log(
      `\nSign-in flood: ${sent} unknown-email sign-ins in ${elapsed.toFixed(1)} s (${(sent / elapsed).toFixed(1)}/s)` +
        `${MANY ? ' from many addresses (TRUST_PROXY=loopback, random X-Forwarded-For)' : ' from one address'}; ` +
        `${cpus().length} cores, ${new Date().toISOString().slice(0, 10)}`,
    );
    console.log(`  save, quiet:        ${summary(quiet)}`);
    console.log(`  save, during flood: ${summary(during)}`);
    console.log(`  flood answered:     ${[...statuses].map(([k, v]) => `${k} × ${v}`).join(', ')}`);
    console.log(`  flood latency:      ${summary(floodTimes)}`);
    console.log(`  a real sign-in after the flood: ${fmtMs(realSignIn)}\n`);
  } finally {
    await app.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

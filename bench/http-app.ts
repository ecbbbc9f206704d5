/**
 * The app's HTTP stack for benchmarks: Express, compression and the Remix handler on
 * the production build (`npx remix vite:build` first), on a random loopback port.
 */
import type { Server } from 'node:http';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
export const fmtMs = (n: number) => `${n.toFixed(n < 10 ? 1 : 0)} ms`;

export async function startBenchApp(
  dbKind: 'embedded' | 'external',
): Promise<{ base: string; server: Server }> {
  process.env.NODE_ENV = 'production';
  process.env.SESSION_SECRET ??= 'bench-secret-not-for-production-0123456789';
  const [{ default: express }, { default: compression }, { createRequestHandler }] = await Promise.all([
    import('express'),
    import('compression'),
    import('@remix-run/express'),
  ]);
  const build = await import(pathToFileURL(path.join(ROOT, 'build', 'server', 'index.js')).href);
  const app = express();
  app.use(compression());
  app.all(
    '*',
    createRequestHandler({
      build,
      mode: 'production',
      getLoadContext: (req) => ({ cspNonce: 'bench', clientIp: req.ip ?? '', dbKind }),
    }),
  );
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const address = server.address();
  return { base: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`, server };
}

/** Signs a demo account in and returns its session cookie. */
export async function benchSignIn(base: string, email: string): Promise<string> {
  const login = await fetch(`${base}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: base },
    body: new URLSearchParams({ email, password: 'demo1234' }),
  });
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
  if (login.status !== 302 || !cookie) throw new Error(`sign-in failed: ${login.status}`);
  return cookie;
}

/** p50/p95 of `runs` sequential calls after `warmup` unmeasured ones. */
export async function timeCalls(fn: () => Promise<unknown>, runs: number, warmup = 5) {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { p50: quantile(times, 0.5), p95: quantile(times, 0.95) };
}

/**
 * The app's HTTP stack for benchmarks: Express, compression and the Remix handler on
 * the production build (`npx remix vite:build` first), on a random loopback port.
 */
import type { Server } from 'node:http';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { quantile } from './stats.ts';

export { quantile };

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// Production, as `npm start` runs: set when this module loads, before a benchmark imports
// any app module. React picks its development or production build when first loaded;
// setting this later (after the seed had loaded React through the app's modules) left the
// benchmarks rendering with React's development build.
process.env.NODE_ENV = 'production';
process.env.SESSION_SECRET ??= 'bench-secret-not-for-production-0123456789';

export const fmtMs = (n: number) => `${n.toFixed(n < 10 ? 1 : 0)} ms`;

export async function startBenchApp(
  dbKind: 'embedded' | 'external',
): Promise<{ base: string; server: Server }> {
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

/**
 * The app as `npm start` runs it (server.ts, production build, embedded database in its
 * worker thread) in a child process on `dataDir`, on a free loopback port. Resolves once
 * it answers /healthz and has logged its start-up refresh (`[deadlines] …`), so what the
 * benchmark then measures is serving, not starting. `rssBytes` and `cpuSeconds` read
 * /proc (Linux).
 */
export async function spawnApp(dataDir: string): Promise<{
  base: string;
  pid: number;
  rssBytes: () => number;
  cpuSeconds: () => number;
  stop: () => Promise<void>;
}> {
  const { spawn } = await import('node:child_process');
  const { readFileSync } = await import('node:fs');
  const { createServer } = await import('node:net');
  const port = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const a = probe.address();
      probe.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    DATA_DIR: dataDir,
    SESSION_SECRET: process.env.SESSION_SECRET ?? 'bench-secret-not-for-production-0123456789',
  };
  // The embedded server on `dataDir`, in its worker thread, as under `npm start`.
  delete env.MONGODB_URI;
  delete env.EMBEDDED_DB_IN_PROCESS;
  const child = spawn(process.execPath, ['--import', 'tsx', 'server.ts'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const pid = child.pid!;
  let log = '';
  const refreshed = new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      // Only the start-up lines are kept (for the error message).
      if (log.length < 100_000) log += chunk.toString();
      if (log.includes('[deadlines]')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`the app exited (${code}):\n${log.slice(-2000)}`)));
  });
  await refreshed;
  const base = `http://127.0.0.1:${port}`;
  for (;;) {
    const ok = await fetch(`${base}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const proc = (file: string) => readFileSync(`/proc/${pid}/${file}`, 'utf8');
  return {
    base,
    pid,
    rssBytes: () => Number(/VmRSS:\s+(\d+) kB/.exec(proc('status'))?.[1] ?? 0) * 1024,
    cpuSeconds: () => {
      // After the command name: utime and stime are the 12th and 13th fields (clock ticks).
      const stat = proc('stat');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(fields[11]) + Number(fields[12])) / 100;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

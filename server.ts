/**
 * The app server: Express + Remix, run with `node --import tsx server.ts [--dev]`.
 *
 * Order matters: NODE_ENV is fixed from the command line before any module reads
 * the environment, then the database is connected (and seeded when empty) before
 * the first request is accepted, so no request ever sees a half-started app.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import type { Server } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import v8 from 'node:v8';

const DEV = process.argv.includes('--dev');
// Set here rather than in package.json so `npm start` behaves the same on Windows.
process.env.NODE_ENV = DEV ? 'development' : process.env.NODE_ENV === 'test' ? 'test' : 'production';
// Collect garbage once a heap has grown 25 % past what survived the last collection, in
// both threads (set before the database's worker starts). V8's default lets a busy heap
// grow up to 4x first: under `npm run bench:load` the process then reached 1.5-1.8 GB RSS
// for ~350 MB of live data; with this, ~0.7 GB at the same throughput, for ~10 % more CPU
// (docs/benchmarks.md, "Load").
v8.setFlagsFromString('--heap-growing-percent=25');

const ROOT = path.dirname(fileURLToPath(import.meta.url));
const BUILD_DIR = path.join(ROOT, 'build');
const SERVER_BUILD = path.join(BUILD_DIR, 'server', 'index.js');

/** Newest modification time under the given paths (files or folders). */
function newestMtime(paths: string[]): number {
  let newest = 0;
  const visit = (p: string) => {
    if (!existsSync(p)) return;
    const stat = statSync(p);
    if (stat.isDirectory()) {
      for (const entry of readdirSync(p))
        if (entry !== 'node_modules' && entry !== 'tests') visit(path.join(p, entry));
    } else newest = Math.max(newest, stat.mtimeMs);
  };
  paths.forEach(visit);
  return newest;
}

/** `npm start` builds first when build/ is missing or older than what goes into it. */
function ensureFreshBuild() {
  const sources = ['app', 'models', 'public', 'vite.config.ts', 'package.json', 'tsconfig.json'].map((p) =>
    path.join(ROOT, p),
  );
  const built = existsSync(SERVER_BUILD) ? statSync(SERVER_BUILD).mtimeMs : 0;
  if (built > newestMtime(sources)) return;
  console.error(
    built ? '[start] build/ is older than the sources: rebuilding…' : '[start] no build/ yet: building…',
  );
  const result = spawnSync('npx', ['remix', 'vite:build'], {
    cwd: ROOT,
    stdio: 'inherit',
    shell: process.platform === 'win32',
    env: { ...process.env, NODE_ENV: 'production' },
  });
  if (result.status !== 0) {
    console.error('[start] build failed');
    process.exit(result.status ?? 1);
  }
}

const DEMO_LOGINS = [
  ['admin@demo.vn', 'admin', 'everything'],
  ['tinhdoan@demo.vn', 'province_union', 'Quảng Ngãi'],
  ['doantruong.pvd@demo.vn', 'school_union', 'Trường Đại học Phạm Văn Đồng'],
  ['danguy.pvd@demo.vn', 'school_party', 'Trường Đại học Phạm Văn Đồng'],
  ['bithu.pvd@demo.vn', 'school_party', 'the same committee: a second member, for separation of duties'],
  ['sinhvien@demo.vn', 'student', 'one student of that school'],
];

/** What start-up prints when the database has no accounts and no demo is seeded. */
const FIRST_ADMIN_HINT = `[seed] create the first administrator (and the province unit), with the app stopped:
    BOOTSTRAP_PASSWORD='…' npm run bootstrap -- --email admin@example.vn --name "Họ và tên" \\
      --province-name "Tỉnh đoàn …" --province-code CODE
  (docs/operations.md, "First administrator")`;

/** How often the audit chains' heads are anchored (docs/decisions/019-audit-chains-per-record.md). */
const AUDIT_ANCHOR_INTERVAL_MS = 5 * 60 * 1000;

async function main() {
  if (!DEV) ensureFreshBuild();
  const { ensureSessionSecret } = await import('./app/utils/auth/session-secret.server.ts');
  const secret = ensureSessionSecret(process.env, ROOT);
  if (secret) {
    // Short when the data directory is inside the project; the full path when it is elsewhere.
    const inside = path.relative(ROOT, secret.file);
    const where = inside.startsWith('..') || path.isAbsolute(inside) ? secret.file : inside;
    console.warn(
      secret.origin === 'copied'
        ? `[env] SESSION_SECRET not set: copied the local secret from beside the data directory into ${where} (loopback only)`
        : `[env] SESSION_SECRET not set: using the local secret in ${where} (loopback only)`,
    );
  }

  const { getEnv, isLoopbackHost } = await import('./app/utils/env.server.ts');
  const env = getEnv();

  const { connectDatabase, installShutdownHandlers } = await import('./db/connect.server.ts');
  const db = await connectDatabase();
  console.error(`[db] ${db.kind} database connected`);

  // Installed before seeding so Ctrl+C during a long seed still closes the database cleanly.
  const running: { server?: Server; scheduler?: { stop(): Promise<void> } } = {};
  installShutdownHandlers(async () => {
    console.error('[server] shutting down');
    const http = running.server;
    if (http) {
      // Stop accepting; let in-flight requests finish briefly, then cut what is left.
      const closed = new Promise<void>((resolve) => http.close(() => resolve()));
      http.closeIdleConnections();
      const grace = setTimeout(() => http.closeAllConnections(), 3_000);
      await closed;
      clearTimeout(grace);
    }
    // Running jobs are told to stop and given a few seconds; one that does not finish keeps
    // its lease, which expires, and the next start (or another instance) runs it again.
    await running.scheduler?.stop();
    await db.close();
  });

  const { isDatabaseEmpty, seedDatabase } = await import('./seed/seed.server.ts');
  // Demo data (and its published accounts) only on loopback or with SEED_DEMO=1 (seedDemoDecision).
  const databaseEmpty = await isDatabaseEmpty();
  if (!env.SEED_DEMO) {
    console.error(
      isLoopbackHost(env.HOST) || process.env.SEED_DEMO === '0'
        ? '[seed] SEED_DEMO=0: an empty database stays empty (no demo data, no demo accounts)'
        : `[seed] HOST=${env.HOST} can be reached from other machines: no demo data and no demo accounts are seeded (SEED_DEMO=1 to seed them anyway)`,
    );
    if (databaseEmpty) console.error(FIRST_ADMIN_HINT);
  } else if (databaseEmpty) {
    console.error(`[seed] empty database: seeding the demo province with ${env.SEED_MEMBERS} members…`);
    const started = Date.now();
    let lastLine = '';
    await seedDatabase({
      members: env.SEED_MEMBERS,
      seed: 1,
      onProgress: ({ phase, done, total }) => {
        // One line per phase and per tenth of it, not one per batch.
        const tenth = total ? Math.floor((done / total) * 10) : 10;
        const line = `${phase} ${tenth * 10}%`;
        if (line !== lastLine) process.stderr.write(`[seed] ${phase} ${done}/${total}\n`);
        lastLine = line;
      },
    });
    console.error(`[seed] done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  // Audit events written before the hash chains existed get their chain, seq and hashes;
  // every few minutes the heads of the chains written since go into the anchor chain.
  const { anchorAuditChains, chainLegacyAuditEvents } = await import('./app/utils/audit/audit.server.ts');
  const chained = await chainLegacyAuditEvents();
  if (chained) console.error(`[audit] ${chained} earlier events linked into their chains`);
  const anchor = () =>
    anchorAuditChains().catch((error: unknown) => console.error('[audit] anchoring failed', error));
  void anchor();
  setInterval(() => void anchor(), AUDIT_ANCHOR_INTERVAL_MS).unref();
  // Durable scheduled jobs (decision 032): the nightly refresh of eligibility verdicts and
  // deadlines (also run now, at start), and whatever else JOBS lists; state in MongoDB.
  const { createScheduler } = await import('./app/utils/jobs/scheduler.server.ts');
  const { JOBS } = await import('./app/utils/jobs/jobs.server.ts');
  const scheduler = createScheduler({ jobs: JOBS });
  await scheduler.start();
  running.scheduler = scheduler;
  console.error(`[jobs] scheduler started as ${scheduler.instanceId}: ${JOBS.map((j) => j.name).join(', ')}`);

  const [
    { default: express },
    { default: compression },
    { default: helmet },
    { default: morgan },
    { createRequestHandler },
  ] = await Promise.all([
    import('express'),
    import('compression'),
    import('helmet'),
    import('morgan'),
    import('@remix-run/express'),
  ]);

  const app = express();
  app.disable('x-powered-by');
  // X-Forwarded-For only from the proxies TRUST_PROXY names (docs/operations.md), never implied.
  const { applyTrustProxy, clientIpOf } = await import('./app/utils/client-ip.server.ts');
  applyTrustProxy(app, env.TRUST_PROXY);

  // A fresh nonce per request: only scripts carrying it may run (see entry.server.tsx).
  app.use((_req, res, next) => {
    res.locals.cspNonce = randomBytes(16).toString('base64');
    next();
  });
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: true,
        directives: {
          'default-src': ["'self'"],
          'script-src': [
            "'self'",
            (_req, res) => `'nonce-${(res as unknown as { locals: { cspNonce: string } }).locals.cspNonce}'`,
          ],
          // Vite injects CSS through JS in development.
          'style-src': DEV ? ["'self'", "'unsafe-inline'"] : ["'self'"],
          'connect-src': DEV ? ["'self'", 'ws:'] : ["'self'"],
          'img-src': ["'self'", 'data:'],
          'frame-ancestors': ["'none'"],
          'form-action': ["'self'"],
          // The app is also served over plain http on 127.0.0.1; upgrading would break it.
          'upgrade-insecure-requests': null,
        },
      },
      crossOriginEmbedderPolicy: false,
      // Old browsers ignore frame-ancestors; DENY matches it.
      xFrameOptions: { action: 'deny' },
      referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
      strictTransportSecurity:
        env.NODE_ENV === 'production' ? { maxAge: 63072000, includeSubDomains: true } : false,
    }),
  );
  // The outbox's mail preview (app/routes/admin.outbox_.$id.html.ts) sends its own policy:
  // no script and no request at all, the mail's inline styles, framed by this origin only,
  // sandboxed. The app's policy would block those styles, so it gives way on that path only.
  app.use((req, res, next) => {
    if (req.method === 'GET' && /^\/admin\/outbox\/[0-9a-f]{24}\/html$/i.test(req.path)) {
      res.removeHeader('Content-Security-Policy');
      res.removeHeader('X-Frame-Options');
    }
    next();
  });
  // Bodies over their route's limit are refused with 413 before they are read.
  const { createLimitedServer, limitRequestBodies, wasRefusedForSize } =
    await import('./app/utils/http-limits.server.ts');
  app.use(limitRequestBodies());
  app.use(compression());
  app.use(morgan('short', { skip: (req) => (req.url ?? '').startsWith('/assets') }));

  let build: Parameters<typeof createRequestHandler>[0]['build'];
  if (DEV) {
    const vite = await import('vite');
    const viteServer = await vite.createServer({ server: { middlewareMode: true } });
    app.use(viteServer.middlewares);
    build = () => viteServer.ssrLoadModule('virtual:remix/server-build') as never;
  } else {
    // Fingerprinted assets never change; everything else in public/ may.
    app.use(
      '/assets',
      express.static(path.join(BUILD_DIR, 'client', 'assets'), { immutable: true, maxAge: '1y' }),
    );
    app.use(express.static(path.join(BUILD_DIR, 'client'), { maxAge: '1h' }));
    build = await import(pathToFileURL(SERVER_BUILD).href);
  }

  // One origin check and one body-type check for every state-changing request, pages and
  // resource routes alike, and no caching of anything the app's handler answers unless the
  // route chose otherwise (app/utils/request-guards.server.ts).
  const { NO_STORE, bodyRefusal, originRefusal, refusalResponse } =
    await import('./app/utils/request-guards.server.ts');
  app.use((req, res, next) => {
    const writeHead = res.writeHead;
    res.writeHead = function (this: typeof res, ...args: Parameters<typeof writeHead>) {
      const chosen = res.getHeader('Cache-Control');
      if (!chosen || chosen === 'no-store') res.setHeader('Cache-Control', NO_STORE);
      return writeHead.apply(this, args);
    } as typeof writeHead;
    const facts = { method: req.method, pathname: req.path, headers: req.headers };
    const refusal = originRefusal(facts) ?? bodyRefusal(facts);
    if (!refusal) return next();
    const page = refusalResponse(refusal, req.path);
    // The body is not read: close the connection rather than drain what may be a large upload.
    res.set('Connection', 'close');
    res.status(page.status).type(page.contentType).send(page.body);
  });

  app.all(
    '*',
    createRequestHandler({
      build,
      mode: env.NODE_ENV,
      getLoadContext: (req, res) => ({
        cspNonce: res.locals.cspNonce as string,
        clientIp: clientIpOf(req),
        dbKind: db.kind,
      }),
    }),
  );

  // A body cut off at its limit fails whoever was reading it after the 413 went out: not an error.
  app.use((error: unknown, req: Request, res: Response, next: NextFunction) =>
    wasRefusedForSize(req) ? res.destroy() : next(error),
  );

  // Timeouts and a connection cap, all explicit (HTTP_LIMITS, docs/operations.md "Limits").
  const server = await new Promise<Server>((resolve) => {
    const s = createLimitedServer(app).listen(env.PORT, env.HOST, () => resolve(s));
  });
  running.server = server;
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : env.PORT;
  const url = `http://${env.HOST.includes(':') ? `[${env.HOST}]` : env.HOST}:${port}`;
  console.log(`\n  Đoàn viên ưu tú – Quảng Ngãi (${env.NODE_ENV}, ${db.kind} database)\n  ${url}\n`);
  const { mailBanner } = await import('./app/utils/mail/mail-settings.server.ts');
  console.log(`  ${mailBanner(env.SMTP_URL ?? null, url)}\n`);
  if (env.SEED_DEMO) {
    console.log('  Demo logins (password demo1234):');
    for (const [email, role, scope] of DEMO_LOGINS)
      console.log(`    ${email.padEnd(24)} ${role.padEnd(15)} ${scope}`);
  } else if (databaseEmpty) {
    console.log(`  No accounts yet.\n${FIRST_ADMIN_HINT.replace('[seed] ', '  ')}`);
  }
  console.log('');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

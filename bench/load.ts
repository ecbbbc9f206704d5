/**
 * Load benchmark: 50,000 seeded members in an in-memory embedded database, the production
 * build over real HTTP on 127.0.0.1, and 50 concurrent virtual users, each signed in with its
 * own session, looping without think time for 60 s over a weighted mix:
 *
 * - the member table with random filters, as a full page (`/members?…`) and as client data
 *   (`/members.data?…&_routes=routes%2Fmembers._index`);
 * - a member's profile (`/members/<id>`) within the user's scope;
 * - the pipeline board (`/pipeline`) and the dashboard (`/reports`);
 * - for school accounts, a real pipeline step: the tab (`/members/<id>/pipeline`) is read for
 *   the steps offered and the record's `version`, then the tab's action records
 *   `return_for_improvement` (with a reason) or, for a record already returned, `resume`, so
 *   the same records go back and forth without draining a stage.
 *
 * Users: a fifth province (`tinhdoan@demo.vn`), the rest split between the school Union
 * (`doantruong.<code>`) and Party committee (`danguy.<code>`) accounts of the largest schools.
 * A 409 (two users stepping the same record at once) is an expected outcome; any 5xx, network
 * error, timeout or other unexpected status is an error, and the process exits 1 when there
 * is one. The dashboard is counted at start as server.ts does; every step marks the members
 * written, so recounts run in the background during the test, as in production.
 *
 * Not a test. Needs `npx remix vite:build` first (`npm run bench:load` builds).
 * Options: --members N (50000), --users N (50), --seconds N (60), --schools N (6),
 * --think MS (0: closed loop; each user waits 0..2×MS between requests), --in-process (the
 * database on the app's thread instead of its worker thread), --no-writes (reads only: no steps),
 * --app-process (seed a data directory here, then run the app as `npm start` does, in its own
 * process on that directory, and report that process's memory and CPU: the server's own
 * figures, without the load generator's).
 * --with-notification-jobs (issue 21: "the daily due-date scan and the weekly digests … without
 * raising the p95 of page requests under the load benchmark by more than 10 % while it runs"):
 * the same users and mix run without a pause through a warm-up (--warmup S, 10), a phase
 * without jobs (--seconds) and a phase of the same length with the jobs on the app's thread
 * as the scheduler runs them (the real JobDefinitions: the due scan, then the weekly digests,
 * and the mail job composing and sending into the outbox at the phase's start and every
 * `everyMs` after it), then a third phase without jobs again (drift shows); p50/p95 per phase
 * by the time each request started, and the ratio of the jobs' phase to the two others. The
 * second phase lasts at least until the jobs end. In memory only (not with
 * --app-process: the jobs run here, beside the app).
 *   node --import tsx bench/load.ts --seconds 60
 *   node --import tsx bench/load.ts --with-notification-jobs --seconds 60
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { benchSignIn, fmtMs, spawnApp, startBenchApp } from './http-app.ts';
import { mulberry32, quantile } from './stats.ts';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) {
  if (['--in-process', '--no-writes', '--app-process', '--with-notification-jobs'].includes(process.argv[i]))
    i--;
  else args.set(process.argv[i].replace(/^--/, ''), process.argv[i + 1]);
}
const MEMBERS = Number(args.get('members') ?? 50_000);
const USERS = Math.max(1, Number(args.get('users') ?? 50));
const SECONDS = Math.max(1, Number(args.get('seconds') ?? 60));
const SCHOOLS = Math.max(1, Number(args.get('schools') ?? 6));
const THINK_MS = Math.max(0, Number(args.get('think') ?? 0));
const TIMEOUT_MS = 60_000;
// As under `npm start`, the database runs in its own worker thread (db/README.md), here in
// memory; `--in-process` keeps it on the app's thread as the other HTTP benchmarks do.
if (!process.argv.includes('--in-process')) process.env.EMBEDDED_DB_IN_PROCESS ??= '0';
const NO_WRITES = process.argv.includes('--no-writes');
const APP_PROCESS = process.argv.includes('--app-process');
const WITH_JOBS = process.argv.includes('--with-notification-jobs');
const WARMUP_SECONDS = Math.max(0, Number(args.get('warmup') ?? 10));
if (WITH_JOBS && APP_PROCESS)
  throw new Error('--with-notification-jobs runs the jobs beside the app: not with --app-process');

type Rand = () => number;
const pick = <T>(r: Rand, list: readonly T[]): T => list[Math.floor(r() * list.length)];
function weighted<T extends string>(r: Rand, weights: Record<T, number>): T {
  const entries = Object.entries(weights) as [T, number][];
  let x = r() * entries.reduce((s, [, w]) => s + w, 0);
  for (const [k, w] of entries) if ((x -= w) < 0) return k;
  return entries[entries.length - 1][0];
}

const ROUTES = [
  'GET /members',
  'GET /members.data',
  'GET /members/:id',
  'GET /pipeline',
  'GET /reports',
  'GET /members/:id/pipeline',
  'POST /members/:id/pipeline',
] as const;
type Route = (typeof ROUTES)[number];

interface Stat {
  times: number[];
  errors: number;
  conflicts: number;
  statuses: Map<number | string, number>;
}
const stats = new Map<Route, Stat>(
  ROUTES.map((r) => [r, { times: [], errors: 0, conflicts: 0, statuses: new Map() }]),
);
const errorSamples: string[] = [];
/** Every request's start and duration, for the phases of --with-notification-jobs. */
const samples: { start: number; ms: number; get: boolean }[] = [];
let stepsRecorded = 0;
let stepsUnavailable = 0;

/** One timed request; the body is always read, so the time includes rendering and transfer. */
async function call(
  base: string,
  route: Route,
  path: string,
  cookie: string,
  expected: readonly number[],
  init: { method?: string; body?: URLSearchParams } = {},
): Promise<{ status: number; body: string } | null> {
  const s = stats.get(route)!;
  const t0 = performance.now();
  let status: number | string;
  let body = '';
  try {
    const res = await fetch(base + path, {
      method: init.method ?? 'GET',
      redirect: 'manual',
      headers: {
        Cookie: cookie,
        'Accept-Encoding': 'gzip',
        ...(init.body ? { 'Content-Type': 'application/x-www-form-urlencoded', Origin: base } : {}),
      },
      body: init.body,
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    body = await res.text();
    status = res.status;
  } catch (error) {
    status = (error as Error).name === 'TimeoutError' ? 'timeout' : 'network';
    if (errorSamples.length < 10) errorSamples.push(`${route} ${path}: ${String(error)}`);
  }
  s.times.push(performance.now() - t0);
  samples.push({ start: t0, ms: performance.now() - t0, get: !init.method || init.method === 'GET' });
  s.statuses.set(status, (s.statuses.get(status) ?? 0) + 1);
  if (status === 409) s.conflicts++;
  if (typeof status !== 'number' || !expected.includes(status)) {
    s.errors++;
    if (typeof status === 'number' && errorSamples.length < 10)
      errorSamples.push(`${route} ${path}: HTTP ${status} ${body.slice(0, 200).replace(/\s+/g, ' ')}`);
    return null;
  }
  return { status, body };
}

interface Persona {
  kind: 'province' | 'school_union' | 'school_party';
  email: string;
  /** Members this user may read. */
  profileIds: string[];
  /** Records this user's side may return (and resume). */
  stepIds: string[];
  schoolId?: string;
  schools: string[];
}

const SURNAMES = ['nguyen', 'tran', 'le', 'pham', 'huynh', 'vo', 'dang', 'bui', 'thi', 'anh', 'minh'];
const SORTS = ['name.asc', 'name.desc', 'gpa.desc', 'dob.asc', 'stage.asc', 'days.desc', 'school.asc'];
const LIST_STAGES = ['member', 'outstanding', 'awareness_class', 'dossier', 'introduced', 'probation'];

/** A member-table query as users build it: a few filters, a sort, one of the first pages. */
function listQuery(r: Rand, p: Persona): string {
  const q = new URLSearchParams();
  if (r() < 0.4) q.set('stage', pick(r, LIST_STAGES));
  if (r() < 0.3) q.set('q', pick(r, SURNAMES));
  if (p.kind === 'province' && r() < 0.4) q.set('school', pick(r, p.schools));
  if (r() < 0.15) q.set('eligible', pick(r, ['yes', 'no']));
  if (r() < 0.1) q.set('gender', pick(r, ['male', 'female']));
  q.set('sort', pick(r, SORTS));
  q.set('page', String(1 + Math.floor(r() * r() * 5)));
  if (r() < 0.2) q.set('size', '100');
  return q.toString();
}

const MIX = {
  province: { list: 30, listData: 20, profile: 25, board: 12, reports: 13, step: 0 },
  school: { list: 22, listData: 15, profile: 23, board: 10, reports: 10, step: 20 },
};

/** Reads the tab for the steps offered and the version, then records one through the action. */
async function step(base: string, r: Rand, p: Persona, cookie: string) {
  const id = pick(r, p.stepIds);
  const tab = await call(base, 'GET /members/:id/pipeline', `/members/${id}/pipeline`, cookie, [200]);
  if (!tab) return;
  const version = /name="version" value="(\d+)"/.exec(tab.body)?.[1];
  // A step whose form is disabled (withdrawn consent, an open rule conflict, separation of
  // duties) is not offered: a browser cannot submit it, and the server would refuse it (400).
  const offered = new Set(
    [...tab.body.matchAll(/<form[^>]*id="step-([a-z_]+)"[^>]*>([\s\S]*?)<\/form>/g)]
      .filter((m) => !/<fieldset[^>]*\sdisabled=""/.test(m[2]))
      .map((m) => m[1]),
  );
  const body = new URLSearchParams();
  if (offered.has('return_for_improvement')) {
    body.set('intent', 'return_for_improvement');
    body.set('reason', 'Bổ sung minh chứng hoạt động tình nguyện (kiểm thử tải)');
  } else if (offered.has('resume')) {
    body.set('intent', 'resume');
    body.set('note', 'Đã bổ sung (kiểm thử tải)');
  }
  if (!version || !body.has('intent')) {
    stepsUnavailable++;
    return;
  }
  body.set('version', version);
  const res = await call(base, 'POST /members/:id/pipeline', `/members/${id}/pipeline`, cookie, [302, 409], {
    method: 'POST',
    body,
  });
  if (res?.status === 302) stepsRecorded++;
}

async function virtualUser(base: string, index: number, p: Persona, cookie: string, until: { at: number }) {
  // Seeded so two runs ask for the same mix.
  const r = mulberry32(1000 + index);
  const mix = p.kind === 'province' ? MIX.province : { ...MIX.school, ...(NO_WRITES ? { step: 0 } : {}) };
  while (performance.now() < until.at) {
    const what = weighted(r, mix);
    switch (what) {
      case 'list':
        await call(base, 'GET /members', `/members?${listQuery(r, p)}`, cookie, [200]);
        break;
      case 'listData':
        await call(
          base,
          'GET /members.data',
          `/members.data?${listQuery(r, p)}&_routes=routes%2Fmembers._index`,
          cookie,
          [200],
        );
        break;
      case 'profile':
        await call(base, 'GET /members/:id', `/members/${pick(r, p.profileIds)}`, cookie, [200]);
        break;
      case 'board':
        await call(base, 'GET /pipeline', r() < 0.2 ? '/pipeline?overdue=1' : '/pipeline', cookie, [200]);
        break;
      case 'reports':
        await call(base, 'GET /reports', '/reports', cookie, [200]);
        break;
      case 'step':
        await step(base, r, p, cookie);
        break;
    }
    if (THINK_MS) await new Promise((resolve) => setTimeout(resolve, r() * 2 * THINK_MS));
  }
}

const sleepUntil = (t: number) =>
  new Promise((resolve) => setTimeout(resolve, Math.max(0, t - performance.now())));
const fmtLoad = (l: number[]) => l.map((x) => x.toFixed(2)).join(' / ');

interface PhaseFigures {
  requests: number;
  rate: number;
  p50: number;
  p95: number;
  p99: number;
  getP95: number;
}

/** The requests that started inside `windows`: their count, rate and quantiles. */
function phaseFigures(windows: [number, number][]): PhaseFigures {
  const inside = samples.filter((s) => windows.some(([from, to]) => s.start >= from && s.start < to));
  const all = inside.map((s) => s.ms).sort((a, b) => a - b);
  const gets = inside
    .filter((s) => s.get)
    .map((s) => s.ms)
    .sort((a, b) => a - b);
  const seconds = windows.reduce((sum, [from, to]) => sum + (to - from), 0) / 1000;
  return {
    requests: all.length,
    rate: all.length / seconds,
    p50: quantile(all, 0.5),
    p95: quantile(all, 0.95),
    p99: quantile(all, 0.99),
    getP95: quantile(gets, 0.95),
  };
}

/** Merges overlapping [start, end) intervals. */
function union(intervals: [number, number][]): [number, number][] {
  const out: [number, number][] = [];
  for (const [a, b] of [...intervals].sort((x, y) => x[0] - y[0])) {
    const last = out[out.length - 1];
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

/**
 * --with-notification-jobs: the users run without a pause through the warm-up, phase A (no
 * jobs) and phase B (the jobs on this thread, as the scheduler runs them in the app).
 */
async function runWithJobs(base: string, personas: Persona[], cookies: string[]) {
  const { DUE_SCAN_JOB } = await import('../app/utils/notifications/due-scan.server.ts');
  const { WEEKLY_DIGEST_JOB } = await import('../app/utils/notifications/weekly-digest.server.ts');
  const { MAIL_JOB } = await import('../app/utils/mail/mail-jobs.server.ts');
  const { Notification } = await import('../models/notification.ts');
  const { MailMessage } = await import('../models/mail-message.ts');
  type Job = typeof DUE_SCAN_JOB;

  const aStart = performance.now() + WARMUP_SECONDS * 1000;
  const bStart = aStart + SECONDS * 1000;
  const bNominalEnd = bStart + SECONDS * 1000;
  // Open until the jobs are done, so they never run without the load.
  const until = { at: Infinity };
  const users = Promise.all(personas.map((p, i) => virtualUser(base, i, p, cookies[i], until)));
  await sleepUntil(aStart);
  const loadA = loadavg();
  await sleepUntil(bStart);
  const loadB = loadavg();

  const runs: { name: string; start: number; end: number; result: unknown }[] = [];
  const runJob = async (job: Job) => {
    const start = performance.now();
    // A failure is a result here, as the scheduler records it (and retries later).
    const result = await job
      .run({ now: new Date(), signal: new AbortController().signal })
      .catch((error: unknown) => ({ failed: String((error as Error).message ?? error).slice(0, 160) }));
    runs.push({ name: job.name, start, end: performance.now(), result });
  };
  // The scan (06:00) and the digests (Monday 07:00) back to back: the worst case, both at once.
  const chain = (async () => {
    await runJob(DUE_SCAN_JOB);
    await runJob(WEEKLY_DIGEST_JOB);
  })();
  const every = 'everyMs' in MAIL_JOB.schedule ? MAIL_JOB.schedule.everyMs : 30_000;
  let chainDone = false;
  void chain.finally(() => (chainDone = true));
  // As scheduled: at the phase's start and every `everyMs`, through the phase and until the
  // first run after the scan and digests (which composes and sends what they made).
  const mail = (async () => {
    for (let next = bStart; ; next += every) {
      await sleepUntil(next);
      const afterChain = chainDone;
      await runJob(MAIL_JOB);
      if (afterChain && next + every >= bNominalEnd) break;
    }
  })();
  await Promise.all([chain, mail]);
  await sleepUntil(bNominalEnd);
  const bEnd = performance.now();
  const loadC = loadavg();
  // Phase C: no jobs again, so a drift over the run (warming, heap growth, the machine's
  // other work) shows instead of passing for the jobs' cost.
  until.at = bEnd + SECONDS * 1000;
  await users;
  const cEnd = performance.now();
  const loadEnd = loadavg();

  const a = phaseFigures([[aStart, bStart]]);
  const b = phaseFigures([[bStart, bEnd]]);
  const c = phaseFigures([[bEnd, cEnd]]);
  const quiet = phaseFigures([
    [aStart, bStart],
    [bEnd, cEnd],
  ]);
  const busyWindows = union(runs.map((r) => [r.start, r.end]));
  const busy = phaseFigures(busyWindows);
  const busySeconds = busyWindows.reduce((sum, [from, to]) => sum + (to - from), 0) / 1000;
  const errors = [...stats.values()].reduce((sum, s) => sum + s.errors, 0);
  const row = (name: string, f: PhaseFigures, load: string) =>
    `| ${name} | ${f.requests.toLocaleString('en')} | ${f.rate.toFixed(1)} | ${fmtMs(f.p50)} | ${fmtMs(f.p95)} | ${fmtMs(f.p99)} | ${fmtMs(f.getP95)} | ${load} |`;
  const ratio = (x: number, y: number) => `${(x / y).toFixed(2)}×`;

  console.log(
    `\n### Load with the notification jobs: ${USERS} users, ${MEMBERS.toLocaleString('en')} members; ${SECONDS} s without jobs (A), ${((bEnd - bStart) / 1000).toFixed(0)} s with them (B), ${SECONDS} s without (C) (embedded server in memory, ${process.env.EMBEDDED_DB_IN_PROCESS === '0' ? 'worker thread' : 'app thread'})\n`,
  );
  console.log(
    `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}; ${WARMUP_SECONDS} s warm-up; ${THINK_MS ? `think time 0-${2 * THINK_MS} ms` : 'no think time (closed loop)'}${NO_WRITES ? '; reads only' : ''}; ${errors} errors.\n`,
  );
  console.log(
    '| phase | requests | req/s | p50 | p95 | p99 | GET p95 | load average (1/5/15 min) at its start |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  console.log(row('A: no jobs', a, fmtLoad(loadA)));
  console.log(row('B: with the jobs', b, fmtLoad(loadB)));
  console.log(row(`B, while a job ran (${busySeconds.toFixed(1)} s)`, busy, '–'));
  console.log(row('C: no jobs', c, fmtLoad(loadC)));
  console.log(row('A and C: no jobs', quiet, '–'));
  console.log(`\nLoad average at the end: ${fmtLoad(loadEnd)}.`);
  console.log(
    `\n**p95 B ÷ (A and C): ${ratio(b.p95, quiet.p95)}; while a job ran ÷ (A and C): ${ratio(busy.p95, quiet.p95)}** (target ≤ 1.10; B ÷ A ${ratio(b.p95, a.p95)}, B ÷ C ${ratio(b.p95, c.p95)}); p50 ${ratio(b.p50, quiet.p50)} / ${ratio(busy.p50, quiet.p50)}; GET p95 ${ratio(b.getP95, quiet.getP95)} / ${ratio(busy.getP95, quiet.getP95)}; req/s ${ratio(b.rate, quiet.rate)} / ${ratio(busy.rate, quiet.rate)}.\n`,
  );
  console.log('| job | started (s into B) | took | result |\n|---|---|---|---|');
  for (const r of runs.sort((x, y) => x.start - y.start))
    console.log(
      `| ${r.name} | ${((r.start - bStart) / 1000).toFixed(1)} | ${((r.end - r.start) / 1000).toFixed(1)} s | ${JSON.stringify(r.result).replace(/"/g, '').replace(/,/g, ', ')} |`,
    );
  const mailStates = await MailMessage.aggregate<{ _id: string; n: number }>([
    { $group: { _id: '$state', n: { $sum: 1 } } },
  ]);
  console.log(
    `\n${(await Notification.countDocuments()).toLocaleString('en')} notifications stored; mail messages by state: ${mailStates.map((m) => `${m._id} ${m.n}`).join(', ') || 'none'}; steps recorded ${stepsRecorded}.`,
  );
  if (errors) {
    console.error(`[load] ${errors} errors; first ones:\n  ${errorSamples.join('\n  ')}`);
    process.exitCode = 1;
  }
}

async function main() {
  const { connectDatabase } = await import('../db/connect.server.ts');
  const { seedDatabase } = await import('../seed/seed.server.ts');
  const { refreshEligibility } = await import('../app/utils/criteria/eligibility.server.ts');
  const { refreshAllPipelineDue } = await import('../app/utils/pipeline/pipeline-due.server.ts');
  const { warmDashboards } = await import('../app/utils/reports/reports.server.ts');
  const { Member } = await import('../models/member.ts');
  const { Unit } = await import('../models/unit.ts');
  const { default: mongoose } = await import('mongoose');

  const dataDir = APP_PROCESS ? mkdtempSync(path.join(tmpdir(), 'dvut-load-')) : null;
  const db = await connectDatabase({ dataDir });
  let server: Server | undefined;
  let app: Awaited<ReturnType<typeof spawnApp>> | undefined;
  try {
    const t0 = performance.now();
    await seedDatabase({ members: MEMBERS, seed: 1 });
    console.error(`[load] seeded ${MEMBERS} members in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    // What server.ts runs at start-up before serving (the app process does it itself).
    if (!APP_PROCESS) {
      await refreshEligibility({});
      await refreshAllPipelineDue();
      await warmDashboards();
    }

    // The largest schools, and who may act on which records there.
    const bySchool = await Member.aggregate<{ _id: unknown; n: number }>([
      { $group: { _id: '$schoolId', n: { $sum: 1 } } },
      { $sort: { n: -1 } },
    ]);
    const units = await Unit.find({ kind: 'school', active: true }).select({ _id: 1, code: 1 }).lean();
    const codeOf = new Map(units.map((u) => [String(u._id), u.code]));
    const schools = bySchool
      .map((s) => String(s._id))
      .filter((id) => codeOf.has(id))
      .slice(0, SCHOOLS);
    const allIds = (await Member.find().select({ _id: 1 }).lean()).map((m) => String(m._id));
    const idsOf = async (filter: Record<string, unknown>, limit = 0) =>
      (await Member.find(filter).select({ _id: 1 }).limit(limit).lean()).map((m) => String(m._id));
    const partyStages = ['awareness_class', 'dossier', 'introduced', 'branch_vote', 'committee_review'];
    const perSchool = new Map<string, { profile: string[]; union: string[]; party: string[] }>();
    for (const id of schools) {
      const oid = new mongoose.Types.ObjectId(id);
      perSchool.set(id, {
        profile: await idsOf({ schoolId: oid }),
        // 60 records per side and school: enough to spread the writes, few enough that two
        // users sometimes step the same record at once (the 409 path).
        union: await idsOf({ schoolId: oid, 'pipeline.stage': 'outstanding' }, 60),
        party: await idsOf({ schoolId: oid, 'pipeline.stage': mongoose.trusted({ $in: partyStages }) }, 60),
      });
    }

    let base: string;
    if (APP_PROCESS) {
      // The data directory now belongs to the app process alone.
      await db.close();
      app = await spawnApp(dataDir!);
      base = app.base;
      console.error(`[load] the app runs as process ${app.pid} on ${dataDir}`);
    } else {
      const started = await startBenchApp(db.kind);
      server = started.server;
      base = started.base;
    }
    const personas: Persona[] = [];
    for (let i = 0; i < USERS; i++) {
      const slot = i % 5;
      if (slot === 0) {
        personas.push({
          kind: 'province',
          email: 'tinhdoan@demo.vn',
          profileIds: allIds,
          stepIds: [],
          schools,
        });
        continue;
      }
      const schoolId = schools[Math.floor(i / 5) % schools.length];
      const code = codeOf.get(schoolId)!.toLowerCase();
      const s = perSchool.get(schoolId)!;
      const union = slot === 4;
      personas.push({
        kind: union ? 'school_union' : 'school_party',
        email: `${union ? 'doantruong' : 'danguy'}.${code}@demo.vn`,
        profileIds: s.profile,
        stepIds: union ? s.union : s.party,
        schoolId,
        schools,
      });
    }
    const cookies: string[] = [];
    for (const p of personas) cookies.push(await benchSignIn(base, p.email));
    if (WITH_JOBS) {
      console.error(
        `[load] ${USERS} users signed in; ${WARMUP_SECONDS} s warm-up, ${SECONDS} s without jobs, ${SECONDS} s+ with them…`,
      );
      await runWithJobs(base, personas, cookies);
      return;
    }
    console.error(
      `[load] ${USERS} users signed in (${personas.filter((p) => p.kind === 'province').length} province, ` +
        `${personas.filter((p) => p.kind === 'school_party').length} school Party, ` +
        `${personas.filter((p) => p.kind === 'school_union').length} school Union; schools ` +
        `${schools.map((id) => codeOf.get(id)).join(', ')}); running ${SECONDS} s…`,
    );

    // The app's memory and CPU: the child's under --app-process, else this whole process.
    const rssNow = () => (app ? app.rssBytes() : process.memoryUsage().rss);
    const cpuNow = () => (app ? app.cpuSeconds() * 1e6 : process.cpuUsage().user + process.cpuUsage().system);
    const rssStart = rssNow();
    let rssMax = 0;
    const sampler = setInterval(() => (rssMax = Math.max(rssMax, rssNow())), 1000);
    const load0 = loadavg();
    const cpu0 = cpuNow();
    const elu0 = performance.eventLoopUtilization();
    const start = performance.now();
    const until = { at: start + SECONDS * 1000 };
    await Promise.all(personas.map((p, i) => virtualUser(base, i, p, cookies[i], until)));
    const elapsed = (performance.now() - start) / 1000;
    clearInterval(sampler);
    const cpuMicros = cpuNow() - cpu0;
    const elu = performance.eventLoopUtilization(elu0);
    const load1 = loadavg();
    const rss = rssNow();
    rssMax = Math.max(rssMax, rss);

    const mb = (n: number) => `${Math.round(n / 2 ** 20)} MB`;
    const rows: string[] = [];
    let total = 0;
    let totalErrors = 0;
    let totalConflicts = 0;
    const all: number[] = [];
    for (const route of ROUTES) {
      const s = stats.get(route)!;
      const t = [...s.times].sort((a, b) => a - b);
      total += t.length;
      totalErrors += s.errors;
      totalConflicts += s.conflicts;
      all.push(...t);
      if (!t.length) continue;
      rows.push(
        `| ${route} | ${t.length.toLocaleString('en')} | ${s.errors} | ${s.conflicts || ''} | ${(t.length / elapsed).toFixed(1)} | ${fmtMs(quantile(t, 0.5))} | ${fmtMs(quantile(t, 0.95))} | ${fmtMs(quantile(t, 0.99))} |`,
      );
    }
    all.sort((a, b) => a - b);

    console.log(
      `\n### Load: ${USERS} concurrent users, ${SECONDS} s, ${MEMBERS.toLocaleString('en')} members (${APP_PROCESS ? 'the app in its own process as under `npm start`: embedded server with a data directory, worker thread' : `embedded server, in memory, ${process.env.EMBEDDED_DB_IN_PROCESS === '0' ? 'worker thread' : 'app thread'}`})\n`,
    );
    console.log(
      `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${Math.round(totalmem() / 2 ** 30)} GB RAM; load average ${load0.map((x) => x.toFixed(2)).join(' / ')} before, ${load1.map((x) => x.toFixed(2)).join(' / ')} after; ${THINK_MS ? `think time 0-${2 * THINK_MS} ms` : 'no think time (closed loop)'}${NO_WRITES ? '; reads only (--no-writes)' : ''}.\n`,
    );
    console.log('| route | requests | errors | 409 | req/s | p50 | p95 | p99 |');
    console.log('|---|---|---|---|---|---|---|---|');
    for (const r of rows) console.log(r);
    console.log(
      `| **all** | ${total.toLocaleString('en')} | ${totalErrors} | ${totalConflicts || ''} | ${(total / elapsed).toFixed(1)} | ${fmtMs(quantile(all, 0.5))} | ${fmtMs(quantile(all, 0.95))} | ${fmtMs(quantile(all, 0.99))} |`,
    );
    console.log(
      `\nSteps recorded: ${stepsRecorded} (409 conflicts: ${stats.get('POST /members/:id/pipeline')!.conflicts}; tab read with no step offered or every step blocked: ${stepsUnavailable}). ` +
        `RSS ${mb(rssStart)} when the run started, ${mb(rss)} at the end, peak ${mb(rssMax)} (${APP_PROCESS ? 'the app process: app, mongoose and the embedded server with every document' : 'one process: the app, mongoose, the in-memory server with every document, and the load generator itself'}). ` +
        `${APP_PROCESS ? 'App process' : 'Process'} CPU ${(cpuMicros / 1e6 / elapsed).toFixed(2)} cores on average (both threads)${APP_PROCESS ? '' : `; main thread (app + load generator) event loop ${(elu.utilization * 100).toFixed(0)}% busy`}. Elapsed ${elapsed.toFixed(1)} s.`,
    );
    const statusLine = ROUTES.map(
      (r) => `${r}: ${[...stats.get(r)!.statuses].map(([k, v]) => `${k}×${v}`).join(' ') || '-'}`,
    ).join('; ');
    console.error(`[load] statuses: ${statusLine}`);
    if (totalErrors) {
      console.error(`[load] ${totalErrors} errors; first ones:\n  ${errorSamples.join('\n  ')}`);
      process.exitCode = 1;
    }
  } finally {
    if (server) {
      const closed = new Promise<void>((resolve) => server!.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    }
    if (app) await app.stop();
    else await db.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);

/**
 * Province review benchmark: 50,000 seeded members in an in-memory embedded database,
 * the production build over real HTTP: `/pipeline` (counts by stage, overdue counts,
 * the most urgent cards of each lane) as the province and as one school, the overdue
 * filter and one lane's page; and the dashboard `/reports` (funnel, per-school table,
 * trends, breakdowns, bottlenecks). Target (design.md, province dashboard): p95 ≤ 300 ms.
 *
 * Not a test. Needs `npx remix vite:build` first. Options: --members N, --runs N.
 *   node --import tsx bench/pipeline-board.ts
 */
import type { Server } from 'node:http';
import { cpus, loadavg, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { benchSignIn, fmtMs, startBenchApp, timeCalls } from './http-app.ts';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2)
  args.set(process.argv[i].replace(/^--/, ''), process.argv[i + 1]);
const MEMBERS = Number(args.get('members') ?? 50_000);
const RUNS = Math.max(20, Number(args.get('runs') ?? 40));

async function main() {
  const { connectDatabase } = await import('../db/connect.server.ts');
  const { seedDatabase } = await import('../seed/seed.server.ts');
  const { refreshAllPipelineDue } = await import('../app/utils/pipeline/pipeline-due.server.ts');
  const { Unit } = await import('../models/unit.ts');
  const db = await connectDatabase({ dataDir: null });
  let server: Server | undefined;
  try {
    const t0 = performance.now();
    await seedDatabase({ members: MEMBERS, seed: 1 });
    console.error(`[bench] seeded ${MEMBERS} members in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    // What the server runs at start and each night (every record rescanned, nothing to change).
    const refresh = await refreshAllPipelineDue();

    const app = await startBenchApp(db.kind);
    server = app.server;
    const province = await benchSignIn(app.base, 'tinhdoan@demo.vn');
    const school = await benchSignIn(app.base, 'danguy.pvd@demo.vn');
    const pvd = (await Unit.findOne({ code: 'PVD' }).lean())!;
    const get = (cookie: string, path: string) => async () => {
      const res = await fetch(app.base + path, { headers: { Cookie: cookie, 'Accept-Encoding': 'gzip' } });
      if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
      await res.arrayBuffer();
    };
    const cases: [string, () => Promise<void>][] = [
      ['province, all lanes (full page)', get(province, '/pipeline')],
      ['province, all lanes (client data)', get(province, '/pipeline.data?_routes=routes%2Fpipeline._index')],
      ['province, overdue only', get(province, '/pipeline?overdue=1')],
      ['province, one school', get(province, `/pipeline?school=${pvd._id}`)],
      ['province, one lane, page 2', get(province, '/pipeline?stage=outstanding&page=2')],
      ['school (danguy.pvd), all lanes', get(school, '/pipeline')],
      ['school ready queue (committee review)', get(school, '/pipeline/ready?step=record_committee_review')],
      ['province dashboard `/reports` (full page)', get(province, '/reports')],
      ['province dashboard (client data)', get(province, '/reports.data?_routes=routes%2Freports._index')],
      ['province dashboard, one school', get(province, `/reports?school=${pvd._id}`)],
      ['school dashboard (danguy.pvd)', get(school, '/reports')],
    ];
    // The dashboard keeps its figures (reports.server.ts): a year not asked before is a
    // cache miss, so these rows are the counting itself.
    let missYear = 2000;
    cases.push(
      [
        'province dashboard, counted (kept figures missed)',
        () => get(province, `/reports?year=${missYear++}`)(),
      ],
      ['school dashboard, counted (kept figures missed)', () => get(school, `/reports?year=${missYear++}`)()],
    );
    const rows: string[] = [];
    for (const [name, fn] of cases) {
      const t = await timeCalls(fn, RUNS);
      rows.push(`| ${name} | ${fmtMs(t.p50)} | ${fmtMs(t.p95)} |`);
    }
    console.log(
      `\n### Pipeline board and dashboard at ${MEMBERS.toLocaleString('en')} members (embedded server, in memory)\n`,
    );
    console.log(
      `${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${Math.round(totalmem() / 2 ** 30)} GB RAM; ${RUNS} sequential runs each after 5 warm-up; load average ${loadavg()[0].toFixed(1)}.\n`,
    );
    console.log('| request | p50 | p95 |');
    console.log('|---|---|---|');
    for (const r of rows) console.log(r);
    console.log(
      `\nNext-deadline refresh (start-up and nightly): ${refresh.scanned} records scanned, ${refresh.written} written, ${refresh.ms} ms. RSS ${Math.round(process.memoryUsage().rss / 2 ** 20)} MB.`,
    );
  } finally {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await db.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

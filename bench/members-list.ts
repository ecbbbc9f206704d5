/**
 * Member list benchmark (design.md, performance targets): 50,000 seeded members in
 * an in-memory embedded database, the production Remix build behind Express on a
 * random port, and a signed-in province user loading
 * `/members?school=PVD&stage=…&q=…&sort=name.asc&size=50` over real HTTP.
 * The same query (find + countDocuments, same filter, projection, sort, page)
 * through the bare `mongodb` driver gives the floor the app is compared with.
 *
 * Not a test. Needs `npx remix vite:build` first. Prints a Markdown table for
 * docs/benchmarks.md. Options: --members N (default 50000), --runs N (default 60).
 *   node --import tsx bench/members-list.ts
 */
import type { Server } from 'node:http';
import { cpus, loadavg, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { benchSignIn, fmtMs, quantile, startBenchApp } from './http-app.ts';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2)
  args.set(process.argv[i].replace(/^--/, ''), process.argv[i + 1]);
const MEMBERS = Number(args.get('members') ?? 50_000);
const RUNS = Math.max(50, Number(args.get('runs') ?? 60));
const WARMUP = 10;

const fmt = fmtMs;

/**
 * Runs the measured calls round-robin (A, B, C, A, B, C…) so a busy machine slows
 * them alike and the ratios stay meaningful.
 */
async function timeInterleaved(fns: (() => Promise<unknown>)[]): Promise<{ p50: number; p95: number }[]> {
  for (let i = 0; i < WARMUP; i++) for (const fn of fns) await fn();
  const times = fns.map(() => [] as number[]);
  for (let i = 0; i < RUNS; i++) {
    for (const [j, fn] of fns.entries()) {
      const t0 = performance.now();
      await fn();
      times[j].push(performance.now() - t0);
    }
  }
  return times.map((t) => {
    t.sort((a, b) => a - b);
    return { p50: quantile(t, 0.5), p95: quantile(t, 0.95) };
  });
}

async function main() {
  const { connectDatabase } = await import('../db/connect.server.ts');
  const { seedDatabase } = await import('../seed/seed.server.ts');
  const { Unit } = await import('../models/unit.ts');
  const { MongoClient, ObjectId } = await import('mongodb');
  const { searchKey } = await import('../app/domain/text.ts');
  const { ROW_PROJECTION, escapeRegex } = await import('../app/utils/members/members-list.server.ts');
  const { default: mongoose } = await import('mongoose');

  const db = await connectDatabase({ dataDir: null });
  let server: Server | undefined;
  let client: InstanceType<typeof MongoClient> | undefined;
  try {
    const t0 = performance.now();
    await seedDatabase({ members: MEMBERS, seed: 1 });
    console.error(`[bench] seeded ${MEMBERS} members in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    const app = await startBenchApp(db.kind);
    server = app.server;
    const base = app.base;
    const cookie = await benchSignIn(base, 'tinhdoan@demo.vn');

    const school = (await Unit.findOne({ code: 'PVD' }).select({ _id: 1, ancestors: 1 }).lean())!;
    const province = school.ancestors[0];
    const stage = 'member';
    const q = 'nguyen';
    const query = `school=${school._id}&stage=${stage}&q=${q}&sort=name.asc&size=50&page=2`;
    const listUrl = `${base}/members?${query}`;

    // Sanity: the page renders a full page 2 of the filtered list.
    const check = await fetch(listUrl, { headers: { Cookie: cookie } });
    const page = await check.text();
    const rowCount = Number(/data-count="(\d+)"/.exec(page)?.[1] ?? 0);
    const rendered = page.split('scope="row"').length - 1;
    if (check.status !== 200 || rendered !== 50)
      throw new Error(`unexpected list page: ${check.status}, ${rendered} rows of ${rowCount}`);
    // Single fetch: client navigations load `/members.data` (turbo-stream), not `?_data=`.
    const dataUrl = `${base}/members.data?${query}&_routes=routes%2Fmembers._index`;

    // The same page through the bare driver: the filter the app builds for this URL.
    client = await MongoClient.connect(db.uri);
    // The database the app's mongoose connection uses.
    const members = client.db(mongoose.connection.db!.databaseName).collection('members');
    const filter = {
      ancestors: province,
      schoolId: new ObjectId(String(school._id)),
      'pipeline.stage': stage,
      searchKey: { $regex: `(?:^| )${escapeRegex(searchKey(q))}` },
    };
    // The app's own projection, so the two sides fetch the same fields.
    const projection = ROW_PROJECTION;
    const fetchPage = async () => {
      const res = await fetch(listUrl, { headers: { Cookie: cookie, 'Accept-Encoding': 'gzip' } });
      if (res.status !== 200) throw new Error(`status ${res.status}`);
      await res.arrayBuffer();
    };
    const fetchData = async () => {
      const res = await fetch(dataUrl, { headers: { Cookie: cookie } });
      if (res.status !== 200) throw new Error(`status ${res.status}`);
      await res.arrayBuffer();
    };
    const bare = () =>
      Promise.all([
        members.find(filter, { projection }).sort({ nameSortKey: 1, _id: 1 }).skip(50).limit(50).toArray(),
        members.countDocuments(filter),
      ]);
    const [driver, dataOnly, html] = await timeInterleaved([bare, fetchData, fetchPage]);

    // Informational: province-wide sorts the documents hold no single field for (aggregation path).
    const extra: [string, { p50: number; p95: number }][] = [];
    for (const sort of ['gpa.desc', 'stage.asc', 'branch.asc', 'name.asc']) {
      const url = `${base}/members.data?sort=${sort}&_routes=routes%2Fmembers._index`;
      const times: number[] = [];
      for (let i = 0; i < 12; i++) {
        const t0 = performance.now();
        const res = await fetch(url, { headers: { Cookie: cookie } });
        await res.arrayBuffer();
        if (i >= 2) times.push(performance.now() - t0);
      }
      times.sort((a, b) => a - b);
      extra.push([sort, { p50: quantile(times, 0.5), p95: quantile(times, 0.95) }]);
    }

    const rss = Math.round(process.memoryUsage().rss / 1024 / 1024);
    const rows: [string, string, string, string][] = [
      ['bare driver: find (page of 50) + countDocuments', fmt(driver.p50), fmt(driver.p95), '1.00×'],
      [
        'client navigation data over HTTP (`/members.data`)',
        fmt(dataOnly.p50),
        fmt(dataOnly.p95),
        `${(dataOnly.p95 / driver.p95).toFixed(2)}×`,
      ],
      [
        'full page (SSR HTML, gzip) over HTTP',
        fmt(html.p50),
        fmt(html.p95),
        `${(html.p95 / driver.p95).toFixed(2)}×`,
      ],
    ];
    console.log(
      `\n### Member list at ${MEMBERS.toLocaleString('en')} members (embedded server, in memory)\n`,
    );
    console.log(
      `${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${Math.round(totalmem() / 2 ** 30)} GB RAM; ${RUNS} runs of each after ${WARMUP} warm-up, sequential and interleaved; load average ${loadavg()[0].toFixed(1)}.`,
    );
    console.log(`Query: \`/members?${query}\` as tinhdoan@demo.vn: ${rowCount} matching members.\n`);
    console.log('| request | p50 | p95 | p95 vs driver |');
    console.log('|---|---|---|---|');
    for (const r of rows) console.log(`| ${r.join(' | ')} |`);
    console.log(
      `\nWhole province (${MEMBERS.toLocaleString('en')} members), no filter, \`/members.data\`, 10 runs:\n`,
    );
    console.log('| sort | p50 | p95 |');
    console.log('|---|---|---|');
    for (const [sort, t] of extra) console.log(`| ${sort} | ${fmt(t.p50)} | ${fmt(t.p95)} |`);
    console.log(
      `\nTargets: full request p95 ≤ 200 ms (${html.p95 <= 200 ? 'met' : 'NOT met'}); ≤ 1.3× the bare driver (${html.p95 / driver.p95 <= 1.3 ? 'met' : 'NOT met'}). RSS ${rss} MB.`,
    );
  } finally {
    await client?.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await db.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

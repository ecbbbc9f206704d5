/**
 * `npm run bench:db`: the embedded server's targets at 50,000 member-shaped documents
 * of about 3 KB (issue 2: embedded server). Prints a Markdown table to paste into
 * docs/benchmarks.md. Options: --docs N (default 50000), --runs N (default 40),
 * --insert-runs N (times the 50,000-document insert is timed, default 3),
 * --no-cast (skip the slow insert with mongoose casting).
 *
 * CPU time (user + system of this process, GC threads included) is printed next to
 * wall time: on a shared machine it is the steadier estimate of idle wall time.
 * Restart and server-only memory are measured in a fresh child process. The server
 * runs in its worker thread (the default); process CPU time and RSS include it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { BSON } from 'bson';
import mongoose, { Schema } from 'mongoose';
import { startEmbeddedServer } from '@dvut/embedded-mongo';
import { memberShapedDocs } from './member-shaped.ts';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i].replace(/^--/, '');
  const next = process.argv[i + 1];
  if (next !== undefined && !next.startsWith('--')) {
    args.set(a, next);
    i++;
  } else args.set(a, 'true');
}
const DOCS = Number(args.get('docs') ?? 50_000);
const RUNS = Number(args.get('runs') ?? 40);
const INSERT_RUNS = Number(args.get('insert-runs') ?? 3);
/** The casting rows go in slices (mongoose documents for all 50,000 at once need GBs). */
const BATCH = 5000;

const MemberSchema = new Schema(
  {
    fullName: String,
    searchKey: String,
    nameSortKey: String,
    studentCode: String,
    email: String,
    schoolId: Schema.Types.ObjectId,
    branchId: Schema.Types.ObjectId,
    ancestors: [Schema.Types.ObjectId],
    dateOfBirth: Date,
    gender: String,
    stage: String,
    academicTerms: [{ year: String, term: Number, scale: Number, gpa: Number, conductScore: Number }],
    awards: [{ title: String, kind: String, level: String, date: Date, decisionNo: String, issuer: String }],
    activities: [{ campaign: String, role: String, days: Number, startDate: Date, endDate: Date }],
    unionRatings: [{ year: String, level: String }],
    notes: String,
  },
  { timestamps: true },
);
MemberSchema.index({ email: 1 }, { unique: true });
MemberSchema.index({ schoolId: 1, studentCode: 1 }, { unique: true });
MemberSchema.index({ ancestors: 1, stage: 1, nameSortKey: 1 });

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const ms = (n: number) => (n >= 1000 ? `${(n / 1000).toFixed(2)} s` : `${n.toFixed(n < 10 ? 2 : 0)} ms`);
const mb = () => Math.round(process.memoryUsage().rss / 1024 / 1024);
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
/** Wall and CPU time of `fn`. */
async function timed(fn: () => Promise<unknown>): Promise<{ wall: number; cpu: number }> {
  const t = performance.now();
  const c = cpuMs();
  await fn();
  return { wall: performance.now() - t, cpu: cpuMs() - c };
}
const wallCpu = (x: { wall: number; cpu: number }) => `${ms(x.wall)} wall / ${ms(x.cpu)} CPU`;

/**
 * Resident memory of the whole process (every thread) after a full GC of this
 * thread's heap and of the server's (its worker thread's) heap.
 */
async function settledRss(server: Awaited<ReturnType<typeof startEmbeddedServer>>): Promise<number> {
  global.gc?.();
  global.gc?.();
  await server.heapUsage();
  await server.heapUsage();
  return mb();
}

/** Child mode: restart from `dir`, count through mongoose, report times and memory. */
async function restartChild(dir: string): Promise<void> {
  let server: Awaited<ReturnType<typeof startEmbeddedServer>> | undefined;
  let count = 0;
  const startup = await timed(async () => {
    server = await startEmbeddedServer({ port: 0, dataDir: dir });
  });
  const serverRss = await settledRss(server!);
  const serverHeap = Math.round((await server!.heapUsage()).heapUsed / 1024 / 1024);
  const total = await timed(async () => {
    await mongoose.connect(server!.uri, { dbName: 'bench' });
    count = await mongoose.connection.db!.collection('benchmembers').estimatedDocumentCount();
  });
  const rss = await settledRss(server!);
  const heap = Math.round(
    (process.memoryUsage().heapUsed + (await server!.heapUsage()).heapUsed) / 1024 / 1024,
  );
  await mongoose.disconnect();
  await server!.close();
  console.log(
    JSON.stringify({
      startup,
      total: { wall: startup.wall + total.wall, cpu: startup.cpu + total.cpu },
      count,
      serverRss,
      serverHeap,
      rss,
      heap,
    }),
  );
}

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), 'dvut-bench-'));
  const castDir = mkdtempSync(join(tmpdir(), 'dvut-bench-cast-'));
  const rows: [string, string, string][] = [];
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(', ');
  try {
    let server = await startEmbeddedServer({ port: 0, dataDir });
    await mongoose.connect(server.uri, { dbName: 'bench' });
    const Member = mongoose.model('BenchMember', MemberSchema);
    await Member.syncIndexes();

    const { docs, schools } = memberShapedDocs(DOCS, 1);
    const avg = Math.round(docs.slice(0, 200).reduce((a, d) => a + BSON.calculateObjectSize(d), 0) / 200);

    // (a) lean: mongoose skips casting/validation; the documents go to the driver as they are.
    // One call with every document, as the target says: the driver splits it into
    // messages of at most 16 MiB (nine here) and sends them one after another.
    // Timed INSERT_RUNS times, each into a new server and data directory (the
    // first one's stays for the rows below): one run on a shared machine varies
    // by ±0.3 s.
    const leanRuns: { wall: number; cpu: number }[] = [];
    for (let run = 1; run < INSERT_RUNS; run++) {
      const dir = mkdtempSync(join(tmpdir(), 'dvut-bench-run-'));
      const other = await startEmbeddedServer({ port: 0, dataDir: dir });
      const conn = await mongoose.createConnection(other.uri, { dbName: 'bench' }).asPromise();
      const Again = conn.model('BenchMember', MemberSchema);
      await Again.syncIndexes();
      const copies = docs.map((d) => ({ ...d }));
      global.gc?.();
      leanRuns.push(await timed(() => Again.insertMany(copies, { lean: true })));
      await conn.close();
      await other.close();
      rmSync(dir, { recursive: true, force: true });
    }
    global.gc?.();
    leanRuns.push(await timed(() => Member.insertMany(docs, { lean: true })));
    const byWall = [...leanRuns].sort((a, b) => a.wall - b.wall);
    rows.push([
      `mongoose \`insertMany(docs, { lean: true })\` of ${DOCS} docs (~${avg} B BSON each, one call), data directory (journaled, fsynced): median of ${leanRuns.length} runs (each, in order: the first also warms up the driver's and mongoose's code in this process)`,
      `${wallCpu(byWall[byWall.length >> 1])} (${leanRuns.map((r) => ms(r.wall)).join(', ')})`,
      '≤ 5 s',
    ]);

    const emails = Array.from({ length: 1000 }, (_, i) => docs[(i * 7919) % docs.length].email);
    const lookups: number[] = [];
    for (const email of emails) {
      const t = performance.now();
      await Member.findOne({ email }).lean();
      lookups.push(performance.now() - t);
    }
    lookups.sort((a, b) => a - b);
    rows.push([
      'findOne by unique key (1,000 lookups): median / p95',
      `${ms(quantile(lookups, 0.5))} / ${ms(quantile(lookups, 0.95))}`,
      '≤ 1 ms',
    ]);

    const pages: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      const school = schools[r % schools.length];
      const filter = {
        ancestors: school,
        stage: 'member',
        searchKey: { $regex: ['nguyen', 'tran', 'le', 'thi'][r % 4] },
      };
      const t = performance.now();
      await Promise.all([
        Member.find(filter)
          .sort({ nameSortKey: 1 })
          .skip(50)
          .limit(50)
          .select('fullName studentCode stage')
          .lean(),
        Member.countDocuments(filter),
      ]);
      pages.push(performance.now() - t);
    }
    pages.sort((a, b) => a - b);
    rows.push([
      `filter (school + stage + name regex) + sort + page of 50, plus count (${RUNS} runs): p50 / p95`,
      `${ms(quantile(pages, 0.5))} / ${ms(quantile(pages, 0.95))}`,
      '≤ 150 ms',
    ]);
    rows.push([
      `resident memory after GC, this process (server + mongoose + the ${DOCS} input documents the benchmark holds)`,
      `${await settledRss(server)} MB`,
      '',
    ]);

    await mongoose.disconnect();
    await server.close();

    // Restart in a fresh process: start-up, recovery, first answer; then its memory.
    const out = execFileSync(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url), '--restart-child', dataDir],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const r = JSON.parse(out.trim().split('\n').pop()!) as {
      startup: { wall: number; cpu: number };
      total: { wall: number; cpu: number };
      count: number;
      serverRss: number;
      serverHeap: number;
      rss: number;
      heap: number;
    };
    if (r.count !== DOCS) throw new Error(`recovered ${r.count} of ${DOCS} documents`);
    rows.push([
      `restart and recovery of ${DOCS} documents from disk (fresh process: \`startEmbeddedServer\` until it answers, then mongoose connect + count)`,
      `${wallCpu(r.startup)}; with connect + count ${wallCpu(r.total)}`,
      '≤ 5 s',
    ]);
    rows.push([
      `resident memory after GC, fresh process holding only the server with the ${DOCS} documents (whole process: main thread + server worker)`,
      `${r.serverRss} MB (server thread's JS heap ${r.serverHeap} MB)`,
      '≤ 400 MB',
    ]);
    rows.push([
      `same process once mongoose is connected and has counted (no input documents)`,
      `${r.rss} MB (JS heaps of both threads ${r.heap} MB)`,
      '',
    ]);

    if (args.get('no-cast') !== 'true') {
      // (b) the same documents with mongoose's casting, into a fresh server and data directory.
      server = await startEmbeddedServer({ port: 0, dataDir: castDir });
      await mongoose.connect(server.uri, { dbName: 'bench' });
      await Member.syncIndexes();
      global.gc?.();
      const cast = await timed(async () => {
        for (let i = 0; i < docs.length; i += BATCH) await Member.insertMany(docs.slice(i, i + BATCH));
      });
      rows.push([
        `mongoose \`insertMany(docs)\` with casting and validation, ${DOCS} docs, data directory`,
        wallCpu(cast),
        '(see next row)',
      ]);
      await mongoose.disconnect();
      await server.close();

      // (c) what (b) spends in mongoose itself: casting, validation and toObject, no server.
      global.gc?.();
      const alone = await timed(async () => {
        for (let i = 0; i < docs.length; i += BATCH) {
          const batch = docs.slice(i, i + BATCH).map((d) => new Member(d));
          await Promise.all(batch.map((d) => d.validate()));
          for (const d of batch) d.toObject({ depopulate: true });
        }
      });
      rows.push([
        `mongoose casting alone (\`new Model(doc)\` + \`validate()\` + \`toObject()\` ×${DOCS}, no server)`,
        wallCpu(alone),
        '',
      ]);
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(castDir, { recursive: true, force: true });
  }

  const cpu = cpus();
  console.log(
    `\nEmbedded server benchmark, ${new Date().toISOString()}, ${cpu.length} × ${cpu[0]?.model}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, load average at start ${load}, at end ${loadavg()
      .map((l) => l.toFixed(2))
      .join(', ')}\n`,
  );
  console.log('| measure | result | target |\n|---|---|---|');
  for (const [what, result, goal] of rows) console.log(`| ${what} | ${result} | ${goal} |`);
}

if (args.has('restart-child')) await restartChild(args.get('restart-child')!);
else await main();
process.exit(0);

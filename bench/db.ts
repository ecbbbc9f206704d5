/**
 * `npm run bench:db`: the embedded server's targets at 50,000 member-shaped documents
 * of about 3 KB (issue: embedded server). Prints a Markdown table to paste into
 * docs/benchmarks.md. Options: --docs N (default 50000), --runs N (default 40).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { BSON } from 'bson';
import mongoose, { Schema } from 'mongoose';
import { startEmbeddedServer } from '../db/embedded/index.ts';
import { memberShapedDocs } from './member-shaped.ts';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i].replace(/^--/, ''), process.argv[i + 1]);
const DOCS = Number(args.get('docs') ?? 50_000);
const RUNS = Number(args.get('runs') ?? 40);

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

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const ms = (n: number) => `${n.toFixed(n < 10 ? 2 : 0)} ms`;
const mb = () => Math.round(process.memoryUsage().rss / 1024 / 1024);

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), 'dvut-bench-'));
  const rows: [string, string, string][] = [];
  try {
    let server = await startEmbeddedServer({ port: 0, dataDir });
    await mongoose.connect(server.uri, { dbName: 'bench' });
    const Member = mongoose.model('BenchMember', MemberSchema);
    await Member.syncIndexes();

    const { docs, schools } = memberShapedDocs(DOCS, 1);
    const avg = Math.round(docs.slice(0, 200).reduce((a, d) => a + BSON.calculateObjectSize(d), 0) / 200);

    let t = performance.now();
    for (let i = 0; i < docs.length; i += 5000) await Member.insertMany(docs.slice(i, i + 5000), { lean: false });
    const insertMs = performance.now() - t;
    rows.push([`mongoose insertMany of ${DOCS} docs (~${avg} B each, batches of 5,000)`, ms(insertMs), '≤ 5 s']);

    const emails = Array.from({ length: 1000 }, (_, i) => docs[(i * 7919) % docs.length].email);
    const lookups: number[] = [];
    for (const email of emails) {
      t = performance.now();
      await Member.findOne({ email }).lean();
      lookups.push(performance.now() - t);
    }
    lookups.sort((a, b) => a - b);
    rows.push(['findOne by unique key (1,000 lookups), median', ms(quantile(lookups, 0.5)), '≤ 1 ms']);

    const pages: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      const school = schools[r % schools.length];
      const filter = { ancestors: school, stage: 'member', searchKey: { $regex: ['nguyen', 'tran', 'le', 'thi'][r % 4] } };
      t = performance.now();
      await Promise.all([
        Member.find(filter).sort({ nameSortKey: 1 }).skip(50).limit(50).select('fullName studentCode stage').lean(),
        Member.countDocuments(filter),
      ]);
      pages.push(performance.now() - t);
    }
    pages.sort((a, b) => a - b);
    rows.push([
      'filter (school + stage + name regex) + sort + page of 50, plus count: p50 / p95',
      `${ms(quantile(pages, 0.5))} / ${ms(quantile(pages, 0.95))}`,
      '≤ 150 ms',
    ]);
    global.gc?.();
    rows.push(['resident memory with the documents loaded (server and client in one process)', `${mb()} MB`, '≤ 400 MB']);

    await mongoose.disconnect();
    await server.close();
    t = performance.now();
    server = await startEmbeddedServer({ port: 0, dataDir });
    await mongoose.connect(server.uri, { dbName: 'bench' });
    const count = await mongoose.connection.db!.collection('benchmembers').estimatedDocumentCount();
    const restartMs = performance.now() - t;
    if (count !== DOCS) throw new Error(`recovered ${count} of ${DOCS} documents`);
    rows.push([`restart and recovery of ${DOCS} documents from disk`, ms(restartMs), '≤ 5 s']);
    await mongoose.disconnect();
    await server.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }

  console.log(`\nEmbedded server benchmark, ${new Date().toISOString().slice(0, 10)}, ${cpus().length} × ${cpus()[0]?.model}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}\n`);
  console.log('| measure | result | target |\n|---|---|---|');
  for (const [what, result, goal] of rows) console.log(`| ${what} | ${result} | ${goal} |`);
}

await main();
process.exit(0);

/**
 * Quick measurements of the engine at 50,000 member-shaped documents (~3 KB).
 * Not a test. Run: node --expose-gc --import tsx db/embedded/engine/measure.ts [count]
 * Set MEASURE_E2E=1 to also time mongoose insertMany through the wire server
 * (or pass --e2e-only for just that).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { BSON, ObjectId } from 'bson';
import { createEngine } from './index.ts';

const N = Number(process.argv[2] ?? 50_000);
const STAGES = ['outstanding', 'class', 'dossier', 'vote', 'decision', 'probation', 'official'];
const ctx = { connectionId: 1 };

function rng(seed: number) {
  return () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
}

// A province has hundreds of branches and a few hundred staff users: ids repeat.
const BRANCHES = Array.from({ length: 500 }, () => new ObjectId());
const USERS = Array.from({ length: 200 }, () => new ObjectId());

export function memberDoc(i: number, schools: ObjectId[], r = rng(i + 1)): BSON.Document {
  const pick = <T>(a: T[]) => a[Math.floor(r() * a.length)];
  const last = pick(['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Huỳnh', 'Phan', 'Vũ', 'Võ', 'Đặng']);
  const first = pick([
    'An',
    'Bình',
    'Chi',
    'Dũng',
    'Giang',
    'Hà',
    'Khánh',
    'Linh',
    'Minh',
    'Nam',
    'Phương',
    'Quân',
    'Thảo',
    'Trang',
  ]);
  const fullName = `${last} Văn ${first} ${i}`;
  const school = schools[i % schools.length];
  const d = (y: number) => new Date(Date.UTC(y, Math.floor(r() * 12), 1 + Math.floor(r() * 28)));
  return {
    fullName,
    searchKey: fullName
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/đ/g, 'd')
      .replace(/Đ/g, 'D')
      .toLowerCase(),
    dateOfBirth: d(2004),
    gender: pick(['male', 'female']),
    studentCode: `SV${String(i).padStart(7, '0')}`,
    email: `sv${i}@student.demo.vn`,
    phone: `09${String(Math.floor(r() * 1e8)).padStart(8, '0')}`,
    sensitive: {
      ethnicity: 'Kinh',
      religion: 'Không',
      citizenId: String(Math.floor(r() * 1e12)).padStart(12, '0'),
    },
    schoolId: school,
    branchId: BRANCHES[i % BRANCHES.length],
    ancestors: [schools[0], school, BRANCHES[i % BRANCHES.length]],
    union: {
      joinedAt: d(2019),
      cardNumber: `DV${i}`,
      ratings: [2021, 2022, 2023, 2024].map((y) => ({
        year: y,
        rating: pick(['excellent', 'good', 'fair']),
      })),
    },
    academicTerms: [2021, 2022, 2023, 2024].flatMap((y) =>
      [1, 2].map((t) => ({
        year: `${y}-${y + 1}`,
        term: t,
        scale: 4,
        gpa: Math.round(r() * 400) / 100,
        conduct: Math.floor(60 + r() * 40),
        note: 'Học kỳ chính',
      })),
    ),
    awards: Array.from({ length: 4 }, (_, k) => ({
      title: `Giấy khen sinh viên 5 tốt cấp ${pick(['trường', 'tỉnh', 'trung ương'])} ${k}`,
      kind: pick(['study', 'volunteer', 'union']),
      level: pick(['school', 'province', 'national']),
      date: d(2022 + (k % 3)),
      decisionNo: `${100 + k}/QĐ-ĐTN`,
    })),
    activities: Array.from({ length: 8 }, (_, k) => ({
      campaign: pick(['Mùa hè xanh', 'Xuân tình nguyện', 'Hiến máu nhân đạo', 'Tiếp sức mùa thi']),
      role: pick(['member', 'leader']),
      days: Math.floor(r() * 10),
      hours: Math.floor(r() * 80),
      date: d(2021 + (k % 4)),
      verifiedBy: pick(USERS),
    })),
    pipeline: {
      stage: STAGES[i % STAGES.length],
      history: Array.from({ length: 3 }, (_, k) => ({
        stage: STAGES[k],
        by: pick(USERS),
        at: d(2023 + (k % 2)),
        note: 'Đã xem xét hồ sơ',
        ref: `${k}/NQ-CĐ`,
      })),
      dossier: {
        certificate: true,
        application: true,
        historyVerified: r() > 0.5,
        introducers: [pick(USERS), pick(USERS)],
      },
    },
    consent: { at: d(2024), version: 'v1' },
    createdAt: new Date(),
    updatedAt: new Date(),
  };
}

/** Wall and CPU time since `t0` (CPU time is what wall time would be on an idle machine, single-threaded work). */
type Clock = { wall: number; cpu: NodeJS.CpuUsage };
const clock = (): Clock => ({ wall: performance.now(), cpu: process.cpuUsage() });
const since = (c: Clock) => {
  const u = process.cpuUsage(c.cpu);
  return `${(performance.now() - c.wall).toFixed(0)} ms wall, ${((u.user + u.system) / 1000).toFixed(0)} ms cpu`;
};
const load = () => `load average ${os.loadavg()[0].toFixed(1)}`;

const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mb = (b: number) => `${(b / 1048576).toFixed(0)} MB`;
const gc = () => (globalThis as { gc?: () => void }).gc?.();

async function main() {
  const schools = Array.from({ length: 20 }, () => new ObjectId());
  // Kept as BSON, as the wire receives them; each batch is deserialized like the wire does.
  let raw: Uint8Array[] = Array.from({ length: N }, (_, i) => BSON.serialize(memberDoc(i, schools)));
  const avg = raw.slice(0, 100).reduce((s, b) => s + b.length, 0) / 100;
  console.log(
    `documents: ${N}, average BSON size ${avg.toFixed(0)} bytes, node ${process.version}, ${os.cpus().length} cores`,
  );

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-measure-'));
  gc();
  const rss0 = process.memoryUsage().rss;
  const e = await createEngine({ dataDir: dir });
  const batch = 16_000; // about what the driver packs into one 48 MB message
  const t = performance.now();
  let engineMs = 0;
  let engineCpu = 0;
  for (let i = 0; i < N; i += batch) {
    const documents = raw.slice(i, i + batch).map((b) => BSON.deserialize(b));
    const t1 = performance.now();
    const c1 = process.cpuUsage();
    const r = await e.run('m', { insert: 'members', documents, ordered: false }, ctx);
    engineMs += performance.now() - t1;
    const cu = process.cpuUsage(c1);
    engineCpu += (cu.user + cu.system) / 1000;
    if (r.n !== Math.min(batch, N - i)) throw new Error(JSON.stringify(r).slice(0, 300));
  }
  console.log(
    `insert ${N} in batches of ${batch}: ${(performance.now() - t).toFixed(0)} ms incl. wire-like deserialize; engine run() ${engineMs.toFixed(0)} ms wall, ${engineCpu.toFixed(0)} ms cpu (journaled + fsync); ${load()}`,
  );
  raw = [];
  let ck = clock();
  await e.run(
    'm',
    {
      createIndexes: 'members',
      indexes: [
        { key: { email: 1 }, name: 'email_1', unique: true },
        { key: { studentCode: 1 }, name: 'studentCode_1', unique: true },
        { key: { schoolId: 1, 'pipeline.stage': 1 }, name: 'school_stage' },
      ],
    },
    ctx,
  );
  console.log(`createIndexes x3 on ${N}: ${since(ck)}`);

  const times: number[] = [];
  for (let k = 0; k < 1000; k++) {
    const i = (k * 7919) % N;
    const t1 = performance.now();
    const r = await e.run(
      'm',
      { find: 'members', filter: { email: `sv${i}@student.demo.vn` }, limit: 1, singleBatch: true },
      ctx,
    );
    times.push(performance.now() - t1);
    if (r.cursor.firstBatch.length !== 1) throw new Error('findOne failed');
  }
  console.log(
    `findOne by unique email: median ${median(times).toFixed(3)} ms, p95 ${times.sort((a, b) => a - b)[950].toFixed(3)} ms`,
  );

  const page = async (useIndexField: string) => {
    const filter = {
      [useIndexField]: schools[3],
      'pipeline.stage': 'dossier',
      searchKey: { $regex: 'nguyen', $options: 'i' },
    };
    const ts: number[] = [];
    let n = 0;
    for (let k = 0; k < 20; k++) {
      const t1 = performance.now();
      const f = await e.run(
        'm',
        { find: 'members', filter, sort: { searchKey: 1 }, skip: 0, limit: 50 },
        ctx,
      );
      const c = await e.run(
        'm',
        {
          aggregate: 'members',
          pipeline: [{ $match: filter }, { $group: { _id: 1, n: { $sum: 1 } } }],
          cursor: {},
        },
        ctx,
      );
      ts.push(performance.now() - t1);
      n = c.cursor.firstBatch[0]?.n ?? 0;
      if (f.cursor.firstBatch.length === 0) throw new Error('page empty');
    }
    return { median: median(ts), n };
  };
  const p1 = await page('schoolId');
  console.log(
    `page of 50 + countDocuments (schoolId indexed): median ${p1.median.toFixed(1)} ms (count ${p1.n})`,
  );
  // Same query without a usable index (full scan of N documents).
  await e.run('m', { dropIndexes: 'members', index: 'school_stage' }, ctx);
  const p2 = await page('schoolId');
  console.log(`page of 50 + countDocuments (full scan):        median ${p2.median.toFixed(1)} ms`);
  await e.run(
    'm',
    {
      createIndexes: 'members',
      indexes: [{ key: { schoolId: 1, 'pipeline.stage': 1 }, name: 'school_stage' }],
    },
    ctx,
  );

  ck = clock();
  const g = await e.run(
    'm',
    {
      aggregate: 'members',
      pipeline: [{ $group: { _id: { s: '$schoolId', st: '$pipeline.stage' }, n: { $sum: 1 } } }],
      cursor: {},
    },
    ctx,
  );
  console.log(
    `$group by school x stage over ${N}: ${since(ck)} (${g.cursor.firstBatch.length} groups in first batch)`,
  );

  ck = clock();
  const u = await e.run(
    'm',
    {
      update: 'members',
      updates: [
        {
          q: { schoolId: schools[1] },
          u: { $inc: { 'union.ratings.0.year': 0, v: 1 }, $set: { updatedAt: new Date() } },
          multi: true,
        },
      ],
    },
    ctx,
  );
  console.log(`updateMany of ${u.n} docs: ${since(ck)}`);

  // 50 concurrent single-document updates (group commit).
  ck = clock();
  await Promise.all(
    Array.from({ length: 50 }, (_, k) =>
      e.run(
        'm',
        {
          update: 'members',
          updates: [{ q: { email: `sv${k}@student.demo.vn` }, u: { $set: { updatedAt: new Date() } } }],
        },
        ctx,
      ),
    ),
  );
  console.log(`50 parallel single updates (fsync each, grouped): ${since(ck)}`);

  gc();
  const mem = process.memoryUsage();
  console.log(
    `memory with ${N} docs loaded: rss ${mb(mem.rss)} (+${mb(mem.rss - rss0)} over empty), heapUsed ${mb(mem.heapUsed)}`,
  );

  await e.close();
  // Restarts in fresh processes: what the app sees after a crash or a deploy.
  for (const label of ['restart (journal replay + compaction)', 'restart (snapshot only)']) {
    const out = execFileSync(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url), '--recover', dir],
      {
        encoding: 'utf8',
      },
    );
    console.log(`${label}: ${out.trim()}`);
  }

  if (process.env.MEASURE_E2E) await e2e(schools);
  fs.rmSync(dir, { recursive: true, force: true });
}

/** mongoose insertMany through the wire server (same process), with and without a data directory. */
async function e2e(schools: ObjectId[]) {
  const { startEmbeddedServer } = await import('../index.ts');
  const mongoose = (await import('mongoose')).default;
  for (const persistent of [false, true]) {
    const dir = persistent ? fs.mkdtempSync(path.join(os.tmpdir(), 'engine-e2e-')) : undefined;
    const server = await startEmbeddedServer({ dataDir: dir });
    const conn = await mongoose.createConnection(server.uri, { dbName: 'e2e' }).asPromise();
    const M = conn.model('Member', new mongoose.Schema({}, { strict: false, timestamps: true }));
    const rows = Array.from({ length: N }, (_, i) => memberDoc(i, schools));
    gc();
    const ck = clock();
    await M.insertMany(rows, { lean: true });
    console.log(
      `mongoose insertMany ${N} through the wire${dir ? ' (dataDir)' : ' (memory)'}: ${since(ck)}; ${load()}`,
    );
    await conn.close();
    await server.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function recoverOnly(dir: string) {
  const ck = clock();
  const e = await createEngine({ dataDir: dir });
  const took = since(ck);
  gc();
  const r = e.recovery!;
  const { rss, heapUsed: heap, external } = process.memoryUsage();
  const t2 = performance.now();
  await e.run('m', { find: 'members', filter: { email: 'sv1@student.demo.vn' }, limit: 1 }, ctx);
  const f = performance.now() - t2;
  console.log(
    `${took} for ${r.documents} documents (${r.journalRecords} journal records); rss ${mb(rss)}, heapUsed ${mb(heap)}, external ${mb(external)}; first findOne ${f.toFixed(2)} ms; ${load()}`,
  );
  await e.close();
}

if (process.argv.includes('--e2e-only')) {
  e2e(Array.from({ length: 20 }, () => new ObjectId())).catch((e) => {
    console.error(String(e).slice(0, 1000));
    process.exit(1);
  });
} else if (process.argv.includes('--recover')) {
  recoverOnly(process.argv[process.argv.indexOf('--recover') + 1]).catch((e) => {
    console.error(e);
    process.exit(1);
  });
} else if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('measure.ts')) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}

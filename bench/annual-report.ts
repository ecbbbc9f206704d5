/**
 * The province's annual report (issue 20, part 3): seeds the demo province with N members
 * into a data directory (the database in its worker thread, as under `npm start`), then
 * builds "Báo cáo năm" for the provincial Union R times: the count (one `$group` over the
 * province's members, the targets, the units), and each rendering (PDF, .docx), timed
 * apart and whole; p50 / max.
 *
 *   node --import tsx bench/annual-report.ts [--members 50000] [--rounds 5]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { connectDatabase } from '../db/connect.server.ts';
import { User } from '../models/user.ts';
import { seedDatabase } from '../seed/seed.server.ts';
import type { AuthUser } from '../app/utils/auth/auth.server.ts';
import { renderDocument } from '../app/utils/documents/render.server.ts';
import { loadAnnualReport } from '../app/utils/reports/annual-report.server.ts';
import { quantile } from './stats.ts';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2)
  args.set(process.argv[i].replace(/^--/, ''), process.argv[i + 1]);
const MEMBERS = Number(args.get('members') ?? 50_000);
const ROUNDS = Number(args.get('rounds') ?? 5);
const ms = (n: number) => `${n.toFixed(0)} ms`;

const dataDir = mkdtempSync(path.join(tmpdir(), 'dvut-annual-'));
const db = await connectDatabase({ dataDir });
const seedStart = performance.now();
await seedDatabase({ members: MEMBERS, seed: 1 });
console.error(
  `[annual] seeded ${MEMBERS} members in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`,
);

const u = (await User.findOne({ email: 'tinhdoan@demo.vn' }).lean())!;
const user = {
  id: String(u._id),
  role: u.role,
  unitId: String(u.unitId),
  memberId: null,
} as unknown as AuthUser;

console.log(
  `node ${process.version}, ${cpus().length} CPUs, load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}, ${MEMBERS} members`,
);
const times = { count: [] as number[], pdf: [] as number[], docx: [] as number[], whole: [] as number[] };
// One warm-up (fonts, the first aggregation), then the rounds.
for (let r = 0; r <= ROUNDS; r++) {
  const t0 = performance.now();
  const doc = await loadAnnualReport(user, {});
  const t1 = performance.now();
  await renderDocument(doc, 'pdf');
  const t2 = performance.now();
  await renderDocument(doc, 'docx');
  const t3 = performance.now();
  if (r === 0) continue;
  times.count.push(t1 - t0);
  times.pdf.push(t2 - t1);
  times.docx.push(t3 - t2);
  times.whole.push(t2 - t0);
}
for (const [name, list] of Object.entries(times)) {
  list.sort((a, b) => a - b);
  const label = name === 'whole' ? 'count + PDF (one download)' : name;
  console.log(`${label}: p50 ${ms(quantile(list, 0.5))}, max ${ms(list.at(-1)!)} (${list.length} rounds)`);
}
await db.close();
rmSync(dataDir, { recursive: true, force: true });

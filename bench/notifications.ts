/**
 * The daily due-date scan and the weekly digests over a whole province (issue 21 target:
 * ≤ 30 s of work for 50,000 members). Seeds the demo province with N members into a data
 * directory (journaled, the database in its worker thread, as under `npm start`), then times:
 * the scan's first run of the day (every notice new), a second run the same day (all of them
 * already there: the idempotent path a retry takes), and the weekly digests (every school and
 * the province). The nightly `pipeline.due` refresh the scan relies on is timed apart.
 *
 *   node --import tsx bench/notifications.ts [--members 50000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import mongoose from 'mongoose';
import { connectDatabase } from '../db/connect.server.ts';
import { Member } from '../models/member.ts';
import { Notification } from '../models/notification.ts';
import { seedDatabase } from '../seed/seed.server.ts';
import { runDueScan } from '../app/utils/notifications/due-scan.server.ts';
import { runWeeklyDigests } from '../app/utils/notifications/weekly-digest.server.ts';
import { refreshAllPipelineDue } from '../app/utils/pipeline/pipeline-due.server.ts';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2)
  args.set(process.argv[i].replace(/^--/, ''), process.argv[i + 1]);
const MEMBERS = Number(args.get('members') ?? 50_000);

const dataDir = mkdtempSync(path.join(tmpdir(), 'dvut-notify-'));
const db = await connectDatabase({ dataDir });
const seedStart = performance.now();
await seedDatabase({ members: MEMBERS, seed: 1 });
console.error(
  `[notifications] seeded ${MEMBERS} members in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`,
);

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ');
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const now = new Date();

console.log(
  `\n${now.toISOString().slice(0, 16).replace('T', ' ')} UTC, ${cpus().length} × ${cpus()[0].model}, Node ${process.version}, ${MEMBERS} members (${await Member.countDocuments({ 'pipeline.stage': mongoose.trusted({ $ne: 'member' }) })} in the pipeline); load average before ${load()}`,
);
console.log('\n| run | time | read | notices | new notifications |\n|---|---|---|---|---|');

const timed = async <T>(f: () => Promise<T>) => {
  const t0 = performance.now();
  const r = await f();
  return { r, ms: performance.now() - t0 };
};

const due = await timed(() => refreshAllPipelineDue({ now }));
console.log(`| nightly pipeline.due refresh (apart) | ${s(due.ms)} | ${due.r.scanned} | – | – |`);
const first = await timed(() => runDueScan({ now }));
console.log(
  `| daily scan, first run | ${s(first.ms)} | ${first.r.scanned} | ${first.r.notices} | ${first.r.created} |`,
);
const second = await timed(() => runDueScan({ now }));
console.log(
  `| daily scan, same day again | ${s(second.ms)} | ${second.r.scanned} | ${second.r.notices} | ${second.r.created} |`,
);
const digests = await timed(() => runWeeklyDigests({ now }));
console.log(
  `| weekly digests (${digests.r.units} units) | ${s(digests.ms)} | ${digests.r.scanned} | ${digests.r.units} | ${digests.r.created} |`,
);
console.log(
  `\n**scan + digests: ${s(first.ms + digests.ms)}** (target ≤ 30 s); ${await Notification.countDocuments()} notifications stored; load average after ${load()}`,
);
await db.close();
rmSync(dataDir, { recursive: true, force: true });
process.exit(0);

/**
 * A pipeline step's latency (issue 15: "a pipeline step with its audit event in a
 * transaction: p95 within 1.2× of today's, embedded, 50,000 members"). Seeds the demo
 * province with N members into a data directory (journaled and fsynced, the database in
 * its worker thread, as under `npm start`), then records steps through the app's own
 * `applyTransition` as the school Union of the largest schools: `return_for_improvement`
 * of an outstanding member, then its `resume`, back and forth. Each call is timed whole
 * (read, check, write, audit event, next deadline, and the commit where there is one).
 * First one stepper at a time, then W concurrent ones on distinct records.
 *
 *   node --import tsx bench/step.ts [--members 50000] [--steps 400] [--writers 10]
 *
 * The script uses only what the app exposed before issue 15 too (seedDatabase,
 * applyTransition), so the same file measures an older commit checked out elsewhere.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Types } from 'mongoose';
import { connectDatabase } from '../db/connect.server.ts';
import { consentWithdrawn } from '../app/domain/consent.ts';
import { Member } from '../models/member.ts';
import { Unit } from '../models/unit.ts';
import { User } from '../models/user.ts';
import { seedDatabase } from '../seed/seed.server.ts';
import type { AuthUser } from '../app/utils/auth/auth.server.ts';
import { applyTransition } from '../app/utils/pipeline/pipeline-step.server.ts';
import { quantile } from './stats.ts';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2)
  args.set(process.argv[i].replace(/^--/, ''), process.argv[i + 1]);
const MEMBERS = Number(args.get('members') ?? 50_000);
const STEPS = Number(args.get('steps') ?? 400);
const WRITERS = Number(args.get('writers') ?? 10);
const SCHOOLS = ['PVD', 'TCKT', 'UDCK', 'TQTUAN', 'CDKTCN', 'LKHIET'];

const ms = (n: number) => `${n.toFixed(n < 10 ? 1 : 0)} ms`;

const dataDir = mkdtempSync(path.join(tmpdir(), 'dvut-step-'));
const db = await connectDatabase({ dataDir });
const seedStart = performance.now();
await seedDatabase({ members: MEMBERS, seed: 1 });
console.error(`[step] seeded ${MEMBERS} members in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`);

interface Stepper {
  user: AuthUser;
  ids: Types.ObjectId[];
}

async function steppers(): Promise<Stepper[]> {
  const out: Stepper[] = [];
  for (const code of SCHOOLS) {
    const school = await Unit.findOne({ code }).lean();
    if (!school) continue;
    const u = await User.findOne({ role: 'school_union', unitId: school._id }).lean();
    if (!u) continue;
    const found = await Member.find({ schoolId: school._id, 'pipeline.stage': 'outstanding' })
      .select({ consent: 1 })
      .limit(60)
      .lean();
    // A record whose consent is withdrawn refuses every step (decision 009): not what is timed.
    const ids = found
      .filter((m) => !consentWithdrawn(m.consent))
      .slice(0, 40)
      .map((m) => m._id);
    const user = {
      id: String(u._id),
      role: u.role,
      unitId: String(u.unitId),
      memberId: null,
    } as unknown as AuthUser;
    out.push({ user, ids });
  }
  return out;
}

/** One step on one record; true when recorded (a thrown redirect). */
async function step(user: AuthUser, id: Types.ObjectId): Promise<boolean> {
  const m = (await Member.findById(id).select({ __v: 1, 'pipeline.stage': 1 }).lean())!;
  const returned = m.pipeline?.stage === 'returned';
  try {
    await applyTransition(
      user,
      id,
      returned ? 'resume' : 'return_for_improvement',
      returned ? { note: 'Đã bổ sung' } : { reason: 'Bổ sung minh chứng (bench)' },
      m.__v ?? 0,
    );
  } catch (thrown) {
    if (thrown instanceof Response && thrown.status === 302) return true;
    throw thrown;
  }
  return false;
}

async function run(label: string, writers: number, total: number, pool: Stepper[]) {
  const times: number[] = [];
  let failed = 0;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      const s = pool[w % pool.length];
      // Writers on the same school take distinct records.
      const mine = s.ids.filter(
        (_, i) => i % Math.ceil(writers / pool.length) === Math.floor(w / pool.length),
      );
      let k = 0;
      while (next < total) {
        next++;
        const id = mine[k++ % mine.length];
        const t0 = performance.now();
        if (!(await step(s.user, id))) failed++;
        times.push(performance.now() - t0);
      }
    }),
  );
  const wall = (performance.now() - started) / 1000;
  times.sort((a, b) => a - b);
  console.log(
    `| ${label} | ${times.length} | ${(times.length / wall).toFixed(1)} | ${ms(quantile(times, 0.5))} | ${ms(
      quantile(times, 0.95),
    )} | ${ms(quantile(times, 0.99))} | ${failed} |`,
  );
}

const pool = await steppers();
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ');
console.log(
  `\n${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${cpus().length} × ${cpus()[0].model}, Node ${process.version}, ${MEMBERS} members; load average before ${load()}`,
);
console.log(
  '\n| run | steps | steps/s | p50 | p95 | p99 | not recorded (409) |\n|---|---|---|---|---|---|---|',
);
await run('warm-up, 1 at a time', 1, 40, pool);
await run('1 at a time', 1, STEPS, pool);
await run(`${WRITERS} at a time`, WRITERS, STEPS, pool);
console.log(`\nload average after ${load()}`);
await db.close();
rmSync(dataDir, { recursive: true, force: true });
process.exit(0);

/**
 * Criteria on the server at scale (decision 006): N seeded members in an in-memory
 * embedded database, then
 *  - the simulation of a draft (university selection, conduct minimum raised to 90)
 *    beside the active set, as /criteria/:id/simulate runs it (lean cursor, engine
 *    fields only, simulate() per batch), cold;
 *  - the pure engine alone on the same members (simulate() over an array);
 *  - refreshEligibility over the province: first run (every member stale), a run
 *    with nothing stale (what each member-list request pays), and after 100 edits;
 *  - the member-list count with the stored eligibility filter.
 * Not a test. Options: --members N (default 5000).
 *   node --import tsx bench/criteria-eligibility.ts --members 50000
 */
import { performance } from 'node:perf_hooks';
import { cpus } from 'node:os';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2)
  args.set(process.argv[i].replace(/^--/, ''), process.argv[i + 1]);
const MEMBERS = Number(args.get('members') ?? 5000);

async function main() {
  const { connectDatabase } = await import('../db/connect.server.ts');
  const { seedDatabase } = await import('../seed/seed.server.ts');
  const { CriteriaSetModel } = await import('../models/criteria-set.ts');
  const { Member } = await import('../models/member.ts');
  const { Unit } = await import('../models/unit.ts');
  const { simulate } = await import('../app/domain/criteria/index.ts');
  const criteria = await import('../app/utils/criteria/criteria.server.ts');
  const engine = await import('../app/utils/criteria/criteria-engine.server.ts');
  const { refreshEligibility } = await import('../app/utils/criteria/eligibility.server.ts');
  const mongoose = (await import('mongoose')).default;

  const db = await connectDatabase({ dataDir: null });
  const t0 = performance.now();
  await seedDatabase({ members: MEMBERS, seed: 1, reset: true });
  console.log(`seeded ${MEMBERS} members in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const province = (await Unit.findOne({ code: 'QNG' }).lean())!;
  const active = (await CriteriaSetModel.findOne({
    schoolKind: 'university',
    purpose: 'selection',
    status: 'active',
  }).lean())!;
  const rules = JSON.parse(JSON.stringify(active.rules)) as { kind: string; minScore?: number }[];
  rules.find((r) => r.kind === 'min_conduct')!.minScore = 90;
  const draft = await CriteriaSetModel.create({
    unitId: active.unitId,
    schoolKind: 'university',
    schoolYear: active.schoolYear,
    purpose: 'selection',
    version: 2,
    status: 'draft',
    name: 'bench draft',
    rules,
    passMark: active.passMark,
  });
  const user = {
    id: String(new mongoose.Types.ObjectId()),
    email: 'b',
    name: 'b',
    role: 'admin' as const,
    unitId: String(province._id),
    memberId: null,
    locale: 'vi' as const,
  };
  const access = { user, canManage: true, filter: {} };

  let t = performance.now();
  const sim = await criteria.runSimulation(access, draft._id);
  const simMs = performance.now() - t;
  console.log(
    `simulation (cursor + engine), ${sim.counts.total} university members: ${simMs.toFixed(0)} ms; ${sim.counts.became_ineligible} became ineligible`,
  );

  const members = await Member.find({ schoolKind: 'university', ancestors: province._id })
    .select(engine.ENGINE_PROJECTION)
    .lean();
  t = performance.now();
  simulate(
    members as never,
    engine.toEngineSet(active as never),
    engine.toEngineSet(draft.toObject() as never),
    new Date(),
  );
  console.log(
    `pure simulate() on the same ${members.length} members: ${(performance.now() - t).toFixed(0)} ms`,
  );

  const scope = { ancestors: province._id };
  let r = await refreshEligibility(scope);
  console.log(`refreshEligibility, all stale: ${r.ms} ms (${r.stale} evaluated, ${r.written} written)`);
  const noop: number[] = [];
  for (let i = 0; i < 5; i++) noop.push((await refreshEligibility(scope)).ms);
  console.log(`refreshEligibility, nothing stale: ${noop.join(', ')} ms`);
  const ids = (await Member.find(scope).select({ _id: 1 }).limit(100).lean()).map((m) => m._id);
  await Member.updateMany({ _id: mongoose.trusted({ $in: ids }) }, { $set: { phone: '0905000000' } });
  r = await refreshEligibility(scope);
  console.log(`refreshEligibility after 100 edits: ${r.ms} ms (${r.stale} evaluated)`);
  t = performance.now();
  const eligible = await Member.countDocuments({ ...scope, 'eligibility.eligible': true });
  console.log(`count eligible in province: ${eligible} in ${(performance.now() - t).toFixed(0)} ms`);
  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model}, node ${process.version}`);
  await db.close();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

/**
 * Criteria engine throughput (issue "Criteria engine": 50,000 members against
 * one set in ≤ 0.5 s, pure). Members come from the demo generator, so the data
 * has the real shape and mix (4- and 10-point scales, THPT ratings, unverified
 * evidence). Run: `node --import tsx bench/criteria.ts [--members N] [--runs N]`.
 * Not a test: timings depend on the machine.
 */
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { createContext, generateMembers, REFERENCE_DATE } from '../seed/generate.ts';
import { compile, evaluate, simulate, type CriteriaSet, type Verdict } from '../app/domain/criteria/index.ts';
import { DEFAULT_CRITERIA_SETS, defaultCriteriaSet } from '../app/domain/criteria/defaults.ts';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2)
  args.set(process.argv[i].replace(/^--/, ''), process.argv[i + 1]);
const MEMBERS = Number(args.get('members') ?? 50_000);
const RUNS = Number(args.get('runs') ?? 7);

const t0 = performance.now();
const members = generateMembers(createContext(1), 0, MEMBERS);
console.error(`generated ${members.length} members in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

const asOf = REFERENCE_DATE;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/**
 * Wall time and process CPU time. CPU time is reported because the bench often
 * runs on a shared 2-core machine where other jobs stretch wall time 2-3×; on an
 * idle machine the two are close (GC helper threads add a little CPU).
 */
function time(label: string, run: () => unknown): number {
  run(); // warm-up: JIT and the compile cache
  const times: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const c = process.cpuUsage();
    const start = performance.now();
    run();
    times.push(performance.now() - start);
    const u = process.cpuUsage(c);
    cpu.push((u.user + u.system) / 1000);
  }
  const m = median(times);
  console.log(
    `| ${label} | ${m.toFixed(0)} ms | ${Math.min(...times).toFixed(0)} ms | ${median(cpu).toFixed(0)} ms |`,
  );
  return m;
}

const admission = defaultCriteriaSet('university', 'admission');
const evaluator = compile(admission);
let eligible = 0;

console.log(
  `\n${MEMBERS} members, ${RUNS} runs, asOf ${asOf.toISOString().slice(0, 10)}, node ${process.version}, load average ${loadavg()[0].toFixed(1)} on ${cpus().length} CPUs\n`,
);
console.log('| case | wall median | wall min | CPU median |');
console.log('| --- | --- | --- | --- |');
time(`compile(set) once, ${admission.rules.length} rules (university admission), all members`, () => {
  eligible = 0;
  for (const m of members) if (evaluator(m, asOf).eligible) eligible++;
});
const counting = compile(admission, { explain: false });
time('compile(set, { explain: false }) (counts only, no explanation strings)', () => {
  for (const m of members) counting(m, asOf);
});
time('evaluate(member, set, asOf) (WeakMap-cached compile)', () => {
  for (const m of members) evaluate(m, admission, asOf);
});
time('each member against its own school kind (default selection sets)', () => {
  const bySet = new Map(
    DEFAULT_CRITERIA_SETS.filter((s) => s.purpose === 'selection').map((s) => [s.schoolKind, compile(s)]),
  );
  for (const m of members) bySet.get(m.schoolKind)!(m, asOf);
});
const stricter: CriteriaSet = {
  ...admission,
  version: admission.version + 1,
  rules: admission.rules.map((r) =>
    r.id === 'conduct' && r.kind === 'min_conduct' ? { ...r, minScore: 85 } : r,
  ),
};
let sim: ReturnType<typeof simulate> | null = null;
time('simulate(members, v1, v2 with conduct ≥ 85) (two sets)', () => {
  sim = simulate(members, admission, stricter, asOf);
});

const verdicts: Verdict[] = members.map((m) => evaluate(m, defaultCriteriaSet(m.schoolKind), asOf));
const selected = verdicts.filter((v) => v.eligible).length;
console.log(`\neligible under university admission set: ${eligible}/${MEMBERS}`);
console.log(`eligible under own kind's selection set: ${selected}/${MEMBERS}`);
console.log(`simulation counts: ${JSON.stringify(sim!.counts)}`);
console.log(`sample explanation: ${verdicts[0].results.map((r) => r.explanation.vi).join(' | ')}`);

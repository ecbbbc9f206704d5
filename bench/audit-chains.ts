/**
 * Audit chain benchmark: one global hash chain against one chain per record, when every
 * user action is ONE multi-document transaction (the member update and its audit event
 * together). Decision input for docs/decisions/010-audit-hash-chain.md.
 *
 * The embedded server runs as `npm start` runs it: a temporary data directory (every commit
 * journaled and fdatasync'ed before the reply), in its worker thread, answering as the
 * one-member replica set rs0. The bare `mongodb` driver connects to it. Each run gets its own
 * database with M members `{ _id, __v: 0, stage: 'a', history: [] }` and an empty
 * `auditevents` collection with a unique index `{ chain: 1, seq: 1 }`; W writers then loop
 * for S seconds without think time. Each picks a random member and runs one
 * `session.withTransaction(...)`: re-read the member, `updateOne({ _id, __v }, { $set: { stage },
 * $push: { history }, $inc: { __v: 1 } })` (matchedCount 0 is counted as a business conflict
 * and nothing more is written), then read the chain's head
 * (`find({ chain }).sort({ seq: -1 }).limit(1)`) and insert the event linked after it with
 * `chainAfter` (app/domain/audit-chain.ts). Strategies:
 *
 * - **global**: every event in `chain: 'global'`, so every pair of concurrent transactions
 *   writes the same next `seq` and one of them is retried;
 * - **per-record**: `chain: 'Member:<id>'`, so only transactions on the same member contend.
 *
 * Latency is the whole `withTransaction` call (retries and the driver's back-off included).
 * "Retried attempts" = callback invocations − transactions that completed. After each run
 * the chains are verified: seq 1..n per chain, each `prevHash` the previous event's hash (64
 * zeros for the first), each hash recomputed with `eventHash`; per-record, every member's
 * `__v` equals its chain's length; for both, the number of events equals the sum of `__v`
 * and the number of commits counted by the writers. A failed check prints FAIL and the
 * process exits 1; so does any error that escaped `withTransaction` (there should be none).
 *
 * Not a test. Options: --writers N or a list (1,10,50), --seconds N (20), --members N (5000),
 * --warmup N (seconds of throw-away transactions before the first run, 3).
 *   node --import tsx bench/audit-chains.ts --seconds 30
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { type ClientSession, type Db, MongoClient, ObjectId } from 'mongodb';
import { type ChainContent, GENESIS_HASH, chainAfter, eventHash } from '../app/domain/audit-chain.ts';
import { startEmbeddedServer } from '@dvut/embedded-mongo';
import { mulberry32, quantile } from './stats.ts';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2)
  args.set(process.argv[i].replace(/^--/, ''), process.argv[i + 1]);
const WRITERS = (args.get('writers') ?? '1,10,50')
  .split(',')
  .map((s) => Math.max(1, Math.floor(Number(s))))
  .filter((n) => Number.isFinite(n));
const SECONDS = Math.max(1, Number(args.get('seconds') ?? 20));
const MEMBERS = Math.max(1, Math.floor(Number(args.get('members') ?? 5_000)));
const WARMUP = Math.max(0, Number(args.get('warmup') ?? 3));
const STRATEGIES = ['global', 'per-record'] as const;
type Strategy = (typeof STRATEGIES)[number];
const STAGES = ['a', 'b', 'c', 'd'] as const;

const fmtMs = (n: number) => (Number.isNaN(n) ? '-' : `${n.toFixed(n < 10 ? 1 : 0)} ms`);

interface MemberDoc {
  _id: ObjectId;
  __v: number;
  stage: string;
  history: { at: Date; from: string; to: string; by: ObjectId }[];
}
interface AuditDoc {
  _id?: ObjectId;
  chain: string;
  seq: number;
  prevHash: string;
  hash: string;
  at: Date;
  actorId: ObjectId;
  action: string;
  entity: string;
  entityId: ObjectId;
  details: { before: { stage: string }; after: { stage: string } };
}

interface RunResult {
  strategy: Strategy;
  writers: number;
  commits: number;
  businessConflicts: number;
  attempts: number;
  latencies: number[];
  errors: Map<string, number>;
  elapsed: number;
  cpuCores: number;
  events: number;
  chains: number;
  longestChain: number;
  headReadP50: number;
  problems: string[];
}

const chainOf = (strategy: Strategy, id: ObjectId) =>
  strategy === 'global' ? 'global' : `Member:${id.toHexString()}`;

async function seed(db: Db): Promise<ObjectId[]> {
  const ids = Array.from({ length: MEMBERS }, () => new ObjectId());
  const members = db.collection<MemberDoc>('members');
  for (let i = 0; i < ids.length; i += 1_000)
    await members.insertMany(
      ids.slice(i, i + 1_000).map((_id) => ({ _id, __v: 0, stage: 'a', history: [] })),
    );
  await db.collection('auditevents').createIndex({ chain: 1, seq: 1 }, { unique: true });
  return ids;
}

/** One user action: the member update and its audit event, in the caller's transaction. */
async function action(
  db: Db,
  session: ClientSession,
  strategy: Strategy,
  id: ObjectId,
  actorId: ObjectId,
): Promise<'committed' | 'business-conflict'> {
  const members = db.collection<MemberDoc>('members');
  const audit = db.collection<AuditDoc>('auditevents');
  const m = await members.findOne({ _id: id }, { session });
  if (!m) throw new Error(`member ${id.toHexString()} not found`);
  const to = STAGES[(STAGES.indexOf(m.stage as (typeof STAGES)[number]) + 1) % STAGES.length];
  const at = new Date();
  const res = await members.updateOne(
    { _id: id, __v: m.__v },
    { $set: { stage: to }, $push: { history: { at, from: m.stage, to, by: actorId } }, $inc: { __v: 1 } },
    { session },
  );
  if (res.matchedCount === 0) return 'business-conflict';
  const chain = chainOf(strategy, id);
  const [head] = await audit.find({ chain }, { session }).sort({ seq: -1 }).limit(1).toArray();
  // `chain` goes through chainAfter with the rest of the content: the stored event is
  // hashed exactly as it is read back, whether or not the module's hash covers `chain`.
  const content: ChainContent & Pick<AuditDoc, 'chain' | 'actorId' | 'entityId' | 'details'> = {
    chain,
    at,
    actorId,
    action: 'member.stage',
    entity: 'Member',
    entityId: id,
    details: { before: { stage: m.stage }, after: { stage: to } },
  };
  await audit.insertOne(chainAfter(head ? { seq: head.seq, hash: head.hash } : null, content), { session });
  return 'committed';
}

async function runWriters(
  client: MongoClient,
  db: Db,
  ids: ObjectId[],
  strategy: Strategy,
  writers: number,
  seconds: number,
  seedBase: number,
) {
  const out = {
    commits: 0,
    businessConflicts: 0,
    attempts: 0,
    latencies: [] as number[],
    errors: new Map<string, number>(),
  };
  const until = performance.now() + seconds * 1000;
  const writer = async (w: number) => {
    // Seeded so two runs pick the same members.
    const r = mulberry32(seedBase + w);
    const actorId = new ObjectId();
    const session = client.startSession();
    try {
      while (performance.now() < until) {
        const id = ids[Math.floor(r() * ids.length)];
        const t0 = performance.now();
        try {
          const outcome = await session.withTransaction(async (s) => {
            out.attempts++;
            return action(db, s, strategy, id, actorId);
          });
          if (outcome === 'committed') {
            out.commits++;
            out.latencies.push(performance.now() - t0);
          } else out.businessConflicts++;
        } catch (e) {
          const err = e as { code?: unknown; codeName?: unknown; message?: string; name?: string };
          const key = `${err.name ?? 'Error'}${err.code !== undefined ? ` ${String(err.code)}` : ''}${err.codeName ? ` ${String(err.codeName)}` : ''}: ${err.message ?? String(e)}`;
          out.errors.set(key, (out.errors.get(key) ?? 0) + 1);
        }
      }
    } finally {
      await session.endSession();
    }
  };
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  await Promise.all(Array.from({ length: writers }, (_, w) => writer(w)));
  const elapsed = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { ...out, elapsed, cpuCores: (cpu.user + cpu.system) / 1e6 / elapsed };
}

/** Every chain linked and hashed, and the counts consistent (see the header). */
async function verify(db: Db, strategy: Strategy, commits: number) {
  const problems: string[] = [];
  const events = await db
    .collection<AuditDoc>('auditevents')
    .find({}, { sort: { chain: 1, seq: 1 } })
    .toArray();
  const byChain = new Map<string, AuditDoc[]>();
  for (const e of events) {
    let list = byChain.get(e.chain);
    if (!list) byChain.set(e.chain, (list = []));
    list.push(e);
  }
  for (const [chain, list] of byChain) {
    if (strategy === 'global' ? chain !== 'global' : !chain.startsWith('Member:'))
      problems.push(`unexpected chain ${JSON.stringify(chain)}`);
    let prevHash = GENESIS_HASH;
    for (let i = 0; i < list.length; i++) {
      const e = list[i];
      const where = `chain ${chain} event ${i + 1} (_id ${String(e._id)})`;
      if (e.seq !== i + 1) {
        problems.push(`${where}: seq ${e.seq}, expected ${i + 1}`);
        break;
      }
      if (e.prevHash !== prevHash) {
        problems.push(`${where}: prevHash does not match the hash of seq ${i}`);
        break;
      }
      if (eventHash(e, e.seq, e.prevHash) !== e.hash) {
        problems.push(`${where}: stored hash differs from the recomputed one`);
        break;
      }
      prevHash = e.hash;
    }
  }
  const members = await db
    .collection<MemberDoc>('members')
    .find({}, { projection: { __v: 1 } })
    .toArray();
  let versions = 0;
  const memberChains = new Set<string>();
  for (const m of members) {
    versions += m.__v;
    if (strategy !== 'per-record') continue;
    const chain = chainOf(strategy, m._id);
    memberChains.add(chain);
    const n = byChain.get(chain)?.length ?? 0;
    if (n !== m.__v) problems.push(`member ${m._id.toHexString()}: __v ${m.__v}, ${n} events in its chain`);
  }
  if (strategy === 'per-record')
    for (const chain of byChain.keys())
      if (!memberChains.has(chain)) problems.push(`chain ${chain} belongs to no member`);
  if (events.length !== versions)
    problems.push(`${events.length} events, but the members' __v add up to ${versions}`);
  if (events.length !== commits)
    problems.push(`${events.length} events, but the writers counted ${commits} commits`);
  let longest = 0;
  for (const list of byChain.values()) longest = Math.max(longest, list.length);
  return { problems, events: events.length, chains: byChain.size, longestChain: longest };
}

/** Median of 200 head reads outside a transaction, on the chain(s) the run wrote. */
async function headReadP50(db: Db, ids: ObjectId[], strategy: Strategy): Promise<number> {
  const audit = db.collection<AuditDoc>('auditevents');
  const r = mulberry32(7);
  const times: number[] = [];
  for (let i = 0; i < 220; i++) {
    const chain = chainOf(strategy, ids[Math.floor(r() * ids.length)]);
    const t0 = performance.now();
    await audit.find({ chain }).sort({ seq: -1 }).limit(1).toArray();
    if (i >= 20) times.push(performance.now() - t0);
  }
  return quantile(
    times.sort((a, b) => a - b),
    0.5,
  );
}

async function main() {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bench-audit-chains-'));
  const load0 = loadavg();
  const started = new Date();
  const server = await startEmbeddedServer({ port: 0, dataDir });
  const client = new MongoClient(server.uri);
  const results: RunResult[] = [];
  try {
    await client.connect();
    console.error(
      `[audit-chains] embedded server ${server.uri} (${server.mode}), data in ${dataDir}; ${MEMBERS} members, writers ${WRITERS.join(', ')}, ${SECONDS} s per run`,
    );
    if (WARMUP > 0) {
      const db = client.db('bench_audit_warmup');
      const ids = await seed(db);
      for (const strategy of STRATEGIES) await runWriters(client, db, ids, strategy, 10, WARMUP / 2, 999);
      await db.dropDatabase();
    }
    let run = 0;
    for (const writers of WRITERS) {
      for (const strategy of STRATEGIES) {
        run++;
        const db = client.db(`bench_audit_${strategy.replace('-', '_')}_${writers}`);
        await db.dropDatabase();
        const ids = await seed(db);
        console.error(`[audit-chains] ${strategy}, ${writers} writers, ${SECONDS} s…`);
        const r = await runWriters(client, db, ids, strategy, writers, SECONDS, run * 1000);
        const v = await verify(db, strategy, r.commits);
        const head = await headReadP50(db, ids, strategy);
        results.push({ strategy, writers, ...r, ...v, headReadP50: head });
        console.error(
          `[audit-chains]   ${r.commits} commits, ${r.attempts - r.commits - r.businessConflicts} retried attempts, ` +
            `${[...r.errors.values()].reduce((a, b) => a + b, 0)} errors; chains ${v.problems.length ? 'FAIL' : 'OK'}`,
        );
        await db.dropDatabase();
      }
    }
  } finally {
    await client.close();
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  const load1 = loadavg();

  results.sort(
    (a, b) => STRATEGIES.indexOf(a.strategy) - STRATEGIES.indexOf(b.strategy) || a.writers - b.writers,
  );
  console.log(
    `\n### Audit chains: one transaction per action (member update + audit event), ${MEMBERS.toLocaleString('en')} members, ${SECONDS} s per run\n`,
  );
  console.log(
    `${started.toISOString().slice(0, 16).replace('T', ' ')} UTC, ${cpus()[0]?.model ?? 'CPU'}, ${cpus().length} cores, Node ${process.version}; load average ${load0.map((x) => x.toFixed(2)).join(' / ')} before, ${load1.map((x) => x.toFixed(2)).join(' / ')} after; embedded server with a data directory (journal fdatasync'ed per commit), worker thread, bare mongodb driver; closed loop.\n`,
  );
  console.log(
    '| strategy | writers | commits | tx/s | p50 | p95 | p99 | retried attempts | retries per commit | business conflicts | errors |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of results) {
    const t = [...r.latencies].sort((a, b) => a - b);
    const retries = r.attempts - r.commits - r.businessConflicts;
    const errors = [...r.errors.values()].reduce((a, b) => a + b, 0);
    console.log(
      `| ${r.strategy} | ${r.writers} | ${r.commits.toLocaleString('en')} | ${(r.commits / r.elapsed).toFixed(1)} | ${fmtMs(quantile(t, 0.5))} | ${fmtMs(quantile(t, 0.95))} | ${fmtMs(quantile(t, 0.99))} | ${retries.toLocaleString('en')} | ${r.commits ? (retries / r.commits).toFixed(2) : '-'} | ${r.businessConflicts} | ${errors} |`,
    );
  }
  console.log(
    '\nAfter each run (outside the timed loop): events written, chains, the longest chain, the median of 200 head reads outside a transaction, and the process CPU during the run (driver and server thread together).\n',
  );
  console.log(
    '| strategy | writers | events | chains | longest chain | head read p50 | CPU (cores) | chains verified |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of results)
    console.log(
      `| ${r.strategy} | ${r.writers} | ${r.events.toLocaleString('en')} | ${r.chains.toLocaleString('en')} | ${r.longestChain.toLocaleString('en')} | ${r.headReadP50.toFixed(2)} ms | ${r.cpuCores.toFixed(2)} | ${r.problems.length ? 'FAIL' : 'OK'} |`,
    );

  let failed = false;
  for (const r of results) {
    for (const p of r.problems.slice(0, 10)) console.log(`FAIL ${r.strategy} ${r.writers} writers: ${p}`);
    if (r.problems.length > 10)
      console.log(`FAIL ${r.strategy} ${r.writers} writers: … ${r.problems.length - 10} more`);
    if (r.problems.length) failed = true;
    for (const [e, n] of r.errors) {
      console.log(`ERROR ${r.strategy} ${r.writers} writers: ${n} × ${e}`);
      failed = true;
    }
  }
  if (failed) process.exitCode = 1;
}

await main();

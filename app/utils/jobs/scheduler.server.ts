/**
 * The durable job scheduler (docs/decisions/032-scheduled-jobs.md): each `JobDefinition`
 * has one document in MongoDB (models/job.ts) holding its next run, its lease and its last
 * outcome, so the schedule survives restarts and every app instance sees the same state.
 *
 * - A run is claimed with one atomic findOneAndUpdate (due, enabled, no live lease): of
 *   several instances ticking at once exactly one gets it.
 * - The lease is renewed while the run goes on; a crashed instance stops renewing, its
 *   lease expires and the next tick of any instance (or of the restarted one) takes over.
 * - A failure retries with a doubling wait (app/domain/job-schedule.ts), keeping
 *   `failCount` and `lastError`; a success resets them.
 * - "Run now" only moves `nextRunAt` to now: it still goes through the claim.
 *
 * Filters wrap operators in `mongoose.trusted()`: the connection turns on `sanitizeFilter`.
 *
 * Started by server.ts only; tests create their own schedulers (`createScheduler`) with
 * their own clock and call `tick()` themselves.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import { ScheduledJob } from '../../../models/job';
import {
  firstRun,
  isValidSchedule,
  nextRegularRun,
  nextRunAfterFailure,
  scheduleKey,
  type Schedule,
} from '~/domain/job-schedule';
import type { JobDefinition } from './job-definition';

export const DEFAULT_TICK_MS = 15_000;
export const DEFAULT_LEASE_MS = 60_000;
/** How long shutdown waits for a running job to notice the abort and finish. */
export const DEFAULT_STOP_GRACE_MS = 5_000;
const MAX_ERROR_CHARS = 1_000;

export interface SchedulerOptions {
  jobs: readonly JobDefinition[];
  /** Who holds a lease; unique per process by default. */
  instanceId?: string;
  tickMs?: number;
  leaseMs?: number;
  /** The clock (tests move it); real time by default. */
  now?: () => Date;
  log?: (line: string) => void;
}

export interface Scheduler {
  readonly instanceId: string;
  /** Creates or updates each job's document, then ticks every `tickMs` until stopped. */
  start(): Promise<void>;
  /** Creates or updates each job's document (start does it; tests that only tick call it). */
  register(): Promise<void>;
  /** Claims and runs every due job once; resolves when the runs it started have finished. */
  tick(): Promise<string[]>;
  /** A tick as soon as possible (debounced), without waiting for the timer. */
  nudge(): void;
  /** Stops ticking, aborts running jobs and waits up to `graceMs` for them. */
  stop(graceMs?: number): Promise<void>;
}

const defaultInstanceId = () => `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;

const errorText = (error: unknown) =>
  (error instanceof Error ? error.message || error.name : String(error)).slice(0, MAX_ERROR_CHARS);

/** Only numbers and short strings go into `lastResult`: it is shown, not interpreted. */
function summaryOf(result: unknown): Record<string, number | string> | null {
  if (typeof result !== 'object' || result === null) return null;
  const out: Record<string, number | string> = {};
  for (const [k, v] of Object.entries(result))
    if (typeof v === 'number' || typeof v === 'string') out[k] = typeof v === 'string' ? v.slice(0, 200) : v;
  return out;
}

export function createScheduler(options: SchedulerOptions): Scheduler {
  const instanceId = options.instanceId ?? defaultInstanceId();
  const tickMs = options.tickMs ?? DEFAULT_TICK_MS;
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const now = options.now ?? (() => new Date());
  const log = options.log ?? ((line: string) => console.error(line));
  const jobs = new Map(options.jobs.map((j) => [j.name, j]));
  for (const job of options.jobs)
    if (!isValidSchedule(job.schedule)) throw new Error(`job ${job.name}: invalid schedule`);

  const shutdown = new AbortController();
  /** The runs of this instance that have not finished, by job name. */
  const running = new Map<string, Promise<void>>();
  let timer: NodeJS.Timeout | undefined;
  let nudged: NodeJS.Timeout | undefined;
  let ticking: Promise<unknown> | null = null;

  async function register() {
    await ScheduledJob.createIndexes();
    const at = now();
    for (const job of jobs.values()) {
      const schedule = job.schedule as Schedule;
      const key = scheduleKey(schedule);
      const stored = await ScheduledJob.findOne({ name: job.name }).select({ scheduleKey: 1 }).lean();
      if (!stored) {
        // A new job gets its first run. Two instances starting together: one inserts.
        await ScheduledJob.updateOne(
          { name: job.name },
          { $setOnInsert: { schedule, scheduleKey: key, nextRunAt: firstRun(schedule, at) } },
          { upsert: true },
        ).catch((error: unknown) => {
          if ((error as { code?: unknown }).code !== 11000) throw error;
        });
      } else if (stored.scheduleKey !== key) {
        // The definition's schedule changed: the stored next run belongs to the old one.
        await ScheduledJob.updateOne(
          { name: job.name, scheduleKey: stored.scheduleKey },
          { $set: { schedule, scheduleKey: key, nextRunAt: firstRun(schedule, at) } },
        );
      }
      // Otherwise the stored state stands: a restart is invisible to the schedule.
      if (job.runAtStart)
        await ScheduledJob.updateOne(
          { name: job.name, nextRunAt: mongoose.trusted({ $gt: at }) },
          { $set: { nextRunAt: at } },
        );
    }
  }

  /** One atomic claim: due, enabled, and nobody holds a live lease. */
  async function claim(name: string) {
    const at = now();
    return ScheduledJob.findOneAndUpdate(
      {
        name,
        enabled: true,
        nextRunAt: mongoose.trusted({ $lte: at }),
        $or: [{ lockedUntil: null }, { lockedUntil: mongoose.trusted({ $lte: at }) }],
      },
      { $set: { lockedBy: instanceId, lockedUntil: new Date(at.getTime() + leaseMs), lastRunAt: at } },
      { returnDocument: 'after' },
    ).lean();
  }

  async function execute(job: JobDefinition, claimed: { nextRunAt: Date; failCount: number }) {
    const started = now();
    const runAbort = new AbortController();
    const signal = AbortSignal.any([shutdown.signal, runAbort.signal]);
    // Renew the lease well before it ends; a renewal that finds the lease gone (taken
    // after this instance stalled past it) aborts the run: another instance owns it now.
    const renew = setInterval(
      () => {
        const at = now();
        ScheduledJob.updateOne(
          { name: job.name, lockedBy: instanceId },
          { $set: { lockedUntil: new Date(at.getTime() + leaseMs) } },
        ).then(
          (r) => {
            if (r.matchedCount === 0) runAbort.abort(new Error('lease lost'));
          },
          (error: unknown) => log(`[jobs] ${job.name}: lease renewal failed: ${errorText(error)}`),
        );
      },
      Math.max(50, Math.floor(leaseMs / 3)),
    );
    let outcome: { ok: true; result: Record<string, number | string> | null } | { ok: false; error: string };
    try {
      outcome = { ok: true, result: summaryOf(await job.run({ now: started, signal })) };
    } catch (error) {
      outcome = { ok: false, error: errorText(error) };
    } finally {
      clearInterval(renew);
    }
    const finished = now();
    const schedule = job.schedule as Schedule;
    const failCount = outcome.ok ? 0 : claimed.failCount + 1;
    const nextRunAt = outcome.ok
      ? nextRegularRun(schedule, finished, claimed.nextRunAt)
      : nextRunAfterFailure(schedule, failCount, finished, claimed.nextRunAt);
    const state = {
      lockedBy: null,
      lockedUntil: null,
      lastFinishedAt: finished,
      lastDurationMs: finished.getTime() - started.getTime(),
      lastResult: outcome.ok ? outcome.result : null,
      lastError: outcome.ok ? null : outcome.error,
      failCount,
    };
    // Only while this instance still holds the lease; and a "run now" pressed during the
    // run (nextRunAt moved) is kept rather than overwritten by the computed next run.
    const mine = { name: job.name, lockedBy: instanceId };
    const moved = await ScheduledJob.updateOne(
      { ...mine, nextRunAt: claimed.nextRunAt },
      { $set: { ...state, nextRunAt }, $inc: { runCount: 1 } },
    );
    if (moved.matchedCount === 0) {
      const kept = await ScheduledJob.updateOne(mine, { $set: state, $inc: { runCount: 1 } });
      if (kept.matchedCount === 0) log(`[jobs] ${job.name}: finished after its lease was taken over`);
    }
    if (outcome.ok)
      log(`[jobs] ${job.name} done in ${state.lastDurationMs} ms ${JSON.stringify(outcome.result ?? {})}`);
    else
      log(
        `[jobs] ${job.name} failed (${failCount} in a row), next try ${nextRunAt.toISOString()}: ${outcome.error}`,
      );
  }

  /** Claims every due job this instance knows and starts it; returns the started runs. */
  async function claimDue(): Promise<Array<[string, Promise<void>]>> {
    const started: Array<[string, Promise<void>]> = [];
    for (const job of jobs.values()) {
      if (shutdown.signal.aborted) break;
      if (running.has(job.name)) continue;
      const claimed = await claim(job.name);
      if (!claimed) continue;
      const run = execute(job, claimed)
        .catch((error: unknown) => log(`[jobs] ${job.name}: could not record the run: ${errorText(error)}`))
        .finally(() => running.delete(job.name));
      running.set(job.name, run);
      started.push([job.name, run]);
    }
    return started;
  }

  async function tick(): Promise<string[]> {
    const started = await claimDue();
    await Promise.all(started.map(([, run]) => run));
    return started.map(([name]) => name);
  }

  /** The timer's tick: claims, does not wait for the runs (a long job must not hold others up). */
  function backgroundTick() {
    if (ticking || shutdown.signal.aborted) return;
    ticking = claimDue()
      .catch((error: unknown) => log(`[jobs] tick failed: ${errorText(error)}`))
      .finally(() => {
        ticking = null;
      });
  }

  const scheduler: Scheduler = {
    instanceId,
    register,
    tick,
    async start() {
      await register();
      backgroundTick();
      timer = setInterval(backgroundTick, tickMs);
      timer.unref();
      active.add(scheduler);
    },
    nudge() {
      if (nudged || shutdown.signal.aborted || !timer) return;
      nudged = setTimeout(() => {
        nudged = undefined;
        backgroundTick();
      }, 100);
      nudged.unref();
    },
    async stop(graceMs = DEFAULT_STOP_GRACE_MS) {
      active.delete(scheduler);
      clearInterval(timer);
      clearTimeout(nudged);
      shutdown.abort(new Error('shutting down'));
      await ticking;
      const runs = [...running.values()];
      if (runs.length === 0) return;
      let waited: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => {
        waited = setTimeout(resolve, graceMs);
      });
      // A job that ignores the signal keeps its lease, which expires: another instance, or
      // this one restarted, takes the run over.
      await Promise.race([Promise.all(runs), grace]);
      clearTimeout(waited);
    },
  };
  return scheduler;
}

/** The schedulers started in this process (normally one, by server.ts). */
const active = new Set<Scheduler>();

/**
 * Run `name` soon: its next run moves to now (unless it is failing, whose backoff stands,
 * or disabled) and this process's scheduler ticks at once. For modules that just gave a
 * job work (the mail job after a notice is written). Call it after your transaction
 * commits: it writes through the driver, outside any transaction, and never throws.
 */
export async function runSoon(name: string, at: Date = new Date()): Promise<void> {
  try {
    await ScheduledJob.collection.updateOne(
      { name, enabled: true, failCount: 0, nextRunAt: { $gt: at } },
      { $set: { nextRunAt: at } },
    );
  } catch (error) {
    console.error(`[jobs] runSoon(${name}) failed: ${errorText(error)}`);
  }
  for (const scheduler of active) scheduler.nudge();
}

/** After "run now" on the admin page: this process's scheduler looks at once. */
export function nudgeSchedulers(): void {
  for (const scheduler of active) scheduler.nudge();
}

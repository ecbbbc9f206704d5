/**
 * The durable scheduler (app/utils/jobs/scheduler.server.ts) against the embedded server:
 * a run is claimed once across instances, a live lease is renewed and respected, a dead
 * one is taken over, failures back off, state survives a restart, "run now" and
 * `runSoon` go through the claim. Each test uses its own job names; clocks are injected.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ScheduledJob } from '../../models/job.ts';
import type { JobDefinition } from '~/utils/jobs/job-definition';
import { createScheduler, runSoon, type Scheduler } from '~/utils/jobs/scheduler.server';

const MIN = 60_000;
const vn = (wall: string) => new Date(`${wall}+07:00`);

/** A clock tests move by hand. */
function clock(start: Date) {
  let t = start.getTime();
  return {
    now: () => new Date(t),
    set: (d: Date) => {
      t = d.getTime();
    },
    advance: (ms: number) => {
      t += ms;
    },
  };
}

const started: Scheduler[] = [];
function scheduler(jobs: JobDefinition[], instanceId: string, now?: () => Date, leaseMs?: number) {
  const s = createScheduler({ jobs, instanceId, now, leaseMs, log: () => {} });
  started.push(s);
  return s;
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.stop(2_000)));
});

const stateOf = (name: string) => ScheduledJob.findOne({ name }).lean();

beforeAll(async () => {
  await ScheduledJob.createIndexes();
});

describe('registering', () => {
  it('creates one document per job: an interval job due now, a daily one at its next slot', async () => {
    const c = clock(vn('2026-12-07T12:00:00'));
    const s = scheduler(
      [
        { name: 'reg-every', schedule: { everyMs: 5 * MIN }, run: async () => {} },
        { name: 'reg-daily', schedule: { dailyAt: '00:05' }, run: async () => {} },
      ],
      'a',
      c.now,
    );
    await s.register();
    await s.register();
    expect(await ScheduledJob.countDocuments({ name: /^reg-/ })).toBe(2);
    expect((await stateOf('reg-every'))?.nextRunAt).toEqual(vn('2026-12-07T12:00:00'));
    const daily = await stateOf('reg-daily');
    expect(daily).toMatchObject({ nextRunAt: vn('2026-12-08T00:05:00'), enabled: true, failCount: 0 });
    expect(daily?.schedule).toEqual({ dailyAt: '00:05' });
  });

  it('a changed schedule recomputes the next run; runAtStart makes it due at start', async () => {
    const c = clock(vn('2026-12-07T12:00:00'));
    await scheduler(
      [{ name: 'reg-change', schedule: { dailyAt: '00:05' }, run: async () => {} }],
      'a',
      c.now,
    ).register();
    await scheduler(
      [{ name: 'reg-change', schedule: { dailyAt: '18:00' }, run: async () => {} }],
      'a',
      c.now,
    ).register();
    expect((await stateOf('reg-change'))?.nextRunAt).toEqual(vn('2026-12-07T18:00:00'));
    await scheduler(
      [{ name: 'reg-change', schedule: { dailyAt: '18:00' }, runAtStart: true, run: async () => {} }],
      'a',
      c.now,
    ).register();
    expect((await stateOf('reg-change'))?.nextRunAt).toEqual(c.now());
  });

  it('refuses a definition with a broken schedule', () => {
    expect(() =>
      createScheduler({ jobs: [{ name: 'bad', schedule: { dailyAt: '25:00' }, run: async () => {} }] }),
    ).toThrow(/invalid schedule/);
  });
});

describe('claiming', () => {
  it('two instances ticking at once: exactly one run', async () => {
    let runs = 0;
    const job: JobDefinition = {
      name: 'claim-once',
      schedule: { everyMs: 10 * MIN },
      run: async () => {
        runs++;
        await new Promise((r) => setTimeout(r, 50));
        return { done: 1 };
      },
    };
    const a = scheduler([job], 'instance-a');
    const b = scheduler([job], 'instance-b');
    await Promise.all([a.register(), b.register()]);
    for (let round = 0; round < 5; round++) {
      await ScheduledJob.updateOne({ name: job.name }, { $set: { nextRunAt: new Date(Date.now() - 1000) } });
      const [ranA, ranB] = await Promise.all([a.tick(), b.tick()]);
      expect(ranA.length + ranB.length).toBe(1);
    }
    expect(runs).toBe(5);
    const state = await stateOf(job.name);
    expect(state).toMatchObject({
      runCount: 5,
      failCount: 0,
      lockedBy: null,
      lockedUntil: null,
      lastResult: { done: 1 },
    });
    expect(state?.lastDurationMs).toBeGreaterThanOrEqual(40);
    // Not due again until ten minutes after the finish.
    expect(state!.nextRunAt.getTime() - state!.lastFinishedAt!.getTime()).toBe(10 * MIN);
    expect(await a.tick()).toEqual([]);
  });

  it('does not run a disabled job, nor one not yet due', async () => {
    let runs = 0;
    const job: JobDefinition = {
      name: 'claim-disabled',
      schedule: { everyMs: MIN },
      run: async () => void runs++,
    };
    const s = scheduler([job], 'a');
    await s.register();
    await ScheduledJob.updateOne({ name: job.name }, { $set: { enabled: false } });
    expect(await s.tick()).toEqual([]);
    await ScheduledJob.updateOne(
      { name: job.name },
      { $set: { enabled: true, nextRunAt: new Date(Date.now() + MIN) } },
    );
    expect(await s.tick()).toEqual([]);
    expect(runs).toBe(0);
  });
  it('after days of downtime a daily job runs once at start, then waits for its next slot', async () => {
    let runs = 0;
    const c = clock(vn('2026-12-01T12:00:00'));
    const job: JobDefinition = {
      name: 'claim-downtime',
      schedule: { dailyAt: '00:05' },
      run: async () => void runs++,
    };
    await scheduler([job], 'before', c.now).register();
    // Down from the 1st to the 10th: nine slots went by.
    c.set(vn('2026-12-10T09:00:00'));
    const after = scheduler([job], 'after', c.now);
    await after.start();
    for (let i = 0; i < 3; i++) await after.tick();
    await expect.poll(() => runs).toBe(1);
    expect((await stateOf(job.name))?.nextRunAt).toEqual(vn('2026-12-11T00:05:00'));
  });
});

describe('the lease', () => {
  it('is renewed while a long run goes on: another instance does not start it meanwhile', async () => {
    let runs = 0;
    const job: JobDefinition = {
      name: 'lease-renewed',
      schedule: { everyMs: 10 * MIN },
      run: async () => {
        runs++;
        // Two and a half leases long.
        await new Promise((r) => setTimeout(r, 2_500));
      },
    };
    const a = scheduler([job], 'a', undefined, 1_000);
    const b = scheduler([job], 'b', undefined, 1_000);
    await a.register();
    const long = a.tick();
    const until: Date[] = [];
    for (let i = 0; i < 8; i++) {
      await new Promise((r) => setTimeout(r, 250));
      expect(await b.tick()).toEqual([]);
      const s = await stateOf(job.name);
      if (s?.lockedUntil) until.push(s.lockedUntil);
    }
    expect(await long).toEqual([job.name]);
    expect(runs).toBe(1);
    // Renewed: the lease's end moved on while the run went on.
    expect(new Set(until.map((d) => d.getTime())).size).toBeGreaterThan(1);
  });

  it('a crashed instance’s lease expires and another instance takes the run over', async () => {
    const c = clock(new Date());
    const ran: string[] = [];
    const job = (who: string): JobDefinition => ({
      name: 'lease-takeover',
      schedule: { dailyAt: '00:05' },
      run: ({ signal }) =>
        who === 'crashed'
          ? // Never finishes on its own, and does not renew (its clock stands still).
            new Promise((resolve) => signal.addEventListener('abort', () => resolve()))
          : Promise.resolve(void ran.push(who)),
    });
    // The crashed instance: claims, then stops renewing (a lease long enough not to renew here).
    const crashed = scheduler([job('crashed')], 'crashed', c.now, 10 * MIN);
    await crashed.register();
    await ScheduledJob.updateOne({ name: 'lease-takeover' }, { $set: { nextRunAt: c.now() } });
    void crashed.tick();
    await expect.poll(async () => (await stateOf('lease-takeover'))?.lockedBy).toBe('crashed');

    const other = scheduler([job('other')], 'other', c.now, 10 * MIN);
    expect(await other.tick()).toEqual([]);
    c.advance(10 * MIN + 1);
    expect(await other.tick()).toEqual(['lease-takeover']);
    expect(ran).toEqual(['other']);
    const state = await stateOf('lease-takeover');
    expect(state).toMatchObject({ lockedBy: null, failCount: 0, runCount: 1 });
    expect(state!.nextRunAt.getTime()).toBeGreaterThan(c.now().getTime());
  });
});

describe('failures', () => {
  it('back off 1, 2, 4 minutes keeping failCount and lastError; a success resets them', async () => {
    const c = clock(vn('2026-12-07T12:00:00'));
    let fail = true;
    const job: JobDefinition = {
      name: 'fail-backoff',
      schedule: { everyMs: 30 * MIN },
      run: async () => {
        if (fail) throw new Error('SMTP refused');
        return { sent: 3 };
      },
    };
    const s = scheduler([job], 'a', c.now);
    await s.register();
    for (const [n, wait] of [
      [1, 1],
      [2, 2],
      [3, 4],
    ]) {
      expect(await s.tick()).toEqual([job.name]);
      const state = await stateOf(job.name);
      expect(state).toMatchObject({
        failCount: n,
        lastError: 'SMTP refused',
        lockedBy: null,
        lastResult: null,
      });
      expect(state!.nextRunAt).toEqual(new Date(c.now().getTime() + wait * MIN));
      // Not before the wait is over.
      c.advance(wait * MIN - 1);
      expect(await s.tick()).toEqual([]);
      c.advance(1);
    }
    fail = false;
    expect(await s.tick()).toEqual([job.name]);
    const state = await stateOf(job.name);
    expect(state).toMatchObject({ failCount: 0, lastError: null, lastResult: { sent: 3 }, runCount: 4 });
    expect(state!.nextRunAt).toEqual(new Date(c.now().getTime() + 30 * MIN));
  });

  it('a restart keeps the state: failures, next run, counts', async () => {
    const c = clock(vn('2026-12-07T12:00:00'));
    const job: JobDefinition = {
      name: 'restart-keeps',
      schedule: { dailyAt: '00:05' },
      run: async () => {
        throw new Error('boom');
      },
    };
    const first = scheduler([job], 'host:1', c.now);
    await first.register();
    await ScheduledJob.updateOne({ name: job.name }, { $set: { nextRunAt: c.now() } });
    await first.tick();
    await first.stop();
    const before = await stateOf(job.name);
    expect(before).toMatchObject({ failCount: 1, lastError: 'boom', runCount: 1 });

    c.advance(10_000);
    const restarted = scheduler([job], 'host:2', c.now);
    await restarted.start();
    const after = await stateOf(job.name);
    expect(after).toMatchObject({
      failCount: 1,
      lastError: 'boom',
      runCount: 1,
      nextRunAt: before!.nextRunAt,
    });
    await restarted.stop();
  });
});

describe('run now and runSoon', () => {
  it('run now makes a daily job due; pressed during a run, it runs once more afterwards, never alongside', async () => {
    let active = 0;
    let maxActive = 0;
    let runs = 0;
    let release: () => void = () => {};
    const job: JobDefinition = {
      name: 'run-now',
      schedule: { dailyAt: '00:05' },
      run: async () => {
        runs++;
        active++;
        maxActive = Math.max(maxActive, active);
        await new Promise<void>((r) => (release = r));
        active--;
      },
    };
    const a = scheduler([job], 'a');
    const b = scheduler([job], 'b');
    await a.register();
    expect(await a.tick()).toEqual([]);
    await ScheduledJob.updateOne({ name: job.name }, { $set: { nextRunAt: new Date() } });
    const first = a.tick();
    await expect.poll(() => runs).toBe(1);
    // "Run now" while it runs: neither instance starts a second copy.
    await ScheduledJob.updateOne({ name: job.name }, { $set: { nextRunAt: new Date() } });
    expect(await b.tick()).toEqual([]);
    release();
    await first;
    // The request made during the run was kept: it runs once more, then waits for its slot.
    const again = b.tick();
    await expect.poll(() => runs).toBe(2);
    release();
    expect(await again).toEqual([job.name]);
    expect(maxActive).toBe(1);
    expect((await stateOf(job.name))!.nextRunAt.getTime()).toBeGreaterThan(Date.now());
  });

  it('runSoon brings a healthy job forward, not one in backoff', async () => {
    const c = clock(new Date());
    const job: JobDefinition = { name: 'run-soon', schedule: { everyMs: 10 * MIN }, run: async () => {} };
    const s = scheduler([job], 'a', c.now);
    await s.register();
    expect(await s.tick()).toEqual(['run-soon']);
    expect(await s.tick()).toEqual([]);
    await runSoon('run-soon', c.now());
    expect(await s.tick()).toEqual(['run-soon']);

    const failing = new Date(c.now().getTime() + 5 * MIN);
    await ScheduledJob.updateOne({ name: 'run-soon' }, { $set: { failCount: 2, nextRunAt: failing } });
    await runSoon('run-soon', c.now());
    expect((await stateOf('run-soon'))?.nextRunAt).toEqual(failing);
    // An unknown name is harmless.
    await runSoon('no-such-job', c.now());
  });
});

describe('stopping', () => {
  it('aborts the running job and waits for it', async () => {
    let aborted = false;
    const job: JobDefinition = {
      name: 'stop-aborts',
      schedule: { everyMs: MIN },
      run: ({ signal }) =>
        new Promise<void>((resolve) =>
          signal.addEventListener('abort', () => {
            aborted = true;
            resolve();
          }),
        ),
    };
    const s = scheduler([job], 'a');
    await s.start();
    await expect.poll(async () => (await stateOf(job.name))?.lockedBy).toBe('a');
    await s.stop(2_000);
    expect(aborted).toBe(true);
    await expect.poll(async () => (await stateOf(job.name))?.lockedBy).toBeNull();
  });
});

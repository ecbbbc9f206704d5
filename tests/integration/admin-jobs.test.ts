/**
 * /admin/jobs: admins only; the table of jobs (label or raw name, schedule, last run,
 * result, next run, failures); "run now" and enable/disable each with its audit event in
 * one transaction; bad input answers a message and writes nothing. And the nightly
 * refresh, run through the scheduler after "run now", reports what it did.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { AuditEvent } from '../../models/audit-event.ts';
import { ScheduledJob } from '../../models/job.ts';
import { seedDatabase } from '../../seed/seed.server.ts';
import { action, loader } from '~/routes/admin.jobs';
import type { JobRow } from '~/utils/jobs/admin-jobs.server';
import { JOBS } from '~/utils/jobs/jobs.server';
import { isMessageKey } from '~/i18n';
import { createScheduler } from '~/utils/jobs/scheduler.server';
import { signIn } from '../fixtures/auth.ts';
import { call, get, post } from '../fixtures/remix.ts';

let admin: string;
let union: string;
let province: string;

const NIGHTLY = 'pipeline-due-refresh';

beforeAll(async () => {
  await seedDatabase({ members: 20, seed: 1, reset: true });
  [admin, union, province] = await Promise.all(
    ['admin@demo.vn', 'doantruong.pvd@demo.vn', 'tinhdoan@demo.vn'].map((e) => signIn(e)),
  );
});

const list = (cookie = admin) => call(loader, get('/admin/jobs', cookie));
const act = (fields: Record<string, string>, cookie = admin) =>
  call(action, post('/admin/jobs', fields, cookie));
const rowOf = async (name: string) => ((await list()).data.jobs as JobRow[]).find((j) => j.name === name);

describe('access', () => {
  it('refuses everyone but admins, for reading and writing', async () => {
    for (const cookie of [union, province]) {
      expect((await list(cookie)).status).toBe(403);
      expect((await act({ intent: 'runNow', name: NIGHTLY }, cookie)).status).toBe(403);
    }
    expect(await AuditEvent.countDocuments({ action: /^job\./ })).toBe(0);
  });
});

describe('the table', () => {
  it('lists a job of this build before any instance started it, by its translated label', async () => {
    const res = await list();
    expect(res).toHaveStatus(200);
    const row = (res.data.jobs as JobRow[]).find((j) => j.name === NIGHTLY);
    expect(row).toMatchObject({
      label: 'jobs.name.pipeline-due-refresh',
      schedule: { kind: 'daily', time: '00:05' },
      enabled: true,
      lastRunAt: null,
      nextRunAt: null,
      defined: true,
    });
  });

  it('shows a stored job this build does not define under its raw name, with its failures', async () => {
    await ScheduledJob.create({
      name: 'old-job',
      schedule: { weeklyAt: { weekday: 1, time: '07:00' } },
      scheduleKey: 'weekly:1:07:00',
      nextRunAt: new Date('2026-12-14T00:00:00Z'),
      failCount: 2,
      lastError: 'SMTP refused',
      lastResult: { frobbed: 4, note: 'x', nested: { no: 1 } },
    });
    const row = await rowOf('old-job');
    expect(row).toMatchObject({
      label: null,
      defined: false,
      schedule: { kind: 'weekly', weekday: 1, time: '07:00' },
      failCount: 2,
      lastError: 'SMTP refused',
      nextRunAt: '2026-12-14T00:00:00.000Z',
    });
    // Only figures and short strings are shown; a key without a label keeps its name.
    expect(row?.result).toEqual([
      { key: 'frobbed', label: null, value: 4 },
      { key: 'note', label: null, value: 'x' },
    ]);
  });
});

describe('run now and enable/disable', () => {
  beforeAll(async () => {
    const s = createScheduler({ jobs: JOBS, instanceId: 'test', log: () => {} });
    await s.register();
    // Not due: the run-at-start made it due, so push it to its nightly slot for these tests.
    await ScheduledJob.updateOne(
      { name: NIGHTLY },
      { $set: { nextRunAt: new Date(Date.now() + 3_600_000) } },
    );
  });

  it('"Chạy ngay" makes the job due with an audit event; the scheduler then runs it once and records its result', async () => {
    const before = Date.now();
    const res = await act({ intent: 'runNow', name: NIGHTLY });
    expect(res.status).toBe(302);
    expect(res.location).toBe('/admin/jobs?ok=jobRunRequested');
    const job = await ScheduledJob.findOne({ name: NIGHTLY }).lean();
    expect(job!.nextRunAt.getTime()).toBeGreaterThanOrEqual(before - 1);
    expect(job!.nextRunAt.getTime()).toBeLessThanOrEqual(Date.now());
    const event = await AuditEvent.findOne({ action: 'job.run_now' }).lean();
    expect(event).toMatchObject({ entity: 'ScheduledJob', details: { name: NIGHTLY } });
    expect(String(event!.entityId)).toBe(String(job!._id));

    // Only the nightly job: the others on the list (mail every 30 s) are due at registration too.
    const nightly = JOBS.filter((job) => job.name === NIGHTLY);
    const a = createScheduler({ jobs: nightly, instanceId: 'a', log: () => {} });
    const b = createScheduler({ jobs: nightly, instanceId: 'b', log: () => {} });
    const ran = (await Promise.all([a.tick(), b.tick()])).flat();
    expect(ran).toEqual([NIGHTLY]);
    const row = await rowOf(NIGHTLY);
    expect(row?.failCount).toBe(0);
    expect(row?.lastRunAt).not.toBeNull();
    expect(row?.result.map((r) => r.key)).toEqual(['verdicts', 'deadlines', 'scanned', 'dashboards']);
    expect(row?.result.find((r) => r.key === 'scanned')).toMatchObject({ label: 'jobs.result.scanned' });
    expect(row?.result.find((r) => r.key === 'scanned')?.value).toBeGreaterThan(0);
    // Next: tonight's 00:05 in Vietnam, in the future.
    expect(new Date(row!.nextRunAt!).getTime()).toBeGreaterThan(Date.now());
    expect(new Date(row!.nextRunAt!).getUTCHours()).toBe(17);
    expect(new Date(row!.nextRunAt!).getUTCMinutes()).toBe(5);
  });

  it('disable, then run now is refused with a message; enable again', async () => {
    let res = await act({ intent: 'disable', name: NIGHTLY });
    expect(res.location).toBe('/admin/jobs?ok=jobDisabled');
    expect((await rowOf(NIGHTLY))?.enabled).toBe(false);
    expect(await AuditEvent.countDocuments({ action: 'job.disable' })).toBe(1);

    const next = (await ScheduledJob.findOne({ name: NIGHTLY }).lean())!.nextRunAt;
    res = await act({ intent: 'runNow', name: NIGHTLY });
    expect(res).toHaveStatus(400);
    expect(res.data).toEqual({ formError: 'jobs.v.disabled', name: NIGHTLY });
    expect((await ScheduledJob.findOne({ name: NIGHTLY }).lean())!.nextRunAt).toEqual(next);

    res = await act({ intent: 'enable', name: NIGHTLY });
    expect(res.location).toBe('/admin/jobs?ok=jobEnabled');
    expect((await rowOf(NIGHTLY))?.enabled).toBe(true);
    expect(await AuditEvent.countDocuments({ action: 'job.enable' })).toBe(1);
  });

  it('every job of this build can be run now, and has its label and labelled figures', async () => {
    for (const job of JOBS) {
      const res = await act({ intent: 'runNow', name: job.name });
      // Dotted names (`notifications.due-scan`) were refused as malformed once.
      expect(res.status, job.name).toBe(302);
      expect((await rowOf(job.name))?.label, job.name).toBe(`jobs.name.${job.name}`);
      const result = await job.run({ now: new Date(), signal: new AbortController().signal });
      for (const key of Object.keys(result ?? {}))
        expect(isMessageKey(`jobs.result.${key}`), `${job.name}: ${key}`).toBe(true);
    }
  });

  it('bad input answers a clear message and writes nothing', async () => {
    const events = await AuditEvent.countDocuments();
    const jobs = await ScheduledJob.find().lean();
    for (const [fields, status, data] of [
      [{ intent: 'runNow' }, 400, { formError: 'jobs.v.badName', name: null }],
      [{ intent: 'runNow', name: '' }, 400, { formError: 'jobs.v.badName', name: null }],
      [{ intent: 'runNow', name: '{"$ne":1}' }, 400, { formError: 'jobs.v.badName', name: null }],
      [{ intent: 'enable', name: 'x'.repeat(65) }, 400, { formError: 'jobs.v.badName', name: null }],
      [{ intent: 'runNow', name: 'no-such-job' }, 404, { formError: 'jobs.v.notFound', name: 'no-such-job' }],
    ] as const) {
      const res = await act(fields);
      expect(res).toHaveStatus(status);
      expect(res.data).toEqual(data);
    }
    // An unknown or missing intent: the house's 400.
    expect((await act({ intent: 'delete', name: NIGHTLY })).status).toBe(400);
    expect((await act({})).status).toBe(400);
    expect(await AuditEvent.countDocuments()).toBe(events);
    expect(await ScheduledJob.find().lean()).toEqual(jobs);
  });
});

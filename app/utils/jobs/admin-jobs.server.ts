/**
 * /admin/jobs: every scheduled job's state (last run, duration, result, next run,
 * failures) and the admin's two levers, "run now" and enable/disable (decision 032).
 * Each lever is one transaction with its audit event; "run now" only makes the job due,
 * so the scheduler's claim still guarantees it never runs twice at once.
 */
import { data, redirect } from '@remix-run/node';
import { z } from 'zod';
import { ScheduledJob } from '../../../models/job';
import { describeSchedule, isValidSchedule, type ScheduleWords } from '~/domain/job-schedule';
import { isMessageKey, type MessageKey } from '~/i18n';
import { appendAudit } from '../audit/audit.server';
import type { AuthUser } from '../auth/auth.server';
import { unknownIntent } from '../responses.server';
import { inTransaction } from '../transaction.server';
import { JOBS } from './jobs.server';
import { nudgeSchedulers } from './scheduler.server';

export interface JobRow {
  name: string;
  /** `jobs.name.<name>` when the catalogue has it; the page shows the raw name otherwise. */
  label: MessageKey | null;
  schedule: ScheduleWords | null;
  enabled: boolean;
  /** A live lease: a run is going on now. */
  running: boolean;
  lastRunAt: string | null;
  lastFinishedAt: string | null;
  lastDurationMs: number | null;
  /** The last result's figures, each with its label when the catalogue has `jobs.result.<key>`. */
  result: Array<{ key: string; label: MessageKey | null; value: string | number }>;
  nextRunAt: string | null;
  failCount: number;
  lastError: string | null;
  /** Known to this build (in JOBS): a job no longer defined is shown but never runs. */
  defined: boolean;
}

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);
const keyIfKnown = (key: string): MessageKey | null => (isMessageKey(key) ? key : null);

export async function listJobs(now = new Date()): Promise<JobRow[]> {
  const docs = await ScheduledJob.find().sort({ name: 1 }).lean();
  const defined = new Map(JOBS.map((j) => [j.name, j]));
  const rows: JobRow[] = docs.map((d) => ({
    name: d.name,
    label: keyIfKnown(`jobs.name.${d.name}`),
    schedule: isValidSchedule(d.schedule) ? describeSchedule(d.schedule) : null,
    enabled: d.enabled,
    running: !!d.lockedUntil && d.lockedUntil.getTime() > now.getTime(),
    lastRunAt: iso(d.lastRunAt),
    lastFinishedAt: iso(d.lastFinishedAt),
    lastDurationMs: d.lastDurationMs ?? null,
    result: Object.entries((d.lastResult ?? {}) as Record<string, unknown>)
      .filter((e): e is [string, string | number] => typeof e[1] === 'string' || typeof e[1] === 'number')
      .map(([key, value]) => ({ key, label: keyIfKnown(`jobs.result.${key}`), value })),
    nextRunAt: iso(d.nextRunAt),
    failCount: d.failCount,
    lastError: d.lastError ?? null,
    defined: defined.has(d.name),
  }));
  // A job of this build that no instance has started yet (its document is written at start).
  for (const job of JOBS)
    if (!docs.some((d) => d.name === job.name))
      rows.push({
        name: job.name,
        label: keyIfKnown(`jobs.name.${job.name}`),
        schedule: describeSchedule(job.schedule),
        enabled: true,
        running: false,
        lastRunAt: null,
        lastFinishedAt: null,
        lastDurationMs: null,
        result: [],
        nextRunAt: null,
        failCount: 0,
        lastError: null,
        defined: true,
      });
  return rows;
}

/** A refused lever: the message above the table, and which job it was about. */
export interface JobActionData {
  formError: MessageKey;
  name: string | null;
}

const refuse = (formError: MessageKey, name: string | null, status: number) =>
  data({ formError, name } satisfies JobActionData, { status });

// Names are dotted by area (`notifications.due-scan`): dots are part of a name.
const JobName = z.string().regex(/^[a-z0-9][a-z0-9.-]{0,63}$/);
const INTENTS = ['runNow', 'enable', 'disable'] as const;
type Intent = (typeof INTENTS)[number];
const isIntent = (v: unknown): v is Intent => (INTENTS as readonly unknown[]).includes(v);

const AUDIT: Record<Intent, string> = { runNow: 'job.run_now', enable: 'job.enable', disable: 'job.disable' };
const TOAST: Record<Intent, string> = {
  runNow: 'jobRunRequested',
  enable: 'jobEnabled',
  disable: 'jobDisabled',
};

/** The page's action: `intent` runNow | enable | disable and the job's `name`. */
export async function jobAction(user: AuthUser, formData: FormData, now = new Date()) {
  const intent = formData.get('intent');
  if (!isIntent(intent)) throw unknownIntent();
  const parsed = JobName.safeParse(formData.get('name'));
  if (!parsed.success) return refuse('jobs.v.badName', null, 400);
  const name = parsed.data;

  const outcome = await inTransaction(async () => {
    const job = await ScheduledJob.findOne({ name }).lean();
    if (!job) return 'notFound' as const;
    if (intent === 'runNow' && !job.enabled) return 'disabled' as const;
    const set = intent === 'runNow' ? { nextRunAt: now } : { enabled: intent === 'enable' };
    const before = intent === 'runNow' ? { nextRunAt: job.nextRunAt } : { enabled: job.enabled };
    await ScheduledJob.updateOne({ _id: job._id }, { $set: set });
    await appendAudit({
      actorId: user.id,
      action: AUDIT[intent],
      entity: 'ScheduledJob',
      entityId: job._id,
      details: { name, before, after: set },
    });
    return 'done' as const;
  });
  if (outcome === 'notFound') return refuse('jobs.v.notFound', name, 404);
  if (outcome === 'disabled') return refuse('jobs.v.disabled', name, 400);
  // This instance's scheduler looks at once rather than at its next tick.
  if (intent === 'runNow') nudgeSchedulers();
  throw redirect(`/admin/jobs?ok=${TOAST[intent]}`);
}

import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { AdminTable, StatusBadge } from '~/components/admin-list';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { FormError } from '~/components/forms';
import type { ScheduleWords } from '~/domain/job-schedule';
import type { TFunction } from '~/i18n';
import { useFormatters, useT } from '~/i18n/use-t';
import { requireUser } from '~/utils/auth/permissions.server';
import { jobAction, listJobs, type JobRow } from '~/utils/jobs/admin-jobs.server';
import { pageTitle } from '~/utils/meta';
import { readForm } from '~/utils/request-guards.server';

// The scheduler is the admin's (like the audit log and API tokens): user:manage.
export async function loader({ request }: LoaderFunctionArgs) {
  await requireUser(request, { permission: 'user:manage' });
  return { jobs: await listJobs() };
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request, { permission: 'user:manage' });
  return jobAction(user, await readForm(request));
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, 'jobs.title');

function scheduleText(t: TFunction, s: ScheduleWords | null): string {
  if (!s) return '—';
  if (s.kind === 'daily') return t('jobs.schedule.daily', { time: s.time });
  if (s.kind === 'weekly')
    return t('jobs.schedule.weekly', { weekday: t(`jobs.weekday.${s.weekday}`), time: s.time });
  return t(`jobs.schedule.every.${s.unit}`, { count: s.count });
}

function durationText(t: TFunction, ms: number | null, number: (n: number) => string): string {
  if (ms === null) return '—';
  if (ms < 1000) return t('jobs.duration.ms', { ms: number(ms) });
  return t('jobs.duration.s', { s: number(Math.round(ms / 100) / 10) });
}

function JobActions({ job, busy }: { job: JobRow; busy: boolean }) {
  const t = useT();
  const label = job.label ? t(job.label) : job.name;
  return (
    <div className="job-actions">
      {job.enabled && job.defined ? (
        <Form method="post">
          <input type="hidden" name="intent" value="runNow" />
          <input type="hidden" name="name" value={job.name} />
          <button
            type="submit"
            disabled={busy || job.running}
            aria-label={t('jobs.runNowFor', { job: label })}
          >
            {t('jobs.runNow')}
          </button>
        </Form>
      ) : null}
      <Form method="post">
        <input type="hidden" name="intent" value={job.enabled ? 'disable' : 'enable'} />
        <input type="hidden" name="name" value={job.name} />
        <button
          type="submit"
          className="button-secondary"
          disabled={busy}
          aria-label={t(job.enabled ? 'jobs.disableFor' : 'jobs.enableFor', { job: label })}
        >
          {t(job.enabled ? 'jobs.disable' : 'jobs.enable')}
        </button>
      </Form>
    </div>
  );
}

export default function JobsPage() {
  const { jobs } = useLoaderData<typeof loader>();
  const refused = useActionData<typeof action>();
  const t = useT();
  const fmt = useFormatters();
  const busy = useNavigation().state === 'submitting';
  const when = (iso: string | null) => (iso ? fmt.dateTime(iso, { seconds: true }) : '—');

  return (
    <>
      <h1>{t('jobs.title')}</h1>
      <p className="muted">{t('jobs.intro')}</p>
      <FormError message={refused?.formError} params={{ name: refused?.name ?? '' }} />
      {/* Nine columns: on a phone the table keeps readable widths and scrolls in its frame. */}
      <div className="jobs-table">
        <AdminTable
          count={t('jobs.count', { count: fmt.number(jobs.length) })}
          countTestId="job-count"
          columns={[
            t('jobs.col.name'),
            t('jobs.col.schedule'),
            t('jobs.col.lastRun'),
            t('jobs.col.duration'),
            t('jobs.col.result'),
            t('jobs.col.nextRun'),
            t('jobs.col.failures'),
            t('jobs.col.status'),
            t('jobs.col.actions'),
          ]}
          empty={t('jobs.empty')}
        >
          {jobs.map((job) => (
            <tr key={job.name} data-job={job.name}>
              <td>
                <strong>{job.label ? t(job.label) : job.name}</strong>
                {job.label ? (
                  <>
                    <br />
                    <code className="muted">{job.name}</code>
                  </>
                ) : null}
              </td>
              <td>{scheduleText(t, job.schedule)}</td>
              <td>{when(job.lastRunAt)}</td>
              <td>{job.running ? t('jobs.running') : durationText(t, job.lastDurationMs, fmt.number)}</td>
              <td>
                {job.result.length
                  ? job.result.map((r, i) => (
                      <span key={r.key}>
                        {i > 0 ? <br /> : null}
                        {r.label ? t(r.label) : r.key}:{' '}
                        {typeof r.value === 'number' ? fmt.number(r.value) : r.value}
                      </span>
                    ))
                  : '—'}
              </td>
              <td>
                {job.enabled ? (job.running ? t('jobs.running') : when(job.nextRunAt)) : t('jobs.paused')}
              </td>
              <td>
                {job.failCount > 0 ? (
                  <>
                    <strong className="field-error">
                      {t('jobs.failures', { count: fmt.number(job.failCount) })}
                    </strong>
                    {job.lastError ? (
                      <>
                        <br />
                        <span className="muted">{job.lastError}</span>
                      </>
                    ) : null}
                  </>
                ) : (
                  t('jobs.noFailures')
                )}
              </td>
              <td>
                <StatusBadge active={job.enabled}>
                  {t(job.enabled ? 'jobs.enabled' : 'jobs.disabled')}
                </StatusBadge>
                {!job.defined ? (
                  <>
                    <br />
                    <span className="muted">{t('jobs.undefined')}</span>
                  </>
                ) : null}
              </td>
              <td>
                <JobActions job={job} busy={busy} />
              </td>
            </tr>
          ))}
        </AdminTable>
      </div>
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}

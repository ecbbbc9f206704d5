import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { ScopeHome } from '~/components/scope-home';
import { TargetProgress } from '~/components/target-progress';
import { useFormatters, useT } from '~/i18n/use-t';
import { schoolTargetProgress, scopeSummary } from '~/utils/reports/home.server';
import { pageTitle } from '~/utils/meta';
import { can } from '~/domain/permissions';
import { requireUser } from '~/utils/auth/permissions.server';
import { correctionCounts } from '~/utils/student/corrections.server';
import { pendingCounts } from '~/utils/student/submissions.server';
import { forbidden } from '~/utils/responses.server';

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request, { permission: 'member:read' });
  // The school home serves both sides of a school: the Union and the Party committee.
  const partyView = can(user.role, 'pipeline:party') && !can(user.role, 'pipeline:union');
  if (!can(user.role, 'pipeline:union') && !can(user.role, 'pipeline:party')) throw forbidden();
  const union = can(user.role, 'pipeline:union');
  const [summary, pending, corrections, target] = await Promise.all([
    scopeSummary(user),
    union ? pendingCounts(user) : null,
    union ? correctionCounts(user) : null,
    schoolTargetProgress(user),
  ]);
  return { userName: user.name, partyView, summary, pending, corrections, target };
}

export const meta: MetaFunction<typeof loader> = ({ matches, data }) =>
  pageTitle(matches, data?.partyView ? 'home.schoolPartyTitle' : 'home.schoolUnionTitle');

export default function SchoolHome() {
  const { userName, partyView, summary, pending, corrections, target } = useLoaderData<typeof loader>();
  const t = useT();
  const f = useFormatters();
  return (
    <>
      <ScopeHome
        title={partyView ? 'home.schoolPartyTitle' : 'home.schoolUnionTitle'}
        intro={partyView ? 'home.partyView' : 'home.unionView'}
        userName={userName}
        summary={summary}
        links={[
          { to: '/admin/units', label: 'home.viewUnits' },
          { to: '/criteria', label: 'criteria.title' },
        ]}
      />
      {target ? (
        <section aria-labelledby="target-title" data-testid="school-target">
          <h2 id="target-title">{t('targets.homeTitle', { year: target.year })}</h2>
          <p>
            <TargetProgress
              admitted={target.admitted}
              target={target.target}
              label={t('targets.homeLabel', { year: target.year })}
            />
          </p>
          <p className="muted">
            {t('targets.homeAdmitted', { admitted: f.number(target.admitted), year: target.year })}
          </p>
        </section>
      ) : null}
      {pending ? (
        <section aria-labelledby="pending-title" data-testid="pending-submissions">
          <h2 id="pending-title">{t('queue.pendingTitle')}</h2>
          <p>{t('queue.pending', { count: f.number(pending.pending) })}</p>
          {pending.stale > 0 ? (
            <p>
              <strong>{t('queue.pendingStale', { count: f.number(pending.stale) })}</strong>
            </p>
          ) : null}
          <p>
            <Link to="/school/submissions">{t('queue.open')}</Link>
          </p>
        </section>
      ) : null}
      {corrections && corrections.open > 0 ? (
        <section aria-labelledby="corrections-title" data-testid="open-corrections">
          <h2 id="corrections-title">{t('queue.corrections')}</h2>
          <p>{t('queue.correctionsOpen', { count: f.number(corrections.open) })}</p>
          {corrections.overdue > 0 ? (
            <p>
              <strong>{t('queue.correctionsOverdue', { count: f.number(corrections.overdue) })}</strong>
            </p>
          ) : null}
          <p>
            <Link to="/school/submissions#corrections">{t('queue.open')}</Link>
          </p>
        </section>
      ) : null}
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}

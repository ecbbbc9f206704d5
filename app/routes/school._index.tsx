import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { ScopeHome } from '~/components/scope-home';
import { forbidden } from '~/utils/auth.server';
import { useFormatters, useT } from '~/i18n/use-t';
import { scopeSummary } from '~/utils/home.server';
import { pageTitle } from '~/utils/meta';
import { can } from '~/utils/permissions';
import { requireUser } from '~/utils/permissions.server';
import { pendingCounts } from '~/utils/submissions.server';

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request, { permission: 'member:read' });
  // The school home serves both sides of a school: the Union and the Party committee.
  const partyView = can(user.role, 'pipeline:party') && !can(user.role, 'pipeline:union');
  if (!can(user.role, 'pipeline:union') && !can(user.role, 'pipeline:party')) throw forbidden();
  const [summary, pending] = await Promise.all([
    scopeSummary(user),
    can(user.role, 'pipeline:union') ? pendingCounts(user) : null,
  ]);
  return { userName: user.name, partyView, summary, pending };
}

export const meta: MetaFunction<typeof loader> = ({ matches, data }) =>
  pageTitle(matches, data?.partyView ? 'home.schoolPartyTitle' : 'home.schoolUnionTitle');

export default function SchoolHome() {
  const { userName, partyView, summary, pending } = useLoaderData<typeof loader>();
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
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}

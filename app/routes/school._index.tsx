import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { useLoaderData } from '@remix-run/react';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { ScopeHome } from '~/components/scope-home';
import { forbidden } from '~/utils/auth.server';
import { scopeSummary } from '~/utils/home.server';
import { pageTitle } from '~/utils/meta';
import { can } from '~/utils/permissions';
import { requireUser } from '~/utils/permissions.server';

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request, { permission: 'member:read' });
  // The school home serves both sides of a school: the Union and the Party committee.
  const partyView = can(user.role, 'pipeline:party') && !can(user.role, 'pipeline:union');
  if (!can(user.role, 'pipeline:union') && !can(user.role, 'pipeline:party')) throw forbidden();
  return { userName: user.name, partyView, summary: await scopeSummary(user) };
}

export const meta: MetaFunction<typeof loader> = ({ matches, data }) =>
  pageTitle(matches, data?.partyView ? 'home.schoolPartyTitle' : 'home.schoolUnionTitle');

export default function SchoolHome() {
  const { userName, partyView, summary } = useLoaderData<typeof loader>();
  return (
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
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}

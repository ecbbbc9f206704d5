import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { useLoaderData } from '@remix-run/react';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { ScopeHome } from '~/components/scope-home';
import { scopeSummary } from '~/utils/reports/home.server';
import { pageTitle } from '~/utils/meta';
import { requireUser } from '~/utils/auth/permissions.server';

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request, { permission: 'user:manage' });
  return { userName: user.name, summary: await scopeSummary(user) };
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, 'home.adminTitle');

export default function AdminHome() {
  const { userName, summary } = useLoaderData<typeof loader>();
  return (
    <ScopeHome
      title="home.adminTitle"
      userName={userName}
      summary={summary}
      links={[
        { to: '/admin/units', label: 'home.manageUnits' },
        { to: '/admin/users', label: 'home.manageUsers' },
        { to: '/admin/holidays', label: 'holidays.homeLink' },
        { to: '/admin/audit', label: 'audit.homeLink' },
        { to: '/admin/tokens', label: 'tokens.homeLink' },
        { to: '/admin/jobs', label: 'jobs.homeLink' },
        { to: '/admin/outbox', label: 'mail.outbox.homeLink' },
      ]}
    />
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}

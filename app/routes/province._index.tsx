import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { useLoaderData } from '@remix-run/react';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { ScopeHome } from '~/components/scope-home';
import { scopeSummary } from '~/utils/reports/home.server';
import { pageTitle } from '~/utils/meta';
import { requireUser } from '~/utils/auth/permissions.server';

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request, { permission: 'pipeline:review' });
  return { userName: user.name, summary: await scopeSummary(user) };
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, 'home.provinceTitle');

export default function ProvinceHome() {
  const { userName, summary } = useLoaderData<typeof loader>();
  return (
    <ScopeHome
      title="home.provinceTitle"
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

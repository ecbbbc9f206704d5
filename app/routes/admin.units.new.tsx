import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, useActionData, useLoaderData, useSearchParams } from '@remix-run/react';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { UnitEditor } from '~/components/unit-editor';
import { useT } from '~/i18n/use-t';
import { pageTitle } from '~/utils/meta';
import { requireUser } from '~/utils/auth/permissions.server';
import { parentOptions, saveUnit } from '~/utils/admin/units.server';
import { readForm } from '~/utils/request-guards.server';

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request, { permission: 'unit:manage' });
  return { parents: await parentOptions(user) };
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request, { permission: 'unit:manage' });
  return saveUnit(user, await readForm(request));
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, 'units.newTitle');

export default function NewUnitPage() {
  const { parents } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const [searchParams] = useSearchParams();
  const t = useT();
  // `?parentId=` preselects the parent when coming from a unit's page.
  const values = actionData?.values ?? { parentId: searchParams.get('parentId') ?? '' };
  return (
    <>
      <p>
        <Link to="/admin/units">{t('units.back')}</Link>
      </p>
      <h1>{t('units.newTitle')}</h1>
      <UnitEditor mode="create" values={values} parents={parents} result={actionData?.result} />
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}

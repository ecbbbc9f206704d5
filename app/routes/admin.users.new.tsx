import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, useActionData, useLoaderData } from '@remix-run/react';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { UserEditor } from '~/components/user-editor';
import { useT } from '~/i18n/use-t';
import { pageTitle } from '~/utils/meta';
import { requireUser } from '~/utils/auth/permissions.server';
import { unitOptions } from '~/utils/admin/units.server';
import { saveUser } from '~/utils/admin/users.server';
import { readForm } from '~/utils/request-guards.server';

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request, { permission: 'user:manage' });
  return { units: await unitOptions(user, ['province', 'school']) };
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request, { permission: 'user:manage' });
  return saveUser(user, await readForm(request));
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, 'users.newTitle');

export default function NewUserPage() {
  const { units } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const t = useT();
  return (
    <>
      <p>
        <Link to="/admin/users">{t('users.back')}</Link>
      </p>
      <h1>{t('users.newTitle')}</h1>
      <UserEditor mode="create" values={actionData?.values ?? {}} units={units} result={actionData?.result} />
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}

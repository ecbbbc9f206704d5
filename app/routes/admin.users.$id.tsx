import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react';
import { FormError } from '~/components/forms';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { ResetPasswordForm, UserEditor } from '~/components/user-editor';
import { useT } from '~/i18n/use-t';
import { pageTitle } from '~/utils/meta';
import { requireUser } from '~/utils/auth/permissions.server';
import { unitOptions } from '~/utils/admin/units.server';
import { getUserForEdit, resetPassword, saveUser, setUserActive } from '~/utils/admin/users.server';
import { readForm } from '~/utils/request-guards.server';
import { requireId } from '~/utils/params.server';
import { unknownIntent } from '~/utils/responses.server';

export async function loader({ request, params }: LoaderFunctionArgs) {
  const admin = await requireUser(request, { permission: 'user:manage' });
  const id = requireId(params);
  const [account, units] = await Promise.all([
    getUserForEdit(id),
    unitOptions(admin, ['province', 'school']),
  ]);
  return { account, units, isSelf: admin.id === account.id };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const admin = await requireUser(request, { permission: 'user:manage' });
  const id = requireId(params);
  const formData = await readForm(request);
  switch (formData.get('intent')) {
    case 'save':
      return saveUser(admin, formData, id);
    case 'resetPassword':
      return resetPassword(admin, id, formData);
    case 'deactivate':
      return setUserActive(admin, id, false);
    case 'activate':
      return setUserActive(admin, id, true);
    default:
      throw unknownIntent();
  }
}

export const meta: MetaFunction<typeof loader> = ({ matches, data }) =>
  pageTitle(matches, 'users.editTitle', { name: data?.account.name ?? '' });

export default function UserPage() {
  const { account, units, isSelf } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const t = useT();
  const errorsFor = (form: string) => (actionData?.form === form ? actionData.fieldErrors : undefined);
  const resultFor = (form: string) => (actionData?.form === form ? actionData.result : undefined);
  return (
    <>
      <p>
        <Link to="/admin/users">{t('users.back')}</Link>
      </p>
      <h1>{t('users.editTitle', { name: account.name })}</h1>
      <p>
        <span
          className={`badge ${account.active ? 'badge-active' : 'badge-inactive'}`}
          data-testid="user-status"
        >
          {account.active ? t('units.active') : t('units.inactive')}
        </span>
      </p>
      <UserEditor
        key={account.id}
        mode="edit"
        values={(actionData?.form === 'save' ? actionData.values : undefined) ?? account.values}
        units={units}
        result={resultFor('save')}
      />

      <section className="panel" aria-labelledby="reset-title">
        <h2 id="reset-title">{t('users.resetPassword')}</h2>
        <p className="field-hint">{t('users.resetPasswordHint')}</p>
        <ResetPasswordForm result={resultFor('resetPassword')} />
      </section>

      {isSelf ? null : (
        <section className="panel" aria-labelledby="status-title">
          <h2 id="status-title">{t('users.status')}</h2>
          <FormError message={errorsFor('status')?._form?.[0]} />
          <Form method="post">
            {account.active ? (
              <button type="submit" name="intent" value="deactivate" className="button-danger">
                {t('users.deactivate')}
              </button>
            ) : (
              <button type="submit" name="intent" value="activate" className="button-secondary">
                {t('users.activate')}
              </button>
            )}
          </Form>
        </section>
      )}
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}

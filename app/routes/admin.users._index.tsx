import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useLoaderData, useSearchParams } from '@remix-run/react';
import { ActiveStatusFilter, AdminTable, SimplePager, StatusBadge } from '~/components/admin-list';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { useFormatters, useT } from '~/i18n/use-t';
import { pageTitle } from '~/utils/meta';
import { ROLES } from '~/domain/permissions';
import { requireUser } from '~/utils/permissions.server';
import { listUsers, UserListQuerySchema } from '~/utils/users.server';

export async function loader({ request }: LoaderFunctionArgs) {
  await requireUser(request, { permission: 'user:manage' });
  const query = UserListQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  return { query, ...(await listUsers(query)) };
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, 'users.title');

export default function UsersPage() {
  const { query, rows, rowCount, page, pages } = useLoaderData<typeof loader>();
  const t = useT();
  const fmt = useFormatters();
  const [searchParams] = useSearchParams();
  const pageLink = (p: number) => {
    const next = new URLSearchParams(searchParams);
    next.set('page', String(p));
    next.delete('ok');
    return `?${next}`;
  };
  return (
    <>
      <h1>{t('users.title')}</h1>
      <p>
        <Link className="button" to="/admin/users/new">
          {t('users.new')}
        </Link>
      </p>
      <Form method="get" className="filters" role="search">
        <div className="field">
          <label htmlFor="users-q">{t('users.search')}</label>
          <input id="users-q" type="search" name="q" defaultValue={query.q} maxLength={100} />
        </div>
        <div className="field">
          <label htmlFor="users-role">{t('users.roleFilter')}</label>
          <select id="users-role" name="role" defaultValue={query.role ?? ''}>
            <option value="">{t('units.all')}</option>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {t(`role.${r}`)}
              </option>
            ))}
          </select>
        </div>
        <ActiveStatusFilter id="users-status" defaultValue={query.status} />
        <button type="submit">{t('units.filter')}</button>
      </Form>
      <AdminTable
        count={t('users.count', { count: fmt.number(rowCount) })}
        columns={[t('users.name'), t('users.email'), t('users.role'), t('users.unit'), t('users.status')]}
        empty={t('users.empty')}
      >
        {rows.map((u) => (
          <tr key={u.id}>
            <td>
              <Link to={`/admin/users/${u.id}`}>{u.name}</Link>
            </td>
            <td>{u.email}</td>
            <td>{t(`role.${u.role}`)}</td>
            <td>{u.unit}</td>
            <td>
              <StatusBadge active={u.active} />
            </td>
          </tr>
        ))}
      </AdminTable>
      <SimplePager page={page} pages={pages} pageLink={pageLink} />
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}

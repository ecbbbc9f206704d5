import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { AdminList, StatusBadge } from '~/components/admin-list';
import { OptionSelect } from '~/components/option-select';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { useFormatters, useT } from '~/i18n/use-t';
import { pageTitle } from '~/utils/meta';
import { ROLES } from '~/domain/permissions';
import { requireUser } from '~/utils/auth/permissions.server';
import { listUsers, UserListQuerySchema } from '~/utils/admin/users.server';

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
  return (
    <AdminList
      idPrefix="users"
      title={t('users.title')}
      create={{ to: '/admin/users/new', label: t('users.new') }}
      search={{ label: t('users.search'), value: query.q }}
      filters={
        <OptionSelect
          name="role"
          label={t('users.roleFilter')}
          allLabel={t('units.all')}
          value={query.role}
          options={ROLES.map((r) => ({ id: r, name: t(`role.${r}`) }))}
        />
      }
      status={query.status}
      submit={t('units.filter')}
      page={page}
      pages={pages}
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
    </AdminList>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}

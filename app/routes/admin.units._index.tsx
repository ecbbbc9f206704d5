import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { AdminList, StatusBadge } from '~/components/admin-list';
import { OptionSelect } from '~/components/option-select';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { UNIT_KIND_VALUES } from '~/utils/forms/unit';
import { useFormatters, useT } from '~/i18n/use-t';
import { pageTitle } from '~/utils/meta';
import { can } from '~/domain/permissions';
import { requireUser } from '~/utils/auth/permissions.server';
import { listUnits, UnitListQuerySchema } from '~/utils/admin/units.server';

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request, { permission: 'unit:read' });
  const query = UnitListQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  return { query, canManage: can(user.role, 'unit:manage'), ...(await listUnits(user, query)) };
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, 'units.title');

export default function UnitsPage() {
  const { query, canManage, rows, rowCount, page, pages } = useLoaderData<typeof loader>();
  const t = useT();
  const fmt = useFormatters();
  return (
    <AdminList
      idPrefix="units"
      title={t('units.title')}
      create={canManage ? { to: '/admin/units/new', label: t('units.new') } : undefined}
      search={{ label: t('units.search'), value: query.q }}
      filters={
        <OptionSelect
          name="kind"
          label={t('units.kindFilter')}
          allLabel={t('units.all')}
          value={query.kind}
          options={UNIT_KIND_VALUES.map((k) => ({ id: k, name: t(`unitKind.${k}`) }))}
        />
      }
      status={query.status}
      submit={t('units.filter')}
      page={page}
      pages={pages}
      count={t('units.count', { count: fmt.number(rowCount) })}
      countTestId="unit-count"
      columns={[t('units.name'), t('units.code'), t('units.kind'), t('units.status')]}
      empty={t('units.empty')}
    >
      {rows.map((u) => (
        <tr key={u.id}>
          <td>
            <span className="tree-name" data-depth={Math.min(u.depth, 6)}>
              <Link to={`/admin/units/${u.id}`}>{u.name}</Link>
            </span>
          </td>
          <td>{u.code}</td>
          <td>{t(`unitKind.${u.kind as (typeof UNIT_KIND_VALUES)[number]}`)}</td>
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

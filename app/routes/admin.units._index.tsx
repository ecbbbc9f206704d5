import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useLoaderData, useSearchParams } from '@remix-run/react';
import { ActiveStatusFilter, AdminTable, SimplePager, StatusBadge } from '~/components/admin-list';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { UNIT_KIND_VALUES } from '~/utils/forms/unit';
import { useFormatters, useT } from '~/i18n/use-t';
import { pageTitle } from '~/utils/meta';
import { can } from '~/domain/permissions';
import { requireUser } from '~/utils/permissions.server';
import { listUnits, UnitListQuerySchema } from '~/utils/units.server';

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
  const [searchParams] = useSearchParams();
  const pageLink = (p: number) => {
    const next = new URLSearchParams(searchParams);
    next.set('page', String(p));
    next.delete('ok');
    return `?${next}`;
  };

  return (
    <>
      <h1>{t('units.title')}</h1>
      {canManage ? (
        <p>
          <Link className="button" to="/admin/units/new">
            {t('units.new')}
          </Link>
        </p>
      ) : null}
      <Form method="get" className="filters" role="search">
        <div className="field">
          <label htmlFor="units-q">{t('units.search')}</label>
          <input id="units-q" type="search" name="q" defaultValue={query.q} maxLength={100} />
        </div>
        <div className="field">
          <label htmlFor="units-kind">{t('units.kindFilter')}</label>
          <select id="units-kind" name="kind" defaultValue={query.kind ?? ''}>
            <option value="">{t('units.all')}</option>
            {UNIT_KIND_VALUES.map((k) => (
              <option key={k} value={k}>
                {t(`unitKind.${k}`)}
              </option>
            ))}
          </select>
        </div>
        <ActiveStatusFilter id="units-status" defaultValue={query.status} />
        <button type="submit">{t('units.filter')}</button>
      </Form>

      <AdminTable
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
      </AdminTable>
      <SimplePager page={page} pages={pages} pageLink={pageLink} />
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}

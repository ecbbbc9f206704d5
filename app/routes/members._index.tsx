import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, useLoaderData, useSearchParams } from '@remix-run/react';
import {
  getCoreRowModel,
  useReactTable,
  type ColumnDef,
  type RowSelectionState,
  type SortingState,
} from '@tanstack/react-table';
import { useMemo, useState } from 'react';
import { ColumnChooser } from '~/components/column-chooser';
import { DataTable, Pager } from '~/components/data-table';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { COLUMN_LABELS, MEMBER_TABLE_COLUMNS } from '~/components/member-columns';
import { MemberDrillNotice } from '~/components/member-drill';
import { MemberFilters } from '~/components/member-filters';
import { SensitiveRefusalText } from '~/components/sensitive-refusal';
import { useFormatters, useT } from '~/i18n/use-t';
import tableStyles from '~/styles/data-table.css?url';
import { filterOptions, isProvinceWide, listMembers } from '~/utils/members/members-list.server';
import {
  MEMBER_COLUMNS,
  PAGE_SIZES,
  type MemberColumn,
  type MemberTableRow,
  parseMemberListQuery,
  sortOf,
  tableSearch,
  visibleColumns,
} from '~/utils/members/members-query';
import { pageTitle } from '~/utils/meta';
import { can } from '~/domain/permissions';
import { requireUser } from '~/utils/auth/permissions.server';
import { requireSensitiveFilters, revealFilteredList } from '~/utils/members/sensitive-access.server';

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: tableStyles }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request, { permission: 'member:read' });
  const params = new URL(request.url).searchParams;
  // Ethnicity/religion: refused to roles that may not reveal them, before anything is read.
  const filters = requireSensitiveFilters(user, params, 'page');
  const parsed = parseMemberListQuery(params);
  const options = await filterOptions(user, parsed);
  const { query, ...result } = await listMembers(user, parsed, options);
  // Too small a group is refused; any other is logged as a reveal before the rows are sent.
  await revealFilteredList(user, { filters, values: query, count: result.rowCount, via: 'list', as: 'page' });
  return {
    query,
    ...result,
    options,
    wide: isProvinceWide(user),
    canSensitive: can(user.role, 'sensitive:read'),
    canCreate: can(user.role, 'member:write'),
    canImport: can(user.role, 'member:import'),
  };
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, 'members.title');

const COLUMNS = MEMBER_TABLE_COLUMNS as ColumnDef<MemberTableRow, unknown>[];

export default function MembersPage() {
  const data = useLoaderData<typeof loader>();
  const { query, rows, rowCount, page, pages, options } = data;
  const t = useT();
  const fmt = useFormatters();
  const [searchParams] = useSearchParams();
  const { key: sortKey, dir: sortDir } = sortOf(query);
  const visible = visibleColumns(query, data.wide);
  const [rowSelection, setRowSelection] = useState<RowSelectionState>({});
  // The default view lets low-priority columns give way to the width; a chosen set is shown as chosen.
  const fit = !query.cols;
  const [fitHidden, setFitHidden] = useState<string[]>([]);
  const shown = fit ? visible.filter((c) => !fitHidden.includes(c)) : visible;

  const sorting: SortingState = useMemo(
    () => [{ id: sortKey, desc: sortDir === 'desc' }],
    [sortKey, sortDir],
  );
  const columnVisibility = useMemo(
    () => Object.fromEntries(MEMBER_COLUMNS.map((c) => [c, visible.includes(c)])),
    [visible],
  );
  const table = useReactTable({
    data: rows,
    columns: COLUMNS,
    getRowId: (row) => row.id,
    getCoreRowModel: getCoreRowModel(),
    manualPagination: true,
    manualSorting: true,
    manualFiltering: true,
    enableSortingRemoval: false,
    pageCount: pages,
    rowCount,
    state: {
      sorting,
      columnVisibility,
      rowSelection,
      pagination: { pageIndex: page - 1, pageSize: query.size },
    },
    onRowSelectionChange: setRowSelection,
  });

  // URL state other forms must carry along, without the page (any change starts at page 1).
  const keep = (...drop: string[]): [string, string][] =>
    [...searchParams.entries()].filter(([k]) => k !== 'page' && k !== 'ok' && !drop.includes(k));
  const href = (overrides: Record<string, string | undefined>) => tableSearch(searchParams, overrides);
  const selectedIds = Object.keys(rowSelection);

  const sortLabel = t(sortKey === 'name' ? 'members.col.name' : COLUMN_LABELS[sortKey]);
  const exportHidden = keep('cols');

  return (
    <>
      <h1>{t('members.title')}</h1>
      {data.canCreate || data.canImport ? (
        <p className="page-actions">
          {data.canCreate ? (
            <Link to="/members/new" className="button">
              {t('member.create')}
            </Link>
          ) : null}
          {data.canImport ? (
            <Link to="/members/import" className="button button-secondary">
              {t('import.title')}
            </Link>
          ) : null}
        </p>
      ) : null}
      <p aria-live="polite" data-testid="member-count" data-count={rowCount}>
        {t('members.count', { count: fmt.number(rowCount) })}
      </p>

      <MemberFilters query={query} options={options} wide={data.wide} />
      <MemberDrillNotice query={query} />

      <div className="table-toolbar">
        <ColumnChooser
          columns={MEMBER_COLUMNS}
          visible={shown}
          labels={COLUMN_LABELS}
          hidden={keep('cols')}
        />
        <form method="get" action="/members/export" className="export-form" aria-label={t('members.export')}>
          {exportHidden.map(([k, v]) => (
            <input key={k} type="hidden" name={k} value={v} />
          ))}
          {data.canSensitive ? (
            <label className="checkbox">
              <input type="checkbox" name="sensitive" value="1" />
              {t('members.exportSensitive')}
            </label>
          ) : null}
          <button type="submit" name="format" value="xlsx" className="button-secondary">
            {t('members.exportXlsx')}
          </button>
          <button type="submit" name="format" value="csv" className="button-secondary">
            {t('members.exportCsv')}
          </button>
        </form>
      </div>
      <p className="field-hint" data-testid="export-paused-hint">
        {t('consent.exportHint')}
      </p>

      {selectedIds.length ? (
        <div className="bulk-bar" role="region" aria-label={t('members.bulkActions')} data-testid="bulk-bar">
          <span aria-live="polite">{t('members.selected', { count: fmt.number(selectedIds.length) })}</span>
          <form method="get" action="/members/export">
            <input type="hidden" name="format" value="xlsx" />
            {selectedIds.map((id) => (
              <input key={id} type="hidden" name="id" value={id} />
            ))}
            <button type="submit">{t('members.exportSelected')}</button>
          </form>
          <button type="button" className="button-secondary" onClick={() => setRowSelection({})}>
            {t('members.clearSelection')}
          </button>
        </div>
      ) : null}

      {fit && fitHidden.length ? (
        <p className="field-hint" data-testid="fit-hint">
          {t('table.fitHidden', {
            columns: fitHidden.map((c) => t(COLUMN_LABELS[c as MemberColumn])).join(', '),
            chooser: t('members.columns'),
          })}
        </p>
      ) : null}
      <DataTable
        fit={fit}
        onFitHidden={setFitHidden}
        table={table}
        caption={t('members.caption', {
          sort: `${sortLabel} (${t(sortDir === 'asc' ? 'table.sortAsc' : 'table.sortDesc')})`,
        })}
        sortHref={(id, dir) => href({ sort: `${id}.${dir}`, page: undefined })}
        empty={t('members.empty')}
      />
      <Pager
        page={page}
        pages={pages}
        size={query.size}
        sizes={PAGE_SIZES}
        pageHref={(p) => href({ page: String(p) })}
        hidden={keep('size')}
      />
    </>
  );
}

export function ErrorBoundary() {
  // A refused sensitive filter says why (its own catalogue message), not just "no access".
  return (
    <GeneralErrorBoundary
      statusHandlers={{
        403: ({ error }) => <SensitiveRefusalText data={error.data} />,
      }}
    />
  );
}

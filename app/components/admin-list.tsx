/**
 * Pieces the admin lists (units, users, audit log, holidays, API tokens) share: the whole
 * page of a searchable list (units, users), the active/inactive filter, the count line with
 * the table or its empty message, a status badge, a two-step confirm button, and a
 * previous/next pager. The member table has its
 * own richer table and pager (data-table.tsx).
 */
import { Form, Link, useSearchParams } from '@remix-run/react';
import { Children, type ReactNode } from 'react';
import { useT } from '~/i18n/use-t';

/**
 * A searchable admin list (units, users): heading and "new" button, the filter form (search
 * box, `filters`, active/inactive), the count with the table of `children` rows, the pager.
 */
export function AdminList({
  idPrefix,
  title,
  create,
  search,
  filters,
  status,
  submit,
  page,
  pages,
  ...table
}: {
  /** Prefix of the filter fields' ids. */
  idPrefix: string;
  title: string;
  /** The button to the list's "new" page, when this user may create. */
  create?: { to: string; label: string };
  search: { label: string; value: string };
  filters: ReactNode;
  status: string;
  submit: string;
  page: number;
  pages: number;
} & Parameters<typeof AdminTable>[0]) {
  return (
    <>
      <h1>{title}</h1>
      {create ? (
        <p>
          <Link className="button" to={create.to}>
            {create.label}
          </Link>
        </p>
      ) : null}
      <Form method="get" className="filters" role="search">
        <div className="field">
          <label htmlFor={`${idPrefix}-q`}>{search.label}</label>
          <input id={`${idPrefix}-q`} type="search" name="q" defaultValue={search.value} maxLength={100} />
        </div>
        {filters}
        <ActiveStatusFilter id={`${idPrefix}-status`} defaultValue={status} />
        <button type="submit">{submit}</button>
      </Form>
      <AdminTable {...table} />
      <SimplePager page={page} pages={pages} />
    </>
  );
}

export function ActiveStatusFilter({ id, defaultValue }: { id: string; defaultValue: string }) {
  const t = useT();
  return (
    <div className="field">
      <label htmlFor={id}>{t('units.activeFilter')}</label>
      <select id={id} name="status" defaultValue={defaultValue}>
        <option value="all">{t('units.all')}</option>
        <option value="active">{t('units.activeOnly')}</option>
        <option value="inactive">{t('units.inactiveOnly')}</option>
      </select>
    </div>
  );
}

/** The current query with another page; a confirmation (`ok`) is not carried to it. */
function usePageLink() {
  const [searchParams] = useSearchParams();
  return (page: number) => {
    const next = new URLSearchParams(searchParams);
    next.set('page', String(page));
    next.delete('ok');
    return `?${next}`;
  };
}

export function SimplePager({
  page,
  pages,
  pageLink: givenPageLink,
}: {
  page: number;
  pages: number;
  /** By default the current query with `page` set. */
  pageLink?: (page: number) => string;
}) {
  const t = useT();
  const defaultPageLink = usePageLink();
  const pageLink = givenPageLink ?? defaultPageLink;
  if (pages <= 1) return null;
  return (
    <nav className="pager" aria-label={t('units.page', { page, pages })}>
      {page > 1 ? <Link to={pageLink(page - 1)}>{t('units.previous')}</Link> : null}
      <span>{t('units.page', { page, pages })}</span>
      {page < pages ? <Link to={pageLink(page + 1)}>{t('units.next')}</Link> : null}
    </nav>
  );
}

/** The count (announced to screen readers), then the table with one header per column, or `empty` when there are no rows. */
export function AdminTable({
  count,
  countTestId,
  columns,
  empty,
  children,
}: {
  count: string;
  countTestId?: string;
  columns: string[];
  /** Shown instead of the table when `children` holds no rows. */
  empty: string;
  children: ReactNode;
}) {
  return (
    <>
      <p aria-live="polite" data-testid={countTestId}>
        {count}
      </p>
      {Children.toArray(children).length > 0 ? (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                {columns.map((c) => (
                  <th key={c} scope="col">
                    {c}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>{children}</tbody>
          </table>
        </div>
      ) : (
        <p>{empty}</p>
      )}
    </>
  );
}

/** Active or inactive, in its colour; the label says so unless `children` gives another. */
export function StatusBadge({ active, children }: { active: boolean; children?: ReactNode }) {
  const t = useT();
  return (
    <span className={`badge ${active ? 'badge-active' : 'badge-inactive'}`}>
      {children ?? (active ? t('units.active') : t('units.inactive'))}
    </span>
  );
}

/**
 * A destructive action in two steps that work without JavaScript: open, then confirm.
 * Posts `intent` and `id` to the current route.
 */
export function ConfirmAction({
  label,
  confirm,
  intent,
  id,
  busy,
}: {
  label: string;
  confirm: string;
  intent: string;
  id: string;
  busy: boolean;
}) {
  return (
    <details>
      <summary>{label}</summary>
      <Form method="post">
        <input type="hidden" name="intent" value={intent} />
        <input type="hidden" name="id" value={id} />
        <button type="submit" className="button-danger" disabled={busy}>
          {confirm}
        </button>
      </Form>
    </details>
  );
}

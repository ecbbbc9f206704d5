/**
 * Pieces the admin lists (units, users, audit log, holidays, API tokens) share: the
 * active/inactive filter, the count line with the table or its empty message, a status
 * badge, a two-step confirm button, and a previous/next pager. The member table has its
 * own richer table and pager (data-table.tsx).
 */
import { Form, Link } from '@remix-run/react';
import { Children, type ReactNode } from 'react';
import { useT } from '~/i18n/use-t';

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

export function SimplePager({
  page,
  pages,
  pageLink,
}: {
  page: number;
  pages: number;
  pageLink: (page: number) => string;
}) {
  const t = useT();
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

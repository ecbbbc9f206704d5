/**
 * Pieces the admin lists (units, users) share: the active/inactive filter and a
 * previous/next pager. The member table has its own richer pager (data-table.tsx).
 */
import { Link } from '@remix-run/react';
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

import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useLoaderData, useSearchParams } from '@remix-run/react';
import { AdminTable, SimplePager } from '~/components/admin-list';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { AUDIT_ACTIONS } from '~/domain/audit-actions';
import { isMessageKey } from '~/i18n';
import { useFormatters, useT } from '~/i18n/use-t';
import { auditSchoolOptions, listAudit, parseAuditQuery } from '~/utils/audit/audit-log.server';
import { pageTitle } from '~/utils/meta';
import { requireUser } from '~/utils/auth/permissions.server';

export async function loader({ request }: LoaderFunctionArgs) {
  // Admin only: the permissions table has no audit-read right, and `user:manage` is the admin's.
  const user = await requireUser(request, { permission: 'user:manage' });
  const query = parseAuditQuery(new URL(request.url));
  const [list, schools] = await Promise.all([listAudit(query, user), auditSchoolOptions()]);
  return { query, schools, actions: AUDIT_ACTIONS as readonly string[], ...list };
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, 'audit.title');

export default function AuditPage() {
  const { query, schools, actions, rows, rowCount, page, pages } = useLoaderData<typeof loader>();
  const t = useT();
  const fmt = useFormatters();
  const [searchParams] = useSearchParams();
  const label = (action: string) => {
    const key = `audit.action.${action}`;
    return isMessageKey(key) ? t(key) : action;
  };
  const pageLink = (p: number) => {
    const next = new URLSearchParams(searchParams);
    next.set('page', String(p));
    return `?${next}`;
  };

  return (
    <>
      <h1>{t('audit.title')}</h1>
      <p className="muted">{t('audit.intro')}</p>
      <Form method="get" className="filters" role="search">
        <div className="field">
          <label htmlFor="audit-action">{t('audit.filter.action')}</label>
          <select id="audit-action" name="action" defaultValue={query.action ?? ''}>
            <option value="">{t('audit.filter.allActions')}</option>
            {actions.map((a) => (
              <option key={a} value={a}>
                {label(a)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="audit-actor">{t('audit.filter.actor')}</label>
          <input id="audit-actor" type="search" name="actor" defaultValue={query.actor} maxLength={100} />
        </div>
        <div className="field">
          <label htmlFor="audit-member">{t('audit.filter.member')}</label>
          <input id="audit-member" type="search" name="member" defaultValue={query.member} maxLength={40} />
        </div>
        <div className="field">
          <label htmlFor="audit-unit">{t('audit.filter.unit')}</label>
          <select id="audit-unit" name="unit" defaultValue={query.unit ?? ''}>
            <option value="">{t('audit.filter.allUnits')}</option>
            {schools.map((s) => (
              <option key={s.id} value={s.id}>
                {s.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="audit-from">{t('audit.filter.from')}</label>
          <input id="audit-from" type="date" name="from" defaultValue={query.from ?? ''} />
        </div>
        <div className="field">
          <label htmlFor="audit-to">{t('audit.filter.to')}</label>
          <input id="audit-to" type="date" name="to" defaultValue={query.to ?? ''} />
        </div>
        <button type="submit">{t('audit.filter.submit')}</button>
        <Link to="/admin/audit">{t('audit.filter.reset')}</Link>
      </Form>

      <AdminTable
        count={t('audit.count', { count: fmt.number(rowCount) })}
        countTestId="audit-count"
        columns={[
          t('audit.col.at'),
          t('audit.col.actor'),
          t('audit.col.action'),
          t('audit.col.member'),
          t('audit.col.details'),
        ]}
        empty={t('audit.empty')}
      >
        {rows.map((r) => (
          <tr key={r.id} data-seq={r.seq ?? undefined}>
            <td>
              <time dateTime={r.at}>{fmt.dateTime(r.at)}</time>
            </td>
            <td>{r.actor ? <span title={r.actorEmail ?? undefined}>{r.actor}</span> : t('audit.system')}</td>
            <td>{label(r.action)}</td>
            <td>
              {r.member ? (
                <Link to={`/members/${r.member.id}`}>
                  {r.member.name} ({r.member.code})
                </Link>
              ) : (
                r.subject
              )}
            </td>
            <td>
              {r.summary.changes.map((c, i) => (
                <div key={i}>
                  {c.field ? <strong>{c.field}: </strong> : null}
                  {c.before} → {c.after}
                </div>
              ))}
              {r.summary.reason ? (
                <div>
                  {t('audit.reason')}: {r.summary.reason}
                </div>
              ) : null}
              {r.summary.other.length ? <div className="muted">{r.summary.other.join('; ')}</div> : null}
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

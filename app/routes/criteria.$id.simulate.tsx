import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useLoaderData, useLocation, useNavigation } from '@remix-run/react';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { useFormatters, useLocale, useT } from '~/i18n/use-t';
import criteriaStyles from '~/styles/criteria.css?url';
import { getSet, requireCriteriaManager, runSimulation } from '~/utils/criteria/criteria.server';
import { SIM_PAGE_SIZE, filterRows, parseSimulationQuery } from '~/utils/criteria/criteria-simulation';
import { pageTitle } from '~/utils/meta';
import { requireId } from '~/utils/params.server';
import { PageHeading } from '~/components/page-heading';

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: criteriaStyles }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const access = await requireCriteriaManager(request);
  const id = requireId(params);
  const set = await getSet(access, id);
  const query = parseSimulationQuery(new URL(request.url).searchParams);
  const sim = await runSimulation(access, id);
  const filtered = filterRows(sim.rows, query);
  const pageCount = Math.max(1, Math.ceil(filtered.length / SIM_PAGE_SIZE));
  const page = Math.min(query.page, pageCount);
  const schoolName = new Map(sim.schools.map((s) => [s.id, s.name]));
  return {
    set: { id: set.id, name: set.name, version: set.version, status: set.status },
    counts: sim.counts,
    active: sim.active,
    asOf: sim.asOf,
    durationMs: sim.durationMs,
    schools: sim.schools,
    query: { ...query, page },
    rowCount: filtered.length,
    pageCount,
    rows: filtered.slice((page - 1) * SIM_PAGE_SIZE, page * SIM_PAGE_SIZE).map((r) => ({
      ...r,
      school: schoolName.get(r.schoolId) ?? '',
    })),
  };
}

export const meta: MetaFunction<typeof loader> = ({ matches, data }) =>
  pageTitle(matches, 'criteria.simulateTitle', { name: data?.set.name ?? '' });

export default function SimulatePage() {
  const { set, counts, active, asOf, durationMs, schools, query, rowCount, pageCount, rows } =
    useLoaderData<typeof loader>();
  const t = useT();
  const locale = useLocale();
  const { date, number } = useFormatters();
  const location = useLocation();
  const navigation = useNavigation();
  const params = new URLSearchParams(location.search);
  const pageHref = (page: number) => {
    const p = new URLSearchParams(params);
    p.set('page', String(page));
    return `?${p}`;
  };
  const exportHref = (format: string) => {
    const p = new URLSearchParams(params);
    p.delete('page');
    p.set('format', format);
    return `/criteria/${set.id}/simulate/export?${p}`;
  };
  return (
    <>
      <PageHeading
        title={t('criteria.simulateTitle', { name: set.name })}
        back={{ to: `/criteria/${set.id}`, label: t('criteria.backToSet') }}
      />
      <p className="muted">
        {active
          ? t('criteria.simulateAgainst', { version: active.version, name: active.name })
          : t('criteria.simulateNoActive')}{' '}
        · {t('criteria.asOf', { date: date(asOf) })} · {t('criteria.durationMs', { ms: number(durationMs) })}
      </p>

      <dl className="sim-counts" data-testid="sim-counts">
        <div>
          <dt>{t('criteria.sim.total')}</dt>
          <dd data-testid="sim-total">{number(counts.total)}</dd>
        </div>
        <div>
          <dt>{t('criteria.sim.eligibleBefore')}</dt>
          <dd data-testid="sim-eligible-before">{number(counts.eligibleBefore)}</dd>
        </div>
        <div>
          <dt>{t('criteria.sim.eligibleAfter')}</dt>
          <dd data-testid="sim-eligible-after">{number(counts.eligibleAfter)}</dd>
        </div>
        <div>
          <dt>{t('criteria.change.became_eligible')}</dt>
          <dd data-testid="sim-became-eligible">{number(counts.became_eligible)}</dd>
        </div>
        <div>
          <dt>{t('criteria.change.became_ineligible')}</dt>
          <dd data-testid="sim-became-ineligible">{number(counts.became_ineligible)}</dd>
        </div>
      </dl>

      <Form method="get" className="sim-filters" aria-label={t('criteria.sim.filters')}>
        <div className="field">
          <label htmlFor="sim-change">{t('criteria.sim.change')}</label>
          <select id="sim-change" name="change" defaultValue={query.change ?? ''}>
            <option value="">{t('criteria.sim.allChanges')}</option>
            <option value="became_eligible">{t('criteria.change.became_eligible')}</option>
            <option value="became_ineligible">{t('criteria.change.became_ineligible')}</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="sim-school">{t('criteria.sim.school')}</label>
          <select id="sim-school" name="school" defaultValue={query.school ?? ''}>
            <option value="">{t('criteria.sim.allSchools')}</option>
            {schools.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="button-secondary" disabled={navigation.state !== 'idle'}>
          {t('criteria.sim.apply')}
        </button>
      </Form>
      <p className="export-links">
        {t('criteria.sim.export')}: <a href={exportHref('xlsx')}>Excel (.xlsx)</a> ·{' '}
        <a href={exportHref('csv')}>CSV</a>
      </p>

      <p role="status" data-testid="sim-row-count">
        {t('criteria.sim.rowCount', { count: number(rowCount) })}
      </p>
      {rows.length ? (
        <div className="table-wrap">
          <table className="sim-table">
            <caption className="visually-hidden">{t('criteria.sim.tableCaption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('criteria.sim.member')}</th>
                <th scope="col">{t('criteria.sim.school')}</th>
                <th scope="col">{t('criteria.sim.change')}</th>
                <th scope="col">{t('criteria.sim.why')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.id} data-testid="sim-row">
                  <td>
                    <Link to={`/members/${r.id}/criteria`}>{r.fullName}</Link>
                    <br />
                    <span className="muted">{r.studentCode}</span>
                  </td>
                  <td>{r.school}</td>
                  <td>
                    <span
                      className={`badge ${r.change === 'became_eligible' ? 'badge-active' : 'badge-danger'}`}
                    >
                      {t(`criteria.change.${r.change}`)}
                    </span>
                  </td>
                  <td>
                    <ul className="reasons">
                      {r.reasons.map((x, i) => (
                        <li key={i}>{x[locale]}</li>
                      ))}
                    </ul>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {pageCount > 1 ? (
        <nav className="pager" aria-label={t('criteria.sim.pages')}>
          {query.page > 1 ? <Link to={pageHref(query.page - 1)}>{t('criteria.sim.prev')}</Link> : null}
          <span>{t('criteria.sim.pageOf', { page: query.page, pages: pageCount })}</span>
          {query.page < pageCount ? (
            <Link to={pageHref(query.page + 1)}>{t('criteria.sim.next')}</Link>
          ) : null}
        </nav>
      ) : null}
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}

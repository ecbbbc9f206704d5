import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useLoaderData } from '@remix-run/react';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { OptionSelect } from '~/components/option-select';
import { FunnelChart, TrendChart } from '~/components/report-charts';
import { ReportTableView } from '~/components/report-tables';
import { TargetProgress } from '~/components/target-progress';
import { calendarDay } from '~/domain/calendar';
import { STAGE_LABELS } from '~/domain/stages';
import { createT } from '~/i18n';
import { useFormatters, useLocale, useT } from '~/i18n/use-t';
import printStyles from '~/styles/print.css?url';
import reportStyles from '~/styles/reports.css?url';
import { getLocale } from '~/utils/locale.server';
import { pageTitle } from '~/utils/meta';
import { can } from '~/domain/permissions';
import { requireUser } from '~/utils/auth/permissions.server';
import { dashboardTables, loadDashboard, parseDashboardQuery } from '~/utils/reports/reports.server';

export const links: LinksFunction = () => [
  { rel: 'stylesheet', href: reportStyles },
  { rel: 'stylesheet', href: printStyles },
];

// The province reads the whole province, school roles their school (scope inside the queries).
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request, { permission: 'report:read' });
  const params = new URL(request.url).searchParams;
  const locale = await getLocale(request);
  const dashboard = await loadDashboard(user, parseDashboardQuery(params));
  return {
    dashboard,
    tables: dashboardTables(dashboard, createT(locale), locale),
    canTargets: can(user.role, 'target:manage'),
    search: params.toString(),
  };
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, 'reports.title');

export default function Reports() {
  const { dashboard: d, tables, canTargets, search } = useLoaderData<typeof loader>();
  const t = useT();
  const locale = useLocale();
  const fmt = useFormatters();
  const table = (id: string) => tables.find((x) => x.id === id);
  // This year in Vietnam, whatever the server's or the browser's time zone.
  const thisYear = calendarDay(new Date())!.y;
  const years = Array.from({ length: 6 }, (_, i) => thisYear + 1 - i);
  const qs = search ? `?${search}` : '';
  // The annual report covers the year shown (and the school picked, for the province).
  const annualQs = `?year=${d.year}${d.school ? `&school=${d.school}` : ''}`;
  return (
    <>
      <h1>{t('reports.title')}</h1>
      <p>
        <strong>{d.scopeName ?? (d.wide ? t('reports.scope.province') : '')}</strong>{' '}
        {t('reports.intro', {
          time: fmt.dateTime(d.generatedAt, { seconds: false }),
        })}
      </p>
      <Form method="get" className="report-filters" aria-label={t('reports.filters')}>
        <div className="field">
          <label htmlFor="report-year">{t('reports.year')}</label>
          <select id="report-year" name="year" defaultValue={String(d.year)}>
            {years.map((y) => (
              <option key={y} value={y}>
                {y}
              </option>
            ))}
          </select>
        </div>
        {d.wide ? (
          <OptionSelect
            name="school"
            label={t('reports.school')}
            allLabel={t('reports.school.all')}
            options={d.schoolOptions}
            value={d.school}
          />
        ) : null}
        <button type="submit">{t('reports.show')}</button>
        <span className="report-actions">
          <a href={`/reports.xlsx${qs}`} download>
            {t('reports.export')}
          </a>
          <Link to={`/reports/print${qs}`}>{t('reports.print')}</Link>
          <a href={`/reports/annual.docx${annualQs}`} download>
            {t('reports.annual.docx', { year: d.year })}
          </a>
          <a href={`/reports/annual.pdf${annualQs}`} download>
            {t('reports.annual.pdf', { year: d.year })}
          </a>
          {canTargets ? <Link to={`/reports/targets?year=${d.year}`}>{t('reports.targets')}</Link> : null}
        </span>
      </Form>

      <section aria-labelledby="funnel-chart">
        <h2 id="funnel-chart">{t('reports.funnel.chart')}</h2>
        <FunnelChart
          title={t('reports.funnel.chart')}
          labels={d.funnel.map((f) => STAGE_LABELS[f.stage][locale])}
          values={d.funnel.map((f) => f.atOrBeyond)}
        />
        {table('funnel') ? <ReportTableView table={table('funnel')!} headingLevel={3} /> : null}
      </section>

      <section aria-labelledby="progress-title" className="report-progress">
        <h2 id="progress-title">{t('reports.progress', { year: d.year })}</h2>
        {d.schools.every((x) => x.target === null) ? <p className="muted">{t('targets.none')}</p> : null}
        <ul>
          {d.schools
            .filter((x) => x.target !== null)
            .map((x) => (
              <li key={x.id}>
                <span className="progress-name">{x.name}</span>
                <TargetProgress admitted={x.admitted} target={x.target} label={x.name} />
              </li>
            ))}
        </ul>
      </section>

      {table('bottlenecks') ? <ReportTableView table={table('bottlenecks')!} /> : null}
      {table('schools') ? (
        <div className="report-wide">
          <ReportTableView table={table('schools')!} />
        </div>
      ) : null}

      <section aria-labelledby="trend-chart">
        <h2 id="trend-chart">{t('reports.trends.chart')}</h2>
        <TrendChart
          title={t('reports.trends.chart')}
          years={d.trends.map((y) => String(y.year))}
          series={[
            { label: t('reports.col.selected'), values: d.trends.map((y) => y.selected) },
            { label: t('reports.col.admittedShort'), values: d.trends.map((y) => y.admitted) },
            { label: t('reports.col.official'), values: d.trends.map((y) => y.official) },
          ]}
        />
        {table('trends') ? <ReportTableView table={table('trends')!} headingLevel={3} /> : null}
      </section>

      {['by-schoolKind', 'by-gender', 'by-ethnicity'].map((id) =>
        table(id) ? <ReportTableView key={id} table={table(id)!} /> : null,
      )}
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}

import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { ReportTables } from '~/components/report-tables';
import { useT } from '~/i18n/use-t';
import printStyles from '~/styles/print.css?url';
import { getLocale } from '~/utils/locale.server';
import { pageTitle } from '~/utils/meta';
import { requireUser } from '~/utils/auth/permissions.server';
import { createT, formatDateTime } from '~/i18n';
import { officialHeading } from '~/utils/reports/report-heading.server';
import { loadReportExport } from '~/utils/xlsx-tables.server';

export const links = () => [{ rel: 'stylesheet', href: printStyles }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request, { permission: 'report:read' });
  const url = new URL(request.url);
  const locale = await getLocale(request);
  const report = await loadReportExport(user, url.searchParams, locale);
  return {
    heading: await officialHeading(user, createT(locale), report.generatedAt),
    title: report.title,
    tables: report.tables,
    scopeName: report.scopeName,
    // Formatted on the server so the printed time does not depend on the browser's zone.
    generatedAt: report.generatedAt.toISOString(),
    generatedText: formatDateTime(report.generatedAt, 'vi', { seconds: false }),
    // Back to the same dashboard view, and the same view as a workbook.
    search: url.search,
  };
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, 'reportsExport.printTitle');

export default function ReportPrint() {
  const { heading, title, tables, scopeName, generatedAt, generatedText, search } =
    useLoaderData<typeof loader>();
  const t = useT();
  return (
    <article className="report-print">
      <p className="report-print-tools no-print">
        <Link to={`/reports${search}`}>{t('reportsExport.back')}</Link>
        <button type="button" onClick={() => window.print()}>
          {t('reportsExport.print')}
        </button>
        <a href={`/reports.xlsx${search}`} download>
          {t('reportsExport.download')}
        </a>
      </p>
      <header className="official-heading" data-testid="official-heading">
        <div className="official-issuer">
          <p>{heading.superior}</p>
          <p>
            <strong>{heading.issuer}</strong>
          </p>
          <p aria-hidden="true">***</p>
        </div>
        <div className="official-motto">
          <p>
            <strong>{heading.motto}</strong>
          </p>
          <p>
            <em>{heading.placeDate}</em>
          </p>
        </div>
      </header>
      <h1>{title}</h1>
      <p data-testid="report-generated" data-generated-at={generatedAt}>
        {t('reportsExport.generated', { scope: scopeName, time: generatedText })}
      </p>
      {tables.length ? <ReportTables tables={tables} /> : <p>{t('reportsExport.noTables')}</p>}
      <footer className="official-signature" data-testid="official-signature">
        <div className="official-recipients">
          <p>
            <strong>
              <em>{t('reportHeading.recipients')}</em>
            </strong>
          </p>
          <p>{t('reportHeading.filed')}</p>
        </div>
        <div className="official-signer">
          <p>
            <strong>{heading.onBehalf}</strong>
          </p>
          <p>
            <strong>{heading.signerTitle}</strong>
          </p>
          <p>
            <em>{t('reportHeading.sign')}</em>
          </p>
        </div>
      </footer>
    </article>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}

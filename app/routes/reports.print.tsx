import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { ReportTables } from '~/components/report-tables';
import { useT } from '~/i18n/use-t';
import printStyles from '~/styles/print.css?url';
import { getLocale } from '~/utils/locale.server';
import { pageTitle } from '~/utils/meta';
import { requireUser } from '~/utils/permissions.server';
import { formatDateTime } from '~/i18n';
import { loadReportExport } from '~/utils/xlsx-tables.server';

export const links = () => [{ rel: 'stylesheet', href: printStyles }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request, { permission: 'report:read' });
  const url = new URL(request.url);
  const report = await loadReportExport(user, url.searchParams, await getLocale(request));
  return {
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
  const { title, tables, scopeName, generatedAt, generatedText, search } = useLoaderData<typeof loader>();
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
      <h1>{title}</h1>
      <p data-testid="report-generated" data-generated-at={generatedAt}>
        {t('reportsExport.generated', { scope: scopeName, time: generatedText })}
      </p>
      {tables.length ? <ReportTables tables={tables} /> : <p>{t('reportsExport.noTables')}</p>}
    </article>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}

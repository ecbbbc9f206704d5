/**
 * `/reports.xlsx?year=&school=`: the dashboard (same query, same scope as `/reports`)
 * as an Excel workbook for periodic reports, always in Vietnamese. Audited: a report
 * leaves the system with it.
 */
import type { LoaderFunctionArgs } from '@remix-run/node';
import { appendAudit } from '~/utils/audit/audit.server';
import { requireUser } from '~/utils/auth/permissions.server';
import { loadReportExport, reportFilename, tablesToXlsx } from '~/utils/xlsx-tables.server';
import { XLSX_CONTENT_TYPE } from '~/utils/content-types';

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request, { permission: 'report:read' });
  const params = new URL(request.url).searchParams;
  const now = new Date();
  const report = await loadReportExport(user, params, 'vi', now);
  const body = await tablesToXlsx(report.tables, report);
  const filename = reportFilename(now);
  await appendAudit({
    actorId: user.id,
    action: 'report.export',
    entity: 'Report',
    details: {
      format: 'xlsx',
      year: report.year,
      scope: report.scopeName,
      query: Object.fromEntries(params),
      tables: report.tables.map((t) => t.id),
    },
  });
  return new Response(new Uint8Array(body), {
    status: 200,
    headers: {
      'Content-Type': XLSX_CONTENT_TYPE,
      // ASCII name for old clients, the same name per RFC 5987 for the rest.
      'Content-Disposition': `attachment; filename="${filename}"; filename*=UTF-8''${encodeURIComponent(filename)}`,
      'Content-Length': String(body.length),
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    },
  });
}

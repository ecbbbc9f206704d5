/**
 * `/reports/annual.docx?year=&school=`: "Báo cáo năm" as Word (editable). The province's Union
 * and the admin get the province (or one school of it), a school role its own school;
 * another scope's school is a 404 (app/utils/reports/annual-report.server.ts).
 */
import type { LoaderFunctionArgs } from '@remix-run/node';
import { requireUser } from '~/utils/auth/permissions.server';
import { annualReportDownload } from '~/utils/reports/annual-report.server';

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request, { permission: 'report:read' });
  return annualReportDownload(user, new URL(request.url).searchParams, 'docx');
}

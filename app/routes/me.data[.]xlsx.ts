import type { LoaderFunctionArgs } from '@remix-run/node';
import { createT } from '~/i18n';
import { requireStudent } from '~/utils/student/me.server';
import { ownDataSections, sectionsToXlsx } from '~/utils/my-data.server';
import { XLSX_CONTENT_TYPE } from '~/utils/content-types';

/**
 * The student's own record as a readable Excel workbook (their right to a copy, Law 91/2025),
 * in Vietnamese with dates as dd/mm/yyyy: one sheet per section. The JSON download stays the
 * machine-readable copy; both include the sensitive fields and log the read.
 */
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireStudent(request);
  const sections = await ownDataSections(user, 'vi', { sensitive: true });
  const body = await sectionsToXlsx(sections, createT('vi')('mydata.title'));
  return new Response(new Uint8Array(body), {
    headers: {
      'Content-Type': XLSX_CONTENT_TYPE,
      'Content-Disposition': 'attachment; filename="du-lieu-cua-toi.xlsx"',
      'Cache-Control': 'no-store',
    },
  });
}

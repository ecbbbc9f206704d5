/** The simulation's changed members as .xlsx or .csv (with a BOM for Excel), with the page's filters. */
import type { LoaderFunctionArgs } from '@remix-run/node';
import ExcelJS from 'exceljs';
import { createT } from '~/i18n';
import { CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE } from '~/utils/content-types';
import { getSet, requireCriteriaManager, runSimulation } from '~/utils/criteria/criteria.server';
import { filterRows, parseSimulationQuery } from '~/utils/criteria/criteria-simulation';
import { requireId } from '~/utils/params.server';

export async function loader({ request, params }: LoaderFunctionArgs) {
  const access = await requireCriteriaManager(request);
  const id = requireId(params);
  const set = await getSet(access, id);
  const url = new URL(request.url);
  const format = url.searchParams.get('format') === 'csv' ? 'csv' : 'xlsx';
  const sim = await runSimulation(access, id);
  const rows = filterRows(sim.rows, parseSimulationQuery(url.searchParams));
  const locale = access.user.locale;
  const t = createT(locale);
  const school = new Map(sim.schools.map((s) => [s.id, s.name]));
  const header = [
    t('criteria.sim.studentCode'),
    t('criteria.sim.member'),
    t('criteria.sim.school'),
    t('criteria.sim.change'),
    t('criteria.sim.why'),
  ];
  const table = rows.map((r) => [
    r.studentCode,
    r.fullName,
    school.get(r.schoolId) ?? '',
    t(`criteria.change.${r.change}`),
    r.reasons.map((x) => x[locale]).join('; '),
  ]);
  const base = `mo-phong-${set.schoolKind}-v${set.version}`;
  if (format === 'csv') {
    // Formula-looking cells are prefixed so a spreadsheet never runs them.
    const cell = (v: string) => {
      const safe = /^[=+\-@]/.test(v) ? `'${v}` : v;
      return /[",\n;]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
    };
    const body = [header, ...table].map((line) => line.map(cell).join(',')).join('\r\n');
    return new Response('\uFEFF' + body, {
      headers: {
        'Content-Type': CSV_CONTENT_TYPE,
        'Content-Disposition': `attachment; filename="${base}.csv"`,
      },
    });
  }
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet(t('criteria.sim.sheet'));
  sheet.addRow(header).font = { bold: true };
  for (const line of table) sheet.addRow(line);
  sheet.columns.forEach((c, i) => (c.width = [14, 28, 36, 18, 80][i]));
  const buffer = await workbook.xlsx.writeBuffer();
  return new Response(buffer as ArrayBuffer, {
    headers: {
      'Content-Type': XLSX_CONTENT_TYPE,
      'Content-Disposition': `attachment; filename="${base}.xlsx"`,
    },
  });
}

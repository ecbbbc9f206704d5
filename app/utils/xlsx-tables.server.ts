/**
 * The dashboard's tables as an Excel workbook for periodic reports (issue "Province
 * review", item 4): a first "Thông tin" sheet (title, scope, time generated), then one
 * sheet per table with a title row, a bold frozen header row and the rows. Numbers stay
 * numbers so the recipient can sum them; drill-down links are left out (they point into
 * the app, which the recipient of a report usually cannot open).
 *
 * The tables are small (a few dozen rows each), so the workbook is built in memory.
 */
import ExcelJS from 'exceljs';
import { Types } from 'mongoose';
import { Unit } from '../../models/unit';
import { VN_OFFSET_MS } from '~/domain/calendar';
import { createT, formatDateTime, type Locale } from '~/i18n';
import type { AuthUser } from './auth/auth.server';
import type { ReportCell, ReportTable } from './reports/report-tables';
import { dashboardTables, loadDashboard, parseDashboardQuery } from './reports/reports.server';

export interface WorkbookMeta {
  title: string;
  generatedAt: Date;
  /** The unit the figures cover (e.g. "Tỉnh đoàn Quảng Ngãi"). */
  scopeName: string;
}

const SHEET_NAME_MAX = 31;
const MIN_WIDTH = 8;
const MAX_WIDTH = 60;
/** Excel's format for a cell that holds a percentage's fraction (0.384 shows as 38.4%). */
export const PERCENT_FORMAT = '0.0%';
const t = createT('vi');

/** `bao-cao-ket-nap-2026-11-27.xlsx`, dated in Vietnam's time zone. */
export function reportFilename(now = new Date()): string {
  const d = new Date(now.getTime() + VN_OFFSET_MS);
  const ymd = `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')}`;
  return `bao-cao-ket-nap-${ymd}.xlsx`;
}

/**
 * Excel's rules for sheet names: 1–31 characters, none of `[]:*?/\`, no apostrophe
 * at either end, not "History" (reserved), unique ignoring case. Clashes get " (2)", " (3)"…
 * `taken` holds the lower-cased names already used and is updated.
 */
export function sheetName(wanted: string, taken: Set<string>): string {
  let base = [...wanted.replace(/[[\]:*?/\\]/g, ' ').replace(/\s+/g, ' ')]
    .slice(0, SHEET_NAME_MAX)
    .join('')
    .replace(/^'+|'+$/g, '')
    .trim();
  if (!base || base.toLowerCase() === 'history') base = base ? `${base} 1` : 'Sheet';
  let name = base;
  for (let n = 2; taken.has(name.toLowerCase()); n++) {
    const suffix = ` (${n})`;
    name =
      [...base]
        .slice(0, SHEET_NAME_MAX - suffix.length)
        .join('')
        .trimEnd() + suffix;
  }
  taken.add(name.toLowerCase());
  return name;
}

function cellValue(cell: ReportCell | undefined): string | number | null {
  if (typeof cell?.ratio === 'number' && Number.isFinite(cell.ratio)) return cell.ratio;
  const value = cell?.value ?? null;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  return value;
}

function displayLength(value: string | number | null): number {
  if (value === null) return 0;
  const text = typeof value === 'number' ? value.toLocaleString('vi-VN') : value;
  return Math.max(...text.split('\n').map((line) => line.length));
}

function addTableSheet(workbook: ExcelJS.Workbook, table: ReportTable, name: string) {
  const columnCount = Math.max(1, table.columns.length);
  const sheet = workbook.addWorksheet(name, {
    views: [{ state: 'frozen', ySplit: 2 }],
    pageSetup: { orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0 },
  });

  const title = sheet.getRow(1);
  title.getCell(1).value = table.title;
  title.font = { bold: true, size: 13 };
  if (columnCount > 1) sheet.mergeCells(1, 1, 1, columnCount);

  const header = sheet.getRow(2);
  table.columns.forEach((label, i) => {
    const cell = header.getCell(i + 1);
    cell.value = label;
    cell.font = { bold: true };
    cell.alignment = { vertical: 'middle', wrapText: true };
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFEFEFEF' } };
    cell.border = { bottom: { style: 'thin' } };
  });

  const widths = table.columns.map((label) => displayLength(label));
  // Numbers are right-aligned in Excel already; a number column's header follows them.
  const numeric = table.columns.map(() => true);
  table.rows.forEach((row, r) => {
    const out = sheet.getRow(3 + r);
    for (let c = 0; c < columnCount; c++) {
      const value = cellValue(row[c]);
      const target = out.getCell(c + 1);
      target.value = value;
      if (value !== null && value === row[c]?.ratio) target.numFmt = PERCENT_FORMAT;
      // A fraction's width is that of its displayed text ("38.4%"), not of 0.38405….
      widths[c] = Math.max(
        widths[c] ?? 0,
        displayLength(target.numFmt === PERCENT_FORMAT ? '100.0%' : value),
      );
      if (value !== null && typeof value !== 'number') numeric[c] = false;
    }
  });
  table.columns.forEach((_, c) => {
    if (numeric[c] && table.rows.length)
      header.getCell(c + 1).alignment = { horizontal: 'right', wrapText: true };
    sheet.getColumn(c + 1).width = Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, (widths[c] ?? 0) + 2));
  });

  if (!table.rows.length) {
    sheet.getRow(3).getCell(1).value = t('reportsExport.emptyTable');
  }
  if (table.note) {
    const noteRow = sheet.getRow(3 + Math.max(table.rows.length, 1) + 1);
    noteRow.getCell(1).value = table.note;
    noteRow.getCell(1).font = { italic: true };
  }
  sheet.autoFilter = table.rows.length
    ? { from: { row: 2, column: 1 }, to: { row: 2 + table.rows.length, column: columnCount } }
    : undefined;
}

function addInfoSheet(
  workbook: ExcelJS.Workbook,
  name: string,
  meta: WorkbookMeta,
  sheets: [string, ReportTable][],
) {
  const sheet = workbook.addWorksheet(name);
  sheet.getCell('A1').value = meta.title;
  sheet.getCell('A1').font = { bold: true, size: 14 };
  const facts: [string, string][] = [
    [t('reportsExport.info.scope'), meta.scopeName],
    [t('reportsExport.info.generatedAt'), formatDateTime(meta.generatedAt, 'vi', { seconds: false })],
    [t('reportsExport.info.source'), t('app.name')],
  ];
  facts.forEach(([label, value], i) => {
    const row = sheet.getRow(3 + i);
    row.getCell(1).value = label;
    row.getCell(1).font = { bold: true };
    row.getCell(2).value = value;
  });
  const listStart = 3 + facts.length + 1;
  const head = sheet.getRow(listStart);
  head.getCell(1).value = t('reportsExport.info.sheet');
  head.getCell(2).value = t('reportsExport.info.table');
  head.font = { bold: true };
  sheets.forEach(([sheetTitle, table], i) => {
    const row = sheet.getRow(listStart + 1 + i);
    row.getCell(1).value = sheetTitle;
    row.getCell(2).value = table.title;
  });
  sheet.getColumn(1).width = 24;
  sheet.getColumn(2).width = Math.min(
    MAX_WIDTH,
    Math.max(30, ...facts.map(([, v]) => v.length + 2), ...sheets.map(([, tb]) => tb.title.length + 2)),
  );
}

/** Builds the workbook: "Thông tin" first, then one sheet per table in the given order. */
export function tablesToWorkbook(tables: ReportTable[], meta: WorkbookMeta): ExcelJS.Workbook {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = t('app.name');
  workbook.title = meta.title;
  workbook.created = meta.generatedAt;
  workbook.modified = meta.generatedAt;
  const taken = new Set<string>();
  const infoName = sheetName(t('reportsExport.info.sheetName'), taken);
  const named = tables.map(
    (table) => [sheetName(table.sheet || table.title, taken), table] as [string, ReportTable],
  );
  addInfoSheet(workbook, infoName, meta, named);
  for (const [name, table] of named) addTableSheet(workbook, table, name);
  return workbook;
}

/** The workbook as the bytes of an .xlsx file. */
export async function tablesToXlsx(tables: ReportTable[], meta: WorkbookMeta): Promise<Buffer> {
  const buffer = await tablesToWorkbook(tables, meta).xlsx.writeBuffer();
  return Buffer.from(buffer as ArrayBuffer);
}

// ---------------------------------------------------------------------------
// What the print page and the .xlsx export share

export interface ReportExport {
  tables: ReportTable[];
  title: string;
  scopeName: string;
  generatedAt: Date;
  year: number;
}

/**
 * The dashboard for `params` (same query as `/reports`, same scope) as tables, with the
 * name of the unit the figures cover: the school picked, else the user's scope unit.
 */
export async function loadReportExport(
  user: AuthUser,
  params: URLSearchParams,
  locale: Locale,
  now = new Date(),
): Promise<ReportExport> {
  const tr = createT(locale);
  const dashboard = await loadDashboard(user, parseDashboardQuery(params), now);
  let scopeName = dashboard.scopeName;
  if (!scopeName) {
    const unit =
      user.role === 'admin'
        ? null
        : await Unit.findOne({ _id: new Types.ObjectId(user.unitId) })
            .select({ name: 1 })
            .lean();
    scopeName = unit?.name ?? tr('reportsExport.scopeAll');
  }
  return {
    tables: dashboardTables(dashboard, tr, locale),
    title: `${tr('reportsExport.title')} ${dashboard.year}`,
    scopeName,
    generatedAt: now,
    year: dashboard.year,
  };
}

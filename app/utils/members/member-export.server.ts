/**
 * Export of the member table as the user sees it (issue "Member records", item 7).
 *
 * Streams: a lean cursor with a projection feeds either a CSV text stream or
 * exceljs's streaming xlsx writer, so a province-wide export of tens of thousands
 * of members never sits in memory as documents or as a whole workbook.
 *
 * The Vietnamese headers are the import headers, so an exported file can be
 * corrected in Excel and imported back. Sensitive fields (Law 91/2025:
 * ethnicity, religion, citizen ID) are only written when the caller says the
 * user may see them (`includeSensitive`); the caller audits that access, using
 * the `columns` returned.
 *
 * Records paused because their student withdrew consent (app/utils/student/consent.server.ts)
 * are left out, one by one as the cursor meets them, rather than failing the whole
 * export: a list of 500 members should not fail because of one. The xlsx file then has
 * a second sheet saying how many and why (the first sheet stays importable); a CSV has
 * room for one table only, so the list page says it beside the export buttons.
 */
import { PassThrough, Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import mongoose, { Types, type QueryFilter } from 'mongoose';
import { VN_OFFSET_MS } from '~/domain/calendar.ts';
import { consentWithdrawn, type ConsentRecord } from '~/domain/consent.ts';
import { STAGE_LABELS, type Stage } from '~/domain/stages.ts';
import { translate } from '~/i18n/index.ts';
import { Member, type MemberFields } from '../../../models/member.ts';
import { Unit } from '../../../models/unit.ts';
import { CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE } from '../content-types.ts';
import { CONSENT_PAUSE_PROJECTION } from '../student/consent.server.ts';

export const EXPORT_COLUMNS = [
  'studentCode',
  'fullName',
  'dateOfBirth',
  'gender',
  'email',
  'phone',
  'branch',
  'unionJoinedAt',
  'unionCardNumber',
  'school',
  'stage',
  'stageSince',
  'schoolYear',
  'cohort',
  'ethnicity',
  'religion',
  'citizenId',
] as const;
export type ExportColumn = (typeof EXPORT_COLUMNS)[number];
export const SENSITIVE_EXPORT_COLUMNS: readonly ExportColumn[] = ['ethnicity', 'religion', 'citizenId'];

type Locale = 'vi' | 'en';
type CellOut = string | number | Date | null;

interface ColumnSpec {
  header: Record<Locale, string>;
  /** Paths the column reads (projection). */
  fields: string[];
  kind: 'text' | 'date' | 'number';
  width: number;
}

/** A column of one field, headed in both languages. */
const column = (
  vi: string,
  en: string,
  field: string,
  kind: ColumnSpec['kind'],
  width: number,
): ColumnSpec => ({
  header: { vi, en },
  fields: [field],
  kind,
  width,
});

const COLUMN_SPECS: Record<ExportColumn, ColumnSpec> = {
  studentCode: column('Mã sinh viên/học sinh', 'Student code', 'studentCode', 'text', 16),
  fullName: column('Họ và tên', 'Full name', 'fullName', 'text', 28),
  dateOfBirth: column('Ngày sinh', 'Date of birth', 'dateOfBirth', 'date', 12),
  gender: column('Giới tính', 'Gender', 'gender', 'text', 10),
  email: column('Email', 'Email', 'email', 'text', 30),
  phone: column('Số điện thoại', 'Phone', 'phone', 'text', 14),
  branch: column('Chi đoàn', 'Union branch', 'branchId', 'text', 30),
  unionJoinedAt: column('Ngày vào Đoàn', 'Union join date', 'union.joinedAt', 'date', 14),
  unionCardNumber: column('Số thẻ đoàn viên', 'Union card no.', 'union.cardNumber', 'text', 16),
  school: column('Trường', 'School', 'schoolId', 'text', 34),
  stage: column('Giai đoạn', 'Stage', 'pipeline.stage', 'text', 24),
  stageSince: column('Từ ngày', 'Stage since', 'pipeline.stageSince', 'date', 12),
  schoolYear: column('Năm học', 'School year', 'schoolYear', 'text', 11),
  cohort: column('Khóa', 'Cohort', 'cohort', 'number', 8),
  ethnicity: column('Dân tộc', 'Ethnicity', 'ethnicity', 'text', 12),
  religion: column('Tôn giáo', 'Religion', 'religion', 'text', 12),
  citizenId: column('Số CCCD', 'Citizen ID', 'citizenId', 'text', 15),
};

const GENDER_LABELS: Record<Locale, Record<string, string>> = {
  vi: { male: 'Nam', female: 'Nữ', other: 'Khác' },
  en: { male: 'Male', female: 'Female', other: 'Other' },
};

/** The default view: everything except sensitive fields. */
export const DEFAULT_EXPORT_COLUMNS: readonly ExportColumn[] = EXPORT_COLUMNS.filter(
  (c) => !SENSITIVE_EXPORT_COLUMNS.includes(c),
);

export interface ExportOptions {
  /** Already scoped by the caller (e.g. `{ ancestors: unitId, 'pipeline.stage': … }`); operators wrapped in `mongoose.trusted`. */
  filter: QueryFilter<MemberFields>;
  /** Whitelisted by the caller; `_id` is appended so equal keys keep a stable order. Default: name order. */
  sort?: Record<string, 1 | -1>;
  format: 'xlsx' | 'csv';
  locale?: Locale;
  columns?: readonly ExportColumn[];
  /** Only when the user may see ethnicity, religion and citizen ID; otherwise those columns are dropped. */
  includeSensitive?: boolean;
  /** For the file name (tests). */
  now?: Date;
}

export interface ExportResult {
  body: Readable;
  contentType: string;
  filename: string;
  /** Columns actually written (sensitive ones removed unless allowed): what to audit. */
  columns: ExportColumn[];
  /** Records left out because consent was withdrawn; final once `body` has ended. */
  withheld: { count: number };
}

const CURSOR_BATCH = 500;

/** dd/mm/yyyy in Vietnam's time zone (UTC+7, no daylight saving), like the rest of the app. */
export function formatDateVn(date: Date): string {
  const d = new Date(date.getTime() + VN_OFFSET_MS);
  return `${String(d.getUTCDate()).padStart(2, '0')}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${d.getUTCFullYear()}`;
}

/** `doan-vien-2026-11-27.xlsx`, dated in Vietnam's time zone. */
export function exportFilename(format: 'xlsx' | 'csv', now = new Date()): string {
  const d = new Date(now.getTime() + VN_OFFSET_MS);
  const ymd = `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')}`;
  return `doan-vien-${ymd}.${format}`;
}

function resolveColumns(options: ExportOptions): ExportColumn[] {
  const requested = options.columns?.length ? options.columns : DEFAULT_EXPORT_COLUMNS;
  const known = requested.filter((c, i) => EXPORT_COLUMNS.includes(c) && requested.indexOf(c) === i);
  return options.includeSensitive ? known : known.filter((c) => !SENSITIVE_EXPORT_COLUMNS.includes(c));
}

type LeanMember = Record<string, unknown> & {
  _id: Types.ObjectId;
  branchId?: Types.ObjectId;
  schoolId?: Types.ObjectId;
  union?: { joinedAt?: Date; cardNumber?: string };
  pipeline?: { stage?: string; stageSince?: Date };
  consent?: ConsentRecord;
};

/**
 * Rows of the export in table order, a batch at a time. Unit names (branch,
 * school) are looked up once per batch for ids not seen before, so there is
 * no join and no per-row query.
 */
async function* exportRows(
  options: ExportOptions,
  columns: ExportColumn[],
  locale: Locale,
  withheld: { count: number },
): AsyncGenerator<CellOut[][]> {
  const projection: Record<string, 1> = { ...CONSENT_PAUSE_PROJECTION };
  for (const c of columns) for (const f of COLUMN_SPECS[c].fields) projection[f] = 1;
  const sort = { ...(options.sort ?? { nameSortKey: 1 }), _id: 1 as const };
  const cursor = Member.find(options.filter)
    .select(projection)
    .sort(sort)
    .lean()
    .cursor({ batchSize: CURSOR_BATCH });
  const unitNames = new Map<string, string>();
  const needsUnits = columns.includes('branch') || columns.includes('school');
  let batch: LeanMember[] = [];

  const flush = async (): Promise<CellOut[][]> => {
    if (needsUnits) {
      const missing = new Set<string>();
      for (const m of batch) {
        for (const id of [m.branchId, m.schoolId])
          if (id && !unitNames.has(String(id))) missing.add(String(id));
      }
      if (missing.size) {
        const ids = [...missing].map((id) => new Types.ObjectId(id));
        const units = await Unit.find({ _id: mongoose.trusted({ $in: ids }) })
          .select({ name: 1 })
          .lean();
        for (const u of units) unitNames.set(String(u._id), u.name);
        for (const id of missing) if (!unitNames.has(id)) unitNames.set(id, '');
      }
    }
    const rows = batch.map((m) => columns.map((c) => cellOf(m, c, locale, unitNames)));
    batch = [];
    return rows;
  };

  try {
    for await (const doc of cursor) {
      const m = doc as unknown as LeanMember;
      if (consentWithdrawn(m.consent)) {
        withheld.count += 1;
        continue;
      }
      batch.push(m);
      if (batch.length >= CURSOR_BATCH) yield await flush();
    }
    if (batch.length) yield await flush();
  } finally {
    await cursor.close().catch(() => undefined);
  }
}

function cellOf(
  m: LeanMember,
  column: ExportColumn,
  locale: Locale,
  unitNames: Map<string, string>,
): CellOut {
  switch (column) {
    case 'gender':
      return typeof m.gender === 'string' ? (GENDER_LABELS[locale][m.gender] ?? m.gender) : null;
    case 'branch':
      return m.branchId ? (unitNames.get(String(m.branchId)) ?? '') : null;
    case 'school':
      return m.schoolId ? (unitNames.get(String(m.schoolId)) ?? '') : null;
    case 'unionJoinedAt':
      return m.union?.joinedAt ?? null;
    case 'unionCardNumber':
      return m.union?.cardNumber ?? null;
    case 'stage': {
      const stage = m.pipeline?.stage as Stage | undefined;
      return stage ? (STAGE_LABELS[stage]?.[locale] ?? stage) : null;
    }
    case 'stageSince':
      return m.pipeline?.stageSince ?? null;
    default: {
      const value = m[column];
      return value instanceof Date || typeof value === 'number' || typeof value === 'string' ? value : null;
    }
  }
}

// ---------------------------------------------------------------------------
// CSV

/**
 * RFC 4180 field. Text starting with = + - @ (or a tab/CR) is prefixed with an
 * apostrophe: Excel would otherwise run it as a formula (CSV injection), and a
 * name or an email typed by a student is untrusted input.
 */
export function csvField(value: CellOut, kind: ColumnSpec['kind']): string {
  if (value === null || value === undefined) return '';
  let text: string;
  if (value instanceof Date) text = formatDateVn(value);
  else if (typeof value === 'number') text = String(value);
  else text = kind === 'text' && /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n;]/.test(text) || /^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function csvStream(
  header: string[],
  kinds: ColumnSpec['kind'][],
  rows: AsyncGenerator<CellOut[][]>,
): Readable {
  async function* lines(): AsyncGenerator<string> {
    // The BOM makes Excel read the file as UTF-8, so Vietnamese diacritics survive.
    yield '\uFEFF' + header.map((h) => csvField(h, 'text')).join(',') + '\r\n';
    for await (const batch of rows) {
      yield batch.map((r) => r.map((v, i) => csvField(v, kinds[i])).join(',') + '\r\n').join('');
    }
  }
  return Readable.from(lines(), { objectMode: false });
}

// ---------------------------------------------------------------------------
// xlsx

function xlsxStream(
  header: string[],
  specs: ColumnSpec[],
  sheetName: string,
  rows: AsyncGenerator<CellOut[][]>,
  notes: () => { sheet: string; lines: string[] } | null,
): Readable {
  const out = new PassThrough();
  // Streaming writer: rows are zipped as they come instead of a whole workbook in memory.
  // Inline strings (no shared-string table) keep memory flat at the cost of a slightly larger file.
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: out,
    useStyles: true,
    useSharedStrings: false,
  });
  const sheet = workbook.addWorksheet(sheetName, { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = specs.map((spec, i) => ({
    header: header[i],
    width: spec.width,
    style: spec.kind === 'date' ? { numFmt: 'dd/mm/yyyy' } : spec.kind === 'text' ? { numFmt: '@' } : {},
  }));
  sheet.getRow(1).font = { bold: true };
  sheet.getRow(1).commit();
  (async () => {
    for await (const batch of rows) {
      for (const row of batch) sheet.addRow(row.map(toExcelDate)).commit();
    }
    sheet.commit();
    // After the data sheet, so an import of this file still reads the members.
    const note = notes();
    if (note) {
      const noteSheet = workbook.addWorksheet(note.sheet);
      noteSheet.getColumn(1).width = 120;
      for (const line of note.lines) noteSheet.addRow([line]).commit();
      noteSheet.commit();
    }
    await workbook.commit();
  })().catch((error: unknown) => out.destroy(error instanceof Error ? error : new Error(String(error))));
  return out;
}

/**
 * Dates without a time are stored as UTC midnight, which Excel shows as the
 * right day; dates with a time (stage changes) are shifted to Vietnam's day first.
 */
function toExcelDate(value: CellOut): CellOut {
  if (!(value instanceof Date)) return value;
  const d = new Date(value.getTime() + VN_OFFSET_MS);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
}

/**
 * Streams the members matching `filter` (already scoped by the caller) as CSV
 * or xlsx. Errors from the database surface as an error on the returned stream.
 */
export function exportMembers(options: ExportOptions): ExportResult {
  const locale: Locale = options.locale ?? 'vi';
  const columns = resolveColumns(options);
  const specs = columns.map((c) => COLUMN_SPECS[c]);
  const header = specs.map((s) => s.header[locale]);
  const withheld = { count: 0 };
  const rows = exportRows(options, columns, locale, withheld);
  const filename = exportFilename(options.format, options.now);
  if (options.format === 'csv') {
    return {
      body: csvStream(
        header,
        specs.map((s) => s.kind),
        rows,
      ),
      contentType: CSV_CONTENT_TYPE,
      filename,
      columns,
      withheld,
    };
  }
  const sheetName = locale === 'vi' ? 'Đoàn viên' : 'Members';
  const notes = () =>
    withheld.count > 0
      ? {
          sheet: translate(locale, 'consent.exportSheet'),
          lines: [translate(locale, 'consent.exportWithheld', { count: withheld.count })],
        }
      : null;
  return {
    body: xlsxStream(header, specs, sheetName, rows, notes),
    contentType: XLSX_CONTENT_TYPE,
    filename,
    columns,
    withheld,
  };
}

/** Convenience for small exports and tests: the whole file in memory. */
export async function exportMembersToBuffer(
  options: ExportOptions,
): Promise<Omit<ExportResult, 'body'> & { body: Buffer }> {
  const result = exportMembers(options);
  const chunks: Buffer[] = [];
  for await (const chunk of result.body) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return { ...result, body: Buffer.concat(chunks) };
}

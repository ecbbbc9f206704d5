/**
 * Pure half of member import (issue "Member records", items 5-6): column
 * definitions, header matching, CSV parsing, cell conversion and row validation.
 * No I/O here: `app/utils/members/member-import.server.ts` reads files and the database.
 *
 * Problems are structured codes, never sentences, so the route can render them
 * in either language from `import-messages.ts`. Row numbers are the ones the
 * user sees in Excel (header = row 1); columns are named by their template header.
 */
import { z } from 'zod';
import { isValidGpa } from './academic.ts';
import { DAY_MS, vietnamDay } from './calendar.ts';
import type { ThptRating } from './criteria/types.ts';
import { parseGraduationMonth } from './graduation.ts';
import type { Gender } from './member-vocabulary.ts';
import { searchKey } from './text.ts';

export const IMPORT_KINDS = ['members', 'results'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

/** Larger files are refused before parsing: 20,000 rows of members fit in ~3 MB of xlsx. */
export const MAX_FILE_BYTES = 10 * 1024 * 1024;
export const MAX_DATA_ROWS = 20_000;
/** A title block above the header is common in school spreadsheets; look this far for the header. */
export const HEADER_SEARCH_ROWS = 10;

export const FILE_PROBLEM_CODES = [
  'not_spreadsheet',
  'file_too_large',
  'empty',
  'too_many_rows',
  'missing_header',
  'duplicate_header',
  'malformed_csv',
  'school_not_found',
  // A commit that did not land (nothing of it was written).
  'write_failed',
  'write_conflict',
  'write_too_slow',
] as const;

export const ROW_PROBLEM_CODES = [
  'required',
  'required_for_new',
  'text_too_long',
  'code_invalid',
  'name_invalid',
  'date_invalid',
  'date_no_such_day',
  'date_out_of_range',
  'join_before_birth',
  'gender_invalid',
  'email_invalid',
  'phone_invalid',
  'citizen_id_invalid',
  'branch_not_found',
  'branch_ambiguous',
  'duplicate_code',
  'school_year_invalid',
  'cohort_invalid',
  'term_invalid',
  'scale_invalid',
  'number_invalid',
  'gpa_out_of_range',
  'conduct_score_out_of_range',
  'rating_invalid',
  'month_invalid',
  'not_for_school_kind',
  'result_empty',
  'member_not_found',
  'duplicate_term',
] as const;

export type FileProblemCode = (typeof FILE_PROBLEM_CODES)[number];
export type RowProblemCode = (typeof ROW_PROBLEM_CODES)[number];
export type ImportProblemCode = FileProblemCode | RowProblemCode;

export interface ImportProblem {
  /** Excel row number (header = 1); absent for problems with the whole file. */
  row?: number;
  /** Template header of the column; absent when the problem is the whole row or file. */
  column?: string;
  code: ImportProblemCode;
  /** The cell as the user typed it, shortened, so they can find it. */
  value?: string;
  /** Placeholders of the message (`{headers}`, `{firstRow}`, `{max}`…). */
  params?: Record<string, string | number>;
}

/** What a spreadsheet cell can hold once read (exceljs or CSV). */
export type CellValue = string | number | boolean | Date | null;

export interface SheetRow {
  /** Row number as the user sees it in the spreadsheet. */
  row: number;
  cells: CellValue[];
}

// ---------------------------------------------------------------------------
// Columns

export interface ColumnDef<K extends string = string> {
  key: K;
  header: string;
  /** Other headers people write for the same column (matched the same way). */
  aliases: readonly string[];
  /** The header must be present in the file. */
  required: boolean;
  /** For the "Hướng dẫn" sheet. */
  guide: string;
  allowed: string;
  example: string | Date;
  /** Excel should keep the cell as text (leading zeros of codes, phone numbers, CCCD). */
  text?: boolean;
  /** Sensitive under Law 91/2025: collected only when needed. */
  sensitive?: boolean;
}

const CODE_ALIASES = [
  'Mã sinh viên',
  'Mã học sinh',
  'Mã số sinh viên',
  'Mã số học sinh',
  'Mã SV',
  'Mã HS',
  'Mã SV/HS',
  'MSSV',
  'MSHS',
] as const;

export const MEMBER_COLUMNS = [
  {
    key: 'studentCode',
    header: 'Mã sinh viên/học sinh',
    aliases: CODE_ALIASES,
    required: true,
    guide: 'Mã do trường cấp, duy nhất trong trường; dùng để nhận ra đoàn viên khi nhập lại.',
    allowed: 'Chữ, số, dấu chấm, gạch ngang, gạch dưới; tối đa 30 ký tự',
    example: '2101010001',
    text: true,
  },
  {
    key: 'fullName',
    header: 'Họ và tên',
    aliases: ['Họ tên', 'Họ và tên đoàn viên', 'Tên đoàn viên'],
    required: true,
    guide: 'Họ, tên đệm và tên, có dấu.',
    allowed: 'Chữ cái và khoảng trắng; tối đa 100 ký tự',
    example: 'Nguyễn Thị Ánh',
  },
  {
    key: 'dateOfBirth',
    header: 'Ngày sinh',
    aliases: ['Ngày tháng năm sinh', 'Ngày/tháng/năm sinh'],
    required: false,
    guide: 'Bắt buộc khi thêm đoàn viên mới.',
    allowed: 'dd/mm/yyyy (ví dụ 15/03/2006) hoặc ô kiểu ngày của Excel',
    example: '15/03/2006',
    text: true,
  },
  {
    key: 'gender',
    header: 'Giới tính',
    aliases: ['Phái'],
    required: false,
    guide: 'Bắt buộc khi thêm đoàn viên mới.',
    allowed: 'Nam, Nữ, Khác',
    example: 'Nữ',
  },
  {
    key: 'email',
    header: 'Email',
    aliases: ['E-mail', 'Thư điện tử', 'Địa chỉ email'],
    required: false,
    guide: 'Không bắt buộc.',
    allowed: 'Địa chỉ thư điện tử hợp lệ',
    example: 'anh.nt@example.edu.vn',
  },
  {
    key: 'phone',
    header: 'Số điện thoại',
    aliases: ['Điện thoại', 'SĐT', 'Số ĐT', 'Di động'],
    required: false,
    guide: 'Không bắt buộc.',
    allowed: '10 chữ số bắt đầu bằng 0, hoặc +84…',
    example: '0912345678',
    text: true,
  },
  {
    key: 'branch',
    header: 'Chi đoàn',
    aliases: ['Mã chi đoàn', 'Tên chi đoàn'],
    required: false,
    guide: 'Tên hoặc mã chi đoàn thuộc trường. Bắt buộc khi thêm đoàn viên mới.',
    allowed: 'Tên hoặc mã một chi đoàn đang hoạt động của trường',
    example: 'Chi đoàn K21 Sư phạm Toán',
  },
  {
    key: 'unionJoinedAt',
    header: 'Ngày vào Đoàn',
    aliases: ['Ngày kết nạp Đoàn', 'Ngày vào đoàn TNCS'],
    required: false,
    guide: 'Không bắt buộc; phải sau ngày sinh.',
    allowed: 'dd/mm/yyyy hoặc ô kiểu ngày của Excel',
    example: '26/03/2021',
    text: true,
  },
  {
    key: 'unionCardNumber',
    header: 'Số thẻ đoàn viên',
    aliases: ['Số thẻ đoàn', 'Số thẻ ĐV'],
    required: false,
    guide: 'Không bắt buộc.',
    allowed: 'Tối đa 30 ký tự',
    example: '0123456789',
    text: true,
  },
  {
    key: 'expectedGraduation',
    header: 'Dự kiến tốt nghiệp',
    aliases: ['Tháng tốt nghiệp', 'Dự kiến ra trường', 'Thời gian tốt nghiệp dự kiến'],
    required: false,
    guide:
      'Không bắt buộc. Tháng và năm dự kiến tốt nghiệp: hồ sơ hiện cảnh báo nếu trước ngày dự kiến có quyết định kết nạp.',
    allowed: 'mm/yyyy (ví dụ 06/2027) hoặc yyyy-mm',
    example: '06/2027',
    text: true,
  },
  {
    key: 'schoolYear',
    header: 'Năm học',
    aliases: ['Năm học hiện tại'],
    required: false,
    guide: 'Không bắt buộc. Năm học của hồ sơ; để trống thì đoàn viên mới nhận năm học hiện tại.',
    allowed: 'yyyy-yyyy, hai năm liên tiếp (ví dụ 2025-2026)',
    example: '2025-2026',
    text: true,
  },
  {
    key: 'cohort',
    header: 'Khóa',
    aliases: ['Khoá', 'Khóa học', 'Năm nhập học'],
    required: false,
    guide:
      'Không bắt buộc. Năm nhập học của khóa; để trống thì đoàn viên mới nhận khóa của chi đoàn (hoặc năm học hiện tại).',
    allowed: 'Năm gồm 4 chữ số (ví dụ 2024)',
    example: '2024',
  },
  {
    key: 'ethnicity',
    header: 'Dân tộc',
    aliases: [],
    required: false,
    guide: 'Dữ liệu nhạy cảm (Luật 91/2025): chỉ điền khi quy trình cần.',
    allowed: 'Tối đa 50 ký tự',
    example: 'Kinh',
    sensitive: true,
  },
  {
    key: 'religion',
    header: 'Tôn giáo',
    aliases: [],
    required: false,
    guide: 'Dữ liệu nhạy cảm (Luật 91/2025): chỉ điền khi quy trình cần.',
    allowed: 'Tối đa 50 ký tự',
    example: 'Không',
    sensitive: true,
  },
  {
    key: 'citizenId',
    header: 'Số CCCD',
    aliases: ['CCCD', 'Số căn cước', 'Số căn cước công dân', 'Căn cước công dân', 'Số định danh cá nhân'],
    required: false,
    guide: 'Dữ liệu nhạy cảm (Luật 91/2025). Không tải ảnh thẻ lên hệ thống.',
    allowed: 'Đúng 12 chữ số (định dạng ô là Văn bản để giữ số 0 đầu)',
    example: '051206001234',
    text: true,
    sensitive: true,
  },
] as const satisfies readonly ColumnDef[];

export const RESULT_COLUMNS = [
  {
    key: 'studentCode',
    header: 'Mã sinh viên/học sinh',
    aliases: CODE_ALIASES,
    required: true,
    guide: 'Mã của đoàn viên đã có trong hệ thống.',
    allowed: 'Mã sinh viên/học sinh của trường',
    example: '2101010001',
    text: true,
  },
  {
    key: 'schoolYear',
    header: 'Năm học',
    aliases: [],
    required: true,
    guide: 'Năm học của kết quả.',
    allowed: 'yyyy-yyyy, hai năm liên tiếp (ví dụ 2024-2025)',
    example: '2024-2025',
    text: true,
  },
  {
    key: 'term',
    header: 'Học kỳ',
    aliases: ['HK', 'Kỳ'],
    required: true,
    guide: 'Học kỳ trong năm học. Nhập lại cùng năm học và học kỳ sẽ cập nhật, không tạo bản ghi mới.',
    allowed: '1, 2 hoặc 3 (học kỳ hè)',
    example: '1',
  },
  {
    key: 'scale',
    header: 'Thang điểm',
    aliases: ['Hệ điểm'],
    required: false,
    guide: 'Bắt buộc khi có Điểm TB.',
    allowed: '4 hoặc 10',
    example: '4',
  },
  {
    key: 'gpa',
    header: 'Điểm TB',
    aliases: ['Điểm trung bình', 'Điểm TBC', 'ĐTB', 'GPA', 'Điểm trung bình học kỳ', 'Điểm TBHK'],
    required: false,
    guide: 'Điểm trung bình học kỳ theo thang điểm đã chọn.',
    allowed: 'Số từ 0 đến 4 (thang 4) hoặc 0 đến 10 (thang 10); dấu thập phân là . hoặc ,',
    example: '3.45',
  },
  {
    key: 'conductScore',
    header: 'Điểm rèn luyện',
    aliases: ['ĐRL', 'Điểm RL'],
    required: false,
    guide: 'Đại học, cao đẳng (Thông tư 16/2015).',
    allowed: 'Số từ 0 đến 100',
    example: '85',
  },
  {
    key: 'conductRating',
    header: 'Hạnh kiểm / Kết quả rèn luyện',
    aliases: ['Hạnh kiểm', 'Kết quả rèn luyện'],
    required: false,
    guide: 'THPT (Thông tư 22/2021).',
    allowed: 'Tốt, Khá, Đạt, Chưa đạt',
    example: '',
  },
  {
    key: 'studyRating',
    header: 'Kết quả học tập',
    aliases: ['Học lực'],
    required: false,
    guide: 'THPT (Thông tư 22/2021).',
    allowed: 'Tốt, Khá, Đạt, Chưa đạt',
    example: '',
  },
] as const satisfies readonly ColumnDef[];

export type MemberColumnKey = (typeof MEMBER_COLUMNS)[number]['key'];
export type ResultColumnKey = (typeof RESULT_COLUMNS)[number]['key'];

export function columnsOf(kind: ImportKind): readonly ColumnDef[] {
  return kind === 'members' ? MEMBER_COLUMNS : RESULT_COLUMNS;
}

/**
 * Header key: no diacritics, case, spaces, punctuation or parenthesised hints,
 * so "MA SINH VIEN / HOC SINH", "Mã sinh viên/học sinh *" and
 * "Ngày sinh (dd/mm/yyyy)" match their columns.
 */
export function normalizeHeader(header: string): string {
  return searchKey(header.replace(/\([^)]*\)/g, ' ')).replace(/[^a-z0-9]/g, '');
}

const headerIndexCache = new Map<ImportKind, Map<string, ColumnDef>>();

function headerIndex(kind: ImportKind): Map<string, ColumnDef> {
  let index = headerIndexCache.get(kind);
  if (!index) {
    index = new Map();
    for (const column of columnsOf(kind)) {
      for (const name of [column.header, ...column.aliases]) index.set(normalizeHeader(name), column);
    }
    headerIndexCache.set(kind, index);
  }
  return index;
}

export interface HeaderMatch {
  /** Field key → position of its cell in the row. */
  positions: Map<string, number>;
  problems: ImportProblem[];
}

export function matchHeaders(cells: readonly CellValue[], kind: ImportKind, row = 1): HeaderMatch {
  const index = headerIndex(kind);
  const positions = new Map<string, number>();
  const problems: ImportProblem[] = [];
  cells.forEach((cell, i) => {
    const text = cellText(cell);
    if (!text) return;
    const column = index.get(normalizeHeader(text));
    if (!column) return; // extra columns are allowed and ignored
    if (positions.has(column.key)) {
      problems.push({
        row,
        column: column.header,
        code: 'duplicate_header',
        value: text,
        params: { header: column.header },
      });
    } else {
      positions.set(column.key, i);
    }
  });
  const missing = columnsOf(kind).filter((c) => c.required && !positions.has(c.key));
  if (missing.length) {
    problems.unshift({
      row,
      code: 'missing_header',
      params: { headers: missing.map((c) => c.header).join(', ') },
    });
  }
  return { positions, problems };
}

// ---------------------------------------------------------------------------
// Rows

export interface ImportRow {
  row: number;
  /** Field key → raw cell. */
  values: Record<string, CellValue>;
}

/** One column of the file's header: the template column it became, or null when ignored. */
export interface ColumnMapping {
  /** The header as written in the file. */
  column: string;
  /** The template header it matched (e.g. "Mã sinh viên/học sinh" for "MSSV"); null: not imported. */
  field: string | null;
}

export type RowsResult =
  | { ok: true; rows: ImportRow[]; headerRow: number; mapping: ColumnMapping[] }
  | { ok: false; problems: ImportProblem[] };

/** Every non-empty header cell in file order, with the column it feeds (STT, Điểm TB in a members file: none). */
export function columnMapping(cells: readonly CellValue[], kind: ImportKind): ColumnMapping[] {
  const index = headerIndex(kind);
  const mapping: ColumnMapping[] = [];
  for (const cell of cells) {
    const text = cellText(cell);
    if (text) mapping.push({ column: text, field: index.get(normalizeHeader(text))?.header ?? null });
  }
  return mapping;
}

function isBlankRow(cells: readonly CellValue[]): boolean {
  return cells.every((c) => cellText(c) === '');
}

/**
 * Finds the header (row 1, or the first of the top rows that has every required
 * header), maps the data rows to field keys and applies the file-level limits.
 */
export function rowsFromSheet(sheet: readonly SheetRow[], kind: ImportKind): RowsResult {
  const nonBlank = sheet.filter((r) => !isBlankRow(r.cells));
  if (nonBlank.length === 0) return { ok: false, problems: [{ code: 'empty' }] };

  let headerAt = -1;
  let match: HeaderMatch | undefined;
  for (let i = 0; i < Math.min(HEADER_SEARCH_ROWS, nonBlank.length); i++) {
    const candidate = matchHeaders(nonBlank[i].cells, kind, nonBlank[i].row);
    if (!candidate.problems.some((p) => p.code === 'missing_header')) {
      headerAt = i;
      match = candidate;
      break;
    }
  }
  if (!match) {
    // Report against the first row: that is where the user expects the header.
    return { ok: false, problems: matchHeaders(nonBlank[0].cells, kind, nonBlank[0].row).problems };
  }
  if (match.problems.length) return { ok: false, problems: match.problems };

  const data = nonBlank.slice(headerAt + 1);
  if (data.length === 0) return { ok: false, problems: [{ code: 'empty' }] };
  if (data.length > MAX_DATA_ROWS) {
    return {
      ok: false,
      problems: [{ code: 'too_many_rows', params: { max: MAX_DATA_ROWS, rows: data.length } }],
    };
  }
  const positions = [...match.positions];
  const rows = data.map((r) => {
    const values: Record<string, CellValue> = {};
    for (const [key, i] of positions) values[key] = r.cells[i] ?? null;
    return { row: r.row, values };
  });
  return {
    ok: true,
    rows,
    headerRow: nonBlank[headerAt].row,
    mapping: columnMapping(nonBlank[headerAt].cells, kind),
  };
}

// ---------------------------------------------------------------------------
// CSV (RFC 4180: quoted fields, doubled quotes, CRLF/LF/CR, newlines inside quotes)

export type CsvResult = { ok: true; rows: SheetRow[] } | { ok: false; problems: ImportProblem[] };

/** `;` is what Excel writes where the decimal separator is a comma (Vietnamese Windows). */
export function detectDelimiter(text: string): ',' | ';' | '\t' {
  const counts = { ',': 0, ';': 0, '\t': 0 };
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) break;
    else if (!quoted && ch in counts) counts[ch as keyof typeof counts]++;
  }
  if (counts[';'] > counts[','] && counts[';'] >= counts['\t']) return ';';
  if (counts['\t'] > counts[','] && counts['\t'] > counts[';']) return '\t';
  return ',';
}

export function parseCsv(input: string): CsvResult {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const delimiter = detectDelimiter(text);
  const rows: SheetRow[] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  let recordStartsQuotedAt = 0;
  let i = 0;
  const endRecord = () => {
    record.push(field);
    rows.push({ row: rows.length + 1, cells: record });
    record = [];
    field = '';
  };
  while (i < text.length) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        field += ch;
      }
      i++;
      continue;
    }
    if (ch === '"' && field.trim() === '') {
      // Tolerate spaces before an opening quote (`a, "b"`), which Excel also reads as quoted.
      field = '';
      quoted = true;
      recordStartsQuotedAt = rows.length + 1;
    } else if (ch === delimiter) {
      record.push(field);
      field = '';
    } else if (ch === '\r' || ch === '\n') {
      endRecord();
      if (ch === '\r' && text[i + 1] === '\n') i++;
    } else {
      field += ch;
    }
    i++;
  }
  if (quoted)
    return {
      ok: false,
      problems: [{ code: 'malformed_csv', row: recordStartsQuotedAt, params: { row: recordStartsQuotedAt } }],
    };
  if (field !== '' || record.length) endRecord();
  return { ok: true, rows };
}

// ---------------------------------------------------------------------------
// Cells

const INVISIBLE = /[\u200B-\u200D\u2060\uFEFF]/g;

/** Text of a cell as the user would read it. */
export function cellText(value: CellValue | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string')
    return value
      .normalize('NFC')
      .replace(INVISIBLE, '')
      .replace(/\u00A0/g, ' ')
      .trim();
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return '';
    return Number.isInteger(value) && Math.abs(value) < 1e21 ? value.toFixed(0) : String(value);
  }
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  return Number.isNaN(value.getTime()) ? '' : formatDmy(value);
}

/** dd/mm/yyyy of a date stored as UTC midnight (how dates without time are kept). */
export function formatDmy(date: Date): string {
  const d = String(date.getUTCDate()).padStart(2, '0');
  const m = String(date.getUTCMonth() + 1).padStart(2, '0');
  return `${d}/${m}/${date.getUTCFullYear()}`;
}

function utcDate(y: number, m: number, d: number): Date | null {
  if (!(y >= 1000 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= 31)) return null;
  const date = new Date(Date.UTC(y, m - 1, d));
  // Date.UTC rolls 31/02 over to 03/03: a real date must round-trip.
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d ? date : null;
}

/** Days from Excel's epoch (1899-12-30, absorbing its 1900 leap-year bug) to 1970-01-01. */
const EXCEL_EPOCH_OFFSET = 25569;

/**
 * A date from a cell: an Excel date cell, an unformatted Excel serial number,
 * dd/mm/yyyy (also with - or .), or ISO yyyy-mm-dd. Returns a UTC-midnight
 * Date, or null when the cell is not a real date.
 */
export function parseDateCell(value: CellValue): Date | null {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return null;
    // Excel date cells carry no zone; exceljs gives them as UTC. Drop any time of day.
    return utcDate(value.getUTCFullYear(), value.getUTCMonth() + 1, value.getUTCDate());
  }
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 1 || value > 2_958_465) return null;
    const date = new Date((value - EXCEL_EPOCH_OFFSET) * DAY_MS);
    return utcDate(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate());
  }
  const text = cellText(value);
  let m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(text);
  if (m) return utcDate(Number(m[3]), Number(m[2]), Number(m[1]));
  m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ][\d:.]+Z?)?$/.exec(text);
  if (m) return utcDate(Number(m[1]), Number(m[2]), Number(m[3]));
  return null;
}

/** Text in a date format (dd/mm/yyyy or yyyy-mm-dd) with a month of 1-12 and a day of 1-31. */
export function isDateShaped(text: string): boolean {
  const dmy = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(text);
  const ymd = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const [d, m] = dmy ? [Number(dmy[1]), Number(dmy[2])] : ymd ? [Number(ymd[3]), Number(ymd[2])] : [0, 0];
  return d >= 1 && d <= 31 && m >= 1 && m <= 12;
}

/** A number from a cell; accepts a decimal comma ("3,45"), as Vietnamese Excel writes it. */
export function parseNumberCell(value: CellValue): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  const text = cellText(value).replace(/\s/g, '');
  if (!/^[+-]?(\d+([.,]\d+)?|[.,]\d+)$/.test(text)) return null;
  return Number(text.replace(',', '.'));
}

/** What a spreadsheet cell may say (search key: no case, no diacritics) → the stored value. */
export const GENDER_WORDS: Readonly<Record<string, Gender>> = {
  nam: 'male',
  nu: 'female',
  khac: 'other',
  male: 'male',
  female: 'female',
  other: 'other',
};
export const THPT_RATING_WORDS: Readonly<Record<string, ThptRating>> = {
  tot: 'tot',
  kha: 'kha',
  dat: 'dat',
  'chua dat': 'chua_dat',
};

// ---------------------------------------------------------------------------
// Row schemas (zod). Each field turns one raw cell into a typed value or an
// issue whose message is a problem code, so every field of every row reports.

type CellParse<T> = { value: T } | { code: RowProblemCode; params?: Record<string, string | number> };

function cellField<T>(parse: (value: CellValue, text: string) => CellParse<T>) {
  return z.custom<CellValue>().transform((value, ctx): T => {
    const result = parse(value ?? null, cellText(value ?? null));
    if ('code' in result) {
      ctx.addIssue({ code: 'custom', message: result.code, params: result.params });
      return z.NEVER;
    }
    return result.value;
  });
}

const ok = <T>(value: T): CellParse<T> => ({ value });
const fail = (code: RowProblemCode, params?: Record<string, string | number>): CellParse<never> => ({
  code,
  params,
});

function requiredText(max: number, pattern?: { re: RegExp; code: RowProblemCode }) {
  return cellField<string>((_, text) => {
    if (!text) return fail('required');
    if (text.length > max) return fail('text_too_long', { max });
    if (pattern && !pattern.re.test(text)) return fail(pattern.code);
    return ok(text);
  });
}

function optionalText(max: number) {
  return cellField<string | undefined>((_, text) => {
    if (!text) return ok(undefined);
    return text.length > max ? fail('text_too_long', { max }) : ok(text);
  });
}

/** Dates a record can hold: nobody in the pipeline was born before 1950, and nothing is dated in the future. */
const MIN_DATE = Date.UTC(1950, 0, 1);

function optionalDate() {
  return cellField<Date | undefined>((value, text) => {
    if (!text) return ok(undefined);
    const date = parseDateCell(value);
    // 31/02/2005 is written right but names no day: say that, not "use dd/mm/yyyy".
    if (!date) return isDateShaped(text) ? fail('date_no_such_day', { date: text }) : fail('date_invalid');
    if (date.getTime() < MIN_DATE || date.getTime() > Date.now()) return fail('date_out_of_range');
    return ok(date);
  });
}

const CODE_RE = /^[\p{L}\p{N}._/-]+$/u;
// Letters (any script's marks included), spaces, and the apostrophe/hyphen of some ethnic-minority names.
const NAME_RE = /^[\p{L}\p{M}][\p{L}\p{M}' .-]*$/u;
const EMAIL = z.email().max(254);
const studentCodeField = requiredText(30, { re: CODE_RE, code: 'code_invalid' });

/** "2024-2025" (also 2024–2025, 2024/2025): two consecutive years. */
function schoolYearCell(text: string): CellParse<string> {
  const m = /^(\d{4})\s*[-–/]\s*(\d{4})$/.exec(text);
  if (!m) return fail('school_year_invalid');
  const first = Number(m[1]);
  const second = Number(m[2]);
  return second === first + 1 && first >= 2000 && first <= 2100
    ? ok(`${first}-${second}`)
    : fail('school_year_invalid');
}

/** The course (Khóa) as its entry year: "2024", or the span "2024-2028" (its first year). */
function cohortCell(text: string): CellParse<number> {
  const m = /^(\d{4})(?:\s*[-–]\s*\d{4})?$/.exec(text);
  const year = m ? Number(m[1]) : NaN;
  return year >= 1990 && year <= 2100 ? ok(year) : fail('cohort_invalid');
}

export const MemberRowSchema = z.object({
  studentCode: studentCodeField,
  fullName: cellField<string>((_, text) => {
    const name = text.replace(/\s+/g, ' ');
    if (!name) return fail('required');
    if (name.length > 100) return fail('text_too_long', { max: 100 });
    return NAME_RE.test(name) ? ok(name) : fail('name_invalid');
  }),
  dateOfBirth: optionalDate(),
  gender: cellField<Gender | undefined>((_, text) => {
    if (!text) return ok(undefined);
    const gender = GENDER_WORDS[searchKey(text)];
    return gender ? ok(gender) : fail('gender_invalid');
  }),
  email: cellField<string | undefined>((_, text) => {
    if (!text) return ok(undefined);
    const email = text.toLowerCase();
    return EMAIL.safeParse(email).success ? ok(email) : fail('email_invalid');
  }),
  phone: cellField<string | undefined>((value, text) => {
    if (!text) return ok(undefined);
    let digits = text.replace(/[\s.()-]/g, '');
    if (digits.startsWith('+84')) digits = '0' + digits.slice(3);
    else if (/^84\d{9}$/.test(digits)) digits = '0' + digits.slice(2);
    // A number cell loses the leading 0 of a Vietnamese mobile number.
    else if (typeof value === 'number' && /^[1-9]\d{8}$/.test(digits)) digits = '0' + digits;
    return /^0\d{9}$/.test(digits) ? ok(digits) : fail('phone_invalid');
  }),
  branch: optionalText(200),
  unionJoinedAt: optionalDate(),
  unionCardNumber: optionalText(30),
  // A month; an Excel date cell gives its month (Vietnam's calendar).
  expectedGraduation: cellField<string | undefined>((value, text) => {
    if (value instanceof Date) return ok(vietnamDay(value).slice(0, 7));
    if (!text) return ok(undefined);
    const month = parseGraduationMonth(text);
    return month ? ok(month) : fail('month_invalid');
  }),
  schoolYear: cellField<string | undefined>((_, text) => (text ? schoolYearCell(text) : ok(undefined))),
  cohort: cellField<number | undefined>((_, text) => (text ? cohortCell(text) : ok(undefined))),
  ethnicity: optionalText(50),
  religion: optionalText(50),
  citizenId: cellField<string | undefined>((value, text) => {
    if (!text) return ok(undefined);
    // CCCD numbers start with a 0 province code, which a number cell drops.
    const digits =
      typeof value === 'number' && /^\d{10,11}$/.test(text)
        ? text.padStart(12, '0')
        : text.replace(/\s/g, '');
    return /^\d{12}$/.test(digits) ? ok(digits) : fail('citizen_id_invalid');
  }),
});

export type MemberRecord = z.output<typeof MemberRowSchema> & { row: number };

export const ResultRowSchema = z.object({
  studentCode: studentCodeField,
  schoolYear: cellField<string>((_, text) => (text ? schoolYearCell(text) : fail('required'))),
  term: cellField<1 | 2 | 3>((_, text) => {
    if (!text) return fail('required');
    const m = /^(?:hk|hoc ky|ky)?\s*([123])$/.exec(searchKey(text));
    return m ? ok(Number(m[1]) as 1 | 2 | 3) : fail('term_invalid');
  }),
  scale: cellField<4 | 10 | undefined>((value, text) => {
    if (!text) return ok(undefined);
    const n = parseNumberCell(value);
    return n === 4 || n === 10 ? ok(n) : fail('scale_invalid');
  }),
  gpa: cellField<number | undefined>((value, text) => {
    if (!text) return ok(undefined);
    const n = parseNumberCell(value);
    return n === null ? fail('number_invalid') : ok(n);
  }),
  conductScore: cellField<number | undefined>((value, text) => {
    if (!text) return ok(undefined);
    const n = parseNumberCell(value);
    if (n === null) return fail('number_invalid');
    return n >= 0 && n <= 100 ? ok(n) : fail('conduct_score_out_of_range');
  }),
  conductRating: thptRatingField(),
  studyRating: thptRatingField(),
});

function thptRatingField() {
  return cellField<ThptRating | undefined>((_, text) => {
    if (!text) return ok(undefined);
    const rating = THPT_RATING_WORDS[searchKey(text)];
    return rating ? ok(rating) : fail('rating_invalid');
  });
}

export type ResultRecord = z.output<typeof ResultRowSchema> & { row: number };

// ---------------------------------------------------------------------------
// Validation of all rows

export interface Validated<T> {
  records: T[];
  problems: ImportProblem[];
}

function problemValue(value: CellValue | undefined): string | undefined {
  const text = cellText(value ?? null);
  return text ? (text.length > 100 ? text.slice(0, 99) + '…' : text) : undefined;
}

function headerOf(kind: ImportKind, key: string): string {
  return columnsOf(kind).find((c) => c.key === key)?.header ?? key;
}

function runSchema<S extends z.ZodType>(
  schema: S,
  kind: ImportKind,
  rows: readonly ImportRow[],
  problems: ImportProblem[],
): (z.output<S> & { row: number })[] {
  const records: (z.output<S> & { row: number })[] = [];
  const keys = columnsOf(kind).map((c) => c.key);
  for (const { row, values } of rows) {
    // Columns absent from the file read as empty cells.
    const complete: Record<string, CellValue> = {};
    for (const key of keys) complete[key] = values[key] ?? null;
    const result = schema.safeParse(complete);
    if (result.success) {
      records.push({ ...(result.data as object), row } as z.output<S> & { row: number });
      continue;
    }
    for (const issue of result.error.issues) {
      const key = String(issue.path[0] ?? '');
      const code = (ROW_PROBLEM_CODES as readonly string[]).includes(issue.message)
        ? (issue.message as RowProblemCode)
        : 'required';
      const params =
        'params' in issue ? (issue.params as Record<string, string | number> | undefined) : undefined;
      problems.push({
        row,
        column: headerOf(kind, key),
        code,
        value: problemValue(values[key]),
        ...(params ? { params } : {}),
      });
    }
  }
  return records;
}

/** Checks every member row; a row with any problem yields no record. */
export function validateMemberRows(rows: readonly ImportRow[]): Validated<MemberRecord> {
  const problems: ImportProblem[] = [];
  const parsed = runSchema(MemberRowSchema, 'members', rows, problems);
  const firstRowOfCode = new Map<string, number>();
  // Duplicates are judged on every row that has a usable code, valid or not, so the
  // user sees all of them at once.
  for (const { row, values } of rows) {
    const code = cellText(values.studentCode ?? null);
    if (!code) continue;
    const first = firstRowOfCode.get(code);
    if (first === undefined) firstRowOfCode.set(code, row);
    else
      problems.push({
        row,
        column: headerOf('members', 'studentCode'),
        code: 'duplicate_code',
        value: code,
        params: { firstRow: first },
      });
  }
  const bad = new Set(problems.map((p) => p.row));
  const records: MemberRecord[] = [];
  for (const record of parsed) {
    if (
      record.dateOfBirth &&
      record.unionJoinedAt &&
      record.unionJoinedAt.getTime() <= record.dateOfBirth.getTime()
    ) {
      problems.push({
        row: record.row,
        column: headerOf('members', 'unionJoinedAt'),
        code: 'join_before_birth',
        value: formatDmy(record.unionJoinedAt),
      });
      bad.add(record.row);
    }
    if (!bad.has(record.row)) records.push(record);
  }
  return { records, problems: sortProblems(problems, 'members') };
}

/** Checks every result row; cross-field rules (GPA within its scale) included. */
export function validateResultRows(rows: readonly ImportRow[]): Validated<ResultRecord> {
  const problems: ImportProblem[] = [];
  const parsed = runSchema(ResultRowSchema, 'results', rows, problems);
  const bad = new Set(problems.map((p) => p.row));
  const firstRowOfTerm = new Map<string, number>();
  const records: ResultRecord[] = [];
  for (const record of parsed) {
    const rowProblems: ImportProblem[] = [];
    if (record.gpa !== undefined) {
      if (record.scale === undefined) {
        rowProblems.push({ row: record.row, column: headerOf('results', 'scale'), code: 'required' });
      } else if (!isValidGpa(record.gpa, record.scale)) {
        rowProblems.push({
          row: record.row,
          column: headerOf('results', 'gpa'),
          code: 'gpa_out_of_range',
          value: String(record.gpa),
          params: { max: record.scale },
        });
      }
    }
    if (
      record.gpa === undefined &&
      record.conductScore === undefined &&
      record.conductRating === undefined &&
      record.studyRating === undefined
    ) {
      rowProblems.push({ row: record.row, code: 'result_empty' });
    }
    const termKey = `${record.studentCode}\u0000${record.schoolYear}\u0000${record.term}`;
    const first = firstRowOfTerm.get(termKey);
    if (first === undefined) firstRowOfTerm.set(termKey, record.row);
    else
      rowProblems.push({
        row: record.row,
        code: 'duplicate_term',
        params: { firstRow: first, year: record.schoolYear, term: record.term },
      });
    problems.push(...rowProblems);
    if (!rowProblems.length && !bad.has(record.row)) records.push(record);
  }
  return { records, problems: sortProblems(problems, 'results') };
}

/** Row order, then the column order of the template, so the report reads like the sheet. */
export function sortProblems(problems: ImportProblem[], kind: ImportKind): ImportProblem[] {
  const order = new Map(columnsOf(kind).map((c, i) => [c.header, i]));
  return problems.sort(
    (a, b) =>
      (a.row ?? 0) - (b.row ?? 0) ||
      (a.column === undefined ? 99 : (order.get(a.column) ?? 98)) -
        (b.column === undefined ? 99 : (order.get(b.column) ?? 98)),
  );
}

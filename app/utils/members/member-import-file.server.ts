/**
 * Reading an uploaded import file into data rows: the content decides the format
 * (.xlsx or CSV), files of another kind and hostile ones (zip bombs, binary data) are
 * refused with a problem, never an exception.
 */
import ExcelJS from 'exceljs';
import { parseCsv } from '~/domain/member-import/csv.ts';
import type { ColumnMapping } from '~/domain/member-import/headers.ts';
import { rowsFromSheet } from '~/domain/member-import/sheet.ts';
import {
  HEADER_SEARCH_ROWS,
  MAX_DATA_ROWS,
  MAX_FILE_BYTES,
  type CellValue,
  type ImportKind,
  type ImportProblem,
  type ImportRow,
  type SheetRow,
} from '~/domain/member-import/types.ts';
import { GUIDE_SHEET_NAME } from './member-import-template.server.ts';

/** Uncompressed size past which an .xlsx is refused unread (a zip bomb would exhaust memory). */
const MAX_UNZIPPED_BYTES = 64 * 1024 * 1024;

export type ParseResult =
  | { ok: true; rows: ImportRow[]; headerRow: number; mapping: ColumnMapping[] }
  | { ok: false; problems: ImportProblem[] };

type SheetResult = { ok: true; rows: SheetRow[] } | { ok: false; problems: ImportProblem[] };

const fileProblem = (
  code: 'not_spreadsheet',
  detail?: string,
  format?: string,
): { ok: false; problems: ImportProblem[] } => ({
  ok: false,
  problems: [{ code, ...(detail ? { params: { detail, ...(format ? { format } : {}) } } : {}) }],
});
/**
 * `detail` is for logs and tests (why the file was refused); the message names `format`
 * when the content is a known other kind of file ("Tệp này là tệp PDF …").
 */
const notSpreadsheet = (detail?: string, format?: string) => fileProblem('not_spreadsheet', detail, format);

/** Signatures of files people pick by mistake: recognised by content, whatever their name. */
const OTHER_FORMATS: { format: string; magic: number[] }[] = [
  { format: 'PDF', magic: [0x25, 0x50, 0x44, 0x46, 0x2d] }, // %PDF-
  { format: 'EXE', magic: [0x4d, 0x5a] }, // MZ: Windows programs
  { format: 'ELF', magic: [0x7f, 0x45, 0x4c, 0x46] },
  { format: 'Excel 97-2003 (.xls) / Word (.doc)', magic: [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1] },
  { format: 'PNG', magic: [0x89, 0x50, 0x4e, 0x47] },
  { format: 'JPEG', magic: [0xff, 0xd8, 0xff] },
  { format: 'GIF', magic: [0x47, 0x49, 0x46, 0x38] },
  { format: 'RAR', magic: [0x52, 0x61, 0x72, 0x21] },
  { format: '7z', magic: [0x37, 0x7a, 0xbc, 0xaf] },
  { format: 'gzip', magic: [0x1f, 0x8b] },
];

export function otherFormat(buffer: Buffer): string | null {
  const found = OTHER_FORMATS.find(({ magic }) => magic.every((byte, i) => buffer[i] === byte));
  return found?.format ?? null;
}

function isZip(buffer: Buffer): boolean {
  return (
    buffer.length >= 4 && buffer[0] === 0x50 && buffer[1] === 0x4b && buffer[2] === 0x03 && buffer[3] === 0x04
  );
}

/**
 * Reads the ZIP central directory without inflating anything: a truncated
 * upload has none, a .docx or a random .zip has no workbook, and a zip bomb
 * declares a huge uncompressed size. ZIP64 archives are refused: an honest
 * 20,000-row sheet is far below 4 GB.
 */
function inspectZip(buffer: Buffer): 'ok' | 'broken' | 'not_workbook' | 'too_large' {
  const min = Math.max(0, buffer.length - 65_557);
  let eocd = -1;
  for (let i = buffer.length - 22; i >= min; i--) {
    if (buffer.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return 'broken';
  const entries = buffer.readUInt16LE(eocd + 10);
  let offset = buffer.readUInt32LE(eocd + 16);
  let total = 0;
  let hasWorkbook = false;
  for (let n = 0; n < entries; n++) {
    if (offset + 46 > buffer.length || buffer.readUInt32LE(offset) !== 0x02014b50) return 'broken';
    const size = buffer.readUInt32LE(offset + 24);
    const nameLength = buffer.readUInt16LE(offset + 28);
    const extraLength = buffer.readUInt16LE(offset + 30);
    const commentLength = buffer.readUInt16LE(offset + 32);
    if (size === 0xffffffff) return 'too_large';
    total += size;
    const name = buffer.toString('latin1', offset + 46, offset + 46 + nameLength);
    if (name === 'xl/workbook.xml') hasWorkbook = true;
    offset += 46 + nameLength + extraLength + commentLength;
  }
  if (total > MAX_UNZIPPED_BYTES) return 'too_large';
  return hasWorkbook ? 'ok' : 'not_workbook';
}

/** exceljs cell value → plain value: rich text, hyperlinks and formulas become what the user sees. */
function plainCell(value: ExcelJS.CellValue | undefined, depth = 0): CellValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (value instanceof Date) return value;
  if (depth > 3 || typeof value !== 'object') return null;
  const v = value as unknown as Record<string, unknown>;
  if (Array.isArray(v.richText))
    return (v.richText as { text?: unknown }[]).map((p) => String(p.text ?? '')).join('');
  if ('result' in v || 'formula' in v || 'sharedFormula' in v)
    return plainCell(v.result as ExcelJS.CellValue, depth + 1);
  if ('text' in v) return plainCell(v.text as ExcelJS.CellValue, depth + 1);
  if ('error' in v) return String(v.error);
  return null;
}

async function readXlsx(buffer: Buffer): Promise<SheetResult> {
  const zip = inspectZip(buffer);
  if (zip === 'too_large')
    return {
      ok: false,
      problems: [{ code: 'file_too_large', params: { maxMb: MAX_FILE_BYTES / 1024 / 1024 } }],
    };
  if (zip !== 'ok') return notSpreadsheet(zip);
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(buffer as unknown as ArrayBuffer);
  } catch {
    return notSpreadsheet('xlsx_unreadable');
  }
  // The data sheet is the first one that is not our own guide sheet.
  const sheet = workbook.worksheets.find((ws) => ws.name !== GUIDE_SHEET_NAME) ?? workbook.worksheets[0];
  if (!sheet) return { ok: false, problems: [{ code: 'empty' }] };
  // Cheap early refusal: a sheet far over the limit is not materialised row by row.
  if (sheet.actualRowCount > MAX_DATA_ROWS + HEADER_SEARCH_ROWS + 1) {
    return {
      ok: false,
      problems: [{ code: 'too_many_rows', params: { max: MAX_DATA_ROWS, rows: sheet.actualRowCount - 1 } }],
    };
  }
  const rows: SheetRow[] = [];
  try {
    sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
      const cells: CellValue[] = [];
      const count = row.cellCount;
      for (let c = 1; c <= count; c++) cells.push(plainCell(row.getCell(c).value));
      rows.push({ row: rowNumber, cells });
    });
  } catch {
    return notSpreadsheet('xlsx_unreadable');
  }
  return { ok: true, rows };
}

function readCsv(buffer: Buffer): SheetResult {
  let text: string;
  try {
    // fatal: a file that is not UTF-8 (an .xls, a PDF, a Windows-1258 CSV) is refused, not garbled.
    text = new TextDecoder('utf-8', { fatal: true }).decode(buffer);
  } catch {
    return notSpreadsheet('not_utf8');
  }
  // Control characters other than tab and line breaks mean binary data, not text.
  // eslint-disable-next-line no-control-regex -- looking for control characters is the point
  if (/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/.test(text)) {
    return notSpreadsheet('binary');
  }
  return parseCsv(text);
}

/**
 * Reads an uploaded file into data rows keyed by field, or file-level problems.
 * The content decides the format (ZIP magic → xlsx, valid UTF-8 text → CSV),
 * not the name: browsers and users rename files freely.
 */
export async function parseImportFile(
  buffer: Buffer,
  filename: string,
  kind: ImportKind,
): Promise<ParseResult> {
  try {
    if (!Buffer.isBuffer(buffer) || buffer.length === 0) return { ok: false, problems: [{ code: 'empty' }] };
    if (buffer.length > MAX_FILE_BYTES) {
      return {
        ok: false,
        problems: [{ code: 'file_too_large', params: { maxMb: MAX_FILE_BYTES / 1024 / 1024 } }],
      };
    }
    // A PDF can be plain ASCII, and would otherwise be read as a CSV without the columns.
    const format = otherFormat(buffer);
    if (format) return notSpreadsheet('other_format', format);
    let sheet: SheetResult;
    if (isZip(buffer)) sheet = await readXlsx(buffer);
    else if (/\.xlsx?$/i.test(filename) && !looksLikeText(buffer)) sheet = fileProblem('not_spreadsheet');
    else sheet = readCsv(buffer);
    if (!sheet.ok) return sheet;
    return rowsFromSheet(sheet.rows, kind);
  } catch {
    // Last line of defence: a library bug on a strange file is still the file's problem, not a 500.
    return notSpreadsheet('unexpected');
  }
}

/** An .xls(x) name with non-ZIP content is only worth reading if it is really text (a renamed CSV). */
function looksLikeText(buffer: Buffer): boolean {
  const head = buffer.subarray(0, 512);
  return !head.includes(0);
}

/**
 * Member import (issue "Member records", items 5-6): templates, reading
 * .xlsx/.csv uploads, the dry run against the database and the commit.
 *
 * Rules the route relies on:
 * - Nothing a user uploads makes these functions throw: every failure is a
 *   problem in the report (codes rendered by `app/domain/import-messages.ts`).
 * - All or nothing: `commitImport` writes only when the whole file is clean,
 *   re-checked against the database at commit time (the dry run may be stale), and
 *   writes it in one transaction with one audit event per member: every row and
 *   its event, or nothing (docs/decisions/020-import-in-one-transaction.md).
 * - Idempotent: rows are matched by (schoolId, studentCode) and terms by
 *   (year, term), so importing the same file twice changes nothing the second time.
 * - Empty cells never erase stored data: a file with fewer columns only updates
 *   what it has.
 */
import ExcelJS from 'exceljs';
import mongoose, { Types } from 'mongoose';
import { searchKey, memberSearchKey, nameSortKey } from '~/domain/text.ts';
import { latestGpa10 } from '~/domain/latest-gpa.ts';
import { cellText } from '~/domain/member-import/cells.ts';
import { MEMBER_COLUMNS, RESULT_COLUMNS, columnsOf, type ColumnDef } from '~/domain/member-import/columns.ts';
import { parseCsv } from '~/domain/member-import/csv.ts';
import type { ColumnMapping } from '~/domain/member-import/headers.ts';
import type { MemberRecord } from '~/domain/member-import/schemas.ts';
import { rowsFromSheet } from '~/domain/member-import/sheet.ts';
import {
  MAX_DATA_ROWS,
  MAX_FILE_BYTES,
  HEADER_SEARCH_ROWS,
  type CellValue,
  type ImportKind,
  type ImportProblem,
  type ImportRow,
  type SheetRow,
} from '~/domain/member-import/types.ts';
import { sortProblems, validateMemberRows, validateResultRows } from '~/domain/member-import/validate.ts';
import {
  PREVIEW_ROWS,
  changedColumns,
  changedKeys,
  defaultCohort,
  memberPreviewValues,
  previewColumns,
  rawPreviewValues,
  type ImportPreview,
  type PreviewRow,
  type RowAction,
} from '~/domain/import-preview.ts';
import { Member } from '../../../models/member.ts';
import { Unit, type SchoolKind } from '../../../models/unit.ts';
import { appendAuditMany, type AuditInput } from '../audit/audit.server.ts';
import { schoolYearOf } from '~/domain/calendar';
import { branchCohorts } from './member-course.server.ts';
import { refreshConflicts } from '../pipeline/pipeline-conflicts.server.ts';
import { currentSession, inTransaction } from '../transaction.server.ts';

export type { ImportKind, ImportProblem } from '~/domain/member-import/types.ts';

export const XLSX_CONTENT_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export const GUIDE_SHEET_NAME = 'Hướng dẫn';
const DATA_SHEET_NAME: Record<ImportKind, string> = { members: 'Đoàn viên', results: 'Kết quả học tập' };
/** Uncompressed size past which an .xlsx is refused unread (a zip bomb would exhaust memory). */
const MAX_UNZIPPED_BYTES = 64 * 1024 * 1024;
const WRITE_BATCH = 1_000;
/**
 * How long a commit may run, all its attempts together, before it gives up by itself:
 * under the server's transaction lifetime (60 s), so a commit that cannot finish ends
 * with a clear message instead of the server's abort and the driver's retries.
 */
export const COMMIT_BUDGET_MS = 45_000;
/** Members' ids a commit reports (the page links a few of them). */
const MEMBER_IDS_KEPT = 20;
const LOOKUP_BATCH = 1_000;
/** Up to this many codes, look members up by code; above, read the school once. */
const SMALL_IMPORT = 200;

// ---------------------------------------------------------------------------
// Templates

async function buildTemplate(kind: ImportKind): Promise<Buffer> {
  const columns = columnsOf(kind);
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Đoàn viên ưu tú';
  const sheet = workbook.addWorksheet(DATA_SHEET_NAME[kind], { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = columns.map((c) => ({
    header: c.header,
    key: c.key,
    width: Math.max(14, c.header.length + 4),
    // Text format keeps leading zeros (codes, phones, CCCD) and stops Excel reading 05/09 as a US date.
    style: c.text ? { numFmt: '@' } : {},
  }));
  sheet.getRow(1).font = { bold: true };
  const example = sheet.addRow(
    Object.fromEntries(columns.map((c) => [c.key, c.example === '' ? null : c.example])),
  );
  // Grey italics mark the example as something to replace, not a real member.
  example.font = { italic: true, color: { argb: 'FF808080' } };
  // One range per column: exceljs's per-cell validations get merged into overlapping
  // ranges (it sorts "D10" before "D2"), which Excel then offers to "repair".
  const validations = (
    sheet as unknown as { dataValidations: { add(range: string, v: ExcelJS.DataValidation): void } }
  ).dataValidations;
  const listValidation = (col: number, values: string[]) => {
    const letter = sheet.getColumn(col).letter;
    validations.add(`${letter}2:${letter}1000`, {
      type: 'list',
      allowBlank: true,
      formulae: [`"${values.join(',')}"`],
      showErrorMessage: true,
    });
  };
  // Drop-down lists where the allowed values are a short fixed set.
  columns.forEach((c, i) => {
    if (c.key === 'gender') listValidation(i + 1, ['Nam', 'Nữ', 'Khác']);
    if (c.key === 'term') listValidation(i + 1, ['1', '2', '3']);
    if (c.key === 'scale') listValidation(i + 1, ['4', '10']);
    if (c.key === 'conductRating' || c.key === 'studyRating')
      listValidation(i + 1, ['Tốt', 'Khá', 'Đạt', 'Chưa đạt']);
  });

  const guide = workbook.addWorksheet(GUIDE_SHEET_NAME);
  guide.columns = [
    { header: 'Cột', key: 'header', width: 30 },
    { header: 'Bắt buộc', key: 'required', width: 12 },
    { header: 'Giá trị hợp lệ', key: 'allowed', width: 55 },
    { header: 'Ghi chú', key: 'guide', width: 70 },
    { header: 'Tên cột khác được chấp nhận', key: 'aliases', width: 50 },
  ];
  guide.getRow(1).font = { bold: true };
  for (const c of columns) {
    guide.addRow({
      header: c.header,
      required: c.required ? 'Có' : 'Không',
      allowed: c.allowed,
      guide: c.guide,
      aliases: c.aliases.join('; '),
    });
  }
  guide.addRow({});
  const notes =
    kind === 'members'
      ? [
          'Dòng 1 là tiêu đề cột; mỗi dòng sau là một đoàn viên. Xóa dòng ví dụ (dòng 2) trước khi nhập.',
          'Tên cột không phân biệt hoa thường, có dấu hay không dấu; cột thừa được bỏ qua.',
          'Đoàn viên được nhận ra theo mã sinh viên/học sinh: mã đã có thì cập nhật, chưa có thì thêm mới.',
          'Ô để trống không xóa dữ liệu đã có.',
          `Mỗi lần nhập tối đa ${MAX_DATA_ROWS.toLocaleString('vi-VN')} dòng. Có thể lưu dạng .xlsx hoặc CSV UTF-8 (dấu phân cách , hoặc ;).`,
          'Nếu có dòng lỗi, hệ thống không ghi dòng nào và liệt kê mọi lỗi theo số dòng, tên cột.',
        ]
      : [
          'Mỗi dòng là kết quả một học kỳ của một đoàn viên đã có trong hệ thống. Xóa dòng ví dụ (dòng 2) trước khi nhập.',
          'Đại học, cao đẳng: điền Thang điểm, Điểm TB, Điểm rèn luyện. THPT: điền Hạnh kiểm / Kết quả rèn luyện và Kết quả học tập (có thể thêm Điểm TB thang 10).',
          'Nhập lại cùng năm học và học kỳ sẽ cập nhật kết quả cũ, không tạo bản ghi trùng.',
          'Ô để trống không xóa dữ liệu đã có.',
          `Mỗi lần nhập tối đa ${MAX_DATA_ROWS.toLocaleString('vi-VN')} dòng.`,
        ];
  for (const note of notes) guide.addRow({ header: note });
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** The members template: header row, one example row, and the "Hướng dẫn" sheet. */
export function buildMembersTemplate(): Promise<Buffer> {
  return buildTemplate('members');
}

/** The academic results template (one row per member and term). */
export function buildResultsTemplate(): Promise<Buffer> {
  return buildTemplate('results');
}

export function templateFilename(kind: ImportKind): string {
  return kind === 'members' ? 'mau-nhap-doan-vien.xlsx' : 'mau-nhap-ket-qua-hoc-tap.xlsx';
}

// ---------------------------------------------------------------------------
// Reading files

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

// ---------------------------------------------------------------------------
// Dry run and commit

export interface ImportInput {
  kind: ImportKind;
  schoolId: Types.ObjectId | string;
  buffer: Buffer;
  filename: string;
}

export interface ImportSummary {
  /** Data rows in the file. */
  rows: number;
  /** Members (or terms, for results) that would be created / changed / left as they are. */
  toCreate: number;
  toUpdate: number;
  unchanged: number;
}

export interface ImportReport {
  ok: boolean;
  problems: ImportProblem[];
  summary: ImportSummary;
}

export interface CommitInput extends ImportInput {
  /** Called with (0, total) before writing and after each batch (again from 0 if the transaction is retried). */
  onProgress?: (done: number, total: number) => void;
  /** User recorded in the history of members the import creates, and as the events' actor. */
  actorId?: Types.ObjectId | string | null;
  batchSize?: number;
  /** Names the import in its audit events (`details.importId`); a new id when absent. */
  importId?: Types.ObjectId | string;
  /**
   * Runs inside the import's transaction once the outcome is known (after the writes, or
   * when the re-check found problems): what it writes commits with the import or not at
   * all. The job store records the job's final state here.
   */
  beforeCommit?: (report: CommitReport) => Promise<void>;
  /** Milliseconds the commit may take before it gives up (COMMIT_BUDGET_MS; tests shorten it). */
  budgetMs?: number;
}

export interface CommitReport extends ImportReport {
  /** Rows written (members created + updated, or terms added + changed); 0 unless it all committed. */
  written: number;
  importId: Types.ObjectId;
  /** The first members written, in file order. */
  memberIds: Types.ObjectId[];
  /** Existing members whose update broke a recorded step (the re-check added a conflict), in file order. */
  brokeIds: Types.ObjectId[];
}

/**
 * Writes go through the driver, not mongoose's bulkWrite: the values are already
 * typed by validation, and skipping per-operation casting is a third of the write
 * time on the embedded server. The price is setting by hand what mongoose would
 * add: timestamps and the schema defaults of a new document (NEW_MEMBER_DEFAULTS).
 */
type WriteOp = mongoose.mongo.AnyBulkWriteOperation<mongoose.mongo.Document>;

/** One member's write and what its `member.import` event records. */
interface PlannedWrite {
  op: WriteOp;
  memberId: Types.ObjectId;
  /** The member's `__v` after this write: 0 for a new member. */
  version: number;
  /** An update, whose filter holds the version it was planned on. */
  update: boolean;
  /** `row` (members) or `rows` (results), and what changed. */
  details: Record<string, unknown>;
}

interface Plan extends ImportReport {
  /** The rows as they will be written, and the file's column mapping (from `plan`). */
  preview?: ImportPreview;
  writes: PlannedWrite[];
  /** The first PREVIEW_ROWS rows and what each does. */
  previewRows: PreviewRow[];
}

const EMPTY_SUMMARY = (rows = 0): ImportSummary => ({ rows, toCreate: 0, toUpdate: 0, unchanged: 0 });

interface SchoolInfo {
  _id: Types.ObjectId;
  ancestors: Types.ObjectId[];
  schoolKind: SchoolKind;
}

async function loadSchool(schoolId: Types.ObjectId | string): Promise<SchoolInfo | null> {
  if (!Types.ObjectId.isValid(schoolId)) return null;
  const school = await Unit.findOne({ _id: new Types.ObjectId(String(schoolId)), kind: 'school' })
    .select({ ancestors: 1, schoolKind: 1 })
    .lean();
  if (!school?.schoolKind) return null;
  return { _id: school._id, ancestors: school.ancestors ?? [], schoolKind: school.schoolKind };
}

/**
 * Existing members of the school with the given codes. Small files look codes
 * up a batch at a time; large ones read the school's members once, which is
 * cheaper than thousands of `$in` probes (and the embedded server only indexes
 * the leading field of the compound (schoolId, studentCode) index).
 */
async function existingMembers<T>(
  schoolId: Types.ObjectId,
  codes: string[],
  projection: Record<string, 1>,
): Promise<Map<string, T>> {
  const found = new Map<string, T>();
  const unique = [...new Set(codes)];
  const select = { studentCode: 1, ...projection };
  if (unique.length > SMALL_IMPORT) {
    const wanted = new Set(unique);
    for await (const doc of Member.find({ schoolId }).select(select).lean().cursor({ batchSize: 1000 })) {
      if (wanted.has(doc.studentCode)) found.set(doc.studentCode, doc as T);
    }
    return found;
  }
  for (let i = 0; i < unique.length; i += LOOKUP_BATCH) {
    const batch = unique.slice(i, i + LOOKUP_BATCH);
    // trusted: sanitizeFilter is on for the connection and would neutralise $in.
    const docs = await Member.find({ schoolId, studentCode: mongoose.trusted({ $in: batch }) })
      .select(select)
      .lean();
    for (const doc of docs) found.set(doc.studentCode, doc as T);
  }
  return found;
}

async function plan(input: ImportInput, actorId?: Types.ObjectId | null): Promise<Plan> {
  const parsed = await parseImportFile(input.buffer, input.filename, input.kind);
  if (!parsed.ok)
    return { ok: false, problems: parsed.problems, summary: EMPTY_SUMMARY(), writes: [], previewRows: [] };
  const planned = await planRows(input, parsed.rows, actorId ?? null);
  const preview: ImportPreview = {
    mapping: parsed.mapping,
    columns: previewColumns(input.kind, parsed.mapping),
    rows: planned.previewRows,
    total: parsed.rows.length,
  };
  return { ...planned, preview };
}

/** The database half of the plan: everything it decides on is read here. */
async function planRows(
  input: ImportInput,
  rows: ImportRow[],
  actorId: Types.ObjectId | null,
): Promise<Plan> {
  const school = await loadSchool(input.schoolId);
  if (!school)
    return {
      ok: false,
      problems: [{ code: 'school_not_found' }],
      summary: EMPTY_SUMMARY(rows.length),
      writes: [],
      previewRows: [],
    };
  return input.kind === 'members' ? planMembers(rows, school, actorId) : planResults(rows, school);
}

// --- members

interface ExistingMember {
  _id: Types.ObjectId;
  studentCode: string;
  fullName: string;
  searchKey?: string;
  nameSortKey?: string;
  dateOfBirth?: Date;
  gender?: string;
  email?: string;
  phone?: string;
  branchId?: Types.ObjectId;
  ancestors?: Types.ObjectId[];
  schoolKind?: string;
  union?: { joinedAt?: Date; cardNumber?: string };
  expectedGraduation?: string;
  ethnicity?: string;
  religion?: string;
  citizenId?: string;
  schoolYear?: string;
  cohort?: number;
  __v?: number;
}

interface BranchInfo {
  _id: Types.ObjectId;
  ancestors: Types.ObjectId[];
}

/** Branch lookup by code (exact, case-insensitive) or by name/short name (diacritic-insensitive). */
async function branchResolver(school: SchoolInfo) {
  const branches = await Unit.find({ kind: 'branch', schoolId: school._id, active: true })
    .select({ name: 1, shortName: 1, code: 1, ancestors: 1 })
    .lean();
  const byCode = new Map<string, BranchInfo>();
  const byName = new Map<string, BranchInfo[]>();
  for (const b of branches) {
    const info = { _id: b._id, ancestors: b.ancestors ?? [] };
    byCode.set(b.code.toUpperCase(), info);
    const names = new Set([
      searchKey(b.name),
      searchKey(b.shortName ?? ''),
      searchKey(b.name.replace(/^chi\s+đoàn\s+/i, '')),
    ]);
    for (const name of names) if (name) byName.set(name, [...(byName.get(name) ?? []), info]);
  }
  return (text: string): BranchInfo | 'not_found' | 'ambiguous' => {
    const code = byCode.get(text.trim().toUpperCase());
    if (code) return code;
    const matches =
      byName.get(searchKey(text)) ?? byName.get(searchKey(text.replace(/^chi\s+đoàn\s+/i, ''))) ?? [];
    const unique = [...new Map(matches.map((m) => [String(m._id), m])).values()];
    if (unique.length === 1) return unique[0];
    return unique.length ? 'ambiguous' : 'not_found';
  };
}

/** `{ 'union.joinedAt': d }` → `{ union: { joinedAt: d } }`, for documents inserted whole. */
function unflatten(set: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [path, value] of Object.entries(set)) {
    const [head, tail] = path.split('.', 2);
    if (tail === undefined) out[head] = value;
    else out[head] = { ...(out[head] as Record<string, unknown> | undefined), [tail]: value };
  }
  return out;
}

/** What mongoose's defaults put in a new member (models/member.ts); kept in step by the integration test. */
const NEW_MEMBER_DEFAULTS = () => ({
  partyCellId: null,
  unionRatings: [],
  academicTerms: [],
  latestGpa10: null,
  awards: [],
  activities: [],
  __v: 0,
});

const header = (columns: readonly ColumnDef[], key: string) => columns.find((c) => c.key === key)!.header;

async function planMembers(
  rows: ImportRow[],
  school: SchoolInfo,
  actorId: Types.ObjectId | null,
): Promise<Plan> {
  const { records, problems } = validateMemberRows(rows);
  const recordByRow = new Map(records.map((r) => [r.row, r]));
  const resolveBranch = await branchResolver(school);
  const existing = await existingMembers<ExistingMember>(
    school._id,
    rows.map((r) => cellText(r.values.studentCode)).filter(Boolean),
    {
      fullName: 1,
      searchKey: 1,
      nameSortKey: 1,
      dateOfBirth: 1,
      gender: 1,
      email: 1,
      phone: 1,
      branchId: 1,
      ancestors: 1,
      schoolKind: 1,
      union: 1,
      expectedGraduation: 1,
      ethnicity: 1,
      religion: 1,
      citizenId: 1,
      schoolYear: 1,
      cohort: 1,
      __v: 1,
    },
  );
  const summary = EMPTY_SUMMARY(rows.length);
  const writes: PlannedWrite[] = [];
  const previewRows: PreviewRow[] = [];
  const preview = (row: PreviewRow) => {
    if (previewRows.length < PREVIEW_ROWS) previewRows.push(row);
  };
  const now = new Date();
  // A new member the file gives no school year or course gets this year's, and its branch's course.
  const currentYear = schoolYearOf(now);
  const newBranches = new Map<string, Types.ObjectId>();
  for (const { values } of rows) {
    const code = cellText(values.studentCode);
    const found = code && !existing.has(code) ? resolveBranch(cellText(values.branch)) : null;
    if (found && typeof found === 'object') newBranches.set(String(found._id), found._id);
  }
  const cohorts = await branchCohorts([...newBranches.values()]);

  // Database checks run on every row, not only rows that passed the schema, so a row
  // with a bad date and an unknown branch shows both problems at once.
  for (const { row, values } of rows) {
    const code = cellText(values.studentCode);
    const old = code ? existing.get(code) : undefined;
    const rowProblems: ImportProblem[] = [];
    const branchText = cellText(values.branch);
    let branch: BranchInfo | undefined;
    if (branchText) {
      const found = resolveBranch(branchText);
      if (found === 'not_found' || found === 'ambiguous') {
        rowProblems.push({
          row,
          column: header(MEMBER_COLUMNS, 'branch'),
          code: `branch_${found}`,
          value: branchText,
        });
      } else {
        branch = found;
      }
    }
    if (code && !old) {
      for (const key of ['dateOfBirth', 'gender', 'branch'] as const) {
        if (!cellText(values[key]))
          rowProblems.push({ row, column: header(MEMBER_COLUMNS, key), code: 'required_for_new' });
      }
    }
    problems.push(...rowProblems);
    const record = recordByRow.get(row);
    if (!record || rowProblems.length) {
      preview({ row, action: 'error', values: rawPreviewValues('members', values) });
      continue;
    }
    const set = memberSet(record, school, branch);
    if (!old) {
      set.schoolYear ??= currentYear;
      set.cohort ??= defaultCohort(branch ? (cohorts.get(String(branch._id)) ?? []) : [], currentYear);
    }
    const fields = old ? changedFields(old, set) : [];
    const shown = memberPreviewValues(record, branchText || undefined, {
      schoolYear: (set.schoolYear as string | undefined) ?? old?.schoolYear,
      cohort: (set.cohort as number | undefined) ?? old?.cohort,
    });
    if (old && fields.length === 0) {
      summary.unchanged++;
      preview({ row, action: 'unchanged', values: shown });
      continue;
    }
    preview(
      old
        ? { row, action: 'changed', changed: changedColumns('members', fields), values: shown }
        : { row, action: 'new', values: shown },
    );
    if (old) {
      summary.toUpdate++;
      const version = old.__v ?? 0;
      writes.push({
        op: {
          updateOne: {
            // By _id (a primary-key lookup); school and code stay in the filter as a guard, and
            // the version read by the re-check: a record changed since is not overwritten.
            filter: { _id: old._id, schoolId: school._id, studentCode: record.studentCode, __v: version },
            update: { $set: { ...set, updatedAt: now }, $inc: { __v: 1 } },
          },
        },
        memberId: old._id,
        version: version + 1,
        update: true,
        details: { row, fields: fields.filter((f) => !DERIVED_FIELDS.has(f)) },
      });
    } else {
      summary.toCreate++;
      // An insert, not an upsert: the re-check just showed the code is new, and on the
      // embedded server an upsert costs ten times an insert. If another writer adds the
      // same code meanwhile, the transaction conflicts and is run again (the row is then
      // an update), or the unique (schoolId, studentCode) index refuses it: nothing lands.
      const _id = new Types.ObjectId();
      writes.push({
        op: {
          insertOne: {
            document: {
              ...NEW_MEMBER_DEFAULTS(),
              ...unflatten(set),
              _id,
              schoolId: school._id,
              studentCode: record.studentCode,
              pipeline: {
                stage: 'member',
                stageSince: now,
                history: [{ stage: 'member', at: now, by: actorId, note: 'Nhập hồ sơ đoàn viên' }],
              },
              createdAt: now,
              updatedAt: now,
            },
          },
        },
        memberId: _id,
        version: 0,
        update: false,
        details: { row },
      });
    }
  }
  sortProblems(problems, 'members');
  return { ok: problems.length === 0, problems, summary, writes, previewRows };
}

/** Fields a member row sets; empty cells are left out so they never erase stored data. */
function memberSet(
  record: MemberRecord,
  school: SchoolInfo,
  branch: BranchInfo | undefined,
): Record<string, unknown> {
  const set: Record<string, unknown> = {
    fullName: record.fullName,
    // Bulk writes skip the model's validate hook, so the derived keys are set here.
    searchKey: memberSearchKey(record.fullName, record.studentCode),
    nameSortKey: nameSortKey(record.fullName),
    schoolKind: school.schoolKind,
  };
  const optional = {
    dateOfBirth: record.dateOfBirth,
    gender: record.gender,
    email: record.email,
    phone: record.phone,
    'union.joinedAt': record.unionJoinedAt,
    'union.cardNumber': record.unionCardNumber,
    expectedGraduation: record.expectedGraduation,
    ethnicity: record.ethnicity,
    religion: record.religion,
    citizenId: record.citizenId,
    schoolYear: record.schoolYear,
    cohort: record.cohort,
  };
  for (const [key, value] of Object.entries(optional)) if (value !== undefined) set[key] = value;
  if (branch) {
    set.branchId = branch._id;
    set.ancestors = [...branch.ancestors, branch._id];
  }
  return set;
}

/** Keys the server derives from others: an event names what the file changed, not these. */
const DERIVED_FIELDS = new Set(['searchKey', 'nameSortKey', 'schoolKind', 'ancestors']);

/** The keys of `set` whose value differs from the stored member's (none: the row changes nothing). */
function changedFields(old: ExistingMember, set: Record<string, unknown>): string[] {
  const stored = {
    ...(old as unknown as Record<string, unknown>),
    'union.joinedAt': old.union?.joinedAt,
    'union.cardNumber': old.union?.cardNumber,
  };
  return changedKeys(stored, set);
}

// --- academic results

interface ExistingTerm {
  year: string;
  term: number;
  scale: number;
  gpa?: number;
  conductScore?: number;
  conductRating?: string;
  studyRating?: string;
}

interface MemberWithTerms {
  _id: Types.ObjectId;
  studentCode: string;
  academicTerms?: ExistingTerm[];
  __v?: number;
}

const RESULT_FIELDS = ['scale', 'gpa', 'conductScore', 'conductRating', 'studyRating'] as const;

/** A member some rows of the file change: its terms as they will be stored. */
interface TouchedMember {
  member: MemberWithTerms;
  rows: number[];
  terms: string[];
}

async function planResults(rows: ImportRow[], school: SchoolInfo): Promise<Plan> {
  const { records, problems } = validateResultRows(rows);
  const recordByRow = new Map(records.map((r) => [r.row, r]));
  const members = await existingMembers<MemberWithTerms>(
    school._id,
    rows.map((r) => cellText(r.values.studentCode)).filter(Boolean),
    { academicTerms: 1, __v: 1 },
  );
  const summary = EMPTY_SUMMARY(rows.length);
  // One write per member, however many of its terms the file holds: one version, one event.
  const touched = new Map<string, TouchedMember>();
  const thpt = school.schoolKind === 'high_school';
  // Universities report a conduct score, THPT schools the Thông tư 22 ratings: the other kind's column is a mix-up.
  const foreign = thpt ? (['conductScore'] as const) : (['conductRating', 'studyRating'] as const);
  const now = new Date();
  const previewRows: PreviewRow[] = [];
  const preview = (row: number, action: RowAction, changed?: string[]) => {
    if (previewRows.length >= PREVIEW_ROWS) return;
    const values = rawPreviewValues('results', rows.find((r) => r.row === row)?.values ?? {});
    previewRows.push({ row, action, ...(changed ? { changed } : {}), values });
  };

  for (const { row, values } of rows) {
    const rowProblems: ImportProblem[] = [];
    const code = cellText(values.studentCode);
    const member = code ? members.get(code) : undefined;
    if (code && !member) {
      rowProblems.push({
        row,
        column: header(RESULT_COLUMNS, 'studentCode'),
        code: 'member_not_found',
        value: code,
      });
    }
    for (const key of foreign) {
      const text = cellText(values[key]);
      if (text) {
        rowProblems.push({
          row,
          column: header(RESULT_COLUMNS, key),
          code: 'not_for_school_kind',
          value: text,
          params: { schoolKind: school.schoolKind },
        });
      }
    }
    problems.push(...rowProblems);
    const record = recordByRow.get(row);
    if (!record || !member || rowProblems.length) {
      preview(row, 'error');
      continue;
    }
    const terms = (member.academicTerms ??= []);
    const index = terms.findIndex((t) => t.year === record.schoolYear && t.term === record.term);
    const old = index >= 0 ? terms[index] : undefined;
    const termValues: Partial<ExistingTerm> = {};
    for (const key of RESULT_FIELDS)
      if (record[key] !== undefined) (termValues as Record<string, unknown>)[key] = record[key];
    if (old) {
      const differ = RESULT_FIELDS.filter(
        (key) => termValues[key] !== undefined && termValues[key] !== old[key],
      );
      if (!differ.length) {
        summary.unchanged++;
        preview(row, 'unchanged');
        continue;
      }
      summary.toUpdate++;
      preview(row, 'changed', changedColumns('results', differ));
      // Later rows of the same member see this term as it will be stored.
      terms[index] = { ...old, ...termValues };
    } else {
      summary.toCreate++;
      preview(row, 'new');
      // Without a GPA the scale carries no information; use the school kind's usual one.
      terms.push({ year: record.schoolYear, term: record.term, scale: thpt ? 10 : 4, ...termValues });
    }
    const key = String(member._id);
    let entry = touched.get(key);
    if (!entry) touched.set(key, (entry = { member, rows: [], terms: [] }));
    entry.rows.push(row);
    entry.terms.push(`${record.schoolYear}/${record.term}`);
  }
  const writes: PlannedWrite[] = [];
  for (const { member, rows: memberRows, terms } of touched.values()) {
    const version = member.__v ?? 0;
    writes.push({
      op: {
        updateOne: {
          // The version read by the re-check: the whole list of terms is written back, so a
          // record changed since (a term added in a form) must not be overwritten.
          filter: { _id: member._id, schoolId: school._id, __v: version },
          update: {
            $set: {
              academicTerms: member.academicTerms,
              latestGpa10: latestGpa10(member.academicTerms),
              updatedAt: now,
            },
            $inc: { __v: 1 },
          },
        },
      },
      memberId: member._id,
      version: version + 1,
      update: true,
      details: { rows: memberRows, terms },
    });
  }
  sortProblems(problems, 'results');
  return { ok: problems.length === 0, problems, summary, writes, previewRows };
}

/**
 * Validates the file against the database and reports what an import would do.
 * Writes nothing.
 */
export async function dryRun(input: ImportInput): Promise<ImportReport> {
  const { ok, problems, summary } = await plan(input);
  return { ok, problems, summary };
}

/** The dry run with what the page previews: the rows as they will be written, and the column mapping. */
export async function dryRunPreview(input: ImportInput): Promise<ImportReport & { preview?: ImportPreview }> {
  const { ok, problems, summary, preview } = await plan(input);
  return { ok, problems, summary, preview };
}

/** An update matched nothing: the member changed, or went, after the re-check read it. */
export class ImportConflictError extends Error {
  constructor() {
    super('a member of the import changed while it was being written');
    this.name = 'ImportConflictError';
  }
}

/** The commit ran past its budget and gave up (before the server's transaction lifetime). */
export class ImportTooSlowError extends Error {
  constructor(readonly budgetMs: number) {
    super(`the import did not finish within ${budgetMs} ms`);
    this.name = 'ImportTooSlowError';
  }
}

/** The problem a failed commit reports: nothing of it was written, whatever the cause. */
function commitProblem(error: unknown, budgetMs: number): ImportProblem {
  if (error instanceof ImportTooSlowError)
    return { code: 'write_too_slow', params: { seconds: Math.round(budgetMs / 1000) } };
  const code = (error as { code?: unknown } | null)?.code;
  if (error instanceof ImportConflictError || code === 11000 || code === 112)
    return { code: 'write_conflict' };
  return { code: 'write_failed' };
}

/**
 * Re-validates against the database and, only when the file has no problem at all,
 * writes it in ONE transaction (decision 020): the members in batches (inserts for new
 * ones, versioned updates by _id for known ones), each batch followed by its members'
 * `member.import` events (version 0 for a created member, its new `__v` for an updated
 * one), then one `MemberImport` event for the whole file, then `beforeCommit`. Either
 * all of it commits or none of it: a failure, a crash or a budget overrun leaves the
 * database as it was, and the report says so (`written: 0`). The file is parsed once,
 * outside the transaction; everything read from the database is read inside it, so a
 * transaction the driver runs again after a conflict decides on the new state.
 */
export async function commitImport(input: CommitInput): Promise<CommitReport> {
  const actorId =
    input.actorId && Types.ObjectId.isValid(input.actorId) ? new Types.ObjectId(String(input.actorId)) : null;
  const importId =
    input.importId && Types.ObjectId.isValid(input.importId)
      ? new Types.ObjectId(String(input.importId))
      : new Types.ObjectId();
  const empty = { written: 0, importId, memberIds: [], brokeIds: [] };
  const parsed = await parseImportFile(input.buffer, input.filename, input.kind);
  if (!parsed.ok) return { ok: false, problems: parsed.problems, summary: EMPTY_SUMMARY(), ...empty };
  const batchSize = Math.max(1, input.batchSize ?? WRITE_BATCH);
  const budgetMs = input.budgetMs ?? COMMIT_BUDGET_MS;
  // Counted over every attempt: the driver may run the work again after a conflict.
  const started = Date.now();
  const inBudget = () => {
    if (Date.now() - started > budgetMs) throw new ImportTooSlowError(budgetMs);
  };
  let summary = EMPTY_SUMMARY(parsed.rows.length);
  try {
    return await inTransaction(async () => {
      const planned = await planRows(input, parsed.rows, actorId);
      summary = planned.summary;
      if (!planned.ok) {
        const refused: CommitReport = { ok: false, problems: planned.problems, summary, ...empty };
        await input.beforeCommit?.(refused);
        return refused;
      }
      const { writes } = planned;
      // planRows found the school, so the id is valid.
      const unitId = new Types.ObjectId(String(input.schoolId));
      const base = { kind: input.kind, filename: input.filename, importId };
      input.onProgress?.(0, writes.length);
      // Per attempt: the driver may run this work again after a conflict.
      const brokeIds: Types.ObjectId[] = [];
      for (let i = 0; i < writes.length; i += batchSize) {
        inBudget();
        const batch = writes.slice(i, i + batchSize);
        const result = await Member.collection.bulkWrite(
          batch.map((w) => w.op),
          { session: currentSession(), ordered: true },
        );
        // Each update names the version it was planned on: all of them must have matched.
        if (result.matchedCount !== batch.filter((w) => w.update).length) throw new ImportConflictError();
        await appendAuditMany(
          batch.map((w): AuditInput => ({
            actorId,
            action: 'member.import',
            entity: 'Member',
            entityId: w.memberId,
            unitId,
            details: { version: w.version, ...base, ...w.details },
          })),
        );
        // A new date of birth may break a recorded step (the chi bộ vote's age): re-checked
        // here, and the report names the members it broke.
        for (const w of batch) {
          const fields = (w.details as { fields?: unknown }).fields;
          if (w.update && Array.isArray(fields) && fields.includes('dateOfBirth')) {
            if ((await refreshConflicts(w.memberId, actorId)).length) brokeIds.push(w.memberId);
          }
        }
        input.onProgress?.(i + batch.length, writes.length);
      }
      const written = summary.toCreate + summary.toUpdate;
      if (writes.length) {
        // The file as a whole, for the school's log: who imported what, and how much.
        await appendAuditMany([
          {
            actorId,
            action: 'member.import',
            entity: 'MemberImport',
            entityId: importId,
            unitId,
            details: {
              kind: input.kind,
              filename: input.filename,
              ...summary,
              written,
              members: writes.length,
            },
          },
        ]);
      }
      inBudget();
      const report: CommitReport = {
        ok: true,
        problems: [],
        summary,
        written,
        importId,
        memberIds: writes.slice(0, MEMBER_IDS_KEPT).map((w) => w.memberId),
        brokeIds,
      };
      await input.beforeCommit?.(report);
      return report;
    });
  } catch (error) {
    // The transaction was aborted: nothing of the import is in the database.
    const problem = commitProblem(error, budgetMs);
    if (problem.code === 'write_failed') console.error('[import] commit failed, nothing written:', error);
    return { ok: false, problems: [problem], summary, ...empty };
  }
}

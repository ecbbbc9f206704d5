/**
 * What the import page shows before anything is written: each row as it will be stored
 * and what it will do (new, changed and which columns, unchanged, error), and the
 * school year and course a new member gets when the file leaves them out.
 * Pure: app/utils/members/member-import-{members,results}.server.ts feed it what it read from the database.
 */
import { cellText, formatDmy } from './member-import/cells.ts';
import { MEMBER_COLUMNS, columnsOf } from './member-import/columns.ts';
import type { ColumnMapping } from './member-import/headers.ts';
import type { MemberRecord } from './member-import/schemas.ts';
import type { CellValue, ImportKind } from './member-import/types.ts';

/** Rows the preview lists; the page says how many the file has in all. */
export const PREVIEW_ROWS = 50;

export type RowAction = 'new' | 'changed' | 'unchanged' | 'error';

export interface PreviewRow {
  row: number;
  action: RowAction;
  /** Template headers of the columns a `changed` row changes. */
  changed?: string[];
  /** Template header → the value as it will be written (as typed, for a row with errors). */
  values: Record<string, string>;
}

export interface ImportPreview {
  mapping: ColumnMapping[];
  /** Template headers shown as the table's columns, in template order. */
  columns: string[];
  rows: PreviewRow[];
  /** Data rows in the file (rows holds the first PREVIEW_ROWS). */
  total: number;
}

const GENDER_LABEL: Record<string, string> = { male: 'Nam', female: 'Nữ', other: 'Khác' };

/** Columns of the preview table: those the file has, never a sensitive one; school year and course for members. */
export function previewColumns(kind: ImportKind, mapping: readonly ColumnMapping[]): string[] {
  const mapped = new Set(mapping.map((m) => m.field));
  return columnsOf(kind)
    .filter(
      (c) =>
        !c.sensitive &&
        (mapped.has(c.header) || (kind === 'members' && (c.key === 'schoolYear' || c.key === 'cohort'))),
    )
    .map((c) => c.header);
}

/** A row with problems: the cells as typed, sensitive columns left out. */
export function rawPreviewValues(
  kind: ImportKind,
  values: Record<string, CellValue>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of columnsOf(kind)) {
    const text = cellText(values[c.key] ?? null);
    if (text && !c.sensitive) out[c.header] = text;
  }
  return out;
}

const header = (key: string) => MEMBER_COLUMNS.find((c) => c.key === key)!.header;

/** A valid member row as it will be written; school year and course as they will be stored. */
export function memberPreviewValues(
  record: MemberRecord,
  branch: string | undefined,
  stored: { schoolYear?: string; cohort?: number | null },
): Record<string, string> {
  const month = record.expectedGraduation?.split('-');
  const shown: Record<string, string | undefined> = {
    studentCode: record.studentCode,
    fullName: record.fullName,
    dateOfBirth: record.dateOfBirth && formatDmy(record.dateOfBirth),
    gender: record.gender && GENDER_LABEL[record.gender],
    email: record.email,
    phone: record.phone,
    branch,
    unionJoinedAt: record.unionJoinedAt && formatDmy(record.unionJoinedAt),
    unionCardNumber: record.unionCardNumber,
    expectedGraduation: month ? `${month[1]}/${month[0]}` : undefined,
    schoolYear: record.schoolYear ?? stored.schoolYear,
    cohort: String(record.cohort ?? stored.cohort ?? '') || undefined,
  };
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(shown)) if (value) out[header(key)] = value;
  return out;
}

/** Stored field path → the import column that sets it (derived keys map to none). */
const COLUMN_OF_PATH: Record<string, string> = {
  'union.joinedAt': 'unionJoinedAt',
  'union.cardNumber': 'unionCardNumber',
  branchId: 'branch',
};

/** Template headers of the stored fields a row changes, each once. */
export function changedColumns(kind: ImportKind, paths: readonly string[]): string[] {
  const keys = new Set(paths.map((p) => COLUMN_OF_PATH[p] ?? p));
  return columnsOf(kind)
    .filter((c) => keys.has(c.key))
    .map((c) => c.header);
}

const comparable = (v: unknown): string | number | null =>
  v === undefined || v === null || v === ''
    ? null
    : v instanceof Date
      ? v.getTime()
      : Array.isArray(v)
        ? v.map(String).join(',')
        : typeof v === 'number'
          ? v
          : String(v);

/**
 * The keys of `set` whose value differs from what is stored (none: the row changes
 * nothing and is neither written nor counted as imported). Dates compare by instant,
 * ids and id lists by their text, so a record read back from the database equals the
 * values that wrote it.
 */
export function changedKeys(stored: Record<string, unknown>, set: Record<string, unknown>): string[] {
  return Object.keys(set).filter((key) => comparable(stored[key]) !== comparable(set[key]));
}

/**
 * The course (entry year) a new member gets when nothing gives it: as in the seed, a
 * branch is one course, so the course most of its members have (the earliest on a tie);
 * a branch with none yet, a course starting this school year.
 */
export function defaultCohort(branchCohorts: readonly number[], schoolYear: string): number {
  const counts = new Map<number, number>();
  for (const c of branchCohorts) counts.set(c, (counts.get(c) ?? 0) + 1);
  let best: number | null = null;
  for (const [cohort, n] of counts) {
    const bestN = best === null ? 0 : counts.get(best)!;
    if (n > bestN || (n === bestN && cohort < best!)) best = cohort;
  }
  return best ?? Number(schoolYear.slice(0, 4));
}

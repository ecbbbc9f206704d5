/**
 * The vocabulary of member import (issue "Member records", items 5-6): the two kinds of
 * file, the limits, the problem codes and the shapes every other part passes around.
 *
 * Problems are structured codes, never sentences, so the route can render them
 * in either language from `../import-messages.ts`. Row numbers are the ones the
 * user sees in Excel (header = row 1); columns are named by their template header.
 * The parts: columns.ts, cells.ts, csv.ts, headers.ts, sheet.ts, schemas.ts, validate.ts;
 * `app/utils/members/member-import-*.server.ts` reads files and the database.
 */
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

export interface ImportRow {
  row: number;
  /** Field key → raw cell. */
  values: Record<string, CellValue>;
}

/**
 * Validation of all the rows of a file: every problem of every row at once, duplicates
 * within the file, and the rules across fields (joined after birth, GPA within its scale).
 */
import type { z } from 'zod';
import { isValidGpa } from '../academic.ts';
import { cellText, formatDmy } from './cells.ts';
import { columnsOf } from './columns.ts';
import { MemberRowSchema, ResultRowSchema, type MemberRecord, type ResultRecord } from './schemas.ts';
import {
  ROW_PROBLEM_CODES,
  type CellValue,
  type ImportKind,
  type ImportProblem,
  type ImportRow,
  type RowProblemCode,
} from './types.ts';

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

/**
 * Header matching: which template column each header cell of the file feeds, whatever
 * its case, diacritics or alias; duplicated and missing required headers are problems.
 */
import { searchKey } from '../text.ts';
import { cellText } from './cells.ts';
import { columnsOf, type ColumnDef } from './columns.ts';
import type { CellValue, ImportKind, ImportProblem } from './types.ts';

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

/** One column of the file's header: the template column it became, or null when ignored. */
export interface ColumnMapping {
  /** The header as written in the file. */
  column: string;
  /** The template header it matched (e.g. "Mã sinh viên/học sinh" for "MSSV"); null: not imported. */
  field: string | null;
}

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

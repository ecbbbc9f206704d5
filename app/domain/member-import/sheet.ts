/**
 * A read sheet (xlsx or CSV) → data rows keyed by field: finds the header row below
 * any title block, drops blank rows and applies the file-level limits.
 */
import { cellText } from './cells.ts';
import { columnMapping, matchHeaders, type ColumnMapping, type HeaderMatch } from './headers.ts';
import {
  HEADER_SEARCH_ROWS,
  MAX_DATA_ROWS,
  type CellValue,
  type ImportKind,
  type ImportProblem,
  type ImportRow,
  type SheetRow,
} from './types.ts';

export type RowsResult =
  | { ok: true; rows: ImportRow[]; headerRow: number; mapping: ColumnMapping[] }
  | { ok: false; problems: ImportProblem[] };

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

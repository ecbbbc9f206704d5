/**
 * CSV as Excel writes it (RFC 4180: quoted fields, doubled quotes, CRLF/LF/CR, newlines
 * inside quotes), with the delimiter guessed from the first line.
 */
import type { ImportProblem, SheetRow } from './types.ts';

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

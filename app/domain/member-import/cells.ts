/**
 * One spreadsheet cell read the way the user reads it: its text, a date (Excel date
 * cells, serial numbers, dd/mm/yyyy, ISO) and a number with a decimal comma.
 */
import { DAY_MS } from '../calendar.ts';
import type { CellValue } from './types.ts';

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

/**
 * How the rules write the pieces of a document: the date line, numbers and symbols,
 * names, blanks. Pure and small, so the unit tests pin each convention once.
 */
import { dayNumber, formatDay, fromDayNumber, type DateLike } from '../calendar.ts';
import type { Paragraph, Run } from './types.ts';

/** A dotted blank for a hand-written entry (the guidance's forms print "……"). */
export const BLANK = '……………………';
export const SHORT_BLANK = '……';

const two = (n: number) => String(n).padStart(2, '0');

/** True when the value is a real day. */
export const isDay = (value: DateLike | null | undefined): value is DateLike =>
  !Number.isNaN(dayNumber(value));

/**
 * "ngày 05 tháng 12 năm 2026": Party documents write day and month on two digits
 * (HD 36-HD/VPTW: "ngày 05 tháng 02 năm 2018"); a missing day prints dotted blanks.
 */
export function vietnameseDate(value: DateLike | null | undefined): string {
  if (!isDay(value)) return `ngày ${SHORT_BLANK} tháng ${SHORT_BLANK} năm ${SHORT_BLANK}`;
  const c = fromDayNumber(dayNumber(value));
  return `ngày ${two(c.d)} tháng ${two(c.m)} năm ${c.y}`;
}

/** The place and date line under the motto: "Quảng Ngãi, ngày 05 tháng 12 năm 2026". */
export function placeDateLine(place: string, value: DateLike | null | undefined): string {
  const where = nfc(place) || BLANK;
  return `${where}, ${vietnameseDate(value)}`;
}

/** dd/mm/yyyy inside body text (dates of birth, earlier documents); blanks when absent. */
export function shortDate(value: DateLike | null | undefined): string {
  return isDay(value) ? formatDay(dayNumber(value)) : `${SHORT_BLANK}/${SHORT_BLANK}/${SHORT_BLANK}`;
}

/** NFC with inner whitespace collapsed: how every recorded string enters a document. */
export function nfc(value: string | null | undefined): string {
  return (value ?? '').normalize('NFC').replace(/\s+/g, ' ').trim();
}

/**
 * A person's name as documents print it: family name first, as recorded (never
 * reordered, never capitalised differently), NFC; a missing name is a blank.
 */
export const personName = (value: string | null | undefined) => nfc(value) || BLANK;

/**
 * "Số 12-NQ/ĐU" from what the step recorded. A bare number gets the document kind and the
 * body's symbol; a full number and symbol ("12-NQ/ĐU", "Số 12-NQ/ĐU") is printed as recorded
 * (the record is the authority); no number leaves the blank a clerk fills by hand.
 */
export function documentNumber(recorded: string | null | undefined, kind: string, symbol: string): string {
  const n = nfc(recorded).replace(/^số\s*:?\s*/i, '');
  if (!n) return `Số ${SHORT_BLANK}-${kind}/${symbol}`;
  if (/^\d+[a-zA-Z]?$/.test(n)) return `Số ${n}-${kind}/${symbol}`;
  return `Số ${n}`;
}

/** The number as body text cites it ("Nghị quyết số 12-NQ/ĐU"): without the leading "Số". */
export const citedNumber = (recorded: string | null | undefined, kind: string, symbol: string) =>
  documentNumber(recorded, kind, symbol).replace(/^Số /, '');

export const run = (text: string, style: Omit<Run, 'text'> = {}): Run => ({ text, ...style });

/** A justified body paragraph with a first-line indent, from plain text or runs. */
export function para(content: string | Run[], options: Omit<Paragraph, 'runs'> = {}): Paragraph {
  const runs = typeof content === 'string' ? [run(content)] : content;
  return { runs, align: 'justify', indent: true, ...options };
}

export const centered = (content: string | Run[], style: Omit<Run, 'text'> = {}): Paragraph => ({
  runs: typeof content === 'string' ? [run(content, style)] : content,
  align: 'center',
});

/** A label followed by a value or a dotted blank: "Họ và tên: Nguyễn Văn A". */
export function field(label: string, value: string | null | undefined): Paragraph {
  return para([run(`${label}: `), run(nfc(value) || BLANK)], { indent: false, align: 'left' });
}

/** Lines left for hand-written text. */
export function blankLines(count: number): Paragraph[] {
  return Array.from({ length: count }, () => ({ runs: [], align: 'left' as const, leader: true }));
}

/** "12/18 (66,7 %)": the share of the official members, one decimal, Vietnamese comma. */
export function share(part: number, whole: number): string {
  if (!whole) return '';
  const pct = Math.round((part * 1000) / whole) / 10;
  return `${String(pct).replace('.', ',')}%`;
}

/**
 * Every string of a built document in NFC: recorded text and settings may arrive
 * decomposed (pasted from another program), and a PDF text layer or a search must see one
 * spelling. Applied once by the public builders, so no form can forget it.
 */
export function nfcDeep<T>(value: T): T {
  if (typeof value === 'string') return value.normalize('NFC') as T;
  if (Array.isArray(value)) return value.map(nfcDeep) as T;
  if (value && typeof value === 'object' && !(value instanceof Date))
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, nfcDeep(v)])) as T;
  return value;
}

/**
 * What every part of the demo data shares: its fixed "today", the demo student, date
 * arithmetic in UTC days, and ids derived from stable keys (see generate.ts).
 */
import { ObjectId } from 'bson';
import { hashInts, hashString } from './random.ts';

/** "Today" of the demo data set. Fixed so the data never depends on when it is built. */
export const REFERENCE_DATE = utc(2026, 11, 15);
/** School year in progress on REFERENCE_DATE, and the last one with full results. */
export const CURRENT_SCHOOL_YEAR = '2026-2027';
export const LAST_COMPLETED_YEAR_START = 2025;
/** Data kept in the system starts here (history dates fall in 2023-2026). */
export const DATA_START = utc(2023, 1, 5);

export const DEMO_PASSWORD = 'demo1234';
export const PROVINCE_CODE = 'QNG';
export const DEMO_SCHOOL_CODE = 'PVD';
export const DEMO_STUDENT = {
  fullName: 'Huỳnh Thị Thanh Trúc',
  email: 'sinhvien@demo.vn',
  gender: 'female' as const,
  dateOfBirth: utc(2004, 3, 12),
  cohort: 2022,
  majorCode: 'SPT',
  facultyCode: 'SPTN',
  stage: 'dossier' as const,
};

export const DAY = 86_400_000;

export function utc(y: number, m: number, d: number): Date {
  return new Date(Date.UTC(y, m - 1, d));
}
export function addDays(date: Date, days: number): Date {
  return new Date(date.getTime() + Math.round(days) * DAY);
}
export function addMonths(date: Date, months: number): Date {
  const d = new Date(date.getTime());
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + months);
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, last));
  return d;
}
export function daysBetween(a: Date, b: Date): number {
  return Math.round((b.getTime() - a.getTime()) / DAY);
}
export function wholeMonthsBetween(a: Date, b: Date): number {
  let m = (b.getUTCFullYear() - a.getUTCFullYear()) * 12 + (b.getUTCMonth() - a.getUTCMonth());
  if (b.getUTCDate() < a.getUTCDate()) m -= 1;
  return m;
}
export function maxDate(a: Date, b: Date): Date {
  return a > b ? a : b;
}
export function minDate(a: Date, b: Date): Date {
  return a < b ? a : b;
}
export function schoolYearOf(date: Date): string {
  const y = date.getUTCFullYear();
  const start = date.getUTCMonth() >= 8 ? y : y - 1; // school years start in September
  return `${start}-${start + 1}`;
}

// ---------------------------------------------------------------------------
// Ids

/** ObjectId timestamp part: 2025-07-01, the merger, for every seeded id. */
const ID_EPOCH = Math.floor(utc(2025, 7, 1).getTime() / 1000);

function idFromParts(tag: number, a: number, b: number): ObjectId {
  const bytes = new Uint8Array(12);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, ID_EPOCH);
  view.setUint32(4, ((tag & 0xff) << 24) | (a & 0xffffff));
  view.setUint32(8, b >>> 0);
  return new ObjectId(bytes);
}

/** Stable id for a keyed entity (unit code, email, holiday date). */
export function stableId(
  kind: 'unit' | 'user' | 'password' | 'holiday' | 'target' | 'member' | 'criteria' | 'audit',
  key: string,
): ObjectId {
  const tag = {
    audit: 0x61,
    unit: 0x55,
    user: 0x75,
    password: 0x70,
    holiday: 0x68,
    target: 0x74,
    member: 0x6d,
    criteria: 0x63,
  }[kind];
  return idFromParts(tag, hashString(key, 1), hashString(key, 2));
}

/** Id of member `index` for `seed`; index 0 is the fixed demo student, the same for every seed. */
export function memberId(seed: number, index: number): ObjectId {
  if (index === 0) return stableId('member', 'demo-student');
  return idFromParts(0x4d, hashInts(seed), index);
}

/** Id of the j-th award or activity of member `index` (embedded, but stable for idempotence). */
export function subId(seed: number, index: number, j: number): ObjectId {
  return idFromParts(0x53, index, ((hashInts(seed) & 0xffff) << 16) | (j & 0xffff));
}

// ---------------------------------------------------------------------------
// Arithmetic

/** `date`, but at least one day before `limit`. */
export function before(date: Date, limit: Date): Date {
  return minDate(date, addDays(limit, -1));
}
export function sum(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}
export function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}
export function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

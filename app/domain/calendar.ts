/**
 * The one calendar: days, whole months, school years, `yyyy-mm-dd` strings. Every
 * module that turns an instant into a day (or back) imports it from here.
 *
 * Calendar day of an instant (decision): its date in Vietnam time (UTC+7, no
 * daylight saving since 1975). Dates of birth and certificate dates are stored
 * either at UTC midnight (seed, imports) or at Vietnamese midnight (17:00 UTC the
 * day before, from a browser in Vietnam); both land on the intended day once
 * shifted by 7 hours, and `asOf = new Date()` at 06:00 in Quảng Ngãi is already
 * "today" there rather than yesterday in UTC.
 *
 * Months (decision, Bộ luật Dân sự 2015 art. 147-148): N months after day D of a
 * month is day D of the month N later, or that month's last day when it has no
 * day D. So someone born 27/11/2008 is 18 on 27/11/2026 (not on the 26th), someone
 * born 29/02/2008 is 18 on 28/02/2026, and a certificate issued 31/08/2021 runs
 * to 31/08/2026 while one issued 29/02/2024 runs to 28/02/2029. This is the same
 * rule as `seed/generate.ts` uses, so seeded data agrees with the engine.
 */

export const DAY_MS = 86_400_000;
/** Vietnam is UTC+7 all year. */
export const VN_OFFSET_MS = 7 * 3_600_000;

/** First month (1-12) of a school year: Vietnamese school years start in September. */
export const SCHOOL_YEAR_START_MONTH = 9;

export type DateLike = Date | string | number;

/** Calendar day as a plain y/m/d; `day` is the day number since 1970-01-01 (for comparisons). */
export interface CalendarDay {
  y: number;
  m: number; // 1-12
  d: number;
  day: number;
}

/** Day number (Vietnam calendar) of a date-like value, or NaN when absent or invalid. */
export function dayNumber(value: DateLike | null | undefined): number {
  if (value === null || value === undefined) return NaN;
  const t = value instanceof Date ? value.getTime() : new Date(value).getTime();
  return Math.floor((t + VN_OFFSET_MS) / DAY_MS);
}

export function calendarDay(value: DateLike | null | undefined): CalendarDay | null {
  const day = dayNumber(value);
  if (Number.isNaN(day)) return null;
  return fromDayNumber(day);
}

// Civil-calendar conversions by arithmetic (H. Hinnant's algorithms): the engine
// runs them for every member, and a Date allocation per call showed in profiles.
export function fromDayNumber(day: number): CalendarDay {
  const z = day + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return { y: yoe + era * 400 + (m <= 2 ? 1 : 0), m, d, day };
}

/** A day number as stored in the database: midnight UTC of that day. */
export const dayToDate = (day: number) => new Date(day * DAY_MS);

function toDayNumber(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  return era * 146097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719468;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(y: number, m: number): number {
  if (m !== 2) return MONTH_DAYS[m - 1];
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
}

/** Day number of `months` months after (or before, if negative) `from`, clamped to the month's end. */
export function addMonthsDay(from: CalendarDay, months: number): number {
  const index = from.y * 12 + (from.m - 1) + months;
  const y = Math.floor(index / 12);
  const m = index - y * 12 + 1;
  return toDayNumber(y, m, Math.min(from.d, daysInMonth(y, m)));
}

/**
 * Whole months from `from` to `to`: the largest n with addMonths(from, n) ≤ to.
 * Negative when `to` is before `from`.
 */
export function wholeMonthsBetween(from: CalendarDay, to: CalendarDay): number {
  let n = (to.y - from.y) * 12 + (to.m - from.m);
  // The anniversary in `to`'s month is the only candidate: the one a month earlier is always before.
  if (addMonthsDay(from, n) > to.day) n--;
  return n;
}

/** Start year of the school year a day falls in: 15/11/2026 → 2026 (2026-2027), 15/05/2026 → 2025. */
export function schoolYearStart(day: CalendarDay): number {
  return day.m >= SCHOOL_YEAR_START_MONTH ? day.y : day.y - 1;
}

/** "2025-2026" → 2025; NaN for anything that is not two consecutive years. */
export function parseSchoolYear(year: string | null | undefined): number {
  if (typeof year !== 'string' || year.length !== 9 || year.charCodeAt(4) !== 45 /* - */) return NaN;
  const start = digits4(year, 0);
  return digits4(year, 5) === start + 1 ? start : NaN;
}

// Called for every term of every member by every term rule: no substring allocation.
function digits4(s: string, at: number): number {
  let n = 0;
  for (let i = at; i < at + 4; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return NaN;
    n = n * 10 + c;
  }
  return n;
}

export function schoolYearLabel(start: number): string {
  return `${start}-${start + 1}`;
}

/** "2025-2026" for any instant of that school year (Vietnam calendar). */
export function schoolYearOf(value: DateLike): string {
  return schoolYearLabel(schoolYearStart(calendarDay(value)!));
}

/**
 * True for a real `yyyy-mm-dd` day (no 30 February), optionally within [minYear, maxYear].
 * Forms check this before anything turns the string into a Date, which would roll
 * 2005-02-31 over to 3 March.
 */
export function isCalendarDay(value: string, minYear = 0, maxYear = 9999): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return y >= minYear && y <= maxYear && mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo);
}

const pad = (n: number) => (n < 10 ? '0' : '') + n;

/** dd/mm/yyyy, the way Vietnamese documents write dates (used in both languages). */
export function formatDay(day: number): string {
  const c = fromDayNumber(day);
  return `${pad(c.d)}/${pad(c.m)}/${c.y}`;
}

/** yyyy-mm-dd, for machine-readable `actual`/`expected` values. */
export function isoDay(day: number): string {
  const c = fromDayNumber(day);
  return `${c.y}-${pad(c.m)}-${pad(c.d)}`;
}

/**
 * `YYYY-MM-DD` of the day an instant falls on in Vietnam ('' when absent or invalid): the
 * one helper for showing or exporting the day of an INSTANT (a history entry's `at`,
 * `createdAt`, an audit event's `at`, consent times). 2026-03-01T17:30:00Z is 2026-03-02.
 * Calendar days stored at UTC midnight (meeting and decision dates, `refDate`, dates of
 * birth) give their own day too (midnight UTC is 07:00 in Vietnam), so a field holding
 * either kind (`stageSince`: a step's day, or the instant a record was created) reads right.
 */
export function vietnamDay(value: DateLike | null | undefined): string {
  const day = dayNumber(value);
  return Number.isNaN(day) ? '' : isoDay(day);
}

/** The calendar year in Vietnam: 2025-12-31T17:30Z is already 2026 there. */
export function vietnamYear(value: DateLike = new Date()): number {
  return fromDayNumber(dayNumber(value)).y;
}

/** `YYYY-MM-DDTHH:MM:SS+07:00`: an instant as Vietnam's wall clock, for text a person reads ('' when invalid). */
export function vietnamDateTime(value: DateLike | null | undefined): string {
  if (value === null || value === undefined) return '';
  const t = value instanceof Date ? value.getTime() : new Date(value).getTime();
  const wall = new Date(t + VN_OFFSET_MS);
  return Number.isNaN(wall.getTime()) ? '' : `${wall.toISOString().slice(0, 19)}+07:00`;
}

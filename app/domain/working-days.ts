/**
 * Working-day calendar for the legal deadlines of the admission pipeline
 * (domain.md §3: "trong thời hạn N ngày làm việc"). Pure and isomorphic: the
 * holiday table is read by the caller (models/holiday.ts) and passed in.
 *
 * Decisions:
 * - Days are calendar days in Vietnam time (calendar.ts), so a Date
 *   stored at UTC midnight or at Vietnamese midnight is the same day.
 * - Counting starts the day AFTER the event (Bộ luật Dân sự 2015 art. 147: a
 *   period counted in days starts on the day after the event), and only working
 *   days count. So "within 60 working days of the chi bộ resolution of Mon
 *   06/01/2025" ends on the 60th working day after 06/01, and the deadline
 *   always lands on a working day: art. 148's "a deadline on a day off moves to
 *   the next working day" is built in.
 * - `addWorkingDays(d, 0)` is `d` itself, even on a day off (nothing to count).
 * - `workingDaysBetween(a, b)` counts the working days in (a, b], the inverse of
 *   `addWorkingDays`: `workingDaysBetween(a, addWorkingDays(a, n)) === n`.
 * - Saturday and Sunday are days off unless listed as a make-up working day
 *   (ngày làm bù). A date listed both as a holiday and as a make-up day counts
 *   as a day off: an error in the table then lengthens deadlines rather than
 *   shortening them, which never makes a timely act look late.
 */
import { dayNumber, isoDay, type DateLike } from './calendar.ts';

export interface WorkingCalendarInput {
  /** Official days off, `YYYY-MM-DD` (or any date-like; read as a Vietnam calendar day). */
  holidays: readonly DateLike[];
  /** Saturdays (or Sundays) the government schedule turns into working days. */
  makeUpWorkingDays?: readonly DateLike[];
}

export interface WorkingCalendar {
  isWorkingDay(day: DateLike): boolean;
  /** The n-th working day after `start` (n ≥ 0), as `YYYY-MM-DD`. */
  addWorkingDays(start: DateLike, n: number): string;
  /** Working days in (a, b]; negative when b is before a. */
  workingDaysBetween(a: DateLike, b: DateLike): number;
  /** Day-number versions for callers that already hold day numbers (deadlines). */
  isWorkingDayNumber(day: number): boolean;
  addWorkingDayNumber(start: number, n: number): number;
  workingDaysBetweenNumbers(a: number, b: number): number;
}

// Day 0 (1970-01-01) was a Thursday: (day + 4) % 7 gives 0 = Sunday … 6 = Saturday.
function weekday(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

function toDay(value: DateLike, what: string): number {
  const day = dayNumber(value);
  if (Number.isNaN(day)) throw new RangeError(`Invalid ${what}: ${String(value)}`);
  return day;
}

/** Weekdays (Mon-Fri) in the day-number range [from, to). */
function weekdaysInRange(from: number, to: number): number {
  if (to <= from) return 0;
  const span = to - from;
  let count = Math.floor(span / 7) * 5;
  const start = weekday(from);
  for (let i = 0; i < span % 7; i++) {
    const w = (start + i) % 7;
    if (w !== 0 && w !== 6) count++;
  }
  return count;
}

/** Number of values < x in a sorted array. */
function lowerBound(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function createWorkingCalendar(input: WorkingCalendarInput): WorkingCalendar {
  const holidaySet = new Set(input.holidays.map((h) => toDay(h, 'holiday')));
  const makeUpSet = new Set(
    (input.makeUpWorkingDays ?? []).map((d) => toDay(d, 'make-up day')).filter((d) => !holidaySet.has(d)),
  );
  // Exceptions to the Mon-Fri rule, sorted, so a range count is arithmetic plus two binary searches.
  const weekdayHolidays = [...holidaySet]
    .filter((d) => weekday(d) !== 0 && weekday(d) !== 6)
    .sort((a, b) => a - b);
  const weekendWorkdays = [...makeUpSet]
    .filter((d) => weekday(d) === 0 || weekday(d) === 6)
    .sort((a, b) => a - b);

  const isWorkingDayNumber = (day: number): boolean => {
    if (holidaySet.has(day)) return false;
    const w = weekday(day);
    return (w !== 0 && w !== 6) || makeUpSet.has(day);
  };

  const countIn = (from: number, to: number): number =>
    weekdaysInRange(from, to) -
    (lowerBound(weekdayHolidays, to) - lowerBound(weekdayHolidays, from)) +
    (lowerBound(weekendWorkdays, to) - lowerBound(weekendWorkdays, from));

  const workingDaysBetweenNumbers = (a: number, b: number): number =>
    b >= a ? countIn(a + 1, b + 1) : -countIn(b + 1, a + 1);

  const addWorkingDayNumber = (start: number, n: number): number => {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`Working days must be a whole number ≥ 0: ${n}`);
    // Jump by whole weeks first (≥ 5 working days each would overshoot with holidays), then walk.
    let day = start;
    let left = n;
    while (left >= 10) {
      const jump = Math.floor(left / 5) * 7 - 7;
      const counted = countIn(day + 1, day + jump + 1);
      if (counted >= left) break;
      day += jump;
      left -= counted;
    }
    while (left > 0) {
      day++;
      if (isWorkingDayNumber(day)) left--;
    }
    return day;
  };

  return {
    isWorkingDayNumber,
    addWorkingDayNumber,
    workingDaysBetweenNumbers,
    isWorkingDay: (day) => isWorkingDayNumber(toDay(day, 'day')),
    addWorkingDays: (start, n) => isoDay(addWorkingDayNumber(toDay(start, 'start'), n)),
    workingDaysBetween: (a, b) => workingDaysBetweenNumbers(toDay(a, 'date'), toDay(b, 'date')),
  };
}

/**
 * The calendar of the holiday table (models/holiday.ts): `workday` rows are make-up
 * working days, every other row (a row stored without a kind too) a day off.
 */
export function calendarFromHolidayTable(
  rows: readonly { date: DateLike; kind?: string | null }[],
): WorkingCalendar {
  return createWorkingCalendar({
    holidays: rows.filter((r) => r.kind !== 'workday').map((r) => r.date),
    makeUpWorkingDays: rows.filter((r) => r.kind === 'workday').map((r) => r.date),
  });
}

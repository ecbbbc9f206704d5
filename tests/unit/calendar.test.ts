/**
 * The one calendar (app/domain/calendar.ts) at its edges: month ends, leap days, the
 * school year's turn on 1 September, and Vietnam's midnight at 17:00 UTC.
 */
import { describe, expect, it } from 'vitest';
import {
  DAY_MS,
  VN_OFFSET_MS,
  addMonthsDay,
  calendarDay,
  dayNumber,
  dayToDate,
  formatDay,
  fromDayNumber,
  isCalendarDay,
  isoDay,
  parseSchoolYear,
  schoolYearOf,
  schoolYearStart,
  vietnamYear,
  wholeMonthsBetween,
} from '~/domain/calendar';

/** Day number of a yyyy-mm-dd string (stored at UTC midnight). */
const day = (iso: string) => dayNumber(new Date(`${iso}T00:00:00Z`));
const cal = (iso: string) => calendarDay(new Date(`${iso}T00:00:00Z`))!;

describe('constants', () => {
  it('a day is 86 400 000 ms and Vietnam is 7 hours ahead of UTC', () => {
    expect(DAY_MS).toBe(24 * 60 * 60 * 1000);
    expect(VN_OFFSET_MS).toBe(7 * 60 * 60 * 1000);
  });
});

describe('dayNumber: the Vietnam calendar day of an instant', () => {
  it.each([
    ['1970-01-01T00:00:00.000Z', 0],
    ['1969-12-31T16:59:59.999Z', -1],
    ['1969-12-31T17:00:00.000Z', 0],
    ['2026-08-31T16:59:59.999Z', day('2026-08-31')],
    ['2026-08-31T17:00:00.000Z', day('2026-09-01')],
  ])('%s → %d', (instant, expected) => {
    expect(dayNumber(new Date(instant))).toBe(expected);
    expect(dayNumber(instant)).toBe(expected);
    expect(dayNumber(Date.parse(instant))).toBe(expected);
  });

  it('is NaN for a missing or invalid value', () => {
    expect(dayNumber(null)).toBeNaN();
    expect(dayNumber(undefined)).toBeNaN();
    expect(dayNumber('not a date')).toBeNaN();
    expect(calendarDay('not a date')).toBeNull();
  });

  it('vietnamYear turns at 17:00 UTC on 31 December', () => {
    expect(vietnamYear(new Date('2025-12-31T16:59:59.999Z'))).toBe(2025);
    expect(vietnamYear(new Date('2025-12-31T17:00:00.000Z'))).toBe(2026);
    expect(vietnamYear('2026-06-15T00:00:00Z')).toBe(2026);
  });

  it('dayToDate stores a day at UTC midnight, and reads back as the same day', () => {
    const d = day('2024-02-29');
    expect(dayToDate(d).toISOString()).toBe('2024-02-29T00:00:00.000Z');
    expect(dayNumber(dayToDate(d))).toBe(d);
  });
});

describe('fromDayNumber / isoDay / formatDay', () => {
  it.each([
    ['1969-12-31'],
    ['1970-01-01'],
    ['2000-02-29'],
    ['2024-02-29'],
    ['2024-03-01'],
    ['2025-12-31'],
    ['2026-01-01'],
    ['2100-02-28'],
    ['2100-03-01'],
  ])('%s round-trips', (iso) => {
    expect(isoDay(day(iso))).toBe(iso);
  });

  it('agrees with Date for every day from 1900 to 2100', () => {
    const first = day('1900-01-01');
    const last = day('2100-12-31');
    expect(last - first).toBe(73_413);
    const wrong: number[] = [];
    for (let n = first; n <= last; n++) {
      const date = new Date(n * DAY_MS);
      const c = fromDayNumber(n);
      if (c.y !== date.getUTCFullYear() || c.m !== date.getUTCMonth() + 1 || c.d !== date.getUTCDate()) {
        wrong.push(n);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('formats the Vietnamese way with leading zeros', () => {
    expect(formatDay(day('2026-03-01'))).toBe('01/03/2026');
    expect(isoDay(day('2026-03-01'))).toBe('2026-03-01');
  });
});

describe('addMonthsDay: the same day N months later, or that month’s last day', () => {
  it.each([
    ['2026-01-31', 1, '2026-02-28'],
    ['2024-01-31', 1, '2024-02-29'],
    ['2026-03-31', 1, '2026-04-30'],
    ['2026-03-31', -1, '2026-02-28'],
    ['2024-03-31', -1, '2024-02-29'],
    ['2026-12-15', 1, '2027-01-15'],
    ['2026-01-15', -1, '2025-12-15'],
    ['2021-08-31', 60, '2026-08-31'], // certificate issued 31/08/2021 runs to 31/08/2026
    ['2024-02-29', 60, '2029-02-28'], // issued on a leap day: five years later has none
    ['2008-02-29', 18 * 12, '2026-02-28'], // born on a leap day: 18 on 28/02
    ['2008-02-29', 20 * 12, '2028-02-29'],
    ['2026-11-27', 0, '2026-11-27'],
  ])('%s %+d months → %s', (from, months, expected) => {
    expect(isoDay(addMonthsDay(cal(from), months))).toBe(expected);
  });
});

describe('wholeMonthsBetween at month ends and leap days', () => {
  it.each([
    ['2008-02-29', '2026-02-27', 215],
    ['2008-02-29', '2026-02-28', 216],
    ['2008-11-27', '2026-11-26', 215],
    ['2008-11-27', '2026-11-27', 216],
    ['2026-01-31', '2026-02-28', 1],
    ['2026-02-28', '2026-01-31', -1],
  ])('%s → %s = %d', (from, to, months) => {
    expect(wholeMonthsBetween(cal(from), cal(to))).toBe(months);
  });
});

describe('school years start on 1 September (Vietnam time)', () => {
  it.each([
    ['2026-08-31', 2025],
    ['2026-09-01', 2026],
    ['2026-12-31', 2026],
    ['2027-01-01', 2026],
  ])('%s is in the year starting %d', (iso, start) => {
    expect(schoolYearStart(cal(iso))).toBe(start);
  });

  it.each([
    ['2026-08-31T16:59:59.999Z', '2025-2026'], // 23:59 on 31/08 in Vietnam
    ['2026-08-31T17:00:00.000Z', '2026-2027'], // midnight on 1/09 in Vietnam, still 31/08 in UTC
    ['2026-09-01T00:00:00.000Z', '2026-2027'],
    ['2027-08-31T00:00:00.000Z', '2026-2027'],
  ])('schoolYearOf(%s) = %s', (instant, expected) => {
    expect(schoolYearOf(new Date(instant))).toBe(expected);
    expect(schoolYearOf(instant)).toBe(expected);
  });

  it.each([
    ['2025-2026', 2025],
    ['2025-2027', NaN],
    ['2025/2026', NaN],
    ['25-26', NaN],
    ['abcd-abce', NaN],
  ])('parseSchoolYear(%s) = %d', (label, start) => {
    expect(parseSchoolYear(label)).toBe(start);
  });
});

describe('isCalendarDay: a real yyyy-mm-dd day', () => {
  it.each([
    ['2024-02-29', true],
    ['2000-02-29', true],
    ['2026-02-29', false],
    ['1900-02-29', false],
    ['2100-02-29', false],
    ['2026-04-30', true],
    ['2026-04-31', false],
    ['2026-12-31', true],
    ['2026-12-32', false],
    ['2026-13-01', false],
    ['2026-00-10', false],
    ['2026-01-00', false],
    ['2026-1-01', false],
    [' 2026-01-01', false],
    ['2026-01-01T00:00', false],
    ['', false],
  ])('%j → %s', (value, expected) => {
    expect(isCalendarDay(value)).toBe(expected);
  });

  it('bounds the year when asked (the holiday and token forms: 2000-2100)', () => {
    expect(isCalendarDay('1999-12-31', 2000, 2100)).toBe(false);
    expect(isCalendarDay('2000-01-01', 2000, 2100)).toBe(true);
    expect(isCalendarDay('2100-12-31', 2000, 2100)).toBe(true);
    expect(isCalendarDay('2101-01-01', 2000, 2100)).toBe(false);
  });

  it('gives the answer the Date round trip gave, for every month and day number of a leap and a common year', () => {
    const viaDate = (v: string) => {
      const d = new Date(`${v}T00:00:00Z`);
      return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v;
    };
    const pad = (n: number) => String(n).padStart(2, '0');
    const values = [1900, 2024, 2026].flatMap((y) =>
      Array.from({ length: 14 * 33 }, (_, i) => `${y}-${pad(Math.floor(i / 33))}-${pad(i % 33)}`),
    );
    expect(values).toHaveLength(3 * 14 * 33);
    for (const v of values) expect(isCalendarDay(v), v).toBe(viaDate(v));
  });
});

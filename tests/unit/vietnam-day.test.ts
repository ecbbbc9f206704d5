/**
 * Dates a user reads are Vietnamese dates: the day of an INSTANT is its day in
 * Asia/Ho_Chi_Minh (UTC+7), while a calendar day stored at UTC midnight keeps its day.
 */
import { describe, expect, it, vi } from 'vitest';
import { schoolYearOptions } from '~/utils/forms/member-records';
import { displayValue } from '~/domain/audit-actions';
import { vietnamDateTime, vietnamDay } from '~/domain/calendar';
import { formatDate, formatDateTime } from '~/i18n';
import { latestRatingYear, recentSchoolYears } from '~/utils/members/members-query';

describe('vietnamDay', () => {
  it.each([
    // Instants around midnight in Vietnam.
    ['2026-03-01T16:59:59.999Z', '2026-03-01', '23:59:59.999 in Vietnam'],
    ['2026-03-01T17:00:00.000Z', '2026-03-02', 'midnight in Vietnam'],
    ['2026-03-01T17:30:00.000Z', '2026-03-02', '00:30 in Vietnam'],
    ['2026-03-01T18:30:00.000Z', '2026-03-02', '01:30 in Vietnam'],
    ['2025-12-31T17:00:00.000Z', '2026-01-01', 'New Year in Vietnam, still 31/12 in UTC'],
    ['2028-02-28T17:00:00.000Z', '2028-02-29', 'into a leap day'],
    ['2026-02-28T17:00:00.000Z', '2026-03-01', 'over the end of a short February'],
    // Calendar days stored at UTC midnight keep their day.
    ['2026-03-01T00:00:00.000Z', '2026-03-01', 'a day stored at UTC midnight'],
    ['2008-11-27T00:00:00.000Z', '2008-11-27', 'a date of birth'],
    // A day stored at Vietnamese midnight (17:00 UTC the day before) is that day too.
    ['2008-11-26T17:00:00.000Z', '2008-11-27', 'a day stored at Vietnamese midnight'],
  ])('%s → %s (%s)', (instant, expected) => {
    expect(vietnamDay(new Date(instant))).toBe(expected);
    expect(vietnamDay(instant)).toBe(expected);
    expect(vietnamDay(Date.parse(instant))).toBe(expected);
  });

  it('is empty for nothing or an invalid date', () => {
    expect(vietnamDay(null)).toBe('');
    expect(vietnamDay(undefined)).toBe('');
    expect(vietnamDay(new Date('nope'))).toBe('');
    expect(vietnamDay('31/02/2026')).toBe('');
  });

  it('differs from the UTC slice exactly for the last 7 hours of each UTC day', () => {
    for (let h = 0; h < 24; h++) {
      const at = new Date(Date.UTC(2026, 2, 1, h, 15));
      expect(vietnamDay(at)).toBe(h >= 17 ? '2026-03-02' : '2026-03-01');
    }
  });
});

describe('vietnamDateTime', () => {
  it('writes an instant as the wall clock in Vietnam with its offset', () => {
    expect(vietnamDateTime(new Date('2026-03-01T18:30:05Z'))).toBe('2026-03-02T01:30:05+07:00');
    expect(vietnamDateTime(new Date('2026-03-01T00:00:00Z'))).toBe('2026-03-01T07:00:00+07:00');
    expect(Date.parse(vietnamDateTime(new Date('2026-03-01T18:30:05Z')))).toBe(
      Date.parse('2026-03-01T18:30:05Z'),
    );
    expect(vietnamDateTime(null)).toBe('');
    expect(vietnamDateTime(new Date(NaN))).toBe('');
    expect(vietnamDateTime(8.64e15)).toBe('');
  });
});

describe('the catalogue formatters agree', () => {
  it('formatDate and formatDateTime show the Vietnamese day of an instant after midnight there', () => {
    const at = new Date('2026-03-01T18:30:00Z');
    expect(formatDate(at, 'vi')).toBe('02/03/2026');
    expect(formatDate(at, 'en')).toBe('02/03/2026');
    expect(formatDateTime(at, 'vi', { seconds: false })).toContain('02/03/2026');
    expect(formatDateTime(at, 'vi', { seconds: false })).toContain('01:30');
    // The yyyy-mm-dd a server sends for a day reads as that day.
    expect(formatDate(vietnamDay(at), 'vi')).toBe('02/03/2026');
    expect(formatDate('2026-03-01', 'vi')).toBe('01/03/2026');
  });
});

describe('the audit browser', () => {
  it('shows an instant in the details in Vietnam time, and a stored day as that day', () => {
    expect(displayValue(new Date('2026-03-01T18:30:00Z'))).toBe('2026-03-02T01:30:00+07:00');
    expect(displayValue(new Date('2026-03-01T00:00:00Z'))).toBe('2026-03-01');
  });
});

describe('years offered from today in Vietnam', () => {
  it('the latest rating year turns on 1 June in Vietnam, 7 hours before UTC', () => {
    expect(latestRatingYear(new Date('2026-05-31T16:59:00Z'))).toBe('2024-2025');
    expect(latestRatingYear(new Date('2026-05-31T17:30:00Z'))).toBe('2025-2026');
  });

  it('the school year turns on 1 September in Vietnam', () => {
    expect(recentSchoolYears(new Date('2026-08-31T16:59:00Z'), 2)).toEqual(['2025-2026', '2024-2025']);
    expect(recentSchoolYears(new Date('2026-08-31T17:30:00Z'), 2)).toEqual(['2026-2027', '2025-2026']);
  });

  it('the school years a record form offers start with the current one in Vietnam', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(new Date('2026-08-31T17:30:00Z'));
      expect(schoolYearOptions()[0]).toBe('2026-2027');
      vi.setSystemTime(new Date('2026-08-31T16:30:00Z'));
      expect(schoolYearOptions()[0]).toBe('2025-2026');
    } finally {
      vi.useRealTimers();
    }
  });
});

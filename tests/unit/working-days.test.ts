import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HOLIDAYS, MAKE_UP_WORKING_DAYS } from '../../seed/data.ts';
import { buildHolidays } from '../../seed/generate.ts';
import { HolidaySchema } from '../../app/domain/holidays.ts';
import { calendarFromHolidayTable, createWorkingCalendar } from '../../app/domain/working-days.ts';

// The days off alone (no make-up working day).
const seeded = createWorkingCalendar({ holidays: HOLIDAYS.map((h) => h.date) });
// The schedules swap a bridge day off for a Saturday worked: Sat 26/04/2025 for Fri 02/05,
// Sat 04/05/2024 for Mon 29/04, Sat 10/01/2026 for Fri 02/01.
const withMakeUp = createWorkingCalendar({
  holidays: HOLIDAYS.map((h) => h.date),
  makeUpWorkingDays: ['2025-04-26', '2024-05-04', '2026-01-10'],
});
// The table as seeded (days off and make-up days, as the app reads it).
const table = calendarFromHolidayTable(buildHolidays());

describe('isWorkingDay', () => {
  it.each([
    ['2025-01-24', true, 'Friday before Tết 2025'],
    ['2025-01-27', false, 'Tết 2025 (Monday)'],
    ['2025-01-31', false, 'Tết 2025 (Friday)'],
    ['2025-02-03', true, 'first day back after Tết 2025'],
    ['2026-02-13', true, 'Friday before Tết 2026'],
    ['2026-02-16', false, 'Tết 2026 (Monday)'],
    ['2026-02-20', false, 'Tết 2026 (Friday)'],
    ['2026-02-23', true, 'first day back after Tết 2026'],
    ['2025-04-30', false, '30/4'],
    ['2025-05-01', false, '1/5'],
    ['2025-05-02', false, 'bridge day 2/5/2025'],
    ['2025-09-01', false, 'day before 2/9 (2025)'],
    ['2025-09-02', false, '2/9/2025'],
    ['2025-09-03', true, 'after 2/9/2025'],
    ['2026-09-01', false, 'day before 2/9 (2026)'],
    ['2026-09-02', false, '2/9/2026'],
    ['2024-09-03', false, 'day after 2/9 (2024)'],
    ['2026-04-27', false, 'Hùng Kings day moved to Monday (2026)'],
    ['2025-06-07', false, 'ordinary Saturday'],
    ['2025-06-08', false, 'ordinary Sunday'],
    ['2025-06-09', true, 'ordinary Monday'],
    ['2025-04-26', false, 'make-up Saturday, without the make-up days'],
    ['2026-01-02', false, 'Friday 02/01/2026 swapped into a day off'],
  ])('%s → %s (%s)', (day, expected) => {
    expect(seeded.isWorkingDay(day)).toBe(expected);
  });

  it('make-up Saturdays are working days when listed', () => {
    expect(withMakeUp.isWorkingDay('2025-04-26')).toBe(true);
    expect(withMakeUp.isWorkingDay('2024-05-04')).toBe(true);
    expect(withMakeUp.addWorkingDays('2025-04-25', 1)).toBe('2025-04-26');
  });

  it('a day listed both as holiday and as make-up day stays a day off', () => {
    const cal = createWorkingCalendar({ holidays: ['2025-06-07'], makeUpWorkingDays: ['2025-06-07'] });
    expect(cal.isWorkingDay('2025-06-07')).toBe(false);
  });

  it('reads instants as Vietnam calendar days', () => {
    // 17:00 UTC on Sunday 26/01 is already Monday 27/01 (Tết) in Vietnam.
    expect(seeded.isWorkingDay(new Date('2025-01-26T17:00:00Z'))).toBe(false);
    // 17:00 UTC on Sunday 02/02 is Monday 03/02, the first working day.
    expect(seeded.isWorkingDay(new Date('2025-02-02T17:00:00Z'))).toBe(true);
    expect(seeded.isWorkingDay(new Date('2025-02-03T00:00:00Z'))).toBe(true);
  });
});

describe('addWorkingDays', () => {
  it.each([
    ['2025-01-24', 1, '2025-02-03', 'across Tết 2025'],
    ['2026-02-13', 1, '2026-02-23', 'across Tết 2026'],
    ['2026-02-12', 2, '2026-02-23', 'Thursday + 2 across Tết 2026'],
    ['2025-04-29', 1, '2025-05-05', 'across 30/4, 1/5 and the 2/5 bridge day'],
    ['2025-08-29', 1, '2025-09-03', 'across the 2/9 weekend and bridge (2025)'],
    ['2026-08-31', 1, '2026-09-03', 'across 1/9-2/9 (2026)'],
    ['2024-08-30', 1, '2024-09-04', 'across 2/9-3/9 (2024)'],
    ['2025-06-06', 1, '2025-06-09', 'Friday + 1 → Monday'],
    ['2025-06-07', 1, '2025-06-09', 'counting from a Saturday'],
    ['2025-06-09', 5, '2025-06-16', 'one ordinary week'],
    // Counting starts the day after: a 60-day clock from Monday 06/01/2025 crosses Tết and Hùng Kings day (07/04).
    ['2025-01-06', 60, '2025-04-08', 'chi bộ resolution + 60 working days'],
    ['2026-01-05', 60, '2026-04-06', '60 working days across Tết 2026'],
    ['2026-03-10', 30, '2026-04-21', '30 working days'],
  ])('%s + %i → %s (%s)', (start, n, expected) => {
    expect(seeded.addWorkingDays(start, n)).toBe(expected);
    expect(seeded.workingDaysBetween(start, expected)).toBe(n);
  });

  it('adding 0 returns the start day itself, even a day off', () => {
    expect(seeded.addWorkingDays('2025-06-09', 0)).toBe('2025-06-09');
    expect(seeded.addWorkingDays('2025-01-28', 0)).toBe('2025-01-28');
  });

  it('never lands on a holiday: a deadline that would fall on one moves on', () => {
    // Without holidays Tue 29/04/2025 + 1 is Wed 30/04; with them it is Mon 05/05.
    const plain = createWorkingCalendar({ holidays: [] });
    expect(plain.addWorkingDays('2025-04-29', 1)).toBe('2025-04-30');
    expect(seeded.addWorkingDays('2025-04-29', 1)).toBe('2025-05-05');
    // Without holidays the 60-day clock from 06/01/2025 ends on 31/03; Tết and Hùng Kings day push it to 08/04.
    expect(plain.addWorkingDays('2025-01-06', 60)).toBe('2025-03-31');
    for (let n = 1; n <= 120; n++)
      expect(seeded.isWorkingDay(seeded.addWorkingDays('2025-01-06', n))).toBe(true);
  });

  it('rejects negative and fractional counts, and invalid dates', () => {
    expect(() => seeded.addWorkingDays('2025-06-09', -1)).toThrow(RangeError);
    expect(() => seeded.addWorkingDays('2025-06-09', 1.5)).toThrow(RangeError);
    expect(() => seeded.addWorkingDays('not a date', 1)).toThrow(RangeError);
    expect(() => createWorkingCalendar({ holidays: ['nope'] })).toThrow(RangeError);
  });
});

describe('workingDaysBetween', () => {
  it('counts (a, b]: the start day is excluded, the end day included', () => {
    expect(seeded.workingDaysBetween('2025-06-09', '2025-06-09')).toBe(0);
    expect(seeded.workingDaysBetween('2025-06-09', '2025-06-10')).toBe(1);
    expect(seeded.workingDaysBetween('2025-06-06', '2025-06-09')).toBe(1);
    expect(seeded.workingDaysBetween('2025-06-10', '2025-06-09')).toBe(-1);
  });

  it('whole years with the seeded holidays', () => {
    // 261 weekdays in 2025 minus 12 weekday holidays; 261 in 2026 minus 12.
    expect(seeded.workingDaysBetween('2024-12-31', '2025-12-31')).toBe(249);
    expect(seeded.workingDaysBetween('2025-12-31', '2026-12-31')).toBe(249);
    // Each year's make-up Saturday gives back the swapped day.
    expect(table.workingDaysBetween('2024-12-31', '2025-12-31')).toBe(250);
    expect(table.workingDaysBetween('2025-12-31', '2026-12-31')).toBe(250);
  });

  it('Tết weeks hold no working day', () => {
    expect(seeded.workingDaysBetween('2025-01-24', '2025-02-02')).toBe(0);
    expect(seeded.workingDaysBetween('2026-02-13', '2026-02-22')).toBe(0);
  });
});

describe('against a day-by-day reference', () => {
  const DAY = 86_400_000;
  const holidays = new Set(HOLIDAYS.map((h) => h.date));
  const makeUp = new Set(['2025-04-26', '2024-05-04', '2026-01-10']);
  const iso = (t: number) => new Date(t).toISOString().slice(0, 10);
  const refWorking = (t: number) => {
    const d = iso(t);
    if (holidays.has(d)) return false;
    const w = new Date(t).getUTCDay();
    return (w !== 0 && w !== 6) || makeUp.has(d);
  };
  const base = Date.UTC(2024, 0, 1);
  const dayArb = fc.integer({ min: 0, max: 4 * 365 });

  it('addWorkingDays and workingDaysBetween agree with a naive walk', () => {
    fc.assert(
      fc.property(dayArb, fc.integer({ min: 0, max: 300 }), (offset, n) => {
        const start = base + offset * DAY;
        let t = start;
        for (let left = n; left > 0;) {
          t += DAY;
          if (refWorking(t)) left--;
        }
        expect(withMakeUp.addWorkingDays(iso(start), n)).toBe(iso(t));
        expect(withMakeUp.workingDaysBetween(iso(start), iso(t))).toBe(n);
      }),
      { numRuns: 300 },
    );
  });

  it('workingDaysBetween matches counting day by day, both directions', () => {
    fc.assert(
      fc.property(dayArb, dayArb, (x, y) => {
        const [lo, hi] = x <= y ? [x, y] : [y, x];
        let count = 0;
        for (let d = lo + 1; d <= hi; d++) if (refWorking(base + d * DAY)) count++;
        const a = iso(base + x * DAY);
        const b = iso(base + y * DAY);
        expect(withMakeUp.workingDaysBetween(a, b)).toBe(x <= y ? count : -count);
      }),
      { numRuns: 300 },
    );
  });
});

describe('make-up working days in the holiday table', () => {
  it('the seeded table holds each swap: the weekday off and the Saturday worked', () => {
    const rows = buildHolidays();
    const kindOf = (day: string) => rows.find((r) => r.date.toISOString().slice(0, 10) === day)?.kind;
    for (const [off, worked] of [
      ['2024-04-29', '2024-05-04'],
      ['2025-05-02', '2025-04-26'],
      ['2026-01-02', '2026-01-10'],
    ]) {
      expect(kindOf(off)).toBe('holiday');
      expect(kindOf(worked)).toBe('workday');
      expect(new Date(`${worked}T00:00:00Z`).getUTCDay()).toBe(6);
    }
    expect(rows.filter((r) => r.kind === 'workday').map((r) => r.date.toISOString().slice(0, 10))).toEqual(
      MAKE_UP_WORKING_DAYS.map((d) => d.date).sort(),
    );
  });

  it.each([
    ['2026-01-10', true, 'make-up Saturday 10/01/2026'],
    ['2026-01-11', false, 'the Sunday after it'],
    ['2026-01-02', false, 'the Friday it repays'],
    ['2025-04-26', true, 'make-up Saturday 26/04/2025'],
    ['2024-05-04', true, 'make-up Saturday 04/05/2024'],
    ['2025-05-02', false, 'the bridge day 02/05/2025'],
  ])('%s → %s (%s)', (day, expected) => {
    expect(table.isWorkingDay(day)).toBe(expected);
  });

  it('deadlines count across a make-up Saturday', () => {
    // Friday 09/01/2026 + 1 is the make-up Saturday; without it, Monday 12/01.
    expect(table.addWorkingDays('2026-01-09', 1)).toBe('2026-01-10');
    expect(seeded.addWorkingDays('2026-01-09', 1)).toBe('2026-01-12');
    expect(table.addWorkingDays('2026-01-09', 2)).toBe('2026-01-12');
    expect(table.workingDaysBetween('2026-01-09', '2026-01-12')).toBe(2);
    expect(seeded.workingDaysBetween('2026-01-09', '2026-01-12')).toBe(1);
    // New Year 2026: Thursday 01/01 and the swapped Friday 02/01 off, back on Monday 05/01.
    expect(table.addWorkingDays('2025-12-31', 1)).toBe('2026-01-05');
    // A 30-working-day clock from Wednesday 24/12/2025 crosses both: the Saturday makes up for the Friday.
    const plain = createWorkingCalendar({ holidays: ['2026-01-01'] });
    expect(table.addWorkingDays('2025-12-24', 30)).toBe(plain.addWorkingDays('2025-12-24', 30));
    expect(seeded.addWorkingDays('2025-12-24', 30)).not.toBe(plain.addWorkingDays('2025-12-24', 30));
    // 2025: Friday 25/04 + 1 is the make-up Saturday 26/04; Tuesday 29/04 + 1 skips 30/4, 1/5, 2/5.
    expect(table.addWorkingDays('2025-04-25', 1)).toBe('2025-04-26');
    expect(table.addWorkingDays('2025-04-29', 1)).toBe('2025-05-05');
  });

  it('a row stored before kinds existed is a day off', () => {
    const cal = calendarFromHolidayTable([
      { date: new Date('2026-01-10T00:00:00Z') },
      { date: new Date('2026-01-17T00:00:00Z'), kind: 'workday' },
      { date: new Date('2026-01-14T00:00:00Z'), kind: null },
    ]);
    expect(cal.isWorkingDay('2026-01-10')).toBe(false);
    expect(cal.isWorkingDay('2026-01-17')).toBe(true);
    expect(cal.isWorkingDay('2026-01-14')).toBe(false);
  });
});

describe('the holiday form', () => {
  const parse = (v: Record<string, string>) => HolidaySchema.safeParse(v);
  const errors = (v: Record<string, string>) => {
    const r = parse(v);
    return r.success ? null : r.error.issues.map((i) => [i.path.join('.'), i.message]);
  };

  it('adds a day off by default, and either kind on request', () => {
    expect(parse({ date: '2030-06-04', name: 'Nghỉ bù' })).toMatchObject({ data: { kind: 'holiday' } });
    expect(parse({ date: '2030-06-04', name: 'Nghỉ bù', kind: '' })).toMatchObject({
      data: { kind: 'holiday' },
    });
    expect(parse({ date: '2030-06-08', name: 'Làm bù', kind: 'workday' })).toMatchObject({
      data: { kind: 'workday' },
    });
    // Sunday too.
    expect(parse({ date: '2030-06-09', name: 'Làm bù', kind: 'workday' }).success).toBe(true);
  });

  it('refuses a make-up working day on a weekday, and an unknown kind', () => {
    // Friday 07/06/2030 already is a working day.
    expect(errors({ date: '2030-06-07', name: 'Làm bù', kind: 'workday' })).toEqual([
      ['date', 'holidays.v.workdayWeekday'],
    ]);
    expect(errors({ date: '2030-06-07', name: 'Nghỉ', kind: 'vacation' })).toEqual([
      ['kind', 'holidays.v.kind'],
    ]);
    // A bad date says so, not that it is a weekday.
    expect(errors({ date: '2030-02-30', name: 'Làm bù', kind: 'workday' })).toEqual([
      ['date', 'validation.date'],
    ]);
  });
});

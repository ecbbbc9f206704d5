/**
 * Correction requests are answered within 2 working days (Law 91/2025, Decree 356/2025):
 * counted from the day after the request's day in Vietnam, skipping weekends and days off,
 * counting make-up working days; overdue from the day after the due date.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildHolidays } from '../../seed/generate.ts';
import { correctionDue, overdueFiledBefore } from '../../app/domain/corrections.ts';
import { calendarFromHolidayTable, createWorkingCalendar } from '../../app/domain/working-days.ts';

// The seeded table: Tết, 30/4, 1/5, 2/9… and the make-up Saturdays (10/01/2026, 26/04/2025…).
const calendar = calendarFromHolidayTable(buildHolidays());
const plain = createWorkingCalendar({ holidays: [] });

/** 10:00 in Vietnam on a day. */
const at10 = (day: string) => new Date(`${day}T03:00:00Z`);

describe('correctionDue', () => {
  it.each([
    ['2026-06-08T03:00:00Z', '2026-06-10', 'Monday → Wednesday'],
    ['2026-06-11T03:00:00Z', '2026-06-15', 'Thursday → Monday, over the weekend'],
    ['2026-06-12T03:00:00Z', '2026-06-16', 'Friday → Tuesday'],
    ['2026-06-13T03:00:00Z', '2026-06-16', 'Saturday → Tuesday'],
    ['2026-06-14T03:00:00Z', '2026-06-16', 'Sunday → Tuesday'],
    // Around midnight in Vietnam: the request's day is its day there.
    ['2026-06-12T16:59:00Z', '2026-06-16', 'Friday 23:59 in Vietnam → Tuesday'],
    ['2026-06-12T17:30:00Z', '2026-06-16', 'Saturday 00:30 in Vietnam (Friday in UTC) → Tuesday'],
    ['2026-06-10T17:30:00Z', '2026-06-15', 'Thursday 00:30 in Vietnam (Wednesday in UTC) → Monday'],
    // Holidays.
    [
      '2026-04-28T03:00:00Z',
      '2026-05-04',
      'Tuesday 28/04/2026 → Wednesday, then over 30/4, 1/5 and the weekend',
    ],
    ['2026-02-12T03:00:00Z', '2026-02-23', 'Thursday before Tết 2026 → Friday, then the first day back'],
    ['2026-02-16T03:00:00Z', '2026-02-24', 'filed during Tết → the second day back'],
    ['2026-08-28T03:00:00Z', '2026-09-03', 'Friday 28/08/2026 → Monday 31/08, then over 1/9-2/9'],
    // Make-up working days count.
    ['2026-01-08T03:00:00Z', '2026-01-10', 'Thursday 08/01/2026 → the make-up Saturday 10/01'],
    ['2026-01-09T03:00:00Z', '2026-01-12', 'Friday 09/01/2026 → Monday, the Saturday worked counts'],
    ['2026-01-10T03:00:00Z', '2026-01-13', 'filed on the make-up Saturday → Tuesday'],
    ['2025-12-31T03:00:00Z', '2026-01-06', 'Wednesday 31/12/2025, over 1/1 and the swapped 2/1'],
    ['2025-04-24T03:00:00Z', '2025-04-26', 'Thursday 24/04/2025 → the make-up Saturday 26/04'],
  ])('%s → due %s (%s)', (createdAt, dueDate) => {
    expect(correctionDue(new Date(createdAt), calendar, new Date(createdAt)).dueDate).toBe(dueDate);
  });

  it('is not overdue through the whole due date, and overdue from the next day in Vietnam', () => {
    const filed = at10('2026-06-12'); // Friday → due Tuesday 16/06
    const on = (instant: string) => correctionDue(filed, calendar, new Date(instant));
    expect(on('2026-06-12T03:00:00Z')).toEqual({ dueDate: '2026-06-16', overdue: false, workingDaysLeft: 2 });
    expect(on('2026-06-15T03:00:00Z')).toMatchObject({ overdue: false, workingDaysLeft: 1 });
    // 23:59 on the due date in Vietnam.
    expect(on('2026-06-16T16:59:00Z')).toMatchObject({ overdue: false, workingDaysLeft: 0 });
    // 00:30 the next day in Vietnam, still 16/06 in UTC.
    expect(on('2026-06-16T17:30:00Z')).toMatchObject({ overdue: true, workingDaysLeft: -1 });
    // Saturday after: still one working day late, not three.
    expect(on('2026-06-20T03:00:00Z')).toMatchObject({ overdue: true, workingDaysLeft: -3 });
  });

  it('without the make-up Saturday the same request would be due a day later', () => {
    const without = createWorkingCalendar({
      holidays: buildHolidays()
        .filter((h) => h.kind === 'holiday')
        .map((h) => h.date),
    });
    expect(correctionDue(at10('2026-01-09'), without, at10('2026-01-09')).dueDate).toBe('2026-01-13');
    expect(correctionDue(at10('2026-01-09'), calendar, at10('2026-01-09')).dueDate).toBe('2026-01-12');
  });

  it('refuses an invalid date', () => {
    expect(() => correctionDue(new Date('nope'), calendar, new Date())).toThrow(RangeError);
  });
});

describe('overdueFiledBefore', () => {
  it('is the end (Vietnam midnight) of the last filing day already overdue', () => {
    // Wednesday 17/06/2026: requests of Friday 12/06 (due Tuesday 16/06) are overdue, Monday's are not.
    const cut = overdueFiledBefore(calendar, at10('2026-06-17'));
    expect(cut.toISOString()).toBe('2026-06-14T17:00:00.000Z'); // Monday 15/06 00:00 in Vietnam
    // Weekend requests are due Tuesday too.
    expect(correctionDue(new Date('2026-06-14T16:59:00Z'), calendar, at10('2026-06-17')).overdue).toBe(true);
    expect(correctionDue(new Date('2026-06-14T17:00:00Z'), calendar, at10('2026-06-17')).overdue).toBe(false);
  });

  it('agrees with correctionDue for any request and any day (2024-2027, holidays and make-up days)', () => {
    const base = Date.UTC(2024, 0, 1);
    const span = 4 * 365 * 86_400_000;
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: span }),
        fc.integer({ min: 0, max: 40 * 86_400_000 }),
        (filedOffset, wait) => {
          const createdAt = new Date(base + filedOffset);
          const now = new Date(base + filedOffset + wait);
          for (const cal of [calendar, plain]) {
            const overdue = correctionDue(createdAt, cal, now).overdue;
            expect(createdAt < overdueFiledBefore(cal, now)).toBe(overdue);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});

/**
 * The holiday form (/admin/holidays): one schema for the browser's instant checks
 * and the action's real check. A day off is a calendar day in Vietnam, stored as
 * midnight UTC of that day (models/holiday.ts). Isomorphic.
 *
 * An entry is either a day off (`holiday`: Tết, 30/4, a bridge day…) or a make-up
 * working day (`workday`, ngày làm bù): the Saturday the government schedule has
 * people work to repay a bridge day given off. Only a Saturday or a Sunday can be a
 * make-up working day: any other day already is a working day.
 */
import { z } from 'zod';
import { isCalendarDay } from './calendar.ts';

/** Years always offered, even before any row exists (the seeded range). */
export const HOLIDAY_BASE_YEARS = [2024, 2025, 2026, 2027] as const;
export const HOLIDAY_MIN_YEAR = 2000;
export const HOLIDAY_MAX_YEAR = 2100;

/** True for a real yyyy-mm-dd calendar day in the supported range (no 30 February). */
export const isHolidayRangeDay = (value: string) => isCalendarDay(value, HOLIDAY_MIN_YEAR, HOLIDAY_MAX_YEAR);

/** What a table entry makes of its day: a day off, or a weekend day worked (make-up day). */
export const HOLIDAY_KINDS = ['holiday', 'workday'] as const;
export type HolidayKind = (typeof HOLIDAY_KINDS)[number];

/** An entry stored before kinds existed is a day off. */
export function holidayKindOf(value: unknown): HolidayKind {
  return value === 'workday' ? 'workday' : 'holiday';
}

/** Saturday or Sunday, for a valid yyyy-mm-dd day. */
export function isWeekendDay(value: string): boolean {
  const weekday = new Date(`${value}T00:00:00Z`).getUTCDay();
  return weekday === 0 || weekday === 6;
}

const name = z.string().trim().min(1, 'validation.required').max(200, 'validation.tooLong');

export const HolidaySchema = z
  .object({
    date: z.string().trim().min(1, 'validation.required').refine(isHolidayRangeDay, 'validation.date'),
    name,
    // A form without the field (older pages, scripts) adds a day off, as before kinds existed.
    kind: z.preprocess(
      (v) => (v === undefined || v === '' ? 'holiday' : v),
      z.enum(HOLIDAY_KINDS, 'holidays.v.kind'),
    ),
  })
  .superRefine((v, ctx) => {
    if (v.kind === 'workday' && isHolidayRangeDay(v.date) && !isWeekendDay(v.date))
      ctx.addIssue({ code: 'custom', path: ['date'], message: 'holidays.v.workdayWeekday' });
  });
export type HolidayInput = z.infer<typeof HolidaySchema>;

export const HolidayRenameSchema = z.object({ name });

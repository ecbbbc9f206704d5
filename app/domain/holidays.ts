/**
 * The holiday form (/admin/holidays): one schema for the browser's instant checks
 * and the action's real check. A day off is a calendar day in Vietnam, stored as
 * midnight UTC of that day (models/holiday.ts). Isomorphic.
 */
import { z } from 'zod';

/** Years always offered, even before any row exists (the seeded range). */
export const HOLIDAY_BASE_YEARS = [2024, 2025, 2026, 2027] as const;
export const HOLIDAY_MIN_YEAR = 2000;
export const HOLIDAY_MAX_YEAR = 2100;

/** True for a real yyyy-mm-dd calendar day in the supported range (no 30 February). */
export function isCalendarDay(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y < HOLIDAY_MIN_YEAR || y > HOLIDAY_MAX_YEAR) return false;
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

const name = z.string().trim().min(1, 'validation.required').max(200, 'validation.tooLong');

export const HolidaySchema = z.object({
  date: z.string().trim().min(1, 'validation.required').refine(isCalendarDay, 'validation.date'),
  name,
});
export type HolidayInput = z.infer<typeof HolidaySchema>;

export const HolidayRenameSchema = z.object({ name });

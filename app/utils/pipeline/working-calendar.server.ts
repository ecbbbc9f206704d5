/**
 * The working-day calendar every deadline reads, built from the Holiday table and cached.
 * Editing holidays (holidays.server.ts) clears the cache; nothing here imports a service.
 */
import { Holiday } from '../../../models/holiday';
import { calendarFromHolidayTable, type WorkingCalendar } from '~/domain/working-days';

const CALENDAR_TTL_MS = 60_000;
let cached: { at: number; calendar: Promise<WorkingCalendar> } | null = null;

/**
 * Working-day calendar from the Holiday table: its days off and its make-up working days
 * (a Saturday worked counts). Every deadline reads it; cached a minute (admins edit it rarely).
 */
export function loadCalendar(now = Date.now()): Promise<WorkingCalendar> {
  if (cached && now - cached.at < CALENDAR_TTL_MS) return cached.calendar;
  const calendar = Holiday.find()
    .select({ date: 1, kind: 1 })
    .lean()
    .then((rows) => calendarFromHolidayTable(rows));
  // A failed load must not be cached for a minute.
  calendar.catch(() => {
    cached = null;
  });
  cached = { at: now, calendar };
  return calendar;
}

/** For tests that edit holidays. */
export function clearCalendarCache() {
  cached = null;
}

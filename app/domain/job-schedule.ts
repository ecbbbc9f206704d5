/**
 * When a scheduled job runs next (decision 032): pure arithmetic on instants, in Vietnam
 * time (UTC+7 all year, no daylight saving, so a wall-clock time is a fixed offset from
 * UTC midnight). The scheduler (app/utils/jobs/scheduler.server.ts) stores the result
 * as the job's `nextRunAt`; the admin page describes the schedule in words from here.
 *
 * The shapes match `JobSchedule` in app/utils/jobs/job-definition.ts (declared again here
 * because the domain imports nothing from app/utils).
 */
import { DAY_MS, VN_OFFSET_MS } from './calendar';

export type Weekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;

export type Schedule =
  { everyMs: number } | { dailyAt: string } | { weeklyAt: { weekday: Weekday; time: string } };

const MINUTE_MS = 60_000;

/** The first retry after a failure waits this long; each further failure doubles it. */
export const RETRY_BASE_MS = MINUTE_MS;
/** Retries never wait longer than this; once the doubling reaches it, the schedule resumes. */
export const RETRY_CAP_MS = 60 * MINUTE_MS;

/** Minutes after midnight of `HH:MM` (00:00-23:59), or null for anything else. */
export function parseTimeOfDay(time: unknown): number | null {
  if (typeof time !== 'string') return null;
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(time);
  return match ? Number(match[1]) * 60 + Number(match[2]) : null;
}

/** A schedule the scheduler can compute with (a definition's typo fails at start, not at 00:05). */
export function isValidSchedule(schedule: unknown): schedule is Schedule {
  if (typeof schedule !== 'object' || schedule === null) return false;
  const s = schedule as Record<string, unknown>;
  if ('everyMs' in s)
    return typeof s.everyMs === 'number' && Number.isInteger(s.everyMs) && s.everyMs >= 1000;
  if ('dailyAt' in s) return parseTimeOfDay(s.dailyAt) !== null;
  if ('weeklyAt' in s) {
    const w = s.weeklyAt as { weekday?: unknown; time?: unknown } | null;
    return (
      typeof w === 'object' &&
      w !== null &&
      Number.isInteger(w.weekday) &&
      (w.weekday as number) >= 1 &&
      (w.weekday as number) <= 7 &&
      parseTimeOfDay(w.time) !== null
    );
  }
  return false;
}

/** A stable text of a schedule: the stored job notices when its definition changed. */
export function scheduleKey(schedule: Schedule): string {
  if ('everyMs' in schedule) return `every:${schedule.everyMs}`;
  if ('dailyAt' in schedule) return `daily:${schedule.dailyAt}`;
  return `weekly:${schedule.weeklyAt.weekday}:${schedule.weeklyAt.time}`;
}

/** ISO weekday (1 = Monday … 7 = Sunday) of a Vietnamese day number (day 0, 1970-01-01, was a Thursday). */
const weekdayOf = (dayNumber: number) => ((((dayNumber + 3) % 7) + 7) % 7) + 1;

/**
 * The first slot of a wall-clock schedule strictly after `after`: day by day from the
 * Vietnamese day of `after`, the first (allowed weekday, time) instant later than it.
 */
function nextWallClockSlot(after: number, minutes: number, weekday: Weekday | null): number {
  const localDay = Math.floor((after + VN_OFFSET_MS) / DAY_MS);
  for (let day = localDay; day <= localDay + 8; day++) {
    if (weekday !== null && weekdayOf(day) !== weekday) continue;
    const slot = day * DAY_MS + minutes * MINUTE_MS - VN_OFFSET_MS;
    if (slot > after) return slot;
  }
  // Unreachable: a weekday recurs within 8 days.
  throw new Error('no slot within 8 days');
}

/**
 * The next regular run of a job whose run finished at `finishedAt` (and was due at
 * `dueAt`). Always strictly after both, and always in the future of the finish: a run
 * that finished late (after the next slot went by, or after the app was down for days)
 * is followed by the NEXT slot, never by the ones it missed, so a missed run is made up
 * once, not once per missed slot. `dueAt` guards against a clock behind the slot's
 * (another instance's): the same slot is never scheduled again.
 * `everyMs` counts from the finish, so runs never overlap or bunch up.
 */
export function nextRegularRun(schedule: Schedule, finishedAt: Date, dueAt: Date = finishedAt): Date {
  const after = Math.max(finishedAt.getTime(), dueAt.getTime());
  if ('everyMs' in schedule) return new Date(finishedAt.getTime() + schedule.everyMs);
  if ('dailyAt' in schedule)
    return new Date(nextWallClockSlot(after, parseTimeOfDay(schedule.dailyAt) ?? 0, null));
  const { weekday, time } = schedule.weeklyAt;
  return new Date(nextWallClockSlot(after, parseTimeOfDay(time) ?? 0, weekday));
}

/**
 * When a job first runs, the first time the app knows it: an interval job at once, a
 * wall-clock job at its next slot (a daily job deployed at noon waits for its time).
 */
export function firstRun(schedule: Schedule, now: Date): Date {
  return 'everyMs' in schedule ? now : nextRegularRun(schedule, now);
}

/**
 * When a job that has now failed `failCount` times in a row runs again: after 1, 2, 4, 8,
 * 16, 32 minutes (each retry doubles the wait); once the doubling would reach the cap
 * (one hour), the regular schedule resumes: a wall-clock job's next slot, an interval
 * job's interval but at least the hour, so a job that runs every minute does not hammer a
 * broken mail server every minute.
 */
export function nextRunAfterFailure(
  schedule: Schedule,
  failCount: number,
  finishedAt: Date,
  dueAt: Date = finishedAt,
): Date {
  const wait = RETRY_BASE_MS * 2 ** Math.max(0, failCount - 1);
  if (wait < RETRY_CAP_MS) return new Date(finishedAt.getTime() + wait);
  if ('everyMs' in schedule) return new Date(finishedAt.getTime() + Math.max(schedule.everyMs, RETRY_CAP_MS));
  return nextRegularRun(schedule, finishedAt, dueAt);
}

/** A schedule in words, as a message and its parameters (the page translates). */
export type ScheduleWords =
  | { kind: 'every'; unit: 'seconds' | 'minutes' | 'hours'; count: number }
  | { kind: 'daily'; time: string }
  | { kind: 'weekly'; weekday: Weekday; time: string };

export function describeSchedule(schedule: Schedule): ScheduleWords {
  if ('dailyAt' in schedule) return { kind: 'daily', time: schedule.dailyAt };
  if ('weeklyAt' in schedule) return { kind: 'weekly', ...schedule.weeklyAt };
  const ms = schedule.everyMs;
  if (ms % 3_600_000 === 0) return { kind: 'every', unit: 'hours', count: ms / 3_600_000 };
  if (ms % MINUTE_MS === 0) return { kind: 'every', unit: 'minutes', count: ms / MINUTE_MS };
  return { kind: 'every', unit: 'seconds', count: Math.round(ms / 1000) };
}

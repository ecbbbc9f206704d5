/**
 * When a scheduled job runs next (app/domain/job-schedule.ts): Vietnam wall-clock slots
 * across day, month and year ends, weekdays, late finishes, downtime and the backoff.
 */
import { describe, expect, it } from 'vitest';
import {
  describeSchedule,
  firstRun,
  isValidSchedule,
  nextRegularRun,
  nextRunAfterFailure,
  parseTimeOfDay,
  scheduleKey,
} from '~/domain/job-schedule';

/** An instant written as Vietnam's wall clock. */
const vn = (wall: string) => new Date(`${wall}+07:00`);
const iso = (d: Date) => d.toISOString();
const MIN = 60_000;

describe('parseTimeOfDay and isValidSchedule', () => {
  it('reads HH:MM and refuses anything else', () => {
    expect(parseTimeOfDay('00:05')).toBe(5);
    expect(parseTimeOfDay('23:59')).toBe(23 * 60 + 59);
    for (const bad of ['24:00', '7:05', '07:60', '07:5', '', ' 07:05', 705, null])
      expect(parseTimeOfDay(bad)).toBeNull();
  });

  it('accepts the three shapes and refuses broken ones', () => {
    expect(isValidSchedule({ everyMs: 60_000 })).toBe(true);
    expect(isValidSchedule({ dailyAt: '00:05' })).toBe(true);
    expect(isValidSchedule({ weeklyAt: { weekday: 1, time: '07:00' } })).toBe(true);
    expect(isValidSchedule({ everyMs: 0 })).toBe(false);
    expect(isValidSchedule({ everyMs: 1.5e3 + 0.5 })).toBe(false);
    expect(isValidSchedule({ dailyAt: '25:00' })).toBe(false);
    expect(isValidSchedule({ weeklyAt: { weekday: 0, time: '07:00' } })).toBe(false);
    expect(isValidSchedule({ weeklyAt: { weekday: 8, time: '07:00' } })).toBe(false);
    expect(isValidSchedule({ weeklyAt: null })).toBe(false);
    expect(isValidSchedule(null)).toBe(false);
    expect(isValidSchedule({})).toBe(false);
  });

  it('keys a schedule stably', () => {
    expect(scheduleKey({ dailyAt: '00:05' })).toBe('daily:00:05');
    expect(scheduleKey({ everyMs: 15_000 })).toBe('every:15000');
    expect(scheduleKey({ weeklyAt: { weekday: 1, time: '07:00' } })).toBe('weekly:1:07:00');
  });
});

describe('dailyAt: Vietnam time', () => {
  const daily = { dailyAt: '00:05' };

  it('is 00:05 in Vietnam, 17:05 UTC the day before', () => {
    expect(iso(nextRegularRun(daily, vn('2026-12-07T10:00:00')))).toBe('2026-12-07T17:05:00.000Z');
  });

  it('later the same day when the time has not come yet', () => {
    expect(nextRegularRun({ dailyAt: '18:30' }, vn('2026-12-07T18:29:59'))).toEqual(
      vn('2026-12-07T18:30:00'),
    );
  });

  it('a UTC instant that is already tomorrow in Vietnam counts from Vietnam’s day', () => {
    // 17:30 UTC on the 7th is 00:30 on the 8th in Vietnam: 00:05 on the 8th has passed.
    expect(nextRegularRun(daily, new Date('2026-12-07T17:30:00Z'))).toEqual(vn('2026-12-09T00:05:00'));
  });

  it('crosses month ends, the year end and 29 February', () => {
    expect(nextRegularRun(daily, vn('2026-11-30T12:00:00'))).toEqual(vn('2026-12-01T00:05:00'));
    expect(nextRegularRun(daily, vn('2026-12-31T00:06:00'))).toEqual(vn('2027-01-01T00:05:00'));
    expect(nextRegularRun(daily, vn('2028-02-28T23:00:00'))).toEqual(vn('2028-02-29T00:05:00'));
    expect(nextRegularRun(daily, vn('2027-02-28T23:00:00'))).toEqual(vn('2027-03-01T00:05:00'));
  });

  it('exactly at the slot: the next day (the slot being run is not scheduled again)', () => {
    expect(nextRegularRun(daily, vn('2026-12-07T00:05:00'))).toEqual(vn('2026-12-08T00:05:00'));
  });

  it('a run that finished late does not run twice', () => {
    // Due 00:05, ran for twenty minutes: next is tomorrow, not a second run today.
    expect(nextRegularRun(daily, vn('2026-12-07T00:25:00'), vn('2026-12-07T00:05:00'))).toEqual(
      vn('2026-12-08T00:05:00'),
    );
    // A clock a little behind the slot's (another instance): still not the same slot again.
    expect(nextRegularRun(daily, vn('2026-12-07T00:04:58'), vn('2026-12-07T00:05:00'))).toEqual(
      vn('2026-12-08T00:05:00'),
    );
    // Due yesterday 00:05 (made up after downtime), finished after today's slot: tomorrow.
    expect(nextRegularRun(daily, vn('2026-12-07T00:10:00'), vn('2026-12-06T00:05:00'))).toEqual(
      vn('2026-12-08T00:05:00'),
    );
  });

  it('a missed run after downtime runs once, not once per missed day', () => {
    // Down from the 1st to the 10th: the stored nextRunAt (the 2nd) is due, runs once at
    // start-up on the 10th, and the next one is the 11th, not the 3rd.
    const due = vn('2026-12-02T00:05:00');
    const finished = vn('2026-12-10T09:00:00');
    const next = nextRegularRun(daily, finished, due);
    expect(next).toEqual(vn('2026-12-11T00:05:00'));
    expect(next.getTime()).toBeGreaterThan(finished.getTime());
  });
});

describe('weeklyAt', () => {
  const monday7 = { weeklyAt: { weekday: 1 as const, time: '07:00' } };

  it('the next Monday at 07:00 Vietnam time', () => {
    // Monday 7 December 2026.
    expect(nextRegularRun(monday7, vn('2026-12-07T06:59:00'))).toEqual(vn('2026-12-07T07:00:00'));
    expect(nextRegularRun(monday7, vn('2026-12-07T07:00:00'))).toEqual(vn('2026-12-14T07:00:00'));
    expect(nextRegularRun(monday7, vn('2026-12-09T12:00:00'))).toEqual(vn('2026-12-14T07:00:00'));
  });

  it('Sunday is 7, and the week crosses the year end', () => {
    const sunday = { weeklyAt: { weekday: 7 as const, time: '20:00' } };
    expect(nextRegularRun(sunday, vn('2026-12-28T00:00:00'))).toEqual(vn('2027-01-03T20:00:00'));
    expect(nextRegularRun(monday7, vn('2026-12-29T00:00:00'))).toEqual(vn('2027-01-04T07:00:00'));
  });

  it('a Monday in Vietnam that is still Sunday in UTC', () => {
    // 06:00 Monday in Vietnam is 23:00 Sunday UTC: the slot is an hour away, not a week.
    expect(nextRegularRun(monday7, new Date('2026-12-06T23:00:00Z'))).toEqual(vn('2026-12-07T07:00:00'));
  });

  it('every weekday lands on its own day', () => {
    for (let weekday = 1; weekday <= 7; weekday++) {
      const next = nextRegularRun(
        { weeklyAt: { weekday: weekday as 1, time: '12:00' } },
        vn('2026-12-06T13:00:00'),
      );
      // 7 December 2026 is a Monday.
      expect(next).toEqual(vn(`2026-12-${String(6 + weekday).padStart(2, '0')}T12:00:00`));
    }
  });
});

describe('everyMs and the first run', () => {
  it('counts from the finish', () => {
    const finished = vn('2026-12-07T10:00:00');
    expect(nextRegularRun({ everyMs: 15 * MIN }, finished, vn('2026-12-07T09:00:00'))).toEqual(
      vn('2026-12-07T10:15:00'),
    );
  });

  it('an interval job starts at once, a wall-clock job waits for its slot', () => {
    const now = vn('2026-12-07T12:00:00');
    expect(firstRun({ everyMs: MIN }, now)).toEqual(now);
    expect(firstRun({ dailyAt: '00:05' }, now)).toEqual(vn('2026-12-08T00:05:00'));
  });
});

describe('retry after failure', () => {
  const finished = vn('2026-12-07T10:00:00');

  it('waits 1, 2, 4 … 32 minutes, then returns to the schedule (an interval of at least the hour)', () => {
    const waits = [1, 2, 3, 4, 5, 6].map(
      (n) => (nextRunAfterFailure({ everyMs: MIN }, n, finished).getTime() - finished.getTime()) / MIN,
    );
    expect(waits).toEqual([1, 2, 4, 8, 16, 32]);
    // Past the cap, a one-minute job waits the hour, a daily job its next slot.
    expect(nextRunAfterFailure({ everyMs: MIN }, 7, finished)).toEqual(vn('2026-12-07T11:00:00'));
    expect(nextRunAfterFailure({ everyMs: MIN }, 30, finished)).toEqual(vn('2026-12-07T11:00:00'));
    expect(nextRunAfterFailure({ everyMs: 120 * MIN }, 7, finished)).toEqual(vn('2026-12-07T12:00:00'));
    expect(nextRunAfterFailure({ dailyAt: '00:05' }, 7, finished)).toEqual(vn('2026-12-08T00:05:00'));
  });

  it('a daily job retried just before midnight retries, then keeps its slot afterwards', () => {
    const late = vn('2026-12-07T23:59:00');
    expect(nextRunAfterFailure({ dailyAt: '00:05' }, 1, late)).toEqual(vn('2026-12-08T00:00:00'));
    // Past the cap: the regular slot six minutes later, not some odd hour.
    expect(nextRunAfterFailure({ dailyAt: '00:05' }, 9, late)).toEqual(vn('2026-12-08T00:05:00'));
  });
});

describe('describeSchedule', () => {
  it('chooses the largest whole unit', () => {
    expect(describeSchedule({ everyMs: 15_000 })).toEqual({ kind: 'every', unit: 'seconds', count: 15 });
    expect(describeSchedule({ everyMs: 5 * MIN })).toEqual({ kind: 'every', unit: 'minutes', count: 5 });
    expect(describeSchedule({ everyMs: 120 * MIN })).toEqual({ kind: 'every', unit: 'hours', count: 2 });
    expect(describeSchedule({ dailyAt: '00:05' })).toEqual({ kind: 'daily', time: '00:05' });
    expect(describeSchedule({ weeklyAt: { weekday: 1, time: '07:00' } })).toEqual({
      kind: 'weekly',
      weekday: 1,
      time: '07:00',
    });
  });
});

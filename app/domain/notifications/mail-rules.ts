/**
 * When a mail may go out (issue 21, docs/decisions/033-mail-and-outbox.md). Pure: the mail
 * services (app/utils/mail/) pass the time and the counts.
 * - Quiet hours: nothing is mailed 22:00–06:00 Vietnam time; a message composed then waits
 *   until 06:00 (`notBefore`), it is not dropped.
 * - A cap per person per day: past it, notices wait for the next daily digest, which merges
 *   them into one mail (the digest itself is never capped: it is the merge).
 */
import { DAY_MS, VN_OFFSET_MS, vietnamDay } from '../calendar';

const HOUR_MS = 3_600_000;
export const QUIET_START_HOUR = 22;
export const QUIET_END_HOUR = 6;
export const DEFAULT_DAILY_CAP = 20;

/** The end of the quiet hours `now` falls in (the next 06:00 Vietnam time), or null outside them. */
export function quietUntil(now: Date): Date | null {
  const wall = now.getTime() + VN_OFFSET_MS;
  const intoDay = ((wall % DAY_MS) + DAY_MS) % DAY_MS;
  if (intoDay >= QUIET_END_HOUR * HOUR_MS && intoDay < QUIET_START_HOUR * HOUR_MS) return null;
  const midnight = wall - intoDay;
  const release = midnight + (intoDay >= QUIET_START_HOUR * HOUR_MS ? DAY_MS : 0) + QUIET_END_HOUR * HOUR_MS;
  return new Date(release - VN_OFFSET_MS);
}

/** The earliest a mail composed at `now` may be sent. */
export function sendAfter(now: Date): Date {
  return quietUntil(now) ?? now;
}

/** The Vietnam day (`YYYY-MM-DD`) a mail sent at `at` counts against for the cap. */
export const capDay = (at: Date): string => vietnamDay(at);

/** Whether one more immediate mail fits a person's day that already has `alreadyToday`. */
export function underCap(alreadyToday: number, cap: number): boolean {
  return alreadyToday < cap;
}

/** Attempts before a message that keeps failing is given up ('failed', shown in the outbox). */
export const MAX_ATTEMPTS = 5;

/** Wait before retry `attempt` (1-based) after a temporary SMTP failure: 1, 5, 25, 125 minutes. */
export function retryDelayMs(attempt: number): number {
  return 60_000 * 5 ** Math.max(0, attempt - 1);
}

/**
 * The notification centre's pure rules (issue 21): which kinds a role chooses a delivery
 * for, which deliveries each kind offers, the bell's cap, and the "5 minutes ago" of a
 * notice. Isomorphic: the preferences form, its server check and the bell share them.
 */
import type { Role } from '../permissions';
import { DELIVERIES, KIND_RULES, NOTIFICATION_KINDS, type Delivery, type NotificationKind } from './kinds';

/** The kinds a role can receive, in the catalogue's order: the preferences form lists these. */
export function kindsForRole(role: Role): NotificationKind[] {
  return NOTIFICATION_KINDS.filter((kind) => KIND_RULES[kind].roles.includes(role));
}

/** What a person may choose for a kind: everything but 'off' when the kind is mandatory. */
export function deliveriesFor(kind: NotificationKind): Delivery[] {
  return DELIVERIES.filter((d) => d !== 'off' || !KIND_RULES[kind].mandatory);
}

/**
 * The bell counts up to this many unread notices and shows "99+" beyond: the count query
 * stops there (`limit`), so a user with thousands unread costs no more than one with 100.
 */
export const BELL_CAP = 99;

/** The bell's figure: nothing at 0, the count up to the cap, then "99+". */
export function bellFigure(unread: number): string | null {
  if (unread <= 0) return null;
  return unread > BELL_CAP ? `${BELL_CAP}+` : String(unread);
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export type RelativeUnit = 'minute' | 'hour' | 'day';

/**
 * How long ago `at` was, for Intl.RelativeTimeFormat (a negative value): 'now' under a
 * minute ("vừa xong"), 'date' from a week on, where the date itself reads better than
 * "12 ngày trước". `now` comes from the loader, so the server's and the browser's render agree.
 */
export function relativeAge(at: Date, now: Date): 'now' | 'date' | { value: number; unit: RelativeUnit } {
  const age = now.getTime() - at.getTime();
  if (age < MINUTE) return 'now';
  if (age < HOUR) return { value: -Math.floor(age / MINUTE), unit: 'minute' };
  if (age < DAY) return { value: -Math.floor(age / HOUR), unit: 'hour' };
  if (age < 7 * DAY) return { value: -Math.floor(age / DAY), unit: 'day' };
  return 'date';
}

/**
 * The weekly digest (issue 21): one notice per school (its Union and Party users) and one
 * for the province (province_union), with the week's counts in the body and the overdue
 * cases as lines, most overdue first. Pure; the server counts (due-scan.server.ts).
 * eventKey `digest:<unitId>:<ISO week>`: one digest per unit per week, however often the
 * job runs in that week.
 */
import { DAY_MS, VN_OFFSET_MS, dayNumber, fromDayNumber } from '../calendar.ts';
import type { Role } from '../permissions.ts';
import type { Audience, Notice, NoticeLine } from './kinds.ts';
import { overdueLine, type TriggerMember } from './triggers.ts';

/** Overdue cases listed in one digest; the rest are a count with a link to the list. */
export const DIGEST_MAX_LINES = 30;

/** ISO 8601 week of a Vietnam calendar day, e.g. `2026-W50` (weeks start on Monday). */
export function isoWeek(value: Date | string | number): string {
  const day = dayNumber(value);
  // Day 0 (1970-01-01) was a Thursday: Monday = 1 … Sunday = 7.
  const weekday = ((((day + 3) % 7) + 7) % 7) + 1;
  // The week belongs to the year of its Thursday.
  const thursday = day - weekday + 4;
  const year = fromDayNumber(thursday).y;
  const jan1 = dayNumber(`${year}-01-01`);
  const week = Math.floor((thursday - jan1) / 7) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/** Monday (day number) of the Vietnam week holding `now`, and the next Monday. */
export function weekRange(now: Date): { start: number; end: number } {
  const day = Math.floor((now.getTime() + VN_OFFSET_MS) / DAY_MS);
  const weekday = ((((day + 3) % 7) + 7) % 7) + 1;
  const start = day - weekday + 1;
  return { start, end: start + 7 };
}

export interface OverdueCase {
  member: TriggerMember;
  /** Working days since the due date. */
  days: number;
}

export interface DigestCounts {
  overdue: number;
  dueThisWeek: number;
  ready: number;
  /** The year's admissions target, or null when none is set. */
  target: number | null;
  admitted: number;
}

export interface DigestInput {
  unitId: string;
  unitName: string;
  scope: 'school' | 'province';
  counts: DigestCounts;
  cases: readonly OverdueCase[];
  asOf: Date;
}

const SCHOOL_ROLES: readonly Role[] = ['school_union', 'school_party'];

export function digestNotice(input: DigestInput): Notice {
  const { unitId, scope, counts } = input;
  const week = isoWeek(input.asOf);
  const audience: Audience =
    scope === 'school' ? { type: 'unit', unitId, roles: SCHOOL_ROLES } : { type: 'province', unitId };
  const sorted = [...input.cases].sort(
    (a, b) => b.days - a.days || a.member.fullName.localeCompare(b.member.fullName, 'vi'),
  );
  const lines: NoticeLine[] = sorted
    .slice(0, DIGEST_MAX_LINES)
    .map((c) => overdueLine(c.member, c.days, scope === 'province'));
  const more = counts.overdue - lines.length;
  if (more > 0)
    lines.push({
      text: { key: 'notify.digest.more', params: { count: more } },
      link: '/members?due=overdue',
    });
  return {
    kind: 'weekly_digest',
    eventKey: `digest:${unitId}:${week}`,
    audience,
    title: { key: 'notify.digest.title', params: { unit: input.unitName, week } },
    body: {
      key: counts.target === null ? 'notify.digest.bodyNoTarget' : 'notify.digest.body',
      params: {
        overdue: counts.overdue,
        dueThisWeek: counts.dueThisWeek,
        ready: counts.ready,
        admitted: counts.admitted,
        target: counts.target ?? 0,
      },
    },
    link: '/pipeline',
    ...(lines.length ? { lines } : {}),
    unitId,
  };
}

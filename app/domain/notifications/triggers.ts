/**
 * The scheduled triggers (issue 21, docs/decisions/031-notifications.md): what the daily
 * scan tells the school, the province and the student about one member's legal deadlines.
 * Pure: the caller passes the member, its deadlines (deadlines.ts `computeDeadlines`), the
 * working calendar and the day.
 *
 * Decisions:
 * - Each rule answers "the tightest threshold reached today", never "the threshold crossed
 *   today": the notice's eventKey names the threshold, and `notify` writes one notification
 *   per (user, eventKey). So a scan that runs twice writes nothing new, and a scan after
 *   days of downtime fires only the most recent threshold once (7 → 3 working days missed:
 *   only the 3-day notice), never the ones it slept through.
 * - Approaching: 7, 3 and 1 working days before the due date (working days in (today, due],
 *   working-days.ts), so a due date after a weekend or Tết is counted in working days; the
 *   due day itself still counts as the 1-day threshold.
 * - Overdue: the calendar day after the due date, to the unit that must act. Escalation:
 *   when the working days since the due date (in (due, today]) reach N (default 10), to the
 *   province, with the case listed.
 * - Who acts: the Party side (school_party) records the decision, the ceremony and the
 *   official-status vote and decision (machine.ts `nextActor`); turning 30 ends the Union's
 *   introduction path, so the Union side (school_union) hears about it. Probation's end
 *   is not an act (the official-status vote that follows has its own deadline).
 * - Certificate: 6, 3 and 1 months before its last valid day (deadlines.ts `warnMonths`,
 *   month arithmetic clamped to the month's end: 31 March → 28/29 February) to the student
 *   and her school.
 */
import { dayNumber, formatDay } from '../calendar.ts';
import { CERTIFICATE_WARN_MONTHS, type Deadline, type DeadlineKind } from '../deadlines.ts';
import type { Role } from '../permissions.ts';
import type { Stage } from '../stages.ts';
import type { WorkingCalendar } from '../working-days.ts';
import type { Notice, NoticeLine } from './kinds.ts';
import type { MessageKey } from '../../i18n/vi.ts';

/** Working days before a due date at which the unit hears, widest first. */
export const APPROACH_THRESHOLDS = [7, 3, 1] as const;
export type ApproachThreshold = (typeof APPROACH_THRESHOLDS)[number];

/** Working days overdue after which the province hears, unless set otherwise. */
export const DEFAULT_ESCALATE_AFTER_WORKING_DAYS = 10;

/** Deadlines that are somebody's act, with the side that must act. */
export const DEADLINE_ACTORS: Partial<Record<DeadlineKind, readonly Role[]>> = {
  admission_decision: ['school_party'],
  ceremony: ['school_party'],
  official_vote: ['school_party'],
  official_decision: ['school_party'],
  turns_30: ['school_union'],
};
export type ActedDeadlineKind =
  'admission_decision' | 'ceremony' | 'official_vote' | 'official_decision' | 'turns_30';

/** Deadlines that go overdue as a missed step; turning 30 is a fact, not a late act. */
export const OVERDUE_KINDS: readonly DeadlineKind[] = [
  'admission_decision',
  'ceremony',
  'official_vote',
  'official_decision',
];
export type OverdueKind = 'admission_decision' | 'ceremony' | 'official_vote' | 'official_decision';

const SCHOOL_ROLES: readonly Role[] = ['school_union', 'school_party'];

/** What the triggers need of a member: names and units only, never sensitive fields. */
export interface TriggerMember {
  id: string;
  fullName: string;
  stage: Stage;
  /** The school (the unit that must act). */
  schoolId: string;
  /** The province (the member's `ancestors[0]`). */
  provinceId: string;
  /** The school's name, for the province's lines. */
  schoolName?: string;
}

export interface TriggerSettings {
  escalateAfterWorkingDays: number;
}

/** The tightest approach threshold reached with `left` working days to go, or null. */
export function approachThreshold(left: number): ApproachThreshold | null {
  if (!Number.isFinite(left) || left < 0) return null;
  let reached: ApproachThreshold | null = null;
  for (const t of APPROACH_THRESHOLDS) if (left <= t) reached = t;
  return reached;
}

export const pipelineLink = (memberId: string) => `/members/${memberId}/pipeline`;

/** A stage's name as a line of a list (the digest's and the escalation's cases). */
export const overdueLineKey = (stage: Stage) => `notify.line.overdue.${stage}` as MessageKey;

export function overdueLine(member: TriggerMember, days: number, withSchool = false): NoticeLine {
  return {
    text: {
      key: overdueLineKey(member.stage),
      // The province's lists name the school too; the separator reads the same in every language.
      params: {
        who: withSchool && member.schoolName ? `${member.fullName} — ${member.schoolName}` : member.fullName,
        days,
      },
    },
    link: pipelineLink(member.id),
  };
}

function approaching(
  member: TriggerMember,
  d: Deadline,
  calendar: WorkingCalendar,
  today: number,
): Notice | null {
  const roles = DEADLINE_ACTORS[d.kind];
  if (!roles || d.status === 'met' || d.status === 'overdue') return null;
  const due = dayNumber(d.dueDate);
  const left = calendar.workingDaysBetweenNumbers(today, due);
  const threshold = approachThreshold(left);
  if (threshold === null) return null;
  return {
    kind: 'deadline_approaching',
    eventKey: `deadline:${member.id}:${d.kind}:${d.dueDate}:${threshold}wd`,
    audience: { type: 'unit', unitId: member.schoolId, roles },
    title: {
      key: `notify.approaching.${d.kind as ActedDeadlineKind}`,
      params: { name: member.fullName, days: left },
    },
    body: { key: 'notify.approaching.body', params: { date: formatDay(due), days: left } },
    link: pipelineLink(member.id),
    memberId: member.id,
    unitId: member.schoolId,
  };
}

function overdue(
  member: TriggerMember,
  d: Deadline,
  calendar: WorkingCalendar,
  today: number,
  settings: TriggerSettings,
): Notice[] {
  if (d.status !== 'overdue' || !OVERDUE_KINDS.includes(d.kind)) return [];
  const due = dayNumber(d.dueDate);
  if (!(today > due)) return [];
  const days = calendar.workingDaysBetweenNumbers(due, today);
  const kind = d.kind as OverdueKind;
  const params = { name: member.fullName, date: formatDay(due), days };
  const out: Notice[] = [
    {
      kind: 'step_overdue',
      eventKey: `overdue:${member.id}:${d.kind}:${d.dueDate}`,
      audience: { type: 'unit', unitId: member.schoolId, roles: DEADLINE_ACTORS[d.kind] ?? SCHOOL_ROLES },
      title: { key: `notify.overdue.${kind}`, params },
      body: { key: 'notify.overdue.body', params },
      link: pipelineLink(member.id),
      memberId: member.id,
      unitId: member.schoolId,
    },
  ];
  if (days >= settings.escalateAfterWorkingDays) {
    out.push({
      kind: 'overdue_escalation',
      eventKey: `escalation:${member.id}:${d.kind}:${d.dueDate}`,
      audience: { type: 'province', unitId: member.provinceId },
      title: { key: `notify.escalation.${kind}`, params: { ...params, school: member.schoolName ?? '' } },
      body: { key: 'notify.escalation.body', params: { ...params, school: member.schoolName ?? '' } },
      link: pipelineLink(member.id),
      lines: [overdueLine(member, days, true)],
      memberId: member.id,
      unitId: member.schoolId,
    });
  }
  return out;
}

function certificate(member: TriggerMember, d: Deadline): Notice[] {
  if (d.kind !== 'certificate_expiry' || d.status !== 'due_soon' || !d.warnMonths) return [];
  if (!CERTIFICATE_WARN_MONTHS.includes(d.warnMonths)) return [];
  const eventKey = `certificate:${member.id}:${d.dueDate}:${d.warnMonths}m`;
  const params = { name: member.fullName, months: d.warnMonths, date: formatDay(dayNumber(d.dueDate)) };
  const base = {
    kind: 'certificate_expiring' as const,
    eventKey,
    memberId: member.id,
    unitId: member.schoolId,
  };
  return [
    {
      ...base,
      audience: { type: 'student', memberId: member.id },
      title: { key: 'notify.certificate.student.title', params },
      body: { key: 'notify.certificate.student.body', params },
      link: '/me',
    },
    {
      ...base,
      audience: { type: 'unit', unitId: member.schoolId, roles: SCHOOL_ROLES },
      title: { key: 'notify.certificate.school.title', params },
      body: { key: 'notify.certificate.school.body', params },
      link: pipelineLink(member.id),
    },
  ];
}

/** Every notice one member's deadlines call for today (see the header). */
export function deadlineNotices(
  member: TriggerMember,
  deadlines: readonly Deadline[],
  calendar: WorkingCalendar,
  asOf: Date | string,
  settings: TriggerSettings = { escalateAfterWorkingDays: DEFAULT_ESCALATE_AFTER_WORKING_DAYS },
): Notice[] {
  const today = dayNumber(asOf);
  if (Number.isNaN(today)) return [];
  const out: Notice[] = [];
  for (const d of deadlines) {
    const a = approaching(member, d, calendar, today);
    if (a) out.push(a);
    out.push(...overdue(member, d, calendar, today, settings), ...certificate(member, d));
  }
  return out;
}

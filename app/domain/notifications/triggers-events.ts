/**
 * Event triggers (issue 21): the notice an action produces, built here so the action's
 * service only calls `notify()` inside its own transaction (the notice exists exactly when
 * the action does). Pure; eventKeys name the event itself (the submission and its
 * decision, the record's version after a step), so a retried transaction writes one notice.
 * No sensitive fields (ethnicity, religion, citizen ID) go into params: names and dates only.
 */
import { formatDay, dayNumber, type DateLike } from '../calendar.ts';
import type { Role } from '../permissions.ts';
import type { Stage } from '../stages.ts';
import type { Notice } from './kinds.ts';
import { pipelineLink } from './triggers.ts';
import type { MessageKey } from '../../i18n/vi.ts';

const SCHOOL_ROLES: readonly Role[] = ['school_union', 'school_party'];

/** Evidence approved or returned (with the reason) → the student. */
export function evidenceReviewedNotice(e: {
  submissionId: string;
  memberId: string;
  schoolId: string;
  title: string;
  decision: 'approved' | 'returned';
  reason?: string;
}): Notice {
  const params = { title: e.title, reason: e.reason ?? '' };
  return {
    kind: 'evidence_reviewed',
    eventKey: `evidence:${e.submissionId}:${e.decision}`,
    audience: { type: 'student', memberId: e.memberId },
    title: { key: `notify.evidence.${e.decision}.title`, params },
    ...(e.decision === 'returned' ? { body: { key: 'notify.evidence.returned.body', params } } : {}),
    link: '/me/submissions',
    memberId: e.memberId,
    unitId: e.schoolId,
  };
}

/** A correction request answered (corrected or refused, with the reason) → the student. */
export function correctionAnsweredNotice(e: {
  correctionId: string;
  memberId: string;
  schoolId: string;
  decision: 'resolved' | 'rejected';
  reason: string;
}): Notice {
  return {
    kind: 'correction_answered',
    eventKey: `correction:${e.correctionId}:${e.decision}`,
    audience: { type: 'student', memberId: e.memberId },
    title: { key: `notify.correction.${e.decision}.title` },
    body: { key: 'notify.correction.body', params: { reason: e.reason } },
    link: '/me',
    memberId: e.memberId,
    unitId: e.schoolId,
  };
}

/** The message a student reads when a step moves her record into `stage`. */
export const stepRecordedKey = (stage: Stage) => `notify.step.${stage}` as MessageKey;

/**
 * A step recorded about the student → the student. `version` is the record's version
 * after the step: one event per write, however often the transaction is retried.
 */
export function stepRecordedNotice(e: {
  memberId: string;
  schoolId?: string;
  stage: Stage;
  version: number;
  refDate?: DateLike | null;
}): Notice {
  const day = dayNumber(e.refDate ?? null);
  return {
    kind: 'step_recorded',
    eventKey: `step:${e.memberId}:${e.version}`,
    audience: { type: 'student', memberId: e.memberId },
    title: { key: stepRecordedKey(e.stage) },
    ...(Number.isNaN(day) ? {} : { body: { key: 'notify.step.body', params: { date: formatDay(day) } } }),
    link: '/me',
    memberId: e.memberId,
    ...(e.schoolId ? { unitId: e.schoolId } : {}),
  };
}

/**
 * New rule conflicts on a record → its school. One notice per write that added conflicts:
 * `at` is that write's time (stable across its transaction's retries), `keys` the conflicts'.
 */
export function ruleConflictNotice(e: {
  memberId: string;
  schoolId: string;
  fullName: string;
  count: number;
  keys: readonly string[];
  at: Date;
}): Notice {
  return {
    kind: 'rule_conflict',
    eventKey: `conflict:${e.memberId}:${[...e.keys].sort().join('|')}:${e.at.getTime()}`,
    audience: { type: 'unit', unitId: e.schoolId, roles: SCHOOL_ROLES },
    title: { key: 'notify.conflict.title', params: { name: e.fullName, count: e.count } },
    body: { key: 'notify.conflict.body', params: { name: e.fullName, count: e.count } },
    link: pipelineLink(e.memberId),
    memberId: e.memberId,
    unitId: e.schoolId,
  };
}

/** A student withdrew consent → her school (the record is paused). */
export function consentWithdrawnNotice(e: {
  memberId: string;
  schoolId: string;
  fullName: string;
  at: Date;
}): Notice {
  return {
    kind: 'consent_withdrawn',
    eventKey: `consent:${e.memberId}:withdrawn:${e.at.getTime()}`,
    audience: { type: 'unit', unitId: e.schoolId, roles: SCHOOL_ROLES },
    title: { key: 'notify.consent.title', params: { name: e.fullName } },
    body: { key: 'notify.consent.body', params: { name: e.fullName, date: formatDay(dayNumber(e.at)) } },
    link: `/members/${e.memberId}`,
    memberId: e.memberId,
    unitId: e.schoolId,
  };
}

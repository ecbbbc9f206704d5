/**
 * How far away a deadline is, in words a reader takes in at a glance: working days
 * while it is near (they are what the rule counts), about N months once it is more
 * than about two months off ("còn 1174 ngày làm việc" says little; issue 18). The
 * due date itself is shown beside it. Pure and isomorphic.
 */

/** Working days in an average month: 261 a year (52 weeks of 5 days, plus one) over 12. */
export const WORKING_DAYS_PER_MONTH = 261 / 12;
/** About two months: beyond this the distance is given in months. */
export const MONTHS_AFTER_WORKING_DAYS = 44;

export type DeadlineHorizon = { unit: 'workingDays'; count: number } | { unit: 'months'; count: number };

export function deadlineHorizon(workingDaysLeft: number): DeadlineHorizon {
  if (workingDaysLeft <= MONTHS_AFTER_WORKING_DAYS) return { unit: 'workingDays', count: workingDaysLeft };
  return { unit: 'months', count: Math.round(workingDaysLeft / WORKING_DAYS_PER_MONTH) };
}

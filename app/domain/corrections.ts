import { z } from 'zod';
import { DAY_MS, VN_OFFSET_MS, dayNumber, isoDay, type DateLike } from './calendar.ts';
import type { WorkingCalendar } from './working-days.ts';

/** What a student may ask to have corrected in their record (isomorphic: the form and the model). */
export const CORRECTION_FIELDS = [
  'fullName',
  'dateOfBirth',
  'gender',
  'studentCode',
  'email',
  'phone',
  'branch',
  'academic',
  'awards',
  'activities',
  'pipeline',
  'other',
] as const;
export type CorrectionField = (typeof CORRECTION_FIELDS)[number];

/** One schema for the correction form in the browser and its action. */
export const CorrectionSchema = z.object({
  field: z.enum(CORRECTION_FIELDS, 'me.v.field'),
  message: z.string().trim().min(5, 'me.v.message').max(1000, 'validation.tooLong'),
  correctValue: z.string().trim().max(500, 'validation.tooLong').optional().default(''),
});

/**
 * The school's answer to a request: corrected ('resolved') or refused ('rejected'), always
 * with the reason the student reads on /me.
 */
export const CorrectionReplySchema = z.object({
  reason: z
    .string('queue.v.replyReason')
    .trim()
    .min(10, 'queue.v.replyReason')
    .max(1000, 'validation.tooLong'),
});

/**
 * A correction request is answered within 2 working days (Law 91/2025/QH15 on personal
 * data and Decree 356/2025/NĐ-CP: a data subject's request to view, correct, copy or delete
 * is answered within 2 working days).
 */
export const CORRECTION_ANSWER_WORKING_DAYS = 2;

export interface CorrectionDue {
  /** The last day to answer, `YYYY-MM-DD` (a Vietnam calendar day, always a working day). */
  dueDate: string;
  /** Today (Vietnam) is after the due date. */
  overdue: boolean;
  /** Working days from today to the due date: 0 on the due date, negative once overdue. */
  workingDaysLeft: number;
}

/**
 * When a request filed at the instant `createdAt` is due, and whether it is overdue on `now`.
 * The request is filed on its day in Vietnam (a request sent at 00:30 there on Saturday was
 * filed on Saturday, not on Friday as in UTC). As for every deadline in working days
 * (working-days.ts), counting starts the day after: one filed on Friday, or on the weekend,
 * is due on Tuesday; holidays are skipped and make-up working days count. It is overdue from
 * the day after its due date.
 */
export function correctionDue(createdAt: DateLike, calendar: WorkingCalendar, now: DateLike): CorrectionDue {
  const filed = dayNumber(createdAt);
  const today = dayNumber(now);
  if (Number.isNaN(filed) || Number.isNaN(today)) throw new RangeError(`Invalid date: ${String(createdAt)}`);
  const due = calendar.addWorkingDayNumber(filed, CORRECTION_ANSWER_WORKING_DAYS);
  return {
    dueDate: isoDay(due),
    overdue: today > due,
    workingDaysLeft: calendar.workingDaysBetweenNumbers(today, due),
  };
}

/**
 * The instant before which a request must have been filed to be overdue on `now`: a request
 * is overdue exactly when `createdAt < overdueFiledBefore(calendar, now)` (the same answer as
 * `correctionDue(...).overdue`), so the overdue ones can be counted with one query. The due
 * date only grows with the filing day, so it is the end (Vietnam midnight) of the last filing
 * day whose due date is before today.
 */
export function overdueFiledBefore(calendar: WorkingCalendar, now: DateLike): Date {
  const today = dayNumber(now);
  if (Number.isNaN(today)) throw new RangeError(`Invalid date: ${String(now)}`);
  let day = today - 1;
  // A few steps back at most (two working days, plus the longest run of days off: Tết).
  while (calendar.addWorkingDayNumber(day, CORRECTION_ANSWER_WORKING_DAYS) >= today) day--;
  return new Date((day + 1) * DAY_MS - VN_OFFSET_MS);
}

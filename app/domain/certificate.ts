/**
 * The Party-awareness class certificate (giấy chứng nhận nhận thức về Đảng): how long it
 * stays valid. One home for the criteria engine's `certificate_valid` rule, the pipeline's
 * rules and transitions, and the deadlines.
 */
import { addMonthsDay, calendarDay, dayNumber, type DateLike } from './calendar.ts';

/** Months an awareness-class certificate stays valid (domain.md §3, stage 3). */
export const CERTIFICATE_VALID_MONTHS = 60;

/** Last day (day number) on which a certificate is valid, or NaN when unknown. */
export function certificateLastValidDay(
  certificate: { issuedAt?: DateLike | null; expiresAt?: DateLike | null } | null | undefined,
): number {
  if (!certificate) return NaN;
  const issued = calendarDay(certificate.issuedAt);
  if (issued) return addMonthsDay(issued, CERTIFICATE_VALID_MONTHS);
  return dayNumber(certificate.expiresAt);
}

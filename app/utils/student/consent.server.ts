/**
 * A record paused because its student withdrew consent (issue 16; Law 91/2025/QH15,
 * Decree 356/2025/NĐ-CP): the same rule as `consentWithdrawn` (app/domain/consent.ts) in
 * the forms the server needs it in — the fields to read, a query filter, an aggregation
 * condition — and the refusal every path answers with.
 *
 * While paused, staff see it (member header, board card, evidence queue), exports of the
 * record and new evidence are refused, the JSON API leaves it out, and the province's
 * dashboard counts it; steps are refused by the pipeline's own rules. The student's own
 * copy of their data (/me/data.json, /me/print, their history CSV) stays available: access
 * is the data subject's right and does not depend on consent.
 */
import mongoose from 'mongoose';
import { consentWithdrawn, consentWithdrawnAt, type ConsentRecord } from '~/domain/consent';
import { formatDate, type Locale, translate } from '~/i18n';

/** What `consentWithdrawn` reads: add to a projection that feeds it. */
export const CONSENT_PAUSE_PROJECTION = { 'consent.givenAt': 1, 'consent.withdrawnAt': 1 } as const;

// Withdrawn, and not given again since: a missing `givenAt` compares below any date,
// exactly as `consentWithdrawn` treats it (checked against it in the tests).
const NOT_GIVEN_AGAIN = { $not: [{ $gt: ['$consent.givenAt', '$consent.withdrawnAt'] }] };

/**
 * A query filter for paused records, to spread into a filter that has no `$expr` of its
 * own. `consent.withdrawnAt` first: few records have one, so it narrows at once.
 */
export function consentWithdrawnFilter(): Record<string, unknown> {
  return {
    'consent.withdrawnAt': mongoose.trusted({ $type: 'date' }),
    $expr: mongoose.trusted(NOT_GIVEN_AGAIN),
  };
}

/** The same rule as an aggregation expression (for `$cond` inside a `$group`). */
export const CONSENT_WITHDRAWN_EXPR = {
  $and: [{ $eq: [{ $type: '$consent.withdrawnAt' }, 'date'] }, NOT_GIVEN_AGAIN],
};

/** The withdrawal date as the client shows it (ISO), or null while the record is not paused. */
export function pausedSince(consent: ConsentRecord | null | undefined): string | null {
  if (!consentWithdrawn(consent)) return null;
  // An unreadable date still pauses the record (consentWithdrawn); the banner then has no date.
  return consentWithdrawnAt(consent)?.toISOString() ?? '';
}

/** "Đoàn viên đã rút lại đồng ý … ngày 05/03/2026; hồ sơ tạm dừng xử lý …" in the locale. */
export function consentPausedMessage(consent: ConsentRecord | null | undefined, locale: Locale): string {
  const at = consentWithdrawnAt(consent);
  return at
    ? translate(locale, 'consent.paused', { date: formatDate(at, locale) })
    : translate(locale, 'consent.pausedUndated');
}

/** 409 with the reason as plain text: a refused export of a paused record. */
export function consentPausedResponse(consent: ConsentRecord | null | undefined, locale: Locale): Response {
  return new Response(consentPausedMessage(consent, locale), {
    status: 409,
    headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' },
  });
}

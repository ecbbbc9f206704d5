/**
 * Chronology as one rule: which dates each step's own dates must not precede (domain.md §3;
 * Hướng dẫn 12-HD/BTCTW). `CHRONOLOGY` is the whole table; `checkChronology` judges a step
 * against it, for every step the machine checks (single, bulk, the ready queue), and says
 * which two dates are out of order, both written dd/MM/yyyy.
 *
 * The chain of admission: application (1-KNĐ) ≤ personal-history verification (2-KNĐ) ≤
 * introduction (3-KNĐ / 4-KNĐ) ≤ chi bộ vote, with the opinions (5-KNĐ) in before the vote;
 * then vote ≤ committee resolution (8-KNĐ) ≤ admission decision (9-KNĐ) ≤ its receipt ≤
 * ceremony; end of probation (ceremony + 12 months) ≤ official-status vote ≤ official
 * decision (15-KNĐ). An exit's document is not dated before the stage it leaves began.
 *
 * Decisions:
 * - Only dates on file are compared: a missing one is the business of the presence rules
 *   (rules.ts: no application, personal history not verified, no opinions…), so a date that
 *   exists but comes later gets this rule's reason with both dates, never "missing".
 * - Dates of the paper dossier are the ones the tab shows (dossier.ts: entered by hand,
 *   else implied by a recorded step).
 * - The awareness-class certificate is not in the table: a certificate from an earlier class
 *   is valid for 60 months, so it may predate the selection; `checkCertificate` already
 *   refuses one issued after the application or the meeting (with both dates).
 * - Same day is in order (a vote on the day the opinions arrive is allowed).
 * - An exit from 'member' has no anchor: the record's start is when it was entered in the
 *   system (an import), not an event of the process.
 */
import { dayNumber, formatDay } from '../calendar.ts';
import { decisionReceivedDay, firstPassingOfficialVote, probationEndDay } from '../deadlines.ts';
import { applicationDay, introductionDay, opinionsDay, personalHistoryVerifiedDay } from './dossier.ts';
import { reason, text } from './rules.ts';
import { fieldLabel } from './schemas.ts';
import type { TransitionId } from './transitions.ts';
import type { PipelineRecord, Reason, ReasonCode, Text } from './types.ts';

interface Anchor {
  /** What the date is, written to follow "không được trước" / "cannot be before". */
  label: Text;
  day: (p: PipelineRecord) => number;
  /** Reason code when the step comes too early (default `date_out_of_order`). */
  code?: ReasonCode;
}

export const ANCHORS = {
  application: {
    label: text('ngày nhận đơn xin vào Đảng (1-KNĐ)', 'the day the application (1-KNĐ) was received'),
    day: applicationDay,
  },
  personalHistoryVerified: {
    label: text('ngày thẩm tra lý lịch (2-KNĐ)', 'the verification of the personal history (2-KNĐ)'),
    day: personalHistoryVerifiedDay,
  },
  introduction: {
    label: text('ngày giới thiệu (3-KNĐ, 4-KNĐ)', 'the introduction (3-KNĐ, 4-KNĐ)'),
    day: introductionDay,
  },
  opinions: {
    label: text(
      'ngày nhận tổng hợp ý kiến nhận xét của chi ủy nơi cư trú và đoàn thể (5-KNĐ)',
      'the day the opinions of the residence Party cell and mass organisations (5-KNĐ) were received',
    ),
    day: opinionsDay,
  },
  branchVote: {
    label: text('ngày chi bộ họp xét kết nạp', 'the chi bộ meeting on the admission'),
    day: (p) => dayNumber(p.branchVote?.meetingDate),
  },
  committeeReview: {
    label: text('ngày nghị quyết của đảng ủy (8-KNĐ)', 'the committee resolution (8-KNĐ)'),
    day: (p) => dayNumber(p.committeeResolution?.date),
  },
  decisionReceived: {
    label: text(
      'ngày nhận quyết định kết nạp (9-KNĐ)',
      'the day the admission decision (9-KNĐ) was received',
    ),
    day: decisionReceivedDay,
  },
  probationEnd: {
    label: text('ngày hết 12 tháng dự bị', 'the end of the 12 months of probation'),
    day: probationEndDay,
    code: 'probation_not_ended',
  },
  officialVote: {
    label: text('ngày chi bộ biểu quyết công nhận chính thức', 'the official-membership vote of the chi bộ'),
    day: (p) => dayNumber(firstPassingOfficialVote(p)?.meetingDate),
  },
  stageStart: {
    label: text('ngày bắt đầu bước hiện tại', 'the start of the current stage'),
    day: (p) => (p.stage === 'member' ? NaN : dayNumber(p.stageSince)),
  },
} as const satisfies Record<string, Anchor>;

export type AnchorId = keyof typeof ANCHORS;

/** What a date must not precede: a date on file, or another date field of the same step. */
export type Earlier = AnchorId | { field: string };

const VOTE_AFTER: readonly Earlier[] = ['application', 'personalHistoryVerified', 'introduction', 'opinions'];
const EXIT: Readonly<Record<string, readonly Earlier[]>> = { refDate: ['stageStart'] };

/** Step → its date field → what that date must not precede. Steps absent here have no dated anchor. */
export const CHRONOLOGY: Readonly<
  Partial<Record<TransitionId, Readonly<Record<string, readonly Earlier[]>>>>
> = {
  open_dossier: {
    verifiedAt: [{ field: 'applicationReceivedAt' }, { field: 'personalHistoryReceivedAt' }],
  },
  record_introduction: { introducedAt: ['application', 'personalHistoryVerified'] },
  record_branch_vote: { meetingDate: VOTE_AFTER },
  record_committee_review: { resolutionDate: ['branchVote'] },
  record_decision: { decisionDate: ['committeeReview'], receivedAt: [{ field: 'decisionDate' }] },
  record_ceremony: { ceremonyDate: ['decisionReceived'] },
  record_official_vote: { meetingDate: ['probationEnd'] },
  recognise_official: { decisionDate: ['probationEnd', 'officialVote'] },
  not_admitted: { ...EXIT, 'vote.meetingDate': VOTE_AFTER },
  return_for_improvement: EXIT,
  withdraw: EXIT,
  strike_off: EXIT,
  transfer: EXIT,
  age_out: EXIT,
};

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

function valueAt(values: Readonly<Record<string, unknown>>, path: string): number {
  let node: unknown = values;
  for (const key of path.split('.')) {
    node = node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
  }
  return typeof node === 'number' ? node : NaN;
}

/**
 * Every date of the step that comes before what it must follow. `values` holds the step's
 * dates as day numbers by field path (the parsed input); absent dates are not judged.
 */
export function checkChronology(
  transitionId: string,
  p: PipelineRecord,
  values: Readonly<Record<string, unknown>>,
): Reason[] {
  const rows = CHRONOLOGY[transitionId as TransitionId];
  if (!rows) return [];
  const out: Reason[] = [];
  for (const [field, earlier] of Object.entries(rows)) {
    const day = valueAt(values, field);
    if (Number.isNaN(day)) continue;
    const own = fieldLabel(field);
    for (const e of earlier) {
      let other: { label: Text; day: number; code: ReasonCode };
      if (typeof e === 'string') {
        const a: Anchor = ANCHORS[e];
        other = { label: a.label, day: a.day(p), code: a.code ?? 'date_out_of_order' };
      } else {
        const l = fieldLabel(e.field);
        other = {
          label: { vi: lowerFirst(l.vi), en: `the ${lowerFirst(l.en)}` },
          day: valueAt(values, e.field),
          code: 'date_out_of_order',
        };
      }
      if (Number.isNaN(other.day) || day >= other.day) continue;
      out.push(
        reason(
          other.code,
          `${own.vi} (${formatDay(day)}) không được trước ${other.label.vi} (${formatDay(other.day)})`,
          `${own.en} (${formatDay(day)}) cannot be before ${other.label.en} (${formatDay(other.day)})`,
          field,
        ),
      );
    }
  }
  return out;
}

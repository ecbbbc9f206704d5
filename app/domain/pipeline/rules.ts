/**
 * The hard rules of domain.md §3, each returning every reason it finds (never
 * just the first), with bilingual messages. Days are Vietnam calendar day
 * numbers (calendar.ts); months are whole months (BLDS 2015 art. 148).
 *
 * Decisions:
 * - Age 18 to 60 in whole months on the chi bộ meeting date: ≥ 216 and ≤ 720
 *   months, the same reading as the criteria engine (60 years and 11 days
 *   passes, 60 years and 1 month does not).
 * - Union age at the meeting: ≤ 30 in the same reading, ≤ 360 whole months.
 * - Certificate valid through its last day, issue + 60 months
 *   (`certificateLastValidDay`, shared with the criteria engine).
 * - Vote threshold: yes ≥ ceil(2/3 × official members of the chi bộ), computed
 *   in integers (ceil(2n/3)) so 9 → 6 and 10 → 7 without float surprises.
 */
import { certificateLastValidDay } from '../certificate.ts';
import { calendarDay, dayNumber, formatDay, fromDayNumber, wholeMonthsBetween } from '../calendar.ts';
import { countOn, type RegisterEntry } from '../party-register.ts';
import { applicationDay, opinionsDay, personalHistoryVerifiedDay } from './dossier.ts';
import { fieldLabel } from './schemas.ts';
import type { PipelineIntroducer, PipelineMember, PipelineVote, Reason, ReasonCode, Text } from './types.ts';

export const MIN_AGE_MONTHS = 18 * 12;
export const MAX_AGE_MONTHS = 60 * 12;
export const UNION_AGE_MAX_MONTHS = 30 * 12;
export const INTRODUCER_MIN_MONTHS = 12;
export const MAX_FAILED_OFFICIAL_VOTES = 3;

export function reason(code: ReasonCode, vi: string, en: string, field?: string): Reason {
  return field ? { code, field, message: { vi, en } } : { code, message: { vi, en } };
}

export function text(vi: string, en: string): Text {
  return { vi, en };
}

/** ceil(2/3 × officialMembers) in integers. */
export function voteThreshold(officialMembers: number): number {
  return Math.ceil((2 * officialMembers) / 3);
}

/** Age in whole months on `day`, or NaN without a date of birth. */
export function ageMonthsOn(member: PipelineMember, day: number): number {
  const birth = calendarDay(member.dateOfBirth);
  if (!birth) return NaN;
  return wholeMonthsBetween(birth, fromDayNumber(day));
}

export function isUnionAgeOn(member: PipelineMember, day: number): boolean {
  const months = ageMonthsOn(member, day);
  return !Number.isNaN(months) && months <= UNION_AGE_MAX_MONTHS;
}

const yearsMonths = (months: number) => ({ y: Math.floor(months / 12), m: months % 12 });

export function checkAge(member: PipelineMember, day: number, field?: string): Reason[] {
  const months = ageMonthsOn(member, day);
  const on = formatDay(day);
  if (Number.isNaN(months)) {
    return [reason('age_missing', 'Chưa có ngày sinh', 'Date of birth missing', field)];
  }
  const { y, m } = yearsMonths(Math.max(0, months));
  if (months < MIN_AGE_MONTHS) {
    return [
      reason(
        'age_below_min',
        `Chưa đủ 18 tuổi vào ngày ${on} (${y} năm ${m} tháng)`,
        `Under 18 on ${on} (${y} y ${m} m)`,
        field,
      ),
    ];
  }
  if (months > MAX_AGE_MONTHS) {
    return [
      reason(
        'age_above_max',
        `Quá 60 tuổi vào ngày ${on} (${y} năm ${m} tháng)`,
        `Over 60 on ${on} (${y} y ${m} m)`,
        field,
      ),
    ];
  }
  return [];
}

export function checkCertificate(member: PipelineMember, day: number, field?: string): Reason[] {
  const cert = member.pipeline?.certificate;
  const last = certificateLastValidDay(cert);
  const on = formatDay(day);
  if (Number.isNaN(last)) {
    return [
      reason(
        'certificate_missing',
        'Chưa có giấy chứng nhận lớp bồi dưỡng nhận thức về Đảng',
        'No Party awareness class certificate',
        field,
      ),
    ];
  }
  const issued = dayNumber(cert?.issuedAt);
  if (issued > day) {
    return [
      reason(
        'certificate_not_yet_issued',
        `Giấy chứng nhận cấp ngày ${formatDay(issued)}, sau ngày ${on}`,
        `Certificate issued ${formatDay(issued)}, after ${on}`,
        field,
      ),
    ];
  }
  if (last < day) {
    return [
      reason(
        'certificate_expired',
        `Giấy chứng nhận nhận thức về Đảng hết hạn ngày ${formatDay(last)}, trước ngày ${on}`,
        `Party awareness certificate expired on ${formatDay(last)}, before ${on}`,
        field,
      ),
    ];
  }
  return [];
}

/**
 * The dossier the chi bộ needs on the table: application received and personal history
 * verified. Presence only: a date that exists but comes after the meeting is the
 * chronology's business (chronology.ts), which names both dates instead of "missing".
 * Dates entered in the paper checklist count (dossier.ts), as the tab shows them.
 */
export function checkDossier(member: PipelineMember): Reason[] {
  const p = member.pipeline;
  const out: Reason[] = [];
  if (Number.isNaN(applicationDay(p))) {
    out.push(
      reason('dossier_incomplete', 'Chưa có đơn xin vào Đảng (1-KNĐ)', 'No application letter (1-KNĐ)'),
    );
  }
  if (Number.isNaN(personalHistoryVerifiedDay(p))) {
    out.push(
      reason(
        'dossier_incomplete',
        'Lý lịch (2-KNĐ) chưa được thẩm tra, kết luận',
        'Personal history (2-KNĐ) not verified yet',
      ),
    );
  }
  return out;
}

/**
 * The opinions of the residence Party cell and mass organisations (5-KNĐ) are in before the
 * chi bộ considers the candidate (Hướng dẫn 12-HD/BTCTW). Presence only, as above.
 */
export function checkOpinions(member: PipelineMember): Reason[] {
  if (!Number.isNaN(opinionsDay(member.pipeline))) return [];
  return [
    reason(
      'opinions_missing',
      'Chưa có tổng hợp ý kiến nhận xét của chi ủy nơi cư trú và đoàn thể (5-KNĐ): ghi ngày nhận trong mục hồ sơ giấy trước khi chi bộ xét',
      'No opinions of the residence Party cell and mass organisations (5-KNĐ) on file: enter the day they were received in the paper dossier before the chi bộ considers the candidate',
    ),
  ];
}

/**
 * Introducers (Charter art. 4; Quy định 232): each party-member introducer is
 * official and has worked or studied with the candidate ≥ 12 months; a Union
 * introducer is the grassroots Union executive's resolution (4-KNĐ, needs its
 * number). Union-age candidate: the Union resolution plus one official member;
 * otherwise two official members.
 */
export function checkIntroducers(
  introducers: readonly PipelineIntroducer[] | null | undefined,
  unionAge: boolean,
  field = 'introducers',
): Reason[] {
  const list = introducers ?? [];
  const out: Reason[] = [];
  if (list.length === 0) {
    return [reason('introducers_missing', 'Chưa có người giới thiệu', 'No introducers recorded', field)];
  }
  let members = 0;
  let unions = 0;
  list.forEach((intro, i) => {
    const at = `${field}.${i}`;
    if (intro.kind === 'union') {
      unions++;
      if (!intro.refNo?.trim()) {
        out.push(
          reason(
            'introducer_union_resolution',
            'Giới thiệu của Đoàn cần số nghị quyết của Ban Chấp hành Đoàn cơ sở (4-KNĐ)',
            'A Union introduction needs the number of the Union executive resolution (4-KNĐ)',
            `${at}.refNo`,
          ),
        );
      }
      return;
    }
    members++;
    if (intro.official !== true) {
      out.push(
        reason(
          'introducer_not_official',
          `${intro.name} chưa là đảng viên chính thức`,
          `${intro.name} is not an official Party member`,
          `${at}.official`,
        ),
      );
    }
    const months = intro.monthsTogether;
    if (typeof months !== 'number' || !(months >= INTRODUCER_MIN_MONTHS)) {
      out.push(
        reason(
          'introducer_months',
          `${intro.name} mới công tác/học tập cùng ${months ?? 0} tháng (cần ít nhất ${INTRODUCER_MIN_MONTHS})`,
          `${intro.name} has worked or studied with the candidate ${months ?? 0} months (at least ${INTRODUCER_MIN_MONTHS} needed)`,
          `${at}.monthsTogether`,
        ),
      );
    }
  });
  const composed = unionAge ? unions === 1 && members === 1 : unions === 0 && members === 2;
  if (!composed) {
    out.push(
      unionAge
        ? reason(
            'introducers_composition',
            'Người trong độ tuổi đoàn cần nghị quyết giới thiệu của Ban Chấp hành Đoàn (4-KNĐ) và một đảng viên chính thức',
            'A candidate of Union age needs the Union executive resolution (4-KNĐ) and one official Party member',
            field,
          )
        : reason(
            'introducers_composition',
            'Người ngoài độ tuổi đoàn cần hai đảng viên chính thức giới thiệu',
            'A candidate past Union age needs two official Party members as introducers',
            field,
          ),
    );
  }
  return out;
}

/** Counts consistent with the chi bộ's size. */
export function checkVoteCounts(vote: PipelineVote): Reason[] {
  const { yes, no, officialMemberCount: n } = vote;
  if (typeof yes !== 'number' || typeof n !== 'number') return [];
  if (yes + (no ?? 0) > n) {
    return [
      reason(
        'vote_counts',
        `Số phiếu (${yes} tán thành, ${no ?? 0} không tán thành) vượt số đảng viên chính thức (${n})`,
        `Votes (${yes} yes, ${no ?? 0} no) exceed the official members (${n})`,
        'yes',
      ),
    ];
  }
  return [];
}

export function votePasses(vote: PipelineVote | null | undefined): boolean {
  return (
    typeof vote?.yes === 'number' &&
    typeof vote.officialMemberCount === 'number' &&
    vote.officialMemberCount > 0 &&
    vote.yes >= voteThreshold(vote.officialMemberCount)
  );
}

export function checkVoteThreshold(vote: PipelineVote): Reason[] {
  const { yes, officialMemberCount: n } = vote;
  if (typeof yes !== 'number' || typeof n !== 'number') return [];
  const need = voteThreshold(n);
  if (yes >= need) return [];
  return [
    reason(
      'vote_threshold',
      `${yes}/${n} đảng viên chính thức tán thành, cần ít nhất ${need} (2/3 số đảng viên chính thức của chi bộ)`,
      `${yes}/${n} official members voted yes; at least ${need} needed (2/3 of the chi bộ's official members)`,
      'yes',
    ),
  ];
}

export function checkNotFuture(day: number, asOf: number, field: string): Reason[] {
  if (day <= asOf) return [];
  return [
    reason(
      'date_in_future',
      `Ngày ${formatDay(day)} sau ngày hôm nay (${formatDay(asOf)})`,
      `${formatDay(day)} is after today (${formatDay(asOf)})`,
      field,
    ),
  ];
}

/** The chi bộ a vote is taken in, with its dated register of official members (party-register.ts). */
export interface VoteCell {
  id: string;
  name?: string | null;
  register: readonly RegisterEntry[];
}

/** A vote as typed or stored: the meeting day (a day number), the counts, maybe a typed count. */
export interface VoteFacts {
  meetingDate: number;
  yes: number;
  no?: number | null;
  officialMemberCount?: number | null;
}

export interface EffectiveVote {
  /**
   * The official members the vote is judged against: the register's count on the meeting
   * day when the chi bộ is known, else the typed count; null when neither is there.
   */
  officialMemberCount: number | null;
  source: 'register' | 'typed' | null;
  /** Refusals (register missing or contradicted, counts too many, 2/3 not reached). */
  reasons: Reason[];
  passes: boolean;
}

/** "Chi bộ <tên>" without doubling the word when the name carries it already. */
function cellLabel(cell: VoteCell): Text {
  const name = cell.name?.trim();
  if (!name) return text('Chi bộ đã chọn', 'The chosen chi bộ');
  return /^chi bộ/i.test(name) ? text(name, name) : text(`Chi bộ ${name}`, `Chi bộ ${name}`);
}

/**
 * The vote judged against the chi bộ's register (domain.md: yes ≥ ⌈2/3⌉ of the chi bộ's
 * official members, not of those present). With `ctx.cell` the count is the register's on
 * the meeting day, never the typed one: no entry in force → `register_missing` (on
 * `partyCellId`); a typed count that differs → `register_mismatch` (both numbers named).
 * Without a cell (pure callers) the typed count is used and then required. Then yes + no
 * never exceed the count and, when `requirePass`, yes ≥ ⌈2n/3⌉; the messages name the
 * numbers and the meeting day. `prefix` places the fields (`vote.` inside `not_admitted`).
 * Pure: the re-check of recorded votes after a register change calls it too.
 */
export function effectiveVote(
  ctx: { cell?: VoteCell | null },
  vote: VoteFacts,
  options: { requirePass?: boolean; prefix?: string } = {},
): EffectiveVote {
  const { requirePass = true, prefix = '' } = options;
  const on = formatDay(vote.meetingDate);
  const typed = typeof vote.officialMemberCount === 'number' ? vote.officialMemberCount : null;
  const at = (f: string) => `${prefix}${f}`;
  let n: number | null;
  let source: EffectiveVote['source'];
  let whose: Text;
  if (ctx.cell) {
    const label = cellLabel(ctx.cell);
    n = countOn(ctx.cell.register, vote.meetingDate);
    source = 'register';
    whose = text(`của ${label.vi} vào ngày họp ${on}`, `of ${label.en} on the meeting day ${on}`);
    if (n === null) {
      const missing = reason(
        'register_missing',
        `${label.vi} chưa có số đảng viên chính thức vào ngày họp ${on}; ghi ở Sổ đảng viên chi bộ`,
        `${label.en} has no official-member count in force on the meeting day ${on}; record it in the chi bộ register`,
        at('partyCellId'),
      );
      return { officialMemberCount: null, source, reasons: [missing], passes: false };
    }
    if (typed !== null && typed !== n) {
      const mismatch = reason(
        'register_mismatch',
        `Số đảng viên chính thức nhập (${typed}) khác Sổ đảng viên: ${label.vi} có ${n} đảng viên chính thức vào ngày họp ${on}`,
        `The official members typed (${typed}) differ from the register: ${label.en} had ${n} official members on the meeting day ${on}`,
        at('officialMemberCount'),
      );
      return { officialMemberCount: n, source, reasons: [mismatch], passes: false };
    }
  } else {
    n = typed;
    source = typed === null ? null : 'typed';
    whose = text(`của chi bộ vào ngày họp ${on}`, `of the chi bộ on the meeting day ${on}`);
    if (n === null) {
      const label = fieldLabel('officialMemberCount');
      const missing = reason(
        'invalid_input',
        `${label.vi}: thiếu hoặc không hợp lệ`,
        `${label.en}: missing or invalid`,
        at('officialMemberCount'),
      );
      return { officialMemberCount: null, source, reasons: [missing], passes: false };
    }
  }
  const reasons: Reason[] = [];
  const no = vote.no ?? 0;
  if (vote.yes + no > n) {
    reasons.push(
      reason(
        'vote_counts',
        `Số phiếu (${vote.yes} tán thành, ${no} không tán thành, tổng ${vote.yes + no}) vượt số đảng viên chính thức (${n}) ${whose.vi}`,
        `Votes (${vote.yes} yes, ${no} no, ${vote.yes + no} in all) exceed the official members (${n}) ${whose.en}`,
        at('yes'),
      ),
    );
  }
  // A cell of no official members passes nobody (at least one yes, never more than n).
  const need = Math.max(1, voteThreshold(n));
  const passes = vote.yes >= need && reasons.length === 0;
  if (requirePass && vote.yes < need) {
    reasons.push(
      reason(
        'vote_threshold',
        `${vote.yes}/${n} đảng viên chính thức tán thành, cần ít nhất ${need} (2/3 số đảng viên chính thức ${whose.vi})`,
        `${vote.yes}/${n} official members voted yes; at least ${need} needed (2/3 of the official members ${whose.en})`,
        at('yes'),
      ),
    );
  }
  return { officialMemberCount: n, source, reasons, passes };
}

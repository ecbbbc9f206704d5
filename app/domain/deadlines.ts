/**
 * Every legal deadline of a member's admission pipeline (domain.md §3), with
 * its status on a reference day. Pure: the caller passes the working calendar
 * (built from the holiday table) and `asOf`.
 *
 * Decisions:
 * - Working-day deadlines count from the day after the event (working-days.ts).
 * - The admission decision clock starts at the chi bộ meeting (its resolution
 *   is dated that day); the ceremony clock at the day the decision is received
 *   (`decision.receivedAt`, else the decision date: receipt is never earlier).
 * - Probation ends ceremony + 12 calendar months; the official date is that
 *   day even when the vote or decision comes later (Charter art. 5).
 * - The official-status decision clock starts at the first passing vote.
 * - A deadline is 'met' once its act is on file (`late` says if after the due
 *   date); an open deadline is 'overdue' the day after its due date, 'due_soon'
 *   within `dueSoonWorkingDays` working days (month-based ones: warning months).
 * - Certificate expiry warns 6, 3 and 1 months ahead (`warnMonths`) and is met
 *   by a chi bộ vote held while valid. Turning 30 matters only before the vote
 *   (the Union-age introduction path ends), so it disappears afterwards.
 * - Exits (not admitted, withdrawn, …) keep only met deadlines: nothing is due
 *   any more. A member returned for improvement keeps the certificate and age
 *   warnings, which still run while the dossier is reworked.
 */
import { certificateLastValidDay } from './certificate.ts';
import { addMonthsDay, calendarDay, dayNumber, fromDayNumber, isoDay, type DateLike } from './calendar.ts';
import type { Text } from './criteria/types.ts';
import { votePasses } from './pipeline/rules.ts';
import { isExitStage, isPipelineStage, stageIndex, type PipelineStage } from './stages.ts';
import type { WorkingCalendar } from './working-days.ts';
import type { OfficialVote, PipelineMember, PipelineRecord } from './pipeline/types.ts';

export const DECISION_WORKING_DAYS = 60;
export const CEREMONY_WORKING_DAYS = 30;
export const OFFICIAL_VOTE_WORKING_DAYS = 30;
export const OFFICIAL_DECISION_WORKING_DAYS = 30;
/** Extra working days a recorded reason buys (decision and official decision). */
export const EXTENSION_WORKING_DAYS = 30;
export const PROBATION_MONTHS = 12;
export const UNION_AGE_YEARS = 30;
export const CERTIFICATE_WARN_MONTHS = [6, 3, 1] as const;

export const DEADLINE_KINDS = [
  'admission_decision',
  'ceremony',
  'probation_end',
  'official_vote',
  'official_decision',
  'certificate_expiry',
  'turns_30',
] as const;
export type DeadlineKind = (typeof DEADLINE_KINDS)[number];
export type DeadlineStatus = 'upcoming' | 'due_soon' | 'overdue' | 'met';

export interface Deadline {
  kind: DeadlineKind;
  /** `YYYY-MM-DD`, Vietnam calendar day. */
  dueDate: string;
  status: DeadlineStatus;
  metOn?: string;
  /** Met, but after the due date. */
  late?: boolean;
  /** The +30 working days of a recorded extension reason apply. */
  extended?: boolean;
  /** Certificate: the tightest warning threshold reached (6, 3 or 1 months before expiry). */
  warnMonths?: (typeof CERTIFICATE_WARN_MONTHS)[number];
  /** Working-day deadlines: working days from asOf to the due date (negative once overdue). */
  workingDaysLeft?: number;
  label: Text;
}

export interface DeadlineOptions {
  /** An open working-day deadline is 'due_soon' within this many working days. Default 10. */
  dueSoonWorkingDays?: number;
  /** Probation end and turning 30 are 'due_soon' within this many months. Default 1 and 6. */
  probationDueSoonMonths?: number;
  ageDueSoonMonths?: number;
}

export const DEADLINE_LABELS: Record<DeadlineKind, Text> = {
  admission_decision: {
    vi: 'Quyết định kết nạp (60 ngày làm việc từ nghị quyết chi bộ)',
    en: 'Admission decision (60 working days from the chi bộ resolution)',
  },
  ceremony: {
    vi: 'Lễ kết nạp (30 ngày làm việc từ khi nhận quyết định)',
    en: 'Admission ceremony (30 working days from receiving the decision)',
  },
  probation_end: { vi: 'Hết 12 tháng dự bị', en: 'End of the 12-month probation' },
  official_vote: {
    vi: 'Chi bộ xét công nhận đảng viên chính thức (30 ngày làm việc sau khi hết dự bị)',
    en: 'Chi bộ vote on official membership (30 working days after probation ends)',
  },
  official_decision: {
    vi: 'Quyết định công nhận đảng viên chính thức (30 ngày làm việc từ khi chi bộ biểu quyết)',
    en: 'Official membership decision (30 working days from the chi bộ vote)',
  },
  certificate_expiry: {
    vi: 'Giấy chứng nhận nhận thức về Đảng hết hạn (60 tháng)',
    en: 'Party awareness certificate expires (60 months)',
  },
  turns_30: { vi: 'Tròn 30 tuổi (hết tuổi đoàn)', en: 'Turns 30 (ages out of the Union)' },
};

const EXTENDED_SUFFIX: Text = {
  vi: ' — gia hạn thêm 30 ngày làm việc',
  en: ' — extended by 30 working days',
};

function labelOf(kind: DeadlineKind, extended = false): Text {
  const base = DEADLINE_LABELS[kind];
  return extended ? { vi: base.vi + EXTENDED_SUFFIX.vi, en: base.en + EXTENDED_SUFFIX.en } : { ...base };
}

const hasText = (s: string | null | undefined) => typeof s === 'string' && s.trim().length > 0;

/** Due day of the admission decision; NaN without a chi bộ meeting date. */
export function admissionDecisionDueDay(
  p: PipelineRecord | null | undefined,
  calendar: WorkingCalendar,
  extended?: boolean,
): number {
  const meeting = dayNumber(p?.branchVote?.meetingDate);
  if (Number.isNaN(meeting)) return NaN;
  const ext = extended ?? hasText(p?.decisionExtensionReason);
  return calendar.addWorkingDayNumber(meeting, DECISION_WORKING_DAYS + (ext ? EXTENSION_WORKING_DAYS : 0));
}

/** Day the chi bộ received the admission decision (the ceremony clock's start). */
export function decisionReceivedDay(p: PipelineRecord | null | undefined): number {
  const received = dayNumber(p?.decision?.receivedAt);
  return Number.isNaN(received) ? dayNumber(p?.decision?.date) : received;
}

export function ceremonyDueDay(p: PipelineRecord | null | undefined, calendar: WorkingCalendar): number {
  const received = decisionReceivedDay(p);
  return Number.isNaN(received) ? NaN : calendar.addWorkingDayNumber(received, CEREMONY_WORKING_DAYS);
}

/** Ceremony + 12 months: the end of probation and the official date. */
export function probationEndDay(p: PipelineRecord | null | undefined): number {
  const ceremony = calendarDay(p?.ceremonyDate ?? p?.probation?.start);
  if (ceremony) return addMonthsDay(ceremony, PROBATION_MONTHS);
  return dayNumber(p?.probation?.end);
}

export function officialVoteDueDay(p: PipelineRecord | null | undefined, calendar: WorkingCalendar): number {
  const end = probationEndDay(p);
  return Number.isNaN(end) ? NaN : calendar.addWorkingDayNumber(end, OFFICIAL_VOTE_WORKING_DAYS);
}

export function firstPassingOfficialVote(p: PipelineRecord | null | undefined): OfficialVote | undefined {
  return (p?.officialVotes ?? []).find((v) => votePasses(v));
}

export function officialDecisionDueDay(
  p: PipelineRecord | null | undefined,
  calendar: WorkingCalendar,
  extended?: boolean,
): number {
  const vote = dayNumber(firstPassingOfficialVote(p)?.meetingDate);
  if (Number.isNaN(vote)) return NaN;
  const ext = extended ?? hasText(p?.officialDecisionExtensionReason);
  return calendar.addWorkingDayNumber(
    vote,
    OFFICIAL_DECISION_WORKING_DAYS + (ext ? EXTENSION_WORKING_DAYS : 0),
  );
}

/** Day of the latest history entry for `stage` (its refDate, else when it was recorded). */
function historyDay(p: PipelineRecord, stage: string): number {
  const history = p.history ?? [];
  for (let i = history.length - 1; i >= 0; i--) {
    const h = history[i];
    if (h.stage === stage) {
      const ref = dayNumber(h.refDate);
      return Number.isNaN(ref) ? dayNumber(h.at) : ref;
    }
  }
  return NaN;
}

export function computeDeadlines(
  member: PipelineMember,
  calendar: WorkingCalendar,
  asOf: DateLike,
  options: DeadlineOptions = {},
): Deadline[] {
  const p = member.pipeline;
  const today = dayNumber(asOf);
  if (!p || Number.isNaN(today)) return [];
  const dueSoonWd = options.dueSoonWorkingDays ?? 10;
  const stage = p.stage;
  const live = isPipelineStage(stage) && stage !== 'official';
  const paused = stage === 'returned';
  const out: Deadline[] = [];

  const workingDeadline = (kind: DeadlineKind, due: number, met: number, extended = false) => {
    if (Number.isNaN(due)) return;
    const base = {
      kind,
      dueDate: isoDay(due),
      label: labelOf(kind, extended),
      ...(extended ? { extended } : {}),
    };
    if (!Number.isNaN(met)) {
      out.push({ ...base, status: 'met', metOn: isoDay(met), ...(met > due ? { late: true } : {}) });
      return;
    }
    if (!live) return;
    const left = calendar.workingDaysBetweenNumbers(today, due);
    const status: DeadlineStatus = today > due ? 'overdue' : left <= dueSoonWd ? 'due_soon' : 'upcoming';
    out.push({ ...base, status, workingDaysLeft: left });
  };

  // Admission decision and ceremony.
  const decisionExtended = hasText(p.decisionExtensionReason);
  workingDeadline(
    'admission_decision',
    admissionDecisionDueDay(p, calendar),
    dayNumber(p.decision?.date),
    decisionExtended,
  );
  workingDeadline('ceremony', ceremonyDueDay(p, calendar), dayNumber(p.ceremonyDate));

  // Probation and official membership.
  const end = probationEndDay(p);
  if (!Number.isNaN(end)) {
    const reachedOfficial = stage === 'official' || !Number.isNaN(dayNumber(p.officialDate));
    if (reachedOfficial || (stage === 'probation' && today >= end)) {
      out.push({
        kind: 'probation_end',
        dueDate: isoDay(end),
        status: 'met',
        metOn: isoDay(end),
        label: labelOf('probation_end'),
      });
    } else if (stage === 'probation') {
      const soon = addMonthsDay(fromDayNumber(end), -(options.probationDueSoonMonths ?? 1));
      out.push({
        kind: 'probation_end',
        dueDate: isoDay(end),
        status: today >= soon ? 'due_soon' : 'upcoming',
        label: labelOf('probation_end'),
      });
    }
    const passing = firstPassingOfficialVote(p);
    let voteMet = dayNumber(passing?.meetingDate);
    // Records that reached 'official' before votes were kept (seed, imports): the vote was met, date unknown.
    if (Number.isNaN(voteMet) && reachedOfficial) voteMet = historyDay(p, 'official');
    if (stage === 'probation' || !Number.isNaN(voteMet)) {
      workingDeadline('official_vote', officialVoteDueDay(p, calendar), voteMet);
    }
    const officialMet = Number.isNaN(dayNumber(p.officialDecision?.date))
      ? reachedOfficial
        ? historyDay(p, 'official')
        : NaN
      : dayNumber(p.officialDecision?.date);
    const officialExtended = hasText(p.officialDecisionExtensionReason);
    workingDeadline('official_decision', officialDecisionDueDay(p, calendar), officialMet, officialExtended);
  }

  // Certificate expiry: matters until the chi bộ votes.
  const certLast = certificateLastValidDay(p.certificate);
  if (!Number.isNaN(certLast)) {
    const meeting = dayNumber(p.branchVote?.meetingDate);
    const base = {
      kind: 'certificate_expiry' as const,
      dueDate: isoDay(certLast),
      label: labelOf('certificate_expiry'),
    };
    if (!Number.isNaN(meeting)) {
      out.push({
        ...base,
        status: 'met',
        metOn: isoDay(meeting),
        ...(meeting > certLast ? { late: true } : {}),
      });
    } else if ((live && stageIndex(stage as PipelineStage) < stageIndex('branch_vote')) || paused) {
      const lastCal = fromDayNumber(certLast);
      let warnMonths: Deadline['warnMonths'];
      for (const m of CERTIFICATE_WARN_MONTHS) if (today >= addMonthsDay(lastCal, -m)) warnMonths = m;
      const status: DeadlineStatus = today > certLast ? 'overdue' : warnMonths ? 'due_soon' : 'upcoming';
      out.push({ ...base, status, ...(warnMonths && status !== 'overdue' ? { warnMonths } : {}) });
    }
  }

  // Turning 30: the Union-age path (Union resolution + one member) ends; the Union's own ageing-out.
  const birth = calendarDay(member.dateOfBirth);
  const beforeVote = (live && stageIndex(stage as PipelineStage) < stageIndex('branch_vote')) || paused;
  if (birth && beforeVote && Number.isNaN(dayNumber(p.branchVote?.meetingDate))) {
    const due = addMonthsDay(birth, UNION_AGE_YEARS * 12);
    const soon = addMonthsDay(fromDayNumber(due), -(options.ageDueSoonMonths ?? 6));
    const status: DeadlineStatus = today > due ? 'overdue' : today >= soon ? 'due_soon' : 'upcoming';
    out.push({ kind: 'turns_30', dueDate: isoDay(due), status, label: labelOf('turns_30') });
  }

  // Keep exits quiet except for met history (see header).
  return isExitStage(stage) && !paused ? out.filter((d) => d.status === 'met') : out;
}

/** The deadline a record is waiting on: the earliest open one, if any. */
export interface NextDue {
  kind: DeadlineKind;
  /** `YYYY-MM-DD`, Vietnam calendar day. */
  dueDate: string;
}

/**
 * The earliest deadline not yet met on `asOf` (overdue ones included), or null.
 * Stored on the member (`pipeline.due`) so lists can filter "overdue" by index;
 * it moves with writes, holiday edits and the passing of time (probation ends by
 * itself), so the server recomputes it after each of those. A plain member is not in
 * the admission pipeline: turning 30 is only the Union's business there, so nothing is due.
 */
export function nextDue(member: PipelineMember, calendar: WorkingCalendar, asOf: DateLike): NextDue | null {
  if (!member.pipeline || member.pipeline.stage === 'member') return null;
  let best: NextDue | null = null;
  for (const d of computeDeadlines(member, calendar, asOf)) {
    if (d.status === 'met') continue;
    if (!best || d.dueDate < best.dueDate) best = { kind: d.kind, dueDate: d.dueDate };
  }
  return best;
}

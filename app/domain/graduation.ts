/**
 * Expected graduation (issue 16): an optional month on the member's profile ("2027-06") and
 * the warning when it falls before the expected admission decision — after graduating the
 * student leaves the school's Party cell, so the file must be finished first or transferred.
 * Pure, isomorphic.
 *
 * Decisions:
 * - "Falls before" compares the month's last day with the expected decision day: a student
 *   graduating in June is warned about a decision due on 1 July, not about one due on 20 June.
 * - The expected decision day is the legal one once the chi bộ has voted (the deadlines
 *   module: 60 working days from the meeting, 90 with an extension). Before the vote it is the
 *   earliest possible: a vote today plus those 60 working days (`estimated`), so a warning
 *   then is certain, never a guess that the file will be slow.
 * - Only while the admission is open (not once the decision exists, nor for an ended or
 *   returned record).
 */
import { dayNumber, formatDay, isoDay, type DateLike } from './calendar.ts';
import { DECISION_WORKING_DAYS, admissionDecisionDueDay } from './deadlines.ts';
import type { PipelineRecord } from './pipeline/types.ts';
import { PIPELINE_STAGES, stageIndex } from './stages.ts';
import type { Text } from './criteria/types.ts';
import type { WorkingCalendar } from './working-days.ts';

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** "2027-06", "06/2027", "6/2027", "06-2027" or "T6/2027" → "2027-06"; null otherwise. */
export function parseGraduationMonth(text: string | null | undefined): string | null {
  const s = (text ?? '').trim().replace(/^(tháng|t)\s*/i, '');
  let y: number;
  let m: number;
  const iso = /^(\d{4})-(\d{1,2})$/.exec(s);
  const vn = /^(\d{1,2})\s*[/.-]\s*(\d{4})$/.exec(s);
  if (iso) [y, m] = [Number(iso[1]), Number(iso[2])];
  else if (vn) [y, m] = [Number(vn[2]), Number(vn[1])];
  else return null;
  if (m < 1 || m > 12 || y < 2000 || y > 2100) return null;
  return `${y}-${String(m).padStart(2, '0')}`;
}

export const isGraduationMonth = (v: unknown): v is string => typeof v === 'string' && MONTH.test(v);

/** Day number of the month's last day. */
export function lastDayOfMonth(month: string): number {
  const [, y, m] = MONTH.exec(month)!;
  const next =
    Number(m) === 12 ? `${Number(y) + 1}-01-01` : `${y}-${String(Number(m) + 1).padStart(2, '0')}-01`;
  return dayNumber(next) - 1;
}

/** "06/2027" as people write it. */
export const formatMonth = (month: string) => `${month.slice(5, 7)}/${month.slice(0, 4)}`;

const BEFORE_DECISION = new Set<string>(PIPELINE_STAGES.slice(0, stageIndex('decision')));

export interface GraduationWarning {
  /** "2027-06" */
  graduation: string;
  /** The expected decision day, yyyy-mm-dd. */
  decisionDue: string;
  /** Before the vote: the earliest possible decision (a vote today + 60 working days). */
  estimated: boolean;
  message: Text;
}

export function graduationWarning(
  member: { expectedGraduation?: string | null; pipeline?: PipelineRecord | null },
  calendar: WorkingCalendar,
  asOf: DateLike,
): GraduationWarning | null {
  const graduation = member.expectedGraduation;
  if (!isGraduationMonth(graduation)) return null;
  const p = member.pipeline ?? { stage: 'member' };
  if (!BEFORE_DECISION.has(p.stage)) return null;
  const legal = admissionDecisionDueDay(p, calendar);
  const estimated = Number.isNaN(legal);
  const due = estimated ? calendar.addWorkingDayNumber(dayNumber(asOf), DECISION_WORKING_DAYS) : legal;
  if (Number.isNaN(due) || lastDayOfMonth(graduation) >= due) return null;
  const g = formatMonth(graduation);
  const d = formatDay(due);
  return {
    graduation,
    decisionDue: isoDay(due),
    estimated,
    message: estimated
      ? {
          vi: `Dự kiến tốt nghiệp tháng ${g}, trước ngày sớm nhất có thể có quyết định kết nạp (${d}: chi bộ họp xét hôm nay, quyết định trong ${DECISION_WORKING_DAYS} ngày làm việc). Cần đẩy nhanh hồ sơ hoặc chuẩn bị chuyển sinh hoạt.`,
          en: `Expected to graduate in ${g}, before the earliest possible admission decision (${d}: a chi bộ vote today, the decision within ${DECISION_WORKING_DAYS} working days). Speed up the file or prepare the transfer.`,
        }
      : {
          vi: `Dự kiến tốt nghiệp tháng ${g}, trước hạn quyết định kết nạp ${d}. Cần có quyết định trước khi tốt nghiệp hoặc chuẩn bị chuyển sinh hoạt.`,
          en: `Expected to graduate in ${g}, before the admission decision due on ${d}. The decision is needed before graduating, or prepare the transfer.`,
        },
  };
}

/**
 * Selecting an outstanding member (đoàn viên ưu tú) against the criteria: the verdict the
 * selection form shows, and the written override a selection outside the criteria needs
 * (issue 16, path 5). Pure: the server computes the criteria engine's verdict for the member
 * as read in the step's own transaction (never a value posted by the form) and passes it to
 * the machine, which judges every selection path (candidate page, bulk) by it.
 *
 * Decisions:
 * - Four outcomes: 'met' (eligible), 'not_met' (a rule judged on the data fails), 'missing'
 *   (a failing rule could not be judged for lack of data) and 'no_criteria' (no active
 *   selection set for the member's school kind: nothing to judge by). Everything but 'met'
 *   needs a written reason of at least OVERRIDE_MIN_LENGTH characters.
 * - The failing rules listed are the required ones that failed and, when the score falls
 *   short of the pass mark, the scored ones that earned nothing: exactly what kept the member
 *   from being eligible, each with the engine's own explanation.
 * - A reason typed for a member who meets the criteria is not stored: there is nothing to
 *   override.
 */
import type { Verdict } from '../criteria/types.ts';
import { reason, text } from './rules.ts';
import type { Reason, Text } from './types.ts';

export const SELECTION_STATUSES = ['met', 'not_met', 'missing', 'no_criteria'] as const;
export type SelectionStatus = (typeof SELECTION_STATUSES)[number];

/** Shortest override reason accepted: a sentence, not "ok". */
export const OVERRIDE_MIN_LENGTH = 20;
export const OVERRIDE_MAX_LENGTH = 2000;

export interface SelectionFailing {
  ruleId: string;
  missing: boolean;
  explanation: Text;
}

export interface SelectionVerdict {
  status: SelectionStatus;
  /** The set judged by; null when there is none. */
  set: { id: string; name: string; version: number } | null;
  failing: SelectionFailing[];
  /** Scored sets: the score, its maximum and the pass mark. */
  score?: { score: number; maxScore: number; passMark: number };
}

/** The selection verdict from the engine's verdict (null: no active selection set). */
export function selectionVerdictOf(
  verdict: Verdict | null,
  set: { id: string; name: string; version: number } | null,
): SelectionVerdict {
  if (!verdict || !set) return { status: 'no_criteria', set: null, failing: [] };
  const score =
    typeof verdict.score === 'number' && typeof verdict.passMark === 'number'
      ? { score: verdict.score, maxScore: verdict.maxScore ?? 0, passMark: verdict.passMark }
      : undefined;
  if (verdict.eligible) return { status: 'met', set, failing: [], ...(score ? { score } : {}) };
  const scoreShort = score !== undefined && score.score < score.passMark;
  const failing = verdict.results
    .filter((r) => !r.passed && (r.required || scoreShort))
    .map((r) => ({ ruleId: r.ruleId, missing: r.missing, explanation: r.explanation }));
  const status: SelectionStatus = failing.some((f) => f.missing) ? 'missing' : 'not_met';
  return { status, set, failing, ...(score ? { score } : {}) };
}

export const needsOverride = (v: SelectionVerdict) => v.status !== 'met';

/** Headline of a verdict, as the form and the record show it. */
export function selectionStatusText(status: SelectionStatus): Text {
  switch (status) {
    case 'met':
      return text('Đạt tiêu chí chọn đoàn viên ưu tú', 'Meets the selection criteria');
    case 'not_met':
      return text('Chưa đạt tiêu chí chọn đoàn viên ưu tú', 'Does not meet the selection criteria');
    case 'missing':
      return text(
        'Thiếu dữ liệu để xét tiêu chí chọn đoàn viên ưu tú',
        'Data missing to judge the selection criteria',
      );
    case 'no_criteria':
      return text(
        'Chưa có bộ tiêu chí chọn đoàn viên ưu tú đang áp dụng cho trường này',
        'No selection criteria set is in force for this school',
      );
  }
}

const trimmed = (s: string | null | undefined) => (typeof s === 'string' ? s.trim() : '');

/**
 * The override rule: outside the criteria, a written reason of OVERRIDE_MIN_LENGTH
 * characters or more, beside the `overrideReason` field; the message names the verdict.
 */
export function checkSelectionOverride(
  v: SelectionVerdict,
  overrideReason: string | null | undefined,
  field = 'overrideReason',
): Reason[] {
  if (!needsOverride(v)) return [];
  const given = trimmed(overrideReason);
  if (given.length >= OVERRIDE_MIN_LENGTH) return [];
  const what = selectionStatusText(v.status);
  return [
    given.length === 0
      ? reason(
          'selection_override_required',
          `${what.vi}: cần ghi lý do chọn ngoài tiêu chí (ít nhất ${OVERRIDE_MIN_LENGTH} ký tự)`,
          `${what.en}: write the reason for selecting outside the criteria (at least ${OVERRIDE_MIN_LENGTH} characters)`,
          field,
        )
      : reason(
          'selection_override_required',
          `Lý do chọn ngoài tiêu chí quá ngắn (${given.length} ký tự, cần ít nhất ${OVERRIDE_MIN_LENGTH})`,
          `The reason for selecting outside the criteria is too short (${given.length} characters, at least ${OVERRIDE_MIN_LENGTH} needed)`,
          field,
        ),
  ];
}

/** What the record keeps of an override (besides who and when, which the writer adds). */
export function overrideRecord(v: SelectionVerdict, overrideReason: string) {
  return {
    reason: overrideReason.trim(),
    verdict: v.status,
    ...(v.set ? { setId: v.set.id, setVersion: v.set.version } : {}),
    failing: v.failing.map((f) => f.explanation.vi),
  };
}

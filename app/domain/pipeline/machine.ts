/**
 * The admission state machine's API. Pure: the caller loads the member and the
 * holiday calendar, calls `checkTransition`, and applies `update` with one
 * `updateOne({ _id, 'pipeline.stage': update.expectedStage }, { $set: update.set,
 * $push: update.push })`, so a concurrent change of stage makes it match nothing.
 *
 * Decisions:
 * - Every failing reason is returned at once (stage, role, input, rules,
 *   separation of duties), so a form shows all problems in one round. Rules
 *   that need the step's date are skipped only when that date itself is invalid.
 * - stageSince is the day the event happened (the meeting, the decision), not
 *   the day it was typed in: "days in stage" and legal clocks count from it.
 *   The history entry keeps both: `at` (when recorded) and `refDate`.
 * - Dates are written as midnight UTC of the Vietnam calendar day.
 * - The order of dates is one table (chronology.ts), checked here for every step, so the
 *   candidate page, the bulk actions and the ready queue judge it alike.
 * - While the member's consent is withdrawn (consent.ts: withdrawn and not given again;
 *   never given is not withdrawn), every step is refused with the date of the withdrawal:
 *   processing is paused (Law 91/2025/QH15) until consent is given again.
 */
import { dayNumber, dayToDate, formatDay, type DateLike } from '../calendar.ts';
import { consentWithdrawn, consentWithdrawnAt } from '../consent.ts';
import { STAGE_LABELS, isExitStage, type Stage } from '../stages.ts';
import type { WorkingCalendar } from '../working-days.ts';
import { checkChronology } from './chronology.ts';
import { checkConflicts } from './conflicts.ts';
import type { SelectionVerdict } from './selection.ts';
import { DayField, fieldLabel } from './schemas.ts';
import { MAX_FAILED_OFFICIAL_VOTES, reason, type VoteCell } from './rules.ts';
import {
  TRANSITIONS,
  failedOfficialVotes,
  findTransition,
  rolesOf,
  stageBeforeReturn,
  type RuleContext,
  type Transition,
  type TransitionId,
} from './transitions.ts';
import { firstPassingOfficialVote } from '../deadlines.ts';
import type {
  Actor,
  CheckResult,
  NextActor,
  PipelineMember,
  PipelineRecord,
  PipelineUpdate,
  Reason,
  Role,
  Text,
} from './types.ts';

export interface CheckOptions {
  /**
   * Selection (select_outstanding): the member's criteria verdict as the server computed it in
   * the step's transaction; outside the criteria the step needs a written reason (selection.ts).
   */
  selection?: SelectionVerdict;
  /** Needed for the deadline rules (extension reason, late warnings); without it they are skipped. */
  calendar?: WorkingCalendar;
  /**
   * The chi bộ a vote step is taken in, with its dated register (party-register.ts): the
   * vote is judged against the count in force on the meeting day, and stored with it.
   */
  cell?: VoteCell;
}

function recordOf(member: PipelineMember): PipelineRecord {
  return member.pipeline ?? { stage: 'member' };
}

function targetOf(t: Transition, p: PipelineRecord): Stage | undefined {
  if (t.to === 'same') return p.stage as Stage;
  if (t.to === 'previous') return stageBeforeReturn(p);
  return t.to;
}

/**
 * Consent withdrawn and not given again: every step waits. A consent never given is not
 * withdrawn (the school's record before the student first signs in goes on as before).
 */
export function checkConsent(member: PipelineMember): Reason[] {
  if (!consentWithdrawn(member.consent)) return [];
  const at = consentWithdrawnAt(member.consent);
  const on = at ? ` ngày ${formatDay(dayNumber(at))}` : '';
  const onEn = at ? ` on ${formatDay(dayNumber(at))}` : '';
  return [
    reason(
      'consent_withdrawn',
      `Đoàn viên đã rút lại sự đồng ý xử lý dữ liệu cá nhân${on}. Theo Luật Bảo vệ dữ liệu cá nhân (Luật số 91/2025/QH15), hồ sơ tạm dừng xử lý cho đến khi đoàn viên đồng ý lại.`,
      `The member withdrew consent to the processing of personal data${onEn}. Under the Personal Data Protection Law (Law 91/2025/QH15) the record is paused until consent is given again.`,
    ),
  ];
}

export function checkTransition(
  member: PipelineMember,
  transitionId: TransitionId | string,
  input: unknown,
  actor: Actor,
  asOf: DateLike,
  options: CheckOptions = {},
): CheckResult {
  const p = recordOf(member);
  const stage = p.stage;
  const t = findTransition(transitionId, stage);
  if (!t) {
    return {
      ok: false,
      reasons: [
        reason('unknown_transition', `Không có bước "${transitionId}"`, `Unknown step "${transitionId}"`),
      ],
    };
  }
  const today = dayNumber(asOf);
  // A recorded step that no longer holds (conflicts.ts) blocks the forward steps.
  const reasons: Reason[] = [...checkConsent(member), ...checkConflicts(member, t.id)];
  const ctx: RuleContext = {
    member,
    p,
    today,
    calendar: options.calendar,
    actor,
    ...(options.cell ? { cell: options.cell } : {}),
  };
  ctx.at = asOf instanceof Date ? asOf : new Date(asOf);
  if (options.selection) ctx.selection = options.selection;

  if (!t.from.includes(stage as Stage)) {
    // Shown as is when a stale tab posts a step no longer offered: the stage by its name.
    const at = STAGE_LABELS[stage as Stage] ?? { vi: stage, en: stage };
    reasons.push(
      reason(
        'wrong_stage',
        `Không thể "${t.label.vi}" khi hồ sơ đang ở bước "${at.vi}"`,
        `"${t.label.en}" is not possible while the record is at "${at.en}"`,
      ),
    );
  }
  if (!rolesOf(t, p).includes(actor.role)) {
    reasons.push(
      reason(
        'role_not_allowed',
        `Vai trò của bạn không được "${t.label.vi}"`,
        `Your role may not "${t.label.en}"`,
      ),
    );
  }

  const parsed = t.schema.safeParse(input ?? {});
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = issue.path.map(String).join('.');
      const label = fieldLabel(path);
      reasons.push(
        reason(
          'invalid_input',
          `${label.vi}: thiếu hoặc không hợp lệ`,
          `${label.en}: missing or invalid`,
          path || undefined,
        ),
      );
    }
  }
  const data = parsed.success ? (parsed.data as Record<string, unknown>) : undefined;

  // The step's own date: from the parsed input, or leniently from the raw one when another field failed.
  let day: number = today;
  if (t.dateField) {
    const raw = data ? data[t.dateField] : undefined;
    if (typeof raw === 'number') day = raw;
    else if (!data) {
      const loose = DayField.safeParse((input as Record<string, unknown> | null | undefined)?.[t.dateField]);
      day = loose.success ? loose.data : NaN;
    }
  }
  if (!Number.isNaN(day) && t.memberRules) reasons.push(...t.memberRules(ctx, day, data));
  if (data && t.inputRules) reasons.push(...t.inputRules(ctx, data));
  // Every date of the step against what it must not precede (with only the step's own date
  // when another field failed to parse).
  const dated = data ?? (t.dateField && !Number.isNaN(day) ? { [t.dateField]: day } : {});
  reasons.push(...checkChronology(t.id, p, dated));
  if (t.dutyRules) reasons.push(...t.dutyRules({ ...ctx, actor }));

  const to = targetOf(t, p);
  if (reasons.length > 0 || !data || !to) return { ok: false, reasons };

  const applied = t.apply(ctx, data);
  const warnings = t.warnings ? t.warnings(ctx, data) : [];
  const stageChanged = to !== stage;
  const eventDay = applied.refDay ?? today;
  const stageSince = stageChanged ? dayToDate(eventDay) : p.stageSince ? new Date(p.stageSince) : null;
  const history: PipelineUpdate['history'] = {
    stage: to,
    at: asOf instanceof Date ? asOf : new Date(asOf),
    by: actor.id,
    ...(applied.note ? { note: applied.note } : {}),
    ...(applied.refNo ? { refNo: applied.refNo } : {}),
    ...(applied.refDay !== undefined ? { refDate: dayToDate(applied.refDay) } : {}),
  };
  const set: Record<string, unknown> = { ...applied.set };
  if (stageChanged) {
    set['pipeline.stage'] = to;
    set['pipeline.stageSince'] = stageSince;
  }
  const update: PipelineUpdate = {
    expectedStage: stage as Stage,
    stage: to,
    stageChanged,
    stageSince,
    history,
    set,
    push: { ...applied.push, 'pipeline.history': history },
    warnings,
    ...(applied.escalate ? { escalate: true } : {}),
    ...(applied.details ? { details: applied.details } : {}),
  };
  return { ok: true, update };
}

/**
 * The record as it stands once `update` is written (its `$set` paths and `$push` items
 * applied to a copy): what the step's own write derives its next deadline from, so the
 * step and its deadline are one update. Only the paths the update touches are copied.
 */
export function memberAfter<T extends PipelineMember>(member: T, update: PipelineUpdate): T {
  const out = { ...member } as Record<string, unknown>;
  const at = (path: string, last: (parent: Record<string, unknown>, key: string) => void) => {
    const keys = path.split('.');
    let node = out;
    for (const k of keys.slice(0, -1)) {
      const next = node[k];
      node[k] = next && typeof next === 'object' && !Array.isArray(next) ? { ...(next as object) } : {};
      node = node[k] as Record<string, unknown>;
    }
    last(node, keys[keys.length - 1]);
  };
  for (const [path, value] of Object.entries(update.set)) at(path, (parent, key) => (parent[key] = value));
  for (const [path, value] of Object.entries(update.push))
    at(path, (parent, key) => {
      const list = Array.isArray(parent[key]) ? (parent[key] as unknown[]) : [];
      parent[key] = [...list, value];
    });
  return out as T;
}

export interface AllowedTransition {
  id: TransitionId;
  from: Stage;
  to: Stage;
  label: Text;
  schema: Transition['schema'];
}

/**
 * What `role` may do with this member now (stage, role and availability; rules are checked
 * on submit). With `asOf`, an exit is offered only when the record meets its own rules on
 * that day ("Hết tuổi đoàn" not to a 17-year-old): an exit has no form worth filling in
 * otherwise, while a forward step stays on the page to show what still blocks it.
 */
export function allowedTransitions(member: PipelineMember, role: Role, asOf?: DateLike): AllowedTransition[] {
  const p = recordOf(member);
  const today = asOf === undefined ? NaN : dayNumber(asOf);
  const out: AllowedTransition[] = [];
  for (const t of TRANSITIONS) {
    if (!t.from.includes(p.stage as Stage)) continue;
    if (!rolesOf(t, p).includes(role)) continue;
    if (t.available && !t.available(p)) continue;
    const to = targetOf(t, p);
    if (!to) continue;
    if (!Number.isNaN(today) && isExitStage(to) && t.memberRules) {
      if (t.memberRules({ member, p, today }, today, undefined).length > 0) continue;
    }
    out.push({ id: t.id, from: p.stage as Stage, to, label: t.label, schema: t.schema });
  }
  return out;
}

const NEXT_ACTOR: Record<Stage, NextActor | null> = {
  member: 'school_union', // selects outstanding members
  outstanding: 'school_party', // sends them to the awareness class
  awareness_class: 'student', // writes the application (1-KNĐ) and personal history (2-KNĐ)
  dossier: 'school_union', // the Union's introduction resolution (4-KNĐ) comes next for most candidates
  introduced: 'school_party', // chi bộ vote
  branch_vote: 'school_party', // committee review
  committee_review: 'school_party', // admission decision
  decision: 'school_party', // ceremony
  probation: 'school_party', // official-status vote and decision
  official: null,
  returned: 'student', // improves the record
  not_admitted: null,
  withdrawn: null,
  struck_off: null,
  transferred: null,
  aged_out: null,
};

/**
 * Who must act next at a stage; null once the pipeline has ended. No stage waits
 * on province_union by law: it reviews and may return records at any time.
 */
export function nextActor(stage: Stage): NextActor | null {
  return NEXT_ACTOR[stage] ?? null;
}

const NEXT_STEP: Partial<Record<Stage, TransitionId>> = {
  member: 'select_outstanding',
  outstanding: 'record_awareness_class',
  awareness_class: 'open_dossier',
  dossier: 'record_introduction',
  introduced: 'record_branch_vote',
  branch_vote: 'record_committee_review',
  committee_review: 'record_decision',
  decision: 'record_ceremony',
};

/** The forward step a member waits for, if any. */
export function nextTransition(member: PipelineMember): TransitionId | undefined {
  const p = recordOf(member);
  if (p.stage === 'probation') {
    const done = !!firstPassingOfficialVote(p) || failedOfficialVotes(p) >= MAX_FAILED_OFFICIAL_VOTES;
    return done ? 'recognise_official' : 'record_official_vote';
  }
  return NEXT_STEP[p.stage as Stage];
}

export interface Readiness {
  ready: boolean;
  transition?: TransitionId;
  /** What still blocks the next step; empty when ready. */
  reasons: Reason[];
}

/**
 * For the bulk "ready" queue: every rule of the next forward step that the data
 * on file can answer already holds on `asOf` (taken as the step's date). The
 * documents the step itself creates (vote counts, decision number) are not
 * required, and selecting outstanding members also needs the criteria engine's
 * verdict, which the caller combines. Returned and ended records are never ready.
 */
export function isReadyForNextStep(
  member: PipelineMember,
  calendar: WorkingCalendar,
  asOf: DateLike,
): Readiness {
  const p = recordOf(member);
  if (isExitStage(p.stage)) return { ready: false, reasons: [] };
  const id = nextTransition(member);
  if (!id) return { ready: false, reasons: [] };
  const t = findTransition(id, p.stage)!;
  const today = dayNumber(asOf);
  const ctx: RuleContext = { member, p, today, calendar };
  const reasons = [
    ...checkConsent(member),
    ...checkConflicts(member, id),
    ...(t.memberRules ? t.memberRules(ctx, today, undefined) : []),
    ...(t.dateField ? checkChronology(id, p, { [t.dateField]: today }) : []),
  ];
  return { ready: reasons.length === 0, transition: id, reasons };
}

// The machine's separation message names the earlier step ("Người đã ghi nhận <step> …");
// the tab speaks to the person instead. An unknown wording falls back to the machine's own.
const DUTY_VI = /^Người đã ghi nhận (.+) không được ghi nhận quyết định này$/;
const DUTY_EN = /^Whoever recorded (.+) may not record this decision$/;

/**
 * Separation-of-duties refusals `actor` would meet on `transitionId` now, worded for the
 * tab ("Bạn đã ghi nhận … nên không thể ghi nhận bước này"), so the form can be shown
 * disabled before anyone fills it in. Only the duty rules: stage, role and input are
 * the caller's (or the submit's) business. Empty when nothing blocks.
 */
export function dutyBlocks(member: PipelineMember, transitionId: TransitionId, actor: Actor): Reason[] {
  const p = recordOf(member);
  const t = findTransition(transitionId, p.stage);
  if (!t?.dutyRules) return [];
  const reasons = t.dutyRules({ member, p, today: NaN, actor });
  return reasons.map((r) => {
    const vi = DUTY_VI.exec(r.message.vi)?.[1];
    const en = DUTY_EN.exec(r.message.en)?.[1];
    if (!vi || !en) return r;
    return reason(
      r.code,
      `Bạn đã ghi nhận ${vi} nên không thể ghi nhận bước này; người khác trong đảng ủy cần ghi nhận.`,
      `You recorded ${en}, so you may not record this step; someone else on the committee must record it.`,
      r.field,
    );
  });
}

/**
 * Everything that stops `actor` from taking `transitionId` whatever is typed into its form:
 * withdrawn consent, an open rule conflict (conflicts.ts) and separation of duties. The tab shows the form disabled with these
 * reasons; the submit refuses for the same ones (the same rules, see checkTransition).
 */
export function stepBlocks(member: PipelineMember, transitionId: TransitionId, actor: Actor): Reason[] {
  return [
    ...checkConsent(member),
    ...checkConflicts(member, transitionId),
    ...dutyBlocks(member, transitionId, actor),
  ];
}

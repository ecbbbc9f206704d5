/**
 * Re-checking recorded steps after an edit (issue 16, path 4): data a completed step relied
 * on (date of birth, certificate, introducers, dossier dates, the chi bộ register, a step's
 * own date) can change after the step was recorded. `recheckSteps` runs the machine's own
 * rules again on what is on file now, step by step, each on the date the step happened, and
 * returns every rule that no longer holds as a conflict naming the step. One source of truth:
 * the rules are the transitions' `memberRules` / `inputRules` (re-run on the stored data,
 * rebuilt into the shape of the step's input) and `checkChronology`; nothing is re-implemented.
 *
 * What is re-checked, for each step with a recording in the history (any cycle):
 * - chọn đoàn viên ưu tú: Union age on the resolution date;
 * - nhận đơn và lý lịch: the certificate on the application day; the dossier dates in order;
 * - người giới thiệu: introducers as on file (official, ≥ 12 months, composition for the
 *   Union age on the introduction day); the introduction not before the application and
 *   the verified personal history;
 * - chi bộ biểu quyết: age 18–60, certificate, dossier, 5-KNĐ and introducers on the meeting
 *   date; yes ≥ ⌈2/3⌉ and yes + no within the count: the register in force on the meeting
 *   date when the chi bộ's register is known, else the count stored with the vote; the
 *   meeting not before the dossier dates;
 * - đảng ủy xét, quyết định, lễ kết nạp, biểu quyết và quyết định công nhận chính thức: the
 *   vote on file still passes, the dates in order (and the extension reason when a decision
 *   date is past its ordinary due day, with a calendar).
 *
 * Decisions:
 * - Records that left the pipeline (exit stages) are not re-checked: nothing follows.
 * - "Not in the future" is about when a step is typed in, not what it relied on: not re-run.
 * - Separation of duties is about who recorded, which no data edit changes: not re-run.
 * - A conflict's key is step + code + field: an override (a different user's written reason)
 *   covers the conflicts of those keys; a new key blocks again.
 */
import { calendarDay, dayNumber, formatDay } from '../calendar.ts';
import { countOn, type RegisterEntry } from '../party-register.ts';
import { isExitStage, STAGE_LABELS, type Stage } from '../stages.ts';
import type { WorkingCalendar } from '../working-days.ts';
import { checkChronology } from './chronology.ts';
import { applicationDay, dossierDay, introductionDay, personalHistoryVerifiedDay } from './dossier.ts';
import { stepDay, stepEntries } from './history.ts';
import { checkVoteCounts, checkVoteThreshold, reason, votePasses } from './rules.ts';
import { findTransition, TRANSITION_IDS, type RuleContext, type TransitionId } from './transitions.ts';
import type { PipelineMember, PipelineRecord, PipelineVote, Reason, ReasonCode, Text } from './types.ts';

export interface Conflict {
  /** The recorded step that no longer holds. */
  step: TransitionId;
  code: ReasonCode;
  /** Step name, the step's date, then the rule's own message (both dates named). */
  message: Text;
  /** Member fields the conflict is about (dotted paths from the member's root). */
  fields: string[];
}

/** A conflict with who made the write that produced it, and when. */
export interface KeptConflict extends Conflict {
  by?: unknown;
  at?: unknown;
}

type Maybe<T> = T | null | undefined;

/** As a document holds it (`pipeline.conflicts`); read through `keptConflicts`. */
export interface StoredConflict {
  step: string;
  code: string;
  message?: Maybe<{ vi?: Maybe<string>; en?: Maybe<string> }>;
  fields?: Maybe<readonly string[]>;
  by?: unknown;
  at?: unknown;
}

/** The stored conflicts, whole (a missing message or field list read as empty). */
export function keptConflicts(
  p: { conflicts?: Maybe<readonly StoredConflict[]> } | null | undefined,
): KeptConflict[] {
  return (p?.conflicts ?? []).map((c) => ({
    step: c.step as TransitionId,
    code: c.code as ReasonCode,
    message: { vi: c.message?.vi ?? '', en: c.message?.en ?? '' },
    fields: [...(c.fields ?? [])],
    by: c.by,
    at: c.at,
  }));
}

export interface ConflictOverride {
  by?: unknown;
  at?: unknown;
  reason?: string | null;
  /** Keys (`conflictKey`) of the conflicts the override covers. */
  keys?: readonly string[] | null;
}

export interface RecheckContext {
  /** For the extension rule of the decisions (skipped without it, as in the machine). */
  calendar?: WorkingCalendar;
  /** The register of the chi bộ that votes on the member, when known (party-register.ts). */
  register?: readonly RegisterEntry[] | null;
}

/** The steps whose recording is re-checked, with the stage the step records and its date field. */
const RECHECKED: readonly { id: TransitionId; to: Stage; dateField: string }[] = [
  { id: 'select_outstanding', to: 'outstanding', dateField: 'pipeline.unionResolution.date' },
  { id: 'open_dossier', to: 'dossier', dateField: 'pipeline.application.receivedAt' },
  { id: 'record_introduction', to: 'introduced', dateField: 'pipeline.introducers' },
  { id: 'record_branch_vote', to: 'branch_vote', dateField: 'pipeline.branchVote.meetingDate' },
  { id: 'record_committee_review', to: 'committee_review', dateField: 'pipeline.committeeResolution.date' },
  { id: 'record_decision', to: 'decision', dateField: 'pipeline.decision.date' },
  { id: 'record_ceremony', to: 'probation', dateField: 'pipeline.ceremonyDate' },
  { id: 'record_official_vote', to: 'probation', dateField: 'pipeline.officialVotes' },
  { id: 'recognise_official', to: 'official', dateField: 'pipeline.officialDecision.date' },
];

/**
 * Exits and returns stay open under a conflict: they are remedies, not steps forward. Every
 * other step is blocked, so a forward step added later is blocked without being listed.
 */
const REMEDIES: ReadonlySet<TransitionId> = new Set([
  'return_for_improvement',
  'not_admitted',
  'withdraw',
  'strike_off',
  'transfer',
  'age_out',
]);
export const BLOCKED_BY_CONFLICT: ReadonlySet<string> = new Set(
  TRANSITION_IDS.filter((id) => !REMEDIES.has(id)),
);

const NO_DAY = NaN;
const day = (v: unknown) => dayNumber(v as Parameters<typeof dayNumber>[0]);

/**
 * The vote as the 2/3 rule judges it: with the register's count on the meeting date when the
 * register gives one, else with the count stored with the vote.
 */
export function voteAgainstRegister(
  vote: PipelineVote,
  register: readonly RegisterEntry[] | null | undefined,
): PipelineVote {
  const meeting = day(vote.meetingDate);
  if (!register?.length || Number.isNaN(meeting)) return vote;
  const count = countOn(register, meeting);
  return count === null ? vote : { ...vote, officialMemberCount: count };
}

/** Which member fields a reason is about. */
function fieldsOf(code: ReasonCode, dateField: string, field: string | undefined): string[] {
  switch (code) {
    case 'age_missing':
    case 'age_below_min':
    case 'age_above_max':
    case 'not_union_age':
      return ['dateOfBirth', dateField];
    case 'certificate_missing':
    case 'certificate_not_yet_issued':
    case 'certificate_expired':
      return ['pipeline.certificate.issuedAt', dateField];
    case 'dossier_incomplete':
    case 'opinions_missing':
      return ['pipeline.dossier'];
    case 'introducers_missing':
    case 'introducer_not_official':
    case 'introducer_months':
    case 'introducer_union_resolution':
    case 'introducers_composition':
      return ['pipeline.introducers'];
    case 'vote_counts':
    case 'vote_threshold':
      return dateField === 'pipeline.officialVotes'
        ? ['pipeline.officialVotes']
        : ['pipeline.branchVote.yes', 'pipeline.branchVote.officialMemberCount'];
    case 'extension_reason_required':
      return [dateField, 'extensionReason'];
    default:
      return field && !field.includes('.') ? [dateField, field] : [dateField];
  }
}

const on = (d: number): Text =>
  Number.isNaN(d) ? { vi: '', en: '' } : { vi: ` ngày ${formatDay(d)}`, en: ` on ${formatDay(d)}` };

/** "Chi bộ xét, biểu quyết (ngày 12/03/2026): Chưa đủ 18 tuổi … — ngày sinh 01/05/2008". */
function conflictOf(
  step: (typeof RECHECKED)[number],
  stepDate: number,
  r: Reason,
  member: PipelineMember,
): Conflict {
  const label = STAGE_LABELS[step.to];
  const when = on(stepDate);
  const birth = calendarDay(member.dateOfBirth);
  const fields = fieldsOf(r.code, step.dateField, r.field);
  const dob =
    birth && fields.includes('dateOfBirth')
      ? {
          vi: ` (ngày sinh ${formatDay(day(member.dateOfBirth))})`,
          en: ` (born ${formatDay(day(member.dateOfBirth))})`,
        }
      : { vi: '', en: '' };
  return {
    step: step.id,
    code: r.code,
    message: {
      vi: `Bước "${label.vi}"${when.vi}: ${r.message.vi}${dob.vi}`,
      en: `Step "${label.en}"${when.en}: ${r.message.en}${dob.en}`,
    },
    fields,
  };
}

/** Reasons of one recorded step, judged on what is on file now. */
function recheckStep(
  id: TransitionId,
  ctx: RuleContext,
  register: readonly RegisterEntry[] | null | undefined,
): { day: number; reasons: Reason[] } {
  const { p } = ctx;
  const t = findTransition(id, '')!;
  const member = (d: number, input?: unknown) =>
    t.memberRules && !Number.isNaN(d) ? t.memberRules(ctx, d, input) : [];
  const input = (i: unknown) => (t.inputRules ? t.inputRules(ctx, i) : []);
  switch (id) {
    case 'select_outstanding': {
      const d = Number.isNaN(day(p.unionResolution?.date))
        ? stepDay(p, 'outstanding')
        : day(p.unionResolution?.date);
      return { day: d, reasons: member(d) };
    }
    case 'open_dossier': {
      const d = applicationDay(p);
      const dates = {
        applicationReceivedAt: d,
        personalHistoryReceivedAt: dossierDay(p, '2-KNĐ', 'receivedAt'),
        verifiedAt: personalHistoryVerifiedDay(p),
      };
      return { day: d, reasons: [...member(d), ...checkChronology(id, p, dates)] };
    }
    case 'record_introduction': {
      const d = introductionDay(p);
      if (Number.isNaN(d)) return { day: d, reasons: [] };
      const i = { introducedAt: d, introducers: p.introducers ?? [] };
      return {
        day: d,
        reasons: [...member(d, i), ...input(i), ...checkChronology(id, p, { introducedAt: d })],
      };
    }
    case 'record_branch_vote': {
      const vote = p.branchVote;
      const d = day(vote?.meetingDate);
      if (!vote || Number.isNaN(d)) return { day: NO_DAY, reasons: [] };
      const judged = voteAgainstRegister(vote, register);
      const i = { ...judged, meetingDate: d };
      return {
        day: d,
        reasons: [...member(d, i), ...input(i), ...checkChronology(id, p, { meetingDate: d })],
      };
    }
    case 'record_committee_review': {
      const d = day(p.committeeResolution?.date);
      const vote = p.branchVote ? voteAgainstRegister(p.branchVote, register) : null;
      // The machine's own rule on the vote on file (the register's count when known).
      const withVote: RuleContext = vote ? { ...ctx, p: { ...p, branchVote: vote } } : ctx;
      const rules = t.memberRules ? t.memberRules(withVote, d, undefined) : [];
      return { day: d, reasons: [...rules, ...checkChronology(id, p, { resolutionDate: d })] };
    }
    case 'record_decision': {
      const d = day(p.decision?.date);
      const received = day(p.decision?.receivedAt);
      return {
        day: d,
        reasons: [
          ...member(d, {}),
          ...checkChronology(id, p, {
            decisionDate: d,
            ...(Number.isNaN(received) ? {} : { receivedAt: received }),
          }),
        ],
      };
    }
    case 'record_ceremony': {
      const d = day(p.ceremonyDate);
      return { day: d, reasons: checkChronology(id, p, { ceremonyDate: d }) };
    }
    case 'record_official_vote': {
      // Every vote on file: its date not before the end of probation, its counts within the
      // count; the passing one still passes against the register.
      const out: Reason[] = [];
      let last = NO_DAY;
      for (const v of p.officialVotes ?? []) {
        const d = day(v.meetingDate);
        if (Number.isNaN(d)) continue;
        last = d;
        const judged = voteAgainstRegister(v, register);
        out.push(...checkVoteCounts(judged), ...checkChronology(id, p, { meetingDate: d }));
        if (votePasses(v) && !votePasses(judged)) out.push(...checkVoteThreshold(judged));
      }
      return { day: last, reasons: out };
    }
    case 'recognise_official': {
      const d = day(p.officialDecision?.date);
      return { day: d, reasons: checkChronology(id, p, { decisionDate: d }) };
    }
    default:
      return { day: NO_DAY, reasons: [] };
  }
}

function recorded(p: PipelineRecord, step: (typeof RECHECKED)[number]): boolean {
  if (step.id === 'record_official_vote') return (p.officialVotes ?? []).length > 0;
  if (step.id === 'record_ceremony') return stepEntries(p, 'probation').length > 0 || !!p.ceremonyDate;
  return stepEntries(p, step.to).length > 0;
}

/**
 * Every rule a completed step relied on that no longer holds on the data on file, in the
 * order of the steps. Empty for a record that left the pipeline or has recorded nothing.
 */
export function recheckSteps(member: PipelineMember, context: RecheckContext = {}): Conflict[] {
  const p = member.pipeline;
  if (!p || isExitStage(p.stage)) return [];
  const ctx: RuleContext = { member, p, today: Number.POSITIVE_INFINITY, calendar: context.calendar };
  const out: Conflict[] = [];
  const seen = new Set<string>();
  for (const step of RECHECKED) {
    if (!recorded(p, step)) continue;
    const { day: d, reasons } = recheckStep(step.id, ctx, context.register);
    for (const r of reasons) {
      if (r.code === 'late') continue;
      const c = conflictOf(step, d, r, member);
      const key = `${conflictKey(c)}|${c.message.vi}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(c);
    }
  }
  return out;
}

/** What an override names: the step, the rule and the field. */
export function conflictKey(c: Pick<Conflict, 'step' | 'code' | 'fields'>): string {
  return `${c.step}:${c.code}:${c.fields.join(',')}`;
}

/** The conflicts on file that no override covers. */
export function openConflicts(p: PipelineRecord | null | undefined): KeptConflict[] {
  const list = keptConflicts(p);
  const covered = new Set(p?.conflictOverride?.keys ?? []);
  return list.filter((c) => !covered.has(conflictKey(c)));
}

/**
 * The machine's refusal while a conflict is open: every forward step waits until the data
 * is corrected (the conflict goes on the next recompute) or a different user overrides it.
 */
export function checkConflicts(member: PipelineMember, transitionId: string): Reason[] {
  if (!BLOCKED_BY_CONFLICT.has(transitionId)) return [];
  return openConflicts(member.pipeline).map((c) =>
    reason(
      'rule_conflict',
      `Xung đột quy tắc: ${c.message.vi}. Hãy sửa dữ liệu, hoặc một người khác (không phải người đã sửa) ghi lý do bỏ qua.`,
      `Rule conflict: ${c.message.en}. Correct the data, or someone else (not who made the edit) records a reason to override.`,
    ),
  );
}

/**
 * Merges a recompute into what is stored: a conflict already on file keeps who produced it
 * and when; a new one is attributed to `by` at `at`. `added` lists the new ones (what the save
 * broke, for its message).
 */
export function mergeConflicts(
  stored: readonly StoredConflict[] | null | undefined,
  now: readonly Conflict[],
  by: unknown,
  at: Date,
): { conflicts: KeptConflict[]; added: Conflict[] } {
  const kept = keptConflicts({ conflicts: stored });
  const before = new Map(kept.map((c) => [`${conflictKey(c)}|${c.message.vi}`, c]));
  const byKey = new Map(kept.map((c) => [conflictKey(c), c]));
  const added: Conflict[] = [];
  const conflicts = now.map((c) => {
    const same = before.get(`${conflictKey(c)}|${c.message.vi}`) ?? byKey.get(conflictKey(c));
    if (same) return { ...c, by: same.by ?? null, at: same.at ?? at };
    added.push(c);
    return { ...c, by, at };
  });
  return { conflicts, added };
}

/** Did `userId` make a write that produced one of these conflicts? (Then someone else overrides.) */
export function producedBy(conflicts: readonly KeptConflict[], userId: string): boolean {
  return conflicts.some((c) => c.by !== null && c.by !== undefined && String(c.by) === userId);
}

export const OVERRIDE_REASON_MIN = 20;

/**
 * The transition table of the admission pipeline (domain.md §3). Each entry
 * declares where it starts and ends, who may take it, the data it records (a
 * zod schema) and the hard rules it checks. A stage name says what is on file:
 * 'branch_vote' = the chi bộ has voted yes, 'decision' = the admission decision
 * exists and the ceremony is awaited, 'probation' = the ceremony took place.
 *
 * Who may do what (admin may do everything):
 * - school_union: the Union side, selecting outstanding members; the
 *   introduction (its 4-KNĐ resolution is the usual introducer of a Union-age
 *   candidate), shared with school_party, which records the two-member case.
 * - school_party: the Party side, awareness class, dossier, chi bộ vote,
 *   committee review, decision, ceremony, official-status vote and decision.
 * - province_union: returns a record for improvement with a reason, from any
 *   stage before the decision; it records nothing else.
 * - Exits belong to the side that owns the current stage.
 *
 * Separation of duties: whoever recorded the chi bộ vote or the committee
 * review may not record the admission decision; whoever recorded the passing
 * official-status vote may not record the official decision. Admins included:
 * the rule is about people, not roles. It reads the whole history (every cycle,
 * before and after returns and resumes, single or bulk), never only the latest
 * entry of a stage: after a resume that entry is the person who resumed.
 *
 * Rules on the member (age, certificate, dossier, introducers) are judged on
 * the step's own date (the chi bộ meeting date for the vote); `isReadyForNextStep`
 * judges them on asOf, with the documents the step itself creates left out.
 */
import type { z } from 'zod';
import { addMonthsDay, dayToDate, formatDay, fromDayNumber } from '../calendar.ts';
import { CERTIFICATE_VALID_MONTHS } from '../certificate.ts';
import {
  EXTENSION_WORKING_DAYS,
  admissionDecisionDueDay,
  ceremonyDueDay,
  firstPassingOfficialVote,
  officialDecisionDueDay,
  officialVoteDueDay,
  probationEndDay,
} from '../deadlines.ts';
import { PIPELINE_STAGES, isPipelineStage, stageIndex, type PipelineStage, type Stage } from '../stages.ts';
import type { WorkingCalendar } from '../working-days.ts';
import {
  MAX_FAILED_OFFICIAL_VOTES,
  UNION_AGE_MAX_MONTHS,
  ageMonthsOn,
  checkAge,
  checkCertificate,
  checkDossier,
  checkIntroducers,
  checkNotFuture,
  checkOpinions,
  checkVoteThreshold,
  effectiveVote,
  isUnionAgeOn,
  reason,
  text,
  votePasses,
  type VoteCell,
} from './rules.ts';
import {
  AwarenessClassSchema,
  CeremonySchema,
  DecisionSchema,
  DossierSchema,
  ExitSchema,
  ExtensionSchema,
  IntroductionSchema,
  NotAdmittedSchema,
  ResolutionSchema,
  ResumeSchema,
  SelectOutstandingSchema,
  VoteSchema,
  type DecisionInput,
  type ExitInput,
  type NotAdmittedInput,
  type VoteInput,
} from './schemas.ts';
import { applicationDay } from './dossier.ts';
import { checkSelectionOverride, needsOverride, overrideRecord, type SelectionVerdict } from './selection.ts';
import { stepEntries } from './history.ts';
import type { Actor, PipelineMember, PipelineRecord, Reason, Role, Text } from './types.ts';

export const TRANSITION_IDS = [
  'select_outstanding',
  'record_awareness_class',
  'open_dossier',
  'record_introduction',
  'record_branch_vote',
  'record_committee_review',
  'record_decision',
  'record_ceremony',
  'record_official_vote',
  'recognise_official',
  'request_extension',
  'return_for_improvement',
  'resume',
  'not_admitted',
  'withdraw',
  'strike_off',
  'transfer',
  'age_out',
] as const;
export type TransitionId = (typeof TRANSITION_IDS)[number];

export function isTransitionId(value: unknown): value is TransitionId {
  return typeof value === 'string' && (TRANSITION_IDS as readonly string[]).includes(value);
}

export interface RuleContext {
  /**
   * Selection: the member's criteria verdict, computed by the server from the record read in
   * the step's transaction (selection.ts). Absent for pure callers: the criteria are not judged.
   */
  selection?: SelectionVerdict;
  /** The instant the step is recorded (checkTransition's asOf). */
  at?: Date;
  member: PipelineMember;
  p: PipelineRecord;
  /** Vietnam day number of "now". */
  today: number;
  calendar?: WorkingCalendar;
  actor?: Actor;
  /**
   * The chi bộ a vote step is taken in, with its dated register: the vote is judged against
   * the register's count on the meeting day (`effectiveVote`). The server always passes it
   * for vote steps; without it (pure callers) the typed count is judged.
   */
  cell?: VoteCell;
}

/** What a transition writes, before the machine adds stage, history and paths. */
export interface Applied {
  set: Record<string, unknown>;
  push?: Record<string, unknown>;
  note?: string;
  refNo?: string;
  refDay?: number;
  escalate?: boolean;
  /** More for the audit event. */
  details?: Record<string, unknown>;
}

export interface Transition<I = unknown> {
  id: TransitionId;
  from: readonly Stage[];
  /** 'same': an action inside the stage; 'previous': back to the stage before 'returned'. */
  to: Stage | 'same' | 'previous';
  roles: readonly Role[];
  /** Overrides `roles` when they depend on the record (resume). */
  rolesFor?: (p: PipelineRecord) => readonly Role[];
  schema: z.ZodType<I>;
  /** Input field holding the day the step happened (rules and stageSince use it). */
  dateField?: string;
  label: Text;
  /** Offered only when this holds (actions inside a stage, resume). */
  available?: (p: PipelineRecord) => boolean;
  /** Rules on what is on file, judged on `day`; `input` is absent for the ready queue. */
  memberRules?: (ctx: RuleContext, day: number, input?: I) => Reason[];
  /** Rules on the recorded data itself. */
  inputRules?: (ctx: RuleContext, input: I) => Reason[];
  /** Separation of duties (needs the actor). */
  dutyRules?: (ctx: RuleContext & { actor: Actor }) => Reason[];
  /** Missed deadlines: shown, never blocking. */
  warnings?: (ctx: RuleContext, input: I) => Reason[];
  apply: (ctx: RuleContext, input: I) => Applied;
}

const UNION_STAGES: readonly Stage[] = ['member', 'outstanding'];
/** Who owns a stage's exits and its next step by default. */
function sideOf(stage: Stage): Role {
  return UNION_STAGES.includes(stage) ? 'school_union' : 'school_party';
}

/** Everyone who recorded the step into `stage`, in any cycle (history.ts: not who resumed into it). */
export function recordersOf(p: PipelineRecord, stage: string): unknown[] {
  return stepEntries(p, stage).map((e) => e.by);
}

/** Everyone who recorded a passing official-status vote. */
export function officialVoteRecorders(p: PipelineRecord): unknown[] {
  return (p.officialVotes ?? []).filter((v) => votePasses(v)).map((v) => v.by);
}

/** The forward stage a 'returned' record came from. */
export function stageBeforeReturn(p: PipelineRecord): PipelineStage | undefined {
  const h = p.history ?? [];
  let i = h.length - 1;
  while (i >= 0 && h[i].stage !== 'returned') i--;
  for (i--; i >= 0; i--) if (isPipelineStage(h[i].stage)) return h[i].stage as PipelineStage;
  return undefined;
}

export function failedOfficialVotes(p: PipelineRecord): number {
  return (p.officialVotes ?? []).filter((v) => !votePasses(v)).length;
}

const sameUser = (by: unknown, actor: Actor) => by !== null && by !== undefined && String(by) === actor.id;

function separation(recorders: readonly unknown[], actor: Actor, step: Text): Reason[] {
  if (!recorders.some((by) => sameUser(by, actor))) return [];
  return [
    reason(
      'separation_of_duties',
      `Người đã ghi nhận ${step.vi} không được ghi nhận quyết định này`,
      `Whoever recorded ${step.en} may not record this decision`,
    ),
  ];
}

/** Extension reason needed when `day` is past the ordinary due day. */
function extensionRule(
  day: number,
  ordinaryDue: number,
  reasonOnFile: boolean,
  inInput: boolean,
  field: string,
): Reason[] {
  if (Number.isNaN(ordinaryDue) || day <= ordinaryDue || reasonOnFile || inInput) return [];
  return [
    reason(
      'extension_reason_required',
      `Quá hạn ${formatDay(ordinaryDue)}: cần ghi lý do gia hạn (thêm tối đa ${EXTENSION_WORKING_DAYS} ngày làm việc)`,
      `Past ${formatDay(ordinaryDue)}: record the reason for the extension (up to ${EXTENSION_WORKING_DAYS} more working days)`,
      field,
    ),
  ];
}

function lateWarning(day: number, due: number, what: Text): Reason[] {
  if (Number.isNaN(due) || day <= due) return [];
  return [
    reason(
      'late',
      `${what.vi} sau hạn ${formatDay(due)}`,
      `${what.en} after the deadline of ${formatDay(due)}`,
    ),
  ];
}

const hasText = (s: string | null | undefined) => typeof s === 'string' && s.trim().length > 0;

/** Probation needs its ceremony on file (its end is ceremony + 12 months). */
function noCeremony(p: PipelineRecord, field: string): Reason[] {
  return Number.isNaN(probationEndDay(p))
    ? [reason('probation_not_ended', 'Chưa có ngày lễ kết nạp', 'No ceremony date on file', field)]
    : [];
}

/** The count a vote is stored with: the register's on the meeting day (else the typed one). */
function voteCount(ctx: RuleContext, v: Omit<VoteInput, 'note'>): number | undefined {
  return effectiveVote(ctx, v).officialMemberCount ?? v.officialMemberCount;
}

function voteRecord(ctx: RuleContext, v: Omit<VoteInput, 'note'>) {
  return {
    meetingDate: dayToDate(v.meetingDate),
    yes: v.yes,
    no: v.no,
    officialMemberCount: voteCount(ctx, v),
    ...(ctx.cell ? { partyCellId: ctx.cell.id } : {}),
    ...(v.resolutionNo ? { resolutionNo: v.resolutionNo } : {}),
  };
}

/** The member follows the chi bộ that voted on them. */
const cellSet = (ctx: RuleContext): Record<string, unknown> => (ctx.cell ? { partyCellId: ctx.cell.id } : {});

function voteNote(ctx: RuleContext, v: VoteInput, official = false): string {
  const what = official ? 'Chi bộ biểu quyết công nhận đảng viên chính thức' : 'Chi bộ biểu quyết kết nạp';
  return v.note ?? `${what}: ${v.yes}/${voteCount(ctx, v)} đảng viên chính thức tán thành`;
}

// Each entry keeps its input type for its own functions; the table erases it.
function define<I>(t: Transition<I>): Transition {
  return t as unknown as Transition;
}

const FORWARD: Transition[] = [
  define({
    id: 'select_outstanding',
    from: ['member'],
    to: 'outstanding',
    roles: ['school_union', 'admin'],
    schema: SelectOutstandingSchema,
    dateField: 'resolutionDate',
    label: text('Chọn đoàn viên ưu tú', 'Select as outstanding member'),
    // The criteria verdict is the criteria engine's; here only what the law itself requires.
    memberRules: (ctx, day) => {
      const months = ageMonthsOn(ctx.member, day);
      if (Number.isNaN(months)) return checkAge(ctx.member, day);
      return months > UNION_AGE_MAX_MONTHS
        ? [reason('not_union_age', 'Đã quá tuổi đoàn', 'Past Union age')]
        : [];
    },
    // Outside the criteria (or without the data or a set to judge by): a written reason.
    inputRules: (ctx, i) => [
      ...checkNotFuture(i.resolutionDate, ctx.today, 'resolutionDate'),
      ...(ctx.selection ? checkSelectionOverride(ctx.selection, i.overrideReason) : []),
    ],
    apply: (ctx, i) => {
      const override =
        ctx.selection && needsOverride(ctx.selection) && i.overrideReason
          ? overrideRecord(ctx.selection, i.overrideReason)
          : undefined;
      return {
        set: {
          'pipeline.unionResolution': { number: i.resolutionNo, date: dayToDate(i.resolutionDate) },
          ...(i.helperName ? { 'pipeline.helperName': i.helperName } : {}),
          ...(override
            ? {
                'pipeline.selectionOverride': {
                  ...override,
                  by: ctx.actor?.id ?? null,
                  at: ctx.at ?? dayToDate(ctx.today),
                },
              }
            : {}),
        },
        note: i.note ?? 'Ban Chấp hành Đoàn trường biểu quyết danh sách đoàn viên ưu tú',
        refNo: i.resolutionNo,
        refDay: i.resolutionDate,
        ...(ctx.selection
          ? {
              details: {
                criteria: ctx.selection.status,
                ...(ctx.selection.set ? { criteriaSet: ctx.selection.set.id } : {}),
                ...(override
                  ? { selectionOverride: { reason: override.reason, failing: override.failing } }
                  : {}),
              },
            }
          : {}),
      };
    },
  }),
  define({
    id: 'record_awareness_class',
    from: ['outstanding'],
    to: 'awareness_class',
    roles: ['school_party', 'admin'],
    schema: AwarenessClassSchema,
    dateField: 'issuedAt',
    label: text('Ghi nhận giấy chứng nhận lớp nhận thức về Đảng', 'Record the awareness class certificate'),
    inputRules: (ctx, i) => {
      const out = checkNotFuture(i.issuedAt, ctx.today, 'issuedAt');
      const last = addMonthsDay(fromDayNumber(i.issuedAt), CERTIFICATE_VALID_MONTHS);
      if (last < ctx.today) {
        out.push(
          reason(
            'certificate_expired',
            `Giấy chứng nhận đã hết hạn ngày ${formatDay(last)}`,
            `The certificate expired on ${formatDay(last)}`,
            'issuedAt',
          ),
        );
      }
      return out;
    },
    apply: (_ctx, i) => ({
      set: {
        'pipeline.certificate': {
          number: i.certificateNo,
          issuer: i.issuer,
          issuedAt: dayToDate(i.issuedAt),
          expiresAt: dayToDate(addMonthsDay(fromDayNumber(i.issuedAt), CERTIFICATE_VALID_MONTHS)),
        },
      },
      note: i.note ?? 'Hoàn thành lớp bồi dưỡng nhận thức về Đảng',
      refNo: i.certificateNo,
      refDay: i.issuedAt,
    }),
  }),
  define({
    id: 'open_dossier',
    from: ['awareness_class'],
    to: 'dossier',
    roles: ['school_party', 'admin'],
    schema: DossierSchema,
    dateField: 'applicationReceivedAt',
    label: text('Nhận đơn và lý lịch', 'Receive the application and personal history'),
    memberRules: (ctx, day) => checkCertificate(ctx.member, day),
    inputRules: (ctx, i) => {
      const out = checkNotFuture(i.applicationReceivedAt, ctx.today, 'applicationReceivedAt');
      if (i.personalHistoryReceivedAt !== undefined) {
        out.push(...checkNotFuture(i.personalHistoryReceivedAt, ctx.today, 'personalHistoryReceivedAt'));
      }
      if (i.verifiedAt !== undefined) {
        out.push(...checkNotFuture(i.verifiedAt, ctx.today, 'verifiedAt'));
        if (i.verification !== 'verified') {
          out.push(
            reason(
              'invalid_input',
              'Có ngày thẩm tra thì kết quả phải là "đã thẩm tra"',
              'A verification date needs the status "verified"',
              'verification',
            ),
          );
        }
      }
      return out;
    },
    apply: (_ctx, i) => ({
      set: {
        'pipeline.application': { receivedAt: dayToDate(i.applicationReceivedAt) },
        'pipeline.personalHistory': {
          ...(i.personalHistoryReceivedAt !== undefined
            ? { receivedAt: dayToDate(i.personalHistoryReceivedAt) }
            : {}),
          verification: i.verification ?? 'pending',
          ...(i.verifiedAt !== undefined ? { verifiedAt: dayToDate(i.verifiedAt) } : {}),
        },
      },
      note: i.note ?? 'Nhận đơn (1-KNĐ) và lý lịch (2-KNĐ)',
      refDay: i.applicationReceivedAt,
    }),
  }),
  define({
    id: 'record_introduction',
    from: ['dossier'],
    to: 'introduced',
    roles: ['school_union', 'school_party', 'admin'],
    schema: IntroductionSchema,
    dateField: 'introducedAt',
    label: text('Ghi nhận người giới thiệu', 'Record the introducers'),
    // Presence here; a later application date is the chronology's (both dates named).
    memberRules: (ctx) =>
      Number.isNaN(applicationDay(ctx.p))
        ? [reason('dossier_incomplete', 'Chưa có đơn xin vào Đảng (1-KNĐ)', 'No application letter (1-KNĐ)')]
        : [],
    // Union age judged on the introduction date here; the vote re-checks it on the meeting date.
    inputRules: (ctx, i) => [
      ...checkNotFuture(i.introducedAt, ctx.today, 'introducedAt'),
      ...checkIntroducers(i.introducers, isUnionAgeOn(ctx.member, i.introducedAt)),
    ],
    apply: (_ctx, i) => {
      const union = i.introducers.find((x) => x.kind === 'union');
      return {
        set: {
          'pipeline.introducers': i.introducers.map((x) => ({
            name: x.name,
            kind: x.kind,
            official: x.kind === 'union' ? true : x.official,
            ...(x.monthsTogether !== undefined ? { monthsTogether: x.monthsTogether } : {}),
            ...(x.refNo ? { refNo: x.refNo } : {}),
          })),
        },
        note:
          i.note ??
          (union
            ? 'Nghị quyết giới thiệu của Ban Chấp hành Đoàn (4-KNĐ) và một đảng viên chính thức (3-KNĐ)'
            : 'Hai đảng viên chính thức giới thiệu (3-KNĐ)'),
        refNo: union?.refNo,
        refDay: i.introducedAt,
      };
    },
  }),
  define<VoteInput>({
    id: 'record_branch_vote',
    from: ['introduced'],
    to: 'branch_vote',
    roles: ['school_party', 'admin'],
    schema: VoteSchema,
    dateField: 'meetingDate',
    label: text('Ghi nhận biểu quyết của chi bộ', 'Record the chi bộ vote'),
    memberRules: (ctx, day) => [
      ...checkAge(ctx.member, day, 'meetingDate'),
      ...checkCertificate(ctx.member, day, 'meetingDate'),
      ...checkDossier(ctx.member),
      ...checkOpinions(ctx.member),
      ...checkIntroducers(ctx.p.introducers, isUnionAgeOn(ctx.member, day)),
    ],
    // Against the chi bộ's register on the meeting day (effectiveVote), never a typed count.
    inputRules: (ctx, i) => [
      ...checkNotFuture(i.meetingDate, ctx.today, 'meetingDate'),
      ...effectiveVote(ctx, i).reasons,
    ],
    apply: (ctx, i) => ({
      set: { 'pipeline.branchVote': voteRecord(ctx, i), ...cellSet(ctx) },
      note: voteNote(ctx, i),
      refNo: i.resolutionNo,
      refDay: i.meetingDate,
    }),
  }),
  define({
    id: 'record_committee_review',
    from: ['branch_vote'],
    to: 'committee_review',
    roles: ['school_party', 'admin'],
    schema: ResolutionSchema,
    dateField: 'resolutionDate',
    label: text('Ghi nhận nghị quyết của đảng ủy', 'Record the committee resolution'),
    // The vote on file must still meet the 2/3 rule (records may have been edited).
    memberRules: (ctx) => (ctx.p.branchVote ? checkVoteThreshold(ctx.p.branchVote) : []),
    inputRules: (ctx, i) => checkNotFuture(i.resolutionDate, ctx.today, 'resolutionDate'),
    apply: (_ctx, i) => ({
      set: { 'pipeline.committeeResolution': { number: i.resolutionNo, date: dayToDate(i.resolutionDate) } },
      note: i.note ?? 'Đảng ủy xét, đề nghị kết nạp (8-KNĐ)',
      refNo: i.resolutionNo,
      refDay: i.resolutionDate,
    }),
  }),
  define<DecisionInput>({
    id: 'record_decision',
    from: ['committee_review'],
    to: 'decision',
    roles: ['school_party', 'admin'],
    schema: DecisionSchema,
    dateField: 'decisionDate',
    label: text('Ghi nhận quyết định kết nạp', 'Record the admission decision'),
    memberRules: (ctx, day, i) =>
      ctx.calendar
        ? extensionRule(
            day,
            admissionDecisionDueDay(ctx.p, ctx.calendar, false),
            hasText(ctx.p.decisionExtensionReason),
            hasText(i?.extensionReason),
            'extensionReason',
          )
        : [],
    inputRules: (ctx, i) => [
      ...checkNotFuture(i.decisionDate, ctx.today, 'decisionDate'),
      ...(i.receivedAt !== undefined ? checkNotFuture(i.receivedAt, ctx.today, 'receivedAt') : []),
    ],
    dutyRules: (ctx) => [
      ...separation(
        recordersOf(ctx.p, 'branch_vote'),
        ctx.actor,
        text('biểu quyết của chi bộ', 'the chi bộ vote'),
      ),
      ...separation(
        recordersOf(ctx.p, 'committee_review'),
        ctx.actor,
        text('nghị quyết của đảng ủy', 'the committee review'),
      ),
    ],
    warnings: (ctx, i) =>
      ctx.calendar
        ? lateWarning(
            i.decisionDate,
            admissionDecisionDueDay(ctx.p, ctx.calendar, true),
            text('Quyết định kết nạp', 'Admission decision'),
          )
        : [],
    apply: (_ctx, i) => ({
      set: {
        'pipeline.decision': {
          number: i.decisionNo,
          date: dayToDate(i.decisionDate),
          issuer: i.issuer,
          ...(i.receivedAt !== undefined ? { receivedAt: dayToDate(i.receivedAt) } : {}),
        },
        ...(i.extensionReason ? { 'pipeline.decisionExtensionReason': i.extensionReason } : {}),
      },
      note: i.note ?? 'Quyết định kết nạp đảng viên (9-KNĐ)',
      refNo: i.decisionNo,
      refDay: i.decisionDate,
    }),
  }),
  define({
    id: 'record_ceremony',
    from: ['decision'],
    to: 'probation',
    roles: ['school_party', 'admin'],
    schema: CeremonySchema,
    dateField: 'ceremonyDate',
    label: text('Ghi nhận lễ kết nạp', 'Record the admission ceremony'),
    inputRules: (ctx, i) => checkNotFuture(i.ceremonyDate, ctx.today, 'ceremonyDate'),
    warnings: (ctx, i) =>
      ctx.calendar
        ? lateWarning(i.ceremonyDate, ceremonyDueDay(ctx.p, ctx.calendar), text('Lễ kết nạp', 'Ceremony'))
        : [],
    apply: (_ctx, i) => ({
      set: {
        'pipeline.ceremonyDate': dayToDate(i.ceremonyDate),
        'pipeline.probation': {
          start: dayToDate(i.ceremonyDate),
          end: dayToDate(addMonthsDay(fromDayNumber(i.ceremonyDate), 12)),
        },
      },
      note: i.note ?? 'Lễ kết nạp; bắt đầu 12 tháng dự bị',
      refDay: i.ceremonyDate,
    }),
  }),
  define<VoteInput>({
    id: 'record_official_vote',
    from: ['probation'],
    to: 'same',
    roles: ['school_party', 'admin'],
    schema: VoteSchema,
    dateField: 'meetingDate',
    label: text('Ghi nhận biểu quyết công nhận chính thức', 'Record the official-membership vote'),
    available: (p) => !firstPassingOfficialVote(p) && failedOfficialVotes(p) < MAX_FAILED_OFFICIAL_VOTES,
    // The end of probation itself is in the chronology table (the vote not before it).
    memberRules: (ctx) => {
      const out: Reason[] = [...noCeremony(ctx.p, 'meetingDate')];
      if (firstPassingOfficialVote(ctx.p)) {
        out.push(reason('already_recorded', 'Chi bộ đã biểu quyết đạt', 'A passing vote is already on file'));
      }
      if (failedOfficialVotes(ctx.p) >= MAX_FAILED_OFFICIAL_VOTES) {
        out.push(
          reason(
            'escalated',
            `Đã ${MAX_FAILED_OFFICIAL_VOTES} lần biểu quyết không đạt: chuyển cấp ủy cấp trên xem xét`,
            `${MAX_FAILED_OFFICIAL_VOTES} failed votes: the case is with the higher committee`,
          ),
        );
      }
      return out;
    },
    // A failed vote is recorded too: three of them send the case up.
    inputRules: (ctx, i) => [
      ...checkNotFuture(i.meetingDate, ctx.today, 'meetingDate'),
      ...effectiveVote(ctx, i, { requirePass: false }).reasons,
    ],
    warnings: (ctx, i) =>
      ctx.calendar
        ? lateWarning(
            i.meetingDate,
            officialVoteDueDay(ctx.p, ctx.calendar),
            text('Chi bộ xét chính thức', 'Official-membership vote'),
          )
        : [],
    apply: (ctx, i) => {
      const passed = effectiveVote(ctx, i, { requirePass: false }).passes;
      const failures = failedOfficialVotes(ctx.p) + (passed ? 0 : 1);
      return {
        set: cellSet(ctx),
        push: { 'pipeline.officialVotes': { ...voteRecord(ctx, i), by: ctx.actor?.id ?? null } },
        note: voteNote(ctx, i, true) + (passed ? '' : ` (không đạt, lần ${failures})`),
        refNo: i.resolutionNo,
        refDay: i.meetingDate,
        escalate: !passed && failures >= MAX_FAILED_OFFICIAL_VOTES,
      };
    },
  }),
  define<DecisionInput>({
    id: 'recognise_official',
    from: ['probation'],
    to: 'official',
    roles: ['school_party', 'admin'],
    schema: DecisionSchema,
    dateField: 'decisionDate',
    label: text(
      'Ghi nhận quyết định công nhận đảng viên chính thức',
      'Record the official membership decision',
    ),
    memberRules: (ctx, day, i) => {
      const out: Reason[] = [];
      const votes = ctx.p.officialVotes ?? [];
      const passing = firstPassingOfficialVote(ctx.p);
      const escalated = failedOfficialVotes(ctx.p) >= MAX_FAILED_OFFICIAL_VOTES;
      if (!passing && !escalated) {
        const last = votes[votes.length - 1];
        out.push(
          ...(last
            ? checkVoteThreshold(last)
            : [
                reason(
                  'official_vote_missing',
                  'Chi bộ chưa biểu quyết công nhận chính thức',
                  'No official-membership vote on file',
                ),
              ]),
        );
      }
      out.push(...noCeremony(ctx.p, 'decisionDate'));
      if (ctx.calendar && passing) {
        out.push(
          ...extensionRule(
            day,
            officialDecisionDueDay(ctx.p, ctx.calendar, false),
            hasText(ctx.p.officialDecisionExtensionReason),
            hasText(i?.extensionReason),
            'extensionReason',
          ),
        );
      }
      return out;
    },
    inputRules: (ctx, i) => checkNotFuture(i.decisionDate, ctx.today, 'decisionDate'),
    dutyRules: (ctx) =>
      separation(
        officialVoteRecorders(ctx.p),
        ctx.actor,
        text('biểu quyết công nhận chính thức', 'the official-membership vote'),
      ),
    warnings: (ctx, i) =>
      ctx.calendar
        ? lateWarning(
            i.decisionDate,
            officialDecisionDueDay(ctx.p, ctx.calendar, true),
            text('Quyết định công nhận chính thức', 'Official membership decision'),
          )
        : [],
    apply: (ctx, i) => {
      const end = probationEndDay(ctx.p);
      return {
        set: {
          'pipeline.officialDecision': {
            number: i.decisionNo,
            date: dayToDate(i.decisionDate),
            issuer: i.issuer,
          },
          // The official date is the end of probation even when the decision is late (Charter art. 5).
          'pipeline.officialDate': dayToDate(Number.isNaN(end) ? i.decisionDate : end),
          ...(i.extensionReason ? { 'pipeline.officialDecisionExtensionReason': i.extensionReason } : {}),
        },
        note: i.note ?? 'Quyết định công nhận đảng viên chính thức (15-KNĐ)',
        refNo: i.decisionNo,
        refDay: i.decisionDate,
      };
    },
  }),
];

const ACTIONS: Transition[] = [
  define({
    id: 'request_extension',
    from: ['branch_vote', 'committee_review', 'probation'],
    to: 'same',
    roles: ['school_party', 'admin'],
    schema: ExtensionSchema,
    label: text('Ghi lý do gia hạn thêm 30 ngày làm việc', 'Record a reason for 30 more working days'),
    available: (p) =>
      p.stage === 'probation'
        ? !!firstPassingOfficialVote(p) && !hasText(p.officialDecisionExtensionReason)
        : !hasText(p.decisionExtensionReason),
    memberRules: (ctx) => {
      const probation = ctx.p.stage === 'probation';
      const onFile = probation ? ctx.p.officialDecisionExtensionReason : ctx.p.decisionExtensionReason;
      const out: Reason[] = [];
      if (hasText(onFile))
        out.push(reason('already_recorded', 'Đã có lý do gia hạn', 'An extension reason is already on file'));
      if (probation && !firstPassingOfficialVote(ctx.p)) {
        out.push(
          reason(
            'official_vote_missing',
            'Chi bộ chưa biểu quyết công nhận chính thức',
            'No official-membership vote on file',
          ),
        );
      }
      return out;
    },
    apply: (ctx, i) => ({
      set: {
        [ctx.p.stage === 'probation'
          ? 'pipeline.officialDecisionExtensionReason'
          : 'pipeline.decisionExtensionReason']: i.reason,
      },
      note: i.note ?? `Gia hạn: ${i.reason}`,
    }),
  }),
];

/** Stages a record can be sent back from: from selection up to (not including) the decision. */
const RETURNABLE = PIPELINE_STAGES.slice(stageIndex('outstanding'), stageIndex('decision'));
const BEFORE_PROBATION = PIPELINE_STAGES.slice(0, stageIndex('probation'));
const BEFORE_OFFICIAL = PIPELINE_STAGES.slice(0, stageIndex('official'));
const BEFORE_VOTE = PIPELINE_STAGES.slice(0, stageIndex('branch_vote'));

function exitNote(i: ExitInput) {
  return i.note ? `${i.reason} — ${i.note}` : i.reason;
}

function exitApply(extra?: (i: ExitInput) => Record<string, unknown>) {
  return (_ctx: RuleContext, i: ExitInput): Applied => ({
    set: extra ? extra(i) : {},
    note: exitNote(i),
    refNo: i.refNo,
    refDay: i.refDate,
  });
}

const exitDateRules = (ctx: RuleContext, i: ExitInput) =>
  i.refDate !== undefined ? checkNotFuture(i.refDate, ctx.today, 'refDate') : [];

/** One entry per start stage, so roles follow the side that owns the stage. */
function exits(): Transition[] {
  const out: Transition[] = [];
  for (const from of RETURNABLE) {
    out.push(
      define({
        id: 'return_for_improvement',
        from: [from],
        to: 'returned',
        roles: [sideOf(from), 'province_union', 'admin'],
        schema: ExitSchema,
        dateField: 'refDate',
        label: text('Trả lại để bổ sung', 'Return for improvement'),
        inputRules: exitDateRules,
        apply: exitApply((i) => ({ 'pipeline.returnReason': i.reason })),
      }),
    );
  }
  for (const from of ['dossier', 'introduced', 'branch_vote', 'committee_review'] as const) {
    out.push(
      define<NotAdmittedInput>({
        id: 'not_admitted',
        from: [from],
        to: 'not_admitted',
        roles: ['school_party', 'admin'],
        schema: NotAdmittedSchema,
        dateField: 'refDate',
        label: text('Không kết nạp', 'Not admitted'),
        inputRules: (ctx, i) => [
          ...exitDateRules(ctx, i),
          ...(i.vote
            ? [
                ...checkNotFuture(i.vote.meetingDate, ctx.today, 'vote.meetingDate'),
                ...effectiveVote(ctx, i.vote, { requirePass: false, prefix: 'vote.' }).reasons,
              ]
            : []),
        ],
        apply: (ctx, i) => ({
          ...exitApply()(ctx, i),
          set: i.vote ? { 'pipeline.branchVote': voteRecord(ctx, i.vote), ...cellSet(ctx) } : {},
          refDay: i.refDate ?? i.vote?.meetingDate,
        }),
      }),
    );
  }
  for (const from of [...BEFORE_PROBATION, 'returned'] as const) {
    const roles: Role[] =
      from === 'returned' ? ['school_union', 'school_party', 'admin'] : [sideOf(from), 'admin'];
    out.push(
      define({
        id: 'withdraw',
        from: [from],
        to: 'withdrawn',
        roles,
        schema: ExitSchema,
        dateField: 'refDate',
        label: text('Rút hồ sơ', 'Withdraw'),
        inputRules: exitDateRules,
        apply: exitApply(),
      }),
    );
  }
  out.push(
    define({
      id: 'strike_off',
      from: ['probation'],
      to: 'struck_off',
      roles: ['school_party', 'admin'],
      schema: ExitSchema,
      dateField: 'refDate',
      label: text('Xóa tên trong thời gian dự bị', 'Strike off during probation'),
      inputRules: exitDateRules,
      apply: exitApply(),
    }),
  );
  for (const from of [...BEFORE_OFFICIAL, 'returned'] as const) {
    const roles: Role[] =
      from === 'returned' ? ['school_union', 'school_party', 'admin'] : [sideOf(from), 'admin'];
    out.push(
      define({
        id: 'transfer',
        from: [from],
        to: 'transferred',
        roles,
        schema: ExitSchema,
        dateField: 'refDate',
        label: text('Chuyển đi / tốt nghiệp', 'Transfer or graduate'),
        inputRules: exitDateRules,
        apply: exitApply(),
      }),
    );
  }
  // Past 30 a candidate may still go on with two party-member introducers, so ageing
  // out is offered only until the chi bộ votes and only once the member is 30.
  out.push(
    define<ExitInput>({
      id: 'age_out',
      from: [...BEFORE_VOTE, 'returned'],
      to: 'aged_out',
      roles: ['school_union', 'admin'],
      schema: ExitSchema,
      dateField: 'refDate',
      label: text('Hết tuổi đoàn', 'Age out of the Union'),
      memberRules: (ctx, day) => {
        const months = ageMonthsOn(ctx.member, day);
        if (Number.isNaN(months)) return checkAge(ctx.member, day);
        return months < UNION_AGE_MAX_MONTHS
          ? [reason('not_aged_out', 'Chưa đủ 30 tuổi', 'Not yet 30', 'refDate')]
          : [];
      },
      inputRules: exitDateRules,
      apply: exitApply(),
    }),
  );
  out.push(
    define({
      id: 'resume',
      from: ['returned'],
      to: 'previous',
      roles: ['school_union', 'school_party', 'admin'],
      rolesFor: (p) => {
        const prev = stageBeforeReturn(p);
        return prev ? [sideOf(prev), 'admin'] : ['admin'];
      },
      schema: ResumeSchema,
      label: text('Tiếp tục sau khi bổ sung', 'Resume after improvement'),
      memberRules: (ctx) =>
        stageBeforeReturn(ctx.p)
          ? []
          : [
              reason(
                'no_previous_stage',
                'Không rõ hồ sơ bị trả lại từ bước nào',
                'The stage the record was returned from is unknown',
              ),
            ],
      apply: (_ctx, i) => ({
        set: { 'pipeline.returnReason': null },
        note: i.note ?? 'Đã bổ sung, tiếp tục xét',
      }),
    }),
  );
  return out;
}

export const TRANSITIONS: readonly Transition[] = [...FORWARD, ...ACTIONS, ...exits()];

/** The entry for `id` that starts from `stage`, else any entry with that id. */
export function findTransition(id: string, stage: string): Transition | undefined {
  return (
    TRANSITIONS.find((t) => t.id === id && t.from.includes(stage as Stage)) ??
    TRANSITIONS.find((t) => t.id === id)
  );
}

export function rolesOf(t: Transition, p: PipelineRecord): readonly Role[] {
  return t.rolesFor ? t.rolesFor(p) : t.roles;
}

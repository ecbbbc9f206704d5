/**
 * Recording one admission step: `applyTransition` runs the pure state machine
 * (app/domain/pipeline) and writes its update; `writeStep` is the write itself, shared with
 * the bulk actions (pipeline-bulk.server.ts).
 *
 * One transaction per step (app/utils/transaction.server.ts): the record is read, the
 * machine checks the step, `updateOne({ _id, ...scope, 'pipeline.stage': expected, __v })`
 * writes it with `$set`, `$push` and `$inc: { __v: 1 }`, the audit event and the next
 * deadline are written, and all of it commits together or not at all. Scope in the
 * filter makes another school's member a 404; stage + version in the filter make a
 * concurrent change a 409 instead of a lost update.
 */
import { data, redirect } from '@remix-run/node';
import type { Types } from 'mongoose';
import { Member } from '../../../models/member';
import { vietnamDay } from '~/domain/calendar';
import type { Text } from '~/domain/criteria/types';
import {
  FIELD_LABELS,
  checkTransition,
  findTransition,
  memberAfter,
  voteCellChoice,
  type Conflict,
  type PipelineMember,
  type PipelineUpdate,
  type Reason,
  type TransitionId,
  type VoteCell,
} from '~/domain/pipeline';
import type { WorkingCalendar } from '~/domain/working-days';
import type { AuthUser } from '../auth/auth.server';
import { noteMemberWrite } from '../criteria/eligibility.server';
import { auditMember, memberFilter } from '../members/member-access.server';
import { inTransaction } from '../transaction.server';
import { stepRecordedNotice } from '~/domain/notifications/triggers-events';
import { notify } from '../notifications/notify.server';
import { voteCellOf } from './party-register.server';
import { brokeParam, refreshConflicts } from './pipeline-conflicts.server';
import { storedDue } from './pipeline-due.server';
import { loadMember, type LeanPipelineMember } from './pipeline-member.server';
import { loadSelectionVerdict } from './selection.server';
import { loadCalendar } from './working-calendar.server';

/** Plain reason for the browser: its message in both languages, picked by the page's locale. */
export interface ReasonView {
  code: string;
  field: string | null;
  message: Text;
}

const reasonView = (r: Reason): ReasonView => ({ code: r.code, field: r.field ?? null, message: r.message });

export interface TransitionFailure {
  intent: TransitionId;
  /** The step's name, for a refusal whose form is no longer on the page (stale tab). */
  label: Text;
  reasons: ReasonView[];
  values: Record<string, string>;
  conflict?: boolean;
}

/**
 * One checked step written for one record, for the candidate page and the bulk actions,
 * inside the caller's transaction: scope, stage and version in the filter, so a record
 * changed meanwhile is not matched (false, nothing written). The same update stores the
 * record's next legal deadline as it stands after the step (`pipeline.due`, derived from
 * the record the update leaves), then the audit event, which names the bulk step it
 * belongs to, if any.
 */
export async function writeStep(
  user: AuthUser,
  member: PipelineMember & { _id: Types.ObjectId; schoolId?: Types.ObjectId | null },
  transitionId: TransitionId,
  update: PipelineUpdate,
  version: number,
  options: { calendar: WorkingCalendar; now: Date; bulkId?: Types.ObjectId },
): Promise<Conflict[] | null> {
  const { calendar, now, bulkId } = options;
  // Every path that selects judges the criteria first (selection.server.ts): a selection
  // that was not judged is a programming error, never written.
  if (transitionId === 'select_outstanding' && !update.details?.criteria)
    throw new Error('select_outstanding checked without the criteria verdict');
  const due = storedDue(memberAfter(member, update), calendar, now);
  const written = await Member.updateOne(
    { ...memberFilter(user, member._id), 'pipeline.stage': update.expectedStage, __v: version },
    {
      $set: due ? { ...update.set, 'pipeline.due': due } : update.set,
      ...(due ? {} : { $unset: { 'pipeline.due': 1 } }),
      $push: update.push,
      $inc: { __v: 1 },
    },
    { runValidators: true },
  );
  if (written.matchedCount === 0) return null;
  noteMemberWrite();
  await auditMember(user, `pipeline.${transitionId}`, member, {
    from: update.expectedStage,
    to: update.stage,
    ...(update.history.refNo ? { refNo: update.history.refNo } : {}),
    ...(update.history.refDate ? { refDate: vietnamDay(update.history.refDate) } : {}),
    ...(update.history.note ? { reason: update.history.note } : {}),
    ...(update.warnings.length ? { warnings: update.warnings.map((w) => w.code) } : {}),
    ...(update.escalate ? { escalate: true } : {}),
    ...update.details,
    ...(bulkId ? { bulkId } : {}),
    version: version + 1,
  });
  // The student hears about the step with the step (the version names this write).
  await notify(
    [
      stepRecordedNotice({
        memberId: String(member._id),
        schoolId: member.schoolId ? String(member.schoolId) : undefined,
        stage: update.stage,
        version: version + 1,
        refDate: update.history.refDate,
      }),
    ],
    { now },
  );
  // The recorded steps re-checked on what the step left (conflicts.ts): what it broke.
  return refreshConflicts(member._id, user.id, now);
}

/**
 * The vote's chi bộ with its register, read in the step's transaction: a party cell of the
 * member's school (and the user's scope). Otherwise a refusal beside the field.
 */
async function resolveVoteCell(
  user: AuthUser,
  m: LeanPipelineMember,
  choice: { id: string; field: string },
): Promise<{ cell: VoteCell } | { reasons: ReasonView[] }> {
  const label = FIELD_LABELS.partyCellId;
  if (!choice.id) {
    return {
      reasons: [
        {
          code: 'invalid_input',
          field: choice.field,
          message: {
            vi: `${label.vi}: chọn chi bộ đã họp xét (số đảng viên chính thức lấy từ Sổ đảng viên của chi bộ đó)`,
            en: `${label.en}: choose the chi bộ that met (its register gives the number of official members)`,
          },
        },
      ],
    };
  }
  const cell = await voteCellOf(user, m.schoolId, choice.id);
  if (cell) return { cell };
  return {
    reasons: [
      {
        code: 'invalid_input',
        field: choice.field,
        message: {
          vi: `${label.vi}: không phải một chi bộ của trường của đoàn viên`,
          en: `${label.en}: not a chi bộ of the member's school`,
        },
      },
    ],
  };
}

/**
 * Records one pipeline step. Throws a redirect on success (toast `toast.pipelineRecorded`,
 * or `toast.pipelineRecordedLate` when a legal deadline was missed); returns 400 with every
 * reason, or 409 when the record changed meanwhile; throws 404 outside the scope.
 */
export async function applyTransition(
  user: AuthUser,
  memberId: Types.ObjectId,
  transitionId: TransitionId,
  input: Record<string, unknown>,
  version: number,
  options: { now?: Date; values?: Record<string, string> } = {},
) {
  const now = options.now ?? new Date();
  const values = options.values ?? {};
  const label = findTransition(transitionId, '')?.label ?? { vi: transitionId, en: transitionId };
  const fail = (reasons: ReasonView[], status: number, conflict = false) =>
    data<TransitionFailure>(
      { intent: transitionId, label, reasons, values, ...(conflict ? { conflict } : {}) },
      { status },
    );
  const calendar = await loadCalendar();
  // Read, check and write in one transaction: a retry after a conflict decides on the new state.
  const outcome = await inTransaction(async () => {
    const m = await loadMember(user, memberId);
    if ((m.__v ?? 0) !== version) return { kind: 'conflict' } as const;
    // A vote is judged against the register of the chi bộ it names (effectiveVote). A chi bộ
    // that is not the school's is refused beside its field, with the step's other reasons
    // (judged with an empty register, whose "no count" the field's own reason replaces).
    const choice = voteCellChoice(transitionId, input, m);
    let cell: VoteCell | undefined;
    let cellRefusal: ReasonView[] = [];
    if (choice) {
      const resolved = await resolveVoteCell(user, m, choice);
      if ('reasons' in resolved) {
        cellRefusal = resolved.reasons;
        cell = { id: '', register: [] };
      } else cell = resolved.cell;
    }
    // Selection: the criteria verdict of the record as this transaction reads it.
    const selection =
      transitionId === 'select_outstanding'
        ? ((await loadSelectionVerdict(memberId, memberFilter(user, memberId), now)) ?? undefined)
        : undefined;
    const result = checkTransition(
      m as unknown as PipelineMember,
      transitionId,
      input,
      { id: user.id, role: user.role },
      now,
      { calendar, selection, ...(cell ? { cell } : {}) },
    );
    if (cellRefusal.length > 0) {
      const others = result.ok ? [] : result.reasons.filter((r) => r.code !== 'register_missing');
      return { kind: 'refused' as const, reasons: [...others.map(reasonView), ...cellRefusal] };
    }
    if (!result.ok) return { kind: 'refused', reasons: result.reasons.map(reasonView) } as const;
    const { update } = result;
    const member = m as unknown as PipelineMember & LeanPipelineMember;
    const broke = await writeStep(user, member, transitionId, update, version, { calendar, now });
    if (broke === null) return { kind: 'conflict' } as const;
    return { kind: 'done', late: update.warnings.length > 0, broke } as const;
  });
  if (outcome.kind === 'conflict')
    return fail(
      [
        {
          code: 'conflict',
          field: null,
          message: {
            vi: 'Hồ sơ vừa được người khác thay đổi. Hãy xem lại rồi ghi nhận lại.',
            en: 'The record was changed meanwhile. Check it and record the step again.',
          },
        },
      ],
      409,
      true,
    );
  if (outcome.kind === 'refused') return fail(outcome.reasons, 400);
  // A step that broke an earlier one says so on the page it lands on (conflict-flash.server.ts).
  const ok = `${outcome.late ? 'pipelineRecordedLate' : 'pipelineRecorded'}${outcome.broke.length ? 'Conflict' : ''}`;
  throw redirect(`/members/${memberId}/pipeline?ok=${ok}${brokeParam(outcome.broke)}`);
}

/**
 * Rule conflicts of recorded steps, on the server (issue 16, path 4; the rules are
 * app/domain/pipeline/conflicts.ts).
 *
 * `pipeline.conflicts` is derived, like `eligibility` and `pipeline.due` (decision 018): the
 * server recomputes it inside the transaction of every write that can change what a step
 * relied on (a member edit, a step, the paper dossier, an import update, a chi bộ register
 * change), without bumping `__v` and without an event of its own: the write that caused it
 * has its event. `pipeline.openConflicts` counts the conflicts no override covers, for the
 * list filter (`due=conflict`), the board card and the province's count.
 *
 * An override is a user action: a different user than the one whose write produced the
 * conflicts records a reason (≥ OVERRIDE_REASON_MIN characters); it bumps `__v`, has its own
 * event (`pipeline.conflict_override`) and covers the conflicts on file by their keys; a new
 * conflict blocks again. When the data is corrected and no conflict is left, the override
 * goes with them (its event stays in the log).
 */
import { data, redirect } from '@remix-run/node';
import mongoose, { Types } from 'mongoose';
import { Member } from '../../../models/member';
import { User } from '../../../models/user';
import type { Text } from '~/domain/criteria/types';
import {
  OVERRIDE_REASON_MIN,
  conflictKey,
  mergeConflicts,
  openConflicts,
  producedBy,
  recheckSteps,
  type Conflict,
  type PipelineMember,
  keptConflicts,
  type KeptConflict,
} from '~/domain/pipeline';
import type { AuthUser } from '../auth/auth.server';
import { noteMemberWrite } from '../criteria/eligibility.server';
import { auditMember, memberFilter } from '../members/member-access.server';
import { can } from '~/domain/permissions';
import { registerOfCell } from './cell-register.server';
import { loadCalendar } from './working-calendar.server';
import { inTransaction } from '../transaction.server';
import { ruleConflictNotice } from '~/domain/notifications/triggers-events';
import { notify } from '../notifications/notify.server';
import { forbidden, notFound } from '../responses.server';

/** What the re-check reads: the data the steps relied on. */
const RECHECK_PROJECTION = { fullName: 1, dateOfBirth: 1, partyCellId: 1, schoolId: 1, pipeline: 1 } as const;

interface LeanRecheck {
  _id: Types.ObjectId;
  fullName?: string;
  schoolId?: Types.ObjectId | null;
  partyCellId?: Types.ObjectId | null;
  dateOfBirth?: Date | null;
  pipeline?: PipelineMember['pipeline'] & {
    branchVote?: { partyCellId?: Types.ObjectId | null } | null;
  };
}

const sameList = (a: readonly KeptConflict[], b: readonly KeptConflict[]) =>
  a.length === b.length &&
  a.every((c, i) => conflictKey(c) === conflictKey(b[i]) && c.message.vi === b[i].message.vi);

/**
 * Re-checks one member's recorded steps and stores the result; call it inside the write's
 * transaction, after the write (it reads what the write left). `by` is whose write this is:
 * a new conflict is theirs. Returns the conflicts this write added (what the save broke).
 */
export async function refreshConflicts(
  memberId: Types.ObjectId,
  by: string | Types.ObjectId | null,
  now = new Date(),
): Promise<Conflict[]> {
  const m = await Member.findById(memberId).select(RECHECK_PROJECTION).lean<LeanRecheck>();
  if (!m) return [];
  const calendar = await loadCalendar();
  // The register only judges votes: a record with none on file costs no read of its chi bộ.
  const votes = Boolean(m.pipeline?.branchVote?.meetingDate) || Boolean(m.pipeline?.officialVotes?.length);
  const cellId = m.pipeline?.branchVote?.partyCellId ?? m.partyCellId ?? null;
  const register = votes ? await registerOfCell(cellId) : [];
  const fresh = recheckSteps(m as PipelineMember, { calendar, register });
  const stored = keptConflicts(m.pipeline);
  const { conflicts, added } = mergeConflicts(stored, fresh, by ? new Types.ObjectId(String(by)) : null, now);
  const override = m.pipeline?.conflictOverride ?? null;
  const open = openConflicts({ stage: '', conflicts, conflictOverride: override }).length;
  // Nothing changed (no field stored counts as none open): no write, the common case.
  const openBefore = (m.pipeline as { openConflicts?: number } | undefined)?.openConflicts ?? 0;
  if (sameList(stored, conflicts) && openBefore === open) {
    return added;
  }
  const update =
    conflicts.length === 0
      ? {
          $unset: {
            'pipeline.conflicts': 1,
            'pipeline.openConflicts': 1,
            'pipeline.conflictOverride': 1,
          },
        }
      : { $set: { 'pipeline.conflicts': conflicts, 'pipeline.openConflicts': open } };
  await Member.updateOne({ _id: m._id }, update);
  noteMemberWrite();
  // The school hears about what this write broke, in the write's transaction.
  if (added.length && m.schoolId) {
    await notify(
      [
        ruleConflictNotice({
          memberId: String(m._id),
          schoolId: String(m.schoolId),
          fullName: m.fullName ?? '',
          count: added.length,
          keys: added.map(conflictKey),
          at: now,
        }),
      ],
      { now },
    );
  }
  return added;
}

/**
 * After a register change of `cellId`: the members whose votes used that cell (the vote
 * names it, or the member follows it) are re-checked; a new conflict is the register
 * editor's. Inside the register's transaction, one member after the other. Returns the
 * members the change broke, each with the conflicts it added (what the page names).
 */
export async function refreshConflictsOfCell(
  cellId: Types.ObjectId,
  by: string,
  now = new Date(),
): Promise<{ memberId: Types.ObjectId; added: Conflict[] }[]> {
  const ids = await Member.find({
    $or: [
      { 'pipeline.branchVote.partyCellId': cellId },
      { partyCellId: cellId, 'pipeline.branchVote.meetingDate': mongoose.trusted({ $exists: true }) },
      { partyCellId: cellId, 'pipeline.officialVotes.meetingDate': mongoose.trusted({ $exists: true }) },
    ],
  })
    .select({ _id: 1 })
    .limit(5000)
    .lean<{ _id: Types.ObjectId }[]>();
  const broke: { memberId: Types.ObjectId; added: Conflict[] }[] = [];
  for (const { _id } of ids) {
    const added = await refreshConflicts(_id, by, now);
    if (added.length) broke.push({ memberId: _id, added });
  }
  return broke;
}

/** `?broke=` of a save's redirect: the keys of the conflicts it added. */
export function brokeParam(added: readonly Conflict[]): string {
  return added.length ? `&broke=${encodeURIComponent(added.map(conflictKey).join(' '))}` : '';
}

// ---------------------------------------------------------------- the record's view

export interface ConflictView {
  key: string;
  step: string;
  code: string;
  message: Text;
  by: string | null;
  at: string | null;
  overridden: boolean;
}

export interface ConflictsView {
  list: ConflictView[];
  open: number;
  override: { by: string | null; at: string | null; reason: string } | null;
  /** May this user record an override now (rights, an open conflict, not its author)? */
  canOverride: boolean;
  /** Why not, when the user has the rights but produced the conflict. */
  ownEdit: boolean;
}

/** The paper checklist's roles may override (the school's side and admins); the province may not. */
export function canOverrideConflicts(user: Pick<AuthUser, 'role'>): boolean {
  return can(user.role, 'pipeline:union') || can(user.role, 'pipeline:party');
}

/** The conflicts of one record for its header and tab; `broke` names the ones a save just added. */
export function conflictsView(
  pipeline: PipelineMember['pipeline'] | null | undefined,
  user: AuthUser,
  names: Map<string, string>,
): ConflictsView {
  const list = keptConflicts(pipeline);
  const open = openConflicts(pipeline);
  const openKeys = new Set(open.map(conflictKey));
  const o = pipeline?.conflictOverride;
  const name = (id: unknown) => (id ? (names.get(String(id)) ?? null) : null);
  const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : null);
  const ownEdit = producedBy(open, user.id);
  return {
    list: list.map((c) => ({
      key: conflictKey(c),
      step: c.step,
      code: c.code,
      message: c.message,
      by: name(c.by),
      at: iso(c.at),
      overridden: !openKeys.has(conflictKey(c)),
    })),
    open: open.length,
    override: o ? { by: name(o.by), at: iso(o.at), reason: o.reason ?? '' } : null,
    canOverride: canOverrideConflicts(user) && open.length > 0 && !ownEdit,
    ownEdit: canOverrideConflicts(user) && open.length > 0 && ownEdit,
  };
}

/** The record's conflicts, with names of who produced and who overrode them. */
export async function memberConflicts(user: AuthUser, memberId: Types.ObjectId): Promise<ConflictsView> {
  const m = await Member.findOne(memberFilter(user, memberId))
    .select({ 'pipeline.conflicts': 1, 'pipeline.conflictOverride': 1, 'pipeline.stage': 1 })
    .lean<{ pipeline?: PipelineMember['pipeline'] }>();
  if (!m) throw notFound();
  const p = m.pipeline;
  const ids = [
    ...new Set(
      [...(p?.conflicts ?? []).map((c) => c.by), p?.conflictOverride?.by]
        .filter(Boolean)
        .map((x) => String(x)),
    ),
  ];
  const users = ids.length
    ? await User.find({ _id: mongoose.trusted({ $in: ids.map((x) => new Types.ObjectId(x)) }) })
        .select({ name: 1 })
        .lean()
    : [];
  return conflictsView(p, user, new Map(users.map((u) => [String(u._id), u.name])));
}

// ---------------------------------------------------------------- the override

export interface OverrideFailure {
  intent: 'conflict_override';
  error: Text;
  values: { reason: string };
  conflict?: boolean;
}

const fail = (error: Text, reason: string, status: number) =>
  data<OverrideFailure>(
    { intent: 'conflict_override', error, values: { reason }, ...(status === 409 ? { conflict: true } : {}) },
    { status },
  );

/**
 * A different user records why the record may go on despite its open conflicts: 403 without
 * the rights, 404 outside the scope, 400 without a reason of OVERRIDE_REASON_MIN characters
 * or with no open conflict, 403 for the user whose edit produced one, 409 on a stale version.
 * One transaction: the override (its keys, who, when, why), `openConflicts` 0, `__v` + 1 and
 * the event `pipeline.conflict_override` with the conflicts it covers and the new version.
 */
export async function overrideConflicts(
  user: AuthUser,
  memberId: Types.ObjectId,
  reasonInput: unknown,
  version: number,
  now = new Date(),
) {
  if (!canOverrideConflicts(user)) throw forbidden();
  const reason = typeof reasonInput === 'string' ? reasonInput.trim() : '';
  const outcome = await inTransaction(async () => {
    const m = await Member.findOne(memberFilter(user, memberId))
      .select({ schoolId: 1, pipeline: 1, __v: 1 })
      .lean<{
        _id: Types.ObjectId;
        schoolId?: Types.ObjectId;
        pipeline?: PipelineMember['pipeline'];
        __v?: number;
      }>();
    if (!m) return { kind: 'missing' } as const;
    if ((m.__v ?? 0) !== version) return { kind: 'stale' } as const;
    const open = openConflicts(m.pipeline);
    if (open.length === 0) return { kind: 'none' } as const;
    if (producedBy(open, user.id)) return { kind: 'own' } as const;
    if (reason.length < OVERRIDE_REASON_MIN) return { kind: 'short' } as const;
    const keys = keptConflicts(m.pipeline).map(conflictKey);
    const written = await Member.updateOne(
      { ...memberFilter(user, memberId), __v: version },
      {
        $set: {
          'pipeline.conflictOverride': { by: new Types.ObjectId(user.id), at: now, reason, keys },
          'pipeline.openConflicts': 0,
        },
        $inc: { __v: 1 },
      },
    );
    if (written.matchedCount === 0) return { kind: 'stale' } as const;
    await auditMember(user, 'pipeline.conflict_override', m, {
      reason,
      conflicts: open.map((c) => c.message.vi),
      keys: open.map(conflictKey),
      version: version + 1,
    });
    return { kind: 'done' } as const;
  });
  switch (outcome.kind) {
    case 'missing':
      throw notFound();
    case 'stale':
      return fail(
        {
          vi: 'Hồ sơ vừa được người khác thay đổi. Hãy xem lại rồi ghi lại lý do.',
          en: 'The record was changed meanwhile. Check it and record the reason again.',
        },
        reason,
        409,
      );
    case 'none':
      return fail(
        {
          vi: 'Hồ sơ không có xung đột quy tắc nào cần bỏ qua.',
          en: 'The record has no open rule conflict.',
        },
        reason,
        400,
      );
    case 'own':
      return fail(
        {
          vi: 'Bạn đã thực hiện thay đổi gây ra xung đột này, nên không thể tự ghi lý do bỏ qua; một người khác cần xem xét và ghi lý do.',
          en: 'You made the change that caused this conflict, so you may not override it yourself; someone else must review it and record the reason.',
        },
        reason,
        403,
      );
    case 'short':
      return fail(
        {
          vi: `Lý do bỏ qua xung đột cần ít nhất ${OVERRIDE_REASON_MIN} ký tự: ghi rõ vì sao hồ sơ vẫn tiếp tục.`,
          en: `The reason needs at least ${OVERRIDE_REASON_MIN} characters: say why the record goes on.`,
        },
        reason,
        400,
      );
  }
  noteMemberWrite();
  throw redirect(`/members/${memberId}/pipeline?ok=pipelineConflictOverridden`);
}

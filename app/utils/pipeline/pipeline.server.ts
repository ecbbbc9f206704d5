/**
 * The server side of the admission pipeline: the member's pipeline view, and `applyTransition`, which runs the pure state machine
 * (app/domain/pipeline) and writes its update.
 *
 * One transaction per step (app/utils/transaction.server.ts): the record is read, the
 * machine checks the step, `updateOne({ _id, ...scope, 'pipeline.stage': expected, __v })`
 * writes it with `$set`, `$push` and `$inc: { __v: 1 }`, the audit event and the next
 * deadline are written, and all of it commits together or not at all. Scope in the
 * filter makes another school's member a 404; stage + version in the filter make a
 * concurrent change a 409 instead of a lost update.
 *
 * The tab's other writes follow the same pattern (scope + `__v` in the filter, `$inc`):
 * the paper dossier checklist (`saveDossier`, the school's) and the province's review
 * notes (`addReviewNote`; `resolveFlag`, the school's), with `pipeline.openFlags` moved
 * by `$inc` in the same update so it always equals the number of unresolved flags.
 */
import { parse, type Submission } from '@conform-to/react';
import { parseWithZod } from '@conform-to/zod/v4';
import { data, redirect } from '@remix-run/node';
import mongoose, { Types } from 'mongoose';
import { z } from 'zod';
import { Member } from '../../../models/member';
import { User } from '../../../models/user';
import { dayNumber, isoDay, vietnamDay } from '~/domain/calendar';
import type { Text } from '~/domain/criteria/types';
import { computeDeadlines } from '~/domain/deadlines';
import {
  FIELD_LABELS,
  TRANSITION_IDS,
  allowedTransitions,
  checkTransition,
  derivedDossierDays,
  findTransition,
  memberAfter,
  nextActor,
  stepBlocks,
  type Conflict,
  type PipelineRecord,
  type PipelineMember,
  type PipelineUpdate,
  type Reason,
  type SelectionVerdict,
  type TransitionId,
  type VoteCell,
} from '~/domain/pipeline';
import { PIPELINE_STAGES, isExitStage, isStage, type Stage } from '~/domain/stages';
import type { WorkingCalendar } from '~/domain/working-days';
import {
  DOSSIER_FORMS,
  ReviewNoteSchema,
  dossierEditSchema,
  type DossierRowState,
  type TabFormFailure,
} from '~/utils/forms/pipeline-tab';
import type { MessageKey } from '~/i18n';
import type { AuthUser } from '../auth/auth.server';
import { noteMemberWrite } from '../criteria/eligibility.server';
import { voteCellOf, voteCellOptions, type VoteCellOption } from './party-register.server';
import { parseVersion } from '../versioning.server';
import { brokeParam, overrideConflicts, refreshConflicts } from './pipeline-conflicts.server';
import { auditMember, memberFilter } from '../members/member-access.server';
import { can } from '~/domain/permissions';
import { storedDue } from './pipeline-due.server';
import { loadCalendar } from './working-calendar.server';
import { inTransaction } from '../transaction.server';
import { loadSelectionVerdict } from './selection.server';
import { isObjectId } from '~/domain/ids';
import { badRequest, forbidden, notFound } from '../responses.server';

/** May this role take any pipeline step at all (the machine decides which)? */
export function canActOnPipeline(user: Pick<AuthUser, 'role'>): boolean {
  return (
    can(user.role, 'pipeline:union') || can(user.role, 'pipeline:party') || can(user.role, 'pipeline:review')
  );
}

export function isTransitionId(value: unknown): value is TransitionId {
  return typeof value === 'string' && (TRANSITION_IDS as readonly string[]).includes(value);
}

// `consent`: the machine pauses every step while the student's consent is withdrawn.
// `partyCellId`: the chi bộ a vote is taken in by default (its register judges the vote).
const PIPELINE_PROJECTION = {
  pipeline: 1,
  dateOfBirth: 1,
  schoolId: 1,
  partyCellId: 1,
  consent: 1,
  __v: 1,
} as const;

interface LeanPipelineMember {
  _id: Types.ObjectId;
  schoolId?: Types.ObjectId | null;
  partyCellId?: Types.ObjectId | null;
  dateOfBirth?: Date | null;
  pipeline?: Record<string, unknown> & { stage?: string; history?: HistoryRow[] };
  __v?: number;
}

interface HistoryRow {
  stage: string;
  at: Date;
  by?: Types.ObjectId | null;
  note?: string | null;
  refNo?: string | null;
  refDate?: Date | null;
}

async function loadMember(user: AuthUser, id: Types.ObjectId): Promise<LeanPipelineMember> {
  const m = await Member.findOne(memberFilter(user, id))
    .select(PIPELINE_PROJECTION)
    .lean<LeanPipelineMember>();
  if (!m) throw notFound();
  return m;
}

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
 * Form fields → the transition's input, read by conform: `introducers[0].name` gives a
 * list, `introducers.0.name` an object keyed by row, both of which the step's schema reads
 * as its rows (schemas.ts).
 */
export function formToInput(form: FormData): Record<string, unknown> {
  const { payload } = parse(form, { resolve: (value) => ({ value }) });
  const { intent: _intent, version: _version, ...input } = payload;
  return input;
}

function formValues(form: FormData): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [key, raw] of form.entries()) {
    if (typeof raw === 'string' && key !== 'version') values[key] = raw;
  }
  return values;
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
  // The recorded steps re-checked on what the step left (conflicts.ts): what it broke.
  return refreshConflicts(member._id, user.id, now);
}

const VOTE_STEPS: readonly TransitionId[] = ['record_branch_vote', 'record_official_vote'];
const blankless = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

/**
 * The chi bộ a vote step names (the input's `partyCellId`, else the member's own cell) and the
 * field it is about; null for a step that records no vote (`not_admitted` without one).
 */
export function voteCellChoice(
  transitionId: TransitionId,
  input: Record<string, unknown>,
  member: { partyCellId?: Types.ObjectId | null },
): { id: string; field: string } | null {
  const own = member.partyCellId ? String(member.partyCellId) : '';
  if (VOTE_STEPS.includes(transitionId)) {
    return { id: blankless(input.partyCellId) ?? own, field: 'partyCellId' };
  }
  const vote = input.vote;
  if (transitionId === 'not_admitted' && vote && typeof vote === 'object') {
    return { id: blankless((vote as Record<string, unknown>).partyCellId) ?? own, field: 'vote.partyCellId' };
  }
  return null;
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

// Strict: a missing or blank version is not version 0 (z.coerce would make it one, and a
// form without it would then pass the concurrency check of a never-edited record).
export { parseVersion };

/**
 * The action's entry: intent and version from the form, then a step (`applyTransition`),
 * the dossier checklist, or a review note. An unknown intent or a bad version is a 400.
 */
export async function pipelineAction(user: AuthUser, memberId: Types.ObjectId, form: FormData) {
  const intent = form.get('intent');
  const version = parseVersion(form.get('version'));
  if (version === null) throw badRequest();
  switch (intent) {
    case 'dossier':
      return saveDossier(user, memberId, form, version);
    case 'note':
      return addReviewNote(user, memberId, form, version);
    case 'resolve_flag':
      return resolveFlag(user, memberId, String(form.get('noteId') ?? ''), version);
    case 'conflict_override':
      return overrideConflicts(user, memberId, form.get('reason'), version);
    default:
      if (!isTransitionId(intent)) throw badRequest();
      return applyTransition(user, memberId, intent, formToInput(form), version, {
        values: formValues(form),
      });
  }
}

// ---------------------------------------------------------------- dossier and review notes

/** The paper checklist: school Union, Party committee and admins; the province only reads it. */
export function canEditDossier(user: Pick<AuthUser, 'role'>): boolean {
  return can(user.role, 'pipeline:union') || can(user.role, 'pipeline:party');
}
/** Flags and comments: the province (and admins). */
export function canAddReviewNote(user: Pick<AuthUser, 'role'>): boolean {
  return can(user.role, 'pipeline:review');
}
/** A flag is resolved by the school that must act on it (and admins), never by its author's side. */
export const canResolveFlag = canEditDossier;

const tabFailure = (body: TabFormFailure, status: number) => data<TabFormFailure>(body, { status });
const CONFLICT = { form: ['pipeline.conflict' as const] };

/** The fields as posted (not intent and version), for `TabFormFailure.values`. */
function postedValues(form: FormData | URLSearchParams): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [key, raw] of form.entries()) {
    if (typeof raw === 'string' && key !== 'intent' && key !== 'version' && !(key in values))
      values[key] = raw;
  }
  return values;
}

/**
 * A refused dossier or note form: conform's reply (the form's `lastResult`) and the same
 * messages by field name. `formError`: a refusal of the whole form (a stale version: 409).
 */
function tabReply(
  intent: 'dossier' | 'note',
  form: FormData | URLSearchParams,
  submission: Submission<unknown>,
  formError?: MessageKey,
) {
  const result = submission.reply(formError ? { formErrors: [formError] } : undefined);
  const errors: Record<string, MessageKey[]> = formError ? { form: [formError] } : {};
  if (!formError) {
    for (const [name, list] of Object.entries(result.error ?? {})) {
      if (list?.length) errors[name || 'form'] = [...new Set(list)] as MessageKey[];
    }
  }
  const conflict = formError === 'pipeline.conflict';
  return tabFailure(
    { intent, result, errors, values: postedValues(form), ...(conflict ? { conflict } : {}) },
    conflict ? 409 : 400,
  );
}

/** Updates, with the version and scope in the filter: a stale or foreign record matches nothing. */
async function versionedUpdate(
  user: AuthUser,
  memberId: Types.ObjectId,
  version: number,
  extraFilter: Record<string, unknown>,
  update: Record<string, unknown>,
) {
  const written = await Member.updateOne(
    { ...memberFilter(user, memberId), ...extraFilter, __v: version },
    update,
    { runValidators: true },
  );
  if (written.matchedCount > 0) noteMemberWrite();
  return written.matchedCount > 0;
}

interface StoredDossierEntry {
  form: string;
  receivedAt?: Date | null;
  verifiedAt?: Date | null;
}

const dayToStored = (iso: string) => (iso ? new Date(`${iso}T00:00:00Z`) : undefined);

/**
 * Sets or clears received/verified dates of one or several forms (fields absent from
 * `values` stay as they are). 400 with a message per field, 409 on a stale version,
 * 404 outside the scope, 403 for the province; success redirects with a toast.
 */
export async function saveDossier(
  user: AuthUser,
  memberId: Types.ObjectId,
  form: FormData | URLSearchParams | Record<string, string>,
  version: number,
  now = new Date(),
) {
  if (!canEditDossier(user)) throw forbidden();
  const m = await loadMember(user, memberId);
  const payload =
    form instanceof FormData || form instanceof URLSearchParams ? form : new URLSearchParams(form);

  const p: Pipeline = m.pipeline ?? { stage: 'member' };
  const rows = dossierRows(p);
  // No coercion: a blank date ('') clears the stored one, a date left out keeps it.
  const submission = parseWithZod(payload, {
    schema: dossierEditSchema(isoDay(dayNumber(now)), rows),
    disableAutoCoercion: true,
  });
  if ((m.__v ?? 0) !== version) return tabReply('dossier', payload, submission, 'pipeline.conflict');
  if (submission.status !== 'success') return tabReply('dossier', payload, submission);
  const edit = submission.value;

  const next: StoredDossierEntry[] = [];
  const before: Record<string, string> = {};
  const after: Record<string, string> = {};
  rows.forEach((row, i) => {
    const receivedAt = edit.receivedAt?.[String(i + 1)] ?? row.stored.receivedAt;
    const verifiedAt = edit.verifiedAt?.[String(i + 1)] ?? row.stored.verifiedAt;
    // One before/after pair per changed date ('' = none), as the audit browser lists them.
    if (receivedAt !== row.stored.receivedAt) {
      before[`${row.form}.receivedAt`] = row.stored.receivedAt;
      after[`${row.form}.receivedAt`] = receivedAt;
    }
    if (verifiedAt !== row.stored.verifiedAt) {
      before[`${row.form}.verifiedAt`] = row.stored.verifiedAt;
      after[`${row.form}.verifiedAt`] = verifiedAt;
    }
    if (receivedAt || verifiedAt) {
      next.push({
        form: row.form,
        ...(receivedAt ? { receivedAt: dayToStored(receivedAt) } : {}),
        ...(verifiedAt ? { verifiedAt: dayToStored(verifiedAt) } : {}),
      });
    }
  });
  if (Object.keys(after).length === 0) {
    throw redirect(`/members/${memberId}/pipeline?ok=memberUnchanged`);
  }
  // The version in the filter makes the write stand on what was read; the event goes with it.
  const ok = await inTransaction(async () => {
    const written = await versionedUpdate(
      user,
      memberId,
      version,
      {},
      {
        $set: { 'pipeline.dossier': next },
        $inc: { __v: 1 },
      },
    );
    if (!written) return { written, broke: [] };
    await auditMember(user, 'pipeline.dossier', m, { before, after, version: version + 1 });
    // A dossier date a recorded step relied on may have moved (conflicts.ts).
    return { written, broke: await refreshConflicts(memberId, user.id, now) };
  });
  if (!ok.written) return tabReply('dossier', payload, submission, 'pipeline.conflict');
  if (ok.broke.length)
    throw redirect(`/members/${memberId}/pipeline?ok=pipelineDossierSavedConflict${brokeParam(ok.broke)}`);
  throw redirect(`/members/${memberId}/pipeline?ok=pipelineDossierSaved`);
}

/**
 * The province's flag or comment (text required, ≤ 2000 characters). A flag adds one
 * to `pipeline.openFlags` in the same update, so the counter never drifts from the list.
 */
export async function addReviewNote(
  user: AuthUser,
  memberId: Types.ObjectId,
  form: FormData,
  version: number,
  now = new Date(),
) {
  if (!canAddReviewNote(user)) throw forbidden();
  const m = await loadMember(user, memberId);
  const submission = parseWithZod(form, { schema: ReviewNoteSchema });
  if ((m.__v ?? 0) !== version) return tabReply('note', form, submission, 'pipeline.conflict');
  if (submission.status !== 'success') return tabReply('note', form, submission);

  const { kind, text } = submission.value;
  const noteId = new Types.ObjectId();
  const ok = await inTransaction(async () => {
    const written = await versionedUpdate(
      user,
      memberId,
      version,
      {},
      {
        $push: {
          'pipeline.reviewNotes': { _id: noteId, kind, text, by: new Types.ObjectId(user.id), at: now },
        },
        $inc: { __v: 1, ...(kind === 'flag' ? { 'pipeline.openFlags': 1 } : {}) },
      },
    );
    if (written)
      await auditMember(user, `pipeline.${kind}`, m, { noteId: String(noteId), text, version: version + 1 });
    return written;
  });
  if (!ok) return tabReply('note', form, submission, 'pipeline.conflict');
  throw redirect(
    `/members/${memberId}/pipeline?ok=${kind === 'flag' ? 'pipelineFlagAdded' : 'pipelineCommentAdded'}`,
  );
}

interface StoredNote {
  _id: Types.ObjectId;
  kind: string;
  text: string;
  by?: Types.ObjectId | null;
  at: Date;
  resolvedAt?: Date | null;
  resolvedBy?: Types.ObjectId | null;
}

/** The school marks an open flag resolved; `openFlags` goes down by one in the same update. */
export async function resolveFlag(
  user: AuthUser,
  memberId: Types.ObjectId,
  noteId: string,
  version: number,
  now = new Date(),
) {
  if (!canResolveFlag(user)) throw forbidden();
  const m = await loadMember(user, memberId);
  const values = { noteId };
  const fail = (errors: TabFormFailure['errors'], status: number) =>
    tabFailure(
      { intent: 'resolve_flag', errors, values, ...(status === 409 ? { conflict: true } : {}) },
      status,
    );
  const notes = (m.pipeline?.reviewNotes as StoredNote[] | undefined) ?? [];
  const index = isObjectId(noteId) ? notes.findIndex((n) => String(n._id) === noteId) : -1;
  if (index < 0 || notes[index].kind !== 'flag') throw notFound();
  if ((m.__v ?? 0) !== version) return fail(CONFLICT, 409);
  if (notes[index].resolvedAt) return fail({ form: ['pipeline.notes.error.resolved'] }, 400);

  // The index is safe: the version in the filter guarantees the array is the one just read.
  const ok = await inTransaction(async () => {
    const written = await versionedUpdate(
      user,
      memberId,
      version,
      { [`pipeline.reviewNotes.${index}._id`]: notes[index]._id },
      {
        $set: {
          [`pipeline.reviewNotes.${index}.resolvedAt`]: now,
          [`pipeline.reviewNotes.${index}.resolvedBy`]: new Types.ObjectId(user.id),
        },
        $inc: { __v: 1, 'pipeline.openFlags': -1 },
      },
    );
    if (written) await auditMember(user, 'pipeline.flag_resolved', m, { noteId, version: version + 1 });
    return written;
  });
  if (!ok) return fail(CONFLICT, 409);
  throw redirect(`/members/${memberId}/pipeline?ok=pipelineFlagResolved`);
}

// ---------------------------------------------------------------- the page's view

/** `cell`: the chi bộ of a vote, chosen among `TransitionView.cells`, its count shown on the meeting day. */
export type FieldKind = 'date' | 'number' | 'text' | 'textarea' | 'checkbox' | 'select' | 'cell';

export interface FieldView {
  name: string;
  label: Text;
  kind: FieldKind;
  required: boolean;
  options?: string[];
}

export interface TransitionView {
  id: TransitionId;
  /** The stage the step leaves: with `id`, finds the step's schema (the browser checks it too). */
  from: Stage;
  /** Selection: the member's criteria verdict (selection.server.ts), shown above the fields. */
  verdict?: SelectionVerdict;
  to: Stage;
  label: Text;
  fields: FieldView[];
  /** Introducer rows (record_introduction). */
  rows?: { name: string; count: number; fields: FieldView[] };
  /**
   * Why this user may not take the step whatever is typed (withdrawn consent, separation of
   * duties): the form is shown disabled with these reasons.
   */
  blocked: Text[];
  /**
   * Vote steps: the chi bộ it may be recorded in (the school's active cells and the member's
   * own) with their registers, and the one chosen by default (the member's). The form shows
   * the count in force on the meeting day (countOn, in the browser), never a typed count.
   */
  cells?: VoteCellOption[];
  cellDefault?: string;
}

const NUMBER_FIELDS = new Set(['yes', 'no', 'officialMemberCount', 'monthsTogether']);
const LONG_FIELDS = new Set(['note', 'reason', 'extensionReason']);
const SELECT_OPTIONS: Record<string, string[]> = {
  verification: ['pending', 'verified', 'issues'],
  kind: ['party_member', 'union'],
};

function kindOf(name: string): FieldKind {
  if (NUMBER_FIELDS.has(name)) return 'number';
  if (LONG_FIELDS.has(name)) return 'textarea';
  if (SELECT_OPTIONS[name]) return 'select';
  if (name === 'official') return 'checkbox';
  if (/(At|Date)$/.test(name)) return 'date';
  return 'text';
}

/**
 * A field is required when its schema refuses it left blank, as a form posts it: a vote's
 * "against" count has a default for callers that leave it out, but a blank one is refused
 * (0 is a count). A checkbox is never required (unticked is a value).
 */
const requiredInForm = (type: z.ZodTypeAny, kind: FieldKind) =>
  kind !== 'checkbox' && !type.safeParse('').success;

function fieldsOf(shape: Record<string, z.ZodTypeAny>): FieldView[] {
  const out: FieldView[] = [];
  for (const [name, type] of Object.entries(shape)) {
    if (name === 'introducers' || name === 'vote') continue; // arrays / nested: rows below, or left out
    const kind = kindOf(name);
    out.push({
      name,
      label: FIELD_LABELS[name] ?? { vi: name, en: name },
      kind,
      required: requiredInForm(type, kind),
      ...(SELECT_OPTIONS[name] ? { options: SELECT_OPTIONS[name] } : {}),
    });
  }
  // Notes last, after the step's own data.
  return out.sort((a, b) => Number(a.name === 'note') - Number(b.name === 'note'));
}

/** A vote's fields: the chi bộ right after the meeting day, and no typed count (the register's is shown). */
function voteFields(fields: FieldView[]): FieldView[] {
  const out: FieldView[] = [];
  for (const f of fields) {
    if (f.name === 'officialMemberCount' || f.name === 'partyCellId') continue;
    out.push(f);
    if (f.name === 'meetingDate') {
      out.push({ name: 'partyCellId', label: FIELD_LABELS.partyCellId, kind: 'cell', required: true });
    }
  }
  return out;
}

function transitionViews(
  member: PipelineMember,
  user: AuthUser,
  now: Date,
  cells: { options: VoteCellOption[]; own: string } = { options: [], own: '' },
): TransitionView[] {
  return allowedTransitions(member, user.role, now).map((t) => {
    const shape = t.schema instanceof z.ZodObject ? (t.schema.shape as Record<string, z.ZodTypeAny>) : {};
    const blocked = stepBlocks(member, t.id, { id: user.id, role: user.role }).map((r) => r.message);
    const vote = VOTE_STEPS.includes(t.id);
    const view: TransitionView = {
      id: t.id,
      from: t.from,
      to: t.to,
      label: t.label,
      fields: vote ? voteFields(fieldsOf(shape)) : fieldsOf(shape),
      blocked,
      ...(vote ? { cells: cells.options, cellDefault: cells.own } : {}),
    };
    // The rows' list under its preprocess (schemas.ts reads keyed rows as a list).
    const introducers = shape.introducers instanceof z.ZodPipe ? shape.introducers.out : shape.introducers;
    if (introducers instanceof z.ZodArray && introducers.element instanceof z.ZodObject) {
      view.rows = {
        name: 'introducers',
        count: 2,
        fields: fieldsOf(introducers.element.shape as Record<string, z.ZodTypeAny>),
      };
    }
    return view;
  });
}

type Pipeline = Record<string, unknown> & { history?: HistoryRow[] };

const dateOf = (v: unknown): string => (v instanceof Date ? vietnamDay(v) : '');
/**
 * Forms 1-KNĐ … 15-KNĐ: the dates entered by hand (`pipeline.dossier`) and those the
 * recorded steps imply (the application date of `open_dossier`, the chi bộ meeting, the
 * opinions (5-KNĐ) on file…). A stored date overrides a derived one; clearing it brings the
 * derived one back.
 */
function dossierRows(p: Pipeline): DossierRowState[] {
  // The same derivation as the machine's (app/domain/pipeline/dossier.ts): what the tab
  // says is on file is what the rules judge.
  const days = derivedDossierDays(p as unknown as PipelineRecord);
  const iso = (day: number | undefined) => (day === undefined || Number.isNaN(day) ? '' : isoDay(day));
  const stored = new Map(((p.dossier as StoredDossierEntry[] | undefined) ?? []).map((d) => [d.form, d]));
  return DOSSIER_FORMS.map(({ form }) => {
    const s = stored.get(form);
    const d = days[form];
    return {
      form,
      stored: { receivedAt: dateOf(s?.receivedAt), verifiedAt: dateOf(s?.verifiedAt) },
      derived: { receivedAt: iso(d?.receivedAt), verifiedAt: iso(d?.verifiedAt) },
    };
  });
}

/** The chi bộ a vote form offers, only when a vote step is on the page. */
async function cellsFor(user: AuthUser, m: LeanPipelineMember, now: Date) {
  const member = m as unknown as PipelineMember;
  const voting =
    canActOnPipeline(user) &&
    allowedTransitions(member, user.role, now).some((t) => VOTE_STEPS.includes(t.id));
  const own = m.partyCellId ? String(m.partyCellId) : '';
  return { options: voting ? await voteCellOptions(user, m.schoolId, m.partyCellId) : [], own };
}

/** Everything the Quy trình tab shows; 404 outside the scope. */
export async function getMemberPipeline(user: AuthUser, id: Types.ObjectId, now = new Date()) {
  const m = await loadMember(user, id);
  const p: Pipeline = m.pipeline ?? { stage: 'member' };
  const stage: Stage = isStage(String(p.stage)) ? (p.stage as Stage) : 'member';
  const member = m as unknown as PipelineMember;
  const calendar = await loadCalendar();
  const history = p.history ?? [];

  // Newest first; who wrote and who resolved each note are looked up with the step recorders.
  const notes = [...((p.reviewNotes as StoredNote[] | undefined) ?? [])].reverse();
  const people = [...history.map((h) => h.by), ...notes.flatMap((n) => [n.by, n.resolvedBy])];
  const byIds = [...new Set(people.map((x) => (x ? String(x) : '')).filter(Boolean))];
  const users = byIds.length
    ? await User.find({ _id: mongoose.trusted({ $in: byIds.map((x) => new Types.ObjectId(x)) }) })
        .select({ name: 1 })
        .lean()
    : [];
  const nameOf = new Map(users.map((u) => [String(u._id), u.name]));

  // The last forward stage reached, for the progress bar of an exited record.
  const reached = [...history].reverse().find((h) => !isExitStage(h.stage))?.stage;
  const today = dayNumber(now);

  return {
    version: m.__v ?? 0,
    stage,
    exited: isExitStage(stage),
    progressStage: (isExitStage(stage) ? (reached ?? 'member') : stage) as Stage,
    stages: [...PIPELINE_STAGES],
    returnReason: typeof p.returnReason === 'string' ? p.returnReason : null,
    nextActor: nextActor(stage),
    history: history
      .map((h, i) => ({
        key: `${i}`,
        stage: h.stage,
        at: vietnamDay(h.at),
        by: h.by ? (nameOf.get(String(h.by)) ?? null) : null,
        note: h.note ?? null,
        refNo: h.refNo ?? null,
        refDate: h.refDate ? vietnamDay(h.refDate) : null,
      }))
      .reverse(),
    deadlines: computeDeadlines(member, calendar, now).map((d) => ({
      ...d,
      daysOverdue: d.status === 'overdue' ? today - dayNumber(d.dueDate) : null,
    })),
    today: isoDay(today),
    dossier: dossierRows(p).map((row, i) => ({
      ...row,
      name: DOSSIER_FORMS[i].name,
      // What counts: the date entered by hand, else the one a recorded step implies.
      receivedAt: row.stored.receivedAt || row.derived.receivedAt,
      verifiedAt: row.stored.verifiedAt || row.derived.verifiedAt,
    })),
    notes: notes.map((n) => ({
      id: String(n._id),
      kind: n.kind === 'flag' ? ('flag' as const) : ('comment' as const),
      text: n.text,
      by: n.by ? (nameOf.get(String(n.by)) ?? null) : null,
      at: n.at.toISOString(),
      resolvedAt: n.resolvedAt ? n.resolvedAt.toISOString() : null,
      resolvedBy: n.resolvedBy ? (nameOf.get(String(n.resolvedBy)) ?? null) : null,
    })),
    openFlags: notes.filter((n) => n.kind === 'flag' && !n.resolvedAt).length,
    can: {
      editDossier: canEditDossier(user),
      addNote: canAddReviewNote(user),
      resolveFlag: canResolveFlag(user),
    },
    transitions: canActOnPipeline(user)
      ? transitionViews(member, user, now, await cellsFor(user, m, now))
      : [],
  };
}

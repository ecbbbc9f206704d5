/**
 * The Quy trình tab's writes besides the steps: the paper dossier checklist (`saveDossier`,
 * the school's) and the province's review notes (`addReviewNote`; `resolveFlag`, the
 * school's). They follow the steps' pattern (pipeline-step.server.ts): scope + `__v` in the
 * filter, `$inc` in the update, the audit event in the same transaction; `pipeline.openFlags`
 * is moved by `$inc` in the same update so it always equals the number of unresolved flags.
 */
import type { Submission } from '@conform-to/react';
import { data, redirect } from '@remix-run/node';
import { Types } from 'mongoose';
import { Member } from '../../../models/member';
import { dayNumber, isoDay } from '~/domain/calendar';
import { canAddReviewNote, canEditDossier, canResolveFlag } from '~/domain/pipeline';
import { isObjectId } from '~/domain/ids';
import { ReviewNoteSchema, dossierEditSchema, type TabFormFailure } from '~/utils/forms/pipeline-tab';
import type { MessageKey } from '~/i18n';
import type { AuthUser } from '../auth/auth.server';
import { parseForm } from '../forms/conform';
import { noteMemberWrite } from '../criteria/eligibility.server';
import { auditMember, memberFilter } from '../members/member-access.server';
import { forbidden, notFound } from '../responses.server';
import { inTransaction } from '../transaction.server';
import { brokeParam, refreshConflicts } from './pipeline-conflicts.server';
import {
  dossierRows,
  loadMember,
  type Pipeline,
  type StoredDossierEntry,
  type StoredNote,
} from './pipeline-member.server';

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
  submission: Submission<unknown, MessageKey[]>,
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
  const submission = parseForm(payload, dossierEditSchema(isoDay(dayNumber(now)), rows));
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
  const submission = parseForm(form, ReviewNoteSchema);
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

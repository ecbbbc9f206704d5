/**
 * The school Union's side of students' correction requests (models/correction-request.ts):
 * the open requests of its school with the date each must be answered by (2 working days,
 * Law 91/2025 and Decree 356/2025: `correctionDue`), the overdue ones marked, and marking
 * one answered (corrected or refused, with a reason the student reads). Scoped by `schoolId`; every decision is audited, in the same transaction as
 * the decision.
 */
import { data, redirect } from '@remix-run/node';
import mongoose, { Types } from 'mongoose';
import { CorrectionRequest } from '../../../models/correction-request';
import { Member } from '../../../models/member';
import { CorrectionReplySchema, correctionDue, overdueFiledBefore } from '~/domain/corrections';
import { appendAudit } from '../audit/audit.server';
import type { AuthUser } from '../auth/auth.server';
import { scopeFilter } from '../auth/permissions.server';
import { loadCalendar } from '../pipeline/working-calendar.server';
import { inTransaction } from '../transaction.server';
import { isObjectId } from '~/domain/ids';
import { notFound } from '../responses.server';
import { errorsOf, parseForm } from '../forms/conform';
import { correctionAnsweredNotice } from '~/domain/notifications/triggers-events';
import { notify } from '../notifications/notify.server';

/** Open requests in scope, oldest (most urgent) first, with the member's name and the due date. */
export async function openCorrections(user: AuthUser, now = new Date()) {
  const [rows, calendar] = await Promise.all([
    CorrectionRequest.find({ status: 'open', ...scopeFilter(user, 'schoolId') })
      .sort({ createdAt: 1 })
      .limit(100)
      .lean(),
    loadCalendar(),
  ]);
  const members = await Member.find({
    _id: mongoose.trusted({ $in: rows.map((r) => r.memberId) }),
    ...scopeFilter(user),
  })
    .select({ fullName: 1, studentCode: 1 })
    .lean();
  const nameOf = new Map(members.map((m) => [String(m._id), `${m.fullName} (${m.studentCode})`]));
  return rows.map((r) => ({
    id: String(r._id),
    // The reply links to the member's record, where staff make the correction.
    memberId: String(r.memberId),
    member: nameOf.get(String(r.memberId)) ?? '—',
    field: r.field,
    message: r.message,
    correctValue: r.correctValue ?? null,
    createdAt: r.createdAt.toISOString(),
    ...correctionDue(r.createdAt, calendar, now),
  }));
}

/** How many requests of the school are open, and how many of them are past their 2 working days. */
export async function correctionCounts(user: AuthUser, now = new Date()) {
  const scope = { status: 'open' as const, ...scopeFilter(user, 'schoolId') };
  const before = overdueFiledBefore(await loadCalendar(), now);
  const [open, overdue] = await Promise.all([
    CorrectionRequest.countDocuments(scope),
    CorrectionRequest.countDocuments({ ...scope, createdAt: mongoose.trusted({ $lt: before }) }),
  ]);
  return { open, overdue };
}

/**
 * Answers one open request of the school: 'resolved' (corrected) or 'rejected' (refused),
 * with the reason the student reads on /me. 400 with the message beside the field without
 * a reason; 404 outside the scope or once answered. The answer and its event are one transaction.
 */
export async function replyCorrection(
  user: AuthUser,
  form: FormData | URLSearchParams,
  decision: 'resolved' | 'rejected',
) {
  const id = form.get('id');
  if (typeof id !== 'string' || !isObjectId(id)) throw notFound();
  const submission = parseForm(form, CorrectionReplySchema);
  if (submission.status !== 'success') {
    // conform's reply for that request's form (its lastResult), and the same by field.
    const result = submission.reply();
    return data({ form: 'correction' as const, id, result, fieldErrors: errorsOf(result) }, { status: 400 });
  }
  const reason = submission.value.reason;
  const now = new Date();
  // The request is answered together with its event, or neither is.
  const answered = await inTransaction(async () => {
    const c = await CorrectionRequest.findOneAndUpdate(
      { _id: new Types.ObjectId(id), status: 'open', ...scopeFilter(user, 'schoolId') },
      {
        $set: {
          status: decision,
          replyReason: reason,
          repliedBy: new Types.ObjectId(user.id),
          repliedAt: now,
        },
      },
      { returnDocument: 'after' },
    ).lean();
    if (!c) return false;
    await appendAudit({
      actorId: user.id,
      action: decision === 'resolved' ? 'member.correction.resolve' : 'member.correction.reject',
      entity: 'Member',
      entityId: c.memberId,
      unitId: c.schoolId,
      details: {
        correctionId: c._id,
        field: c.field,
        reason,
        before: { status: 'open' },
        after: { status: decision },
      },
    });
    await notify(
      [
        correctionAnsweredNotice({
          correctionId: String(c._id),
          memberId: String(c.memberId),
          schoolId: String(c.schoolId),
          decision,
          reason,
        }),
      ],
      { now },
    );
    return true;
  });
  if (!answered) throw notFound();
  throw redirect(`/school/submissions?done=${decision === 'resolved' ? 'correction' : 'correction-refused'}`);
}

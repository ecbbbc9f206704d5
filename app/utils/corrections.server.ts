/**
 * The school Union's side of students' correction requests (models/correction-request.ts):
 * the open requests of its school, and marking one handled. Scoped by `schoolId`;
 * every decision is audited, in the same transaction as the decision.
 */
import { redirect } from '@remix-run/node';
import mongoose, { Types } from 'mongoose';
import { CorrectionRequest } from '../../models/correction-request';
import { Member } from '../../models/member';
import { appendAudit } from './audit.server';
import type { AuthUser } from './auth.server';
import { notFound } from './auth.server';
import { isObjectIdString } from './misc';
import { scopeFilter } from './permissions.server';
import { inTransaction } from './transaction.server';

/** Open requests in scope, oldest first, with the member's name. */
export async function openCorrections(user: AuthUser) {
  const rows = await CorrectionRequest.find({ status: 'open', ...scopeFilter(user, 'schoolId') })
    .sort({ createdAt: 1 })
    .limit(100)
    .lean();
  const members = await Member.find({
    _id: mongoose.trusted({ $in: rows.map((r) => r.memberId) }),
    ...scopeFilter(user),
  })
    .select({ fullName: 1, studentCode: 1 })
    .lean();
  const nameOf = new Map(members.map((m) => [String(m._id), `${m.fullName} (${m.studentCode})`]));
  return rows.map((r) => ({
    id: String(r._id),
    member: nameOf.get(String(r.memberId)) ?? '—',
    field: r.field,
    message: r.message,
    correctValue: r.correctValue ?? null,
    createdAt: r.createdAt.toISOString(),
  }));
}

/** Marks one open request of the school handled ('resolved'); 404 outside the scope or once handled. */
export async function resolveCorrection(user: AuthUser, id: string | undefined) {
  if (!isObjectIdString(id)) throw notFound();
  // The request is marked handled together with its event, or neither is.
  const resolved = await inTransaction(async () => {
    const c = await CorrectionRequest.findOneAndUpdate(
      { _id: new Types.ObjectId(id), status: 'open', ...scopeFilter(user, 'schoolId') },
      { $set: { status: 'resolved' } },
      { returnDocument: 'after' },
    ).lean();
    if (!c) return false;
    await appendAudit({
      actorId: user.id,
      action: 'member.correction.resolve',
      entity: 'Member',
      entityId: c.memberId,
      unitId: c.schoolId,
      details: {
        correctionId: c._id,
        field: c.field,
        before: { status: 'open' },
        after: { status: 'resolved' },
      },
    });
    return true;
  });
  if (!resolved) throw notFound();
  throw redirect('/school/submissions?done=correction');
}

/**
 * Evidence submissions: the student files them (own member only, the id comes from
 * the session), the school Union approves or returns them inside its scope. Approval
 * copies the item into the member's awards / activities as verified, in the same
 * scoped update; every decision is audited.
 */
import { data, redirect } from '@remix-run/node';
import mongoose, { Types } from 'mongoose';
import { AuditEvent } from '../../models/audit-event';
import { Member } from '../../models/member';
import type { EVIDENCE_TYPES } from '../../models/evidence-file';
import { EVIDENCE_MAX_BYTES, EvidenceFile } from '../../models/evidence-file';
import { Submission } from '../../models/submission';
import type { AwardKind, AwardLevel } from '~/domain/criteria/types';
import { ReturnSchema, SubmissionSchema, sniffEvidenceType } from '~/domain/submissions';
import type { AuthUser } from './auth.server';
import { forbidden, notFound } from './auth.server';
import { isObjectIdString } from './misc';
import { scopeFilter } from './permissions.server';
import { fieldErrorsOf } from './validation';

export { EVIDENCE_MAX_BYTES };

const iso = (d?: Date | null) => (d ? d.toISOString() : null);

async function audit(
  user: AuthUser,
  action: string,
  memberId: Types.ObjectId,
  schoolId: Types.ObjectId,
  details: Record<string, unknown>,
) {
  await AuditEvent.create({
    actorId: new Types.ObjectId(user.id),
    action,
    entity: 'Member',
    entityId: memberId,
    unitId: schoolId,
    details,
  });
}

function view(s: {
  _id: Types.ObjectId;
  kind: string;
  title: string;
  date: Date;
  awardKind?: string | null;
  level?: string | null;
  days?: number | null;
  evidence: string;
  status: string;
  reason?: string | null;
  createdAt: Date;
  reviewedAt?: Date | null;
  file?: { name?: string | null; type?: string | null; size?: number | null } | null;
}) {
  return {
    id: String(s._id),
    kind: s.kind as 'award' | 'activity',
    title: s.title,
    date: iso(s.date),
    awardKind: s.awardKind ?? null,
    level: s.level ?? null,
    days: s.days ?? null,
    evidence: s.evidence,
    status: s.status as 'submitted' | 'approved' | 'returned',
    reason: s.reason ?? null,
    createdAt: iso(s.createdAt),
    reviewedAt: iso(s.reviewedAt ?? null),
    file: s.file?.name ? { name: s.file.name, size: s.file.size ?? 0 } : null,
  };
}
export type SubmissionView = ReturnType<typeof view>;

export async function ownSubmissions(user: AuthUser) {
  if (!user.memberId) return [];
  const rows = await Submission.find({ memberId: new Types.ObjectId(user.memberId) })
    .sort({ createdAt: -1 })
    .limit(50)
    .lean();
  return rows.map(view);
}

/**
 * An optional upload: JPG, PNG or PDF up to 5 MB, the type read from the content
 * (sniffEvidenceType), never from what the browser claims; an empty input is none.
 */
async function checkFile(
  file: File | null,
): Promise<
  { state: 'none' } | { state: 'bad' } | { state: 'ok'; type: (typeof EVIDENCE_TYPES)[number]; bytes: Buffer }
> {
  if (!file || file.size === 0) return { state: 'none' };
  if (file.size > EVIDENCE_MAX_BYTES) return { state: 'bad' };
  const bytes = Buffer.from(await file.arrayBuffer());
  const type = sniffEvidenceType(bytes);
  return type ? { state: 'ok', type, bytes } : { state: 'bad' };
}

export async function submitEvidence(
  user: AuthUser,
  values: Record<string, string>,
  file: File | null = null,
  now = new Date(),
) {
  if (user.role !== 'student' || !user.memberId) throw forbidden();
  const m = await Member.findOne(scopeFilter(user)).select({ schoolId: 1, ancestors: 1 }).lean();
  if (!m) throw notFound();
  const parsed = SubmissionSchema.safeParse(values);
  const fileCheck = await checkFile(file);
  if (!parsed.success || fileCheck.state === 'bad') {
    const fieldErrors = parsed.success ? {} : fieldErrorsOf(parsed.error);
    if (fileCheck.state === 'bad') fieldErrors.file = ['me.v.file'];
    return data({ fieldErrors, values }, { status: 400 });
  }
  const v = parsed.data;
  const upload = fileCheck.state === 'ok' && file ? { name: file.name, ...fileCheck } : null;
  const doc = await Submission.create({
    memberId: m._id,
    schoolId: m.schoolId,
    ancestors: m.ancestors,
    kind: v.kind,
    title: v.title,
    date: new Date(`${v.date}T00:00:00Z`),
    ...(v.kind === 'award'
      ? { awardKind: v.awardKind as AwardKind, level: v.level as AwardLevel }
      : { days: Number(v.days) }),
    evidence: v.evidence,
    ...(upload
      ? {
          file: {
            name: upload.name.slice(0, 200) || 'minh-chung',
            type: upload.type,
            size: upload.bytes.length,
          },
        }
      : {}),
    status: 'submitted',
    createdAt: now,
  });
  if (upload) {
    await EvidenceFile.create({
      submissionId: doc._id,
      memberId: m._id,
      ancestors: m.ancestors,
      name: upload.name.slice(0, 200) || 'minh-chung',
      type: upload.type,
      size: upload.bytes.length,
      data: upload.bytes,
    });
  }
  await audit(user, 'member.submission.create', m._id, m.schoolId, { submissionId: doc._id, kind: v.kind });
  throw redirect('/me/submissions?sent=1');
}

/** The school Union's queue: submitted items in scope, oldest first, with the member's name. */
export async function submissionQueue(user: AuthUser) {
  const rows = await Submission.find({ status: 'submitted', ...scopeFilter(user) })
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
    ...view(r),
    member: nameOf.get(String(r.memberId)) ?? '—',
    memberId: String(r.memberId),
  }));
}

/** Approve or return one submission; 404 outside the scope or once decided. */
export async function reviewSubmission(user: AuthUser, values: Record<string, string>, now = new Date()) {
  const id = values.id;
  if (!isObjectIdString(id)) throw notFound();
  const filter: Record<string, unknown> = {
    _id: new Types.ObjectId(id),
    status: 'submitted',
    ...scopeFilter(user),
  };
  const reviewer = new Types.ObjectId(user.id);
  if (values.intent === 'approve') {
    const s = await Submission.findOneAndUpdate(
      filter,
      { $set: { status: 'approved', reviewedAt: now, reviewedBy: reviewer } },
      { new: true },
    ).lean();
    if (!s) throw notFound();
    const item =
      s.kind === 'award'
        ? { awards: { title: s.title, kind: s.awardKind, level: s.level, date: s.date, verified: true } }
        : {
            activities: {
              campaign: s.title,
              days: s.days,
              startDate: s.date,
              endDate: s.date,
              verifiedBy: reviewer,
              verifiedAt: now,
            },
          };
    await Member.updateOne({ _id: s.memberId, ...scopeFilter(user) }, { $push: item });
    await audit(user, 'member.submission.approve', s.memberId, s.schoolId, {
      submissionId: s._id,
      kind: s.kind,
    });
    throw redirect('/school/submissions?done=approved');
  }
  if (values.intent === 'return') {
    const parsed = ReturnSchema.safeParse(values);
    if (!parsed.success) {
      return data({ fieldErrors: fieldErrorsOf(parsed.error), id, values }, { status: 400 });
    }
    const s = await Submission.findOneAndUpdate(
      filter,
      { $set: { status: 'returned', reason: parsed.data.reason, reviewedAt: now, reviewedBy: reviewer } },
      { new: true },
    ).lean();
    if (!s) throw notFound();
    await audit(user, 'member.submission.return', s.memberId, s.schoolId, { submissionId: s._id });
    throw redirect('/school/submissions?done=returned');
  }
  throw new Response('Bad request', { status: 400 });
}

/**
 * The file of one submission as a download. The caller's scope is in the query: a
 * student matches only their own member's files, staff their units' (`ancestors`).
 */
export async function evidenceDownload(user: AuthUser, submissionId: string | undefined) {
  if (!isObjectIdString(submissionId)) throw notFound();
  const scope =
    user.role === 'student'
      ? user.memberId
        ? { memberId: new Types.ObjectId(user.memberId) }
        : null
      : scopeFilter(user);
  if (!scope) throw notFound();
  const f = await EvidenceFile.findOne({ submissionId: new Types.ObjectId(submissionId), ...scope }).lean();
  if (!f) throw notFound();
  const bytes = f.data as unknown as { buffer: ArrayBuffer } | Buffer;
  const body = Buffer.isBuffer(bytes) ? bytes : Buffer.from((bytes as { buffer: ArrayBuffer }).buffer);
  return new Response(new Uint8Array(body), {
    headers: {
      'Content-Type': f.type,
      'Content-Length': String(body.length),
      'Content-Disposition': `attachment; filename*=UTF-8''${encodeURIComponent(f.name)}`,
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'private, no-store',
    },
  });
}

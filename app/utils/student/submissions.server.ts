import { createHash } from 'node:crypto';
/**
 * Evidence submissions: the student files them (own member only, the id comes from
 * the session), the school Union approves or returns them inside its scope. Approval
 * copies the item into the member's awards / activities as verified (with its
 * `submissionId`, so `npm run audit:verify` can find it there); every decision is audited.
 *
 * Each action is one transaction (docs/decisions/018-transactions.md): a submission with
 * its file and event; an approval's status, record and event; a return's status and
 * event. An item is never approved without being in the record, nor decided unaudited.
 *
 * While the student's consent is withdrawn (app/utils/student/consent.server.ts) the record is
 * paused: a new submission is refused with the reason (409), and staff can neither approve
 * nor return a pending one (approving writes it into the record; returning is a decision
 * about it too). Pending items wait in the queue, marked, until consent is given again.
 * The check is read inside each write's transaction, with the member it writes for.
 */
import { data, redirect } from '@remix-run/node';
import mongoose, { Types } from 'mongoose';
import { z } from 'zod';
import { Member } from '../../../models/member';
import type { EVIDENCE_TYPES } from '../../../models/evidence-file';
import { EVIDENCE_MAX_BYTES, EvidenceFile } from '../../../models/evidence-file';
import { Submission } from '../../../models/submission';
import { DAY_MS } from '~/domain/calendar';
import { consentWithdrawn, consentWithdrawnAt, type ConsentRecord } from '~/domain/consent';
import type { AwardKind, AwardLevel } from '~/domain/criteria/types';
import { ReturnSchema, SubmissionSchema, sniffEvidenceType, type SubmissionKind } from '~/domain/submissions';
import { appendAudit } from '../audit/audit.server';
import type { AuthUser } from '../auth/auth.server';
import { CONSENT_PAUSE_PROJECTION, consentPausedMessage, pausedSince } from './consent.server';
import { prepareEvidenceQuota, takeEvidenceQuota } from './evidence-quota.server';
import { scopeFilter } from '../auth/permissions.server';
import { inTransaction } from '../transaction.server';
import { evidenceReviewedNotice } from '~/domain/notifications/triggers-events';
import { notify } from '../notifications/notify.server';
import { errorsOf, parseForm, typedValues, type FieldErrors, type FormResult } from '../forms/conform';
import { formatDate, formatDecimal, translate, type MessageKey } from '~/i18n';
import { isObjectId } from '~/domain/ids';
import { badRequest, forbidden, notFound } from '../responses.server';

export { EVIDENCE_MAX_BYTES };

const iso = (d?: Date | null) => (d ? d.toISOString() : null);

async function audit(
  user: AuthUser,
  action: string,
  memberId: Types.ObjectId,
  schoolId: Types.ObjectId,
  details: Record<string, unknown>,
) {
  await appendAudit({
    actorId: user.id,
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
  sameFileAs?: { title?: string | null; createdAt?: Date | null } | null;
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
    file: s.file?.name ? { name: s.file.name, size: s.file.size ?? 0, type: s.file.type ?? '' } : null,
    sameFileAs: s.sameFileAs?.title
      ? { title: s.sameFileAs.title, createdAt: iso(s.sameFileAs.createdAt ?? null) }
      : null,
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

/**
 * The member's earlier submission this one repeats: the same file (by content, whatever its
 * name) in one not returned, or the same kind, title and day still waiting for review.
 */
async function findDuplicate(
  memberId: Types.ObjectId,
  v: { kind: SubmissionKind; title: string; date: string },
  sha256: string | undefined,
): Promise<{ by: 'file' | 'pending'; id: string; title: string; createdAt: Date } | null> {
  const select = { _id: 1, title: 1, createdAt: 1 };
  if (sha256) {
    const same = await Submission.findOne({
      memberId,
      'file.sha256': sha256,
      status: mongoose.trusted({ $ne: 'returned' }),
    })
      .select(select)
      .lean<{ _id: Types.ObjectId; title: string; createdAt: Date }>();
    if (same) return { by: 'file', id: String(same._id), title: same.title, createdAt: same.createdAt };
  }
  const pending = await Submission.findOne({
    memberId,
    status: 'submitted',
    kind: v.kind,
    title: v.title,
    date: new Date(`${v.date}T00:00:00Z`),
  })
    .select(select)
    .lean<{ _id: Types.ObjectId; title: string; createdAt: Date }>();
  return pending
    ? { by: 'pending', id: String(pending._id), title: pending.title, createdAt: pending.createdAt }
    : null;
}

/**
 * A refused submission: conform's reply (the form's `lastResult`, with the action's own
 * messages beside their fields) and, for readers without conform, the same messages by
 * field, what was typed, and the sentence that says why a whole post was refused (a
 * translated sentence with its date or title, so beside the reply, not in it).
 */
function refused(
  submission: ReturnType<typeof parseForm>,
  status: number,
  {
    fieldErrors,
    formError = null,
    duplicateOf,
  }: { fieldErrors?: FieldErrors; formError?: string | null; duplicateOf?: string } = {},
) {
  const result: FormResult = submission.reply(
    fieldErrors ? { fieldErrors: fieldErrors as Record<string, MessageKey[]> } : undefined,
  );
  const values = typedValues(submission.payload);
  return data(
    { result, fieldErrors: errorsOf(result), formError, values, ...(duplicateOf ? { duplicateOf } : {}) },
    { status },
  );
}

/**
 * Files a student's evidence from its posted form: the text fields through SubmissionSchema
 * (conform), the optional `file` part checked apart (checkFile: its type from its content).
 */
export async function submitEvidence(user: AuthUser, form: FormData, now = new Date()) {
  if (user.role !== 'student' || !user.memberId) throw forbidden();
  const submission = parseForm(form, SubmissionSchema);
  const posted = form.get('file');
  const file = posted instanceof File ? posted : null;
  const fileCheck = await checkFile(file);
  const upload =
    fileCheck.state === 'ok' && file
      ? { name: file.name, ...fileCheck, sha256: createHash('sha256').update(fileCheck.bytes).digest('hex') }
      : null;
  const fileName = upload ? upload.name.slice(0, 200) || 'minh-chung' : '';
  if (upload) await prepareEvidenceQuota(user.memberId, now);
  // The submission, its file and its event together: no file without its submission,
  // no submission the log does not know of.
  const outcome = await inTransaction(async () => {
    const m = await Member.findOne(scopeFilter(user))
      .select({ schoolId: 1, ancestors: 1, ...CONSENT_PAUSE_PROJECTION })
      .lean<{
        _id: Types.ObjectId;
        schoolId: Types.ObjectId;
        ancestors: Types.ObjectId[];
        consent?: ConsentRecord;
      }>();
    if (!m) return 'missing' as const;
    if (consentWithdrawn(m.consent)) return { paused: m.consent } as const;
    if (submission.status !== 'success' || fileCheck.state === 'bad') return 'invalid' as const;
    const v = submission.value;
    // The same item still waiting is refused: a second copy would be reviewed twice and, once
    // approved, count twice. The same file with another item is kept but marked (one decision
    // can list several awards); a returned submission may be sent again, that is its point.
    const duplicate = await findDuplicate(m._id, v, upload?.sha256);
    if (duplicate?.by === 'pending') return { duplicate } as const;
    // The month's evidence quota, counted in this transaction (evidence-quota.server.ts).
    if (upload) {
      const quota = await takeEvidenceQuota(m._id, upload.bytes.length, now);
      if (!quota.ok) return { quotaLeft: quota.left } as const;
    }
    const [doc] = await Submission.create([
      {
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
          ? { file: { name: fileName, type: upload.type, size: upload.bytes.length, sha256: upload.sha256 } }
          : {}),
        ...(duplicate
          ? { sameFileAs: { id: duplicate.id, title: duplicate.title, createdAt: duplicate.createdAt } }
          : {}),
        status: 'submitted',
        createdAt: now,
      },
    ]);
    if (upload) {
      await EvidenceFile.create([
        {
          submissionId: doc._id,
          memberId: m._id,
          ancestors: m.ancestors,
          name: fileName,
          type: upload.type,
          size: upload.bytes.length,
          data: upload.bytes,
        },
      ]);
    }
    await audit(user, 'member.submission.create', m._id, m.schoolId, { submissionId: doc._id, kind: v.kind });
    return duplicate ? ('sentSameFile' as const) : ('sent' as const);
  });
  if (outcome === 'missing') throw notFound();
  const left = typeof outcome === 'object' && 'quotaLeft' in outcome ? outcome.quotaLeft : undefined;
  if (left) {
    const formError = translate(user.locale, 'me.quota.refused', {
      month: `${left.month.slice(5)}/${left.month.slice(0, 4)}`,
      files: left.files,
      mb: formatDecimal(left.bytes / 1024 / 1024, user.locale, 1),
    });
    return refused(submission, 409, { formError, fieldErrors: { file: ['me.quota.file'] } });
  }
  if (typeof outcome === 'object' && 'duplicate' in outcome && outcome.duplicate) {
    const d = outcome.duplicate;
    const formError = translate(user.locale, 'me.v.duplicatePending', { title: d.title });
    return refused(submission, 409, { formError, duplicateOf: d.id });
  }
  if (typeof outcome === 'object') {
    // Paused: the reason and its date beside the form, the values kept for later.
    const at = consentWithdrawnAt(outcome.paused);
    const formError = translate(user.locale, 'consent.v.pausedSubmission', {
      date: at ? formatDate(at, user.locale) : '—',
    });
    return refused(submission, 409, { formError });
  }
  if (outcome === 'invalid') {
    // The file is not in the schema: its refusal joins the fields' own.
    return refused(
      submission,
      400,
      fileCheck.state === 'bad' ? { fieldErrors: { file: ['me.v.file'] } } : {},
    );
  }
  throw redirect(outcome === 'sentSameFile' ? '/me/submissions?sent=1&sameFile=1' : '/me/submissions?sent=1');
}

/** A submission waiting longer than this stands out in the queue and on the school home. */
export const STALE_DAYS = 30;
const staleCutoff = (now: Date) => new Date(now.getTime() - STALE_DAYS * DAY_MS);

/**
 * The school Union's queue: submitted items in scope, oldest first (so those waiting
 * over STALE_DAYS come first, flagged `stale`), with the member's name.
 */
export async function submissionQueue(user: AuthUser, now = new Date()) {
  const rows = await Submission.find({ status: 'submitted', ...scopeFilter(user) })
    .sort({ createdAt: 1 })
    .limit(100)
    .lean();
  const members = await Member.find({
    _id: mongoose.trusted({ $in: rows.map((r) => r.memberId) }),
    ...scopeFilter(user),
  })
    .select({ fullName: 1, studentCode: 1, ...CONSENT_PAUSE_PROJECTION })
    .lean();
  const nameOf = new Map(members.map((m) => [String(m._id), `${m.fullName} (${m.studentCode})`]));
  const pausedOf = new Map(members.map((m) => [String(m._id), pausedSince(m.consent)]));
  const cutoff = staleCutoff(now);
  const queue = rows.map((r) => ({
    ...view(r),
    member: nameOf.get(String(r.memberId)) ?? '—',
    memberId: String(r.memberId),
    stale: r.createdAt < cutoff,
    /** The member withdrew consent then (ISO; '' undated): no decision until they consent again. */
    pausedSince: pausedOf.get(String(r.memberId)) ?? null,
  }));
  // Stable: stale items first, each group oldest first.
  return [...queue.filter((q) => q.stale), ...queue.filter((q) => !q.stale)];
}

/** Pending submissions in scope, and how many of them wait over STALE_DAYS (school home). */
export async function pendingCounts(user: AuthUser, now = new Date()) {
  const [pending, stale] = await Promise.all([
    Submission.countDocuments({ status: 'submitted', ...scopeFilter(user) }),
    Submission.countDocuments({
      status: 'submitted',
      createdAt: mongoose.trusted({ $lt: staleCutoff(now) }),
      ...scopeFilter(user),
    }),
  ]);
  return { pending, stale };
}

type Decision = { intent: 'approve' } | { intent: 'return'; reason: string };
/** Decided; not decidable (out of scope, already decided, member gone); or its member is paused. */
type Decided = { kind: 'done' } | { kind: 'skipped' } | { kind: 'paused'; consent: ConsentRecord };
const DONE: Decided = { kind: 'done' };
const SKIPPED: Decided = { kind: 'skipped' };

/** The member of a submission, in scope, with what says whether it is paused. */
function submissionMember(user: AuthUser, memberId: Types.ObjectId) {
  return Member.findOne({ _id: memberId, ...scopeFilter(user) })
    .select(CONSENT_PAUSE_PROJECTION)
    .lean<{ _id: Types.ObjectId; consent?: ConsentRecord }>();
}

/**
 * Decides one submission inside the scope, in the caller's transaction: approval copies
 * it into the record as verified (`$push` with its `submissionId`, `$inc: { __v: 1 }`,
 * the member's scope in the filter), then marks it approved, then its event carries the
 * record's new version; a return marks it and logs it. Skipped when it is not in scope,
 * already decided, or (approval) its member is out of scope or gone, and paused when its
 * member withdrew consent: then nothing of it was written, so a bulk can go on with the
 * next item.
 */
async function decideInTransaction(
  user: AuthUser,
  id: string,
  decision: Decision,
  now: Date,
): Promise<Decided> {
  const filter: Record<string, unknown> = {
    _id: new Types.ObjectId(id),
    status: 'submitted',
    ...scopeFilter(user),
  };
  const reviewer = new Types.ObjectId(user.id);
  // Read first: the member's consent decides before anything is written.
  const pending = await Submission.findOne(filter).lean();
  if (!pending) return SKIPPED;
  const member = await submissionMember(user, pending.memberId);
  if (member && consentWithdrawn(member.consent)) return { kind: 'paused', consent: member.consent! };
  if (decision.intent === 'return') {
    const s = await Submission.findOneAndUpdate(
      filter,
      { $set: { status: 'returned', reason: decision.reason, reviewedAt: now, reviewedBy: reviewer } },
      { returnDocument: 'after' },
    ).lean();
    if (!s) return SKIPPED;
    await audit(user, 'member.submission.return', s.memberId, s.schoolId, {
      submissionId: s._id,
      before: { status: 'pending' },
      after: { status: 'returned' },
      reason: decision.reason,
    });
    // The student hears in the same transaction: a rolled-back return tells nobody.
    await notify(
      [
        evidenceReviewedNotice({
          submissionId: String(s._id),
          memberId: String(s.memberId),
          schoolId: String(s.schoolId),
          title: s.title,
          decision: 'returned',
          reason: decision.reason,
        }),
      ],
      { now },
    );
    return DONE;
  }
  // Read first, write the record next: an item whose member cannot be written is left
  // before anything of it is, and stays in the queue.
  const s = pending;
  const item =
    s.kind === 'award'
      ? {
          awards: {
            title: s.title,
            kind: s.awardKind,
            level: s.level,
            date: s.date,
            verified: true,
            submissionId: s._id,
          },
        }
      : {
          activities: {
            campaign: s.title,
            days: s.days,
            startDate: s.date,
            endDate: s.date,
            verifiedBy: reviewer,
            verifiedAt: now,
            submissionId: s._id,
          },
        };
  const m = await Member.findOneAndUpdate(
    { _id: s.memberId, ...scopeFilter(user) },
    { $push: item, $inc: { __v: 1 } },
    { returnDocument: 'after', projection: { __v: 1, schoolId: 1 } },
  ).lean<{ _id: Types.ObjectId; __v?: number }>();
  if (!m) return SKIPPED;
  const marked = await Submission.updateOne(filter, {
    $set: { status: 'approved', reviewedAt: now, reviewedBy: reviewer },
  });
  // Read in this transaction, so it still matches (a concurrent decision is a write
  // conflict, retried); if not, throwing abandons the record's update with it.
  if (marked.matchedCount !== 1) throw new Error(`submission ${id} changed during its approval`);
  await audit(user, 'member.submission.approve', s.memberId, s.schoolId, {
    submissionId: s._id,
    kind: s.kind,
    before: { status: 'pending' },
    after: { status: 'approved' },
    version: m.__v ?? 0,
  });
  await notify(
    [
      evidenceReviewedNotice({
        submissionId: String(s._id),
        memberId: String(s.memberId),
        schoolId: String(s.schoolId),
        title: s.title,
        decision: 'approved',
      }),
    ],
    { now },
  );
  return DONE;
}

/** One decision as its own transaction; nothing written unless done (decideInTransaction). */
function decideOne(user: AuthUser, id: string, decision: Decision, now: Date) {
  return inTransaction(() => decideInTransaction(user, id, decision, now));
}

/** 404 for an item that cannot be decided; 409 with the reason for a paused member's. */
function refuseUndecided(user: AuthUser, id: string, outcome: Decided) {
  if (outcome.kind === 'paused') {
    return data(
      { form: 'decide' as const, formError: consentPausedMessage(outcome.consent, user.locale), id },
      { status: 409 },
    );
  }
  throw notFound();
}

/** Approve or return one submission; 404 outside the scope or once decided, 409 while paused. */
export async function reviewSubmission(user: AuthUser, form: FormData | URLSearchParams, now = new Date()) {
  const id = form.get('id');
  if (typeof id !== 'string' || !isObjectId(id)) throw notFound();
  const intent = form.get('intent');
  if (intent === 'approve') {
    const outcome = await decideOne(user, id, { intent: 'approve' }, now);
    if (outcome.kind !== 'done') return refuseUndecided(user, id, outcome);
    throw redirect('/school/submissions?done=approved');
  }
  if (intent === 'return') {
    const submission = parseForm(form, ReturnSchema);
    if (submission.status !== 'success') {
      // conform's reply for that item's return form (its lastResult), and the same by field.
      const result = submission.reply();
      return data(
        {
          form: 'return' as const,
          id,
          result,
          fieldErrors: errorsOf(result),
          values: typedValues(submission.payload),
        },
        { status: 400 },
      );
    }
    const outcome = await decideOne(user, id, { intent: 'return', reason: submission.value.reason }, now);
    if (outcome.kind !== 'done') return refuseUndecided(user, id, outcome);
    throw redirect('/school/submissions?done=returned');
  }
  throw badRequest();
}

/** The bulk form's own fields: the reason only when returning (the ids are checked apart). */
const ApproveManySchema = z.object({});

/**
 * Approve or return (with one reason) every selected submission, each exactly as the
 * single-item path does. Ids outside the scope or already decided are skipped, never
 * decided; a missing reason or an empty selection changes nothing (400).
 *
 * All the selected items are decided in ONE transaction, not one per item: the click is
 * one decision of the reviewer about these items, and after a crash the queue then shows
 * either all of them decided or none, never a part the reviewer would have to find by
 * comparing lists (one transaction per item would keep each item whole too, but leave
 * that partial state). At most 100 items of a few statements each stay well within a
 * transaction's lifetime; a conflict with someone else's change retries the whole
 * decision on the new state. An item that cannot be decided is skipped before anything
 * of it is written (see decideInTransaction), so it never undoes the others; the
 * redirect counts the items decided, and the queue still lists the skipped ones.
 */
export async function reviewMany(
  user: AuthUser,
  form: FormData | URLSearchParams,
  ids: string[],
  now = new Date(),
) {
  const posted = form.get('intent');
  const intent = posted === 'approve-many' ? 'approve' : posted === 'return-many' ? 'return' : null;
  if (!intent) throw badRequest();
  const valid = [...new Set(ids.filter((id) => isObjectId(id)))].slice(0, 100);
  const submission = parseForm(form, intent === 'return' ? ReturnSchema : ApproveManySchema);
  // No item chosen: said beside the boxes, with the reason's own message if it has one.
  const none: FieldErrors = valid.length === 0 ? { ids: ['queue.v.none'] } : {};
  if (submission.status !== 'success' || valid.length === 0) {
    const result: FormResult = submission.reply({ fieldErrors: none as Record<string, MessageKey[]> });
    return data(
      {
        form: 'bulk' as const,
        bulk: true as const,
        result,
        fieldErrors: errorsOf(result),
        values: typedValues(submission.payload),
      },
      { status: 400 },
    );
  }
  const reason = submission.value && 'reason' in submission.value ? submission.value.reason : '';
  const decision: Decision = intent === 'approve' ? { intent } : { intent, reason };
  const { count, paused } = await inTransaction(async () => {
    const tally = { count: 0, paused: 0 };
    for (const id of valid) {
      const outcome = await decideInTransaction(user, id, decision, now);
      if (outcome.kind === 'done') tally.count += 1;
      if (outcome.kind === 'paused') tally.paused += 1;
    }
    return tally;
  });
  // Items of a paused member are counted apart, so the page can say why they are still there.
  const pausedParam = paused ? `&paused=${paused}` : '';
  throw redirect(
    `/school/submissions?done=${intent === 'approve' ? 'approved' : 'returned'}&count=${count}${pausedParam}`,
  );
}

/**
 * The file of one submission as a download. The caller's scope is in the query: a
 * student matches only their own member's files, staff their units' (`ancestors`).
 */

/**
 * `attachment; filename*=UTF-8''…` (RFC 6266 / RFC 5987): every byte outside attr-char is
 * percent-encoded, including the `'`, `(`, `)` and `*` encodeURIComponent leaves bare, so a
 * stored name with `;`, `=`, quotes or spaces can never end the header's value early.
 */
export function attachmentDisposition(name: string): string {
  const encoded = encodeURIComponent(name).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename*=UTF-8''${encoded}`;
}

export async function evidenceDownload(user: AuthUser, submissionId: string | undefined) {
  if (!isObjectId(submissionId)) throw notFound();
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
      'Content-Disposition': attachmentDisposition(f.name),
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'private, no-store',
    },
  });
}

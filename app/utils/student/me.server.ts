/**
 * The student portal on the server. Every read and write puts the student's own
 * member id INTO the query (`{ _id: user.memberId }`, via scopeFilter), so another
 * member's record can never be read or written from here. Staff roles lack
 * `self:read` and get a 403 from requireUser before any query runs.
 *
 * The student's own actions (consent, a correction request) are each one transaction
 * with their audit event (docs/decisions/018-transactions.md). Consent does not bump
 * the record's `__v`: it is the student's, not a change staff make to the record, and
 * must not make a staff member's open form stale.
 */
import { data, redirect } from '@remix-run/node';
import mongoose, { Types } from 'mongoose';
import { CorrectionRequest } from '../../../models/correction-request';
import { Member } from '../../../models/member';
import { Unit } from '../../../models/unit';
import { CorrectionSchema, correctionDue } from '~/domain/corrections';
import {
  CONSENT_VERSION,
  consentSchema,
  consentWithdrawn,
  hasCurrentConsent,
  isMinorOn,
  WithdrawSchema,
  type ConsentRecord,
} from '~/domain/consent';
import { dayNumber } from '~/domain/calendar';
import { computeDeadlines } from '~/domain/deadlines';
import { nextActor, type PipelineMember } from '~/domain/pipeline';
import {
  PIPELINE_STAGES,
  isExitStage,
  isPipelineStage,
  isStage,
  stageIndex,
  type Stage,
} from '~/domain/stages';
import { graduationWarning } from '~/domain/graduation';
import { nextSteps } from '~/domain/student-steps';
import { appendAudit } from '../audit/audit.server';
import type { AuthUser } from '../auth/auth.server';
import { ENGINE_PROJECTION } from '../criteria/criteria-engine.server';
import { getMemberVerdict, type VerdictMember } from '../criteria/criteria.server';
import { noteMemberWrite } from '../criteria/eligibility.server';
import { requireUser, scopeFilter } from '../auth/permissions.server';
import { loadCalendar } from '../pipeline/working-calendar.server';
import { inTransaction } from '../transaction.server';
import { consentWithdrawnNotice } from '~/domain/notifications/triggers-events';
import { notify } from '../notifications/notify.server';
import { errorsOf, parseForm, typedValues } from '../forms/conform';
import { badRequest, forbidden, notFound } from '../responses.server';

const iso = (d?: Date | null) => (d ? new Date(d).toISOString() : null);

/** A signed-in student (403 for every other role). */
export function requireStudent(request: Request): Promise<AuthUser> {
  return requireUser(request, { permission: 'self:read' });
}

/** The student's own member: the scope is in the filter, never checked afterwards. */
function ownFilter(user: AuthUser) {
  return scopeFilter(user);
}

interface ConsentMember {
  _id: Types.ObjectId;
  schoolId: Types.ObjectId;
  fullName: string;
  dateOfBirth?: Date | null;
  consent?: ConsentRecord | null;
}

async function consentMember(user: AuthUser): Promise<ConsentMember | null> {
  if (!user.memberId) return null;
  return Member.findOne(ownFilter(user))
    .select({ fullName: 1, schoolId: 1, dateOfBirth: 1, consent: 1 })
    .lean<ConsentMember>();
}

/**
 * Sends a student without current consent to the consent page (no record: nothing to
 * consent to). `pausedPasses`: an action whose write refuses a paused record itself, with
 * the reason (consent withdrawn), instead of a bare redirect.
 */
export async function requireConsent(user: AuthUser, { pausedPasses = false } = {}) {
  const m = await consentMember(user);
  if (!m || hasCurrentConsent(m.consent)) return;
  if (pausedPasses && consentWithdrawn(m.consent)) return;
  throw redirect('/me/consent');
}

export async function consentPage(user: AuthUser, now = new Date()) {
  const m = await consentMember(user);
  if (!m) return null;
  const c = m.consent ?? {};
  return {
    fullName: m.fullName,
    minor: isMinorOn(m.dateOfBirth, now),
    current: hasCurrentConsent(c),
    // Withdrawn and not given again: the page says the record is paused, since when.
    paused: consentWithdrawn(c),
    givenAt: c.givenAt ? iso(new Date(c.givenAt)) : null,
    withdrawnAt: c.withdrawnAt ? iso(new Date(c.withdrawnAt)) : null,
    version: c.version ?? null,
    guardianName: c.guardianName ?? null,
  };
}

async function audit(
  user: AuthUser,
  action: string,
  m: { _id: Types.ObjectId; schoolId?: Types.ObjectId | null },
  details: Record<string, unknown>,
) {
  await appendAudit({
    actorId: user.id,
    action,
    entity: 'Member',
    entityId: m._id,
    unitId: m.schoolId ?? null,
    details,
  });
}

/** The consent page's action: 'give' or 'withdraw'; anything else is a 400. */
export async function consentAction(user: AuthUser, form: FormData, now = new Date()) {
  if (!can(user)) throw forbidden();
  const intent = form.get('intent');
  // Read, decide and write in one transaction; responses go out after it.
  const outcome = await inTransaction(async () => {
    const m = await consentMember(user);
    if (!m) return { kind: 'missing' } as const;
    switch (intent) {
      case 'give': {
        const minor = isMinorOn(m.dateOfBirth, now);
        const submission = parseForm(form, consentSchema(minor));
        if (submission.status !== 'success') return { kind: 'invalid', submission } as const;
        const consent = {
          version: CONSENT_VERSION,
          givenAt: now,
          ...(minor ? { guardianName: submission.value.guardianName } : {}),
        };
        await Member.updateOne(ownFilter(user), { $set: { consent } });
        await audit(user, 'member.consent.give', m, { version: CONSENT_VERSION, minor });
        return { kind: 'given' } as const;
      }
      case 'withdraw': {
        if (!hasCurrentConsent(m.consent)) return { kind: 'none' } as const;
        // Withdrawing pauses the record: only with the box that says the student understands.
        const confirmed = parseForm(form, WithdrawSchema);
        if (confirmed.status !== 'success') return { kind: 'invalid', submission: confirmed } as const;
        await Member.updateOne(ownFilter(user), { $set: { 'consent.withdrawnAt': now } });
        await audit(user, 'member.consent.withdraw', m, { version: m.consent?.version ?? null });
        // The school hears with the withdrawal itself (the record is paused from now on).
        await notify(
          [
            consentWithdrawnNotice({
              memberId: String(m._id),
              schoolId: String(m.schoolId),
              fullName: m.fullName,
              at: now,
            }),
          ],
          { now },
        );
        return { kind: 'withdrawn' } as const;
      }
      default:
        return { kind: 'bad' } as const;
    }
  });
  // The pause changes what staff pages and the dashboard's kept figures show (paused count).
  if (outcome.kind === 'given' || outcome.kind === 'withdrawn') noteMemberWrite();
  switch (outcome.kind) {
    case 'missing':
      throw notFound();
    case 'invalid': {
      // conform's reply for the form (its lastResult), and the same messages by field.
      const result = outcome.submission.reply();
      const values = typedValues(outcome.submission.payload);
      const refused = intent === 'withdraw' ? ('withdraw' as const) : ('give' as const);
      return data({ intent: refused, result, fieldErrors: errorsOf(result), values }, { status: 400 });
    }
    case 'given':
      throw redirect('/me');
    case 'none':
      throw redirect('/me/consent');
    case 'withdrawn':
      throw redirect('/me/consent?withdrawn=1');
    default:
      throw badRequest();
  }
}

function can(user: AuthUser) {
  return user.role === 'student' && !!user.memberId;
}

// ---------------------------------------------------------------------------
// The portal

interface PortalMember extends VerdictMember {
  _id: Types.ObjectId;
  fullName: string;
  studentCode: string;
  schoolId: Types.ObjectId;
  branchId?: Types.ObjectId | null;
  dateOfBirth?: Date | null;
  email?: string | null;
  phone?: string | null;
  expectedGraduation?: string | null;
  pipeline?: PipelineMember['pipeline'] & {
    dossier?: { form: string; receivedAt?: Date | null; verifiedAt?: Date | null }[] | null;
    opinions?: { source?: string | null; date?: Date | null }[] | null;
  };
}

// The whole pipeline sub-document is read, so the engine's `pipeline.*` paths would collide.
const PORTAL_PROJECTION = {
  ...Object.fromEntries(Object.entries(ENGINE_PROJECTION).filter(([path]) => !path.startsWith('pipeline.'))),
  fullName: 1,
  studentCode: 1,
  schoolId: 1,
  branchId: 1,
  schoolKind: 1,
  ancestors: 1,
  pipeline: 1,
  dateOfBirth: 1,
  email: 1,
  phone: 1,
  expectedGraduation: 1,
} as const;

/** One row of the student's dossier checklist. */
export interface ChecklistItem {
  id: 'certificate' | '1-KNĐ' | '2-KNĐ' | '2-KNĐ-verified' | 'introduction' | '5-KNĐ';
  receivedAt: string | null;
  done: boolean;
  detail: string | null;
}

function checklist(p: NonNullable<PortalMember['pipeline']>): ChecklistItem[] {
  const paper = new Map((p.dossier ?? []).map((d) => [d.form, d]));
  const at = (form: string, own?: Date | null) => iso(own ?? paper.get(form)?.receivedAt ?? null);
  const application = at('1-KNĐ', p.application?.receivedAt as Date | null | undefined);
  const history = at('2-KNĐ', p.personalHistory?.receivedAt as Date | null | undefined);
  const verifiedAt = iso(
    (p.personalHistory?.verifiedAt as Date | null | undefined) ?? paper.get('2-KNĐ')?.verifiedAt ?? null,
  );
  const verified = p.personalHistory?.verification === 'verified' || !!verifiedAt;
  const introducers = p.introducers ?? [];
  const opinions = p.opinions ?? [];
  const introAt = iso(paper.get('4-KNĐ')?.receivedAt ?? paper.get('3-KNĐ')?.receivedAt ?? null);
  const opinionAt = iso(opinions.find((o) => o.date)?.date ?? paper.get('5-KNĐ')?.receivedAt ?? null);
  return [
    {
      id: 'certificate',
      receivedAt: iso(p.certificate?.issuedAt as Date | null | undefined),
      done: !!p.certificate?.issuedAt,
      detail: p.certificate?.number ?? null,
    },
    { id: '1-KNĐ', receivedAt: application, done: !!application, detail: null },
    { id: '2-KNĐ', receivedAt: history, done: !!history, detail: null },
    {
      id: '2-KNĐ-verified',
      receivedAt: verifiedAt,
      done: verified,
      detail: p.personalHistory?.verification ?? null,
    },
    {
      id: 'introduction',
      receivedAt: introAt,
      done: introducers.length > 0 || !!introAt,
      detail: introducers.length ? String(introducers.length) : null,
    },
    { id: '5-KNĐ', receivedAt: opinionAt, done: opinions.length > 0 || !!opinionAt, detail: null },
  ];
}

/** Everything /me shows; null when the account has no member record (a friendly message, not a 500). */
export async function portalData(user: AuthUser, now = new Date()) {
  if (!user.memberId) return null;
  const m = await Member.findOne(ownFilter(user)).select(PORTAL_PROJECTION).lean<PortalMember>();
  if (!m) return null;
  const p = m.pipeline ?? { stage: 'member' };
  const stage: Stage | null = isStage(p.stage) ? p.stage : null;

  // Before selection the student is judged for selection, afterwards for admission.
  const purpose = stage && stageIndex(stage) >= stageIndex('outstanding') ? 'admission' : 'selection';
  const [units, calendar, corrections, verdictFirst] = await Promise.all([
    Unit.find({ _id: mongoose.trusted({ $in: [m.schoolId, m.branchId].filter(Boolean) }) })
      .select({ name: 1 })
      .lean(),
    loadCalendar(),
    CorrectionRequest.find({ memberId: m._id })
      .select({ field: 1, status: 1, createdAt: 1, replyReason: 1, repliedAt: 1 })
      .sort({ createdAt: -1 })
      .limit(20)
      .lean(),
    getMemberVerdict(m, { purpose, asOf: now }),
  ]);
  const verdict =
    verdictFirst.verdict || purpose === 'selection'
      ? verdictFirst
      : await getMemberVerdict(m, { purpose: 'selection', asOf: now });
  const nameOf = (id?: Types.ObjectId | null) =>
    id ? (units.find((u) => u._id.equals(id))?.name ?? null) : null;

  const history = [...(p.history ?? [])]
    .map((h) => ({
      stage: isStage(h.stage) ? h.stage : null,
      at: iso(new Date(h.at as Date)),
      refNo: h.refNo ?? null,
      refDate: h.refDate ? iso(new Date(h.refDate as Date)) : null,
    }))
    .filter((h): h is typeof h & { stage: Stage } => h.stage !== null)
    .sort((a, b) => String(a.at).localeCompare(String(b.at)));

  // When each forward stage was reached (the latest entry, after a return and resume).
  const reachedAt: Partial<Record<Stage, string | null>> = {};
  for (const h of history) reachedAt[h.stage] = h.at;
  const lastForward =
    stage && isExitStage(stage)
      ? ([...history].reverse().find((h) => isPipelineStage(h.stage))?.stage ?? null)
      : stage;
  const currentIndex = lastForward ? stageIndex(lastForward) : -1;
  const progress = PIPELINE_STAGES.map((s, i) => ({
    stage: s,
    state: i < currentIndex ? 'done' : i === currentIndex ? (stage === s ? 'current' : 'stopped') : 'todo',
    at: i <= currentIndex ? (reachedAt[s] ?? null) : null,
  })) as { stage: Stage; state: 'done' | 'current' | 'stopped' | 'todo'; at: string | null }[];

  const today = dayNumber(now);
  const deadlines = computeDeadlines(m as PipelineMember, calendar, now)
    .filter((d) => d.status !== 'met')
    .map((d) => ({
      kind: d.kind,
      label: d.label,
      dueDate: d.dueDate,
      status: d.status,
      workingDaysLeft: d.workingDaysLeft ?? calendar.workingDaysBetweenNumbers(today, dayNumber(d.dueDate)),
    }));

  const results = verdict.verdict?.results ?? [];
  const items = checklist(p as NonNullable<PortalMember['pipeline']>);
  const steps = nextSteps(
    stage,
    results.filter((r) => !r.passed && r.required),
    {
      applicationReceived: items.find((i) => i.id === '1-KNĐ')!.done,
      personalHistoryReceived: items.find((i) => i.id === '2-KNĐ')!.done,
      introductionReceived: items.find((i) => i.id === 'introduction')!.done,
      opinionsReceived: items.find((i) => i.id === '5-KNĐ')!.done,
    },
  );

  return {
    fullName: m.fullName,
    studentCode: m.studentCode,
    dateOfBirth: iso(m.dateOfBirth),
    email: m.email ?? null,
    phone: m.phone ?? null,
    school: nameOf(m.schoolId),
    branch: nameOf(m.branchId ?? null),
    stage,
    exit: stage && isExitStage(stage) ? stage : null,
    returnReason: stage === 'returned' ? (p.returnReason ?? null) : null,
    progress,
    nextActor: stage ? nextActor(stage) : null,
    steps,
    // Expected graduation before the expected admission decision (app/domain/graduation.ts).
    graduationWarning: graduationWarning(m, calendar, now),
    verdict: {
      set: verdict.set,
      eligible: verdict.verdict?.eligible ?? null,
      score: verdict.verdict?.score ?? null,
      passMark: verdict.verdict?.passMark ?? null,
      results: results.map((r) => ({
        ruleId: r.ruleId,
        required: r.required,
        passed: r.passed,
        missing: r.missing,
        explanation: r.explanation,
      })),
    },
    deadlines,
    checklist: items,
    history,
    corrections: corrections.map((c) => ({
      id: String(c._id),
      field: c.field,
      status: c.status,
      createdAt: iso(c.createdAt),
      // The school's answer and its reason, once answered.
      reply: c.replyReason ? { reason: c.replyReason, at: iso(c.repliedAt) } : null,
      // An open request: the day the school must answer by (2 working days), and whether it is late.
      due: c.status === 'open' ? correctionDue(c.createdAt, calendar, now) : null,
    })),
  };
}
export type PortalData = NonNullable<Awaited<ReturnType<typeof portalData>>>;

// ---------------------------------------------------------------------------
// Correction requests

/**
 * A student's correction request from its posted form (CorrectionSchema through conform).
 * Refused: conform's reply as `result`, the same messages by field, what was typed.
 */
export async function correctionAction(user: AuthUser, form: FormData, now = new Date()) {
  if (!can(user)) throw forbidden();
  const submission = parseForm(form, CorrectionSchema);
  // The request and its event together, or neither.
  const outcome = await inTransaction(async () => {
    const m = await Member.findOne(ownFilter(user)).select({ schoolId: 1 }).lean();
    if (!m) return 'missing' as const;
    if (submission.status !== 'success') return 'invalid' as const;
    const v = submission.value;
    const [request] = await CorrectionRequest.create([
      {
        memberId: m._id,
        schoolId: m.schoolId,
        requestedBy: new Types.ObjectId(user.id),
        field: v.field,
        message: v.message,
        correctValue: v.correctValue || undefined,
        status: 'open',
        createdAt: now,
      },
    ]);
    await audit(user, 'member.correction.request', m, { requestId: request._id, field: v.field });
    return 'sent' as const;
  });
  if (outcome === 'missing') throw notFound();
  if (outcome === 'invalid') {
    const result = submission.reply();
    return data(
      { result, fieldErrors: errorsOf(result), values: typedValues(submission.payload) },
      { status: 400 },
    );
  }
  throw redirect('/me?sent=1#corrections');
}

// ---------------------------------------------------------------------------
// My data: the full record (sensitive fields included: it is the student's own)

export async function ownRecord(user: AuthUser) {
  if (!can(user)) throw forbidden();
  const m = await Member.findOne(ownFilter(user))
    .select('+citizenId -searchKey -nameSortKey -eligibility -__v')
    .lean();
  if (!m) throw notFound();
  const [units, corrections] = await Promise.all([
    Unit.find({ _id: mongoose.trusted({ $in: [m.schoolId, m.branchId].filter(Boolean) }) })
      .select({ name: 1, code: 1 })
      .lean(),
    CorrectionRequest.find({ memberId: m._id }).select({ memberId: 0, schoolId: 0 }).lean(),
  ]);
  // Reading the sensitive fields is logged, even by their owner (domain.md §7).
  await audit(user, 'member.self.export', m, { fields: ['ethnicity', 'religion', 'citizenId'] });
  return { member: m, units, corrections };
}

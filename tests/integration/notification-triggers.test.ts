/**
 * Issue 21's triggers against the real actions and a real (embedded) database:
 * - event triggers: evidence returned / approved, a correction answered, a step recorded
 *   → the student; a rule conflict, a consent withdrawal → the school's users, never another
 *   school's; an action whose transaction aborts leaves no notification;
 * - the daily scan: the 3-working-day notice to the Party side only, escalation to the
 *   province after 10 working days, the certificate to the student and the school, and a
 *   second run writes nothing;
 * - the weekly digest: one per school and one for the province, the overdue case listed.
 */
import type { Types } from 'mongoose';
import mongoose from 'mongoose';
import { beforeAll, describe, expect, it } from 'vitest';
import { CorrectionRequest } from '../../models/correction-request.ts';
import { Member } from '../../models/member.ts';
import { Notification } from '../../models/notification.ts';
import { Submission } from '../../models/submission.ts';
import { User } from '../../models/user.ts';
import { seedDatabase } from '../../seed/seed.server.ts';
import { dayNumber } from '~/domain/calendar';
import { isoWeek } from '~/domain/notifications/triggers-digest';
import { action as consentAction } from '~/routes/me.consent';
import { action as queueAction } from '~/routes/school.submissions';
import { JOBS } from '~/utils/jobs/jobs.server';
import { runDueScan } from '~/utils/notifications/due-scan.server';
import { runWeeklyDigests } from '~/utils/notifications/weekly-digest.server';
import { refreshPipelineDue } from '~/utils/pipeline/pipeline-due.server';
import { loadCalendar } from '~/utils/pipeline/working-calendar.server';
import { inTransaction } from '~/utils/transaction.server';
import { signIn } from '../fixtures/auth.ts';
import {
  ago,
  bornBefore,
  candidateAt,
  candidatePool,
  postStep,
  type CandidatePool,
} from '../fixtures/pipeline-candidates.ts';
import { call, get, post } from '../fixtures/remix.ts';
import { action as editAction, loader as editLoader } from '~/routes/members.$id.edit';

let union: string;
let danguy: string;
let student: string;
let pool: CandidatePool;
let pvd: Types.ObjectId;
let provinceId: Types.ObjectId;
const ids: Record<string, Types.ObjectId> = {};

const userId = async (email: string) => (await User.findOne({ email }).lean())!._id;
const notificationsOf = (eventKey: string | RegExp) =>
  Notification.find({
    eventKey: eventKey instanceof RegExp ? mongoose.trusted({ $regex: eventKey }) : eventKey,
  })
    .lean()
    .then((rows) => rows);
const recipients = async (eventKey: string | RegExp) =>
  (await notificationsOf(eventKey)).map((n) => String(n.userId)).sort();

/** A student account for a member (the demo has one; the tests give others theirs). */
async function studentFor(memberId: Types.ObjectId, email: string) {
  const m = (await Member.findById(memberId).lean())!;
  return (await User.create({ email, name: m.fullName, role: 'student', unitId: m.schoolId, memberId }))._id;
}

beforeAll(async () => {
  await seedDatabase({ members: 40, seed: 1, reset: true });
  [union, danguy, student] = await Promise.all(
    ['doantruong.pvd@demo.vn', 'danguy.pvd@demo.vn', 'sinhvien@demo.vn'].map((e) => signIn(e)),
  );
  for (const e of [
    'doantruong.pvd@demo.vn',
    'danguy.pvd@demo.vn',
    'bithu.pvd@demo.vn',
    'sinhvien@demo.vn',
    'tinhdoan@demo.vn',
  ])
    ids[e] = await userId(e);
  pool = await candidatePool();
  pvd = pool.school._id;
  provinceId = pool.school.ancestors[0];
  expect(
    (await call(consentAction, post('/me/consent', { intent: 'give', agree: 'on' }, student))).status,
  ).toBe(302);
}, 60_000);

const PVD_STAFF = () =>
  [ids['doantruong.pvd@demo.vn'], ids['danguy.pvd@demo.vn'], ids['bithu.pvd@demo.vn']].map(String).sort();

async function pvdSchoolStaff() {
  const rows = await User.find({
    unitId: pvd,
    role: mongoose.trusted({ $in: ['school_union', 'school_party'] }),
    active: true,
  }).lean();
  return rows.map((u) => String(u._id)).sort();
}

async function otherSchoolsStaff() {
  return User.find({
    unitId: mongoose.trusted({ $ne: pvd }),
    role: mongoose.trusted({ $in: ['school_union', 'school_party'] }),
  })
    .select({ _id: 1 })
    .lean();
}

describe('event triggers → the student', () => {
  const memberId = () => pool.demoMemberId;
  async function submission(title: string) {
    const m = (await Member.findById(memberId()).lean())!;
    return Submission.create({
      memberId: m._id,
      schoolId: m.schoolId,
      ancestors: m.ancestors,
      kind: 'activity',
      title,
      date: new Date('2026-06-20'),
      days: 3,
      evidence: 'Xác nhận của Đoàn trường',
    });
  }

  it('evidence returned with its reason; approved', async () => {
    const s = await submission('Hiến máu tình nguyện');
    const res = await call(
      queueAction,
      post(
        '/school/submissions',
        { intent: 'return', id: String(s._id), reason: 'Thiếu giấy xác nhận' },
        union,
      ),
    );
    expect(res.status).toBe(302);
    const [n, ...rest] = await notificationsOf(`evidence:${s._id}:returned`);
    expect(rest).toEqual([]);
    expect(String(n.userId)).toBe(String(ids['sinhvien@demo.vn']));
    expect(n).toMatchObject({
      kind: 'evidence_reviewed',
      title: { key: 'notify.evidence.returned.title', params: { title: 'Hiến máu tình nguyện' } },
      body: { params: { reason: 'Thiếu giấy xác nhận' } },
      link: '/me/submissions',
    });

    const ok = await submission('Mùa hè xanh');
    expect(
      (await call(queueAction, post('/school/submissions', { intent: 'approve', id: String(ok._id) }, union)))
        .status,
    ).toBe(302);
    expect(await recipients(`evidence:${ok._id}:approved`)).toEqual([String(ids['sinhvien@demo.vn'])]);
  });

  it('a correction request answered', async () => {
    const m = (await Member.findById(memberId()).lean())!;
    const c = await CorrectionRequest.create({
      memberId: m._id,
      schoolId: m.schoolId,
      field: 'phone',
      message: 'Sai số',
    });
    const res = await call(
      queueAction,
      post(
        '/school/submissions',
        { intent: 'correction-refuse', id: String(c._id), reason: 'Số điện thoại đã đúng.' },
        union,
      ),
    );
    expect(res.status).toBe(302);
    const [n] = await notificationsOf(`correction:${c._id}:rejected`);
    expect(String(n.userId)).toBe(String(ids['sinhvien@demo.vn']));
    expect(n.body).toMatchObject({ params: { reason: 'Số điện thoại đã đúng.' } });
  });

  it('a step recorded about her', async () => {
    const m = await candidateAt(pool, 'branch_vote');
    const own = await studentFor(m._id, 'hv.step@demo.vn');
    const res = await postStep(danguy, m._id, {
      intent: 'record_committee_review',
      resolutionNo: '40-NQ/ĐU',
      resolutionDate: ago(5),
    });
    expect(res.status).toBe(302);
    const version = (await Member.findById(m._id).lean())!.__v;
    const rows = await notificationsOf(`step:${m._id}:${version}`);
    expect(rows.map((r) => String(r.userId))).toEqual([String(own)]);
    expect(rows[0]).toMatchObject({ kind: 'step_recorded', title: { key: 'notify.step.committee_review' } });
  });
});

describe('event triggers → the school', () => {
  it('a rule conflict: the school’s Union and Party users, no other school’s', async () => {
    const m = await candidateAt(pool, 'branch_vote', { vote: 'no-cell' });
    const form = await call(editLoader, get(`/members/${m._id}/edit`, union), { id: String(m._id) });
    const { values, version } = (form.data as { member: { values: Record<string, string>; version: number } })
      .member;
    const res = await call(
      editAction,
      post(
        `/members/${m._id}/edit`,
        { intent: 'save', ...values, dateOfBirth: bornBefore(20, 18, 1), version: String(version) },
        union,
      ),
      { id: String(m._id) },
    );
    expect(res.location).toContain('broke=');
    const got = await recipients(new RegExp(`^conflict:${m._id}:`));
    expect(got).toEqual(await pvdSchoolStaff());
    expect(got).toEqual(expect.arrayContaining(PVD_STAFF()));
    const others = (await otherSchoolsStaff()).map((u) => String(u._id));
    expect(got.filter((u) => others.includes(u))).toEqual([]);
  });

  it('a consent withdrawal', async () => {
    const res = await call(
      consentAction,
      post('/me/consent', { intent: 'withdraw', confirm: 'on' }, student),
    );
    expect(res.status).toBe(302);
    const got = await recipients(new RegExp(`^consent:${pool.demoMemberId}:withdrawn:`));
    expect(got).toEqual(await pvdSchoolStaff());
    // Back to consenting, for the rest of the file.
    await call(consentAction, post('/me/consent', { intent: 'give', agree: 'on' }, student));
  });
});

describe('an aborted transaction leaves no notification', () => {
  it('evidence returned inside a transaction that then fails', async () => {
    const m = (await Member.findById(pool.demoMemberId).lean())!;
    const s = await Submission.create({
      memberId: m._id,
      schoolId: m.schoolId,
      ancestors: m.ancestors,
      kind: 'activity',
      title: 'Tiếp sức mùa thi',
      date: new Date('2026-06-20'),
      days: 2,
      evidence: 'x',
    });
    // The action throws its redirect inside the outer transaction, which aborts it whole.
    await expect(
      inTransaction(() =>
        queueAction({
          request: post(
            '/school/submissions',
            { intent: 'return', id: String(s._id), reason: 'Thiếu ảnh' },
            union,
          ),
          params: {},
          context: {},
        } as never),
      ),
    ).rejects.toBeInstanceOf(Response);
    expect(await Notification.countDocuments({ eventKey: `evidence:${s._id}:returned` })).toBe(0);
    expect((await Submission.findById(s._id).lean())!.status).toBe('submitted');
  });

  it('a consent withdrawal whose transaction fails', async () => {
    const before = await Notification.countDocuments({ kind: 'consent_withdrawn' });
    await expect(
      inTransaction(() =>
        consentAction({
          request: post('/me/consent', { intent: 'withdraw', confirm: 'on' }, student),
          params: {},
          context: {},
        } as never),
      ),
    ).rejects.toBeInstanceOf(Response);
    expect(await Notification.countDocuments({ kind: 'consent_withdrawn' })).toBe(before);
  });
});

describe('the daily scan and the weekly digest', () => {
  let id: Types.ObjectId;
  let due: string;
  let meeting: string;
  const at = (iso: string) => new Date(`${iso}T01:00:00Z`); // 08:00 in Vietnam

  beforeAll(async () => {
    const m = await candidateAt(pool, 'branch_vote');
    id = m._id;
    meeting = ago(20);
    const calendar = await loadCalendar();
    due = calendar.addWorkingDays(meeting, 60);
  });

  it('3 working days before: the school Party committee, not the Union; a second run writes nothing', async () => {
    const calendar = await loadCalendar();
    const now = at(calendar.addWorkingDays(meeting, 57));
    await refreshPipelineDue([id], { now });
    const first = await runDueScan({ now });
    expect(first.scanned).toBeGreaterThan(0);
    const key = `deadline:${id}:admission_decision:${due}:3wd`;
    const got = await recipients(key);
    expect(got).toContain(String(ids['danguy.pvd@demo.vn']));
    expect(got).not.toContain(String(ids['doantruong.pvd@demo.vn']));
    const again = await runDueScan({ now });
    expect(again.created).toBe(0);
    expect(again.notices).toBe(first.notices);
  });

  it('10 working days overdue: the unit and the province, with the case listed', async () => {
    const calendar = await loadCalendar();
    const now = at(calendar.addWorkingDays(due, 10));
    await refreshPipelineDue([id], { now });
    await runDueScan({ now });
    expect(await recipients(`overdue:${id}:admission_decision:${due}`)).toContain(
      String(ids['danguy.pvd@demo.vn']),
    );
    const [esc] = await notificationsOf(`escalation:${id}:admission_decision:${due}`);
    expect(String(esc.userId)).toBe(String(ids['tinhdoan@demo.vn']));
    expect(esc.lines?.[0]).toMatchObject({ link: `/members/${id}/pipeline`, text: { params: { days: 10 } } });

    // The weekly digest the same week: the province's lists the case; one per unit per week.
    const digest = await runWeeklyDigests({ now });
    expect(digest.created).toBeGreaterThan(0);
    const week = isoWeek(now);
    const [province] = await notificationsOf(`digest:${provinceId}:${week}`);
    expect(String(province.userId)).toBe(String(ids['tinhdoan@demo.vn']));
    expect(province.lines?.some((l) => l.link === `/members/${id}/pipeline`)).toBe(true);
    expect(province.body?.params).toMatchObject({ overdue: expect.any(Number) });
    expect((province.body!.params as { overdue: number }).overdue).toBeGreaterThan(0);
    expect(await recipients(`digest:${pvd}:${week}`)).toEqual(await pvdSchoolStaff());
    expect((await runWeeklyDigests({ now })).created).toBe(0);
  });

  it('the certificate one month before it expires: the student and her school', async () => {
    const m = await candidateAt(pool, 'introduced');
    const own = await studentFor(m._id, 'hv.cert@demo.vn');
    const last = m.pipeline.certificate!.issuedAt!;
    // Issued 150 days ago: valid 60 months; one month before the last valid day.
    const lastDay = new Date(last);
    lastDay.setUTCMonth(lastDay.getUTCMonth() + 59);
    const now = at(lastDay.toISOString().slice(0, 10));
    await refreshPipelineDue([m._id], { now });
    expect(Number.isNaN(dayNumber(now))).toBe(false);
    await runDueScan({ now });
    const got = await recipients(new RegExp(`^certificate:${m._id}:.*:1m$`));
    expect(got).toEqual([String(own), ...(await pvdSchoolStaff())].sort());
  });
});

describe('the jobs', () => {
  it('are scheduled (06:00 daily, Monday 07:00) and say the escalation setting in force', async () => {
    const scan = JOBS.find((j) => j.name === 'notifications.due-scan')!;
    const digest = JOBS.find((j) => j.name === 'notifications.weekly-digest')!;
    expect(scan.schedule).toEqual({ dailyAt: '06:00' });
    expect(digest.schedule).toEqual({ weeklyAt: { weekday: 1, time: '07:00' } });
    const summary = await scan.run({ now: new Date(), signal: new AbortController().signal });
    expect(summary).toMatchObject({ escalateAfterWorkingDays: 10, scanned: expect.any(Number) });
    // Shutting down: an aborted run stops before reading anything.
    const aborted = new AbortController();
    aborted.abort();
    expect(await scan.run({ now: new Date(), signal: aborted.signal })).toMatchObject({
      scanned: 0,
      notices: 0,
    });
  });
});

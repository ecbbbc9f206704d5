/**
 * The school answers a student's correction request, corrected or refused, always with a
 * reason: the answer is stored with its audit event, the student reads it and its reason on
 * /me, a missing reason is a 400 with the message beside the field, another school's request
 * is a 404, and the student cannot answer her own request.
 */
import type { Types } from 'mongoose';
import mongoose from 'mongoose';
import { beforeAll, describe, expect, it } from 'vitest';
import { AuditEvent } from '../../models/audit-event.ts';
import { CorrectionRequest } from '../../models/correction-request.ts';
import { Member } from '../../models/member.ts';
import { Unit } from '../../models/unit.ts';
import { User } from '../../models/user.ts';
import { seedDatabase } from '../../seed/seed.server.ts';
import { vi as catalogue } from '~/i18n/vi';
import { action as consentAction } from '~/routes/me.consent';
import { loader as meLoader } from '~/routes/me._index';
import { action as queueAction, loader as queueLoader } from '~/routes/school.submissions';
import { verifyAudit } from '~/utils/audit/audit-verify.server';
import { signIn } from '../fixtures/auth.ts';
import { call, get, post } from '../fixtures/remix.ts';

let union: string;
let student: string;
let memberId: Types.ObjectId;
let foreignRequest: string;

const REASON = 'Đã đối chiếu giấy khai sinh và sửa lại họ tên.';
const REFUSAL = 'Số điện thoại trong hồ sơ khớp với đơn đăng ký, không cần sửa.';

let schoolId: Types.ObjectId;

function request(field: 'fullName' | 'phone') {
  return CorrectionRequest.create({ memberId, schoolId, field, message: 'Thông tin chưa đúng' });
}

beforeAll(async () => {
  await seedDatabase({ members: 40, seed: 1, reset: true });
  [union, student] = await Promise.all(['doantruong.pvd@demo.vn', 'sinhvien@demo.vn'].map((e) => signIn(e)));
  memberId = (await User.findOne({ email: 'sinhvien@demo.vn' }).lean())!.memberId as Types.ObjectId;
  schoolId = (await Member.findById(memberId).lean())!.schoolId as Types.ObjectId;
  expect(
    (await call(consentAction, post('/me/consent', { intent: 'give', agree: 'on' }, student))).status,
  ).toBe(302);
  const pvd = (await Unit.findOne({ code: 'PVD' }).lean())!;
  const foreign = (await Member.findOne({ schoolId: mongoose.trusted({ $ne: pvd._id }) }).lean())!;
  foreignRequest = String(
    (
      await CorrectionRequest.create({
        memberId: foreign._id,
        schoolId: foreign.schoolId,
        field: 'phone',
        message: 'Số điện thoại cũ',
      })
    )._id,
  );
});

describe("the school's answer to a correction request", () => {
  it('is stored with its reason and event, and the student reads it on /me', async () => {
    const c = await request('fullName');
    const queue = await call(queueLoader, get('/school/submissions', union));
    // The request links to the member's record, where the school makes the correction.
    expect(queue.data.corrections.find((r: { id: string }) => r.id === String(c._id))).toMatchObject({
      memberId: String(memberId),
    });
    const res = await call(
      queueAction,
      post('/school/submissions', { intent: 'correction-done', id: String(c._id), reason: REASON }, union),
    );
    expect(res.status).toBe(302);
    const stored = (await CorrectionRequest.findById(c._id).lean())!;
    expect(stored).toMatchObject({ status: 'resolved', replyReason: REASON });
    expect(stored.repliedAt).toBeInstanceOf(Date);
    expect(
      await AuditEvent.countDocuments({ action: 'member.correction.resolve', 'details.correctionId': c._id }),
    ).toBe(1);

    const me = await call(meLoader, get('/me', student));
    const mine = me.data.record.corrections.find((r: { id: string }) => r.id === String(c._id));
    expect(mine).toMatchObject({ status: 'resolved', reply: { reason: REASON } });
    expect(mine.reply.at).toBe(stored.repliedAt!.toISOString());
  });

  it('can refuse, with the reason, under its own audit action', async () => {
    const c = await request('phone');
    const res = await call(
      queueAction,
      post('/school/submissions', { intent: 'correction-refuse', id: String(c._id), reason: REFUSAL }, union),
    );
    expect(res.status).toBe(302);
    expect(res.location).toBe('/school/submissions?done=correction-refused');
    expect((await CorrectionRequest.findById(c._id).lean())!).toMatchObject({
      status: 'rejected',
      replyReason: REFUSAL,
    });
    expect(
      await AuditEvent.countDocuments({ action: 'member.correction.reject', 'details.correctionId': c._id }),
    ).toBe(1);
    const me = await call(meLoader, get('/me', student));
    expect(me.data.record.corrections.find((r: { id: string }) => r.id === String(c._id))).toMatchObject({
      status: 'rejected',
      reply: { reason: REFUSAL },
    });
    expect(await verifyAudit()).toMatchObject({ ok: true, gaps: [] });
  });

  it('needs a reason: 400 with the Vietnamese message beside the field, nothing stored', async () => {
    const c = await request('phone');
    for (const reason of [undefined, '', '   ', 'ngắn']) {
      const fields: Record<string, string> = { intent: 'correction-done', id: String(c._id) };
      if (reason !== undefined) fields.reason = reason;
      const res = await call(queueAction, post('/school/submissions', fields, union));
      expect(res.status).toBe(400);
      expect(res.data).toMatchObject({ id: String(c._id), fieldErrors: { reason: ['queue.v.replyReason'] } });
      expect(res.data).toMatchObject({
        form: 'correction',
        result: { error: { reason: ['queue.v.replyReason'] } },
      });
    }
    expect(catalogue['queue.v.replyReason']).toBe('Vui lòng ghi lý do trả lời (ít nhất 10 ký tự).');
    expect((await CorrectionRequest.findById(c._id).lean())!.status).toBe('open');
    expect(await AuditEvent.countDocuments({ 'details.correctionId': c._id })).toBe(0);
  });

  it("is 404 for another school's request, which stays open", async () => {
    for (const intent of ['correction-done', 'correction-refuse']) {
      const res = await call(
        queueAction,
        post('/school/submissions', { intent, id: foreignRequest, reason: REASON }, union),
      );
      expect(res.status).toBe(404);
    }
    expect((await CorrectionRequest.findById(foreignRequest).lean())!).toMatchObject({ status: 'open' });
    expect((await CorrectionRequest.findById(foreignRequest).lean())!.replyReason).toBeUndefined();
  });

  it('cannot be given by the student', async () => {
    const c = await request('fullName');
    const res = await call(
      queueAction,
      post('/school/submissions', { intent: 'correction-done', id: String(c._id), reason: REASON }, student),
    );
    expect(res.status).toBe(403);
    expect((await CorrectionRequest.findById(c._id).lean())!.status).toBe('open');
  });
});

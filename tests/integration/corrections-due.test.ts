/**
 * Correction requests are due in 2 working days (Law 91/2025, Decree 356/2025): the school
 * Union's queue shows each open request's due date and marks the overdue ones, the school
 * home counts them (its own school only), and the student sees the due date of her open
 * request. Due dates count from the request's day in Vietnam and respect the holiday table,
 * make-up working days included. Requests are filed through the student's real form.
 */
import type { Types } from 'mongoose';
import mongoose from 'mongoose';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { CorrectionRequest } from '../../models/correction-request.ts';
import { Member } from '../../models/member.ts';
import { Unit } from '../../models/unit.ts';
import { User } from '../../models/user.ts';
import { seedDatabase } from '../../seed/seed.server.ts';
import { action as consentAction } from '~/routes/me.consent';
import { action as meAction, loader as meLoader } from '~/routes/me._index';
import { loader as homeLoader } from '~/routes/school._index';
import { action as queueAction, loader as queueLoader } from '~/routes/school.submissions';
import { verifyAudit } from '~/utils/audit/audit-verify.server';
import { signIn } from '../fixtures/auth.ts';
import { call, get, post } from '../fixtures/remix.ts';

let union: string;
let student: string;
let memberId: Types.ObjectId;

// Friday 09/01/2026 at 00:30 in Vietnam (still Thursday 08/01 in UTC). Counting starts the day
// after: Saturday 10/01/2026 is a make-up working day (the seeded swap for Friday 02/01), so
// the answer is due Monday 12/01; read in UTC it would be due on the Saturday, and without the
// make-up day on Tuesday 13/01.
const FILED = new Date('2026-01-08T17:30:00Z');
const MONDAY_10H = new Date('2026-01-12T03:00:00Z');
const MONDAY_23H59 = new Date('2026-01-12T16:59:00Z');
const TUESDAY_00H30 = new Date('2026-01-12T17:30:00Z');

function at<T>(instant: Date, work: () => Promise<T>): Promise<T> {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(instant);
  return work().finally(() => vi.useRealTimers());
}

afterEach(() => {
  vi.useRealTimers();
});

beforeAll(async () => {
  await seedDatabase({ members: 40, seed: 1, reset: true });
  [union, student] = await Promise.all(['doantruong.pvd@demo.vn', 'sinhvien@demo.vn'].map((e) => signIn(e)));
  memberId = (await User.findOne({ email: 'sinhvien@demo.vn' }).lean())!.memberId as Types.ObjectId;
  // The portal opens once the student has consented (decision 009).
  const consent = await call(consentAction, post('/me/consent', { intent: 'give', agree: 'on' }, student));
  expect(consent).toHaveStatus(302);
  // Another school's request, older still: never shown nor counted at Phạm Văn Đồng.
  const pvd = (await Unit.findOne({ code: 'PVD' }).lean())!;
  const foreign = (await Member.findOne({ schoolId: mongoose.trusted({ $ne: pvd._id }) }).lean())!;
  await CorrectionRequest.create({
    memberId: foreign._id,
    schoolId: foreign.schoolId,
    field: 'phone',
    message: 'Số điện thoại cũ',
    createdAt: new Date('2026-01-05T03:00:00Z'),
  });
});

describe('a request filed at 00:30 on Friday in Vietnam', () => {
  it('is filed through the student form', async () => {
    const res = await at(FILED, () =>
      call(
        meAction,
        post('/me', { intent: 'correction', field: 'fullName', message: 'Sai dấu trong tên' }, student),
      ),
    );
    expect(res).toHaveStatus(302);
    const stored = (await CorrectionRequest.findOne({ memberId }).lean())!;
    expect(stored.createdAt.toISOString()).toBe(FILED.toISOString());
  });

  it('is due on Monday: shown in the queue, not overdue through Monday 23:59 in Vietnam', async () => {
    for (const now of [MONDAY_10H, MONDAY_23H59]) {
      const res = await at(now, () => call(queueLoader, get('/school/submissions', union)));
      expect(res).toHaveStatus(200);
      expect(res.data.corrections).toHaveLength(1);
      expect(res.data.corrections[0]).toMatchObject({
        dueDate: '2026-01-12',
        overdue: false,
        workingDaysLeft: 0,
      });
    }
    const home = await at(MONDAY_10H, () => call(homeLoader, get('/school', union)));
    expect(home.data.corrections).toEqual({ open: 1, overdue: 0 });
  });

  it('is overdue from 00:00 on Tuesday in Vietnam: marked in the queue, counted on the school home', async () => {
    const res = await at(TUESDAY_00H30, () => call(queueLoader, get('/school/submissions', union)));
    expect(res.data.corrections[0]).toMatchObject({
      dueDate: '2026-01-12',
      overdue: true,
      workingDaysLeft: -1,
    });
    const home = await at(TUESDAY_00H30, () => call(homeLoader, get('/school', union)));
    expect(home).toHaveStatus(200);
    expect(home.data.corrections).toEqual({ open: 1, overdue: 1 });
  });

  it('shows the student the due date of her open request', async () => {
    const before = await at(MONDAY_10H, () => call(meLoader, get('/me', student)));
    expect(before).toHaveStatus(200);
    const open = before.data.record.corrections[0];
    expect(open).toMatchObject({ status: 'open', due: { dueDate: '2026-01-12', overdue: false } });
    const late = await at(TUESDAY_00H30, () => call(meLoader, get('/me', student)));
    expect(late.data.record.corrections[0].due).toMatchObject({ overdue: true });
  });

  it('once handled, has no due date and is no longer counted', async () => {
    const id = String((await CorrectionRequest.findOne({ memberId }).lean())!._id);
    const done = await call(
      queueAction,
      post(
        '/school/submissions',
        { intent: 'correction-done', id, reason: 'Đã sửa lại họ tên theo giấy khai sinh.' },
        union,
      ),
    );
    expect(done).toHaveStatus(302);
    const home = await at(TUESDAY_00H30, () => call(homeLoader, get('/school', union)));
    expect(home.data.corrections).toEqual({ open: 0, overdue: 0 });
    const me = await call(meLoader, get('/me', student));
    expect(me.data.record.corrections[0]).toMatchObject({ status: 'resolved', due: null });
    expect(await verifyAudit()).toMatchObject({ ok: true, gaps: [] });
  });
});

/**
 * Expected graduation through the real routes (issue 16): the member form saves the month
 * (06/2027 → 2027-06, audited with the other changed fields) and refuses a bad one beside the
 * field, writing nothing; the Quy trình tab warns when the month ends before the admission
 * decision due after the chi bộ vote, and the student's portal when it ends before the
 * earliest possible decision; neither warns otherwise.
 */
import mongoose, { type Types } from 'mongoose';
import { beforeAll, describe, expect, it } from 'vitest';
import { AuditEvent } from '../../models/audit-event.ts';
import { Member } from '../../models/member.ts';
import { Unit } from '../../models/unit.ts';
import { User } from '../../models/user.ts';
import { seedDatabase } from '../../seed/seed.server.ts';
import { dayNumber, isoDay } from '~/domain/calendar';
import { DECISION_WORKING_DAYS, admissionDecisionDueDay } from '~/domain/deadlines';
import type { PipelineRecord } from '~/domain/pipeline';
import { action as consentAction } from '~/routes/me.consent';
import { loader as meLoader } from '~/routes/me._index';
import { action as editAction, loader as editLoader } from '~/routes/members.$id.edit';
import { loader as pipelineLoader } from '~/routes/members.$id.pipeline';
import { verifyAudit } from '~/utils/audit/audit-verify.server';
import { loadCalendar } from '~/utils/pipeline/working-calendar.server';
import { signIn } from '../fixtures/auth.ts';
import { call, get, post } from '../fixtures/remix.ts';

let union: string;
let student: string;
let voted: Types.ObjectId;
let own: Types.ObjectId;

const month = (day: number) => isoDay(day).slice(0, 7);
const monthBefore = (day: number) => month(dayNumber(`${month(day)}-01`) - 1);

async function saveGraduation(id: Types.ObjectId, value: string) {
  const form = await call(editLoader, get(`/members/${id}/edit`, union), { id: String(id) });
  const values = form.data.member.values as Record<string, string>;
  const fields: Record<string, string> = { intent: 'save', version: String(form.data.member.version) };
  for (const [k, v] of Object.entries(values)) if (typeof v === 'string') fields[k] = v;
  fields.expectedGraduation = value;
  return call(editAction, post(`/members/${id}/edit`, fields, union), { id: String(id) });
}
const tab = async (id: Types.ObjectId) =>
  (await call(pipelineLoader, get(`/members/${id}/pipeline`, union), { id: String(id) })).data;

beforeAll(async () => {
  await seedDatabase({ members: 80, seed: 1, reset: true });
  union = await signIn('doantruong.pvd@demo.vn');
  student = await signIn('sinhvien@demo.vn');
  const pvd = (await Unit.findOne({ code: 'PVD' }).lean())!;
  voted = (await Member.findOne({
    ancestors: pvd._id,
    'pipeline.stage': 'branch_vote',
    'consent.withdrawnAt': mongoose.trusted({ $exists: false }),
  }).lean())!._id;
  own = (await User.findOne({ email: 'sinhvien@demo.vn' }).lean())!.memberId as Types.ObjectId;
});

describe('expected graduation', () => {
  it('refuses a bad month beside the field, writing nothing', async () => {
    const before = (await Member.findById(voted).lean())!;
    const res = await saveGraduation(voted, '13/2027');
    expect(res).toHaveStatus(400);
    expect(res.data.fieldErrors.expectedGraduation).toEqual(['member.v.graduation']);
    const after = (await Member.findById(voted).lean())!;
    expect(after.__v).toBe(before.__v);
    expect(after.expectedGraduation).toBeUndefined();
  });

  it('warns on the tab when the month ends before the decision due after the vote', async () => {
    const m = (await Member.findById(voted).lean())!;
    const due = admissionDecisionDueDay(m.pipeline as unknown as PipelineRecord, await loadCalendar());
    expect(Number.isNaN(due)).toBe(false);
    const before = monthBefore(due);
    const res = await saveGraduation(voted, `${before.slice(5)}/${before.slice(0, 4)}`);
    expect(res).toHaveStatus(302);
    expect((await Member.findById(voted).lean())!.expectedGraduation).toBe(before);
    const event = (await AuditEvent.findOne({ entityId: voted, action: 'member.update' })
      .sort({ _id: -1 })
      .lean())!;
    expect(JSON.stringify(event.details)).toContain('expectedGraduation');
    const w = (await tab(voted)).graduationWarning;
    expect(w).toMatchObject({ graduation: before, decisionDue: isoDay(due), estimated: false });
    expect(w.message.vi).toContain('trước hạn quyết định kết nạp');
    // The month the decision is due in: no warning.
    expect((await saveGraduation(voted, month(due))).status).toBe(302);
    expect((await tab(voted)).graduationWarning).toBeNull();
  });

  it('warns the student before the vote against the earliest possible decision', async () => {
    // The portal opens once consent is given.
    expect(
      (await call(consentAction, post('/me/consent', { intent: 'give', agree: 'on' }, student))).status,
    ).toBe(302);
    const now = new Date();
    const earliest = (await loadCalendar()).addWorkingDayNumber(dayNumber(now), DECISION_WORKING_DAYS);
    await Member.updateOne({ _id: own }, { $set: { expectedGraduation: monthBefore(earliest) } });
    let record = (await call(meLoader, get('/me', student))).data.record;
    expect(record.graduationWarning).toMatchObject({ estimated: true, decisionDue: isoDay(earliest) });
    expect(record.graduationWarning.message.vi).toContain('sớm nhất');
    await Member.updateOne({ _id: own }, { $set: { expectedGraduation: month(earliest) } });
    record = (await call(meLoader, get('/me', student))).data.record;
    expect(record.graduationWarning).toBeNull();
  });

  it('leaves an audit log with no gaps', async () => {
    expect((await verifyAudit()).gaps).toEqual([]);
  });
});

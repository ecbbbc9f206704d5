/**
 * A school's conduct-score bands below "Tốt" through the unit page (issue 16): invalid bands
 * are refused beside their field and write nothing; valid ones are saved with their audit
 * event (before/after) in one transaction, and the member pages read them (the layout's
 * loader); a unit that is not a school has none; the defaults stay 65/50.
 */
import type { Types } from 'mongoose';
import { beforeAll, describe, expect, it } from 'vitest';
import { AuditEvent } from '../../models/audit-event.ts';
import { Member } from '../../models/member.ts';
import { Unit } from '../../models/unit.ts';
import { seedDatabase } from '../../seed/seed.server.ts';
import { action, loader } from '~/routes/admin.units.$id';
import { loader as layoutLoader } from '~/routes/members.$id';
import { verifyAudit } from '~/utils/audit/audit-verify.server';
import { signIn } from '../fixtures/auth.ts';
import { call, get, post } from '../fixtures/remix.ts';

let admin: string;
let union: string;
let school: Types.ObjectId;
let faculty: Types.ObjectId;
let member: Types.ObjectId;

const save = (id: Types.ObjectId, fields: Record<string, string>, cookie = admin) =>
  call(action, post(`/admin/units/${id}`, { intent: 'conductBands', ...fields }, cookie), { id: String(id) });
const stored = async () => (await Unit.findById(school).lean())!.conductBands ?? null;
const events = () => AuditEvent.countDocuments({ entityId: school, action: 'unit.conduct_bands' });
const layout = () => call(layoutLoader, get(`/members/${member}`, union), { id: String(member) });

beforeAll(async () => {
  await seedDatabase({ members: 30, seed: 1, reset: true });
  admin = await signIn('admin@demo.vn');
  union = await signIn('doantruong.pvd@demo.vn');
  const pvd = (await Unit.findOne({ code: 'PVD' }).lean())!;
  school = pvd._id;
  faculty = (await Unit.findOne({ ancestors: pvd._id, kind: 'faculty' }).lean())!._id;
  member = (await Member.findOne({ schoolId: pvd._id }).lean())!._id;
});

describe("a school's conduct-score bands", () => {
  it('are the defaults until set: on the unit page and on the member pages', async () => {
    const page = await call(loader, get(`/admin/units/${school}`, admin), { id: String(school) });
    expect(page.data.unit.conductBands).toEqual({ goodMin: 65, averageMin: 50 });
    expect(page.data.unit.conductBandsSet).toBe(false);
    expect((await layout()).data.conductBands).toEqual({ goodMin: 65, averageMin: 50 });
  });

  it.each([
    [{ goodMin: '80', averageMin: '50' }, 'goodMin', 'conduct.v.belowVeryGood'],
    [{ goodMin: '60', averageMin: '60' }, 'averageMin', 'conduct.v.belowGood'],
    [{ goodMin: '60', averageMin: '101' }, 'averageMin', 'conduct.v.range'],
    [{ goodMin: '', averageMin: '50' }, 'goodMin', 'conduct.v.number'],
  ])('refuses %j beside %s, writing nothing', async (fields, field, message) => {
    const res = await save(school, fields);
    expect(res).toHaveStatus(400);
    expect(res.data.fieldErrors[field]).toEqual([message]);
    // conform's reply, the form's lastResult: the same message beside the same field.
    expect(res.data.result.error).toEqual({ [field]: [message] });
    expect(res.data.values).toEqual(fields);
    expect(await stored()).toBeNull();
    expect(await events()).toBe(0);
  });

  it('saves valid bands with their event, and the member pages follow them', async () => {
    const res = await save(school, { goodMin: '70', averageMin: '55' });
    expect(res).toHaveStatus(302);
    expect(await stored()).toEqual({ goodMin: 70, averageMin: 55 });
    const event = (await AuditEvent.findOne({ entityId: school, action: 'unit.conduct_bands' }).lean())!;
    expect(event.details).toEqual({ before: null, after: { goodMin: 70, averageMin: 55 } });
    expect((await layout()).data.conductBands).toEqual({ goodMin: 70, averageMin: 55 });
    // Saving the same bands again writes no second event.
    expect((await save(school, { goodMin: '70', averageMin: '55' })).status).toBe(302);
    expect(await events()).toBe(1);
  });

  it('are only a school’s, and only for who may manage units', async () => {
    expect((await save(faculty, { goodMin: '70', averageMin: '55' })).status).toBe(400);
    expect((await save(school, { goodMin: '71', averageMin: '55' }, union)).status).toBe(403);
    expect(await stored()).toEqual({ goodMin: 70, averageMin: 55 });
  });

  it('leaves an audit log with no gaps', async () => {
    expect((await verifyAudit()).gaps).toEqual([]);
  });
});

/**
 * The audit log names people and units instead of showing their internal ids: actors,
 * the account or unit an event is about, and ids inside the details (members: […],
 * unitId, schoolId, a user's id), in the admin browser and in a member's history
 * export. An id outside the viewer's scope stays an id.
 */
import type { Types } from 'mongoose';
import mongoose from 'mongoose';
import { beforeAll, describe, expect, it } from 'vitest';
import { Member } from '../../models/member.ts';
import { Unit } from '../../models/unit.ts';
import { User } from '../../models/user.ts';
import { seedDatabase } from '../../seed/seed.server.ts';
import { loader as auditLoader } from '~/routes/admin.audit';
import { loader as historyLoader } from '~/routes/members.$id.history[.]csv';
import { appendAudit } from '~/utils/audit/audit.server';
import { signIn } from '../fixtures/auth.ts';
import { call, context, get } from '../fixtures/remix.ts';

interface Named {
  _id: Types.ObjectId;
  fullName: string;
  studentCode: string;
  schoolId: Types.ObjectId;
}

let admin: string;
let union: string;
let ours: Named;
let theirs: Named;
let pvd: { _id: Types.ObjectId; name: string };
let otherSchool: { _id: Types.ObjectId; name: string };
let unionUser: { _id: Types.ObjectId; name: string };

beforeAll(async () => {
  await seedDatabase({ members: 40, seed: 1, reset: true });
  [admin, union] = await Promise.all(['admin@demo.vn', 'doantruong.pvd@demo.vn'].map((e) => signIn(e)));
  pvd = (await Unit.findOne({ code: 'PVD' }).lean())!;
  ours = (await Member.findOne({ schoolId: pvd._id }).lean())! as Named;
  theirs = (await Member.findOne({ schoolId: mongoose.trusted({ $ne: pvd._id }) }).lean())! as Named;
  otherSchool = (await Unit.findById(theirs.schoolId).lean())!;
  unionUser = (await User.findOne({ email: 'doantruong.pvd@demo.vn' }).lean())!;
  await appendAudit({
    actorId: unionUser._id,
    action: 'pipeline.bulk',
    entity: 'Member',
    entityId: ours._id,
    unitId: pvd._id,
    details: {
      members: [ours._id, theirs._id],
      unitId: String(pvd._id),
      schoolId: otherSchool._id,
      userId: unionUser._id,
    },
  });
});

describe('ids in audit events', () => {
  it('read as names in the admin browser, with the actor and the account an event is about', async () => {
    await appendAudit({
      actorId: unionUser._id,
      action: 'user.update',
      entity: 'User',
      entityId: unionUser._id,
      unitId: pvd._id,
      details: { before: { unitId: otherSchool._id }, after: { unitId: pvd._id } },
    });
    const res = await call(auditLoader, get('/admin/audit', admin));
    expect(res.status).toBe(200);
    const bulk = res.data.rows.find((r: { action: string }) => r.action === 'pipeline.bulk');
    expect(bulk.actor).toBe(unionUser.name);
    const other: string = bulk.summary.other.join('\n');
    expect(other).toContain(
      `members: ${ours.fullName} (${ours.studentCode}), ${theirs.fullName} (${theirs.studentCode})`,
    );
    expect(other).toContain(`unitId: ${pvd.name}`);
    expect(other).toContain(`schoolId: ${otherSchool.name}`);
    expect(other).toContain(`userId: ${unionUser.name}`);
    expect(other).not.toMatch(/[0-9a-f]{24}/);

    const update = res.data.rows.find((r: { action: string }) => r.action === 'user.update');
    expect(update.subject).toBe(unionUser.name);
    expect(update.summary.changes).toEqual([{ field: 'unitId', before: otherSchool.name, after: pvd.name }]);
  });

  it("stay ids outside the viewer's scope (a school's history export)", async () => {
    const res = (await historyLoader({
      request: get(`/members/${ours._id}/history.csv`, union),
      params: { id: String(ours._id) },
      context: context(),
    })) as Response;
    expect(res.status).toBe(200);
    const text = await res.text();
    const line = text.split('\r\n').find((l) => l.includes(`${ours.fullName} (${ours.studentCode})`))!;
    expect(line).toBeDefined();
    // Our school and our member by name; the other school's member and the other school by id.
    expect(line).toContain(`unitId: ${pvd.name}`);
    expect(line).toContain(`members: ${ours.fullName} (${ours.studentCode}), ${String(theirs._id)}`);
    expect(line).toContain(`schoolId: ${String(otherSchool._id)}`);
    expect(line).not.toContain(theirs.fullName);
    expect(line).not.toContain(otherSchool.name);
  });
});

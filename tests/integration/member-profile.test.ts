/**
 * The member profile: scope in the query (another school's member and a malformed id
 * are both 404, for reading, editing and revealing), sensitive fields masked for
 * everyone, and the reveal allowed only with sensitive:read and always audited.
 */
import mongoose, { Types } from 'mongoose';
import { beforeAll, describe, expect, it } from 'vitest';
import { AuditEvent } from '../../models/audit-event.ts';
import { Member } from '../../models/member.ts';
import { Unit } from '../../models/unit.ts';
import { seedDatabase } from '../../seed/seed.server.ts';
import { loader as layoutLoader } from '~/routes/members.$id';
import { action as profileAction, loader as profileLoader } from '~/routes/members.$id._index';
import { action as editAction, loader as editLoader } from '~/routes/members.$id.edit';
import { signIn } from '../fixtures/auth.ts';
import { call, get, post } from '../fixtures/remix.ts';

let union: string;
let party: string;
let province: string;
let student: string;
let admin: string;
let ours: Types.ObjectId;
let theirs: Types.ObjectId;

beforeAll(async () => {
  await seedDatabase({ members: 60, seed: 1, reset: true });
  [union, party, province, student, admin] = await Promise.all(
    [
      'doantruong.pvd@demo.vn',
      'danguy.pvd@demo.vn',
      'tinhdoan@demo.vn',
      'sinhvien@demo.vn',
      'admin@demo.vn',
    ].map((e) => signIn(e)),
  );
  const pvd = (await Unit.findOne({ code: 'PVD' }).lean())!;
  const mine = (await Member.findOne({ schoolId: pvd._id }).lean())!;
  const other = (await Member.findOne({ schoolId: mongoose.trusted({ $ne: pvd._id }) }).lean())!;
  ours = mine._id;
  theirs = other._id;
  // Known sensitive values on our member.
  await Member.updateOne(
    { _id: ours },
    { $set: { ethnicity: 'Kinh', religion: 'Phật giáo', citizenId: '051205001234' } },
  );
});

const profile = (id: string, cookie: string) => call(profileLoader, get(`/members/${id}`, cookie), { id });
const reveal = (id: string, cookie: string) =>
  call(profileAction, post(`/members/${id}?index`, { intent: 'reveal' }, cookie), { id });

describe('reading a profile', () => {
  it('shows the member in scope with sensitive fields masked', async () => {
    const res = await profile(String(ours), union);
    expect(res).toHaveStatus(200);
    const m = res.data.member;
    expect(m.id).toBe(String(ours));
    expect(m.sensitive).toEqual({ ethnicity: true, religion: true, citizenId: '••••••••1234' });
    const text = JSON.stringify(res.data);
    expect(text).not.toContain('051205001234');
    expect(text).not.toContain('Phật giáo');
    expect(text).not.toContain('"Kinh"');
    expect(m.canReveal).toBe(true);
    expect(typeof m.daysInStage === 'number' || m.daysInStage === null).toBe(true);
  });

  it('masks for roles without sensitive:read too, and says they cannot reveal', async () => {
    const res = await profile(String(ours), province);
    expect(res).toHaveStatus(200);
    expect(res.data.member.sensitive.citizenId).toBe('••••••••1234');
    expect(res.data.member.canReveal).toBe(false);
  });

  it('answers 404 for another school’s member, in the layout, the profile and the editor', async () => {
    const id = String(theirs);
    expect((await call(layoutLoader, get(`/members/${id}`, union), { id })).status).toBe(404);
    expect((await profile(id, union)).status).toBe(404);
    expect((await call(editLoader, get(`/members/${id}/edit`, union), { id })).status).toBe(404);
    const before = await Member.findById(theirs).lean();
    const edit = await call(
      editAction,
      post(
        `/members/${id}/edit`,
        {
          intent: 'save',
          version: '0',
          fullName: 'Hacker',
          studentCode: 'X1',
          dateOfBirth: '2005-01-01',
          gender: 'male',
        },
        union,
      ),
      { id },
    );
    expect(edit).toHaveStatus(404);
    expect((await Member.findById(theirs).lean())!.fullName).toBe(before!.fullName);
  });

  it('answers 404 for ids that are not ObjectIds', async () => {
    for (const id of ['abc', '123', 'zzzzzzzzzzzzzzzzzzzzzzzz', '{"$ne":null}']) {
      expect((await profile(id, union)).status).toBe(404);
      expect((await call(layoutLoader, get(`/members/x`, union), { id })).status).toBe(404);
    }
    expect((await profile(String(new Types.ObjectId()), union)).status).toBe(404);
  });

  it('keeps students out (they have /me)', async () => {
    expect((await profile(String(ours), student)).status).toBe(403);
  });

  it('lets the admin read any school', async () => {
    expect((await profile(String(theirs), admin)).status).toBe(200);
  });
});

describe('revealing sensitive fields', () => {
  it('returns the values and writes an audit event naming the actor, member and fields', async () => {
    const before = await AuditEvent.countDocuments({ action: 'member.sensitive.reveal', entityId: ours });
    const res = await reveal(String(ours), union);
    expect(res).toHaveStatus(200);
    expect(res.data.revealed).toEqual({
      ethnicity: 'Kinh',
      religion: 'Phật giáo',
      citizenId: '051205001234',
    });
    const events = await AuditEvent.find({ action: 'member.sensitive.reveal', entityId: ours })
      .sort({ at: -1 })
      .lean();
    expect(events.length).toBe(before + 1);
    const event = events[0];
    expect(event.entity).toBe('Member');
    expect(event.details).toEqual({ fields: ['ethnicity', 'religion', 'citizenId'] });
    expect(event.at).toBeInstanceOf(Date);
    const unionUser = await (
      await import('../../models/user.ts')
    ).User.findOne({ email: 'doantruong.pvd@demo.vn' }).lean();
    expect(String(event.actorId)).toBe(String(unionUser!._id));
    // The log names fields, never values.
    expect(JSON.stringify(event)).not.toContain('051205001234');
  });

  it('logs every reveal, not just the first', async () => {
    const before = await AuditEvent.countDocuments({ action: 'member.sensitive.reveal', entityId: ours });
    await reveal(String(ours), party);
    await reveal(String(ours), party);
    expect(await AuditEvent.countDocuments({ action: 'member.sensitive.reveal', entityId: ours })).toBe(
      before + 2,
    );
  });

  it('refuses roles without sensitive:read and logs nothing', async () => {
    const before = await AuditEvent.countDocuments({ action: 'member.sensitive.reveal' });
    const res = await reveal(String(ours), province);
    expect(res).toHaveStatus(403);
    expect(JSON.stringify(res.data)).not.toContain('051205001234');
    expect(await AuditEvent.countDocuments({ action: 'member.sensitive.reveal' })).toBe(before);
  });

  it('answers 404 for another school’s member and for a bad id, and logs nothing', async () => {
    const before = await AuditEvent.countDocuments({ action: 'member.sensitive.reveal' });
    expect((await reveal(String(theirs), union)).status).toBe(404);
    expect((await reveal('not-an-id', union)).status).toBe(404);
    expect(await AuditEvent.countDocuments({ action: 'member.sensitive.reveal' })).toBe(before);
  });

  it('answers 400 to an unknown intent', async () => {
    const res = await call(profileAction, post(`/members/${ours}?index`, { intent: 'drop' }, union), {
      id: String(ours),
    });
    expect(res).toHaveStatus(400);
  });
});

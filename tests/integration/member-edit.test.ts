/**
 * Creating and editing members: one save action for new and edit, 400 with the
 * submission and per-field messages, 409 for a taken code and for a stale version
 * (nothing changed, values kept), and every sub-record kind added, edited and removed,
 * each change audited: the record and its event (with the member's version) in one
 * transaction, so an event that cannot be written leaves no change behind.
 */
import type { Types } from 'mongoose';
import mongoose from 'mongoose';
import { beforeAll, describe, expect, it } from 'vitest';
import { AuditEvent } from '../../models/audit-event.ts';
import { Member } from '../../models/member.ts';
import { Unit } from '../../models/unit.ts';
import { seedDatabase } from '../../seed/seed.server.ts';
import { action as editAction, loader as editLoader } from '~/routes/members.$id.edit';
import { action as newAction, loader as newLoader } from '~/routes/members.new';
import { verifyAudit } from '~/utils/audit/audit-verify.server';
import { signIn } from '../fixtures/auth.ts';
import { withRefusedAuditEvent } from '../fixtures/refuse-audit.ts';
import { call, get, post } from '../fixtures/remix.ts';

let union: string;
let party: string;
let admin: string;
let pvd: { _id: Types.ObjectId; ancestors: Types.ObjectId[] };
let branch: { _id: Types.ObjectId; ancestors: Types.ObjectId[] };
let foreignBranch: Types.ObjectId;

beforeAll(async () => {
  await seedDatabase({ members: 40, seed: 1, reset: true });
  [union, party, admin] = await Promise.all(
    ['doantruong.pvd@demo.vn', 'danguy.pvd@demo.vn', 'admin@demo.vn'].map((e) => signIn(e)),
  );
  pvd = (await Unit.findOne({ code: 'PVD' }).lean())!;
  branch = (await Unit.findOne({ kind: 'branch', ancestors: pvd._id, active: true }).lean())!;
  foreignBranch = (await Unit.findOne({
    kind: 'branch',
    ancestors: mongoose.trusted({ $ne: pvd._id }),
  }).lean())!._id;
});

const VALID = {
  intent: 'save',
  fullName: 'Nguyễn Thị Thu Hà',
  studentCode: 'TEST0001',
  dateOfBirth: '2005-03-04',
  gender: 'female',
  email: 'ha.ntt@example.vn',
  phone: '0905 123 456',
  unionJoinedAt: '2020-03-26',
  unionCardNumber: 'DV-001',
};

const create = (fields: Record<string, string>, cookie = union) =>
  call(newAction, post('/members/new', fields, cookie));
const edit = (id: Types.ObjectId | string, fields: Record<string, string>, cookie = union) =>
  call(editAction, post(`/members/${id}/edit`, fields, cookie), { id: String(id) });
const version = async (id: Types.ObjectId) => (await Member.findById(id).select({ __v: 1 }).lean())!.__v ?? 0;

async function newMember(code: string) {
  const res = await create({ ...VALID, studentCode: code, branchId: String(branch._id) });
  expect(res).toHaveStatus(302);
  return (await Member.findOne({ schoolId: pvd._id, studentCode: code }).lean())!._id;
}

describe('creating a member', () => {
  it('offers only the school’s branches', async () => {
    const res = await call(newLoader, get('/members/new', union));
    expect(res).toHaveStatus(200);
    expect(res.data.schools.map((s: { id: string }) => s.id)).toEqual([String(pvd._id)]);
    expect(res.data.branches.length).toBeGreaterThan(0);
    expect(res.data.branches.every((b: { schoolId: string }) => b.schoolId === String(pvd._id))).toBe(true);
  });

  it('creates with the school and branch ancestors, derived keys, an audit event, and redirects with a toast', async () => {
    const res = await create({
      ...VALID,
      branchId: String(branch._id),
      ethnicity: 'Kinh',
      citizenId: '051205009999',
    });
    expect(res).toHaveStatus(302);
    const m = (await Member.findOne({ schoolId: pvd._id, studentCode: 'TEST0001' })
      .select('+citizenId')
      .lean())!;
    expect(res.location).toBe(`/members/${m._id}?ok=memberCreated`);
    expect(m.fullName).toBe('Nguyễn Thị Thu Hà');
    expect(m.phone).toBe('0905123456');
    expect(m.dateOfBirth.toISOString()).toBe('2005-03-04T00:00:00.000Z');
    expect(m.ancestors.map(String)).toEqual([...branch.ancestors, branch._id].map(String));
    expect(m.searchKey).toContain('nguyen thi thu ha');
    expect(m.ethnicity).toBe('Kinh');
    expect(m.citizenId).toBe('051205009999');
    expect(m.pipeline.stage).toBe('member');
    const event = await AuditEvent.findOne({ action: 'member.create', entityId: m._id }).lean();
    expect(event).toBeTruthy();
    expect(JSON.stringify(event)).not.toContain('051205009999');
  });

  it('answers 400 with per-field messages and the submission, and writes nothing', async () => {
    const before = await Member.countDocuments();
    const res = await create({
      intent: 'save',
      fullName: 'Tên 123',
      studentCode: 'bad code!',
      dateOfBirth: '2005-02-31',
      gender: 'x',
      email: 'nope',
      phone: '12345',
      unionJoinedAt: '1940-01-01',
      citizenId: '12',
    });
    expect(res).toHaveStatus(400);
    expect(res.data.fieldErrors).toMatchObject({
      fullName: ['member.v.name'],
      studentCode: ['member.v.code'],
      dateOfBirth: ['validation.date'],
      gender: ['validation.invalidChoice'],
      email: ['validation.email'],
      phone: ['member.v.phone'],
      unionJoinedAt: ['member.v.dateRange'],
      citizenId: ['member.v.citizenId'],
    });
    expect(res.data.values).toMatchObject({ fullName: 'Tên 123', studentCode: 'bad code!' });
    expect(await Member.countDocuments()).toBe(before);
  });

  it('checks the join date against the birth date', async () => {
    const res = await create({ ...VALID, studentCode: 'TEST0002', unionJoinedAt: '2004-01-01' });
    expect(res).toHaveStatus(400);
    expect(res.data.fieldErrors.unionJoinedAt).toEqual(['member.v.joinBeforeBirth']);
  });

  it('refuses a branch of another school', async () => {
    const res = await create({ ...VALID, studentCode: 'TEST0003', branchId: String(foreignBranch) });
    expect(res).toHaveStatus(400);
    expect(res.data.fieldErrors.branchId).toEqual(['member.v.branch']);
    expect(await Member.exists({ studentCode: 'TEST0003' })).toBeNull();
  });

  it('answers 409 beside the field for a student code taken in the school', async () => {
    const before = await Member.countDocuments();
    const res = await create({ ...VALID, fullName: 'Người Khác' });
    expect(res).toHaveStatus(409);
    expect(res.data.fieldErrors.studentCode).toEqual(['member.v.codeTaken']);
    expect(res.data.values.fullName).toBe('Người Khác');
    expect(await Member.countDocuments()).toBe(before);
  });

  it("answers conform's reply for the editor: the schema's messages and its own checks beside their fields", async () => {
    const taken = await create({ ...VALID, fullName: 'Người Khác' });
    expect(taken.data.result).toMatchObject({
      status: 'error',
      error: { studentCode: ['member.v.codeTaken'] },
      initialValue: { fullName: 'Người Khác' },
    });
    const blank = await create({ ...VALID, fullName: '', studentCode: 'TEST0009', dateOfBirth: '' });
    expect(blank).toHaveStatus(400);
    expect(blank.data.result.error).toMatchObject({
      fullName: [expect.any(String)],
      dateOfBirth: [expect.any(String)],
    });
  });

  it('ignores sensitive fields from a role that may not write them', async () => {
    // school_party has sensitive:read but not member:write: refused outright.
    expect((await create({ ...VALID, studentCode: 'TEST0004' }, party)).status).toBe(403);
  });

  it('answers 400 to an unknown intent', async () => {
    expect((await create({ ...VALID, intent: 'drop' })).status).toBe(400);
  });
});

describe('editing a member', () => {
  it('loads the form with the version and masked sensitive hints only', async () => {
    const id = (await Member.findOne({ studentCode: 'TEST0001' }).lean())!._id;
    const res = await call(editLoader, get(`/members/${id}/edit`, union), { id: String(id) });
    expect(res).toHaveStatus(200);
    expect(res.data.member.version).toBe(await version(id));
    expect(res.data.member.sensitiveHints.citizenId).toBe('••••••••9999');
    expect(JSON.stringify(res.data)).not.toContain('051205009999');
  });

  it('saves a change with the current version, bumps it and audits the changed fields', async () => {
    const id = await newMember('EDIT0001');
    const v = await version(id);
    const res = await edit(id, {
      ...VALID,
      studentCode: 'EDIT0001',
      branchId: String(branch._id),
      phone: '0911222333',
      version: String(v),
    });
    expect(res).toRedirectTo(`/members/${id}`, { toast: 'memberSaved' });
    const m = (await Member.findById(id).lean())!;
    expect(m.phone).toBe('0911222333');
    expect(m.__v).toBe(v + 1);
    const event = await AuditEvent.findOne({ action: 'member.update', entityId: id }).lean();
    expect(event?.details).toMatchObject({ fields: ['phone'] });
  });

  it('keeps blank sensitive fields, clears them only when asked', async () => {
    const id = (await Member.findOne({ studentCode: 'TEST0001' }).lean())!._id;
    let v = await version(id);
    expect(
      (
        await edit(id, {
          ...VALID,
          branchId: String(branch._id),
          email: 'new@example.vn',
          version: String(v),
        })
      ).status,
    ).toBe(302);
    let m = (await Member.findById(id).select('+citizenId').lean())!;
    expect(m.citizenId).toBe('051205009999');
    expect(m.ethnicity).toBe('Kinh');
    v = await version(id);
    expect(
      (
        await edit(id, {
          ...VALID,
          branchId: String(branch._id),
          email: 'new@example.vn',
          clearEthnicity: 'on',
          version: String(v),
        })
      ).status,
    ).toBe(302);
    m = (await Member.findById(id).select('+citizenId').lean())!;
    expect(m.ethnicity).toBeUndefined();
    expect(m.citizenId).toBe('051205009999');
  });

  it('answers 409 to a stale version, changes nothing and returns the submitted values', async () => {
    const id = await newMember('EDIT0002');
    const v = await version(id);
    // Someone else saves first.
    expect(
      (await edit(id, { ...VALID, studentCode: 'EDIT0002', phone: '0900000001', version: String(v) }, admin))
        .status,
    ).toBe(302);
    const before = (await Member.findById(id).lean())!;
    const res = await edit(id, {
      ...VALID,
      studentCode: 'EDIT0002',
      fullName: 'Trần Văn Muộn',
      phone: '0900000002',
      version: String(v),
    });
    expect(res).toHaveStatus(409);
    expect(res.data.formError).toBe('member.conflict');
    expect(res.data.values).toMatchObject({ fullName: 'Trần Văn Muộn', phone: '0900000002' });
    const after = (await Member.findById(id).lean())!;
    expect(after.fullName).toBe(before.fullName);
    expect(after.phone).toBe('0900000001');
    expect(after.__v).toBe(before.__v);
  });

  it('answers 409 beside the code when renaming to a code taken in the school', async () => {
    const id = await newMember('EDIT0003');
    const res = await edit(id, { ...VALID, studentCode: 'EDIT0001', version: String(await version(id)) });
    expect(res).toHaveStatus(409);
    expect(res.data.fieldErrors.studentCode).toEqual(['member.v.codeTaken']);
    expect((await Member.findById(id).lean())!.studentCode).toBe('EDIT0003');
  });

  it('answers 400 without a version and to bad input, writing nothing', async () => {
    const id = await newMember('EDIT0004');
    const before = (await Member.findById(id).lean())!;
    expect((await edit(id, { ...VALID, studentCode: 'EDIT0004' })).status).toBe(400);
    const res = await edit(id, {
      ...VALID,
      studentCode: 'EDIT0004',
      fullName: '',
      version: String(before.__v),
    });
    expect(res).toHaveStatus(400);
    expect(res.data.fieldErrors.fullName).toEqual(['validation.required']);
    expect((await Member.findById(id).lean())!.updatedAt).toEqual(before.updatedAt);
  });
});

describe('sub-records', () => {
  let id: Types.ObjectId;
  beforeAll(async () => {
    id = await newMember('SUB0001');
  });
  const change = async (fields: Record<string, string>) =>
    edit(id, { ...fields, version: String(await version(id)) });
  const stored = async () => (await Member.findById(id).lean())!;

  it('adds, edits and removes an academic term, with the GPA checked against its scale', async () => {
    let res = await change({
      intent: 'term.save',
      key: '',
      year: '2024-2025',
      term: '1',
      scale: '4',
      gpa: '4,5',
      conductScore: '85',
    });
    expect(res).toHaveStatus(400);
    expect(res.data).toMatchObject({ record: 'term', key: '', fieldErrors: { gpa: ['member.v.gpa4'] } });
    expect((await stored()).academicTerms).toHaveLength(0);

    res = await change({
      intent: 'term.save',
      key: '',
      year: '2024-2025',
      term: '1',
      scale: '4',
      gpa: '3,45',
      conductScore: '85',
    });
    expect(res).toHaveStatus(302);
    expect(res.location).toContain(`/members/${id}/edit?ok=memberTermSaved`);
    expect((await stored()).academicTerms).toMatchObject([
      { year: '2024-2025', term: 1, scale: 4, gpa: 3.45, conductScore: 85 },
    ]);
    // The table's sort key moved with the new term (3.45/4 is giỏi: between 8 and 9 on 10).
    expect((await stored()).latestGpa10).toBeGreaterThan(8);
    expect((await stored()).latestGpa10).toBeLessThan(9);

    // One result per term.
    res = await change({ intent: 'term.save', key: '', year: '2024-2025', term: '1', scale: '10', gpa: '8' });
    expect(res).toHaveStatus(409);
    expect(res.data.fieldErrors.term).toEqual(['member.v.termTaken']);
    // The domain's refusal sits beside its field in the form's lastResult too.
    expect(res.data.result).toMatchObject({ status: 'error', error: { term: ['member.v.termTaken'] } });

    res = await change({
      intent: 'term.save',
      key: '2024-2025:1',
      year: '2024-2025',
      term: '2',
      scale: '10',
      gpa: '8.2',
      conductScore: '',
    });
    expect(res).toHaveStatus(302);
    expect((await stored()).academicTerms).toMatchObject([
      { year: '2024-2025', term: 2, scale: 10, gpa: 8.2 },
    ]);
    expect((await stored()).academicTerms[0].conductScore).toBeUndefined();

    res = await change({ intent: 'term.remove', key: '2024-2025:2' });
    expect(res).toHaveStatus(302);
    expect((await stored()).academicTerms).toHaveLength(0);
    expect(
      await AuditEvent.countDocuments({
        entityId: id,
        action: mongoose.trusted({ $in: ['member.term.add', 'member.term.update', 'member.term.remove'] }),
      }),
    ).toBe(3);
  });

  it('adds, edits and removes an award', async () => {
    let res = await change({ intent: 'award.save', key: '', title: '', kind: 'x', level: 'school' });
    expect(res).toHaveStatus(400);
    expect(res.data.fieldErrors).toMatchObject({
      title: ['validation.required'],
      kind: ['validation.invalidChoice'],
    });
    // The same, as conform's reply: the form's lastResult, every invalid field beside itself.
    expect(res.data.result).toMatchObject({
      status: 'error',
      error: { title: ['validation.required'], kind: ['validation.invalidChoice'] },
      initialValue: { kind: 'x', level: 'school' },
    });
    expect(res.data.result.error.level).toBeUndefined();

    res = await change({
      intent: 'award.save',
      key: '',
      title: 'Sinh viên 5 tốt',
      kind: 'title',
      level: 'province',
      date: '2025-05-19',
      decisionNo: '12/QĐ-TĐ',
      issuer: 'Tỉnh đoàn Quảng Ngãi',
    });
    expect(res).toHaveStatus(302);
    const award = (await stored()).awards[0];
    expect(award).toMatchObject({
      title: 'Sinh viên 5 tốt',
      kind: 'title',
      level: 'province',
      decisionNo: '12/QĐ-TĐ',
      verified: false,
    });

    res = await change({
      intent: 'award.save',
      key: String(award._id),
      title: 'Sinh viên 5 tốt cấp tỉnh',
      kind: 'title',
      level: 'province',
      verified: 'on',
    });
    expect(res).toHaveStatus(302);
    expect((await stored()).awards).toMatchObject([{ title: 'Sinh viên 5 tốt cấp tỉnh', verified: true }]);
    expect(String((await stored()).awards[0]._id)).toBe(String(award._id));

    res = await change({ intent: 'award.remove', key: String(award._id) });
    expect(res).toHaveStatus(302);
    expect((await stored()).awards).toHaveLength(0);
  });

  it('adds, edits and removes an activity, with end ≥ start and the verifier recorded', async () => {
    let res = await change({
      intent: 'activity.save',
      key: '',
      campaign: 'Mùa hè xanh',
      startDate: '2025-07-10',
      endDate: '2025-07-01',
      days: '1.5',
    });
    expect(res).toHaveStatus(400);
    expect(res.data.fieldErrors).toMatchObject({
      endDate: ['validation.dateOrder'],
      days: ['member.v.days'],
    });

    res = await change({
      intent: 'activity.save',
      key: '',
      campaign: 'Mùa hè xanh',
      role: 'Đội viên',
      days: '20',
      startDate: '2025-07-01',
      endDate: '2025-07-20',
      verified: 'on',
    });
    expect(res).toHaveStatus(302);
    const activity = (await stored()).activities[0];
    expect(activity).toMatchObject({ campaign: 'Mùa hè xanh', days: 20 });
    expect(activity.verifiedBy).toBeTruthy();
    expect(activity.verifiedAt).toBeInstanceOf(Date);

    res = await change({
      intent: 'activity.save',
      key: String(activity._id),
      campaign: 'Mùa hè xanh 2025',
      days: '21',
    });
    expect(res).toHaveStatus(302);
    const edited = (await stored()).activities[0];
    expect(edited).toMatchObject({ campaign: 'Mùa hè xanh 2025', days: 21, verifiedBy: null });

    res = await change({ intent: 'activity.remove', key: String(activity._id) });
    expect(res).toHaveStatus(302);
    expect((await stored()).activities).toHaveLength(0);
  });

  it('adds, edits and removes a yearly Union rating, one per year', async () => {
    let res = await change({ intent: 'rating.save', key: '', year: '2024-2026', level: 'good' });
    expect(res).toHaveStatus(400);
    expect(res.data.fieldErrors.year).toEqual(['member.v.schoolYear']);

    expect((await change({ intent: 'rating.save', key: '', year: '2023-2024', level: 'good' })).status).toBe(
      302,
    );
    expect(
      (await change({ intent: 'rating.save', key: '', year: '2024-2025', level: 'excellent' })).status,
    ).toBe(302);
    res = await change({ intent: 'rating.save', key: '', year: '2024-2025', level: 'good' });
    expect(res).toHaveStatus(409);
    expect(res.data.fieldErrors.year).toEqual(['member.v.ratingTaken']);

    expect(
      (await change({ intent: 'rating.save', key: '2023-2024', year: '2023-2024', level: 'complete' }))
        .status,
    ).toBe(302);
    expect((await stored()).unionRatings).toEqual([
      { year: '2023-2024', level: 'complete' },
      { year: '2024-2025', level: 'excellent' },
    ]);
    expect((await change({ intent: 'rating.remove', key: '2023-2024' })).status).toBe(302);
    expect((await stored()).unionRatings).toEqual([{ year: '2024-2025', level: 'excellent' }]);
  });

  it('answers 409 to a sub-record change on a stale version, writing nothing', async () => {
    const v = await version(id);
    expect(
      (
        await edit(id, {
          intent: 'rating.save',
          key: '',
          year: '2022-2023',
          level: 'good',
          version: String(v),
        })
      ).status,
    ).toBe(302);
    const res = await edit(id, {
      intent: 'award.save',
      key: '',
      title: 'Giấy khen',
      kind: 'giay_khen',
      level: 'school',
      version: String(v),
    });
    expect(res).toHaveStatus(409);
    expect(res.data).toMatchObject({
      record: 'award',
      formError: 'member.conflict',
      values: { title: 'Giấy khen' },
      result: { status: 'error', error: { '': ['member.conflict'] } },
    });
    expect((await stored()).awards).toHaveLength(0);
  });

  it('answers 400 to an unknown intent', async () => {
    expect((await change({ intent: 'term.explode', key: '' })).status).toBe(400);
    expect((await change({ intent: 'whatever' })).status).toBe(400);
  });
});

describe('one save, one transaction, with its event', () => {
  /** The versions the member's events record, in chain order. */
  const versionsOf = async (id: Types.ObjectId) =>
    (await AuditEvent.find({ entity: 'Member', entityId: id }).sort({ seq: 1 }).lean()).map(
      (e) => (e.details as { version?: unknown } | null)?.version,
    );

  it('records the creation as version 0 and each change with the version it made', async () => {
    const id = await newMember('AUD0001');
    expect(await versionsOf(id)).toEqual([0]);
    const v = await version(id);
    expect(
      (await edit(id, { ...VALID, studentCode: 'AUD0001', phone: '0912000001', version: String(v) })).status,
    ).toBe(302);
    expect(
      (
        await edit(id, {
          intent: 'rating.save',
          key: '',
          year: '2024-2025',
          level: 'good',
          version: String(v + 1),
        })
      ).status,
    ).toBe(302);
    expect(await version(id)).toBe(v + 2);
    expect(await versionsOf(id)).toEqual([0, v + 1, v + 2]);
    const report = await verifyAudit();
    expect(report.gaps).toEqual([]);
    expect(report.problem).toBeNull();
  });

  it('writes no member when its creation event cannot be written', async () => {
    const before = await Member.countDocuments();
    await withRefusedAuditEvent({ action: 'member.create', unitId: pvd._id }, async () => {
      await expect(
        create({ ...VALID, studentCode: 'ATOM0001', branchId: String(branch._id) }),
      ).rejects.toMatchObject({
        code: 11000,
      });
    });
    expect(await Member.countDocuments()).toBe(before);
    expect(await Member.exists({ schoolId: pvd._id, studentCode: 'ATOM0001' })).toBeNull();
    // Nothing of it is left behind: the code is free and the member can be created at once.
    expect(await versionsOf(await newMember('ATOM0001'))).toEqual([0]);
  });

  it('leaves the record as it was when the event of an edit cannot be written', async () => {
    const id = await newMember('ATOM0002');
    const before = (await Member.findById(id).lean())!;
    await withRefusedAuditEvent({ action: 'member.update', entityId: id }, async () => {
      await expect(
        edit(id, { ...VALID, studentCode: 'ATOM0002', phone: '0912000002', version: String(before.__v) }),
      ).rejects.toMatchObject({ code: 11000 });
    });
    const after = (await Member.findById(id).lean())!;
    expect(after.phone).toBe(before.phone);
    expect(after.__v).toBe(before.__v);
    expect(await versionsOf(id)).toEqual([0]);
  });

  it('leaves the record as it was when the event of a sub-record change cannot be written', async () => {
    const id = await newMember('ATOM0003');
    const before = (await Member.findById(id).lean())!;
    await withRefusedAuditEvent({ action: 'member.award.add', entityId: id }, async () => {
      await expect(
        edit(id, {
          intent: 'award.save',
          key: '',
          title: 'Giấy khen',
          kind: 'giay_khen',
          level: 'school',
          version: String(before.__v),
        }),
      ).rejects.toMatchObject({ code: 11000 });
    });
    const after = (await Member.findById(id).lean())!;
    expect(after.awards).toHaveLength(0);
    expect(after.__v).toBe(before.__v);
    expect(await versionsOf(id)).toEqual([0]);
    expect((await verifyAudit()).gaps).toEqual([]);
  });
});

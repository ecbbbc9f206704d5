import mongoose, { Types } from 'mongoose';
import { beforeAll, describe, expect, it } from 'vitest';
import { AuditEvent } from '../../models/audit-event.ts';
import { Member } from '../../models/member.ts';
import { Unit } from '../../models/unit.ts';
import { seedDatabase } from '../../seed/seed.server.ts';
import { action as editAction, loader as editLoader } from '~/routes/admin.units.$id';
import { loader as listLoader } from '~/routes/admin.units._index';
import { action as newAction, loader as newLoader } from '~/routes/admin.units.new';
import { verifyAudit } from '~/utils/audit/audit-verify.server';
import { signIn } from '../fixtures/auth.ts';
import { withRefusedAuditEvent } from '../fixtures/refuse-audit.ts';
import { call, get, post } from '../fixtures/remix.ts';

let admin: string;
let pvd: { _id: Types.ObjectId; ancestors: Types.ObjectId[]; schoolKind?: string | null };

beforeAll(async () => {
  await seedDatabase({ members: 20, seed: 1, reset: true });
  admin = await signIn('admin@demo.vn');
  pvd = (await Unit.findOne({ code: 'PVD' }).lean())!;
});

const createUnit = (fields: Record<string, string>, cookie = admin) =>
  call(newAction, post('/admin/units/new', fields, cookie));

const editUnit = (id: Types.ObjectId | string, fields: Record<string, string>, cookie = admin) =>
  call(editAction, post(`/admin/units/${id}`, fields, cookie), { id: String(id) });

describe('creating a unit', () => {
  it('computes ancestors, schoolId and schoolKind from the parent and redirects with a toast', async () => {
    const res = await createUnit({
      name: 'Chi đoàn K46 Tin học',
      code: 'PVD-K46TH',
      kind: 'branch',
      parentId: String(pvd._id),
    });
    expect(res).toHaveStatus(302);
    const created = (await Unit.findOne({ code: 'PVD-K46TH' }).lean())!;
    expect(res.location).toBe(`/admin/units/${created._id}?ok=unitCreated`);
    expect(created.ancestors.map(String)).toEqual([...pvd.ancestors, pvd._id].map(String));
    expect(String(created.schoolId)).toBe(String(pvd._id));
    expect(created.schoolKind).toBe(pvd.schoolKind);
    expect(created.parentId?.equals(pvd._id)).toBe(true);
    expect(created.active).toBe(true);
  });

  it('makes a school its own schoolId', async () => {
    const province = pvd.ancestors[0];
    const res = await createUnit({
      name: 'Trường THPT Thử Nghiệm',
      code: 'THPT-TN',
      kind: 'school',
      schoolKind: 'high_school',
      parentId: String(province),
    });
    expect(res).toHaveStatus(302);
    const school = (await Unit.findOne({ code: 'THPT-TN' }).lean())!;
    expect(String(school.schoolId)).toBe(String(school._id));
    expect(school.ancestors.map(String)).toEqual([String(province)]);
  });

  it('answers bad input with 400, the submission and per-field messages, and writes nothing', async () => {
    const before = await Unit.countDocuments();
    const res = await createUnit({
      name: '',
      code: 'bad code!',
      kind: 'school',
      parentId: 'xyz',
      validFrom: '2025-13-45',
    });
    expect(res).toHaveStatus(400);
    expect(res.data.fieldErrors).toMatchObject({
      name: ['validation.required'],
      code: ['validation.codeFormat'],
      parentId: ['validation.parentInvalid'],
      validFrom: ['validation.date'],
    });
    expect(res.data.values).toMatchObject({ code: 'bad code!', kind: 'school' });
    expect(await Unit.countDocuments()).toBe(before);
  });

  it('checks cross-field rules: school kind, parent, date order', async () => {
    const res = await createUnit({
      name: 'X',
      code: 'X1',
      kind: 'school',
      validFrom: '2025-09-01',
      validTo: '2025-01-01',
    });
    expect(res).toHaveStatus(400);
    expect(res.data.fieldErrors).toMatchObject({
      schoolKind: ['validation.schoolKindRequired'],
      parentId: ['validation.parentRequired'],
      validTo: ['validation.dateOrder'],
    });
  });

  it('puts a taken code beside the code field (409) and writes nothing', async () => {
    const before = await Unit.countDocuments();
    const res = await createUnit({
      name: 'Trùng mã',
      code: 'PVD',
      kind: 'faculty',
      parentId: String(pvd._id),
    });
    expect(res).toHaveStatus(409);
    expect(res.data.fieldErrors).toEqual({ code: ['validation.codeTaken'] });
    expect(await Unit.countDocuments()).toBe(before);
  });

  it('refuses a parent of the wrong kind', async () => {
    const branch = (await Unit.findOne({ kind: 'branch', ancestors: pvd._id }).lean())!;
    const res = await createUnit({
      name: 'Khoa lạ',
      code: 'KHOA-LA',
      kind: 'faculty',
      parentId: String(branch._id),
    });
    expect(res).toHaveStatus(400);
    expect(res.data.fieldErrors).toEqual({ parentId: ['validation.parentInvalid'] });
    expect(await Unit.exists({ code: 'KHOA-LA' })).toBeNull();
  });

  it('is for admins only', async () => {
    const province = await signIn('tinhdoan@demo.vn');
    expect((await call(newLoader, get('/admin/units/new', province))).status).toBe(403);
    const res = await createUnit(
      { name: 'Y', code: 'Y1', kind: 'faculty', parentId: String(pvd._id) },
      province,
    );
    expect(res).toHaveStatus(403);
    expect(await Unit.exists({ code: 'Y1' })).toBeNull();
  });
});

describe('editing a unit', () => {
  it('saves changes and keeps the kind fixed', async () => {
    const faculty =
      (await Unit.findOne({ kind: 'faculty', ancestors: pvd._id }).lean()) ??
      (await Unit.create({
        name: 'Khoa Thử',
        code: 'PVD-KT',
        kind: 'faculty',
        parentId: pvd._id,
        ancestors: [...pvd.ancestors, pvd._id],
        schoolId: pvd._id,
      }));
    const res = await editUnit(faculty._id, {
      intent: 'save',
      name: 'Liên chi đoàn Khoa Mới',
      shortName: 'LCĐ Mới',
      code: faculty.code,
      kind: 'school', // forged: ignored
      parentId: String(pvd._id),
      legacyNote: 'Đổi tên 2026',
    });
    expect(res).toRedirectTo(`/admin/units/${faculty._id}`, { toast: 'unitSaved' });
    const saved = (await Unit.findById(faculty._id).lean())!;
    expect(saved.name).toBe('Liên chi đoàn Khoa Mới');
    expect(saved.shortName).toBe('LCĐ Mới');
    expect(saved.kind).toBe('faculty');
    expect(saved.legacyNote).toBe('Đổi tên 2026');
  });

  it('refuses to move a unit that has members or sub-units', async () => {
    const branch = (await Unit.findOne({ kind: 'branch', ancestors: pvd._id }).lean())!;
    const otherSchool = (await Unit.findOne({
      kind: 'school',
      active: true,
      _id: mongoose.trusted({ $ne: pvd._id }),
    }).lean())!;
    const res = await editUnit(pvd._id, {
      intent: 'save',
      name: 'Trường Đại học Phạm Văn Đồng',
      code: 'PVD',
      kind: 'school',
      schoolKind: 'university',
      parentId: String(otherSchool._id),
    });
    // A school may only sit under a province: rejected before the move check.
    expect(res).toHaveStatus(400);
    const moveBranch = await editUnit(branch._id, {
      intent: 'save',
      name: branch.name,
      code: branch.code,
      kind: 'branch',
      parentId: String(otherSchool._id),
    });
    expect(moveBranch).toHaveStatus(400);
    expect(moveBranch.data.fieldErrors.parentId).toBeDefined();
    expect((await Unit.findById(branch._id).lean())!.parentId?.equals(branch.parentId!)).toBe(true);
  });

  it('deactivates and reactivates, never deletes', async () => {
    const unit = (await Unit.findOne({ code: 'PVD-K46TH' }).lean())!;
    const off = await editUnit(unit._id, { intent: 'deactivate' });
    expect(off.location).toBe(`/admin/units/${unit._id}?ok=unitDeactivated`);
    const inactive = (await Unit.findById(unit._id).lean())!;
    expect(inactive.active).toBe(false);
    expect(inactive.validTo).toBeInstanceOf(Date);

    const list = await call(listLoader, get('/admin/units?status=inactive&q=k46 tin hoc', admin));
    expect(list.data.rows.map((r: { id: string }) => r.id)).toContain(String(unit._id));

    const on = await editUnit(unit._id, { intent: 'activate' });
    expect(on.location).toBe(`/admin/units/${unit._id}?ok=unitActivated`);
    expect((await Unit.findById(unit._id).lean())!.active).toBe(true);
  });

  it('rejects an unknown intent with 400 and a bad id with 404', async () => {
    expect((await editUnit(pvd._id, { intent: 'delete' })).status).toBe(400);
    expect((await editUnit('nope', { intent: 'save' })).status).toBe(404);
    expect(
      (
        await call(editLoader, get(`/admin/units/${new Types.ObjectId()}`, admin), {
          id: String(new Types.ObjectId()),
        })
      ).status,
    ).toBe(404);
  });

  it('searches without diacritics', async () => {
    const res = await call(listLoader, get('/admin/units?q=pham+van+dong&kind=school', admin));
    expect(res.data.rows.map((r: { name: string }) => r.name)).toEqual(['Trường Đại học Phạm Văn Đồng']);
  });
});

describe('one action, one transaction, with its event', () => {
  const eventsOf = (id: Types.ObjectId) =>
    AuditEvent.find({ entity: 'Unit', entityId: id }).sort({ seq: 1 }).lean();
  /** The edit form as the page renders it, with some fields changed. */
  const formOf = async (id: Types.ObjectId, changes: Record<string, string>) => {
    const res = await call(editLoader, get(`/admin/units/${id}`, admin), { id: String(id) });
    return { intent: 'save', ...(res.data.unit.values as Record<string, string>), ...changes };
  };

  it('records creation, edit and (de)activation in the unit’s own chain', async () => {
    const res = await createUnit({
      name: 'Liên chi đoàn Nhật Ký',
      code: 'PVD-NK',
      kind: 'faculty',
      parentId: String(pvd._id),
    });
    expect(res).toHaveStatus(302);
    const unit = (await Unit.findOne({ code: 'PVD-NK' }).lean())!;
    expect((await editUnit(unit._id, await formOf(unit._id, { name: 'LCĐ Nhật Ký (mới)' }))).status).toBe(
      302,
    );
    // Saving the form unchanged writes nothing, and records nothing.
    expect((await editUnit(unit._id, await formOf(unit._id, {}))).status).toBe(302);
    expect((await editUnit(unit._id, { intent: 'deactivate' })).status).toBe(302);
    expect((await editUnit(unit._id, { intent: 'activate' })).status).toBe(302);

    const events = await eventsOf(unit._id);
    expect(events.map((e) => [e.action, e.seq, e.chain, String(e.unitId)])).toEqual(
      ['unit.create', 'unit.update', 'unit.deactivate', 'unit.activate'].map((a, i) => [
        a,
        i + 1,
        `Unit:${unit._id}`,
        String(unit._id),
      ]),
    );
    expect(events[0].details).toMatchObject({
      after: { name: 'Liên chi đoàn Nhật Ký', code: 'PVD-NK', kind: 'faculty', schoolId: pvd._id },
    });
    expect(events[1].details).toEqual({
      fields: ['name'],
      before: { name: 'Liên chi đoàn Nhật Ký' },
      after: { name: 'LCĐ Nhật Ký (mới)' },
    });
    expect(events[2].details).toEqual({ before: { active: true }, after: { active: false } });
  });

  it('changes a school’s kind with its units and members, or nothing of it when it cannot be recorded', async () => {
    const kinds = async () => ({
      school: (await Unit.findById(pvd._id).lean())!.schoolKind,
      units: (await Unit.distinct('schoolKind', { ancestors: pvd._id })).sort(),
      members: (await Member.distinct('schoolKind', { schoolId: pvd._id })).sort(),
    });
    const versions = async () =>
      (await Member.find({ schoolId: pvd._id }).select({ __v: 1 }).sort({ _id: 1 }).lean()).map((m) => m.__v);
    const before = await kinds();
    expect(before).toEqual({ school: 'university', units: ['university'], members: ['university'] });
    const memberVersions = await versions();
    const form = await formOf(pvd._id, { schoolKind: 'college' });

    await withRefusedAuditEvent({ action: 'unit.update', entityId: pvd._id }, async () => {
      await expect(editUnit(pvd._id, form)).rejects.toMatchObject({ code: 11000 });
    });
    // The copies were written before the event: they went back with it.
    expect(await kinds()).toEqual(before);

    expect((await editUnit(pvd._id, form)).status).toBe(302);
    expect(await kinds()).toEqual({ school: 'college', units: ['college'], members: ['college'] });
    const event = (await eventsOf(pvd._id)).at(-1)!;
    expect(event.details).toMatchObject({
      fields: ['schoolKind'],
      before: { schoolKind: 'university' },
      after: { schoolKind: 'college' },
      copies: {
        units: await Unit.countDocuments({ ancestors: pvd._id }),
        members: await Member.countDocuments({ schoolId: pvd._id }),
      },
    });
    // A derived copy: members keep their versions, and no member event is due.
    expect(await versions()).toEqual(memberVersions);
    expect((await editUnit(pvd._id, await formOf(pvd._id, { schoolKind: 'university' }))).status).toBe(302);
    expect(await kinds()).toEqual(before);
  });

  it('keeps a unit active when its deactivation cannot be recorded, and creates none unrecorded', async () => {
    const unit = (await Unit.findOne({ code: 'PVD-NK' }).lean())!;
    await withRefusedAuditEvent({ action: 'unit.deactivate', entityId: unit._id }, async () => {
      await expect(editUnit(unit._id, { intent: 'deactivate' })).rejects.toMatchObject({ code: 11000 });
    });
    expect(await Unit.findById(unit._id).lean()).toEqual(unit);

    await withRefusedAuditEvent({ action: 'unit.create' }, async () => {
      await expect(
        createUnit({ name: 'Chi đoàn Không Ghi', code: 'PVD-KG', kind: 'branch', parentId: String(pvd._id) }),
      ).rejects.toMatchObject({ code: 11000 });
    });
    expect(await Unit.exists({ code: 'PVD-KG' })).toBeNull();

    const report = await verifyAudit();
    expect(report.problem).toBeNull();
    expect(report.gaps).toEqual([]);
    expect(report.unchained).toBe(0);
  });
});

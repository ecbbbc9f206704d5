import mongoose, { Types } from 'mongoose';
import { beforeAll, describe, expect, it } from 'vitest';
import { Member } from '../../models/member.ts';
import { Unit } from '../../models/unit.ts';
import { seedDatabase } from '../../seed/seed.server.ts';
import { action as unitAction, loader as unitLoader } from '~/routes/admin.units.$id';
import { loader as unitsLoader } from '~/routes/admin.units._index';
import { loader as usersLoader } from '~/routes/admin.users._index';
import { loader as provinceLoader } from '~/routes/province._index';
import { loader as schoolLoader } from '~/routes/school._index';
import { loader as meLoader } from '~/routes/me._index';
import { getOptionalUser } from '~/utils/auth/auth.server';
import { scopeFilter, unitScopeFilter } from '~/utils/auth/permissions.server';
import { signIn } from '../fixtures/auth.ts';
import { call, get, post } from '../fixtures/remix.ts';

let pvd: { _id: Types.ObjectId; ancestors: Types.ObjectId[] };
let otherSchool: { _id: Types.ObjectId; name: string };
let pvdBranch: { _id: Types.ObjectId };
let schoolUnion: string;

beforeAll(async () => {
  await seedDatabase({ members: 60, seed: 1, reset: true });
  pvd = (await Unit.findOne({ code: 'PVD' }).lean())!;
  // Another active school of the same province (the legacy Kon Tum schools sit under another root).
  otherSchool = (await Unit.findOne({
    kind: 'school',
    active: true,
    ancestors: pvd.ancestors[0],
    _id: mongoose.trusted({ $ne: pvd._id }),
  }).lean())!;
  pvdBranch = (await Unit.findOne({ kind: 'branch', ancestors: pvd._id }).lean())!;
  schoolUnion = await signIn('doantruong.pvd@demo.vn');
});

describe('school_union of Phạm Văn Đồng', () => {
  it('gets a 404 for another school unit page, the same as for a unit that does not exist', async () => {
    const other = await call(unitLoader, get(`/admin/units/${otherSchool._id}`, schoolUnion), {
      id: String(otherSchool._id),
    });
    const missing = await call(unitLoader, get(`/admin/units/${new Types.ObjectId()}`, schoolUnion), {
      id: String(new Types.ObjectId()),
    });
    expect(other).toHaveStatus(404);
    expect(missing).toHaveStatus(404);
    expect(JSON.stringify(other.data)).not.toContain(otherSchool.name);
  });

  it('may read, but not change, units of its own school', async () => {
    const own = await call(unitLoader, get(`/admin/units/${pvdBranch._id}`, schoolUnion), {
      id: String(pvdBranch._id),
    });
    expect(own).toHaveStatus(200);
    expect(own.data.canManage).toBe(false);
    const edit = await call(
      unitAction,
      post(`/admin/units/${pvdBranch._id}`, { intent: 'deactivate' }, schoolUnion),
      { id: String(pvdBranch._id) },
    );
    expect(edit).toHaveStatus(403);
    expect((await Unit.findById(pvdBranch._id).lean())!.active).toBe(true);
  });

  it('sees only its school in the unit list', async () => {
    const res = await call(unitsLoader, get('/admin/units?status=all&page=1', schoolUnion));
    expect(res).toHaveStatus(200);
    const expected = await Unit.countDocuments({ $or: [{ _id: pvd._id }, { ancestors: pvd._id }] });
    expect(res.data.rowCount).toBe(expected);
    const ids = new Set(
      (
        await Unit.find({ $or: [{ _id: pvd._id }, { ancestors: pvd._id }] })
          .select({ _id: 1 })
          .lean()
      ).map((u) => String(u._id)),
    );
    expect(res.data.rows).not.toHaveLength(0);
    for (const row of res.data.rows) expect(ids.has(row.id)).toBe(true);
  });

  it('is refused the admin-only and province pages', async () => {
    expect((await call(usersLoader, get('/admin/users', schoolUnion))).status).toBe(403);
    expect((await call(provinceLoader, get('/province', schoolUnion))).status).toBe(403);
    expect((await call(meLoader, get('/me', schoolUnion))).status).toBe(403);
  });

  it('counts only members of its school on its home page', async () => {
    const res = await call(schoolLoader, get('/school', schoolUnion));
    expect(res).toHaveStatus(200);
    expect(res.data.summary.memberTotal).toBe(await Member.countDocuments({ schoolId: pvd._id }));
    expect(res.data.summary.scopeName).toBe('Trường Đại học Phạm Văn Đồng');
  });

  it('a bad id is a 404, not a cast error', async () => {
    expect(
      (await call(unitLoader, get('/admin/units/not-an-id', schoolUnion), { id: 'not-an-id' })).status,
    ).toBe(404);
  });
});

describe('scopeFilter goes inside the query', () => {
  it('limits units and members to the scope', async () => {
    const user = (await getOptionalUser(get('/', schoolUnion)))!;
    const units = await Unit.find({ ...unitScopeFilter(user) })
      .select({ _id: 1, ancestors: 1 })
      .lean();
    expect(units.length).toBeGreaterThan(1);
    for (const u of units)
      expect(u._id.equals(pvd._id) || u.ancestors.some((a) => a.equals(pvd._id))).toBe(true);
    // The other school is simply not found with the filter in the query.
    expect(await Unit.findOne({ _id: otherSchool._id, ...unitScopeFilter(user) }).lean()).toBeNull();

    const members = await Member.find(scopeFilter(user)).select({ schoolId: 1 }).lean();
    expect(members.length).toBe(await Member.countDocuments({ schoolId: pvd._id }));
    for (const m of members) expect(m.schoolId.equals(pvd._id)).toBe(true);
  });

  it('gives a student only their own record and admins everything', async () => {
    const student = (await getOptionalUser(get('/', await signIn('sinhvien@demo.vn'))))!;
    const mine = await Member.find(scopeFilter(student)).select({ _id: 1 }).lean();
    expect(mine.map((m) => String(m._id))).toEqual([student.memberId]);
    expect(await Unit.countDocuments(unitScopeFilter(student))).toBe(0);

    const admin = (await getOptionalUser(get('/', await signIn('admin@demo.vn'))))!;
    expect(await Member.countDocuments(scopeFilter(admin))).toBe(await Member.countDocuments());
  });

  it('gives the province union its whole province', async () => {
    const province = (await getOptionalUser(get('/', await signIn('tinhdoan@demo.vn'))))!;
    const res = await call(unitLoader, get(`/admin/units/${otherSchool._id}`), {
      id: String(otherSchool._id),
    });
    expect(res).toHaveStatus(302); // anonymous: to /login
    const cookie = await signIn('tinhdoan@demo.vn');
    const seen = await call(unitLoader, get(`/admin/units/${otherSchool._id}`, cookie), {
      id: String(otherSchool._id),
    });
    expect(seen).toHaveStatus(200);
    expect(seen.data.canManage).toBe(false);
    expect(await Member.countDocuments(scopeFilter(province))).toBe(
      await Member.countDocuments({ ancestors: new Types.ObjectId(province.unitId) }),
    );
  });

  it('keeps a legacy province (another root) out of the province union scope, not out of the admin one', async () => {
    const legacy = (await Unit.findOne({ kind: 'province', active: false }).lean())!;
    expect(legacy).toBeTruthy();
    const id = String(legacy._id);
    expect(
      (await call(unitLoader, get(`/admin/units/${id}`, await signIn('tinhdoan@demo.vn')), { id })).status,
    ).toBe(404);
    expect(
      (await call(unitLoader, get(`/admin/units/${id}`, await signIn('admin@demo.vn')), { id })).status,
    ).toBe(200);
  });
});

import mongoose, { type Types } from 'mongoose';
import { beforeAll, describe, expect, it } from 'vitest';
import { Member } from '../../models/member.ts';
import { Password } from '../../models/password.ts';
import { Session } from '../../models/session.ts';
import { Unit } from '../../models/unit.ts';
import { User } from '../../models/user.ts';
import { seedDatabase } from '../../seed/seed.server.ts';
import { action as editAction, loader as editLoader } from '~/routes/admin.users.$id';
import { loader as listLoader } from '~/routes/admin.users._index';
import { action as newAction } from '~/routes/admin.users.new';
import { loader as healthLoader } from '~/routes/healthz';
import { getOptionalUser } from '~/utils/auth.server';
import { verifyPassword } from '~/utils/password.server';
import { signIn } from '../fixtures/auth.ts';
import { call, get, post } from '../fixtures/remix.ts';

let admin: string;
let pvd: { _id: Types.ObjectId };
let province: { _id: Types.ObjectId };

beforeAll(async () => {
  await seedDatabase({ members: 30, seed: 1, reset: true });
  admin = await signIn('admin@demo.vn');
  pvd = (await Unit.findOne({ code: 'PVD' }).lean())!;
  province = (await Unit.findOne({ kind: 'province', active: true }).lean())!;
});

const create = (fields: Record<string, string>) => call(newAction, post('/admin/users/new', fields, admin));
const edit = (id: string, fields: Record<string, string>, cookie = admin) =>
  call(editAction, post(`/admin/users/${id}`, fields, cookie), { id });

describe('account administration', () => {
  it('creates a staff account with a hashed password, apart from the user document', async () => {
    const res = await create({
      email: 'Can.Bo@Demo.vn',
      name: 'Cán bộ Đoàn trường',
      role: 'school_union',
      unitId: String(pvd._id),
      password: 'mat-khau-123',
    });
    expect(res.status).toBe(302);
    const user = (await User.findOne({ email: 'can.bo@demo.vn' }).lean())!;
    expect(res.location).toBe(`/admin/users/${user._id}?ok=userCreated`);
    const stored = (await Password.findOne({ userId: user._id }).lean())!;
    expect(await verifyPassword('mat-khau-123', stored.hash)).toBe(true);
    expect(JSON.stringify(user)).not.toContain('scrypt');
  });

  it('puts a taken email beside the email field and never echoes the password', async () => {
    const before = await User.countDocuments();
    const res = await create({
      email: 'admin@demo.vn',
      name: 'X',
      role: 'admin',
      unitId: String(province._id),
      password: 'abcdefgh',
    });
    expect(res.status).toBe(409);
    expect(res.data.fieldErrors).toEqual({ email: ['validation.emailTaken'] });
    expect(res.data.values.password).toBeUndefined();
    expect(await User.countDocuments()).toBe(before);
  });

  it('validates fields and the role/unit fit', async () => {
    const bad = await create({ email: 'x', name: '', role: 'king', unitId: '', password: 'short' });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.data.fieldErrors).sort()).toEqual(['email', 'name', 'password', 'role', 'unitId']);
    const misfit = await create({
      email: 'p@demo.vn',
      name: 'P',
      role: 'province_union',
      unitId: String(pvd._id),
      password: 'abcdefgh',
    });
    expect(misfit.status).toBe(400);
    expect(misfit.data.fieldErrors).toEqual({ unitId: ['validation.unitKindForRole'] });
  });

  it('links a student account to the member record by student code', async () => {
    const linked = (await User.distinct('memberId')).filter(Boolean);
    const member = (await Member.findOne({
      schoolId: pvd._id,
      _id: mongoose.trusted({ $nin: linked }),
    }).lean())!;
    const missing = await create({
      email: 's1@demo.vn',
      name: 'SV',
      role: 'student',
      unitId: String(pvd._id),
      studentCode: 'NOPE',
      password: 'abcdefgh',
    });
    expect(missing.data.fieldErrors).toEqual({ studentCode: ['validation.memberNotFound'] });
    const ok = await create({
      email: 's1@demo.vn',
      name: 'SV',
      role: 'student',
      unitId: String(pvd._id),
      studentCode: member.studentCode,
      password: 'abcdefgh',
    });
    expect(ok.status).toBe(302);
    expect(String((await User.findOne({ email: 's1@demo.vn' }).lean())!.memberId)).toBe(String(member._id));
  });

  it('resets a password and signs the account out everywhere', async () => {
    const cookie = await signIn('tinhdoan@demo.vn');
    const user = (await User.findOne({ email: 'tinhdoan@demo.vn' }).lean())!;
    const id = String(user._id);
    expect((await edit(id, { intent: 'resetPassword', newPassword: '123' })).status).toBe(400);
    const res = await edit(id, { intent: 'resetPassword', newPassword: 'new-password-1' });
    expect(res.location).toBe(`/admin/users/${id}?ok=passwordReset`);
    expect(await Session.countDocuments({ userId: user._id })).toBe(0);
    expect(await getOptionalUser(get('/', cookie))).toBeNull();
    expect(await signIn('tinhdoan@demo.vn', 'new-password-1')).toMatch(/^__session=/);
  });

  it('deactivates (not deletes) an account, but never the admin’s own', async () => {
    const user = (await User.findOne({ email: 'danguy.pvd@demo.vn' }).lean())!;
    const cookie = await signIn('danguy.pvd@demo.vn');
    const res = await edit(String(user._id), { intent: 'deactivate' });
    expect(res.status).toBe(302);
    expect((await User.findById(user._id).lean())!.active).toBe(false);
    expect(await getOptionalUser(get('/', cookie))).toBeNull();
    await edit(String(user._id), { intent: 'activate' });
    expect((await User.findById(user._id).lean())!.active).toBe(true);

    const me = (await getOptionalUser(get('/', admin)))!;
    const self = await edit(me.id, { intent: 'deactivate' });
    expect(self.status).toBe(400);
    expect(self.data.fieldErrors._form).toEqual(['validation.selfDeactivate']);
  });

  it('lists with diacritic-insensitive search and is admin-only', async () => {
    const res = await call(listLoader, get('/admin/users?q=can bo doan truong', admin));
    expect(res.data.rows.map((r: { email: string }) => r.email)).toEqual(['can.bo@demo.vn']);
    const school = await signIn('doantruong.pvd@demo.vn');
    expect((await call(listLoader, get('/admin/users', school))).status).toBe(403);
    expect((await call(editLoader, get('/admin/users/x', admin), { id: 'x' })).status).toBe(404);
  });
});

describe('/healthz', () => {
  it('reports ok, the database kind and the version', async () => {
    const res = await call(healthLoader, get('/healthz'));
    expect(res.status).toBe(200);
    expect(res.data).toMatchObject({
      status: 'ok',
      db: 'embedded',
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
    });
  });
});

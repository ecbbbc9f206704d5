import mongoose, { type Types } from 'mongoose';
import { beforeAll, describe, expect, it } from 'vitest';
import { AuditEvent } from '../../models/audit-event.ts';
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
import { verifyAudit } from '~/utils/audit/audit-verify.server';
import { getOptionalUser } from '~/utils/auth/auth.server';
import { verifyPassword } from '~/utils/auth/password.server';
import { signIn } from '../fixtures/auth.ts';
import { withRefusedAuditEvent } from '../fixtures/refuse-audit.ts';
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
    expect(res).toHaveStatus(302);
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
      password: 'mat-khau-dai-1',
    });
    expect(res).toHaveStatus(409);
    expect(res.data.fieldErrors).toEqual({ email: ['validation.emailTaken'] });
    expect(res.data.values.password).toBeUndefined();
    expect(await User.countDocuments()).toBe(before);
  });

  it("answers conform's reply for the editor: the action's own checks beside their fields, no password", async () => {
    const taken = await create({
      email: 'admin@demo.vn',
      name: 'X',
      role: 'admin',
      unitId: String(province._id),
      password: 'mat-khau-dai-1',
    });
    expect(taken.data.result).toMatchObject({ status: 'error', error: { email: ['validation.emailTaken'] } });
    expect(taken.data.result.initialValue).toMatchObject({ email: 'admin@demo.vn', name: 'X' });
    expect(taken.data.result.initialValue.password).toBeUndefined();
    const blank = await create({ email: '', name: '', role: '', unitId: '', password: '' });
    expect(blank.data.result.error).toMatchObject({
      email: ['validation.required'],
      name: ['validation.required'],
      role: ['validation.choose'],
      unitId: ['validation.unitRequired'],
      password: ['validation.passwordMin'],
    });
  });

  it('validates fields and the role/unit fit', async () => {
    const bad = await create({ email: 'x', name: '', role: 'king', unitId: '', password: 'short' });
    expect(bad).toHaveStatus(400);
    expect(Object.keys(bad.data.fieldErrors).sort()).toEqual(['email', 'name', 'password', 'role', 'unitId']);
    const misfit = await create({
      email: 'p@demo.vn',
      name: 'P',
      role: 'province_union',
      unitId: String(pvd._id),
      password: 'mat-khau-dai-1',
    });
    expect(misfit).toHaveStatus(400);
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
      password: 'mat-khau-dai-1',
    });
    expect(missing.data.fieldErrors).toEqual({ studentCode: ['validation.memberNotFound'] });
    const ok = await create({
      email: 's1@demo.vn',
      name: 'SV',
      role: 'student',
      unitId: String(pvd._id),
      studentCode: member.studentCode,
      password: 'mat-khau-dai-1',
    });
    expect(ok).toHaveStatus(302);
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
    expect(res).toHaveStatus(302);
    expect((await User.findById(user._id).lean())!.active).toBe(false);
    expect(await getOptionalUser(get('/', cookie))).toBeNull();
    await edit(String(user._id), { intent: 'activate' });
    expect((await User.findById(user._id).lean())!.active).toBe(true);

    const me = (await getOptionalUser(get('/', admin)))!;
    const self = await edit(me.id, { intent: 'deactivate' });
    expect(self).toHaveStatus(400);
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
    expect(res).toHaveStatus(200);
    expect(res.data).toMatchObject({
      status: 'ok',
      db: 'embedded',
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
    });
  });
});

describe('one action, one transaction, with its event', () => {
  const eventsOf = (id: Types.ObjectId) =>
    AuditEvent.find({ entity: 'User', entityId: id }).sort({ seq: 1 }).lean();
  const sessionsOf = (id: Types.ObjectId) => Session.countDocuments({ userId: id });

  it('records creation, edit, password reset and (de)activation in the account’s own chain, never a password', async () => {
    const res = await create({
      email: 'nhat.ky@demo.vn',
      name: 'Cán bộ Nhật Ký',
      role: 'school_union',
      unitId: String(pvd._id),
      password: 'mat-khau-nhat-ky',
    });
    expect(res).toHaveStatus(302);
    const user = (await User.findOne({ email: 'nhat.ky@demo.vn' }).lean())!;
    const id = String(user._id);
    expect(
      (
        await edit(id, {
          intent: 'save',
          email: 'nhat.ky@demo.vn',
          name: 'Cán bộ Đổi Tên',
          role: 'school_union',
          unitId: String(pvd._id),
        })
      ).status,
    ).toBe(302);
    expect((await edit(id, { intent: 'resetPassword', newPassword: 'mat-khau-moi-1' })).status).toBe(302);
    expect((await edit(id, { intent: 'deactivate' })).status).toBe(302);
    expect((await edit(id, { intent: 'activate' })).status).toBe(302);
    // Activating an active account changes nothing, and records nothing.
    expect((await edit(id, { intent: 'activate' })).status).toBe(302);

    const events = await eventsOf(user._id);
    expect(events.map((e) => [e.action, e.seq, e.chain])).toEqual(
      ['user.create', 'user.update', 'user.password.reset', 'user.deactivate', 'user.activate'].map(
        (a, i) => [a, i + 1, `User:${id}`],
      ),
    );
    const admin = (await User.findOne({ email: 'admin@demo.vn' }).lean())!;
    expect(events.every((e) => String(e.actorId) === String(admin._id))).toBe(true);
    expect(events.every((e) => String(e.unitId) === String(pvd._id))).toBe(true);
    expect(events[0].details).toMatchObject({
      after: { email: 'nhat.ky@demo.vn', name: 'Cán bộ Nhật Ký', role: 'school_union', memberId: null },
    });
    expect(events[1].details).toMatchObject({
      fields: ['name'],
      before: { name: 'Cán bộ Nhật Ký' },
      after: { name: 'Cán bộ Đổi Tên' },
    });
    expect(events[3].details).toMatchObject({ before: { active: true }, after: { active: false } });
    const hash = (await Password.findOne({ userId: user._id }).lean())!.hash;
    const text = JSON.stringify(events);
    for (const secret of ['mat-khau-nhat-ky', 'mat-khau-moi-1', hash, 'scrypt'])
      expect(text).not.toContain(secret);

    const report = await verifyAudit();
    expect(report.problem).toBeNull();
    expect(report.gaps).toEqual([]);
    expect(report.unchained).toBe(0);
  });

  it('creates no account and no password when the creation cannot be recorded', async () => {
    const users = await User.countDocuments();
    const passwords = await Password.countDocuments();
    await withRefusedAuditEvent({ action: 'user.create', unitId: pvd._id }, async () => {
      await expect(
        create({
          email: 'nguyen.tu@demo.vn',
          name: 'Nguyên Tử',
          role: 'school_union',
          unitId: String(pvd._id),
          password: 'mat-khau-123',
        }),
      ).rejects.toMatchObject({ code: 11000 });
    });
    expect(await User.countDocuments()).toBe(users);
    expect(await Password.countDocuments()).toBe(passwords);
    expect(await User.exists({ email: 'nguyen.tu@demo.vn' })).toBeNull();
  });

  it('keeps the account as it was, and its sessions, when an edit cannot be recorded', async () => {
    const user = (await User.findOne({ email: 'doantruong.pvd@demo.vn' }).lean())!;
    const cookie = await signIn('doantruong.pvd@demo.vn');
    const sessions = await sessionsOf(user._id);
    await withRefusedAuditEvent({ action: 'user.update', entityId: user._id }, async () => {
      await expect(
        edit(String(user._id), {
          intent: 'save',
          email: user.email,
          name: 'Tên Không Lưu',
          role: 'school_party',
          unitId: String(pvd._id),
        }),
      ).rejects.toMatchObject({ code: 11000 });
    });
    expect(await User.findById(user._id).lean()).toEqual(user);
    expect(await sessionsOf(user._id)).toBe(sessions);
    expect(await getOptionalUser(get('/', cookie))).not.toBeNull();
  });

  it('keeps the old password and the sessions when a reset cannot be recorded', async () => {
    const user = (await User.findOne({ email: 'danguy.pvd@demo.vn' }).lean())!;
    const cookie = await signIn('danguy.pvd@demo.vn');
    const stored = (await Password.findOne({ userId: user._id }).lean())!;
    await withRefusedAuditEvent({ action: 'user.password.reset', entityId: user._id }, async () => {
      await expect(
        edit(String(user._id), { intent: 'resetPassword', newPassword: 'khong-duoc-luu' }),
      ).rejects.toMatchObject({ code: 11000 });
    });
    expect((await Password.findOne({ userId: user._id }).lean())!.hash).toBe(stored.hash);
    expect((await User.findById(user._id).lean())!.passwordChangedAt).toEqual(user.passwordChangedAt);
    expect(await getOptionalUser(get('/', cookie))).not.toBeNull();
    expect(await signIn('danguy.pvd@demo.vn')).toMatch(/^__session=/);
  });

  it('keeps the account active and signed in when a deactivation cannot be recorded', async () => {
    const user = (await User.findOne({ email: 'danguy.pvd@demo.vn' }).lean())!;
    const cookie = await signIn('danguy.pvd@demo.vn');
    await withRefusedAuditEvent({ action: 'user.deactivate', entityId: user._id }, async () => {
      await expect(edit(String(user._id), { intent: 'deactivate' })).rejects.toMatchObject({ code: 11000 });
    });
    expect((await User.findById(user._id).lean())!.active).toBe(true);
    expect(await getOptionalUser(get('/', cookie))).not.toBeNull();
    expect((await verifyAudit()).gaps).toEqual([]);
  });
});

/**
 * Issue 17 (lows): the password policy — at least 10 characters and not a common password —
 * wherever a password is set (an administrator creating an account or resetting its
 * password, the bootstrap), with its Vietnamese message beside the field; sign-in never
 * re-checks it, so the demo accounts keep `demo1234`.
 */
import { type Types } from 'mongoose';
import { beforeAll, describe, expect, it } from 'vitest';
import { AuditEvent } from '../../models/audit-event.ts';
import { Password } from '../../models/password.ts';
import { Unit } from '../../models/unit.ts';
import { User } from '../../models/user.ts';
import { seedDatabase } from '../../seed/seed.server.ts';
import { vi as messages } from '~/i18n/vi';
import { action as editAction } from '~/routes/admin.users.$id';
import { action as newAction } from '~/routes/admin.users.new';
import { bootstrapAdmin } from '~/utils/admin/bootstrap.server';
import { isCommonPassword } from '~/utils/auth/password-policy.server';
import { signIn } from '../fixtures/auth.ts';
import { call, post, type RouteResult } from '../fixtures/remix.ts';

let admin: string;
let province: { _id: Types.ObjectId };

beforeAll(async () => {
  await seedDatabase({ members: 5, seed: 1, reset: true });
  admin = await signIn('admin@demo.vn');
  province = (await Unit.findOne({ kind: 'province', active: true }).lean())!;
});

type FormResult = RouteResult<{ fieldErrors: Record<string, string[]> }>;
const create = (password: string) =>
  call(
    newAction,
    post(
      '/admin/users/new',
      {
        email: 'moi@demo.vn',
        name: 'Người mới',
        role: 'province_union',
        unitId: String(province._id),
        password,
      },
      admin,
    ),
  ) as Promise<FormResult>;

describe('the password policy', () => {
  it('knows the common passwords, whatever their case', () => {
    for (const p of ['1234567890', 'password123', 'qwertyuiop', 'Iloveyou12'])
      expect(isCommonPassword(p), p).toBe(true);
    expect(isCommonPassword('mot-cau-de-nho-2026')).toBe(false);
  });

  it('has Vietnamese messages for both refusals', () => {
    expect(messages['validation.passwordMin']).toMatch(/ít nhất 10 ký tự/);
    expect(messages['validation.passwordCommon']).toMatch(/phổ biến/);
  });

  it('refuses a short or common password when an administrator creates an account, beside the field', async () => {
    const short = await create('abcdefgh1');
    expect(short).toHaveStatus(400);
    expect(short.data.fieldErrors.password).toEqual(['validation.passwordMin']);
    const common = await create('1234567890');
    expect(common).toHaveStatus(400);
    expect(common.data.fieldErrors.password).toEqual(['validation.passwordCommon']);
    expect(await User.exists({ email: 'moi@demo.vn' })).toBeNull();
    expect((await create('mot-cau-de-nho-2026')).status).toBe(302);
  });

  it('refuses a short or common password when an administrator resets one, beside the field', async () => {
    const user = (await User.findOne({ email: 'tinhdoan@demo.vn' }).lean())!;
    const before = (await Password.findOne({ userId: user._id }).lean())!.hash;
    const reset = (newPassword: string) =>
      call(
        editAction,
        post(`/admin/users/${String(user._id)}`, { intent: 'resetPassword', newPassword }, admin),
        {
          id: String(user._id),
        },
      ) as Promise<
        RouteResult<{
          fieldErrors: Record<string, string[]>;
          result: { error?: Record<string, string[]>; initialValue?: Record<string, unknown> };
        }>
      >;
    // A blank new password is missing (not too short), as it always said.
    const blank = await reset('');
    expect(blank).toHaveStatus(400);
    expect(blank.data.fieldErrors.newPassword).toEqual(['validation.required']);
    const short = await reset('12345abc');
    expect(short).toHaveStatus(400);
    expect(short.data.fieldErrors.newPassword).toEqual(['validation.passwordMin']);
    const common = await reset('password123');
    expect(common).toHaveStatus(400);
    expect(common.data.fieldErrors.newPassword).toEqual(['validation.passwordCommon']);
    // conform's reply for the reset form: the message beside the field, the password not echoed.
    expect(common.data.result.error).toEqual({ newPassword: ['validation.passwordCommon'] });
    expect(common.data.result.initialValue?.newPassword).toBeUndefined();
    expect((await Password.findOne({ userId: user._id }).lean())!.hash).toBe(before);
  });

  it('keeps signing in the demo accounts with demo1234 (sign-in never re-checks the policy)', async () => {
    expect(await signIn('sinhvien@demo.vn', 'demo1234')).toMatch(/^__session=/);
  });

  it('refuses a short or common password in the bootstrap, writing nothing', async () => {
    await User.deleteMany({});
    await Password.deleteMany({});
    await Unit.deleteMany({});
    await AuditEvent.collection.deleteMany({});
    const input = {
      email: 'quantri@tinhdoan.example.vn',
      name: 'Quản trị',
      provinceName: 'Tỉnh đoàn Quảng Ngãi',
      provinceCode: 'QNG',
    };
    expect(await bootstrapAdmin({ ...input, password: 'demo12345' })).toEqual({
      ok: false,
      reason: 'invalid',
      errors: { password: ['validation.passwordMin'] },
    });
    expect(await bootstrapAdmin({ ...input, password: 'qwertyuiop' })).toEqual({
      ok: false,
      reason: 'invalid',
      errors: { password: ['validation.passwordCommon'] },
    });
    expect(await User.countDocuments({})).toBe(0);
    expect(await bootstrapAdmin({ ...input, password: 'mot-cau-de-nho-2026' })).toMatchObject({ ok: true });
  });
});

/**
 * The first administrator of a clean database (`npm run bootstrap`): refused with field
 * messages and nothing written on bad input or when any account exists; otherwise the
 * province unit (or the existing one) and an admin who can sign in, audited, all in one
 * transaction (an event that cannot be written leaves nothing behind). The CLI itself
 * runs once against a throw-away data directory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { AuditEvent } from '../../models/audit-event.ts';
import { Password } from '../../models/password.ts';
import { Unit } from '../../models/unit.ts';
import { User } from '../../models/user.ts';
import { verifyAudit } from '~/utils/audit/audit-verify.server';
import { bootstrapAdmin } from '~/utils/admin/bootstrap.server';
import { verifyPassword } from '~/utils/auth/password.server';
import { action as loginAction } from '~/routes/login';
import { runScript } from '../fixtures/cli.ts';
import { withRefusedAuditEvent } from '../fixtures/refuse-audit.ts';
import { call, post } from '../fixtures/remix.ts';

const good = {
  email: 'Quan.Tri@TinhDoan.QuangNgai.vn',
  name: 'Nguyễn Văn Quản',
  password: 'mot-mat-khau-dai',
  provinceName: 'Tỉnh đoàn Quảng Ngãi',
  provinceCode: 'QNG',
};

async function counts() {
  return {
    users: await User.countDocuments({}),
    passwords: await Password.countDocuments({}),
    units: await Unit.countDocuments({}),
    events: await AuditEvent.countDocuments({}),
  };
}

describe('bootstrapAdmin', () => {
  beforeEach(async () => {
    await User.deleteMany({});
    await Password.deleteMany({});
    await Unit.deleteMany({});
    await AuditEvent.collection.deleteMany({});
  });

  it('refuses bad input field by field and writes nothing', async () => {
    const result = await bootstrapAdmin({
      email: 'not-an-email',
      name: '  ',
      password: 'short',
      provinceName: '',
      provinceCode: 'Q N G',
    });
    expect(result).toMatchObject({ ok: false, reason: 'invalid' });
    const errors = (result as { errors: Record<string, string[]> }).errors;
    expect(errors.email).toEqual(['validation.email']);
    expect(errors.name).toEqual(['validation.required']);
    expect(errors.password).toEqual(['validation.passwordMin']);
    expect(errors.provinceName).toEqual(['validation.required']);
    expect(errors.provinceCode).toEqual(['validation.codeFormat']);
    expect(await bootstrapAdmin({ ...good, email: { $gt: '' } })).toMatchObject({ reason: 'invalid' });
    expect(await counts()).toEqual({ users: 0, passwords: 0, units: 0, events: 0 });
  });

  it('creates the province and an admin who can sign in, audited, then refuses a second time', async () => {
    const result = await bootstrapAdmin(good);
    expect(result).toMatchObject({ ok: true, createdUnit: true });
    const user = (await User.findOne({}).lean())!;
    expect(user).toMatchObject({ email: 'quan.tri@tinhdoan.quangngai.vn', role: 'admin', active: true });
    const unit = (await Unit.findById(user.unitId).lean())!;
    expect(unit).toMatchObject({ code: 'QNG', kind: 'province', name: 'Tỉnh đoàn Quảng Ngãi' });
    const stored = (await Password.findOne({ userId: user._id }).lean())!;
    expect(await verifyPassword(good.password, stored.hash)).toBe(true);
    const event = (await AuditEvent.findOne({ action: 'account.bootstrap' }).lean())!;
    expect(String(event.entityId)).toBe(String(user._id));
    expect((await verifyAudit()).ok).toBe(true);

    const signIn = await call(loginAction, post('/login', { email: good.email, password: good.password }));
    expect(signIn).toHaveStatus(302);
    expect(signIn.headers.get('Set-Cookie')).toMatch(/__session=/);

    const before = await counts();
    expect(await bootstrapAdmin({ ...good, email: 'second@example.vn' })).toEqual({
      ok: false,
      reason: 'accounts-exist',
      accounts: 1,
    });
    expect(await counts()).toEqual(before);
  });

  it('writes nothing at all when the account’s event cannot be written (unit, account, password: one transaction)', async () => {
    await withRefusedAuditEvent({ action: 'account.bootstrap' }, async () => {
      await expect(bootstrapAdmin(good)).rejects.toMatchObject({ code: 11000 });
    });
    expect(await counts()).toEqual({ users: 0, passwords: 0, units: 0, events: 0 });
    // Nothing half-made stands in the way: the same call then succeeds, the unit and the
    // account each with its creation event.
    expect(await bootstrapAdmin(good)).toMatchObject({ ok: true, createdUnit: true });
    const events = await AuditEvent.find({}).sort({ chain: 1 }).lean();
    expect(events.map((e) => [e.action, e.entity, e.seq])).toEqual([
      ['unit.create', 'Unit', 1],
      ['account.bootstrap', 'User', 1],
    ]);
    expect(JSON.stringify(events)).not.toContain(good.password);
    expect(await verifyAudit()).toMatchObject({ ok: true, gaps: [], unchained: 0 });
  });

  it('uses an existing province unit with that code and refuses a code that is not a province', async () => {
    await Unit.collection.insertOne({ name: 'Trường X', code: 'SCH', kind: 'school', active: true });
    expect(await bootstrapAdmin({ ...good, provinceCode: 'SCH' })).toEqual({
      ok: false,
      reason: 'invalid',
      errors: { provinceCode: ['validation.unitKindForRole'] },
    });
    expect(await User.countDocuments({})).toBe(0);

    const { insertedId } = await Unit.collection.insertOne({
      name: 'Tỉnh đoàn (cũ)',
      code: 'QNG',
      kind: 'province',
      parentId: null,
      ancestors: [],
      active: true,
    });
    const result = await bootstrapAdmin(good);
    expect(result).toMatchObject({ ok: true, createdUnit: false });
    expect(String((result as { unitId: unknown }).unitId)).toBe(String(insertedId));
    expect(await Unit.countDocuments({ code: 'QNG' })).toBe(1);
  });
});

describe('npm run bootstrap', () => {
  let dir: string | undefined;
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const run = (args: string[], stdin: string) =>
    runScript('scripts/bootstrap.ts', args, { stdin, unsetEnv: ['BOOTSTRAP_PASSWORD'] });

  it('creates the first admin with the password from standard input, then refuses (exit 1)', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'bootstrap-'));
    const args = [
      '--email',
      'admin@qng.vn',
      '--name',
      'Quản trị',
      '--province-name',
      'Tỉnh đoàn Quảng Ngãi',
      '--province-code',
      'QNG',
      '--data-dir',
      dir,
    ];
    const bad = await run(args, 'short\n');
    expect(bad.code).toBe(1);
    expect(bad.out).toContain('password: Mật khẩu phải có ít nhất 10 ký tự.');
    const common = await run(args, 'password123\n');
    expect(common.code).toBe(1);
    expect(common.out).toContain('password: Mật khẩu này nằm trong danh sách mật khẩu phổ biến');
    const first = await run(args, 'mot-mat-khau-dai\n');
    expect(first.code, first.out).toBe(0);
    expect(first.out).toContain('OK: admin admin@qng.vn created');
    const again = await run(args, 'mot-mat-khau-dai\n');
    expect(again.code).toBe(1);
    expect(again.out).toContain('already has 1 account');
  }, 60_000);
});

/**
 * The first administrator of a clean database. In production `SEED_DEMO=0` keeps an empty
 * database empty, and every account is created by an admin, so the first one comes from
 * `npm run bootstrap` (scripts/bootstrap.ts), which calls this. It only ever runs on a
 * database without accounts: afterwards accounts are made in /admin/users.
 */
import type { Types } from 'mongoose';
import { z } from 'zod';
import { Password } from '../../../models/password';
import { Unit } from '../../../models/unit';
import { User } from '../../../models/user';
import { UnitSchema } from '~/utils/forms/unit';
import { CreateUserSchema, PasswordSchema } from '~/utils/forms/user';
import { appendAudit } from '../audit/audit.server';
import { hashPassword } from '../auth/password.server';
import { passwordPolicyError } from '../auth/password-policy.server';
import { inTransaction } from '../transaction.server';
import { fieldErrorsOf, type FieldErrors } from '../forms/conform';

export const BootstrapSchema = z.object({
  email: CreateUserSchema.shape.email,
  name: CreateUserSchema.shape.name,
  password: PasswordSchema,
  provinceName: UnitSchema.shape.name,
  provinceCode: UnitSchema.shape.code,
});

export type BootstrapResult =
  | { ok: true; userId: Types.ObjectId; unitId: Types.ObjectId; createdUnit: boolean }
  | { ok: false; reason: 'invalid'; errors: FieldErrors }
  | { ok: false; reason: 'accounts-exist'; accounts: number };

/**
 * Creates the province unit (unless one with that code exists) and an admin account scoped
 * to it. Refuses, writing nothing, when the input is invalid or any account exists.
 */
export async function bootstrapAdmin(input: unknown): Promise<BootstrapResult> {
  const parsed = BootstrapSchema.safeParse(input);
  if (!parsed.success) return { ok: false, reason: 'invalid', errors: fieldErrorsOf(parsed.error) };
  const { email, name, password, provinceName, provinceCode } = parsed.data;
  const weak = passwordPolicyError(password);
  if (weak) return { ok: false, reason: 'invalid', errors: { password: [weak] } };

  // Hash first: nothing is written if that fails, and a retried transaction does not hash again.
  const hash = await hashPassword(password);
  // The province (unless it exists), the account, its password and their events: all or
  // nothing (decision 018). The checks read inside, on the snapshot the writes stand on.
  return inTransaction(async (): Promise<BootstrapResult> => {
    const accounts = await User.countDocuments({});
    if (accounts > 0) return { ok: false, reason: 'accounts-exist', accounts };

    const existing = await Unit.findOne({ code: provinceCode }).select({ kind: 1 }).lean();
    if (existing && existing.kind !== 'province')
      return { ok: false, reason: 'invalid', errors: { provinceCode: ['validation.unitKindForRole'] } };

    let unitId = existing?._id;
    if (!unitId) {
      const unit = await Unit.create({
        name: provinceName,
        code: provinceCode,
        kind: 'province',
        parentId: null,
        ancestors: [],
        active: true,
      });
      unitId = unit._id;
      // The unit's own chain starts with its creation, as for units made in /admin/units.
      await appendAudit({
        actorId: null,
        action: 'unit.create',
        entity: 'Unit',
        entityId: unitId,
        unitId,
        details: { after: { name: provinceName, code: provinceCode, kind: 'province' }, bootstrap: true },
      });
    }
    const user = await User.create({
      email: email.toLowerCase(),
      name,
      role: 'admin',
      unitId,
      active: true,
      locale: 'vi',
    });
    await Password.create({ userId: user._id, hash });
    await appendAudit({
      actorId: null,
      action: 'account.bootstrap',
      entity: 'User',
      entityId: user._id,
      unitId,
      details: { email: user.email, provinceCode, createdUnit: !existing },
    });
    return { ok: true, userId: user._id, unitId, createdUnit: !existing };
  });
}

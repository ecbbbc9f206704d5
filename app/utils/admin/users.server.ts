/**
 * Account administration (admin only): list, create, edit, deactivate, reset password.
 * Password hashes live in their own collection; resetting one or deactivating an
 * account deletes its sessions so the change takes effect at once. Each action writes
 * the account, its password, the revocation of its sessions and its audit event (chain
 * "User:<id>") in one transaction (decision 018).
 */
import type { Submission } from '@conform-to/react';
import { data, redirect } from '@remix-run/node';
import mongoose, { Types } from 'mongoose';
import { z } from 'zod';
import { Member } from '../../../models/member';
import { Password } from '../../../models/password';
import { Unit } from '../../../models/unit';
import { User } from '../../../models/user';
import { searchKey } from '~/domain/text';
import type { UnitKindValue } from '~/utils/forms/unit';
import {
  CreateUserSchema,
  EditUserSchema,
  ResetPasswordSchema,
  type UserFormValues,
} from '~/utils/forms/user';
import { appendAudit } from '../audit/audit.server';
import type { AuthUser } from '../auth/auth.server';
import { hashPassword } from '../auth/password.server';
import { passwordPolicyError } from '../auth/password-policy.server';
import { ROLES, type Role } from '~/domain/permissions';
import { unitScopeFilter } from '../auth/permissions.server';
import { destroyUserSessions } from '../auth/session.server';
import { inTransaction } from '../transaction.server';
import { parseForm, refusal, type FieldErrors, type Refusal } from '../forms/conform';
import type { MessageKey } from '~/i18n';
import { notFound } from '../responses.server';

export const USERS_PAGE_SIZE = 50;

export const UserListQuerySchema = z.object({
  q: z.string().trim().max(100).catch(''),
  role: z.enum(ROLES).optional().catch(undefined),
  status: z.enum(['all', 'active', 'inactive']).catch('all'),
  page: z.coerce.number().int().min(1).max(10_000).catch(1),
});
export type UserListQuery = z.infer<typeof UserListQuerySchema>;

/** The kind of unit each role's scope must be. */
export const ROLE_UNIT_KINDS: Record<Role, readonly UnitKindValue[]> = {
  admin: ['province'],
  province_union: ['province'],
  school_union: ['school'],
  school_party: ['school'],
  student: ['school'],
};

/** Accounts are few (staff plus students who sign in), so search runs in memory, diacritic-insensitive. */
export async function listUsers(query: UserListQuery) {
  const filter: Record<string, unknown> = {};
  if (query.role) filter.role = query.role;
  if (query.status !== 'all') filter.active = query.status === 'active';
  const users = await User.find(filter)
    .select({ email: 1, name: 1, role: 1, unitId: 1, active: 1 })
    .sort({ email: 1 })
    .lean();
  const needle = searchKey(query.q);
  const rows = needle ? users.filter((u) => searchKey(`${u.name} ${u.email}`).includes(needle)) : users;
  const pages = Math.max(1, Math.ceil(rows.length / USERS_PAGE_SIZE));
  const page = Math.min(query.page, pages);
  const slice = rows.slice((page - 1) * USERS_PAGE_SIZE, page * USERS_PAGE_SIZE);
  const units = await Unit.find({ _id: mongoose.trusted({ $in: slice.map((u) => u.unitId) }) })
    .select({ name: 1 })
    .lean();
  const unitName = new Map(units.map((u) => [String(u._id), u.name]));
  return {
    rowCount: rows.length,
    page,
    pages,
    rows: slice.map((u) => ({
      id: String(u._id),
      email: u.email,
      name: u.name,
      role: u.role as Role,
      unit: unitName.get(String(u.unitId)) ?? '',
      active: u.active,
    })),
  };
}

export async function getUserForEdit(id: Types.ObjectId) {
  const user = await User.findOne({ _id: id })
    .select({ email: 1, name: 1, role: 1, unitId: 1, memberId: 1, active: 1 })
    .lean();
  if (!user) throw notFound();
  const member = user.memberId
    ? await Member.findOne({ _id: user.memberId }).select({ studentCode: 1 }).lean()
    : null;
  return {
    id: String(user._id),
    name: user.name,
    active: user.active,
    values: {
      email: user.email,
      name: user.name,
      role: user.role,
      unitId: String(user.unitId),
      studentCode: member?.studentCode ?? '',
    } satisfies UserFormValues,
  };
}

type FormName = 'save' | 'resetPassword' | 'status';

/**
 * A refused form of the account pages: conform's reply and its messages by field
 * (forms/conform.ts), passwords never sent back. `form` tells the edit page which of its three
 * forms the errors belong to.
 */
function invalid(
  submission: Submission<unknown, MessageKey[]> | null,
  refused: Refusal,
  status = 400,
  form: FormName = 'save',
) {
  const reply = submission
    ? refusal(submission, { ...refused, hideFields: ['password', 'newPassword'] })
    : { result: undefined, fieldErrors: refused.fieldErrors ?? {} };
  const { password: _p, newPassword: _n, ...values } = (submission?.payload ?? {}) as Record<string, unknown>;
  return data({ form, ...reply, values: values as UserFormValues }, { status });
}

/** Which unique index a duplicate key hit (email, or a member's one account); null for any other error. */
function duplicateField(error: unknown): 'email' | 'memberId' | null {
  if (typeof error !== 'object' || error === null || (error as { code?: unknown }).code !== 11000)
    return null;
  const pattern = (error as { keyPattern?: Record<string, unknown> }).keyPattern ?? {};
  if ('memberId' in pattern) return 'memberId';
  return 'email' in pattern ? 'email' : null;
}

export async function saveUser(admin: AuthUser, formData: FormData, existingId?: Types.ObjectId) {
  const submission = parseForm(formData, existingId ? EditUserSchema : CreateUserSchema);
  if (submission.status !== 'success') return invalid(submission, {});
  const input = submission.value;
  const refuse = (fieldErrors: FieldErrors, status = 400) => invalid(submission, { fieldErrors }, status);
  if (!existingId) {
    const weak = passwordPolicyError(String((input as Record<string, unknown>).password));
    if (weak) return refuse({ password: [weak] });
  }

  if (existingId && !(await User.exists({ _id: existingId }))) throw notFound();

  const unit = await Unit.findOne({
    _id: new Types.ObjectId(input.unitId),
    ...unitScopeFilter(admin),
    active: true,
  })
    .select({ kind: 1 })
    .lean();
  if (!unit) return refuse({ unitId: ['validation.unitRequired'] });
  if (!ROLE_UNIT_KINDS[input.role].includes(unit.kind as UnitKindValue)) {
    return refuse({ unitId: ['validation.unitKindForRole'] });
  }

  let memberId: Types.ObjectId | null = null;
  if (input.role === 'student') {
    const member = await Member.findOne({ schoolId: unit._id, studentCode: input.studentCode })
      .select({ _id: 1 })
      .lean();
    if (!member) return refuse({ studentCode: ['validation.memberNotFound'] });
    memberId = member._id;
  }

  const email = input.email.toLowerCase();
  if (await User.exists({ email, _id: mongoose.trusted({ $ne: existingId ?? new Types.ObjectId() }) })) {
    return refuse({ email: ['validation.emailTaken'] }, 409);
  }

  const fields: AccountFields = { email, name: input.name, role: input.role, unitId: unit._id, memberId };
  // Hashing is slow and touches no data: before the transaction, never inside a retry.
  const hash = existingId ? null : await hashPassword(String((input as Record<string, unknown>).password));
  let outcome: { kind: 'saved'; id: Types.ObjectId } | { kind: 'notFound' };
  try {
    // The account (and its password), the revocation of its sessions and the event commit
    // together or not at all (decision 018).
    outcome = await inTransaction(async () => {
      if (existingId) {
        const before = await User.findOne({ _id: existingId })
          .select({ email: 1, name: 1, role: 1, unitId: 1, memberId: 1 })
          .lean<AccountFields>();
        if (!before) return { kind: 'notFound' } as const;
        const changed = ACCOUNT_FIELDS.filter((k) => String(before[k] ?? '') !== String(fields[k] ?? ''));
        if (changed.length === 0) return { kind: 'saved', id: existingId } as const;
        await User.updateOne({ _id: existingId }, { $set: fields });
        // A changed role or scope must not keep running on sessions issued for the old one.
        if (admin.id !== String(existingId)) await destroyUserSessions(existingId);
        await auditUser(admin, 'user.update', existingId, fields.unitId, {
          fields: changed,
          before: pick(before, changed),
          after: pick(fields, changed),
        });
        return { kind: 'saved', id: existingId } as const;
      }
      const id = new Types.ObjectId();
      await User.create({ _id: id, ...fields, active: true, locale: 'vi' });
      await Password.create({ userId: id, hash: hash! });
      // The account, never its password.
      await auditUser(admin, 'user.create', id, fields.unitId, { after: { ...fields } });
      return { kind: 'saved', id } as const;
    });
  } catch (error) {
    const field = duplicateField(error);
    if (field === 'email') return refuse({ email: ['validation.emailTaken'] }, 409);
    if (field === 'memberId') return refuse({ studentCode: ['validation.memberTaken'] }, 409);
    throw error;
  }
  if (outcome.kind === 'notFound') throw notFound();
  throw redirect(`/admin/users/${outcome.id}?ok=${existingId ? 'userSaved' : 'userCreated'}`);
}

const ACCOUNT_FIELDS = ['email', 'name', 'role', 'unitId', 'memberId'] as const;
interface AccountFields {
  email: string;
  name: string;
  role: Role;
  unitId: Types.ObjectId;
  memberId: Types.ObjectId | null;
}

const pick = (from: AccountFields, keys: readonly (keyof AccountFields)[]) =>
  Object.fromEntries(keys.map((k) => [k, from[k] ?? null]));

/** An event in the account's own chain; `details` never holds a password or a hash. */
async function auditUser(
  admin: AuthUser,
  action: string,
  id: Types.ObjectId,
  unitId: Types.ObjectId | null,
  details: Record<string, unknown>,
) {
  await appendAudit({ actorId: admin.id, action, entity: 'User', entityId: id, unitId, details });
}

export async function resetPassword(admin: AuthUser, id: Types.ObjectId, formData: FormData) {
  const submission = parseForm(formData, ResetPasswordSchema);
  if (submission.status !== 'success') return invalid(submission, {}, 400, 'resetPassword');
  const { newPassword } = submission.value;
  const weak = passwordPolicyError(newPassword);
  if (weak) return invalid(submission, { fieldErrors: { newPassword: [weak] } }, 400, 'resetPassword');
  if (!(await User.exists({ _id: id }))) throw notFound();
  const hash = await hashPassword(newPassword);
  // The new hash, the sign-out everywhere and the event: all of it or none.
  const found = await inTransaction(async () => {
    const user = await User.findOneAndUpdate(
      { _id: id },
      { $set: { passwordChangedAt: new Date() } },
      { projection: { email: 1, unitId: 1 } },
    ).lean();
    if (!user) return false;
    await Password.updateOne({ userId: id }, { $set: { hash } }, { upsert: true });
    await destroyUserSessions(id);
    await auditUser(admin, 'user.password.reset', id, user.unitId, { email: user.email });
    return true;
  });
  if (!found) throw notFound();
  throw redirect(`/admin/users/${id}?ok=passwordReset`);
}

export async function setUserActive(admin: AuthUser, id: Types.ObjectId, active: boolean) {
  if (!active && admin.id === String(id)) {
    return invalid(null, { fieldErrors: { _form: ['validation.selfDeactivate'] } }, 400, 'status');
  }
  // The flag, the sign-out of a deactivated account and the event: all of it or none.
  const found = await inTransaction(async () => {
    const before = await User.findOneAndUpdate(
      { _id: id },
      { $set: { active } },
      { returnDocument: 'before', projection: { email: 1, unitId: 1, active: 1 } },
    ).lean();
    if (!before) return false;
    if (!active) await destroyUserSessions(id);
    // Activating an active account changes nothing: nothing to record.
    if (before.active !== active) {
      await auditUser(admin, active ? 'user.activate' : 'user.deactivate', id, before.unitId, {
        email: before.email,
        before: { active: before.active },
        after: { active },
      });
    }
    return true;
  });
  if (!found) throw notFound();
  throw redirect(`/admin/users/${id}?ok=${active ? 'userActivated' : 'userDeactivated'}`);
}

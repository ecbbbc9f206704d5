/**
 * Scope filters: the part of every query that limits it to the user's units.
 * They go INSIDE the query (`{ _id, ...unitScopeFilter(user) }`), never as a check
 * after the fetch, so an out-of-scope record is simply not found.
 *
 * Scope: admin sees everything (including legacy provinces kept after the 2025
 * merger); every other staff role sees its unit and everything below it; a student
 * sees only their own member record.
 */
import mongoose, { Types } from 'mongoose';
import { Unit } from '../../../models/unit';
import { isObjectId } from '~/domain/ids';
import { getOptionalUser, loginRedirect, type AuthUser } from './auth.server';
import { can, type Permission } from '~/domain/permissions';
import { forbidden, notFound } from '../responses.server';

type ScopedUser = Pick<AuthUser, 'role' | 'unitId' | 'memberId'>;

// Matches no document. Trusted, because sanitizeFilter would otherwise wrap the operator.
const NOTHING = { _id: mongoose.trusted({ $in: [] as Types.ObjectId[] }) };

const oid = (id: string) => new Types.ObjectId(id);

/** For collections of units: the scope unit itself and its descendants. */
export function unitScopeFilter(user: ScopedUser): Record<string, unknown> {
  if (user.role === 'admin') return {};
  if (user.role === 'student') return NOTHING;
  const scope = oid(user.unitId);
  return { $or: [{ _id: scope }, { ancestors: scope }] };
}

/**
 * For records that carry their units' ids in `field` (members: `ancestors`, which
 * includes the school and the branch). Students match only their own member record.
 */
export function scopeFilter(user: ScopedUser, field = 'ancestors'): Record<string, unknown> {
  if (user.role === 'admin') return {};
  if (user.role === 'student') return user.memberId ? { _id: oid(user.memberId) } : NOTHING;
  return { [field]: oid(user.unitId) };
}

/**
 * The one gate: signed in, the role has `permission`, and (when `unitId` is given)
 * the unit lies in the user's scope. A unit outside the scope is a 404, so a
 * request cannot learn that it exists.
 */
export async function requireUser(
  request: Request,
  options: { permission?: Permission; unitId?: string | Types.ObjectId } = {},
): Promise<AuthUser> {
  const user = await getOptionalUser(request);
  if (!user) throw loginRedirect(request);
  if (options.permission && !can(user.role, options.permission)) throw forbidden();
  if (options.unitId !== undefined) {
    const id = String(options.unitId);
    if (!isObjectId(id)) throw notFound();
    const found = await Unit.exists({ _id: new Types.ObjectId(id), ...unitScopeFilter(user) });
    if (!found) throw notFound();
  }
  return user;
}

/**
 * One member, in scope: the filter every /members/:id query starts from (scope inside the
 * query, so another school's member is a 404 like a missing one) and its audit event.
 */
import type { Types } from 'mongoose';
import { appendAudit } from '../audit/audit.server';
import type { AuthUser } from '../auth/auth.server';
import { scopeFilter } from '../auth/permissions.server';

/** The member filter: the id AND the user's scope, in one query. */
export function memberFilter(user: AuthUser, id: Types.ObjectId): Record<string, unknown> {
  // Scope last: for a student it pins `_id` to their own record whatever was asked.
  return { _id: id, ...scopeFilter(user) };
}

/** Appends one event to the audit log; `details` never carries sensitive values. */
export async function auditMember(
  user: AuthUser,
  action: string,
  member: { _id: Types.ObjectId; schoolId?: Types.ObjectId | null },
  details: Record<string, unknown>,
) {
  await appendAudit({
    actorId: user.id,
    action,
    entity: 'Member',
    entityId: member._id,
    unitId: member.schoolId ?? null,
    details,
  });
}

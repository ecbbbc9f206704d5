/**
 * Who may do what on a member's Quy trình tab, from the role alone (the permission table in
 * ../permissions.ts). Which step a role may take is the machine's (transitions.ts); these
 * say whether the tab offers steps, the dossier checklist and the review notes at all.
 */
import { can, type Role } from '../permissions.ts';

/** May this role take any pipeline step at all (the machine decides which)? */
export function canActOnPipeline(user: { role: Role }): boolean {
  return (
    can(user.role, 'pipeline:union') || can(user.role, 'pipeline:party') || can(user.role, 'pipeline:review')
  );
}

/** The paper checklist: school Union, Party committee and admins; the province only reads it. */
export function canEditDossier(user: { role: Role }): boolean {
  return can(user.role, 'pipeline:union') || can(user.role, 'pipeline:party');
}
/** Flags and comments: the province (and admins). */
export function canAddReviewNote(user: { role: Role }): boolean {
  return can(user.role, 'pipeline:review');
}
/** A flag is resolved by the school that must act on it (and admins), never by its author's side. */
export const canResolveFlag = canEditDossier;

/** The steps that record a chi bộ's vote, and which chi bộ a step's input names. */
import type { TransitionId } from './transitions.ts';

export const VOTE_STEPS: readonly TransitionId[] = ['record_branch_vote', 'record_official_vote'];
const blankless = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

/**
 * The chi bộ a vote step names (the input's `partyCellId`, else the member's own cell) and the
 * field it is about; null for a step that records no vote (`not_admitted` without one).
 */
export function voteCellChoice(
  transitionId: TransitionId,
  input: Record<string, unknown>,
  member: { partyCellId?: { toString(): string } | null },
): { id: string; field: string } | null {
  const own = member.partyCellId ? String(member.partyCellId) : '';
  if (VOTE_STEPS.includes(transitionId)) {
    return { id: blankless(input.partyCellId) ?? own, field: 'partyCellId' };
  }
  const vote = input.vote;
  if (transitionId === 'not_admitted' && vote && typeof vote === 'object') {
    return { id: blankless((vote as Record<string, unknown>).partyCellId) ?? own, field: 'vote.partyCellId' };
  }
  return null;
}

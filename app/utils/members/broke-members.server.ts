/**
 * "What this save broke", for the writes that touch many records at once (issue 16, path 4;
 * decision 021): a chi bộ register change, an import, a bulk step. The write's transaction
 * collects the members whose re-check added a conflict (`refreshConflicts` returns what it
 * added); the page after it names them, each with the conflict's own words (step, date,
 * numbers), read back from the records as they are stored now.
 *
 * The ids travel in the redirect (`?brokeMembers=<id>,<id>`) or in the import job: they are
 * only ever used as a lookup inside the caller's scope (the user's school, the job's school),
 * so an id of another school, or a made-up one, shows nothing. Only the conflicts produced
 * by `by` (the user who made the write) are named, so an older conflict of someone else's
 * change is not blamed on this save; a conflict corrected since is no longer listed.
 */
import mongoose, { Types } from 'mongoose';
import { Member } from '../../../models/member';
import type { Text } from '~/domain/criteria/types';
import { keptConflicts, type StoredConflict } from '~/domain/pipeline';
import { isObjectId } from '~/domain/ids';

/** Members named at most on one page (the rest are counted, and listed by `/members?due=conflict`). */
export const BROKE_SHOWN = 50;
export const BROKE_PARAM = 'brokeMembers';

export interface BrokeMember {
  id: string;
  fullName: string;
  studentCode: string;
  /** The conflicts on file that this user's write produced, in the rule's words. */
  conflicts: Text[];
}

export interface BrokeMembersView {
  /** How many records the save broke (at least the ones named). */
  count: number;
  members: BrokeMember[];
}

/** `&brokeMembers=…&brokeCount=…` for a redirect; empty when nothing broke. */
export function brokeMembersParam(ids: readonly (string | Types.ObjectId)[]): string {
  if (!ids.length) return '';
  const shown = ids.slice(0, BROKE_SHOWN).map(String).join(',');
  return `&${BROKE_PARAM}=${shown}&brokeCount=${ids.length}`;
}

/**
 * The members of `ids` inside `scope` (a member filter: the user's scope, the job's school)
 * with the conflicts on file that `by` produced, in the order of `ids`; a member with none
 * left is not listed.
 */
export async function brokeMembers(
  scope: Record<string, unknown>,
  ids: readonly (string | Types.ObjectId)[],
  by: string | Types.ObjectId,
): Promise<BrokeMember[]> {
  const valid = [...new Set(ids.map(String))].filter(isObjectId).slice(0, BROKE_SHOWN);
  if (!valid.length) return [];
  const found = await Member.find({
    ...scope,
    _id: mongoose.trusted({ $in: valid.map((id) => new Types.ObjectId(id)) }),
  })
    .select({ fullName: 1, studentCode: 1, 'pipeline.conflicts': 1 })
    .lean<
      {
        _id: Types.ObjectId;
        fullName: string;
        studentCode: string;
        pipeline?: { conflicts?: StoredConflict[] };
      }[]
    >();
  const order = new Map(valid.map((id, i) => [id, i]));
  return found
    .map((m) => ({
      id: String(m._id),
      fullName: m.fullName,
      studentCode: m.studentCode,
      conflicts: keptConflicts(m.pipeline)
        .filter((c) => c.by !== null && c.by !== undefined && String(c.by) === String(by))
        .map((c) => c.message),
    }))
    .filter((m) => m.conflicts.length > 0)
    .sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
}

/** What a redirect with `?brokeMembers=` names, looked up in `scope`; null without the param. */
export async function brokeMembersOfParams(
  params: URLSearchParams,
  scope: Record<string, unknown>,
  by: string,
): Promise<BrokeMembersView | null> {
  const raw = params.get(BROKE_PARAM);
  if (!raw) return null;
  const members = await brokeMembers(scope, raw.split(','), by);
  // Past the ids the redirect carries, only a count (shown as "and N more", linked to the list).
  const claimed = Number(params.get('brokeCount'));
  const more = Number.isInteger(claimed) && claimed > BROKE_SHOWN ? claimed - BROKE_SHOWN : 0;
  return members.length ? { count: members.length + more, members } : null;
}

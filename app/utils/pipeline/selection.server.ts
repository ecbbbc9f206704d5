/**
 * The criteria verdict of a member about to be selected as đoàn viên ưu tú (issue 16, path 5),
 * for the selection form and for every path that selects (the candidate page and the bulk
 * queue). Computed live by the criteria engine from the member's record against the active
 * selection set of its school kind, never taken from the stored `eligibility` column (a day
 * stale at worst) nor from anything the form posts. Called inside the step's transaction, it
 * reads the record in that transaction: a retry decides on the new data.
 */
import type { Types } from 'mongoose';
import { Member } from '../../../models/member';
import { User } from '../../../models/user';
import {
  SELECTION_STATUSES,
  needsOverride,
  selectionVerdictOf,
  type SelectionStatus,
  type SelectionVerdict,
} from '~/domain/pipeline';
import type { TransitionView } from './pipeline-view.server';
import { ENGINE_PROJECTION } from '../criteria/criteria-engine.server';
import { getMemberVerdict, type VerdictMember } from '../criteria/criteria.server';

export const SELECTION_PROJECTION = { ...ENGINE_PROJECTION, schoolKind: 1, ancestors: 1 } as const;

/** The same fields beside a projection that already has the whole `pipeline` (no path collision). */
export const SELECTION_FIELDS_BESIDE_PIPELINE: Record<string, 1> = Object.fromEntries(
  Object.keys(SELECTION_PROJECTION)
    .filter((k) => !k.startsWith('pipeline.'))
    .map((k) => [k, 1]),
);

/** The verdict of a member already read with SELECTION_PROJECTION's fields. */
export async function selectionVerdictFor(
  member: VerdictMember,
  asOf = new Date(),
): Promise<SelectionVerdict> {
  const { set, verdict } = await getMemberVerdict(member, { purpose: 'selection', asOf });
  return selectionVerdictOf(verdict, set ? { id: set.id, name: set.name, version: set.version } : null);
}

/** Reads the member's criteria fields (in the running transaction, if any) and judges them. */
export async function loadSelectionVerdict(
  id: Types.ObjectId,
  scope: Record<string, unknown>,
  asOf = new Date(),
): Promise<SelectionVerdict | null> {
  const m = await Member.findOne({ _id: id, ...scope })
    .select(SELECTION_PROJECTION)
    .lean<VerdictMember>();
  return m ? selectionVerdictFor(m, asOf) : null;
}

/**
 * The selection form with its verdict (pipeline tab): the verdict is shown above the fields,
 * and the override reason is a field only when the member is outside the criteria (then
 * required). Display only: the submit judges again, in its own transaction.
 */
export async function withSelectionVerdict(
  views: TransitionView[],
  id: Types.ObjectId,
  scope: Record<string, unknown>,
  now: Date,
): Promise<TransitionView[]> {
  if (!views.some((v) => v.id === 'select_outstanding')) return views;
  const verdict = await loadSelectionVerdict(id, scope, now);
  return views.map((v) => {
    if (v.id !== 'select_outstanding') return v;
    const outside = verdict ? needsOverride(verdict) : false;
    return {
      ...v,
      ...(verdict ? { verdict } : {}),
      fields: v.fields
        .filter((f) => f.name !== 'overrideReason' || outside)
        .map((f) => (f.name === 'overrideReason' ? { ...f, required: true } : f)),
    };
  });
}

interface StoredOverride {
  reason?: string | null;
  verdict?: string | null;
  failing?: string[] | null;
  by?: Types.ObjectId | null;
  at?: Date | null;
}

export interface SelectionOverrideView {
  reason: string;
  verdict: SelectionStatus;
  failing: string[];
  by: string | null;
  at: string | null;
}

/** The override on the record, for the profile and the pipeline tab (who by name); null when none. */
export async function selectionOverrideView(
  stored: StoredOverride | null | undefined,
): Promise<SelectionOverrideView | null> {
  if (!stored?.reason) return null;
  const by = stored.by
    ? await User.findOne({ _id: stored.by }).select({ name: 1 }).lean<{ name: string }>()
    : null;
  return {
    reason: stored.reason,
    verdict: (SELECTION_STATUSES as readonly string[]).includes(stored.verdict ?? '')
      ? (stored.verdict as SelectionStatus)
      : 'not_met',
    failing: stored.failing ?? [],
    by: by?.name ?? null,
    at: stored.at ? stored.at.toISOString() : null,
  };
}

/**
 * The Quy trình tab's view with the selection's verdict on its form and the override on file
 * (one small read of the record's stored override, in the user's scope).
 */
export async function withSelection<V extends { transitions: TransitionView[] }>(
  id: Types.ObjectId,
  scope: Record<string, unknown>,
  view: V,
  now = new Date(),
): Promise<V & { selectionOverride: SelectionOverrideView | null }> {
  const stored = await Member.findOne({ _id: id, ...scope })
    .select({ 'pipeline.selectionOverride': 1 })
    .lean<{ pipeline?: { selectionOverride?: StoredOverride } }>();
  return {
    ...view,
    transitions: await withSelectionVerdict(view.transitions, id, scope, now),
    selectionOverride: await selectionOverrideView(stored?.pipeline?.selectionOverride),
  };
}

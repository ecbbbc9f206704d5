/**
 * The steps recorded for many candidates at once by one document, and that document's
 * fields. The candidate page records the per-candidate data; which role may take a bulk step
 * is the transition table's (transitions.ts).
 */
import type { Text } from '../criteria/types.ts';
import type { Role } from '../permissions.ts';
import type { Stage } from '../stages.ts';
import { FIELD_LABELS } from './schemas.ts';
import { TRANSITIONS, findTransition, type TransitionId } from './transitions.ts';

/** Steps recorded for many candidates by one document (a resolution, a decision, a ceremony). */
export const BULK_STEPS = [
  'select_outstanding',
  'record_committee_review',
  'record_decision',
  'record_ceremony',
] as const satisfies readonly TransitionId[];
export type BulkStep = (typeof BULK_STEPS)[number];

export interface BulkField {
  name: string;
  label: Text;
  kind: 'text' | 'date' | 'textarea';
  required: boolean;
}

const field = (name: string, kind: BulkField['kind'], required: boolean): BulkField => ({
  name,
  label: FIELD_LABELS[name] ?? { vi: name, en: name },
  kind,
  required,
});
const NOTE = field('note', 'textarea', false);

/** The document fields of each bulk step (the per-candidate ones stay on the candidate page). */
export const BULK_FIELDS: Record<BulkStep, BulkField[]> = {
  select_outstanding: [field('resolutionNo', 'text', true), field('resolutionDate', 'date', true), NOTE],
  record_committee_review: [field('resolutionNo', 'text', true), field('resolutionDate', 'date', true), NOTE],
  record_decision: [
    field('decisionNo', 'text', true),
    field('decisionDate', 'date', true),
    field('issuer', 'text', true),
    field('receivedAt', 'date', false),
    NOTE,
  ],
  record_ceremony: [field('ceremonyDate', 'date', true), NOTE],
};

export function isBulkStep(value: unknown): value is BulkStep {
  return typeof value === 'string' && (BULK_STEPS as readonly string[]).includes(value);
}

/** The one stage each bulk step leaves from, as the transition table declares it. */
export function stepFrom(step: BulkStep): Stage {
  return TRANSITIONS.find((t) => t.id === step)!.from[0];
}

export function stepLabel(step: BulkStep): Text {
  return findTransition(step, stepFrom(step))!.label;
}

/** The bulk steps this role may record (the machine's role table decides). */
export function bulkStepsFor(user: { role: Role }): BulkStep[] {
  return BULK_STEPS.filter((s) => findTransition(s, stepFrom(s))?.roles.includes(user.role));
}

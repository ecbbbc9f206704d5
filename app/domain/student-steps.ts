/**
 * What the student should do next, in plain words, from the stage and the
 * criteria verdict. Returns catalogue keys (with parameters) so the page shows
 * them in the user's language. Pure: the portal's loader calls it.
 */
import type { RuleResult } from './criteria/types.ts';
import type { Stage } from './stages.ts';
import type { MessageKey } from '../i18n/vi.ts';

export interface Step {
  key: MessageKey;
  /** A failing rule's explanation (both languages), shown after the advice. */
  rule?: RuleResult['explanation'];
}

const STAGE_STEP: Record<Stage, MessageKey | null> = {
  member: 'me.step.member',
  outstanding: 'me.step.outstanding',
  awareness_class: 'me.step.awareness_class',
  dossier: 'me.step.dossier',
  introduced: 'me.step.introduced',
  branch_vote: 'me.step.branch_vote',
  committee_review: 'me.step.committee_review',
  decision: 'me.step.decision',
  probation: 'me.step.probation',
  official: 'me.step.official',
  returned: 'me.step.returned',
  not_admitted: 'me.step.ended',
  withdrawn: 'me.step.ended',
  struck_off: 'me.step.ended',
  transferred: 'me.step.ended',
  aged_out: 'me.step.ended',
};

export interface DossierFacts {
  applicationReceived: boolean;
  personalHistoryReceived: boolean;
}

export function nextSteps(
  stage: Stage | null,
  failing: readonly RuleResult[],
  dossier: DossierFacts = { applicationReceived: false, personalHistoryReceived: false },
): Step[] {
  const steps: Step[] = [];
  const key = stage ? STAGE_STEP[stage] : null;
  if (key) steps.push({ key });
  // At the dossier stage, name the paper still missing rather than the whole list.
  if (stage === 'dossier' || stage === 'awareness_class') {
    if (!dossier.applicationReceived) steps.push({ key: 'me.step.application' });
    if (!dossier.personalHistoryReceived) steps.push({ key: 'me.step.personalHistory' });
  }
  const ended = stage === 'official' || STAGE_STEP[stage ?? 'member'] === 'me.step.ended';
  if (!ended) {
    for (const r of failing) {
      steps.push({ key: r.missing ? 'me.step.missingData' : 'me.step.fixCriterion', rule: r.explanation });
    }
  }
  return steps;
}

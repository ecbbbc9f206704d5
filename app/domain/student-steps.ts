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

/** Which papers of the application file are on file (as the portal's checklist shows them). */
export interface DossierFacts {
  applicationReceived: boolean;
  personalHistoryReceived: boolean;
  /** 3-KNĐ (an official member) or 4-KNĐ (the Union executive's resolution). */
  introductionReceived?: boolean;
  /** 5-KNĐ: opinions of the residence Party cell and mass organisations. */
  opinionsReceived?: boolean;
}

const NOTHING: DossierFacts = { applicationReceived: false, personalHistoryReceived: false };

/** The papers still missing at `stage`, in the order of the forms; never one already received. */
export function missingPapers(stage: Stage | null, dossier: DossierFacts): MessageKey[] {
  const out: MessageKey[] = [];
  if (stage === 'awareness_class' || stage === 'dossier') {
    if (!dossier.applicationReceived) out.push('me.step.application');
    if (!dossier.personalHistoryReceived) out.push('me.step.personalHistory');
  }
  if (stage === 'dossier' && !dossier.introductionReceived) out.push('me.step.introduction');
  // The opinions are in before the chi bộ considers the candidate (Hướng dẫn 12-HD/BTCTW).
  if ((stage === 'dossier' || stage === 'introduced') && !dossier.opinionsReceived)
    out.push('me.step.opinions');
  return out;
}

/**
 * The student's next steps. At "Lập hồ sơ" they come from the record: the stage's advice names
 * no form itself, the papers still missing follow one by one (1-KNĐ, 2-KNĐ, 3-KNĐ/4-KNĐ,
 * 5-KNĐ), and once none is missing the advice says the file is complete.
 */
export function nextSteps(
  stage: Stage | null,
  failing: readonly RuleResult[],
  dossier: DossierFacts = NOTHING,
): Step[] {
  const steps: Step[] = [];
  const missing = missingPapers(stage, dossier);
  const key =
    stage === 'dossier' && missing.length === 0
      ? 'me.step.dossierComplete'
      : stage
        ? STAGE_STEP[stage]
        : null;
  if (key) steps.push({ key });
  for (const paper of missing) steps.push({ key: paper });
  const ended = stage === 'official' || STAGE_STEP[stage ?? 'member'] === 'me.step.ended';
  if (!ended) {
    for (const r of failing) {
      steps.push({ key: r.missing ? 'me.step.missingData' : 'me.step.fixCriterion', rule: r.explanation });
    }
  }
  return steps;
}

/** Public face of the admission state machine; see transitions.ts for who may do what. */
export * from './types.ts';
export * from './schemas.ts';
export {
  MIN_AGE_MONTHS,
  MAX_AGE_MONTHS,
  UNION_AGE_MAX_MONTHS,
  INTRODUCER_MIN_MONTHS,
  MAX_FAILED_OFFICIAL_VOTES,
  voteThreshold,
  votePasses,
  ageMonthsOn,
  isUnionAgeOn,
  effectiveVote,
  type VoteCell,
  type VoteFacts,
  type EffectiveVote,
} from './rules.ts';
export {
  TRANSITIONS,
  TRANSITION_IDS,
  isTransitionId,
  findTransition,
  stageBeforeReturn,
  failedOfficialVotes,
  recordersOf,
  officialVoteRecorders,
  type Transition,
  type TransitionId,
} from './transitions.ts';
export {
  checkTransition,
  memberAfter,
  allowedTransitions,
  nextActor,
  nextTransition,
  isReadyForNextStep,
  checkConsent,
  dutyBlocks,
  stepBlocks,
  type AllowedTransition,
  type CheckOptions,
  type Readiness,
} from './machine.ts';
export { CHRONOLOGY, ANCHORS, checkChronology, type AnchorId, type Earlier } from './chronology.ts';
export { stepEntries, stepDay } from './history.ts';
export {
  derivedDossierDays,
  dossierDay,
  applicationDay,
  personalHistoryVerifiedDay,
  introductionDay,
  opinionsDay,
  type DossierDays,
} from './dossier.ts';
export {
  SELECTION_STATUSES,
  OVERRIDE_MIN_LENGTH,
  selectionVerdictOf,
  selectionStatusText,
  needsOverride,
  checkSelectionOverride,
  type SelectionStatus,
  type SelectionVerdict,
  type SelectionFailing,
} from './selection.ts';
export {
  recheckSteps,
  checkConflicts,
  openConflicts,
  mergeConflicts,
  conflictKey,
  producedBy,
  voteAgainstRegister,
  BLOCKED_BY_CONFLICT,
  OVERRIDE_REASON_MIN,
  type Conflict,
  type StoredConflict,
  type KeptConflict,
  keptConflicts,
  type ConflictOverride,
  type RecheckContext,
} from './conflicts.ts';
export { canActOnPipeline, canEditDossier, canAddReviewNote, canResolveFlag } from './tab-permissions.ts';
export { VOTE_STEPS, voteCellChoice } from './vote-steps.ts';
export { stepFields, type FieldKind, type FieldView } from './step-fields.ts';
export {
  BULK_STEPS,
  BULK_FIELDS,
  isBulkStep,
  stepFrom,
  stepLabel,
  bulkStepsFor,
  type BulkStep,
  type BulkField,
} from './bulk-steps.ts';
export {
  SCAN_MAX_BYTES,
  SCAN_TYPES,
  SCAN_FORM_STEP,
  sniffScanType,
  isScanForm,
  scanAllowed,
  scannableForms,
  scanDay,
  type ScanType,
} from './scans.ts';

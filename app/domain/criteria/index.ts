/** Public face of the criteria engine; see engine.ts for the decisions it makes. */
export * from './types.ts';
export { compile, evaluate, convertGpa, type Evaluator, type CompileOptions } from './engine.ts';
export { certificateLastValidDay, CERTIFICATE_VALID_MONTHS } from '../certificate.ts';
export { diffVerdicts, simulate, classifyChange, emptyDiffCounts, VERDICT_CHANGES } from './diff.ts';
export type { VerdictChange, VerdictDiff, VerdictDiffCounts, Simulation, SimulatedChange } from './diff.ts';
export { CriteriaSetSchema, RuleSchema, CRITERIA_ERROR_CODES, criteriaIssues } from './schema.ts';
export type { CriteriaErrorCode, CriteriaIssue, CriteriaSetInput } from './schema.ts';
export {
  wholeMonthsBetween,
  addMonthsDay,
  calendarDay,
  schoolYearStart,
  formatDay,
  SCHOOL_YEAR_START_MONTH,
} from '../calendar.ts';
export {
  formatNumber,
  UNION_RATING_LABELS,
  THPT_RATING_LABELS,
  AWARD_LEVEL_LABELS,
  TITLE_LABELS,
} from './labels.ts';
export { DEFAULT_CRITERIA_SETS, defaultCriteriaSet } from './defaults.ts';

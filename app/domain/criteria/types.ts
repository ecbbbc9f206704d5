/**
 * Types of the criteria engine. `CriteriaMember` is the smallest structural
 * subset of a member document the rules read, so a lean mongoose document, a
 * seed member and a hand-written test object all fit without conversion.
 */
import type { AcademicRank, GpaScale } from '../academic.ts';
import type { DateLike } from '../calendar.ts';

export type Locale = 'vi' | 'en';
export interface Text {
  vi: string;
  en: string;
}

export const SCHOOL_KINDS = ['university', 'college', 'high_school'] as const;
export type SchoolKind = (typeof SCHOOL_KINDS)[number];

/** Best first, as in models/member.ts. */
export const UNION_RATING_LEVELS = ['excellent', 'good', 'complete', 'incomplete'] as const;
export type UnionRatingLevel = (typeof UNION_RATING_LEVELS)[number];
export const THPT_RATINGS = ['tot', 'kha', 'dat', 'chua_dat'] as const;
export type ThptRating = (typeof THPT_RATINGS)[number];
export const AWARD_KINDS = ['giay_khen', 'bang_khen', 'title'] as const;
export type AwardKind = (typeof AWARD_KINDS)[number];
/** Lowest first: a rule's `level` is a minimum. */
export const AWARD_LEVELS = ['school', 'province', 'central'] as const;
export type AwardLevel = (typeof AWARD_LEVELS)[number];
export const TITLES = ['sv5t', 'hs3t'] as const;
export type TitleCode = (typeof TITLES)[number];
export const CRITERIA_PURPOSES = ['selection', 'admission'] as const;
export type CriteriaPurpose = (typeof CRITERIA_PURPOSES)[number];

type Maybe<T> = T | null | undefined;

export interface CriteriaTerm {
  year: string;
  term: number;
  scale: number;
  gpa?: Maybe<number>;
  conductScore?: Maybe<number>;
  conductRating?: Maybe<string>;
  studyRating?: Maybe<string>;
}

export interface CriteriaAward {
  title?: Maybe<string>;
  kind: string;
  level: string;
  date?: Maybe<DateLike>;
  verified?: Maybe<boolean>;
}

export interface CriteriaActivity {
  days?: Maybe<number>;
  startDate?: Maybe<DateLike>;
  endDate?: Maybe<DateLike>;
  verifiedAt?: Maybe<DateLike>;
}

export interface CriteriaMember {
  dateOfBirth?: Maybe<DateLike>;
  union?: Maybe<{ joinedAt?: Maybe<DateLike> }>;
  /** `participation`: % of the branch's meetings and activities attended, where recorded (union-rating.ts). */
  unionRatings?: Maybe<readonly { year: string; level: string; participation?: Maybe<number> }[]>;
  academicTerms?: Maybe<readonly CriteriaTerm[]>;
  awards?: Maybe<readonly CriteriaAward[]>;
  activities?: Maybe<readonly CriteriaActivity[]>;
  pipeline?: Maybe<{ certificate?: Maybe<{ issuedAt?: Maybe<DateLike>; expiresAt?: Maybe<DateLike> }> }>;
}

/**
 * Which terms a rule looks at. 'latest_year': every term of the most recent
 * school year (not after asOf's) with data for the rule. `{ lastTerms: n }`: the
 * n most recent such terms, or all of them when the member has fewer (the
 * explanation then says "2 of 4 terms").
 */
export type TermBasis = 'latest_year' | { lastTerms: number };

interface RuleBase {
  id: string;
  /** Required rules must pass; the others are scored: they add `weight` points when they pass. */
  required: boolean;
  weight?: number;
}

export interface MinGpaParams {
  kind: 'min_gpa';
  min: number;
  scale: GpaScale;
  basis: TermBasis;
  /** Convert terms on the other scale (rank-preserving, see `convertGpa`); without it they do not count. */
  convert?: boolean;
}
export interface MinAcademicRankParams {
  kind: 'min_academic_rank';
  rank: AcademicRank;
  basis: TermBasis;
  /** Terms on this scale only; default: the scale of the member's most recent term. */
  scale?: GpaScale;
}
/** Universities/colleges: mean conduct score ≥ minScore. THPT: every term's rating ≥ minRating. */
export interface MinConductParams {
  kind: 'min_conduct';
  minScore?: number;
  minRating?: ThptRating;
  basis: TermBasis;
}
/** THPT study result (Thông tư 22/2021): every term's rating ≥ min. */
export interface MinStudyRatingParams {
  kind: 'min_study_rating';
  min: ThptRating;
  basis: TermBasis;
}
export interface UnionRatingParams {
  kind: 'union_rating';
  level: UnionRatingLevel;
  years: number;
  /** true (default): the `years` school years before asOf's; false: ending with asOf's own school year. */
  ofPreviousYears?: boolean;
}
export interface MinAwardsParams {
  kind: 'min_awards';
  count: number;
  level?: AwardLevel;
  awardKinds?: AwardKind[];
  sinceMonths?: number;
}
export interface TitleHeldParams {
  kind: 'title_held';
  title: TitleCode;
  level: AwardLevel;
  sinceMonths?: number;
}
export interface MinVolunteerDaysParams {
  kind: 'min_volunteer_days';
  days: number;
  sinceMonths?: number;
}
export interface AgeAtParams {
  kind: 'age_at';
  minYears?: number;
  /** Inclusive in whole months: 60 years and 0 months passes, 60 years 1 month does not. */
  maxYears?: number;
  at: 'asOf';
}
export interface CertificateValidParams {
  kind: 'certificate_valid';
}
export interface UnionMembershipMonthsParams {
  kind: 'union_membership_months';
  min: number;
}

export type LeafRuleParams =
  | MinGpaParams
  | MinAcademicRankParams
  | MinConductParams
  | MinStudyRatingParams
  | UnionRatingParams
  | MinAwardsParams
  | TitleHeldParams
  | MinVolunteerDaysParams
  | AgeAtParams
  | CertificateValidParams
  | UnionMembershipMonthsParams;

/** An alternative inside `any_of`: its own `required`/`weight` would be meaningless. */
export type AlternativeRule = LeafRuleParams & { id: string };

/** Passes when any alternative passes ("HS3T title or study rated Khá"). One level deep only. */
export interface AnyOfParams {
  kind: 'any_of';
  rules: AlternativeRule[];
}

export type RuleParams = LeafRuleParams | AnyOfParams;
export type RuleKind = RuleParams['kind'];
export type Rule = RuleParams & RuleBase;

export interface CriteriaSet {
  id?: string;
  name: string;
  schoolKind: SchoolKind;
  /** "2025-2026" */
  schoolYear: string;
  version: number;
  /** Outstanding-member selection or Party admission (the latter adds the hard legal rules). */
  purpose?: CriteriaPurpose;
  rules: Rule[];
  /** Points the scored rules must reach; required when the set has scored rules. */
  passMark?: number;
}

export type RuleValue = number | string | boolean | null | readonly (string | null)[];

export interface RuleResult {
  ruleId: string;
  kind: RuleKind;
  required: boolean;
  passed: boolean;
  /** The rule could not be judged for lack of data (and so did not pass). */
  missing: boolean;
  /** Scored rules: points earned (weight or 0) and weight. */
  points?: number;
  weight?: number;
  actual: RuleValue;
  expected: RuleValue;
  explanation: Text;
}

export interface Verdict {
  eligible: boolean;
  /** Only when the set has scored rules. */
  score?: number;
  maxScore?: number;
  passMark?: number;
  results: RuleResult[];
}

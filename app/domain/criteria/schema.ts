/**
 * Validation of a criteria set coming from the editor form or the database.
 * Messages are codes (CRITERIA_ERROR_CODES), never sentences: the UI translates
 * them. Parameters are checked per rule kind (a GPA within its scale, counts
 * ≥ 0, a pass mark the scored rules can reach…), so the engine can trust a set
 * that passed here.
 */
import { z } from 'zod';
import { ACADEMIC_RANKS } from '../academic.ts';
import {
  AWARD_KINDS,
  AWARD_LEVELS,
  CRITERIA_PURPOSES,
  SCHOOL_KINDS,
  THPT_RATINGS,
  TITLES,
  UNION_RATING_LEVELS,
  type CriteriaSet,
} from './types.ts';

export const CRITERIA_ERROR_CODES = [
  'invalid',
  'name_required',
  'school_kind_invalid',
  'school_year_invalid',
  'version_invalid',
  'purpose_invalid',
  'rules_empty',
  'rule_id_required',
  'rule_id_duplicate',
  'rule_kind_invalid',
  'required_invalid',
  'weight_required',
  'weight_invalid',
  'pass_mark_required',
  'pass_mark_invalid',
  'pass_mark_unreachable',
  'gpa_scale_invalid',
  'gpa_out_of_scale',
  'basis_invalid',
  'rank_invalid',
  'conduct_measure_missing',
  'conduct_measure_both',
  'conduct_score_invalid',
  'rating_invalid',
  'level_invalid',
  'years_invalid',
  'count_invalid',
  'award_kind_invalid',
  'title_invalid',
  'months_invalid',
  'days_invalid',
  'age_invalid',
  'age_bounds_missing',
  'age_bounds_inverted',
  'alternatives_empty',
] as const;
export type CriteriaErrorCode = (typeof CRITERIA_ERROR_CODES)[number];

/** Longest look-back a rule may ask for: 10 years covers any school career. */
const MAX_MONTHS = 120;

const count = (code: CriteriaErrorCode, max = 1000) => z.number(code).int(code).min(0, code).max(max, code);
const months = () =>
  z.number('months_invalid').int('months_invalid').min(1, 'months_invalid').max(MAX_MONTHS, 'months_invalid');

const basis = z.union(
  [
    z.literal('latest_year'),
    z.object(
      {
        lastTerms: z
          .number('basis_invalid')
          .int('basis_invalid')
          .min(1, 'basis_invalid')
          .max(12, 'basis_invalid'),
      },
      'basis_invalid',
    ),
  ],
  'basis_invalid',
);
const scale = z.union([z.literal(4), z.literal(10)], 'gpa_scale_invalid');
const rating = z.enum(THPT_RATINGS, 'rating_invalid');
const level = z.enum(AWARD_LEVELS, 'level_invalid');

// Parameters of each leaf kind. Cross-field checks come after, in `checkParams`.
const LEAF_PARAMS = {
  min_gpa: {
    min: z.number('gpa_out_of_scale').min(0, 'gpa_out_of_scale'),
    scale,
    basis,
    convert: z.boolean().optional(),
  },
  min_academic_rank: { rank: z.enum(ACADEMIC_RANKS, 'rank_invalid'), basis, scale: scale.optional() },
  min_conduct: {
    minScore: z
      .number('conduct_score_invalid')
      .min(0, 'conduct_score_invalid')
      .max(100, 'conduct_score_invalid')
      .optional(),
    minRating: rating.optional(),
    basis,
  },
  min_study_rating: { min: rating, basis },
  union_rating: {
    level: z.enum(UNION_RATING_LEVELS, 'level_invalid'),
    years: z.number('years_invalid').int('years_invalid').min(1, 'years_invalid').max(10, 'years_invalid'),
    ofPreviousYears: z.boolean().optional(),
  },
  min_awards: {
    count: count('count_invalid'),
    level: level.optional(),
    awardKinds: z.array(z.enum(AWARD_KINDS, 'award_kind_invalid')).optional(),
    sinceMonths: months().optional(),
  },
  title_held: { title: z.enum(TITLES, 'title_invalid'), level, sinceMonths: months().optional() },
  min_volunteer_days: {
    days: z.number('days_invalid').min(0, 'days_invalid').max(3650, 'days_invalid'),
    sinceMonths: months().optional(),
  },
  age_at: {
    minYears: z
      .number('age_invalid')
      .int('age_invalid')
      .min(0, 'age_invalid')
      .max(100, 'age_invalid')
      .optional(),
    maxYears: z
      .number('age_invalid')
      .int('age_invalid')
      .min(0, 'age_invalid')
      .max(100, 'age_invalid')
      .optional(),
    at: z.literal('asOf', 'invalid'),
  },
  certificate_valid: {},
  union_membership_months: { min: count('months_invalid', 600) },
} as const;

type LeafKind = keyof typeof LEAF_PARAMS;

const ruleId = z.string('rule_id_required').trim().min(1, 'rule_id_required').max(64, 'rule_id_required');

const ruleBase = {
  id: ruleId,
  required: z.boolean('required_invalid'),
  weight: z.number('weight_invalid').min(0, 'weight_invalid').max(1000, 'weight_invalid').optional(),
};
const alternativeBase = { id: ruleId };

/** One kind's object schema, as a rule of the set (`base` = ruleBase) or inside any_of. */
function leafObject<K extends LeafKind, B extends z.ZodRawShape>(kind: K, base: B) {
  return z.object({ ...base, kind: z.literal(kind), ...LEAF_PARAMS[kind] });
}

// Spelled out kind by kind so each member of the union keeps its own parameter types.
function leafUnion<B extends z.ZodRawShape>(base: B) {
  return [
    leafObject('min_gpa', base),
    leafObject('min_academic_rank', base),
    leafObject('min_conduct', base),
    leafObject('min_study_rating', base),
    leafObject('union_rating', base),
    leafObject('min_awards', base),
    leafObject('title_held', base),
    leafObject('min_volunteer_days', base),
    leafObject('age_at', base),
    leafObject('certificate_valid', base),
    leafObject('union_membership_months', base),
  ] as const;
}

/** Cross-field checks of a rule's own parameters. */
function checkParams(rule: Record<string, unknown>, ctx: z.RefinementCtx, path: (string | number)[]) {
  const issue = (message: CriteriaErrorCode, field?: string) =>
    ctx.addIssue({ code: 'custom', message, path: field ? [...path, field] : path });
  switch (rule.kind) {
    case 'min_gpa':
      if (typeof rule.min === 'number' && typeof rule.scale === 'number' && rule.min > rule.scale)
        issue('gpa_out_of_scale', 'min');
      break;
    case 'min_conduct':
      if (rule.minScore === undefined && rule.minRating === undefined) issue('conduct_measure_missing');
      if (rule.minScore !== undefined && rule.minRating !== undefined) issue('conduct_measure_both');
      break;
    case 'age_at':
      if (rule.minYears === undefined && rule.maxYears === undefined) issue('age_bounds_missing');
      if (
        typeof rule.minYears === 'number' &&
        typeof rule.maxYears === 'number' &&
        rule.minYears > rule.maxYears
      ) {
        issue('age_bounds_inverted', 'maxYears');
      }
      break;
  }
}

const AlternativeSchema = z.discriminatedUnion('kind', leafUnion(alternativeBase), 'rule_kind_invalid');

const AnyOfSchema = z.object({
  ...ruleBase,
  kind: z.literal('any_of'),
  rules: z.array(AlternativeSchema).min(1, 'alternatives_empty').max(10, 'invalid'),
});

export const RuleSchema = z
  .discriminatedUnion('kind', [...leafUnion(ruleBase), AnyOfSchema], 'rule_kind_invalid')
  .superRefine((rule, ctx) => {
    const r = rule as Record<string, unknown>;
    checkParams(r, ctx, []);
    if (rule.kind === 'any_of') {
      rule.rules.forEach((alt, i) => checkParams(alt as Record<string, unknown>, ctx, ['rules', i]));
    }
    if (!rule.required && !(typeof rule.weight === 'number' && rule.weight > 0)) {
      ctx.addIssue({ code: 'custom', message: 'weight_required', path: ['weight'] });
    }
  });

export const CriteriaSetSchema = z
  .object({
    id: z.string('invalid').trim().min(1, 'invalid').max(100, 'invalid').optional(),
    name: z.string('name_required').trim().min(1, 'name_required').max(200, 'name_required'),
    schoolKind: z.enum(SCHOOL_KINDS, 'school_kind_invalid'),
    schoolYear: z
      .string('school_year_invalid')
      .regex(/^\d{4}-\d{4}$/, 'school_year_invalid')
      .refine((y) => Number(y.slice(5)) === Number(y.slice(0, 4)) + 1, 'school_year_invalid'),
    version: z.number('version_invalid').int('version_invalid').min(1, 'version_invalid'),
    purpose: z.enum(CRITERIA_PURPOSES, 'purpose_invalid').optional(),
    rules: z.array(RuleSchema, 'rules_empty').min(1, 'rules_empty').max(50, 'invalid'),
    passMark: z.number('pass_mark_invalid').min(0, 'pass_mark_invalid').optional(),
  })
  .superRefine((set, ctx) => {
    const seen = new Set<string>();
    set.rules.forEach((rule, i) => {
      const ids = rule.kind === 'any_of' ? [rule.id, ...rule.rules.map((r) => r.id)] : [rule.id];
      ids.forEach((id, j) => {
        if (seen.has(id)) {
          ctx.addIssue({
            code: 'custom',
            message: 'rule_id_duplicate',
            path: j === 0 ? ['rules', i, 'id'] : ['rules', i, 'rules', j - 1, 'id'],
          });
        }
        seen.add(id);
      });
    });
    const scored = set.rules.filter((r) => !r.required);
    if (scored.length === 0) return;
    if (set.passMark === undefined) {
      ctx.addIssue({ code: 'custom', message: 'pass_mark_required', path: ['passMark'] });
      return;
    }
    const max = scored.reduce((sum, r) => sum + (r.weight ?? 0), 0);
    if (set.passMark > max + 1e-9)
      ctx.addIssue({ code: 'custom', message: 'pass_mark_unreachable', path: ['passMark'] });
  });

// The schema and the hand-written types must agree: this line stops compiling if they drift.
export type CriteriaSetInput = z.input<typeof CriteriaSetSchema>;
const _agree: (s: z.output<typeof CriteriaSetSchema>) => CriteriaSet = (s) => s;
void _agree;

export interface CriteriaIssue {
  path: string;
  code: CriteriaErrorCode;
}

/** Issues of a failed parse as `{ path: 'rules.2.min', code }`, codes outside the list as 'invalid'. */
export function criteriaIssues(error: z.ZodError): CriteriaIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.join('.'),
    code: (CRITERIA_ERROR_CODES as readonly string[]).includes(issue.message)
      ? (issue.message as CriteriaErrorCode)
      : 'invalid',
  }));
}

/**
 * The schemas of a member's sub-records (academic terms, awards, activities, yearly Union
 * ratings), shared by the editors (app/components/member-records/) and the action
 * (app/utils/members/member-records.server.ts), with the shapes loaders send.
 */
import { z } from 'zod';
import { calendarDay, schoolYearStart } from '~/domain/calendar';
import { AWARD_KINDS, AWARD_LEVELS, THPT_RATINGS, UNION_RATING_LEVELS } from '~/domain/criteria/types';
import { participationTooLow } from '~/domain/union-rating';
import type { MessageKey } from '~/i18n';
import type { FieldErrors, FormResult } from './conform';
import { checkbox, choice, optionalText, schoolYear } from './fields';
import { optionalDay } from './member';

export const RECORD_KINDS = ['term', 'award', 'activity', 'rating'] as const;
export type RecordKind = (typeof RECORD_KINDS)[number];

/** A decimal as people type it ("3,45" or "3.45"), or empty. */
const optionalNumber = (message: MessageKey) =>
  z
    .string()
    .trim()
    .optional()
    .refine((v) => !v || /^\d+([.,]\d+)?$/.test(v), message)
    .transform((v) => (v ? Number(v.replace(',', '.')) : undefined));

const optionalChoice = <T extends readonly [string, ...string[]]>(values: T) =>
  z
    .union([z.literal(''), z.enum(values, 'validation.invalidChoice')])
    .optional()
    .transform((v) => (v ? (v as T[number]) : undefined));

export const TermSchema = z
  .object({
    year: schoolYear,
    term: z.enum(['1', '2', '3'], 'member.v.term').transform(Number),
    scale: z.enum(['4', '10'], 'member.v.scale').transform(Number),
    gpa: optionalNumber('member.v.decimal'),
    conductScore: optionalNumber('member.v.decimal'),
    conductRating: optionalChoice(THPT_RATINGS),
    studyRating: optionalChoice(THPT_RATINGS),
  })
  .superRefine((v, ctx) => {
    if (v.gpa !== undefined && v.gpa > v.scale) {
      ctx.addIssue({
        code: 'custom',
        path: ['gpa'],
        message: v.scale === 4 ? 'member.v.gpa4' : 'member.v.gpa10',
      });
    }
    if (v.conductScore !== undefined && v.conductScore > 100) {
      ctx.addIssue({ code: 'custom', path: ['conductScore'], message: 'member.v.conductScore' });
    }
    if (v.gpa === undefined && v.conductScore === undefined && !v.conductRating && !v.studyRating) {
      ctx.addIssue({ code: 'custom', path: ['gpa'], message: 'member.v.resultEmpty' });
    }
  });

export const AwardSchema = z.object({
  title: z.string().trim().min(1, 'validation.required').max(200, 'validation.tooLong'),
  kind: choice(AWARD_KINDS),
  level: choice(AWARD_LEVELS),
  date: optionalDay,
  decisionNo: optionalText(60),
  issuer: optionalText(200),
  verified: checkbox,
});

export const ActivitySchema = z
  .object({
    campaign: z.string().trim().min(1, 'validation.required').max(200, 'validation.tooLong'),
    role: optionalText(100),
    days: optionalNumber('member.v.integer').refine(
      (v) => v === undefined || (Number.isInteger(v) && v <= 366),
      'member.v.days',
    ),
    hours: optionalNumber('member.v.decimal').refine((v) => v === undefined || v <= 5000, 'member.v.hours'),
    startDate: optionalDay,
    endDate: optionalDay,
    verified: checkbox,
  })
  .superRefine((v, ctx) => {
    if (v.startDate && v.endDate && v.endDate < v.startDate) {
      ctx.addIssue({ code: 'custom', path: ['endDate'], message: 'validation.dateOrder' });
    }
  });

/**
 * A yearly rating, with the participation rate where the school records it: "xuất sắc"
 * needs ≥ 90 % then (app/domain/union-rating.ts); blank means not recorded.
 */
export const RatingSchema = z
  .object({
    year: schoolYear,
    level: choice(UNION_RATING_LEVELS),
    participation: optionalNumber('member.v.participation').refine(
      (v) => v === undefined || v <= 100,
      'member.v.participation',
    ),
  })
  .superRefine((v, ctx) => {
    if (participationTooLow(v.level, v.participation)) {
      ctx.addIssue({ code: 'custom', path: ['participation'], message: 'member.v.excellentParticipation' });
    }
  });

export const RECORD_SCHEMAS = {
  term: TermSchema,
  award: AwardSchema,
  activity: ActivitySchema,
  rating: RatingSchema,
} as const;

export type TermInput = z.output<typeof TermSchema>;
export type AwardInput = z.output<typeof AwardSchema>;
export type ActivityInput = z.output<typeof ActivitySchema>;
export type RatingInput = z.output<typeof RatingSchema>;

// What loaders send: plain strings and numbers, dates as yyyy-mm-dd.
export interface TermView {
  key: string;
  year: string;
  term: number;
  scale: number;
  gpa: number | null;
  conductScore: number | null;
  conductRating: string | null;
  studyRating: string | null;
}
export interface AwardView {
  key: string;
  title: string;
  kind: string;
  level: string;
  date: string;
  decisionNo: string;
  issuer: string;
  verified: boolean;
}
export interface ActivityView {
  key: string;
  campaign: string;
  role: string;
  days: number | null;
  hours: number | null;
  startDate: string;
  endDate: string;
  verified: boolean;
}
export interface RatingView {
  key: string;
  year: string;
  level: string;
  /** % attended, '' when not recorded. */
  participation: string;
}

/**
 * What a failed sub-record action returns, so the right form shows its errors: conform's
 * `result` for the form, and the same messages by field (`formError`: the whole form's).
 */
export interface RecordFailure {
  record: RecordKind;
  key: string;
  result: FormResult;
  values: Record<string, string>;
  fieldErrors: FieldErrors;
  formError: MessageKey | null;
}

/** School years offered in pickers: the last ten and the current one, plus any already stored. */
export function schoolYearOptions(extra: string[] = []): string[] {
  // A school year starts in September; today is today in Vietnam (also in a browser elsewhere).
  const first = schoolYearStart(calendarDay(new Date())!);
  const years = new Set(extra);
  for (let y = first; y > first - 10; y--) years.add(`${y}-${y + 1}`);
  return [...years].sort().reverse();
}

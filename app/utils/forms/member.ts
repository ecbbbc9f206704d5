/**
 * The member identity form's schema, shared by the editor (app/components/member-editor.tsx)
 * and the action (app/utils/members/member-edit.server.ts). Database checks (a student code taken
 * in the school, a branch outside the school, a stale version) happen only in the action.
 */
import { z } from 'zod';
import { parseGraduationMonth } from '~/domain/graduation';
import { GENDERS } from '~/domain/member-vocabulary';
import { checkbox, choice, isIsoDay, optionalObjectId, optionalText, text } from './fields';

export const SENSITIVE_FIELDS = ['ethnicity', 'religion', 'citizenId'] as const;
export type SensitiveField = (typeof SENSITIVE_FIELDS)[number];

// Same rules as the spreadsheet import (app/domain/member-import/schemas.ts), so a record typed
// in by hand and one imported from a file are held to one standard.
const CODE_RE = /^[\p{L}\p{N}._/-]+$/u;
const NAME_RE = /^[\p{L}\p{M}][\p{L}\p{M}' .-]*$/u;
export const MIN_DAY = '1950-01-01';

/** Today in Vietnam as yyyy-mm-dd: what `<input type=date>` sends. */
export function todayIso(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh' }).format(new Date());
}

/** A yyyy-mm-dd day between 1950 and today, or empty. */
export const optionalDay = z
  .string()
  .trim()
  .optional()
  .refine((v) => !v || isIsoDay(v), 'validation.date')
  .refine((v) => !v || !isIsoDay(v) || (v >= MIN_DAY && v <= todayIso()), 'member.v.dateRange')
  .transform((v) => (v ? v : undefined));

export const MemberSchema = z
  .object({
    fullName: z
      .string()
      .trim()
      .transform((v) => v.replace(/\s+/g, ' '))
      .pipe(
        z
          .string()
          // Empty is only "required", not also "not a name" (conform lists every issue).
          .min(1, { error: 'validation.required', abort: true })
          .max(100, 'validation.tooLong')
          .regex(NAME_RE, 'member.v.name'),
      ),
    studentCode: text(30)
      .min(1, { error: 'validation.required', abort: true })
      .regex(CODE_RE, 'member.v.code'),
    dateOfBirth: optionalDay.refine((v) => !!v, 'validation.required'),
    gender: choice(GENDERS),
    email: z
      .string()
      .trim()
      .toLowerCase()
      .optional()
      .refine((v) => !v || z.email().max(254).safeParse(v).success, 'validation.email')
      .transform((v) => (v ? v : undefined)),
    phone: z
      .string()
      .optional()
      .transform((v) => (v ?? '').replace(/[\s.()-]/g, '').replace(/^\+84/, '0'))
      .refine((v) => !v || /^0\d{9}$/.test(v), 'member.v.phone')
      .transform((v) => (v ? v : undefined)),
    schoolId: optionalObjectId(),
    branchId: optionalObjectId(),
    unionJoinedAt: optionalDay,
    unionCardNumber: optionalText(30),
    // A month ("2027-06", or "06/2027" typed where the browser has no month picker).
    expectedGraduation: z
      .string()
      .trim()
      .optional()
      .refine((v) => !v || parseGraduationMonth(v) !== null, 'member.v.graduation')
      .transform((v) => (v ? (parseGraduationMonth(v) ?? undefined) : undefined)),
    // Blank on a new member: the current school year and the branch's course (member-course.server.ts).
    schoolYear: z
      .string()
      .trim()
      .optional()
      .refine((v) => !v || /^(\d{4})-(\d{4})$/.test(v), 'member.v.schoolYear')
      .refine((v) => !v || Number(v.slice(5)) === Number(v.slice(0, 4)) + 1, 'member.v.schoolYear')
      .transform((v) => (v ? v : undefined)),
    cohort: z
      .string()
      .trim()
      .optional()
      .refine((v) => !v || (/^\d{4}$/.test(v) && +v >= 1990 && +v <= 2100), 'member.v.cohort')
      .transform((v) => (v ? Number(v) : undefined)),
    ethnicity: optionalText(50),
    religion: optionalText(50),
    citizenId: z
      .string()
      .optional()
      .transform((v) => (v ?? '').replace(/\s/g, ''))
      .refine((v) => !v || /^\d{12}$/.test(v), 'member.v.citizenId')
      .transform((v) => (v ? v : undefined)),
    clearEthnicity: checkbox,
    clearReligion: checkbox,
    clearCitizenId: checkbox,
  })
  .superRefine((v, ctx) => {
    if (v.dateOfBirth && v.unionJoinedAt && v.unionJoinedAt <= v.dateOfBirth) {
      ctx.addIssue({ code: 'custom', path: ['unionJoinedAt'], message: 'member.v.joinBeforeBirth' });
    }
  });

export type MemberInput = z.output<typeof MemberSchema>;

export interface MemberFormValues {
  fullName?: string;
  studentCode?: string;
  dateOfBirth?: string;
  gender?: string;
  email?: string;
  phone?: string;
  schoolId?: string;
  branchId?: string;
  unionJoinedAt?: string;
  unionCardNumber?: string;
  expectedGraduation?: string;
  schoolYear?: string;
  cohort?: string;
  ethnicity?: string;
  religion?: string;
  citizenId?: string;
  clearEthnicity?: string;
  clearReligion?: string;
  clearCitizenId?: string;
}

export interface SchoolOption {
  id: string;
  label: string;
}

export interface BranchOption {
  id: string;
  label: string;
  schoolId: string;
}

/** What is stored for each sensitive field, masked: shown as a hint, never the value. */
export type SensitiveHints = Partial<Record<SensitiveField, string>>;

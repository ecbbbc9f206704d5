/**
 * The member identity form, shared by /members/new and /members/:id/edit: one zod
 * schema for the browser's instant checks and the action's real check. Database
 * checks (a student code taken in the school, a branch outside the school, a stale
 * version) happen only in the action (app/utils/member-edit.server.ts).
 *
 * Sensitive fields (ethnicity, religion, citizen ID; Law 91/2025) are write-only
 * here: the form never shows stored values, so editing a record is not a way
 * around the audited reveal. Blank keeps what is stored; a "clear" box erases it.
 */
import { Form, useNavigation } from '@remix-run/react';
import { useState } from 'react';
import { z } from 'zod';
import { Field, FormError, SelectField } from '~/components/forms';
import { parseGraduationMonth } from '~/domain/graduation';
import type { MessageKey } from '~/i18n';
import { useT } from '~/i18n/use-t';
import { checkOnSubmit, type FieldErrors } from '~/utils/validation';
import { isObjectId } from '~/domain/ids';

export const GENDER_VALUES = ['male', 'female', 'other'] as const;
export const SENSITIVE_FIELDS = ['ethnicity', 'religion', 'citizenId'] as const;
export type SensitiveField = (typeof SENSITIVE_FIELDS)[number];

// Same rules as the spreadsheet import (app/domain/member-import.ts), so a record typed
// in by hand and one imported from a file are held to one standard.
const CODE_RE = /^[\p{L}\p{N}._/-]+$/u;
const NAME_RE = /^[\p{L}\p{M}][\p{L}\p{M}' .-]*$/u;
const MIN_DAY = '1950-01-01';

/** Today in Vietnam as yyyy-mm-dd: what `<input type=date>` sends. */
export function todayIso(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh' }).format(new Date());
}

// A real calendar day: the engine would otherwise roll 2005-02-31 over to 3 March.
const isIsoDay = (v: string) => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) return false;
  const d = new Date(`${v}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v;
};

const text = (max: number) => z.string().trim().max(max, 'validation.tooLong');
const optionalText = (max: number) =>
  text(max)
    .optional()
    .transform((v) => (v ? v : undefined));

/** A yyyy-mm-dd day between 1950 and today, or empty. */
export const optionalDay = z
  .string()
  .trim()
  .optional()
  .refine((v) => !v || isIsoDay(v), 'validation.date')
  .refine((v) => !v || !isIsoDay(v) || (v >= MIN_DAY && v <= todayIso()), 'member.v.dateRange')
  .transform((v) => (v ? v : undefined));

const objectId = z
  .string()
  .trim()
  .optional()
  .refine((v) => !v || isObjectId(v), 'validation.invalidChoice')
  .transform((v) => (v ? v : undefined));

const checkbox = z
  .string()
  .optional()
  .transform((v) => v === 'on' || v === 'true');

export const MemberSchema = z
  .object({
    fullName: z
      .string()
      .trim()
      .transform((v) => v.replace(/\s+/g, ' '))
      .pipe(
        z
          .string()
          .min(1, 'validation.required')
          .max(100, 'validation.tooLong')
          .regex(NAME_RE, 'member.v.name'),
      ),
    studentCode: text(30).min(1, 'validation.required').regex(CODE_RE, 'member.v.code'),
    dateOfBirth: optionalDay.refine((v) => !!v, 'validation.required'),
    gender: z.enum(GENDER_VALUES, 'validation.invalidChoice'),
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
    schoolId: objectId,
    branchId: objectId,
    unionJoinedAt: optionalDay,
    unionCardNumber: optionalText(30),
    // A month ("2027-06", or "06/2027" typed where the browser has no month picker).
    expectedGraduation: z
      .string()
      .trim()
      .optional()
      .refine((v) => !v || parseGraduationMonth(v) !== null, 'member.v.graduation')
      .transform((v) => (v ? (parseGraduationMonth(v) ?? undefined) : undefined)),
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

export function MemberEditor({
  mode,
  values,
  version,
  schools,
  branches,
  canSensitive,
  sensitiveHints,
  errors: serverErrors,
  formError,
}: {
  mode: 'create' | 'edit';
  values: MemberFormValues;
  /** The document version the form was opened on (edit only). */
  version?: number;
  schools: SchoolOption[];
  branches: BranchOption[];
  canSensitive: boolean;
  sensitiveHints?: SensitiveHints;
  errors?: FieldErrors;
  formError?: MessageKey | null;
}) {
  const t = useT();
  const navigation = useNavigation();
  const [clientErrors, setClientErrors] = useState<FieldErrors | null>(null);
  const [schoolId, setSchoolId] = useState(values.schoolId ?? schools[0]?.id ?? '');
  const errors = clientErrors ?? serverErrors ?? {};
  const busy = navigation.state === 'submitting' && navigation.formData?.get('intent') === 'save';
  const hasErrors = Object.keys(errors).length > 0;
  const shownBranches = branches.filter((b) => b.schoolId === schoolId);
  const today = todayIso();

  return (
    <Form
      method="post"
      className="form"
      noValidate
      aria-labelledby="member-identity-title"
      onSubmit={(event) => setClientErrors(checkOnSubmit(event, MemberSchema))}
    >
      <h2 id="member-identity-title">{t('member.section.identity')}</h2>
      <div id="member-form-error" aria-live="polite">
        <FormError message={formError ?? (hasErrors ? 'validation.formErrors' : null)} />
      </div>
      <input type="hidden" name="intent" value="save" />
      {version !== undefined ? <input type="hidden" name="version" value={version} /> : null}
      <Field
        label={t('member.fullName')}
        errors={errors.fullName}
        inputProps={{
          name: 'fullName',
          defaultValue: values.fullName,
          required: true,
          maxLength: 100,
          autoComplete: 'off',
        }}
      />
      <Field
        label={t('member.studentCode')}
        errors={errors.studentCode}
        hint={t('member.studentCodeHint')}
        inputProps={{ name: 'studentCode', defaultValue: values.studentCode, required: true, maxLength: 30 }}
      />
      <Field
        label={t('member.dateOfBirth')}
        errors={errors.dateOfBirth}
        inputProps={{
          name: 'dateOfBirth',
          type: 'date',
          min: MIN_DAY,
          max: today,
          defaultValue: values.dateOfBirth,
          required: true,
        }}
      />
      <SelectField
        label={t('member.gender')}
        errors={errors.gender}
        selectProps={{ name: 'gender', defaultValue: values.gender ?? '', required: true }}
      >
        <option value="">{t('member.choose')}</option>
        {GENDER_VALUES.map((g) => (
          <option key={g} value={g}>
            {t(`member.genderValue.${g}`)}
          </option>
        ))}
      </SelectField>
      <Field
        label={t('member.email')}
        errors={errors.email}
        inputProps={{
          name: 'email',
          type: 'email',
          defaultValue: values.email,
          maxLength: 254,
          autoComplete: 'off',
        }}
      />
      <Field
        label={t('member.phone')}
        errors={errors.phone}
        inputProps={{
          name: 'phone',
          type: 'tel',
          defaultValue: values.phone,
          maxLength: 20,
          autoComplete: 'off',
        }}
      />

      <h2>{t('member.section.school')}</h2>
      {mode === 'create' && schools.length > 1 ? (
        <SelectField
          label={t('member.school')}
          errors={errors.schoolId}
          selectProps={{
            name: 'schoolId',
            value: schoolId,
            onChange: (e) => setSchoolId(e.currentTarget.value),
            required: true,
          }}
        >
          <option value="">{t('member.choose')}</option>
          {schools.map((s) => (
            <option key={s.id} value={s.id}>
              {s.label}
            </option>
          ))}
        </SelectField>
      ) : (
        <>
          <input type="hidden" name="schoolId" value={schoolId} />
          <p className="muted">
            {t('member.school')}: {schools.find((s) => s.id === schoolId)?.label ?? '—'}
          </p>
        </>
      )}
      <SelectField
        key={schoolId}
        label={t('member.branch')}
        errors={errors.branchId}
        selectProps={{ name: 'branchId', defaultValue: values.branchId ?? '' }}
      >
        <option value="">{t('member.noBranch')}</option>
        {shownBranches.map((b) => (
          <option key={b.id} value={b.id}>
            {b.label}
          </option>
        ))}
      </SelectField>
      <Field
        label={t('member.expectedGraduation')}
        errors={errors.expectedGraduation}
        hint={t('member.expectedGraduationHint')}
        inputProps={{
          name: 'expectedGraduation',
          type: 'month',
          defaultValue: values.expectedGraduation,
          placeholder: 'YYYY-MM',
        }}
      />

      <h2>{t('member.section.union')}</h2>
      <Field
        label={t('member.unionJoinedAt')}
        errors={errors.unionJoinedAt}
        inputProps={{
          name: 'unionJoinedAt',
          type: 'date',
          min: MIN_DAY,
          max: today,
          defaultValue: values.unionJoinedAt,
        }}
      />
      <Field
        label={t('member.unionCardNumber')}
        errors={errors.unionCardNumber}
        inputProps={{ name: 'unionCardNumber', defaultValue: values.unionCardNumber, maxLength: 30 }}
      />

      {canSensitive ? (
        <fieldset className="fieldset-plain form">
          <legend>
            <h2 className="legend-heading">{t('member.section.sensitive')}</h2>
          </legend>
          <p className="field-hint">
            {t(mode === 'edit' ? 'member.sensitiveEditHint' : 'member.sensitiveHint')}
          </p>
          {SENSITIVE_FIELDS.map((f) => (
            <SensitiveInput
              key={f}
              field={f}
              mode={mode}
              value={values[f]}
              clear={values[CLEAR_NAME[f]] === 'on'}
              stored={sensitiveHints?.[f]}
              errors={errors[f]}
            />
          ))}
        </fieldset>
      ) : null}

      <div className="form-actions">
        <button type="submit" disabled={busy}>
          {mode === 'create' ? t('member.create') : t('member.save')}
        </button>
      </div>
    </Form>
  );
}

const CLEAR_NAME = {
  ethnicity: 'clearEthnicity',
  religion: 'clearReligion',
  citizenId: 'clearCitizenId',
} as const;

function SensitiveInput({
  field,
  mode,
  value,
  clear,
  stored,
  errors,
}: {
  field: SensitiveField;
  mode: 'create' | 'edit';
  value?: string;
  clear: boolean;
  stored?: string;
  errors?: MessageKey[];
}) {
  const t = useT();
  return (
    <div className="sensitive-input">
      <Field
        label={t(`member.${field}`)}
        errors={errors}
        hint={mode === 'edit' && stored ? t('member.storedMasked', { value: stored }) : undefined}
        inputProps={{
          name: field,
          defaultValue: value,
          autoComplete: 'off',
          maxLength: field === 'citizenId' ? 14 : 50,
          inputMode: field === 'citizenId' ? 'numeric' : undefined,
        }}
      />
      {mode === 'edit' && stored ? (
        <label className="checkbox">
          <input type="checkbox" name={CLEAR_NAME[field]} defaultChecked={clear} />
          {t('member.clearStored')}
        </label>
      ) : null}
    </div>
  );
}

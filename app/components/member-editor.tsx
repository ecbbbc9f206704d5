/**
 * The member identity form, shared by /members/new and /members/:id/edit. Its schema
 * (app/utils/forms/member.ts) gives the browser's instant checks and the action's real one.
 *
 * Sensitive fields (ethnicity, religion, citizen ID; Law 91/2025) are write-only
 * here: the form never shows stored values, so editing a record is not a way
 * around the audited reveal. Blank keeps what is stored; a "clear" box erases it.
 */
import { getFormProps } from '@conform-to/react';
import { type FormResult } from '~/utils/forms/conform';
import { Form, useNavigation } from '@remix-run/react';
import { useState } from 'react';
import { Field, FormError, SelectField } from '~/components/forms';
import { useCheckedForm } from '~/components/checked-form';
import type { MessageKey } from '~/i18n';
import { useT } from '~/i18n/use-t';
import { GENDERS } from '~/domain/member-vocabulary';
import {
  MIN_DAY,
  MemberSchema,
  SENSITIVE_FIELDS,
  todayIso,
  type BranchOption,
  type MemberFormValues,
  type SchoolOption,
  type SensitiveField,
  type SensitiveHints,
} from '~/utils/forms/member';

export function MemberEditor({
  mode,
  values,
  version,
  schools,
  branches,
  canSensitive,
  sensitiveHints,
  result,
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
  /** The action's conform reply, when it refused the member. */
  result?: FormResult;
  formError?: MessageKey | null;
}) {
  const t = useT();
  const navigation = useNavigation();
  const [schoolId, setSchoolId] = useState(values.schoolId ?? schools[0]?.id ?? '');
  const { form, blurCheck } = useCheckedForm({
    id: 'member',
    lastResult: result,
    schema: MemberSchema,
  });
  // By name: the sensitive fields and their "clear" boxes are listed, not written out one by one.
  const errors = form.allErrors;
  const busy = navigation.state === 'submitting' && navigation.formData?.get('intent') === 'save';
  const hasErrors = Object.values(errors).some((list) => list.length > 0);
  const shownBranches = branches.filter((b) => b.schoolId === schoolId);
  const today = todayIso();

  return (
    <Form
      method="post"
      className="form"
      {...getFormProps(form)}
      {...blurCheck}
      aria-labelledby="member-identity-title"
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
        {GENDERS.map((g) => (
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
      <Field
        label={t('member.schoolYear')}
        errors={errors.schoolYear}
        hint={t('member.courseHint')}
        inputProps={{ name: 'schoolYear', defaultValue: values.schoolYear, placeholder: '2025-2026' }}
      />
      <Field
        label={t('member.cohort')}
        errors={errors.cohort}
        inputProps={{
          name: 'cohort',
          inputMode: 'numeric',
          defaultValue: values.cohort,
          placeholder: '2024',
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
  errors?: readonly string[];
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

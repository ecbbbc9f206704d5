/**
 * The account form shared by /admin/users/new and /admin/users/:id, with its schema.
 * Role/unit fit, the student's member record and email uniqueness are checked in the action.
 */
import { Form, useNavigation } from '@remix-run/react';
import { useState } from 'react';
import { z } from 'zod';
import { Field, FormError, SelectField } from '~/components/forms';
import { useT } from '~/i18n/use-t';
import { ROLES } from '~/utils/permissions';
import { checkOnSubmit, type FieldErrors } from '~/utils/validation';
import { OBJECT_ID_PATTERN } from '~/domain/ids';

const baseFields = {
  email: z
    .string()
    .trim()
    .min(1, 'validation.required')
    .max(254, 'validation.tooLong')
    .pipe(z.email('validation.email')),
  name: z.string().trim().min(1, 'validation.required').max(120, 'validation.tooLong'),
  role: z.enum(ROLES, 'validation.invalidChoice'),
  unitId: z
    .string()
    .trim()
    .min(1, 'validation.unitRequired')
    .regex(OBJECT_ID_PATTERN, 'validation.unitRequired'),
  studentCode: z
    .string()
    .trim()
    .max(40, 'validation.tooLong')
    .optional()
    .transform((v) => v || undefined),
};

const requireStudentCode = (v: { role: string; studentCode?: string }, ctx: z.RefinementCtx) => {
  if (v.role === 'student' && !v.studentCode) {
    ctx.addIssue({ code: 'custom', path: ['studentCode'], message: 'validation.memberRequired' });
  }
};

/** At least 10 characters; the common-password check is on the server (password-policy.server.ts). */
export const PASSWORD_MIN_LENGTH = 10;
export const PasswordSchema = z
  .string()
  .min(PASSWORD_MIN_LENGTH, 'validation.passwordMin')
  .max(200, 'validation.tooLong');

export const CreateUserSchema = z
  .object({ ...baseFields, password: PasswordSchema })
  .superRefine(requireStudentCode);
export const EditUserSchema = z.object(baseFields).superRefine(requireStudentCode);
export const ResetPasswordSchema = z.object({ newPassword: PasswordSchema });

export interface UserFormValues {
  email?: string;
  name?: string;
  role?: string;
  unitId?: string;
  studentCode?: string;
}

export interface UnitOption {
  id: string;
  label: string;
  depth: number;
}

export function UserEditor({
  mode,
  values,
  units,
  errors: serverErrors,
}: {
  mode: 'create' | 'edit';
  values: UserFormValues;
  units: UnitOption[];
  errors?: FieldErrors;
}) {
  const t = useT();
  const navigation = useNavigation();
  const [clientErrors, setClientErrors] = useState<FieldErrors | null>(null);
  const [role, setRole] = useState(values.role ?? '');
  const errors = clientErrors ?? serverErrors ?? {};
  const hasErrors = Object.keys(errors).length > 0;
  const schema = mode === 'create' ? CreateUserSchema : EditUserSchema;

  return (
    <Form
      method="post"
      className="form"
      noValidate
      onSubmit={(event) => setClientErrors(checkOnSubmit(event, schema))}
    >
      <FormError message={hasErrors ? 'validation.formErrors' : null} />
      <input type="hidden" name="intent" value="save" />
      <Field
        label={t('users.email')}
        errors={errors.email}
        inputProps={{
          name: 'email',
          type: 'email',
          defaultValue: values.email,
          required: true,
          autoComplete: 'off',
        }}
      />
      <Field
        label={t('users.name')}
        errors={errors.name}
        inputProps={{ name: 'name', defaultValue: values.name, required: true, maxLength: 120 }}
      />
      <SelectField
        label={t('users.role')}
        errors={errors.role}
        selectProps={{
          name: 'role',
          value: role,
          onChange: (e) => setRole(e.currentTarget.value),
          required: true,
        }}
      >
        <option value="">{t('units.choose')}</option>
        {ROLES.map((r) => (
          <option key={r} value={r}>
            {t(`role.${r}`)}
          </option>
        ))}
      </SelectField>
      <SelectField
        label={t('users.unit')}
        errors={errors.unitId}
        selectProps={{ name: 'unitId', defaultValue: values.unitId ?? '', required: true }}
      >
        <option value="">{t('units.choose')}</option>
        {units.map((u) => (
          <option key={u.id} value={u.id}>
            {'\u00a0\u00a0'.repeat(u.depth)}
            {u.label}
          </option>
        ))}
      </SelectField>
      {role === 'student' ? (
        <Field
          label={t('users.studentCode')}
          errors={errors.studentCode}
          inputProps={{ name: 'studentCode', defaultValue: values.studentCode, maxLength: 40 }}
        />
      ) : null}
      {mode === 'create' ? (
        <Field
          label={t('users.password')}
          errors={errors.password}
          hint={t('users.passwordHint')}
          inputProps={{
            name: 'password',
            type: 'password',
            autoComplete: 'new-password',
            required: true,
            minLength: PASSWORD_MIN_LENGTH,
          }}
        />
      ) : null}
      <div className="form-actions">
        <button type="submit" disabled={navigation.state === 'submitting'}>
          {mode === 'create' ? t('users.create') : t('users.save')}
        </button>
      </div>
    </Form>
  );
}

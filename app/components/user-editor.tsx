/**
 * The account form shared by /admin/users/new and /admin/users/:id; its schemas are in
 * app/utils/forms/user.ts.
 */
import { Form, useNavigation } from '@remix-run/react';
import { useState } from 'react';
import { Field, FormError, SelectField } from '~/components/forms';
import { useT } from '~/i18n/use-t';
import { ROLES } from '~/domain/permissions';
import {
  CreateUserSchema,
  EditUserSchema,
  PASSWORD_MIN_LENGTH,
  type UnitOption,
  type UserFormValues,
} from '~/utils/forms/user';
import { checkOnSubmit, type FieldErrors } from '~/utils/validation';

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

/**
 * The account form shared by /admin/users/new and /admin/users/:id; its schemas are in
 * app/utils/forms/user.ts.
 */
import { getFormProps } from '@conform-to/react';
import { type FormResult } from '~/utils/forms/conform';
import { Form, useNavigation } from '@remix-run/react';
import { useState } from 'react';
import { Field, FormError, SelectField } from '~/components/forms';
import { useCheckedForm } from '~/components/checked-form';
import { useT } from '~/i18n/use-t';
import { ROLES } from '~/domain/permissions';
import {
  CreateUserSchema,
  EditUserSchema,
  PASSWORD_MIN_LENGTH,
  ResetPasswordSchema,
  type UnitOption,
  type UserFormValues,
} from '~/utils/forms/user';

export function UserEditor({
  mode,
  values,
  units,
  result,
}: {
  mode: 'create' | 'edit';
  values: UserFormValues;
  units: UnitOption[];
  /** The action's conform reply, when it refused the account. */
  result?: FormResult;
}) {
  const t = useT();
  const navigation = useNavigation();
  const [role, setRole] = useState(values.role ?? '');
  const schema = mode === 'create' ? CreateUserSchema : EditUserSchema;
  const { form, fields, blurCheck } = useCheckedForm({
    id: 'user',
    lastResult: result,
    schema,
  });
  const errors = form.allErrors;
  const hasErrors = Object.values(errors).some((list) => list.length > 0);

  return (
    <Form method="post" className="form" {...getFormProps(form)} {...blurCheck}>
      <FormError message={hasErrors ? 'validation.formErrors' : null} />
      <input type="hidden" name="intent" value="save" />
      <Field
        label={t('users.email')}
        errors={fields.email.errors}
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
        errors={fields.name.errors}
        inputProps={{ name: 'name', defaultValue: values.name, required: true, maxLength: 120 }}
      />
      <SelectField
        label={t('users.role')}
        errors={fields.role.errors}
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
        errors={fields.unitId.errors}
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
          errors={fields.studentCode.errors}
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

/** The edit page's reset-password form, checked like the editor (the common-password list is the server's). */
export function ResetPasswordForm({ result }: { result?: FormResult }) {
  const t = useT();
  const { form, fields, blurCheck } = useCheckedForm({
    id: 'reset-password',
    lastResult: result,
    schema: ResetPasswordSchema,
  });
  return (
    <Form method="post" className="form" {...getFormProps(form)} {...blurCheck}>
      <input type="hidden" name="intent" value="resetPassword" />
      <Field
        label={t('users.newPassword')}
        errors={fields.newPassword.errors}
        hint={t('users.passwordHint')}
        inputProps={{
          name: 'newPassword',
          type: 'password',
          autoComplete: 'new-password',
          minLength: PASSWORD_MIN_LENGTH,
          required: true,
        }}
      />
      <div className="form-actions">
        <button type="submit" className="button-secondary">
          {t('users.resetPassword')}
        </button>
      </div>
    </Form>
  );
}

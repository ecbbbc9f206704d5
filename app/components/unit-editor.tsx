/**
 * The unit form, shared by /admin/units/new and /admin/units/:id. Its schema
 * (app/utils/forms/unit.ts) gives the browser's instant checks and the action's real one.
 */
import { Form, Link, useNavigation } from '@remix-run/react';
import { useState } from 'react';
import { Field, FormError, SelectField } from '~/components/forms';
import type { MessageKey } from '~/i18n';
import { useT } from '~/i18n/use-t';
import {
  UnitSchema,
  UNIT_KIND_VALUES,
  SCHOOL_KIND_VALUES,
  type ParentOption,
  type UnitFormValues,
} from '~/utils/forms/unit';
import { checkOnSubmit, type FieldErrors } from '~/utils/validation';

export function UnitEditor({
  values,
  parents,
  errors: serverErrors,
  formError,
  mode,
  readOnly,
}: {
  values: UnitFormValues;
  parents: ParentOption[];
  errors?: FieldErrors;
  formError?: MessageKey | null;
  mode: 'create' | 'edit';
  readOnly?: boolean;
}) {
  const t = useT();
  const navigation = useNavigation();
  const [clientErrors, setClientErrors] = useState<FieldErrors | null>(null);
  const [kind, setKind] = useState(values.kind ?? '');
  const errors = clientErrors ?? serverErrors ?? {};
  const busy = navigation.state === 'submitting';
  const hasErrors = Object.keys(errors).length > 0;

  return (
    <Form
      method="post"
      className="form"
      noValidate
      aria-describedby={hasErrors ? 'unit-form-error' : undefined}
      onSubmit={(event) => setClientErrors(checkOnSubmit(event, UnitSchema))}
    >
      <div id="unit-form-error">
        <FormError message={formError ?? (hasErrors ? 'validation.formErrors' : null)} />
      </div>
      <input type="hidden" name="intent" value="save" />
      <fieldset disabled={readOnly} className="form fieldset-plain">
        <Field
          label={t('units.name')}
          errors={errors.name}
          inputProps={{ name: 'name', defaultValue: values.name, required: true, maxLength: 200 }}
        />
        <Field
          label={t('units.shortName')}
          errors={errors.shortName}
          inputProps={{ name: 'shortName', defaultValue: values.shortName, maxLength: 60 }}
        />
        <Field
          label={t('units.code')}
          errors={errors.code}
          inputProps={{
            name: 'code',
            defaultValue: values.code,
            required: true,
            maxLength: 40,
            autoCapitalize: 'characters',
          }}
        />
        <SelectField
          label={t('units.kind')}
          errors={errors.kind}
          selectProps={{
            name: 'kind',
            value: kind,
            onChange: (e) => setKind(e.currentTarget.value),
            required: true,
            // The kind is fixed once a unit exists: its place in the tree depends on it.
            disabled: mode === 'edit',
          }}
        >
          <option value="">{t('units.choose')}</option>
          {UNIT_KIND_VALUES.map((k) => (
            <option key={k} value={k}>
              {t(`unitKind.${k}`)}
            </option>
          ))}
        </SelectField>
        {mode === 'edit' ? <input type="hidden" name="kind" value={kind} /> : null}
        {kind === 'school' ? (
          <SelectField
            label={t('units.schoolKind')}
            errors={errors.schoolKind}
            selectProps={{ name: 'schoolKind', defaultValue: values.schoolKind ?? '', required: true }}
          >
            <option value="">{t('units.choose')}</option>
            {SCHOOL_KIND_VALUES.map((k) => (
              <option key={k} value={k}>
                {t(`schoolKind.${k}`)}
              </option>
            ))}
          </SelectField>
        ) : null}
        {kind !== 'province' ? (
          <SelectField
            label={t('units.parent')}
            errors={errors.parentId}
            selectProps={{ name: 'parentId', defaultValue: values.parentId ?? '', required: true }}
          >
            <option value="">{t('units.choose')}</option>
            {parents.map((p) => (
              <option key={p.id} value={p.id}>
                {'\u00a0\u00a0'.repeat(p.depth)}
                {p.label}
              </option>
            ))}
          </SelectField>
        ) : null}
        {kind === 'party_cell' && mode === 'create' ? (
          <Field
            label={t('units.officialMemberCount')}
            errors={errors.officialMemberCount}
            hint={t('register.firstHint')}
            inputProps={{
              name: 'officialMemberCount',
              defaultValue: values.officialMemberCount,
              inputMode: 'numeric',
              pattern: '[0-9]*',
            }}
          />
        ) : null}
        {kind === 'party_cell' && mode === 'edit' ? (
          <p className="field-hint">
            {t('register.editorNote', { count: values.officialMemberCount || '—' })}{' '}
            <Link to="/school/party-cells">{t('register.title')}</Link>
          </p>
        ) : null}
        <Field
          label={t('units.validFrom')}
          errors={errors.validFrom}
          inputProps={{ name: 'validFrom', type: 'date', defaultValue: values.validFrom }}
        />
        <Field
          label={t('units.validTo')}
          errors={errors.validTo}
          inputProps={{ name: 'validTo', type: 'date', defaultValue: values.validTo }}
        />
        <Field
          label={t('units.legacyNote')}
          errors={errors.legacyNote}
          inputProps={{ name: 'legacyNote', defaultValue: values.legacyNote, maxLength: 500 }}
        />
        {readOnly ? null : (
          <div className="form-actions">
            <button type="submit" disabled={busy}>
              {mode === 'create' ? t('units.create') : t('units.save')}
            </button>
          </div>
        )}
      </fieldset>
    </Form>
  );
}

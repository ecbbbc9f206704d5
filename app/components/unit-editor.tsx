/**
 * The unit form, shared by /admin/units/new and /admin/units/:id. Its schema
 * (app/utils/forms/unit.ts) gives the browser's instant checks and the action's real one.
 */
import { getFormProps } from '@conform-to/react';
import { type FormResult } from '~/utils/forms/conform';
import { Form, Link, useNavigation } from '@remix-run/react';
import { useState } from 'react';
import { Field, FormError, SelectField } from '~/components/forms';
import { useCheckedForm } from '~/components/checked-form';
import type { MessageKey } from '~/i18n';
import { useT } from '~/i18n/use-t';
import {
  UnitSchema,
  UNIT_KIND_VALUES,
  SCHOOL_KIND_VALUES,
  type ParentOption,
  type UnitFormValues,
} from '~/utils/forms/unit';

export function UnitEditor({
  values,
  parents,
  result,
  formError,
  mode,
  readOnly,
}: {
  values: UnitFormValues;
  parents: ParentOption[];
  /** The action's conform reply, when it refused the unit. */
  result?: FormResult;
  formError?: MessageKey | null;
  mode: 'create' | 'edit';
  readOnly?: boolean;
}) {
  const t = useT();
  const navigation = useNavigation();
  const [kind, setKind] = useState(values.kind ?? '');
  const { form, fields, blurCheck } = useCheckedForm({
    id: 'unit',
    lastResult: result,
    schema: UnitSchema,
  });
  const busy = navigation.state === 'submitting';
  const hasErrors = Object.values(form.allErrors).some((list) => list.length > 0);

  return (
    <Form
      method="post"
      className="form"
      {...getFormProps(form)}
      {...blurCheck}
      aria-describedby={hasErrors ? 'unit-form-error' : undefined}
    >
      <div id="unit-form-error">
        <FormError message={formError ?? (hasErrors ? 'validation.formErrors' : null)} />
      </div>
      <input type="hidden" name="intent" value="save" />
      <fieldset disabled={readOnly} className="form fieldset-plain">
        <Field
          label={t('units.name')}
          errors={fields.name.errors}
          inputProps={{ name: 'name', defaultValue: values.name, required: true, maxLength: 200 }}
        />
        <Field
          label={t('units.shortName')}
          errors={fields.shortName.errors}
          inputProps={{ name: 'shortName', defaultValue: values.shortName, maxLength: 60 }}
        />
        <Field
          label={t('units.code')}
          errors={fields.code.errors}
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
          errors={fields.kind.errors}
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
            errors={fields.schoolKind.errors}
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
            errors={fields.parentId.errors}
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
            errors={fields.officialMemberCount.errors}
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
          errors={fields.validFrom.errors}
          inputProps={{ name: 'validFrom', type: 'date', defaultValue: values.validFrom }}
        />
        <Field
          label={t('units.validTo')}
          errors={fields.validTo.errors}
          inputProps={{ name: 'validTo', type: 'date', defaultValue: values.validTo }}
        />
        <Field
          label={t('units.legacyNote')}
          errors={fields.legacyNote.errors}
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

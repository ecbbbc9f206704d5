/**
 * The unit form, shared by /admin/units/new and /admin/units/:id: one schema for the
 * browser's instant checks and the action's real check (database checks, such as a
 * taken code or an out-of-scope parent, happen only in the action).
 */
import { Form, Link, useNavigation } from '@remix-run/react';
import { useState } from 'react';
import { z } from 'zod';
import { Field, FormError, SelectField } from '~/components/forms';
import type { MessageKey } from '~/i18n';
import { useT } from '~/i18n/use-t';
import { checkOnSubmit, type FieldErrors } from '~/utils/validation';
import { isObjectId } from '~/domain/ids';

export const UNIT_KIND_VALUES = ['province', 'school', 'faculty', 'branch', 'party_cell'] as const;
export const SCHOOL_KIND_VALUES = ['university', 'college', 'high_school'] as const;
export type UnitKindValue = (typeof UNIT_KIND_VALUES)[number];

/** Which kinds may sit directly under which: the Union tree and the Party tree share schools. */
export const PARENT_KINDS: Record<UnitKindValue, readonly UnitKindValue[]> = {
  province: [],
  school: ['province'],
  faculty: ['school'],
  branch: ['school', 'faculty'],
  party_cell: ['school', 'faculty'],
};

const emptyToUndefined = (v: string) => (v === '' ? undefined : v);
const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, 'validation.tooLong')
    .optional()
    .transform((v) => (v ? v : undefined));
const optionalDate = z
  .string()
  .trim()
  .optional()
  .refine((v) => !v || (/^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v))), 'validation.date')
  .transform((v) => (v ? v : undefined));

export const UnitSchema = z
  .object({
    name: z.string().trim().min(1, 'validation.required').max(200, 'validation.tooLong'),
    shortName: optionalText(60),
    code: z
      .string()
      .trim()
      .min(1, 'validation.required')
      .max(40, 'validation.tooLong')
      .regex(/^[A-Za-z0-9_-]+$/, 'validation.codeFormat'),
    kind: z.enum(UNIT_KIND_VALUES, 'validation.invalidChoice'),
    schoolKind: z
      .union([z.literal(''), z.enum(SCHOOL_KIND_VALUES, 'validation.invalidChoice')])
      .optional()
      .transform((v) => (v ? v : undefined)),
    parentId: z
      .string()
      .trim()
      .optional()
      .refine((v) => !v || isObjectId(v), 'validation.parentInvalid')
      .transform((v) => (v ? emptyToUndefined(v) : undefined)),
    validFrom: optionalDate,
    validTo: optionalDate,
    legacyNote: optionalText(500),
    officialMemberCount: z
      .string()
      .trim()
      .optional()
      .refine((v) => !v || /^\d{1,6}$/.test(v), 'validation.number')
      .transform((v) => (v ? Number(v) : undefined)),
  })
  .superRefine((v, ctx) => {
    if (v.kind === 'school' && !v.schoolKind) {
      ctx.addIssue({ code: 'custom', path: ['schoolKind'], message: 'validation.schoolKindRequired' });
    }
    if (v.kind === 'province' && v.parentId) {
      ctx.addIssue({ code: 'custom', path: ['parentId'], message: 'validation.parentNotAllowed' });
    }
    if (v.kind !== 'province' && !v.parentId) {
      ctx.addIssue({ code: 'custom', path: ['parentId'], message: 'validation.parentRequired' });
    }
    if (v.validFrom && v.validTo && v.validTo < v.validFrom) {
      ctx.addIssue({ code: 'custom', path: ['validTo'], message: 'validation.dateOrder' });
    }
  });

export type UnitInput = z.output<typeof UnitSchema>;

export interface UnitFormValues {
  name?: string;
  shortName?: string;
  code?: string;
  kind?: string;
  schoolKind?: string;
  parentId?: string;
  validFrom?: string;
  validTo?: string;
  legacyNote?: string;
  officialMemberCount?: string;
}

export interface ParentOption {
  id: string;
  label: string;
  depth: number;
}

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

/**
 * The rule editor of a draft criteria set: name, pass mark and a list of rules,
 * each of one kind with its own parameters, required or scored with a weight;
 * `any_of` rules hold alternatives. Field names follow criteria-form.ts, and the
 * browser runs the same `CriteriaSetSchema` check as the action before posting.
 */
import { Form, useNavigation } from '@remix-run/react';
import { useId, useRef, useState, type ReactNode } from 'react';
import { ACADEMIC_RANKS, ACADEMIC_RANK_LABELS } from '~/domain/academic';
import {
  AWARD_KINDS,
  AWARD_LEVELS,
  AWARD_LEVEL_LABELS,
  THPT_RATINGS,
  THPT_RATING_LABELS,
  TITLES,
  TITLE_LABELS,
  UNION_RATING_LABELS,
  UNION_RATING_LEVELS,
  type CriteriaSet,
} from '~/domain/criteria';
import { AWARD_KIND_LABELS } from '~/domain/criteria/labels';
import type { MessageKey } from '~/i18n';
import { useLocale, useT } from '~/i18n/use-t';
import {
  LEAF_KINDS,
  RULE_KINDS,
  checkCriteriaForm,
  criteriaFromForm,
  newRuleValues,
  type CriteriaFieldErrors,
  type RuleValues,
} from '~/utils/forms/criteria';

interface Keyed {
  key: number;
  values: RuleValues;
}

let nextKey = 1;
const keyed = (values: RuleValues): Keyed => ({ key: nextKey++, values });

function ErrorsFor({ errors, name }: { errors: CriteriaFieldErrors; name: string }) {
  const t = useT();
  const list = errors[name];
  if (!list?.length) return null;
  return (
    <div id={`${name}-error`}>
      {list.map((code) => (
        <p key={code} className="field-error">
          {t(`criteria.error.${code}` as MessageKey)}
        </p>
      ))}
    </div>
  );
}

/** One labelled control with its errors beside it. */
function Control({
  name,
  label,
  errors,
  children,
}: {
  name: string;
  label: string;
  errors: CriteriaFieldErrors;
  children: (props: {
    id: string;
    name: string;
    'aria-invalid'?: true;
    'aria-describedby'?: string;
  }) => ReactNode;
}) {
  const id = `f-${name.replace(/\./g, '-')}`;
  const invalid = !!errors[name]?.length;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children({
        id,
        name,
        ...(invalid ? { 'aria-invalid': true as const, 'aria-describedby': `${name}-error` } : {}),
      })}
      <ErrorsFor errors={errors} name={name} />
    </div>
  );
}

export function CriteriaEditor({
  set,
  errors: serverErrors,
}: {
  set: Pick<CriteriaSet, 'name' | 'schoolKind' | 'schoolYear' | 'version' | 'purpose' | 'passMark'> & {
    rules: RuleValues[];
  };
  errors?: CriteriaFieldErrors;
}) {
  const t = useT();
  const navigation = useNavigation();
  const [clientErrors, setClientErrors] = useState<CriteriaFieldErrors | null>(null);
  const [rules, setRules] = useState<Keyed[]>(() => set.rules.map(keyed));
  const [newKind, setNewKind] = useState<(typeof RULE_KINDS)[number]>('min_gpa');
  const errors = clientErrors ?? serverErrors ?? {};
  const hasErrors = Object.keys(errors).length > 0;
  const busy = navigation.state === 'submitting';
  const newKindId = useId();

  const addRule = () => {
    const taken = new Set(rules.map((r) => String(r.values.id)));
    let n = rules.length + 1;
    while (taken.has(`${newKind}-${n}`)) n++;
    setRules([...rules, keyed(newRuleValues(newKind, `${newKind.replace(/_/g, '-')}-${n}`))]);
  };

  return (
    <Form
      method="post"
      className="form criteria-editor"
      noValidate
      aria-describedby={hasErrors ? 'criteria-form-error' : undefined}
      onSubmit={(event) => {
        const submitter = (event.nativeEvent as SubmitEvent).submitter as HTMLButtonElement | null;
        if (submitter?.value !== 'save') return;
        const form = event.currentTarget;
        const check = checkCriteriaForm(criteriaFromForm(new FormData(form)), set);
        setClientErrors(check.ok ? null : check.errors);
        if (!check.ok) {
          event.preventDefault();
          // A long form: take the user to the first field that needs attention.
          requestAnimationFrame(() => form.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
        }
      }}
    >
      <div id="criteria-form-error">
        {hasErrors ? (
          <div className="form-error" role="alert">
            {t('criteria.formErrors')}
          </div>
        ) : null}
        <ErrorsFor errors={errors} name="" />
      </div>
      <Control name="name" label={t('criteria.field.name')} errors={errors}>
        {(p) => <input {...p} defaultValue={set.name} maxLength={200} required />}
      </Control>
      <Control name="passMark" label={t('criteria.field.passMark')} errors={errors}>
        {(p) => (
          <input
            {...p}
            defaultValue={set.passMark === undefined ? '' : String(set.passMark)}
            inputMode="decimal"
            aria-describedby={[p['aria-describedby'], 'passMark-hint'].filter(Boolean).join(' ')}
          />
        )}
      </Control>
      <p id="passMark-hint" className="field-hint">
        {t('criteria.field.passMarkHint')}
      </p>

      <h2>{t('criteria.rules')}</h2>
      <ErrorsFor errors={errors} name="rules" />
      <ol className="rule-list">
        {rules.map((r, i) => (
          <li key={r.key} className="rule-card panel" data-testid="rule-card">
            <RuleFields
              prefix={`rules.${i}`}
              values={r.values}
              errors={errors}
              onRemove={() => setRules(rules.filter((x) => x.key !== r.key))}
            />
          </li>
        ))}
      </ol>
      <div className="rule-add">
        <label htmlFor={newKindId}>{t('criteria.newRuleKind')}</label>
        <select
          id={newKindId}
          value={newKind}
          onChange={(e) => setNewKind(e.currentTarget.value as typeof newKind)}
        >
          {RULE_KINDS.map((k) => (
            <option key={k} value={k}>
              {t(`criteria.kind.${k}`)}
            </option>
          ))}
        </select>
        <button type="button" className="button-secondary" onClick={addRule}>
          {t('criteria.addRule')}
        </button>
      </div>
      <div className="form-actions">
        <button type="submit" name="intent" value="save" disabled={busy}>
          {t('criteria.saveDraft')}
        </button>
      </div>
    </Form>
  );
}

function RuleFields({
  prefix,
  values,
  errors,
  onRemove,
  alternative = false,
}: {
  prefix: string;
  values: RuleValues;
  errors: CriteriaFieldErrors;
  onRemove: () => void;
  alternative?: boolean;
}) {
  const t = useT();
  const [kind, setKind] = useState(String(values.kind ?? 'min_gpa'));
  const [required, setRequired] = useState(values.required !== 'false');
  const kinds = alternative ? LEAF_KINDS : RULE_KINDS;
  const v = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : '');
  return (
    <fieldset className="fieldset-plain rule-fields">
      <legend className="rule-legend">
        {t(`criteria.kind.${kind}` as MessageKey)} <code>{v('id')}</code>
      </legend>
      <ErrorsFor errors={errors} name={prefix} />
      <div className="rule-grid">
        <Control name={`${prefix}.kind`} label={t('criteria.field.kind')} errors={errors}>
          {(p) => (
            <select {...p} value={kind} onChange={(e) => setKind(e.currentTarget.value)}>
              {kinds.map((k) => (
                <option key={k} value={k}>
                  {t(`criteria.kind.${k}`)}
                </option>
              ))}
            </select>
          )}
        </Control>
        <Control name={`${prefix}.id`} label={t('criteria.field.id')} errors={errors}>
          {(p) => <input {...p} defaultValue={v('id')} maxLength={64} />}
        </Control>
        {alternative ? null : (
          <>
            <Control name={`${prefix}.required`} label={t('criteria.field.required')} errors={errors}>
              {(p) => (
                <select
                  {...p}
                  value={required ? 'true' : 'false'}
                  onChange={(e) => setRequired(e.currentTarget.value === 'true')}
                >
                  <option value="true">{t('criteria.requiredYes')}</option>
                  <option value="false">{t('criteria.requiredScored')}</option>
                </select>
              )}
            </Control>
            {required ? null : (
              <Control name={`${prefix}.weight`} label={t('criteria.field.weight')} errors={errors}>
                {(p) => <input {...p} defaultValue={v('weight') || '1'} inputMode="decimal" />}
              </Control>
            )}
          </>
        )}
        <KindParams kind={kind} prefix={prefix} values={values} errors={errors} />
      </div>
      {kind === 'any_of' ? <Alternatives prefix={prefix} values={values} errors={errors} /> : null}
      <button type="button" className="button-link" onClick={onRemove}>
        {alternative ? t('criteria.removeAlternative') : t('criteria.removeRule')}
      </button>
    </fieldset>
  );
}

function Alternatives({
  prefix,
  values,
  errors,
}: {
  prefix: string;
  values: RuleValues;
  errors: CriteriaFieldErrors;
}) {
  const t = useT();
  const initial = Array.isArray(values.rules) ? (values.rules as RuleValues[]) : [];
  const [alts, setAlts] = useState<Keyed[]>(() => initial.map(keyed));
  const counter = useRef(alts.length);
  return (
    <div className="alternatives">
      <p className="field-hint">{t('criteria.alternativesHint')}</p>
      <ErrorsFor errors={errors} name={`${prefix}.rules`} />
      <ol>
        {alts.map((a, j) => (
          <li key={a.key}>
            <RuleFields
              prefix={`${prefix}.rules.${j}`}
              values={a.values}
              errors={errors}
              alternative
              onRemove={() => setAlts(alts.filter((x) => x.key !== a.key))}
            />
          </li>
        ))}
      </ol>
      <button
        type="button"
        className="button-secondary"
        onClick={() => {
          counter.current++;
          setAlts([
            ...alts,
            keyed(newRuleValues('min_gpa', `${String(values.id ?? 'alt')}-${counter.current}`)),
          ]);
        }}
      >
        {t('criteria.addAlternative')}
      </button>
    </div>
  );
}

function KindParams({
  kind,
  prefix,
  values,
  errors,
}: {
  kind: string;
  prefix: string;
  values: RuleValues;
  errors: CriteriaFieldErrors;
}) {
  const t = useT();
  const locale = useLocale();
  const v = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : '');
  const n = (k: string, label: MessageKey, fallback = '') => (
    <Control name={`${prefix}.${k}`} label={t(label)} errors={errors}>
      {(p) => <input {...p} defaultValue={v(k) || fallback} inputMode="decimal" />}
    </Control>
  );
  const choice = (
    k: string,
    label: MessageKey,
    options: readonly { value: string; label: string }[],
    optional = false,
    fallback = '',
  ) => (
    <Control name={`${prefix}.${k}`} label={t(label)} errors={errors}>
      {(p) => (
        <select {...p} defaultValue={v(k) || fallback}>
          {optional ? <option value="">{t('criteria.any')}</option> : null}
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </Control>
  );
  const scales = [
    { value: '4', label: t('criteria.scale4') },
    { value: '10', label: t('criteria.scale10') },
  ];
  const thpt = THPT_RATINGS.map((r) => ({ value: r, label: THPT_RATING_LABELS[r][locale] }));
  const levels = AWARD_LEVELS.map((l) => ({ value: l, label: AWARD_LEVEL_LABELS[l][locale] }));
  const basis = <Basis prefix={prefix} values={values} errors={errors} />;
  switch (kind) {
    case 'min_gpa':
      return (
        <>
          {n('min', 'criteria.field.minGpa', '2.5')}
          {choice('scale', 'criteria.field.scale', scales, false, '4')}
          {basis}
          <div className="field-check">
            <input
              type="checkbox"
              id={`f-${prefix}-convert`}
              name={`${prefix}.convert`}
              defaultChecked={v('convert') === 'true'}
            />
            <label htmlFor={`f-${prefix}-convert`}>{t('criteria.field.convert')}</label>
          </div>
        </>
      );
    case 'min_academic_rank':
      return (
        <>
          {choice(
            'rank',
            'criteria.field.rank',
            ACADEMIC_RANKS.map((r) => ({ value: r, label: ACADEMIC_RANK_LABELS[r][locale] })),
            false,
            'good',
          )}
          {choice('scale', 'criteria.field.scale', scales, true)}
          {basis}
        </>
      );
    case 'min_conduct':
      return (
        <>
          {n('minScore', 'criteria.field.minScore')}
          {choice('minRating', 'criteria.field.minRating', thpt, true)}
          {basis}
        </>
      );
    case 'min_study_rating':
      return (
        <>
          {choice('min', 'criteria.field.minStudy', thpt, false, 'kha')}
          {basis}
        </>
      );
    case 'union_rating':
      return (
        <>
          {choice(
            'level',
            'criteria.field.unionLevel',
            UNION_RATING_LEVELS.map((l) => ({ value: l, label: UNION_RATING_LABELS[l][locale] })),
            false,
            'excellent',
          )}
          {n('years', 'criteria.field.years', '1')}
          {choice(
            'ofPreviousYears',
            'criteria.field.ofPreviousYears',
            [
              { value: 'true', label: t('criteria.previousYears') },
              { value: 'false', label: t('criteria.includingCurrentYear') },
            ],
            false,
            'true',
          )}
        </>
      );
    case 'min_awards':
      return (
        <>
          {n('count', 'criteria.field.count', '1')}
          {choice('level', 'criteria.field.minLevel', levels, true)}
          {n('sinceMonths', 'criteria.field.sinceMonths')}
          <fieldset className="field fieldset-plain">
            <legend>{t('criteria.field.awardKinds')}</legend>
            {AWARD_KINDS.map((k) => (
              <div key={k} className="field-check">
                <input
                  type="checkbox"
                  id={`f-${prefix}-ak-${k}`}
                  name={`${prefix}.awardKinds`}
                  value={k}
                  defaultChecked={
                    Array.isArray(values.awardKinds) && (values.awardKinds as string[]).includes(k)
                  }
                />
                <label htmlFor={`f-${prefix}-ak-${k}`}>{AWARD_KIND_LABELS[k][locale]}</label>
              </div>
            ))}
            <ErrorsFor errors={errors} name={`${prefix}.awardKinds`} />
          </fieldset>
        </>
      );
    case 'title_held':
      return (
        <>
          {choice(
            'title',
            'criteria.field.title',
            TITLES.map((x) => ({ value: x, label: TITLE_LABELS[x][locale] })),
            false,
            'sv5t',
          )}
          {choice('level', 'criteria.field.minLevel', levels, false, 'school')}
          {n('sinceMonths', 'criteria.field.sinceMonths')}
        </>
      );
    case 'min_volunteer_days':
      return (
        <>
          {n('days', 'criteria.field.days', '5')}
          {n('sinceMonths', 'criteria.field.sinceMonths')}
        </>
      );
    case 'age_at':
      return (
        <>
          {n('minYears', 'criteria.field.minYears')}
          {n('maxYears', 'criteria.field.maxYears')}
        </>
      );
    case 'union_membership_months':
      return n('min', 'criteria.field.minMonths', '12');
    default:
      return null;
  }
}

function Basis({
  prefix,
  values,
  errors,
}: {
  prefix: string;
  values: RuleValues;
  errors: CriteriaFieldErrors;
}) {
  const t = useT();
  const [mode, setMode] = useState(values.basis === 'lastTerms' ? 'lastTerms' : 'latest_year');
  const last = typeof values.lastTerms === 'string' ? values.lastTerms : '2';
  return (
    <>
      <Control name={`${prefix}.basis`} label={t('criteria.field.basis')} errors={errors}>
        {(p) => (
          <select {...p} value={mode} onChange={(e) => setMode(e.currentTarget.value)}>
            <option value="latest_year">{t('criteria.basis.latestYear')}</option>
            <option value="lastTerms">{t('criteria.basis.lastTermsOption')}</option>
          </select>
        )}
      </Control>
      {mode === 'lastTerms' ? (
        <Control name={`${prefix}.lastTerms`} label={t('criteria.field.lastTerms')} errors={errors}>
          {(p) => <input {...p} defaultValue={last} inputMode="numeric" />}
        </Control>
      ) : null}
    </>
  );
}

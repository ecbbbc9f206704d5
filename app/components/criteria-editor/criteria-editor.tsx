/**
 * The rule editor of a draft criteria set: name, pass mark and a list of rules,
 * each of one kind with its own parameters, required or scored with a weight;
 * `any_of` rules hold alternatives. Field names follow criteria-form.ts, and the
 * browser runs the same `CriteriaSetSchema` check as the action before posting.
 * The parts: controls.tsx, rule-fields.tsx (a rule and its alternatives), kind-params.tsx
 * and basis.tsx, in this folder.
 */
import { Form, useNavigation } from '@remix-run/react';
import { useId, useState } from 'react';
import type { CriteriaSet } from '~/domain/criteria';
import { useT } from '~/i18n/use-t';
import {
  RULE_KINDS,
  checkCriteriaForm,
  criteriaFromForm,
  newRuleValues,
  type CriteriaFieldErrors,
  type RuleValues,
} from '~/utils/forms/criteria';
import { Control, ErrorsFor, keyed, type Keyed } from './controls';
import { RuleFields } from './rule-fields';

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

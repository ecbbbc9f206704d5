/**
 * One rule's fields (kind, id, required or scored with a weight, the kind's parameters), and
 * an `any_of` rule's alternatives, each itself a rule's fields: the two render each other.
 */
import { useRef, useState } from 'react';
import type { MessageKey } from '~/i18n';
import { useT } from '~/i18n/use-t';
import {
  LEAF_KINDS,
  RULE_KINDS,
  newRuleValues,
  type CriteriaFieldErrors,
  type RuleValues,
} from '~/utils/forms/criteria';
import { Control, ErrorsFor, keyed, type Keyed } from './controls';
import { KindParams } from './kind-params';

export function RuleFields({
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

/**
 * The criteria editor's form encoding: every default set survives the round trip
 * rules → form fields → rules unchanged, and bad input comes back as the engine's
 * codes at the field names the editor renders.
 */
import { describe, expect, it } from 'vitest';
import {
  LEAF_KINDS,
  RULE_KINDS,
  checkCriteriaForm,
  criteriaFromForm,
  newRuleValues,
  ruleValues,
  type RuleValues,
} from '~/utils/forms/criteria';
import { DEFAULT_CRITERIA_SETS, type CriteriaSet } from '~/domain/criteria';

function fields(rules: RuleValues[], extra: Record<string, string>): [string, string][] {
  const out: [string, string][] = Object.entries(extra);
  const add = (prefix: string, values: RuleValues) => {
    for (const [k, v] of Object.entries(values)) {
      if (k === 'rules' && Array.isArray(v))
        (v as RuleValues[]).forEach((a, j) => add(`${prefix}.rules.${j}`, a));
      else if (Array.isArray(v)) for (const item of v) out.push([`${prefix}.${k}`, String(item)]);
      else out.push([`${prefix}.${k}`, String(v)]);
    }
  };
  rules.forEach((r, i) => add(`rules.${i}`, r));
  return out;
}

const fixed = (set: CriteriaSet) => ({
  schoolKind: set.schoolKind,
  schoolYear: set.schoolYear,
  version: set.version,
  purpose: set.purpose,
});

describe('criteria form encoding', () => {
  it.each(DEFAULT_CRITERIA_SETS.map((s) => [s.id, s] as const))('round-trips %s', (_id, set) => {
    const input = criteriaFromForm(
      fields(ruleValues(set.rules), { name: set.name, passMark: String(set.passMark ?? '') }),
    );
    const check = checkCriteriaForm(input, fixed(set));
    expect(check.ok).toBe(true);
    if (check.ok) {
      expect(check.set.rules).toEqual(set.rules);
      expect(check.set.passMark).toBe(set.passMark);
    }
  });

  it('gives every kind sensible starting values that validate', () => {
    const set = DEFAULT_CRITERIA_SETS[0];
    for (const kind of RULE_KINDS) {
      const input = criteriaFromForm(fields([newRuleValues(kind, `r-${kind}`)], { name: 'x' }));
      expect(checkCriteriaForm(input, fixed(set)), kind).toMatchObject({ ok: true });
    }
    expect(LEAF_KINDS).not.toContain('any_of');
  });

  it('reports bad values at the field names, with the engine codes', () => {
    const set = DEFAULT_CRITERIA_SETS[0];
    const input = criteriaFromForm([
      ['name', ' '],
      ['rules.0.id', 'gpa'],
      ['rules.0.kind', 'min_gpa'],
      ['rules.0.required', 'true'],
      ['rules.0.min', '4,5'],
      ['rules.0.scale', '4'],
      ['rules.0.basis', 'lastTerms'],
      ['rules.0.lastTerms', '0'],
      ['rules.1.id', 'scored'],
      ['rules.1.kind', 'min_volunteer_days'],
      ['rules.1.required', 'false'],
      ['rules.1.weight', ''],
      ['rules.1.days', '5'],
      ['rules.3.id', 'd'],
      ['rules.3.kind', 'min_volunteer_days'],
      ['rules.3.required', 'true'],
      ['rules.3.days', 'abc'],
      ['rules.2.id', 'c'],
      ['rules.2.kind', 'min_conduct'],
      ['rules.2.required', 'true'],
      ['rules.2.basis', 'latest_year'],
    ]);
    const check = checkCriteriaForm(input, fixed(set));
    expect(check.ok).toBe(false);
    if (!check.ok) {
      expect(check.errors).toMatchObject({
        name: ['name_required'],
        'rules.0.min': ['gpa_out_of_scale'],
        'rules.3.days': ['days_invalid'],
        'rules.1.weight': ['weight_required'],
        'rules.2': ['conduct_measure_missing'],
      });
      // The term count has its own input, named rules.N.lastTerms.
      expect(check.errors['rules.0.lastTerms']).toEqual(['basis_invalid']);
    }
  });

  it('skips a removed rule’s gap and reads repeated award kinds as a list', () => {
    const input = criteriaFromForm([
      ['name', 'x'],
      ['rules.3.id', 'a'],
      ['rules.3.kind', 'min_awards'],
      ['rules.3.required', 'true'],
      ['rules.3.count', '2'],
      ['rules.3.awardKinds', 'giay_khen'],
      ['rules.3.awardKinds', 'bang_khen'],
    ]);
    expect(input.rules).toEqual([
      { id: 'a', kind: 'min_awards', required: true, count: 2, awardKinds: ['giay_khen', 'bang_khen'] },
    ]);
  });
});

/**
 * The criteria editor's form encoding, shared by the browser (instant checks) and
 * the action (the real check). Fields are flat names with dotted indexes
 * (`rules.2.min`, `rules.1.rules.0.scale`) so the form also posts without
 * JavaScript; `criteriaFromForm` rebuilds the engine's JSON and
 * `checkCriteriaForm` runs the engine's own `CriteriaSetSchema` on it. Issue
 * paths (`rules.2.min`) are the field names, so errors land beside their field.
 */
import {
  CriteriaSetSchema,
  criteriaIssues,
  type CriteriaErrorCode,
  type CriteriaSet,
  type Rule,
  type AlternativeRule,
} from '~/domain/criteria';

export const LEAF_KINDS = [
  'min_gpa',
  'min_academic_rank',
  'min_conduct',
  'min_study_rating',
  'union_rating',
  'min_awards',
  'title_held',
  'min_volunteer_days',
  'age_at',
  'certificate_valid',
  'union_membership_months',
] as const;
export type LeafKind = (typeof LEAF_KINDS)[number];
export const RULE_KINDS = [...LEAF_KINDS, 'any_of'] as const;

/** Errors by field name; '' holds set-level ones. */
export type CriteriaFieldErrors = Record<string, CriteriaErrorCode[]>;

type Raw = Record<string, unknown>;

/** FormData → nested plain object of strings (arrays where a name repeats). */
function nest(entries: Iterable<[string, FormDataEntryValue]>): Raw {
  const root: Raw = {};
  for (const [name, value] of entries) {
    if (typeof value !== 'string') continue;
    const parts = name.split('.');
    let node: Raw = root;
    for (let i = 0; i < parts.length - 1; i++) {
      const next = node[parts[i]];
      if (typeof next !== 'object' || next === null || Array.isArray(next)) node[parts[i]] = {};
      node = node[parts[i]] as Raw;
    }
    const last = parts[parts.length - 1];
    if (last === 'awardKinds') {
      node[last] = [...((node[last] as string[] | undefined) ?? []), value];
    } else node[last] = value;
  }
  return root;
}

/** `{ 0: a, 2: c }` → [a, c] in index order (a removed rule leaves a gap). */
function list(value: unknown): Raw[] {
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value as Raw)
    .filter(([k]) => /^\d+$/.test(k))
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([, v]) => (typeof v === 'object' && v !== null ? (v as Raw) : {}));
}

const str = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);
// An unparsable number stays NaN so zod reports the field's own code.
const num = (v: unknown) => {
  const s = str(v);
  return s === undefined ? undefined : Number(s.replace(',', '.'));
};
const bool = (v: unknown) => v === 'on' || v === 'true';

function basis(raw: Raw) {
  return raw.basis === 'lastTerms' ? { lastTerms: num(raw.lastTerms) } : str(raw.basis);
}

/** Only the parameters of the rule's kind, typed as the schema expects. */
function leafParams(raw: Raw): Raw {
  switch (raw.kind) {
    case 'min_gpa':
      return {
        min: num(raw.min),
        scale: num(raw.scale),
        basis: basis(raw),
        convert: bool(raw.convert) || undefined,
      };
    case 'min_academic_rank':
      return { rank: str(raw.rank), basis: basis(raw), scale: num(raw.scale) };
    case 'min_conduct':
      return { minScore: num(raw.minScore), minRating: str(raw.minRating), basis: basis(raw) };
    case 'min_study_rating':
      return { min: str(raw.min), basis: basis(raw) };
    case 'union_rating':
      return {
        level: str(raw.level),
        years: num(raw.years),
        ofPreviousYears: raw.ofPreviousYears !== 'false',
      };
    case 'min_awards': {
      const kinds = Array.isArray(raw.awardKinds) ? (raw.awardKinds as string[]) : [];
      return {
        count: num(raw.count),
        level: str(raw.level),
        awardKinds: kinds.length ? kinds : undefined,
        sinceMonths: num(raw.sinceMonths),
      };
    }
    case 'title_held':
      return { title: str(raw.title), level: str(raw.level), sinceMonths: num(raw.sinceMonths) };
    case 'min_volunteer_days':
      return { days: num(raw.days), sinceMonths: num(raw.sinceMonths) };
    case 'age_at':
      return { minYears: num(raw.minYears), maxYears: num(raw.maxYears), at: 'asOf' };
    case 'union_membership_months':
      return { min: num(raw.min) };
    default:
      return {};
  }
}

function dropUndefined(o: Raw): Raw {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

function rule(raw: Raw): Raw {
  const required = raw.required !== 'false';
  const base = {
    id: str(raw.id) ?? '',
    kind: str(raw.kind),
    required,
    weight: required ? undefined : num(raw.weight),
  };
  if (raw.kind === 'any_of') {
    return dropUndefined({
      ...base,
      rules: list(raw.rules).map((alt) =>
        dropUndefined({ id: str(alt.id) ?? '', kind: str(alt.kind), ...leafParams(alt) }),
      ),
    });
  }
  return dropUndefined({ ...base, ...leafParams(raw) });
}

export interface CriteriaFormInput {
  name: unknown;
  passMark: unknown;
  rules: Raw[];
}

export function criteriaFromForm(
  formData: FormData | Iterable<[string, FormDataEntryValue]>,
): CriteriaFormInput {
  const raw = nest(formData as Iterable<[string, FormDataEntryValue]>);
  return { name: str(raw.name) ?? '', passMark: num(raw.passMark), rules: list(raw.rules).map(rule) };
}

export type CriteriaFormCheck = { ok: true; set: CriteriaSet } | { ok: false; errors: CriteriaFieldErrors };

/** Validates the form against the set's fixed identity (kind, year, version, purpose come from the record). */
export function checkCriteriaForm(
  input: CriteriaFormInput,
  fixed: Pick<CriteriaSet, 'schoolKind' | 'schoolYear' | 'version' | 'purpose'>,
): CriteriaFormCheck {
  const result = CriteriaSetSchema.safeParse({
    ...fixed,
    name: input.name,
    rules: input.rules,
    ...(input.passMark === undefined ? {} : { passMark: input.passMark }),
  });
  if (result.success) return { ok: true, set: result.data as CriteriaSet };
  const errors: CriteriaFieldErrors = {};
  for (const issue of criteriaIssues(result.error)) {
    // The basis is two fields in the form: its term count has its own input.
    const path = issue.path.replace(/\.basis\.lastTerms$/, '.lastTerms');
    const list = (errors[path] ??= []);
    if (!list.includes(issue.code)) list.push(issue.code);
  }
  return { ok: false, errors };
}

/** Engine rules → the editor's string values (the reverse of `criteriaFromForm`). */
export type RuleValues = Record<string, string | string[] | RuleValues[]>;

function leafValues(r: Raw): RuleValues {
  const out: RuleValues = {};
  for (const [k, v] of Object.entries(r)) {
    if (k === 'basis') {
      if (typeof v === 'object' && v !== null) {
        out.basis = 'lastTerms';
        out.lastTerms = String((v as { lastTerms: number }).lastTerms);
      } else out.basis = String(v);
    } else if (k === 'awardKinds' && Array.isArray(v)) out.awardKinds = v.map(String);
    else if (k === 'rules' && Array.isArray(v)) out.rules = v.map((a) => leafValues(a as Raw));
    else if (typeof v === 'boolean') out[k] = v ? 'true' : 'false';
    else if (v !== undefined && v !== null) out[k] = String(v);
  }
  return out;
}

export function ruleValues(rules: readonly (Rule | AlternativeRule)[]): RuleValues[] {
  return rules.map((r) => leafValues(r as unknown as Raw));
}

/** A fresh rule of `kind` with sensible parameters, as editor values. */
export function newRuleValues(kind: (typeof RULE_KINDS)[number], id: string): RuleValues {
  const base = { id, kind, required: 'true' };
  switch (kind) {
    case 'min_gpa':
      return { ...base, min: '2.5', scale: '4', basis: 'latest_year' };
    case 'min_academic_rank':
      return { ...base, rank: 'good', basis: 'latest_year' };
    case 'min_conduct':
      return { ...base, minScore: '80', basis: 'latest_year' };
    case 'min_study_rating':
      return { ...base, min: 'kha', basis: 'latest_year' };
    case 'union_rating':
      return { ...base, level: 'excellent', years: '1', ofPreviousYears: 'true' };
    case 'min_awards':
      return { ...base, count: '1', level: 'school' };
    case 'title_held':
      return { ...base, title: 'sv5t', level: 'school', sinceMonths: '24' };
    case 'min_volunteer_days':
      return { ...base, days: '5', sinceMonths: '24' };
    case 'age_at':
      return { ...base, minYears: '18', maxYears: '60', at: 'asOf' };
    case 'union_membership_months':
      return { ...base, min: '12' };
    case 'any_of':
      return {
        ...base,
        rules: [
          { id: `${id}-a`, kind: 'min_gpa', min: '2.5', scale: '4', basis: 'latest_year' },
          { id: `${id}-b`, kind: 'min_gpa', min: '7', scale: '10', basis: 'latest_year' },
        ],
      };
    default:
      return base;
  }
}

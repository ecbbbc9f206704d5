/**
 * The member table's filters: a GET form (works without JavaScript) that, with
 * JavaScript, applies a select as soon as it changes and writes only the set
 * filters to the URL. Folded into a <details> on phones.
 */
import { Form, Link, useNavigate, useSearchParams } from '@remix-run/react';
import { useEffect, useRef, type FormEvent } from 'react';
import { GENDERS } from '~/domain/member-vocabulary';
import { ALL_STAGES, STAGE_LABELS } from '~/domain/stages';
import { useLocale, useT } from '~/i18n/use-t';
import {
  ELIGIBLE_VALUES,
  FILTER_PARAMS,
  RATING_VALUES,
  SCHOOL_KIND_FILTER_VALUES,
  tableSearch,
  type MemberListQuery,
} from '~/utils/members/members-query';

interface UnitOption {
  id: string;
  name: string;
}

export function MemberFilters({
  query,
  options,
  wide,
}: {
  query: MemberListQuery;
  options: { schools: UnitOption[]; branches: UnitOption[]; years: string[]; ratingYear: string };
  wide: boolean;
}) {
  const t = useT();
  const locale = useLocale();
  const navigate = useNavigate();
  const [searchParams] = useSearchParams();
  const href = (overrides: Record<string, string | undefined>) => tableSearch(searchParams, overrides);
  const keep = [...searchParams.entries()].filter(
    ([k]) => k !== 'page' && k !== 'ok' && !(FILTER_PARAMS as readonly string[]).includes(k),
  );
  const filtersActive = FILTER_PARAMS.some((p) => query[p]);

  // Filters are open on wide screens and whenever one is set; on a phone they fold away.
  const filtersRef = useRef<HTMLDetailsElement>(null);
  useEffect(() => {
    if (filtersRef.current && window.matchMedia('(min-width: 48rem)').matches) filtersRef.current.open = true;
  }, []);

  const submitFilters = (form: HTMLFormElement, changed?: string) => {
    const overrides: Record<string, string | undefined> = { page: undefined };
    for (const name of FILTER_PARAMS) {
      const el = form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement | null;
      overrides[name] = el ? el.value.trim() || undefined : undefined;
    }
    // Branches belong to a school: choosing another school drops the branch.
    if (changed === 'school') overrides.branch = undefined;
    navigate(href(overrides), { preventScrollReset: true });
  };
  const onFilterSubmit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    submitFilters(e.currentTarget);
  };

  return (
    <details className="filters-panel" ref={filtersRef} open={filtersActive || undefined}>
      <summary>{t('members.filters')}</summary>
      <Form
        method="get"
        className="filters"
        role="search"
        onSubmit={onFilterSubmit}
        onChange={(e) => {
          const target = e.target as HTMLElement;
          if (target.tagName === 'SELECT') submitFilters(e.currentTarget, (target as HTMLSelectElement).name);
        }}
      >
        {keep.map(([k, v]) => (
          <input key={k} type="hidden" name={k} value={v} />
        ))}
        <div className="field field-wide">
          <label htmlFor="members-q">{t('members.search')}</label>
          <input id="members-q" type="search" name="q" defaultValue={query.q} key={query.q} maxLength={100} />
        </div>
        {wide ? (
          <FilterSelect
            name="school"
            label={t('members.school')}
            value={query.school}
            all={t('members.all')}
            options={options.schools.map((s) => [s.id, s.name])}
          />
        ) : null}
        {wide ? (
          <FilterSelect
            name="schoolKind"
            label={t('members.schoolKind')}
            value={query.schoolKind}
            all={t('members.all')}
            options={SCHOOL_KIND_FILTER_VALUES.map((k) => [k, t(`schoolKind.${k}`)])}
          />
        ) : null}
        {options.branches.length ? (
          <FilterSelect
            name="branch"
            label={t('members.branch')}
            value={query.branch}
            all={t('members.all')}
            options={options.branches.map((b) => [b.id, b.name])}
          />
        ) : null}
        <FilterSelect
          name="stage"
          label={t('members.stage')}
          value={query.stage}
          all={t('members.all')}
          options={ALL_STAGES.map((s) => [s, STAGE_LABELS[s][locale]])}
        />
        <FilterSelect
          name="rating"
          label={t('members.rating', { year: options.ratingYear })}
          value={query.rating}
          all={t('members.all')}
          options={RATING_VALUES.map((r) => [r, t(`members.ratingLevel.${r}`)])}
        />
        <FilterSelect
          name="eligible"
          label={t('criteria.eligibleFilter')}
          value={query.eligible}
          all={t('members.all')}
          options={ELIGIBLE_VALUES.map((v) => [
            v,
            v === 'yes' ? t('criteria.eligibleYesShort') : t('criteria.eligibleNoShort'),
          ])}
        />
        <FilterSelect
          name="gender"
          label={t('members.gender')}
          value={query.gender}
          all={t('members.all')}
          options={GENDERS.map((g) => [g, t(`members.gender.${g}`)])}
        />
        <FilterSelect
          name="year"
          label={t('members.year')}
          value={query.year}
          all={t('members.all')}
          options={options.years.map((y) => [y, y])}
        />
        <div className="filter-actions">
          <button type="submit">{t('members.filter')}</button>
          {filtersActive ? (
            <Link
              to={href(Object.fromEntries(FILTER_PARAMS.map((p) => [p, undefined])))}
              className="button-link"
            >
              {t('members.clearFilters')}
            </Link>
          ) : null}
        </div>
      </Form>
    </details>
  );
}

function FilterSelect({
  name,
  label,
  value,
  all,
  options,
}: {
  name: string;
  label: string;
  value: string | undefined;
  all: string;
  options: [string, string][];
}) {
  const id = `members-${name}`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} name={name} defaultValue={value ?? ''} key={value ?? ''}>
        <option value="">{all}</option>
        {options.map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </select>
    </div>
  );
}

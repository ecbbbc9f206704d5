/**
 * A criteria set's rules in plain words ("Điểm trung bình năm học gần nhất từ 2,5
 * trở lên (thang 4)"), for the set's page and the member's criteria tab.
 */
import { ACADEMIC_RANK_LABELS } from '~/domain/academic';
import {
  AWARD_LEVEL_LABELS,
  THPT_RATING_LABELS,
  TITLE_LABELS,
  UNION_RATING_LABELS,
  formatNumber,
  type AlternativeRule,
  type Rule,
  type TermBasis,
} from '~/domain/criteria';
import { AWARD_KIND_LABELS } from '~/domain/criteria/labels';
import type { Locale, MessageKey, TFunction } from '~/i18n';
import { useLocale, useT } from '~/i18n/use-t';

function basisText(basis: TermBasis, t: TFunction): string {
  return basis === 'latest_year'
    ? t('criteria.basis.latestYear')
    : t('criteria.basis.lastTerms', { n: basis.lastTerms });
}

const since = (months: number | undefined, t: TFunction) =>
  months ? ' ' + t('criteria.describe.since', { months }) : '';

export function describeRule(rule: Rule | AlternativeRule, t: TFunction, locale: Locale): string {
  const num = (n: number) => formatNumber(n, locale);
  switch (rule.kind) {
    case 'min_gpa':
      return t(rule.convert ? 'criteria.describe.min_gpa_convert' : 'criteria.describe.min_gpa', {
        min: num(rule.min),
        scale: rule.scale,
        basis: basisText(rule.basis, t),
      });
    case 'min_academic_rank':
      return t('criteria.describe.min_academic_rank', {
        rank: ACADEMIC_RANK_LABELS[rule.rank][locale],
        basis: basisText(rule.basis, t),
      });
    case 'min_conduct':
      return rule.minScore !== undefined
        ? t('criteria.describe.min_conduct_score', {
            min: num(rule.minScore),
            basis: basisText(rule.basis, t),
          })
        : t('criteria.describe.min_conduct_rating', {
            min: THPT_RATING_LABELS[rule.minRating ?? 'tot'][locale],
            basis: basisText(rule.basis, t),
          });
    case 'min_study_rating':
      return t('criteria.describe.min_study_rating', {
        min: THPT_RATING_LABELS[rule.min][locale],
        basis: basisText(rule.basis, t),
      });
    case 'union_rating':
      return t(
        rule.ofPreviousYears === false
          ? 'criteria.describe.union_rating_current'
          : 'criteria.describe.union_rating',
        { level: UNION_RATING_LABELS[rule.level][locale], years: rule.years },
      );
    case 'min_awards': {
      const kinds = rule.awardKinds?.length
        ? ` (${rule.awardKinds.map((k) => AWARD_KIND_LABELS[k][locale]).join(', ')})`
        : '';
      const level = rule.level
        ? ' ' + t('criteria.describe.fromLevel', { level: AWARD_LEVEL_LABELS[rule.level][locale] })
        : '';
      return (
        t('criteria.describe.min_awards', { count: rule.count }) + kinds + level + since(rule.sinceMonths, t)
      );
    }
    case 'title_held':
      return (
        t('criteria.describe.title_held', {
          title: TITLE_LABELS[rule.title][locale],
          level: AWARD_LEVEL_LABELS[rule.level][locale],
        }) + since(rule.sinceMonths, t)
      );
    case 'min_volunteer_days':
      return t('criteria.describe.min_volunteer_days', { days: num(rule.days) }) + since(rule.sinceMonths, t);
    case 'age_at':
      if (rule.minYears !== undefined && rule.maxYears !== undefined)
        return t('criteria.describe.age_between', { min: rule.minYears, max: rule.maxYears });
      return rule.minYears !== undefined
        ? t('criteria.describe.age_min', { min: rule.minYears })
        : t('criteria.describe.age_max', { max: rule.maxYears ?? 0 });
    case 'certificate_valid':
      return t('criteria.describe.certificate_valid');
    case 'union_membership_months':
      return t('criteria.describe.union_membership_months', { min: rule.min });
    case 'any_of':
      return t('criteria.describe.any_of');
    default:
      return t('criteria.describe.unknown');
  }
}

export function RuleDescriptions({ rules, passMark }: { rules: Rule[]; passMark?: number | null }) {
  const t = useT();
  const locale = useLocale();
  return (
    <>
      <ol className="rule-descriptions" data-testid="rule-descriptions">
        {rules.map((rule) => (
          <li key={rule.id}>
            <span className={`badge ${rule.required ? 'badge-required' : 'badge-scored'}`}>
              {rule.required
                ? t('criteria.requiredBadge')
                : t('criteria.scoredBadge', { weight: formatNumber(rule.weight ?? 0, locale) })}
            </span>{' '}
            {describeRule(rule, t, locale)}
            {rule.kind === 'any_of' ? (
              <ul>
                {rule.rules.map((alt) => (
                  <li key={alt.id}>{describeRule(alt, t, locale)}</li>
                ))}
              </ul>
            ) : null}
          </li>
        ))}
      </ol>
      {rules.some((r) => !r.required) ? (
        <p>{t('criteria.passMarkText', { passMark: formatNumber(passMark ?? 0, locale) })}</p>
      ) : null}
    </>
  );
}

export const STATUS_BADGE: Record<string, { key: MessageKey; className: string }> = {
  draft: { key: 'criteria.status.draft', className: 'badge-draft' },
  active: { key: 'criteria.status.active', className: 'badge-active' },
  retired: { key: 'criteria.status.retired', className: 'badge-inactive' },
};

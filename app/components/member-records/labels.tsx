/** How sub-records read, shared by the edit page and the profile page. */
import { useRouteLoaderData } from '@remix-run/react';
import {
  academicRank,
  conductBand,
  ACADEMIC_RANK_LABELS,
  CONDUCT_BAND_LABELS,
  type ConductBands,
} from '~/domain/academic';
import { AWARD_KINDS, AWARD_LEVELS, THPT_RATINGS, UNION_RATING_LEVELS } from '~/domain/criteria/types';
import { useLocale, useT } from '~/i18n/use-t';
import type { ActivityView } from '~/utils/forms/member-records';

export function useRecordLabels() {
  const t = useT();
  const locale = useLocale();
  // The member's school's bands below "Tốt" (the member layout's loader), else the defaults.
  const bands = useRouteLoaderData<{ conductBands?: ConductBands }>('routes/members.$id')?.conductBands;
  return {
    rank: (gpa: number | null, scale: number) => {
      if (gpa === null) return null;
      const rank = academicRank(gpa, scale);
      return rank ? ACADEMIC_RANK_LABELS[rank][locale] : null;
    },
    conduct: (score: number | null) => {
      if (score === null) return null;
      const band = conductBand(score, bands);
      return band ? CONDUCT_BAND_LABELS[band][locale] : null;
    },
    thpt: (v: string | null) => (v && isOneOf(THPT_RATINGS, v) ? t(`member.thpt.${v}`) : null),
    awardKind: (v: string) => (isOneOf(AWARD_KINDS, v) ? t(`member.awardKind.${v}`) : v),
    awardLevel: (v: string) => (isOneOf(AWARD_LEVELS, v) ? t(`member.awardLevel.${v}`) : v),
    ratingLevel: (v: string) => (isOneOf(UNION_RATING_LEVELS, v) ? t(`member.ratingLevel.${v}`) : v),
  };
}

function isOneOf<T extends readonly string[]>(values: T, v: string): v is T[number] {
  return (values as readonly string[]).includes(v);
}

export function VerifiedBadge({ verified }: { verified: boolean }) {
  const t = useT();
  return verified ? (
    <span className="badge badge-verified" data-verified="true">
      ✓ {t('member.verified')}
    </span>
  ) : (
    <span className="badge badge-unverified" data-verified="false">
      ? {t('member.unverified')}
    </span>
  );
}

export function activityFacts(
  item: ActivityView,
  t: ReturnType<typeof useT>,
  date: (v: string) => string,
): string {
  const parts: string[] = [];
  if (item.role) parts.push(item.role);
  if (item.days !== null) parts.push(t('member.daysValue', { days: item.days }));
  if (item.hours !== null) parts.push(t('member.hoursValue', { hours: item.hours }));
  if (item.startDate || item.endDate)
    parts.push(
      [item.startDate ? date(item.startDate) : '…', item.endDate ? date(item.endDate) : '…'].join(' – '),
    );
  return parts.join(' · ');
}

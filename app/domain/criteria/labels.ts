/**
 * Words and number formatting used in verdict explanations. Kept beside the
 * engine (not in app/i18n) because explanations are data: they are stored with
 * simulations and shown identically to the student, the school and the province.
 */
import { ACADEMIC_RANK_LABELS, type AcademicRank } from '../academic.ts';
import type {
  AwardKind,
  AwardLevel,
  Locale,
  Text,
  ThptRating,
  TitleCode,
  UnionRatingLevel,
} from './types.ts';

export const UNION_RATING_LABELS: Record<UnionRatingLevel, Text> = {
  excellent: { vi: 'Hoàn thành xuất sắc nhiệm vụ', en: 'Excellent' },
  good: { vi: 'Hoàn thành tốt nhiệm vụ', en: 'Good' },
  complete: { vi: 'Hoàn thành nhiệm vụ', en: 'Completed' },
  incomplete: { vi: 'Không hoàn thành nhiệm vụ', en: 'Not completed' },
};

export const THPT_RATING_LABELS: Record<ThptRating, Text> = {
  tot: { vi: 'Tốt', en: 'Good' },
  kha: { vi: 'Khá', en: 'Fair' },
  dat: { vi: 'Đạt', en: 'Pass' },
  chua_dat: { vi: 'Chưa đạt', en: 'Not passed' },
};

export const AWARD_LEVEL_LABELS: Record<AwardLevel, Text> = {
  school: { vi: 'cấp trường', en: 'school level' },
  province: { vi: 'cấp tỉnh', en: 'provincial level' },
  central: { vi: 'cấp Trung ương', en: 'central level' },
};

export const AWARD_KIND_LABELS: Record<AwardKind, Text> = {
  giay_khen: { vi: 'Giấy khen', en: 'certificate of merit' },
  bang_khen: { vi: 'Bằng khen', en: 'Central Union merit' },
  title: { vi: 'danh hiệu', en: 'title' },
};

export const TITLE_LABELS: Record<TitleCode, Text> = {
  sv5t: { vi: 'Sinh viên 5 tốt', en: 'Student of 5 Merits' },
  hs3t: { vi: 'Học sinh 3 tốt', en: 'Pupil of 3 Merits' },
};

/** The ranks' words are academic.ts's, so a verdict and a record page never name a rank differently. */
export const RANK_LABELS: Record<AcademicRank, Text> = ACADEMIC_RANK_LABELS;

export const PASS = '✓';
export const FAIL = '✗';
export const mark = (passed: boolean) => (passed ? PASS : FAIL);

/**
 * Rounds half up to 2 decimals. The 1e-9 nudge absorbs binary noise (1.005 is
 * stored as 1.00499999…; 3.1999999999 is 3.2 written by a float sum).
 */
export function round2(n: number): number {
  return Math.round((n + (n >= 0 ? 1e-9 : -1e-9)) * 100) / 100;
}

/**
 * Up to 2 decimals, no grouping (values are GPAs, scores, days, months);
 * Vietnamese uses a decimal comma. Hand-rolled because Intl.NumberFormat costs
 * ~1 µs a call and a simulation formats millions of numbers.
 */
export function formatNumber(n: number, locale: Locale): string {
  const s = String(round2(n));
  return locale === 'vi' ? s.replace('.', ',') : s;
}

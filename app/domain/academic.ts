/**
 * Academic rank from a GPA (Thông tư 08/2021, domain.md §4) and the band of a
 * university conduct score (điểm rèn luyện, Thông tư 16/2015). Pure, isomorphic.
 *
 * GPAs arrive as averages computed elsewhere (3.6 can be 3.5999999999999996 after
 * summing credits), so thresholds are compared with a tiny tolerance: far below
 * any precision a transcript prints (2 decimals), far above binary rounding noise.
 * A real 3.1999 stays below 3.2.
 */
import { z } from 'zod';

export const GPA_SCALES = [4, 10] as const;
export type GpaScale = (typeof GPA_SCALES)[number];

export const ACADEMIC_RANKS = ['excellent', 'very_good', 'good', 'average', 'weak', 'poor'] as const;
export type AcademicRank = (typeof ACADEMIC_RANKS)[number];

export const ACADEMIC_RANK_LABELS: Record<AcademicRank, { vi: string; en: string }> = {
  excellent: { vi: 'Xuất sắc', en: 'Excellent' },
  very_good: { vi: 'Giỏi', en: 'Very good' },
  good: { vi: 'Khá', en: 'Good' },
  average: { vi: 'Trung bình', en: 'Average' },
  weak: { vi: 'Yếu', en: 'Weak' },
  poor: { vi: 'Kém', en: 'Poor' },
};

const EPSILON = 1e-9;

/** Lower bound of each rank, best first; anything below the last is 'poor'. */
const RANK_THRESHOLDS: Record<GpaScale, readonly [AcademicRank, number][]> = {
  4: [
    ['excellent', 3.6],
    ['very_good', 3.2],
    ['good', 2.5],
    ['average', 2.0],
    ['weak', 1.0],
  ],
  10: [
    ['excellent', 9.0],
    ['very_good', 8.0],
    ['good', 7.0],
    ['average', 5.0],
    ['weak', 4.0],
  ],
};

export function isGpaScale(value: unknown): value is GpaScale {
  return value === 4 || value === 10;
}

/** Whether `gpa` is a possible grade point average on `scale` (0 to the scale's top). */
export function isValidGpa(gpa: unknown, scale: unknown): gpa is number {
  return (
    typeof gpa === 'number' &&
    Number.isFinite(gpa) &&
    isGpaScale(scale) &&
    gpa >= -EPSILON &&
    gpa <= scale + EPSILON
  );
}

/** Rank of a GPA on the 4- or 10-point scale; null when the GPA or the scale is impossible. */
export function academicRank(gpa: number, scale: number): AcademicRank | null {
  if (!isValidGpa(gpa, scale)) return null;
  for (const [rank, min] of RANK_THRESHOLDS[scale as GpaScale]) {
    if (gpa >= min - EPSILON) return rank;
  }
  return 'poor';
}

export function academicRankLabel(rank: AcademicRank, locale: 'vi' | 'en'): string {
  return ACADEMIC_RANK_LABELS[rank][locale];
}

export const CONDUCT_BANDS = ['excellent', 'very_good', 'good', 'average', 'weak'] as const;
export type ConductBand = (typeof CONDUCT_BANDS)[number];

export const CONDUCT_BAND_LABELS: Record<ConductBand, { vi: string; en: string }> = {
  excellent: { vi: 'Xuất sắc', en: 'Excellent' },
  very_good: { vi: 'Tốt', en: 'Very good' },
  good: { vi: 'Khá', en: 'Good' },
  average: { vi: 'Trung bình', en: 'Average' },
  weak: { vi: 'Yếu', en: 'Weak' },
};

/**
 * Lower bounds of the bands below "Tốt". Thông tư 16/2015 fixes Xuất sắc (≥ 90)
 * and Tốt (≥ 80); schools set the rest in their own regulations (domain.md §4).
 */
export interface ConductBandOptions {
  goodMin?: number;
  averageMin?: number;
}

export const DEFAULT_CONDUCT_BANDS = { goodMin: 65, averageMin: 50 } as const;

/** Lower bound of "Tốt" (Thông tư 16/2015): the school's bands lie below it. */
export const CONDUCT_VERY_GOOD_MIN = 80;

const bandBound = z.preprocess(
  (v) => (typeof v === 'string' ? (v.trim() === '' ? undefined : Number(v.trim())) : v),
  z
    .number({ message: 'conduct.v.number' })
    .int({ message: 'conduct.v.number' })
    .min(0, { message: 'conduct.v.range' })
    .max(100, { message: 'conduct.v.range' }),
);

/**
 * A school's bands below "Tốt" (its own regulation): whole scores 0–100, descending —
 * Tốt (80) > Khá (goodMin) > Trung bình (averageMin) ≥ 0 — so no band is empty and none
 * overlaps. Messages are catalogue keys.
 */
export const ConductBandsSchema = z
  .object({ goodMin: bandBound, averageMin: bandBound })
  .superRefine((v, ctx) => {
    if (v.goodMin >= CONDUCT_VERY_GOOD_MIN)
      ctx.addIssue({ code: 'custom', path: ['goodMin'], message: 'conduct.v.belowVeryGood' });
    if (v.averageMin >= v.goodMin)
      ctx.addIssue({ code: 'custom', path: ['averageMin'], message: 'conduct.v.belowGood' });
  });
export type ConductBands = z.output<typeof ConductBandsSchema>;

/** The stored bands of a school when they are valid, else the defaults (65/50). */
export function conductBandsOf(stored: unknown): ConductBands {
  const parsed = ConductBandsSchema.safeParse(stored ?? undefined);
  return parsed.success ? parsed.data : { ...DEFAULT_CONDUCT_BANDS };
}

/**
 * Band of a conduct score 0-100; null for an impossible score. Throws on an
 * impossible configuration (bounds out of order): that is a programming or
 * admin-data error, never user input.
 */
export function conductBand(score: number, options: ConductBandOptions = {}): ConductBand | null {
  const goodMin = options.goodMin ?? DEFAULT_CONDUCT_BANDS.goodMin;
  const averageMin = options.averageMin ?? DEFAULT_CONDUCT_BANDS.averageMin;
  if (!(averageMin >= 0 && averageMin <= goodMin && goodMin <= 80)) {
    throw new RangeError(`Invalid conduct bands: goodMin=${goodMin}, averageMin=${averageMin}`);
  }
  if (typeof score !== 'number' || !Number.isFinite(score) || score < -EPSILON || score > 100 + EPSILON)
    return null;
  if (score >= 90 - EPSILON) return 'excellent';
  if (score >= 80 - EPSILON) return 'very_good';
  if (score >= goodMin - EPSILON) return 'good';
  if (score >= averageMin - EPSILON) return 'average';
  return 'weak';
}

export function conductBandLabel(band: ConductBand, locale: 'vi' | 'en'): string {
  return CONDUCT_BAND_LABELS[band][locale];
}

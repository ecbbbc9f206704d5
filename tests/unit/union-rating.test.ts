/**
 * "Xuất sắc" needs ≥ 90 % participation where participation is recorded (issue 16): the rule
 * at its edges (89.99 / 90, blank, other levels), the rating form's schema (refused beside the
 * rate), and the criteria engine, which counts a stored "xuất sắc" below 90 % as "tốt" and
 * says why.
 */
import { describe, expect, it } from 'vitest';
import { RatingSchema } from '../../app/utils/forms/member-records.ts';
import { evaluate } from '../../app/domain/criteria/engine.ts';
import type { CriteriaSet } from '../../app/domain/criteria/types.ts';
import { effectiveUnionRating, participationTooLow } from '../../app/domain/union-rating.ts';

describe('participationTooLow / effectiveUnionRating', () => {
  it.each([
    ['excellent', undefined, false, 'excellent'],
    ['excellent', null, false, 'excellent'],
    ['excellent', 90, false, 'excellent'],
    ['excellent', 100, false, 'excellent'],
    ['excellent', 89.99, true, 'good'],
    ['excellent', 0, true, 'good'],
    ['good', 10, false, 'good'],
    ['complete', 50, false, 'complete'],
    ['excellent', Number.NaN, false, 'excellent'],
  ] as const)('%s at %s %% → too low %s, counts as %s', (level, pct, low, counted) => {
    expect(participationTooLow(level, pct)).toBe(low);
    expect(effectiveUnionRating(level, pct)).toBe(counted);
  });
});

describe('RatingSchema', () => {
  const parse = (v: Record<string, string>) => RatingSchema.safeParse({ year: '2025-2026', ...v });
  const errors = (v: Record<string, string>) => {
    const r = parse(v);
    return r.success ? [] : r.error.issues.map((i) => [i.path.join('.'), i.message]);
  };
  it('accepts excellent without a rate, or with 90 % or more (comma decimals too)', () => {
    expect(parse({ level: 'excellent' }).data).toEqual({ year: '2025-2026', level: 'excellent' });
    expect(parse({ level: 'excellent', participation: '90' }).data?.participation).toBe(90);
    expect(parse({ level: 'excellent', participation: '95,5' }).data?.participation).toBe(95.5);
  });
  it('refuses excellent below 90 %, beside the rate', () => {
    expect(errors({ level: 'excellent', participation: '89,9' })).toEqual([
      ['participation', 'member.v.excellentParticipation'],
    ]);
  });
  it('accepts a low rate with a lower rating, refuses a rate outside 0–100', () => {
    expect(parse({ level: 'good', participation: '40' }).success).toBe(true);
    expect(errors({ level: 'good', participation: '101' })).toEqual([
      ['participation', 'member.v.participation'],
    ]);
    expect(errors({ level: 'good', participation: '-5' })).toEqual([
      ['participation', 'member.v.participation'],
    ]);
  });
});

describe('the criteria engine', () => {
  const set: CriteriaSet = {
    name: 'Xếp loại',
    schoolKind: 'university',
    schoolYear: '2026-2027',
    version: 1,
    rules: [{ id: 'rating', kind: 'union_rating', level: 'excellent', years: 1, required: true }],
  };
  const asOf = new Date('2026-11-27T03:00:00Z');
  const judge = (participation?: number) =>
    evaluate(
      {
        unionRatings: [
          {
            year: '2025-2026',
            level: 'excellent',
            ...(participation === undefined ? {} : { participation }),
          },
        ],
      },
      set,
      asOf,
    ).results[0];
  it('keeps an excellent rating without a recorded rate or at 90 %', () => {
    expect(judge().passed).toBe(true);
    expect(judge(90).passed).toBe(true);
  });
  it('counts an excellent rating below 90 % as good, and says why', () => {
    const r = judge(85);
    expect(r.passed).toBe(false);
    expect(r.actual).toEqual(['good']);
    expect(r.explanation.vi).toContain('tỷ lệ tham gia 85 % < 90 %');
    expect(r.explanation.en).toContain('participation 85 % < 90 %');
  });
});

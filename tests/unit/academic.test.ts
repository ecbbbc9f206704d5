import { describe, expect, it } from 'vitest';
import {
  ACADEMIC_RANK_LABELS,
  academicRank,
  academicRankLabel,
  conductBand,
  conductBandLabel,
  isValidGpa,
} from '../../app/domain/academic.ts';

describe('academicRank', () => {
  it.each([
    [4, 4.0, 'excellent'],
    [4, 3.6, 'excellent'],
    [4, 3.5999, 'very_good'],
    [4, 3.2, 'very_good'],
    [4, 3.1999, 'good'],
    [4, 2.5, 'good'],
    [4, 2.4999, 'average'],
    [4, 2.0, 'average'],
    [4, 1.9999, 'weak'],
    [4, 1.0, 'weak'],
    [4, 0.9999, 'poor'],
    [4, 0, 'poor'],
    [10, 10, 'excellent'],
    [10, 9.0, 'excellent'],
    [10, 8.9999, 'very_good'],
    [10, 8.0, 'very_good'],
    [10, 7.9999, 'good'],
    [10, 7.0, 'good'],
    [10, 6.9999, 'average'],
    [10, 5.0, 'average'],
    [10, 4.9999, 'weak'],
    [10, 4.0, 'weak'],
    [10, 3.9999, 'poor'],
    [10, 0, 'poor'],
  ] as const)('on the %s-point scale: %s → %s', (scale, gpa, rank) => {
    expect(academicRank(gpa, scale)).toBe(rank);
  });
});

describe('academicRank on the 4-point scale', () => {
  it('is not fooled by binary rounding of averages', () => {
    const almost36 = 3 * 1.2; // 3.5999999999999996
    expect(almost36).toBeLessThan(3.6);
    expect(academicRank(almost36, 4)).toBe('excellent');
    const almost32 = 3.3 - 0.1; // 3.1999999999999997
    expect(almost32).toBeLessThan(3.2);
    expect(academicRank(almost32, 4)).toBe('very_good');
    expect(academicRank(3.2 - 1e-12, 4)).toBe('very_good');
  });
});

describe('academicRank on the 10-point scale', () => {
  it('handles averages like (7.1 + 6.9) / 2', () => {
    expect(academicRank((7.1 + 6.9) / 2, 10)).toBe('good');
    expect(academicRank(0.7 * 10, 10)).toBe('good');
  });
});

describe('academicRank with impossible input', () => {
  it.each([
    [4.01, 4],
    [-0.01, 4],
    [10.5, 10],
    [-1, 10],
    [Number.NaN, 4],
    [Number.POSITIVE_INFINITY, 10],
    [3, 5],
    [3, 100],
  ])('gpa %s on scale %s → null', (gpa, scale) => {
    expect(academicRank(gpa, scale)).toBeNull();
  });

  it('accepts the top of the scale and zero', () => {
    expect(isValidGpa(4, 4)).toBe(true);
    expect(isValidGpa(10, 10)).toBe(true);
    expect(isValidGpa(0, 10)).toBe(true);
    expect(isValidGpa(6, 4)).toBe(false);
    expect(isValidGpa('3', 4)).toBe(false);
  });
});

describe('labels', () => {
  it('has Vietnamese and English labels', () => {
    expect(academicRankLabel('very_good', 'vi')).toBe('Giỏi');
    expect(academicRankLabel('poor', 'en')).toBe('Poor');
    expect(Object.keys(ACADEMIC_RANK_LABELS)).toHaveLength(6);
    expect(conductBandLabel('very_good', 'vi')).toBe('Tốt');
  });
});

describe('conductBand', () => {
  it.each([
    [100, 'excellent'],
    [90, 'excellent'],
    [89.99, 'very_good'],
    [80, 'very_good'],
    [79.99, 'good'],
    [65, 'good'],
    [64.99, 'average'],
    [50, 'average'],
    [49.99, 'weak'],
    [0, 'weak'],
  ] as const)('default bands: %s → %s', (score, band) => {
    expect(conductBand(score)).toBe(band);
  });

  it('uses the school’s own lower bands', () => {
    const options = { goodMin: 70, averageMin: 60 };
    expect(conductBand(80, options)).toBe('very_good');
    expect(conductBand(70, options)).toBe('good');
    expect(conductBand(69, options)).toBe('average');
    expect(conductBand(60, options)).toBe('average');
    expect(conductBand(59, options)).toBe('weak');
    // Only one bound given: the other keeps its default.
    expect(conductBand(66, { goodMin: 70 })).toBe('average');
  });

  it('rejects impossible scores', () => {
    expect(conductBand(-1)).toBeNull();
    expect(conductBand(100.5)).toBeNull();
    expect(conductBand(Number.NaN)).toBeNull();
  });

  it('refuses bands out of order', () => {
    expect(() => conductBand(70, { goodMin: 50, averageMin: 60 })).toThrow(RangeError);
    expect(() => conductBand(70, { goodMin: 85 })).toThrow(RangeError);
  });
});

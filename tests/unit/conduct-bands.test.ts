/**
 * A school's conduct-score bands below "Tốt" (issue 16): whole scores 0–100, descending
 * (80 > Khá > Trung bình ≥ 0), validated with messages beside each field; stored bands that
 * do not validate fall back to the defaults 65/50; the band of a score follows them.
 */
import { describe, expect, it } from 'vitest';
import {
  ConductBandsSchema,
  DEFAULT_CONDUCT_BANDS,
  conductBand,
  conductBandsOf,
} from '../../app/domain/academic.ts';

const errors = (v: Record<string, unknown>) => {
  const r = ConductBandsSchema.safeParse(v);
  // The first message of each field, as parseForm reports it.
  const out: Record<string, string> = {};
  for (const i of r.success ? [] : r.error.issues) out[i.path.join('.')] ??= i.message;
  return out;
};

describe('ConductBandsSchema', () => {
  it.each([
    [
      { goodMin: '79', averageMin: '78' },
      { goodMin: 79, averageMin: 78 },
    ],
    [
      { goodMin: '65', averageMin: '50' },
      { goodMin: 65, averageMin: 50 },
    ],
    [
      { goodMin: '1', averageMin: '0' },
      { goodMin: 1, averageMin: 0 },
    ],
    [
      { goodMin: 70, averageMin: 55 },
      { goodMin: 70, averageMin: 55 },
    ],
  ])('accepts %j', (input, out) => {
    expect(ConductBandsSchema.parse(input)).toEqual(out);
  });

  it.each([
    ['Khá at Tốt', { goodMin: '80', averageMin: '50' }, { goodMin: 'conduct.v.belowVeryGood' }],
    ['Khá above 100', { goodMin: '101', averageMin: '50' }, { goodMin: 'conduct.v.range' }],
    ['Trung bình equal to Khá', { goodMin: '60', averageMin: '60' }, { averageMin: 'conduct.v.belowGood' }],
    ['Trung bình above Khá', { goodMin: '60', averageMin: '61' }, { averageMin: 'conduct.v.belowGood' }],
    ['negative', { goodMin: '60', averageMin: '-1' }, { averageMin: 'conduct.v.range' }],
    ['not whole', { goodMin: '65.5', averageMin: '50' }, { goodMin: 'conduct.v.number' }],
    ['blank', { goodMin: '', averageMin: '50' }, { goodMin: 'conduct.v.number' }],
    ['not a number', { goodMin: 'khá', averageMin: '50' }, { goodMin: 'conduct.v.number' }],
  ])('refuses %s, beside the field', (_name, input, expected) => {
    expect(errors(input)).toEqual(expected);
  });
});

describe('conductBandsOf and the band of a score', () => {
  it('defaults to 65/50 when nothing or something invalid is stored', () => {
    expect(conductBandsOf(undefined)).toEqual(DEFAULT_CONDUCT_BANDS);
    expect(conductBandsOf(null)).toEqual(DEFAULT_CONDUCT_BANDS);
    expect(conductBandsOf({ goodMin: 50, averageMin: 60 })).toEqual(DEFAULT_CONDUCT_BANDS);
    expect(conductBandsOf({ goodMin: 70, averageMin: 55 })).toEqual({ goodMin: 70, averageMin: 55 });
  });

  it.each([
    [80, 'very_good'],
    [79, 'good'],
    [70, 'good'],
    [69.99, 'average'],
    [55, 'average'],
    [54.99, 'weak'],
  ] as const)('with Khá from 70 and Trung bình from 55: %s → %s', (score, band) => {
    expect(conductBand(score, conductBandsOf({ goodMin: 70, averageMin: 55 }))).toBe(band);
  });

  it('leaves the defaults unchanged: 65 is Khá, 64 Trung bình, 49 Yếu', () => {
    const bands = conductBandsOf(undefined);
    expect([65, 64, 50, 49].map((s) => conductBand(s, bands))).toEqual([
      'good',
      'average',
      'average',
      'weak',
    ]);
  });
});

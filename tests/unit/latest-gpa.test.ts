import { describe, expect, it } from 'vitest';
import { latestGpa10, latestGradedTerm } from '~/domain/latest-gpa';

describe('latestGradedTerm', () => {
  it('takes the latest school year, then the highest term', () => {
    const terms = [
      { year: '2024-2025', term: 2, scale: 4, gpa: 3.1 },
      { year: '2025-2026', term: 1, scale: 4, gpa: 3.4 },
      { year: '2023-2024', term: 2, scale: 4, gpa: 2.0 },
    ];
    expect(latestGradedTerm(terms)?.gpa).toBe(3.4);
    expect(latestGradedTerm([...terms, { year: '2025-2026', term: 2, scale: 4, gpa: 3.0 }])?.gpa).toBe(3.0);
  });

  it('skips terms without a valid GPA for their scale', () => {
    const terms = [
      { year: '2024-2025', term: 1, scale: 10, gpa: 8 },
      { year: '2025-2026', term: 1, scale: 10, gpa: null },
      { year: '2025-2026', term: 2, scale: 4, gpa: 7.5 },
    ];
    expect(latestGradedTerm(terms)?.gpa).toBe(8);
    expect(latestGradedTerm([])).toBeNull();
    expect(latestGradedTerm(undefined)).toBeNull();
  });
});

describe('latestGpa10', () => {
  it('keeps 10-point GPAs and maps 4-point ones so ranks line up', () => {
    expect(latestGpa10([{ year: '2025-2026', term: 1, scale: 10, gpa: 7.25 }])).toBe(7.25);
    // Rank boundaries: 2.5/4 ↔ 7.0/10 (khá), 3.2 ↔ 8.0 (giỏi), 3.6 ↔ 9.0 (xuất sắc), 4 ↔ 10.
    expect(latestGpa10([{ year: '2025-2026', term: 1, scale: 4, gpa: 2.5 }])).toBe(7);
    expect(latestGpa10([{ year: '2025-2026', term: 1, scale: 4, gpa: 3.2 }])).toBe(8);
    expect(latestGpa10([{ year: '2025-2026', term: 1, scale: 4, gpa: 3.6 }])).toBe(9);
    expect(latestGpa10([{ year: '2025-2026', term: 1, scale: 4, gpa: 4 }])).toBe(10);
  });

  it('orders a 4-point giỏi above a 10-point khá', () => {
    const gioi4 = latestGpa10([{ year: '2025-2026', term: 1, scale: 4, gpa: 3.3 }])!;
    const kha10 = latestGpa10([{ year: '2025-2026', term: 1, scale: 10, gpa: 7.9 }])!;
    expect(gioi4).toBeGreaterThan(kha10);
  });

  it('is null without a graded term', () => {
    expect(latestGpa10([{ year: '2025-2026', term: 1, scale: 4 }])).toBeNull();
    expect(latestGpa10(null)).toBeNull();
  });
});

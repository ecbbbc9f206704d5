/**
 * Numbers as the pages show them (issue 18): one decimal separator per language (the
 * Vietnamese comma), percentages rounded rather than cut, far deadlines in months.
 */
import { describe, expect, it } from 'vitest';
import { progressPercent } from '~/components/target-progress';
import { deadlineHorizon } from '~/domain/deadline-horizon';
import { formatDecimal, formatGpa, formatPercent, translate } from '~/i18n';

describe('formatDecimal', () => {
  it('writes the decimal comma in Vietnamese and the point in English', () => {
    expect(formatDecimal(3.456, 'vi', 2)).toBe('3,46');
    expect(formatDecimal(3.456, 'en', 2)).toBe('3.46');
    expect(formatDecimal(1234.5, 'vi', 1)).toBe('1.234,5');
  });

  it('keeps the decimals it is asked for and rounds half away from zero', () => {
    expect(formatDecimal(2, 'vi', 2)).toBe('2,00');
    expect(formatDecimal(7.25, 'vi', 1)).toBe('7,3');
    expect(formatDecimal(7.24, 'en', 1)).toBe('7.2');
  });
});

describe('formatGpa', () => {
  it('gives the 4-point scale two decimals and the 10-point scale one', () => {
    expect(formatGpa(3.4, 4, 'vi')).toBe('3,40');
    expect(formatGpa(8.25, 10, 'vi')).toBe('8,3');
    expect(formatGpa(8.25, 10, 'en')).toBe('8.3');
  });
});

describe('formatPercent', () => {
  it('rounds to whole percent instead of truncating', () => {
    expect(formatPercent(2 / 3, 'vi')).toBe('67%');
    expect(formatPercent(0.995, 'en')).toBe('100%');
    expect(formatPercent(0.124, 'en')).toBe('12%');
  });

  it('uses the language’s separator when decimals are asked for', () => {
    expect(formatPercent(0.1256, 'vi', 1)).toBe('12,6%');
    expect(formatPercent(0.1256, 'en', 1)).toBe('12.6%');
  });
});

describe('progressPercent (target reached)', () => {
  it('rounds: 2 of 3 is 67%, not 66%', () => {
    expect(progressPercent(2, 3)).toBe(67);
    expect(progressPercent(1, 3)).toBe(33);
  });

  it('does not read 100% before the target is met', () => {
    expect(progressPercent(199, 200)).toBe(99);
    expect(progressPercent(200, 200)).toBe(100);
    expect(progressPercent(301, 200)).toBe(151);
  });
});

describe('deadlineHorizon', () => {
  it('counts working days while the deadline is near', () => {
    expect(deadlineHorizon(0)).toEqual({ unit: 'workingDays', count: 0 });
    expect(deadlineHorizon(30)).toEqual({ unit: 'workingDays', count: 30 });
    expect(deadlineHorizon(44)).toEqual({ unit: 'workingDays', count: 44 });
  });

  it('speaks in months beyond about two months', () => {
    expect(deadlineHorizon(45)).toEqual({ unit: 'months', count: 2 });
    expect(deadlineHorizon(261)).toEqual({ unit: 'months', count: 12 });
    // The case seen on /me: 1174 working days is about four and a half years.
    expect(deadlineHorizon(1174)).toEqual({ unit: 'months', count: 54 });
  });

  it('reads as months in both languages', () => {
    expect(translate('vi', 'me.deadline.leftMonths', { months: 54 })).toBe('còn khoảng 54 tháng');
    expect(translate('en', 'pipeline.deadline.leftMonths', { months: 54 })).toBe('about 54 months left');
  });
});

describe('the bonus score', () => {
  it('is not written as a fraction', () => {
    const text = translate('vi', 'me.criteria.score', { score: 4, passMark: 2 });
    expect(text).not.toMatch(/4\/2/);
    expect(text).toBe('Điểm cộng: 4 điểm (cần đạt 2 điểm)');
  });
});

import { describe, expect, it } from 'vitest';
import { en } from '~/i18n/en';
import { vi } from '~/i18n/vi';
import { formatDate, formatNumber, isMessageKey, translate } from '~/i18n';

describe('message catalogues', () => {
  it('English has exactly the Vietnamese keys', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(vi).sort());
  });

  it('no message is empty', () => {
    for (const catalogue of [vi, en]) {
      expect(Object.keys(catalogue).length).toBeGreaterThan(100);
      for (const [key, value] of Object.entries(catalogue)) expect(value.trim(), key).not.toBe('');
    }
  });

  it('both languages use the same placeholders', () => {
    const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const key of Object.keys(vi) as (keyof typeof vi)[]) {
      expect(placeholders(en[key]), key).toEqual(placeholders(vi[key]));
    }
  });

  it('fills placeholders and leaves unknown ones', () => {
    expect(translate('vi', 'home.welcome', { name: 'Lan' })).toBe('Xin chào, Lan');
    expect(translate('en', 'home.welcome', { name: 'Lan' })).toBe('Welcome, Lan');
    expect(translate('en', 'home.welcome')).toBe('Welcome, {name}');
  });

  it('recognises catalogue keys only', () => {
    expect(isMessageKey('login.title')).toBe(true);
    expect(isMessageKey('toString')).toBe(false);
    expect(isMessageKey('nope')).toBe(false);
  });

  it('formats dates as dd/MM/yyyy in Vietnam time and numbers per locale', () => {
    const date = new Date('2025-07-01T20:00:00Z'); // 2 July 03:00 in Vietnam
    expect(formatDate(date, 'vi')).toBe('02/07/2025');
    expect(formatDate(date, 'en')).toBe('02/07/2025');
    expect(formatDate(null, 'vi')).toBe('');
    expect(formatNumber(12345, 'vi')).toBe('12.345');
    expect(formatNumber(12345, 'en')).toBe('12,345');
  });
});

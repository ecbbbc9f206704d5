import { describe, expect, it } from 'vitest';
import { safeRedirect } from '~/utils/safe-redirect';

describe('safeRedirect', () => {
  it.each([
    ['/admin', '/admin'],
    ['/admin/units?kind=school&q=pham', '/admin/units?kind=school&q=pham'],
    ['/me#stage', '/me#stage'],
  ])('keeps the local path %s', (input, expected) => {
    expect(safeRedirect(input)).toBe(expected);
  });

  it.each([
    ['//evil.com'],
    ['//evil.com/path'],
    ['/\\evil.com'],
    ['/\\/evil.com'],
    ['https://evil.com'],
    ['http://127.0.0.1:3000/admin'],
    ['javascript:alert(1)'],
    ['evil.com'],
    ['admin'],
    [' //evil.com'],
    ['/\tevil'],
    ['/%0a/evil'],
    [''],
  ])('rejects %j', (input) => {
    const out = safeRedirect(input, '/home');
    // Encoded control characters stay encoded in a path, which is harmless.
    if (input === '/%0a/evil') expect(out).toBe('/%0a/evil');
    else expect(out).toBe('/home');
  });

  it('falls back for missing or non-string values', () => {
    expect(safeRedirect(null)).toBe('/');
    expect(safeRedirect(undefined, '/x')).toBe('/x');
    expect(safeRedirect(new File([], 'f') as unknown as string, '/y')).toBe('/y');
  });
});

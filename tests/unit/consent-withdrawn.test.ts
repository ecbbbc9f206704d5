/**
 * When a record is paused by the student (issue 16): consent withdrawn and not given
 * again since. A consent never given pauses nothing.
 */
import { describe, expect, it } from 'vitest';
import { CONSENT_VERSION, consentWithdrawn, consentWithdrawnAt, hasCurrentConsent } from '~/domain/consent';

describe('consentWithdrawn', () => {
  it('is false for a consent never given (no record of it, or an empty one)', () => {
    expect(consentWithdrawn(null)).toBe(false);
    expect(consentWithdrawn(undefined)).toBe(false);
    expect(consentWithdrawn({})).toBe(false);
    expect(consentWithdrawn({ version: null, givenAt: null, withdrawnAt: null })).toBe(false);
  });

  it('is false for a consent given and in force, even of an older version', () => {
    expect(consentWithdrawn({ version: CONSENT_VERSION, givenAt: '2026-02-01T03:00:00Z' })).toBe(false);
    expect(consentWithdrawn({ version: '2025-01', givenAt: '2025-02-01T03:00:00Z' })).toBe(false);
  });

  it('is true once withdrawn, whatever the version', () => {
    const given = new Date('2026-02-01T03:00:00Z');
    expect(
      consentWithdrawn({ version: CONSENT_VERSION, givenAt: given, withdrawnAt: '2026-03-01T03:00:00Z' }),
    ).toBe(true);
    expect(
      consentWithdrawn({ version: '2025-01', givenAt: given, withdrawnAt: '2026-03-01T03:00:00Z' }),
    ).toBe(true);
  });

  it('is true for a withdrawal with no date of giving (or one that cannot be read)', () => {
    expect(consentWithdrawn({ withdrawnAt: '2026-03-01T03:00:00Z' })).toBe(true);
    expect(consentWithdrawn({ givenAt: 'not a date', withdrawnAt: '2026-03-01T03:00:00Z' })).toBe(true);
    expect(consentWithdrawn({ givenAt: '2026-04-01T03:00:00Z', withdrawnAt: 'not a date' })).toBe(true);
  });

  it('is lifted by consent given again strictly after the withdrawal, not at the same instant', () => {
    const withdrawnAt = new Date('2026-03-01T03:00:00.000Z');
    expect(consentWithdrawn({ givenAt: new Date('2026-03-01T03:00:00.001Z'), withdrawnAt })).toBe(false);
    expect(consentWithdrawn({ givenAt: new Date('2026-03-01T03:00:00.000Z'), withdrawnAt })).toBe(true);
    expect(consentWithdrawn({ givenAt: new Date('2026-03-01T02:59:59.999Z'), withdrawnAt })).toBe(true);
  });

  it('accepts dates, ISO strings and epoch numbers alike', () => {
    const w = Date.parse('2026-03-01T03:00:00Z');
    expect(consentWithdrawn({ givenAt: w - 1, withdrawnAt: w })).toBe(true);
    expect(consentWithdrawn({ givenAt: new Date(w + 1).toISOString(), withdrawnAt: new Date(w) })).toBe(
      false,
    );
  });

  it('never holds together with a current consent', () => {
    const cases = [
      { version: CONSENT_VERSION, givenAt: '2026-02-01', withdrawnAt: '2026-03-01' },
      { version: CONSENT_VERSION, givenAt: '2026-02-01' },
      { version: CONSENT_VERSION, givenAt: '2026-04-01', withdrawnAt: '2026-03-01' },
      {},
    ];
    for (const c of cases) expect(consentWithdrawn(c) && hasCurrentConsent(c)).toBe(false);
  });
});

describe('consentWithdrawnAt', () => {
  it('gives the withdrawal date only while withdrawn', () => {
    const withdrawnAt = new Date('2026-03-01T03:00:00Z');
    expect(consentWithdrawnAt({ givenAt: '2026-02-01', withdrawnAt })).toEqual(withdrawnAt);
    expect(consentWithdrawnAt({ givenAt: '2026-04-01', withdrawnAt })).toBeNull();
    expect(consentWithdrawnAt({ givenAt: '2026-02-01' })).toBeNull();
    expect(consentWithdrawnAt(null)).toBeNull();
  });

  it('is null for an unreadable date although the record stays paused', () => {
    const c = { withdrawnAt: 'not a date' };
    expect(consentWithdrawn(c)).toBe(true);
    expect(consentWithdrawnAt(c)).toBeNull();
  });
});

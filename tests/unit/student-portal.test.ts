/**
 * Pure parts of the student portal: the consent rules (version, withdrawal, minors
 * counted in whole months), the next-step advice, and the evidence schema.
 */
import { describe, expect, it } from 'vitest';
import { CONSENT_VERSION, consentSchema, hasCurrentConsent, isMinorOn } from '~/domain/consent';
import type { RuleResult } from '~/domain/criteria/types';
import { nextSteps } from '~/domain/student-steps';
import { SubmissionSchema, sniffEvidenceType } from '~/domain/submissions';

describe('consent', () => {
  it('is current only when given for this version and not withdrawn', () => {
    expect(hasCurrentConsent(null)).toBe(false);
    expect(hasCurrentConsent({ version: CONSENT_VERSION, givenAt: '2026-02-01' })).toBe(true);
    expect(hasCurrentConsent({ version: '2025-01', givenAt: '2026-02-01' })).toBe(false);
    expect(
      hasCurrentConsent({ version: CONSENT_VERSION, givenAt: '2026-02-01', withdrawnAt: '2026-03-01' }),
    ).toBe(false);
  });

  it('counts a minor in whole months: 18 on the birthday, not the day before', () => {
    expect(isMinorOn('2008-03-12', '2026-03-11')).toBe(true);
    expect(isMinorOn('2008-03-12', '2026-03-12')).toBe(false);
    expect(isMinorOn(null, '2026-03-12')).toBe(false);
  });

  it('needs the box ticked, and a guardian for a minor', () => {
    expect(consentSchema(false).safeParse({}).success).toBe(false);
    expect(consentSchema(false).safeParse({ agree: 'on' }).success).toBe(true);
    const minor = consentSchema(true).safeParse({ agree: 'on', guardianName: ' ' });
    expect(minor.success).toBe(false);
    expect(minor.error?.issues[0]).toMatchObject({ path: ['guardianName'], message: 'consent.v.guardian' });
    expect(consentSchema(true).safeParse({ agree: 'on', guardianName: 'Huỳnh Văn Nam' }).success).toBe(true);
  });
});

const failing = (missing: boolean): RuleResult => ({
  ruleId: 'volunteer',
  kind: 'min_volunteer_days',
  required: true,
  passed: false,
  missing,
  actual: 0,
  expected: 5,
  explanation: { vi: 'Ngày tình nguyện 0/5 ✗', en: 'Volunteer days 0/5 ✗' },
});

describe('next steps', () => {
  it('follows the stage', () => {
    expect(nextSteps('outstanding', [])[0].key).toBe('me.step.outstanding');
    expect(nextSteps('awareness_class', [])[0].key).toBe('me.step.awareness_class');
    expect(nextSteps('official', [failing(false)]).map((s) => s.key)).toEqual(['me.step.official']);
    expect(nextSteps('withdrawn', [failing(false)]).map((s) => s.key)).toEqual(['me.step.ended']);
  });

  it('names the missing dossier papers', () => {
    const keys = nextSteps('dossier', [], {
      applicationReceived: true,
      personalHistoryReceived: false,
      introductionReceived: true,
      opinionsReceived: true,
    }).map((s) => s.key);
    expect(keys).toEqual(['me.step.dossier', 'me.step.personalHistory']);
  });

  it('turns a failing criterion into advice with its explanation', () => {
    const steps = nextSteps('member', [failing(false), failing(true)]);
    expect(steps.map((s) => s.key)).toEqual([
      'me.step.member',
      'me.step.fixCriterion',
      'me.step.missingData',
    ]);
    expect(steps[1].rule?.vi).toBe('Ngày tình nguyện 0/5 ✗');
  });
});

describe('evidence submissions', () => {
  const activity = {
    kind: 'activity',
    title: 'Mùa hè xanh',
    date: '2026-07-10',
    days: '12',
    evidence: 'Xác nhận đội',
  };
  it('accepts a complete activity and award', () => {
    expect(SubmissionSchema.safeParse(activity).success).toBe(true);
    expect(
      SubmissionSchema.safeParse({
        ...activity,
        kind: 'award',
        days: '',
        awardKind: 'giay_khen',
        level: 'province',
      }).success,
    ).toBe(true);
  });
  it('refuses days out of range, a future date and an award without level', () => {
    expect(SubmissionSchema.safeParse({ ...activity, days: '0' }).success).toBe(false);
    expect(SubmissionSchema.safeParse({ ...activity, date: '2999-01-01' }).success).toBe(false);
    expect(SubmissionSchema.safeParse({ ...activity, kind: 'award', awardKind: 'giay_khen' }).success).toBe(
      false,
    );
  });
});

describe('sniffEvidenceType', () => {
  const bytes = (...b: number[]) => new Uint8Array([...b, 0, 0, 0]);
  it.each([
    [bytes(0xff, 0xd8, 0xff, 0xe0), 'image/jpeg'],
    [bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a), 'image/png'],
    [new TextEncoder().encode('%PDF-1.7\n'), 'application/pdf'],
    [new TextEncoder().encode('<html>'), null],
    [new TextEncoder().encode('%PDF'), null],
    [bytes(0x89, 0x50, 0x4e, 0x47), null],
    [new Uint8Array(), null],
  ])('%# → %s', (input, type) => {
    expect(sniffEvidenceType(input)).toBe(type);
  });
});

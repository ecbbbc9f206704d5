/**
 * The pure rules of issued documents (app/domain/documents/issued.ts): the canonical
 * serialisation the content hash covers, current vs superseded, which forms a record's
 * recorded steps offer, and what a student may download.
 */
import { describe, expect, it } from 'vitest';
import {
  FORM_CODES,
  FORM_STEP,
  buildDocument,
  canonicalJson,
  documentSteps,
  hashedContent,
  issuedFooter,
  issuedStatus,
  stepRecorded,
  studentMayDownload,
} from '../../app/domain/documents/index.ts';
import { TRANSITION_IDS } from '../../app/domain/pipeline/transitions.ts';
import { documentInput, recordedPipeline } from '../fixtures/documents.ts';
import { memberAt } from '../fixtures/pipeline-member.ts';

describe('canonicalJson', () => {
  it('is the same text whatever order the keys were set in', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, 'x'], c: null } })).toBe(
      canonicalJson({ a: { c: null, d: [1, 'x'] }, b: 1 }),
    );
    expect(canonicalJson({ b: 1, a: 2 })).toBe('{"a":2,"b":1}');
  });

  it('drops undefined members as JSON does, writes dates as ISO strings', () => {
    expect(canonicalJson({ a: undefined, b: new Date('2026-12-05T00:00:00Z') })).toBe(
      '{"b":"2026-12-05T00:00:00.000Z"}',
    );
  });

  it('tells different content apart (arrays keep their order)', () => {
    expect(canonicalJson([1, 2])).not.toBe(canonicalJson([2, 1]));
    expect(canonicalJson({ a: '1' })).not.toBe(canonicalJson({ a: 1 }));
  });

  it('gives a built document the same text when built twice, another when the record changes', () => {
    const build = (number: string) => {
      const r = buildDocument(
        '9-KNĐ',
        documentInput(
          undefined,
          undefined,
          recordedPipeline({ decision: { number, date: new Date('2025-12-05T00:00:00Z') } }),
        ),
      );
      if (!r.ok) throw new Error('refused');
      return hashedContent(r.doc, ['m1']);
    };
    expect(build('245')).toBe(build('245'));
    expect(build('245')).not.toBe(build('246'));
  });

  it('tells apart the same blank template issued for two members', () => {
    const r = buildDocument('1-KNĐ', documentInput());
    if (!r.ok) throw new Error('refused');
    expect(hashedContent(r.doc, ['a'])).not.toBe(hashedContent(r.doc, ['b']));
  });
});

describe('issuedStatus', () => {
  it('is current only while the rebuilt hash is the issued one', () => {
    expect(issuedStatus('a'.repeat(64), 'a'.repeat(64))).toBe('current');
    expect(issuedStatus('a'.repeat(64), 'b'.repeat(64))).toBe('superseded');
    // Cannot be rebuilt any more (the step was undone, a member is gone).
    expect(issuedStatus('a'.repeat(64), null)).toBe('superseded');
  });
});

describe('which forms the recorded steps offer', () => {
  it('names a real step for every form', () => {
    for (const form of FORM_CODES) expect(TRANSITION_IDS).toContain(FORM_STEP[form]);
  });

  it('offers nothing before a step is recorded, and each step its forms after', () => {
    expect(documentSteps(null)).toEqual([]);
    expect(documentSteps(memberAt('member').pipeline)).toEqual([]);
    const outstanding = documentSteps(memberAt('outstanding').pipeline);
    expect(outstanding).toEqual([{ step: 'select_outstanding', forms: ['4-KNĐ'] }]);
    const admitted = documentSteps(memberAt('probation').pipeline).map((s) => s.step);
    expect(admitted).toEqual(
      expect.arrayContaining(['select_outstanding', 'open_dossier', 'record_branch_vote', 'record_decision']),
    );
    expect(admitted).not.toContain('recognise_official');
  });

  it('reads the fields the forms read', () => {
    expect(stepRecorded(recordedPipeline(), 'recognise_official')).toBe(true);
    expect(stepRecorded(recordedPipeline({ officialDecision: null }), 'recognise_official')).toBe(false);
    expect(stepRecorded(recordedPipeline({ officialVotes: [] }), 'record_official_vote')).toBe(false);
  });
});

describe('the student', () => {
  it('downloads her own single, current admission decision only', () => {
    expect(studentMayDownload({ form: '9-KNĐ', batch: false, status: 'current' })).toBe(true);
    expect(studentMayDownload({ form: '9-KNĐ', batch: true, status: 'current' })).toBe(false);
    expect(studentMayDownload({ form: '9-KNĐ', batch: false, status: 'superseded' })).toBe(false);
    expect(studentMayDownload({ form: '6-KNĐ', batch: false, status: 'current' })).toBe(false);
  });
});

it('prints the verify URL and the hash in the footer', () => {
  expect(issuedFooter('https://x.vn/verify/abc', 'f'.repeat(64))).toBe(
    `Kiểm tra văn bản: https://x.vn/verify/abc · SHA-256: ${'f'.repeat(64)}`,
  );
});

/**
 * What the student is told at "Lập hồ sơ" comes from the record (issue 16): the stage's advice
 * names no form, then exactly the papers still missing follow — never one already received —
 * for every combination of the four papers; before it (awareness class) only 1-KNĐ and 2-KNĐ;
 * after the introduction only the opinions (5-KNĐ); nothing missing says the file is complete.
 */
import { describe, expect, it } from 'vitest';
import { missingPapers, nextSteps, type DossierFacts } from '~/domain/student-steps';
import { vi } from '~/i18n/vi';

const PAPERS = [
  ['applicationReceived', 'me.step.application', '1-KNĐ'],
  ['personalHistoryReceived', 'me.step.personalHistory', '2-KNĐ'],
  ['introductionReceived', 'me.step.introduction', '3-KNĐ'],
  ['opinionsReceived', 'me.step.opinions', '5-KNĐ'],
] as const;

/** Every combination of the four papers, received or not. */
const COMBINATIONS: DossierFacts[] = Array.from({ length: 16 }, (_, n) => ({
  applicationReceived: !!(n & 1),
  personalHistoryReceived: !!(n & 2),
  introductionReceived: !!(n & 4),
  opinionsReceived: !!(n & 8),
}));
const label = (f: DossierFacts) => PAPERS.map(([k, , form]) => `${form} ${f[k] ? '✓' : '✗'}`).join(', ');

describe('at "Lập hồ sơ" (dossier)', () => {
  it.each(COMBINATIONS.map((f) => [label(f), f] as const))('%s', (_name, facts) => {
    const keys = nextSteps('dossier', [], facts).map((s) => s.key);
    const missing = PAPERS.filter(([k]) => !facts[k]).map(([, key]) => key);
    expect(keys).toEqual([missing.length ? 'me.step.dossier' : 'me.step.dossierComplete', ...missing]);
    // The words the student reads: each missing form named, no received one anywhere.
    const text = keys.map((k) => vi[k]).join(' ');
    for (const [k, , form] of PAPERS) {
      if (facts[k]) expect(text).not.toContain(form);
      else expect(text).toContain(form);
    }
  });
});

describe('around it', () => {
  it.each(COMBINATIONS.map((f) => [label(f), f] as const))(
    'the awareness class names only 1-KNĐ and 2-KNĐ, when missing: %s',
    (_name, facts) => {
      const expected = PAPERS.slice(0, 2)
        .filter(([k]) => !facts[k])
        .map(([, key]) => key);
      expect(missingPapers('awareness_class', facts)).toEqual(expected);
      const text = nextSteps('awareness_class', [], facts)
        .map((s) => vi[s.key])
        .join(' ');
      if (facts.applicationReceived) expect(text).not.toContain('1-KNĐ');
      if (facts.personalHistoryReceived) expect(text).not.toContain('2-KNĐ');
    },
  );

  it('after the introduction, only the opinions (5-KNĐ) while they are not in', () => {
    const all = { applicationReceived: true, personalHistoryReceived: true, introductionReceived: true };
    expect(nextSteps('introduced', [], { ...all, opinionsReceived: false }).map((s) => s.key)).toEqual([
      'me.step.introduced',
      'me.step.opinions',
    ]);
    expect(nextSteps('introduced', [], { ...all, opinionsReceived: true }).map((s) => s.key)).toEqual([
      'me.step.introduced',
    ]);
  });

  it('names no paper at the other stages', () => {
    for (const stage of ['member', 'outstanding', 'branch_vote', 'decision', 'official', 'returned'] as const)
      expect(missingPapers(stage, COMBINATIONS[0])).toEqual([]);
  });
});

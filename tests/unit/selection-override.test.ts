/**
 * Selecting an outstanding member outside the criteria (issue 16, path 5): the verdict's four
 * outcomes from the engine's verdict, the override reason's edges (blank, 19 and 20
 * characters, spaces not counted), and the machine: refused beside the field without a
 * reason, stored with who, when and the failing rules with one, nothing stored for a member
 * who meets the criteria.
 */
import { describe, expect, it } from 'vitest';
import {
  OVERRIDE_MIN_LENGTH,
  checkSelectionOverride,
  checkTransition,
  selectionVerdictOf,
  type SelectionVerdict,
} from '../../app/domain/pipeline/index.ts';
import type { RuleResult, Verdict } from '../../app/domain/criteria/types.ts';
import { ASOF, actor, memberAt } from '../fixtures/pipeline-member.ts';

const SET = { id: 'set-1', name: 'Tiêu chí 2026-2027', version: 3 };
const result = (over: Partial<RuleResult>): RuleResult => ({
  ruleId: 'r',
  kind: 'min_gpa',
  required: true,
  passed: true,
  missing: false,
  actual: null,
  expected: null,
  explanation: { vi: 'giải thích', en: 'explanation' },
  ...over,
});
const verdict = (eligible: boolean, results: RuleResult[], extra: Partial<Verdict> = {}): Verdict => ({
  eligible,
  results,
  ...extra,
});

describe('selectionVerdictOf', () => {
  it('is met when the engine says eligible, with nothing failing', () => {
    const v = selectionVerdictOf(verdict(true, [result({})]), SET);
    expect(v).toEqual({ status: 'met', set: SET, failing: [] });
  });
  it('is not met when a required rule fails on the data, listing only the failing rules', () => {
    const v = selectionVerdictOf(
      verdict(false, [
        result({ ruleId: 'gpa', passed: false, explanation: { vi: 'ĐTB 2,1 < 2,5', en: 'GPA 2.1 < 2.5' } }),
        result({ ruleId: 'age' }),
      ]),
      SET,
    );
    expect(v.status).toBe('not_met');
    expect(v.failing).toEqual([
      { ruleId: 'gpa', missing: false, explanation: { vi: 'ĐTB 2,1 < 2,5', en: 'GPA 2.1 < 2.5' } },
    ]);
  });
  it('is data missing when any failing rule lacked data', () => {
    const v = selectionVerdictOf(
      verdict(false, [
        result({ ruleId: 'gpa', passed: false }),
        result({ ruleId: 'conduct', passed: false, missing: true }),
      ]),
      SET,
    );
    expect(v.status).toBe('missing');
    expect(v.failing.map((f) => f.ruleId)).toEqual(['gpa', 'conduct']);
  });
  it('lists failing scored rules only when the score falls short', () => {
    const scored = (score: number, eligible: boolean) =>
      selectionVerdictOf(
        verdict(
          eligible,
          [
            result({ ruleId: 'req', passed: eligible }),
            result({ ruleId: 'bonus', required: false, passed: false, weight: 2 }),
          ],
          { score, maxScore: 4, passMark: 2 },
        ),
        SET,
      );
    // Required rule failed, score enough: only the required one kept the member out.
    expect(scored(2, false).failing.map((f) => f.ruleId)).toEqual(['req']);
    expect(scored(1, false).failing.map((f) => f.ruleId)).toEqual(['req', 'bonus']);
    expect(scored(1, false).score).toEqual({ score: 1, maxScore: 4, passMark: 2 });
  });
  it('has no criteria when no set is active (nothing to judge by)', () => {
    expect(selectionVerdictOf(null, null)).toEqual({ status: 'no_criteria', set: null, failing: [] });
  });
});

const NOT_MET: SelectionVerdict = {
  status: 'not_met',
  set: SET,
  failing: [{ ruleId: 'gpa', missing: false, explanation: { vi: 'ĐTB 2,1 < 2,5', en: 'GPA 2.1 < 2.5' } }],
};
const MET: SelectionVerdict = { status: 'met', set: SET, failing: [] };

describe('checkSelectionOverride', () => {
  const long = 'x'.repeat(OVERRIDE_MIN_LENGTH);
  it.each([
    ['met, no reason', MET, undefined, 0],
    ['not met, no reason', NOT_MET, undefined, 1],
    ['not met, blank', NOT_MET, '   ', 1],
    ['not met, one short', NOT_MET, long.slice(1), 1],
    ['not met, one short padded with spaces', NOT_MET, `   ${long.slice(1)}   `, 1],
    ['not met, exactly the minimum', NOT_MET, long, 0],
    ['data missing, no reason', { ...NOT_MET, status: 'missing' as const }, undefined, 1],
    ['no criteria, no reason', { status: 'no_criteria' as const, set: null, failing: [] }, undefined, 1],
    ['no criteria, a reason', { status: 'no_criteria' as const, set: null, failing: [] }, long, 0],
  ])('%s', (_name, v, reason, count) => {
    const out = checkSelectionOverride(v, reason);
    expect(out).toHaveLength(count);
    for (const r of out) {
      expect(r.code).toBe('selection_override_required');
      expect(r.field).toBe('overrideReason');
    }
  });
  it('says how short a reason is', () => {
    expect(checkSelectionOverride(NOT_MET, 'Học lực khá')[0].message.vi).toContain('11 ký tự');
  });
});

describe('select_outstanding in the machine', () => {
  const input = { resolutionNo: '12-NQ/ĐTN', resolutionDate: '2026-10-01' };
  const select = (selection: SelectionVerdict | undefined, extra: Record<string, string> = {}) =>
    checkTransition(
      memberAt('member'),
      'select_outstanding',
      { ...input, ...extra },
      actor('school_union', 'u1'),
      ASOF,
      {
        ...(selection ? { selection } : {}),
      },
    );

  it('refuses a member outside the criteria without a reason, beside the field', () => {
    const r = select(NOT_MET);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.reasons.map((x) => [x.code, x.field])).toEqual([
      ['selection_override_required', 'overrideReason'],
    ]);
  });
  it('records the override with its reason, who, when and the failing rules, and audits it', () => {
    const r = select(NOT_MET, { overrideReason: '  Đạt giải nhất Olympic tin học toàn quốc  ' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.update.set['pipeline.selectionOverride']).toEqual({
      reason: 'Đạt giải nhất Olympic tin học toàn quốc',
      verdict: 'not_met',
      setId: 'set-1',
      setVersion: 3,
      failing: ['ĐTB 2,1 < 2,5'],
      by: 'u1',
      at: ASOF,
    });
    expect(r.update.details).toEqual({
      criteria: 'not_met',
      criteriaSet: 'set-1',
      selectionOverride: { reason: 'Đạt giải nhất Olympic tin học toàn quốc', failing: ['ĐTB 2,1 < 2,5'] },
    });
  });
  it('needs no reason for a member who meets the criteria, and stores none if one is typed', () => {
    const r = select(MET, { overrideReason: 'Một lý do không cần thiết nhưng đủ dài' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.update.set['pipeline.selectionOverride']).toBeUndefined();
    expect(r.update.details).toEqual({ criteria: 'met', criteriaSet: 'set-1' });
  });
  it('without a verdict (a pure caller) judges no criteria and marks the update as unjudged', () => {
    const r = select(undefined);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    // writeStep refuses to write a selection whose update carries no criteria verdict.
    expect(r.update.details).toBeUndefined();
  });
});

/**
 * Votes against the chi bộ's register (issue 16, path 2): `effectiveVote` judges a vote by
 * the register's count in force on the meeting day, never by a typed count, and the machine
 * stores that count with the cell. Edges: ⌈2n/3⌉ for n = 1, 3, 16; yes + no = n and n + 1;
 * a register change dated the day before the meeting and the day after; no entry in force;
 * a typed count that contradicts the register.
 */
import { describe, expect, it } from 'vitest';
import { dayNumber } from '../../app/domain/calendar.ts';
import type { RegisterEntry } from '../../app/domain/party-register.ts';
import {
  checkTransition,
  effectiveVote,
  type VoteCell,
  type VoteFacts,
} from '../../app/domain/pipeline/index.ts';
import { ASOF, PASSING_OFFICIAL, actor, codes, d, memberAt, updateOf } from '../fixtures/pipeline-member.ts';

const MEETING = '2025-05-06';
const day = (iso: string) => dayNumber(iso);
const entry = (count: number, from: string): RegisterEntry => ({ count, from: d(from), reason: 'x' });
const cellOf = (register: RegisterEntry[], name = 'Chi bộ sinh viên Khoa Kinh tế'): VoteCell => ({
  id: '64b000000000000000000001',
  name,
  register,
});
const facts = (yes: number, no = 0, extra: Partial<VoteFacts> = {}): VoteFacts => ({
  meetingDate: day(MEETING),
  yes,
  no,
  ...extra,
});
const codesOf = (v: { reasons: { code: string }[] }) => v.reasons.map((r) => r.code);

describe('effectiveVote: the register on the meeting day is the denominator', () => {
  it.each([
    // n, yes, passes: ⌈2n/3⌉ = 1 for n = 1, 2 for n = 3, 11 for n = 16
    [1, 1, true],
    [1, 0, false],
    [3, 2, true],
    [3, 1, false],
    [16, 11, true],
    [16, 10, false],
  ])('n = %i official members, %i yes → passes %s', (n, yes, ok) => {
    const v = effectiveVote({ cell: cellOf([entry(n, '2024-01-01')]) }, facts(yes));
    expect(v.officialMemberCount).toBe(n);
    expect(v.source).toBe('register');
    expect(v.passes).toBe(ok);
    expect(codesOf(v)).toEqual(ok ? [] : ['vote_threshold']);
  });

  it('the tester’s case: a cell of 16 does not pass with "2 yes of 3", whatever is typed', () => {
    const cell = cellOf([entry(16, '2024-01-01')]);
    const typed = effectiveVote({ cell }, facts(2, 1, { officialMemberCount: 3 }));
    expect(codesOf(typed)).toEqual(['register_mismatch']);
    expect(typed.reasons[0].field).toBe('officialMemberCount');
    // Both numbers and the meeting day in the message.
    expect(typed.reasons[0].message.vi).toContain('(3)');
    expect(typed.reasons[0].message.vi).toContain('có 16 đảng viên chính thức vào ngày họp 06/05/2025');
    const untyped = effectiveVote({ cell }, facts(2, 1));
    expect(codesOf(untyped)).toEqual(['vote_threshold']);
    expect(untyped.reasons[0].message.vi).toBe(
      '2/16 đảng viên chính thức tán thành, cần ít nhất 11 (2/3 số đảng viên chính thức của Chi bộ sinh viên Khoa Kinh tế vào ngày họp 06/05/2025)',
    );
    expect(untyped.reasons[0].message.en).toContain('at least 11');
  });

  it('a typed count equal to the register is accepted', () => {
    const v = effectiveVote(
      { cell: cellOf([entry(9, '2024-01-01')]) },
      facts(6, 3, { officialMemberCount: 9 }),
    );
    expect(v).toMatchObject({ officialMemberCount: 9, reasons: [], passes: true });
  });

  it('yes + no = n is fine, n + 1 is refused with both numbers and the day', () => {
    const cell = cellOf([entry(9, '2024-01-01')]);
    expect(codesOf(effectiveVote({ cell }, facts(6, 3)))).toEqual([]);
    const over = effectiveVote({ cell }, facts(6, 4));
    expect(codesOf(over)).toEqual(['vote_counts']);
    expect(over.passes).toBe(false);
    expect(over.reasons[0]).toMatchObject({ field: 'yes' });
    expect(over.reasons[0].message.vi).toContain('tổng 10) vượt số đảng viên chính thức (9)');
    expect(over.reasons[0].message.vi).toContain('06/05/2025');
  });

  it('a change dated the day before the meeting counts; one dated the day after does not', () => {
    const before = cellOf([entry(3, '2024-01-01'), entry(16, '2025-05-05')]);
    const after = cellOf([entry(3, '2024-01-01'), entry(16, '2025-05-07')]);
    const onTheDay = cellOf([entry(3, '2024-01-01'), entry(16, '2025-05-06')]);
    expect(effectiveVote({ cell: before }, facts(2, 1))).toMatchObject({
      officialMemberCount: 16,
      passes: false,
    });
    expect(effectiveVote({ cell: onTheDay }, facts(2, 1)).officialMemberCount).toBe(16);
    expect(effectiveVote({ cell: after }, facts(2, 1))).toMatchObject({
      officialMemberCount: 3,
      reasons: [],
      passes: true,
    });
  });

  it('no entry in force on the meeting day → register_missing on the cell, with its name and the day', () => {
    for (const register of [[], [entry(9, '2025-05-07')]]) {
      const v = effectiveVote({ cell: cellOf(register) }, facts(6, 0, { officialMemberCount: 9 }));
      expect(v).toMatchObject({ officialMemberCount: null, passes: false });
      expect(v.reasons).toEqual([
        {
          code: 'register_missing',
          field: 'partyCellId',
          message: {
            vi: 'Chi bộ sinh viên Khoa Kinh tế chưa có số đảng viên chính thức vào ngày họp 06/05/2025; ghi ở Sổ đảng viên chi bộ',
            en: 'Chi bộ sinh viên Khoa Kinh tế has no official-member count in force on the meeting day 06/05/2025; record it in the chi bộ register',
          },
        },
      ]);
    }
    // A short name gets its "Chi bộ".
    const named = effectiveVote({ cell: cellOf([], 'SV Khoa Luật') }, facts(1));
    expect(named.reasons[0].message.vi).toMatch(/^Chi bộ SV Khoa Luật chưa có/);
  });

  it('a cell of no official members passes nobody', () => {
    const v = effectiveVote({ cell: cellOf([entry(0, '2024-01-01')]) }, facts(0, 0));
    expect(v.passes).toBe(false);
    expect(codesOf(v)).toEqual(['vote_threshold']);
  });

  it('without a cell the typed count is judged, and required', () => {
    expect(effectiveVote({}, facts(2, 1, { officialMemberCount: 3 }))).toMatchObject({
      officialMemberCount: 3,
      source: 'typed',
      passes: true,
    });
    const none = effectiveVote({}, facts(2, 1));
    expect(none.reasons.map((r) => [r.code, r.field])).toEqual([['invalid_input', 'officialMemberCount']]);
  });

  it('a failed vote may be recorded (requirePass false) but never more votes than members; fields prefixed', () => {
    const cell = cellOf([entry(9, '2024-01-01')]);
    const failed = effectiveVote({ cell }, facts(4, 5), { requirePass: false });
    expect(failed).toMatchObject({ reasons: [], passes: false, officialMemberCount: 9 });
    const over = effectiveVote({ cell }, facts(5, 5), { requirePass: false, prefix: 'vote.' });
    expect(over.reasons.map((r) => r.field)).toEqual(['vote.yes']);
    const missing = effectiveVote({ cell: cellOf([]) }, facts(5), { prefix: 'vote.' });
    expect(missing.reasons.map((r) => r.field)).toEqual(['vote.partyCellId']);
  });
});

describe('the machine with a cell: judged and stored against the register', () => {
  const party = actor('school_party', 'u42');
  const input = { meetingDate: MEETING, yes: '2', no: '1', resolutionNo: '5-NQ/CB' };

  it('refuses "2 yes of 3" in a cell of 16, and the typed 3 is a mismatch', () => {
    const cell = cellOf([entry(16, '2024-01-01')]);
    expect(
      codes(checkTransition(memberAt('introduced'), 'record_branch_vote', input, party, ASOF, { cell })),
    ).toEqual(['vote_threshold']);
    expect(
      codes(
        checkTransition(
          memberAt('introduced'),
          'record_branch_vote',
          { ...input, officialMemberCount: '3' },
          party,
          ASOF,
          { cell },
        ),
      ),
    ).toEqual(['register_mismatch']);
  });

  it('passes with the register at 3 and stores the register’s count, the cell, and the member’s cell', () => {
    const cell = cellOf([entry(16, '2024-01-01'), entry(3, '2025-04-30')]);
    const u = updateOf(
      checkTransition(memberAt('introduced'), 'record_branch_vote', input, party, ASOF, { cell }),
    );
    expect(u.set['pipeline.branchVote']).toEqual({
      meetingDate: d(MEETING),
      yes: 2,
      no: 1,
      officialMemberCount: 3,
      partyCellId: cell.id,
      resolutionNo: '5-NQ/CB',
    });
    expect(u.set.partyCellId).toBe(cell.id);
    expect(u.history.note).toContain('2/3 đảng viên');
  });

  it('the official-status vote: stored with the register’s count; a failure counts as one', () => {
    const m = memberAt('probation');
    const cell = cellOf([entry(9, '2024-01-01')]);
    const vote = (yes: string, no: string) =>
      updateOf(
        checkTransition(m, 'record_official_vote', { meetingDate: '2026-07-01', yes, no }, party, ASOF, {
          cell,
        }),
      );
    const ok = vote('6', '3');
    expect(ok.push['pipeline.officialVotes']).toMatchObject({
      yes: 6,
      officialMemberCount: 9,
      partyCellId: cell.id,
    });
    expect(ok.set.partyCellId).toBe(cell.id);
    const fail = vote('5', '4');
    expect(fail.history.note).toContain('không đạt, lần 1');
    expect(
      codes(
        checkTransition(
          m,
          'record_official_vote',
          { meetingDate: '2026-07-01', yes: '6', no: '4' },
          party,
          ASOF,
          {
            cell,
          },
        ),
      ),
    ).toEqual(['vote_counts']);
    void PASSING_OFFICIAL;
  });

  it('not admitted with its failed vote: the vote judged against the register under vote.*', () => {
    const cell = cellOf([entry(9, '2024-01-01')]);
    const base = { reason: 'Chi bộ không tán thành', refDate: MEETING };
    const u = updateOf(
      checkTransition(
        memberAt('introduced'),
        'not_admitted',
        { ...base, vote: { meetingDate: MEETING, yes: '4', no: '5' } },
        party,
        ASOF,
        { cell },
      ),
    );
    expect(u.set['pipeline.branchVote']).toMatchObject({ officialMemberCount: 9, partyCellId: cell.id });
    const r = checkTransition(
      memberAt('introduced'),
      'not_admitted',
      { ...base, vote: { meetingDate: MEETING, yes: '4', no: '5', officialMemberCount: '12' } },
      party,
      ASOF,
      { cell },
    );
    expect(r.ok ? [] : r.reasons.map((x) => [x.code, x.field])).toEqual([
      ['register_mismatch', 'vote.officialMemberCount'],
    ]);
  });

  it('the committee review re-checks the stored vote against its stored count', () => {
    const bad = memberAt('branch_vote', {
      branchVote: { meetingDate: d(MEETING), yes: 2, no: 1, officialMemberCount: 16 },
    });
    expect(
      codes(
        checkTransition(
          bad,
          'record_committee_review',
          { resolutionNo: '40-NQ/ĐU', resolutionDate: '2025-05-20' },
          party,
          ASOF,
        ),
      ),
    ).toEqual(['vote_threshold']);
  });
});

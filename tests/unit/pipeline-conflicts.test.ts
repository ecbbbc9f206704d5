/**
 * Re-checking recorded steps (issue 16, path 4), at the edges: 18 years exactly on the chi bộ
 * meeting date vs one day short, a certificate of exactly 60 months vs one day more, step
 * dates the same day vs one day out of order, the register in force on the meeting date, and
 * how an open conflict blocks the forward steps (and an override lifts it).
 */
import { describe, expect, it } from 'vitest';
import { ASOF, actor, calendar, d, memberAt } from '../fixtures/pipeline-member.ts';
import {
  checkConflicts,
  checkTransition,
  conflictKey,
  mergeConflicts,
  openConflicts,
  producedBy,
  recheckSteps,
  type PipelineMember,
  type KeptConflict,
} from '../../app/domain/pipeline/index.ts';
import { EXIT_STAGES, PIPELINE_STAGES } from '../../app/domain/stages.ts';

// The fixture's chi bộ meeting is 06/05/2025 (7 yes of 9).
const atVote = (dateOfBirth: string) => memberAt('committee_review', {}, dateOfBirth);
const summary = (m: PipelineMember) => recheckSteps(m, { calendar }).map((c) => `${c.step}:${c.code}`);

describe('a consistent record has no conflict', () => {
  it.each([...PIPELINE_STAGES])('at %s', (stage) => {
    expect(recheckSteps(memberAt(stage), { calendar })).toEqual([]);
  });
  it.each([...EXIT_STAGES])('an exited record (%s) is never re-checked', (stage) => {
    expect(recheckSteps(memberAt(stage, {}, '2010-01-01'), { calendar })).toEqual([]);
  });
});

describe('age on the meeting date (whole months)', () => {
  it('18 years exactly on the meeting date holds', () => {
    expect(summary(atVote('2007-05-06'))).toEqual([]);
  });
  it('one day short of 18 on the meeting date breaks the vote, with both dates', () => {
    const conflicts = recheckSteps(atVote('2007-05-07'));
    expect(conflicts.map((c) => `${c.step}:${c.code}`)).toEqual(['record_branch_vote:age_below_min']);
    const [c] = conflicts;
    expect(c.message.vi).toBe(
      'Bước "Chi bộ xét, biểu quyết" ngày 06/05/2025: Chưa đủ 18 tuổi vào ngày 06/05/2025 (17 năm 11 tháng) (ngày sinh 07/05/2007)',
    );
    expect(c.message.en).toContain('Under 18 on 06/05/2025');
    expect(c.fields).toEqual(['dateOfBirth', 'pipeline.branchVote.meetingDate']);
  });
  it('no date of birth at all: the selection and the vote, and the Union-age composition', () => {
    const m = memberAt('branch_vote');
    delete m.dateOfBirth;
    expect(summary(m)).toEqual([
      'select_outstanding:age_missing',
      'record_introduction:introducers_composition',
      'record_branch_vote:age_missing',
      'record_branch_vote:introducers_composition',
    ]);
  });
  it('past Union age on the selection date breaks the selection', () => {
    // Selection 01/10/2024: 30 years and 1 month.
    expect(summary(memberAt('outstanding', {}, '1994-09-01'))).toEqual(['select_outstanding:not_union_age']);
    expect(summary(memberAt('outstanding', {}, '1994-10-01'))).toEqual([]);
  });
});

describe('certificate of 60 months on the meeting date', () => {
  const withCert = (issued: string) =>
    memberAt('branch_vote', { certificate: { number: '1/GCN', issuedAt: d(issued) } });
  it('issued exactly 60 months before the meeting: still valid that day', () => {
    expect(summary(withCert('2020-05-06'))).toEqual([]);
  });
  it('issued 60 months and a day before: expired the day before the meeting', () => {
    const conflicts = recheckSteps(withCert('2020-05-05'));
    expect(conflicts.map((c) => `${c.step}:${c.code}`)).toEqual(['record_branch_vote:certificate_expired']);
    expect(conflicts[0].message.vi).toContain('hết hạn ngày 05/05/2025, trước ngày 06/05/2025');
  });
  it('a certificate dated after the application breaks the dossier step (not the later vote)', () => {
    expect(summary(withCert('2025-03-02'))).toEqual(['open_dossier:certificate_not_yet_issued']);
    expect(summary(withCert('2025-05-07'))).toEqual([
      'open_dossier:certificate_not_yet_issued',
      'record_branch_vote:certificate_not_yet_issued',
    ]);
  });
});

describe('step dates in order (the chronology table)', () => {
  const review = (date: string) =>
    memberAt('committee_review', { committeeResolution: { number: '40-NQ/ĐU', date: d(date) } });
  it('the committee resolution on the meeting day is in order', () => {
    expect(summary(review('2025-05-06'))).toEqual([]);
  });
  it('the committee resolution the day before the meeting is not', () => {
    const conflicts = recheckSteps(review('2025-05-05'));
    expect(conflicts.map((c) => `${c.step}:${c.code}`)).toEqual([
      'record_committee_review:date_out_of_order',
    ]);
    expect(conflicts[0].message.vi).toContain(
      '(05/05/2025) không được trước ngày chi bộ họp xét kết nạp (06/05/2025)',
    );
  });
  it('a verification entered in the paper checklist after the meeting breaks the vote', () => {
    const m = memberAt('branch_vote', { dossier: [{ form: '2-KNĐ', verifiedAt: d('2025-05-07') }] });
    expect(summary(m)).toEqual(
      expect.arrayContaining([
        'record_introduction:date_out_of_order',
        'record_branch_vote:date_out_of_order',
      ]),
    );
  });
});

describe('introducers as on file, on the vote date', () => {
  it('an introducer no longer official, or with 11 months together, breaks the introduction and the vote', () => {
    const m = memberAt('branch_vote', {
      introducers: [
        { name: 'Ban Chấp hành Đoàn trường', kind: 'union', official: true, refNo: '30-NQ/ĐTN' },
        { name: 'Nguyễn Văn An', kind: 'party_member', official: false, monthsTogether: 11 },
      ],
    });
    expect(summary(m)).toEqual([
      'record_introduction:introducer_not_official',
      'record_introduction:introducer_months',
      'record_branch_vote:introducer_not_official',
      'record_branch_vote:introducer_months',
    ]);
  });
  it('12 months together holds', () => {
    const m = memberAt('branch_vote', {
      introducers: [
        { name: 'Ban Chấp hành Đoàn trường', kind: 'union', official: true, refNo: '30-NQ/ĐTN' },
        { name: 'Nguyễn Văn An', kind: 'party_member', official: true, monthsTogether: 12 },
      ],
    });
    expect(summary(m)).toEqual([]);
  });
});

describe('the vote against the register in force on the meeting date', () => {
  // 7 yes: enough of 9 or 10 (⌈2/3⌉ = 6, 7), not of 11 (8).
  const reg = (count: number, from: string) => [{ count, from: d(from) }];
  it('the stored count with no register', () => {
    expect(summary(memberAt('committee_review'))).toEqual([]);
  });
  it('10 official members from before the meeting: 7 is ⌈2/3 × 10⌉, it holds', () => {
    expect(recheckSteps(memberAt('committee_review'), { register: reg(10, '2025-01-01') })).toEqual([]);
  });
  it('11 official members from before the meeting: below ⌈2/3⌉, both the vote and the review break', () => {
    const conflicts = recheckSteps(memberAt('committee_review'), { register: reg(11, '2025-05-06') });
    expect(conflicts.map((c) => `${c.step}:${c.code}`)).toEqual([
      'record_branch_vote:vote_threshold',
      'record_committee_review:vote_threshold',
    ]);
    expect(conflicts[0].message.vi).toContain('7/11');
  });
  it('a count from the day after the meeting does not apply to it', () => {
    const register = [...reg(9, '2020-01-01'), ...reg(30, '2025-05-07')];
    expect(recheckSteps(memberAt('committee_review'), { register })).toEqual([]);
  });
  it('more votes than the register counts', () => {
    expect(summary({ ...memberAt('branch_vote') })).toEqual([]);
    const conflicts = recheckSteps(memberAt('branch_vote'), { register: reg(7, '2020-01-01') });
    expect(conflicts.map((c) => c.code)).toEqual(['vote_counts']);
  });
});

describe('an open conflict blocks the forward steps', () => {
  const broken = () => {
    const m = atVote('2007-05-07');
    const { conflicts } = mergeConflicts([], recheckSteps(m), 'editor-1', new Date('2026-01-01'));
    m.pipeline = { ...m.pipeline!, conflicts };
    return m;
  };
  const decision = {
    decisionNo: '77-QĐ/ĐU',
    decisionDate: '2025-06-10',
    issuer: 'Đảng ủy trường',
  };
  it('the next step is refused with the conflict in the reason; a return is not', () => {
    const m = broken();
    const result = checkTransition(m, 'record_decision', decision, actor('school_party'), ASOF, { calendar });
    expect(result.ok).toBe(false);
    const reasons = result.ok ? [] : result.reasons;
    expect(reasons.map((r) => r.code)).toEqual(['rule_conflict']);
    expect(reasons[0].message.vi).toContain(
      'Xung đột quy tắc: Bước "Chi bộ xét, biểu quyết" ngày 06/05/2025',
    );
    expect(checkConflicts(m, 'return_for_improvement')).toEqual([]);
    expect(checkConflicts(m, 'not_admitted')).toEqual([]);
  });
  it('an override of its key lifts it; a new conflict blocks again', () => {
    const m = broken();
    const keys = openConflicts(m.pipeline).map(conflictKey);
    m.pipeline = { ...m.pipeline!, conflictOverride: { by: 'other', reason: 'x', keys } };
    expect(openConflicts(m.pipeline)).toEqual([]);
    expect(
      checkTransition(m, 'record_decision', decision, actor('school_party'), ASOF, { calendar }).ok,
    ).toBe(true);
    const more: KeptConflict = {
      ...openConflicts({ ...m.pipeline, conflictOverride: null })[0],
      code: 'certificate_expired',
    };
    m.pipeline = { ...m.pipeline, conflicts: [...m.pipeline.conflicts!, more] };
    expect(checkConflicts(m, 'record_decision').map((r) => r.code)).toEqual(['rule_conflict']);
  });
  it('a conflict keeps who produced it; who produced it is known', () => {
    const first = mergeConflicts([], recheckSteps(atVote('2007-05-07')), 'editor-1', new Date('2026-01-01'));
    expect(first.added).toHaveLength(1);
    // The same conflict recomputed after someone else's edit: still the first editor's.
    const again = mergeConflicts(first.conflicts, recheckSteps(atVote('2007-05-08')), 'editor-2', new Date());
    expect(again.added).toEqual([]);
    expect(again.conflicts[0].by).toBe('editor-1');
    expect(producedBy(again.conflicts, 'editor-1')).toBe(true);
    expect(producedBy(again.conflicts, 'editor-2')).toBe(false);
  });
});

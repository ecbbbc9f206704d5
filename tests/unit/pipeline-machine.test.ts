import { describe, expect, it } from 'vitest';
import type { MemberFields } from '../../models/member.ts';
import type { SeedMember } from '../../seed/generate.ts';
import { EXIT_STAGES, PIPELINE_STAGES, type Stage } from '../../app/domain/stages.ts';
import { ROLES, type Role } from '../../app/domain/permissions.ts';
import {
  ASOF,
  PASSING_OFFICIAL,
  VOTE,
  actor,
  calendar,
  codes,
  d,
  memberAt,
  updateOf,
} from '../fixtures/pipeline-member.ts';
import {
  TRANSITIONS,
  allowedTransitions,
  findTransition,
  checkTransition,
  isReadyForNextStep,
  memberAfter,
  nextActor,
  nextTransition,
  voteThreshold,
  type Actor,
  type PipelineMember,
  type PipelineRecord,
} from '../../app/domain/pipeline/index.ts';
import { dutyBlocks } from '../../app/domain/pipeline/machine.ts';
import { rolesOf } from '../../app/domain/pipeline/transitions.ts';

const party = actor('school_party');
/** Checks a step as of ASOF; the actor is a school Party clerk unless named. */
const check = (
  member: PipelineMember,
  id: string,
  input: unknown,
  who: Actor = party,
  options?: Parameters<typeof checkTransition>[5],
) => checkTransition(member, id, input, who, ASOF, options);

// Both document shapes must fit the machine's member type without conversion.
const _lean: PipelineMember = {} as MemberFields;
const _seed: PipelineMember = {} as SeedMember;
void _lean;
void _seed;

const UNION: Role[] = ['school_union', 'admin'];
const PARTY: Role[] = ['school_party', 'admin'];

/**
 * One valid case per transition (and per start stage where roles differ by side):
 * [step id, member, input, roles allowed, which side when a step has several rows].
 */
const CASE_ROWS: [string, PipelineMember, unknown, Role[], string?][] = [
  [
    'select_outstanding',
    memberAt('member'),
    { resolutionNo: '12-NQ/ĐTN', resolutionDate: '2024-10-01', helperName: 'Trần Thị Bình' },
    UNION,
  ],
  [
    'record_awareness_class',
    memberAt('outstanding'),
    { certificateNo: '101/GCN', issuer: 'Trường Chính trị tỉnh', issuedAt: '2024-12-15' },
    PARTY,
  ],
  [
    'open_dossier',
    memberAt('awareness_class'),
    { applicationReceivedAt: '2025-03-01', verification: 'verified', verifiedAt: '2025-03-20' },
    PARTY,
  ],
  [
    'record_introduction',
    memberAt('dossier'),
    {
      introducedAt: '2025-04-01',
      introducers: [
        { name: 'Ban Chấp hành Đoàn trường', kind: 'union', refNo: '30-NQ/ĐTN' },
        { name: 'Nguyễn Văn An', kind: 'party_member', official: 'on', monthsTogether: '20' },
      ],
    },
    ['school_union', 'school_party', 'admin'],
  ],
  ['record_branch_vote', memberAt('introduced'), VOTE, PARTY],
  [
    'record_committee_review',
    memberAt('branch_vote'),
    { resolutionNo: '40-NQ/ĐU', resolutionDate: '2025-05-20' },
    PARTY,
  ],
  [
    'record_decision',
    memberAt('committee_review'),
    { decisionNo: '77-QĐ/ĐU', decisionDate: '2025-06-10', issuer: 'Đảng ủy trường' },
    PARTY,
  ],
  ['record_ceremony', memberAt('decision'), { ceremonyDate: '2025-06-25' }, PARTY],
  ['record_official_vote', memberAt('probation'), { ...VOTE, meetingDate: '2026-07-01' }, PARTY],
  [
    'recognise_official',
    memberAt('probation', { officialVotes: [PASSING_OFFICIAL] }),
    { decisionNo: '90-QĐ/ĐU', decisionDate: '2026-07-20', issuer: 'Đảng ủy trường' },
    PARTY,
  ],
  ['request_extension', memberAt('branch_vote'), { reason: 'Chờ kết quả thẩm tra bổ sung' }, PARTY],
  [
    'return_for_improvement',
    memberAt('outstanding'),
    { reason: 'Thiếu minh chứng hoạt động tình nguyện' },
    ['school_union', 'province_union', 'admin'],
    'Union side',
  ],
  [
    'return_for_improvement',
    memberAt('dossier'),
    { reason: 'Lý lịch cần bổ sung' },
    ['school_party', 'province_union', 'admin'],
    'Party side',
  ],
  ['resume', memberAt('returned'), {}, PARTY, 'returned from dossier'],
  ['not_admitted', memberAt('introduced'), { reason: 'Không đủ 2/3' }, PARTY],
  ['withdraw', memberAt('member'), { reason: 'Xin rút' }, UNION, 'Union side'],
  ['withdraw', memberAt('decision'), { reason: 'Xin rút' }, PARTY, 'Party side'],
  ['strike_off', memberAt('probation'), { reason: 'Vi phạm tư cách' }, PARTY],
  ['transfer', memberAt('probation'), { reason: 'Tốt nghiệp' }, PARTY],
  [
    'age_out',
    memberAt('member', {}, '1995-01-10'),
    { reason: 'Hết tuổi đoàn', refDate: '2026-11-20' },
    UNION,
  ],
];
const CASES = CASE_ROWS.map(([id, member, input, roles, side]) => ({
  name: side ? `${id} (${side})` : id,
  member,
  id,
  input,
  roles,
}));

describe('roles: each transition allowed or refused per role', () => {
  const rows = CASES.flatMap((c) => ROLES.map((role) => ({ ...c, role, allowed: c.roles.includes(role) })));
  it.each(rows)('$name by $role → allowed: $allowed', ({ member, id, input, role, allowed }) => {
    const result = check(member, id, input, actor(role), { calendar });
    if (allowed) {
      expect(codes(result)).toEqual([]);
      expect(allowedTransitions(member, role).map((t) => t.id)).toContain(id);
    } else {
      expect(codes(result)).toEqual(['role_not_allowed']);
      expect(allowedTransitions(member, role).map((t) => t.id)).not.toContain(id);
    }
  });

  it('the student may do nothing', () => {
    for (const stage of [...PIPELINE_STAGES, ...EXIT_STAGES]) {
      expect(allowedTransitions(memberAt(stage), 'student')).toEqual([]);
    }
  });
});

describe('chi bộ vote: hard rules on the meeting date', () => {
  const vote = (meetingDate: string, extra: object = {}) => ({ ...VOTE, meetingDate, ...extra });

  it.each([
    ['the day before the meeting', '2008-03-09', true],
    ['the day of the meeting', '2008-03-10', true],
    ['the day after the meeting', '2008-03-11', false],
  ])('18th birthday %s', (_label, dob, ok) => {
    const m = memberAt('introduced', {}, dob);
    const result = check(m, 'record_branch_vote', vote('2026-03-10'));
    expect(codes(result)).toEqual(ok ? [] : ['age_below_min']);
  });

  it('60 years and 1 month is refused, 60 years and 20 days passes', () => {
    const twoMembers = {
      introducers: [
        { name: 'A', kind: 'party_member', official: true, monthsTogether: 24 },
        { name: 'B', kind: 'party_member', official: true, monthsTogether: 24 },
      ],
    };
    const old = memberAt('introduced', twoMembers, '1966-02-10');
    expect(codes(check(old, 'record_branch_vote', vote('2026-03-10')))).toEqual(['age_above_max']);
    expect(codes(check(old, 'record_branch_vote', vote('2026-03-02')))).toEqual([]);
  });

  it('a certificate expiring on the meeting day is valid; one that expired the day before is not', () => {
    // Issued 10/03/2021: valid through 10/03/2026.
    const m = memberAt('introduced', {
      certificate: { number: '1', issuer: 'x', issuedAt: d('2021-03-10') },
    });
    expect(codes(check(m, 'record_branch_vote', vote('2026-03-10')))).toEqual([]);
    expect(codes(check(m, 'record_branch_vote', vote('2026-03-11')))).toEqual(['certificate_expired']);
  });

  it('a certificate issued after the meeting does not count', () => {
    const m = memberAt('introduced', {
      certificate: { number: '1', issuer: 'x', issuedAt: d('2025-05-07') },
    });
    expect(codes(check(m, 'record_branch_vote', VOTE))).toEqual(['certificate_not_yet_issued']);
  });

  it.each([
    [9, 6, true],
    [9, 5, false],
    [10, 7, true],
    [10, 6, false],
    [3, 2, true],
    [1, 1, true],
  ])('2/3 of the official members (%i official, %i yes → %s), not of those present', (n, yes, ok) => {
    const result = check(
      memberAt('introduced'),
      'record_branch_vote',
      vote('2025-05-06', { yes, no: 0, officialMemberCount: n }),
    );
    expect(codes(result)).toEqual(ok ? [] : ['vote_threshold']);
  });

  it('voteThreshold is ceil(2n/3) in integers', () => {
    expect([1, 2, 3, 9, 10, 11, 12, 15, 30].map(voteThreshold)).toEqual([1, 2, 2, 6, 7, 8, 8, 10, 20]);
  });

  it('votes cannot exceed the official members', () => {
    const result = check(memberAt('introduced'), 'record_branch_vote', vote('2025-05-06', { yes: 7, no: 3 }));
    expect(codes(result)).toEqual(['vote_counts']);
  });

  it('an introducer with 11 months together is refused; 12 passes', () => {
    const withMonths = (months: number) =>
      memberAt('introduced', {
        introducers: [
          { name: 'Ban Chấp hành Đoàn trường', kind: 'union', official: true, refNo: '30-NQ/ĐTN' },
          { name: 'Nguyễn Văn An', kind: 'party_member', official: true, monthsTogether: months },
        ],
      });
    const refused = check(withMonths(11), 'record_branch_vote', VOTE);
    expect(codes(refused)).toEqual(['introducer_months']);
    expect(refused.ok ? null : refused.reasons[0].field).toBe('introducers.1.monthsTogether');
    expect(codes(check(withMonths(12), 'record_branch_vote', VOTE))).toEqual([]);
  });

  it('a probationary (not official) introducer is refused', () => {
    const m = memberAt('introduced', {
      introducers: [
        { name: 'Đoàn', kind: 'union', official: true, refNo: '30' },
        { name: 'B', kind: 'party_member', official: false, monthsTogether: 24 },
      ],
    });
    expect(codes(check(m, 'record_branch_vote', VOTE))).toEqual(['introducer_not_official']);
  });

  describe('Union-age path', () => {
    const unionPlusOne = [
      { name: 'Ban Chấp hành Đoàn trường', kind: 'union', official: true, refNo: '30-NQ/ĐTN' },
      { name: 'A', kind: 'party_member', official: true, monthsTogether: 24 },
    ];
    const twoMembers = [
      { name: 'A', kind: 'party_member', official: true, monthsTogether: 24 },
      { name: 'B', kind: 'party_member', official: true, monthsTogether: 24 },
    ];
    it.each([
      ['≤ 30 with the Union resolution + 1 member', '2000-01-10', unionPlusOne, []],
      [
        '≤ 30 with two members (Union resolution missing)',
        '2000-01-10',
        twoMembers,
        ['introducers_composition'],
      ],
      ['exactly 30 years 0 months: still Union age', '1995-05-06', unionPlusOne, []],
      ['30 years 1 month: two members needed', '1995-04-06', unionPlusOne, ['introducers_composition']],
      ['30 years 1 month with two members', '1995-04-06', twoMembers, []],
    ])('%s', (_label, dob, introducers, expected) => {
      const m = memberAt('introduced', { introducers }, dob);
      expect(codes(check(m, 'record_branch_vote', VOTE))).toEqual(expected);
    });

    it('a Union introduction needs its resolution number', () => {
      const m = memberAt('introduced', {
        introducers: [{ name: 'Đoàn', kind: 'union', official: true }, unionPlusOne[1]],
      });
      expect(codes(check(m, 'record_branch_vote', VOTE))).toEqual(['introducer_union_resolution']);
    });

    it('record_introduction checks the same rules on the introduction date', () => {
      const input = { introducedAt: '2025-04-01', introducers: twoMembers };
      expect(codes(check(memberAt('dossier'), 'record_introduction', input, actor('school_union')))).toEqual([
        'introducers_composition',
      ]);
    });
  });

  it('returns every failing reason together, never just the first', () => {
    const m = memberAt(
      'introduced',
      {
        certificate: { number: '1', issuer: 'x', issuedAt: d('2020-01-01') },
        personalHistory: { receivedAt: d('2025-03-03'), verification: 'pending' },
        introducers: [
          { name: 'Đoàn', kind: 'union', official: true, refNo: '30' },
          { name: 'A', kind: 'party_member', official: false, monthsTogether: 11 },
        ],
      },
      '2008-06-01',
    );
    const result = check(m, 'record_branch_vote', vote('2026-03-10', { yes: 5 }), actor('school_union'));
    expect(codes(result).sort()).toEqual(
      [
        'role_not_allowed',
        'age_below_min',
        'certificate_expired',
        'dossier_incomplete',
        'introducer_not_official',
        'introducer_months',
        'vote_threshold',
      ].sort(),
    );
    // Every reason speaks both languages.
    if (!result.ok) for (const r of result.reasons) expect(r.message.vi && r.message.en).toBeTruthy();
  });

  it('input errors come with their field and alongside the rule failures', () => {
    const m = memberAt('introduced', {}, '2008-06-01');
    const result = check(m, 'record_branch_vote', {
      meetingDate: '2026-03-10',
      yes: 'many',
      officialMemberCount: '0',
    });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(
        result.reasons
          .filter((r) => r.code === 'invalid_input')
          .map((r) => r.field)
          .sort(),
      ).toEqual(['officialMemberCount', 'yes']);
      expect(codes(result)).toContain('age_below_min');
    }
  });

  it('rejects impossible and future dates', () => {
    const bad = check(memberAt('introduced'), 'record_branch_vote', vote('2025-02-30'));
    expect(bad.ok ? [] : bad.reasons.map((r) => [r.code, r.field])).toEqual([
      ['invalid_input', 'meetingDate'],
    ]);
    expect(codes(check(memberAt('introduced'), 'record_branch_vote', vote('2026-11-28')))).toEqual([
      'date_in_future',
    ]);
  });
});

describe('the update', () => {
  it('describes one atomic write: stage, stageSince, history entry and fields', () => {
    const result = check(memberAt('introduced'), 'record_branch_vote', VOTE, actor('school_party', 'u42'));
    const u = updateOf(result);
    expect(u.expectedStage).toBe('introduced');
    expect(u.stage).toBe('branch_vote');
    expect(u.stageChanged).toBe(true);
    // stageSince is the meeting day, not the day it was typed in.
    expect(u.stageSince).toEqual(d('2025-05-06'));
    expect(u.history).toMatchObject({
      stage: 'branch_vote',
      at: ASOF,
      by: 'u42',
      refNo: '5-NQ/CB',
      refDate: d('2025-05-06'),
    });
    expect(u.history.note).toContain('7/9');
    expect(u.set).toMatchObject({
      'pipeline.stage': 'branch_vote',
      'pipeline.stageSince': d('2025-05-06'),
      'pipeline.branchVote': {
        meetingDate: d('2025-05-06'),
        yes: 7,
        no: 1,
        officialMemberCount: 9,
        resolutionNo: '5-NQ/CB',
      },
    });
    expect(u.push['pipeline.history']).toBe(u.history);
  });

  it('gives the record as the update leaves it, touching a copy only (what the next deadline is derived from)', () => {
    const before = memberAt('introduced');
    const frozen = JSON.stringify(before);
    const u = updateOf(check(before, 'record_branch_vote', VOTE, actor('school_party', 'u42')));
    const after = memberAfter(before, u);
    expect(after.pipeline?.stage).toBe('branch_vote');
    expect(after.pipeline?.stageSince).toEqual(d('2025-05-06'));
    expect((after.pipeline as unknown as Record<string, unknown>).branchVote).toMatchObject({
      yes: 7,
      officialMemberCount: 9,
    });
    expect(after.pipeline?.history?.at(-1)).toBe(u.history);
    expect(after.pipeline?.history).toHaveLength((before.pipeline?.history?.length ?? 0) + 1);
    expect(after.dateOfBirth).toEqual(before.dateOfBirth);
    expect(JSON.stringify(before)).toBe(frozen);
  });

  it('stores calendar days as UTC midnight, whatever instant the browser sent', () => {
    const u = updateOf(
      check(memberAt('outstanding'), 'record_awareness_class', {
        certificateNo: '1',
        issuer: 'x',
        issuedAt: '2024-12-14T17:00:00.000Z',
      }),
    );
    expect(u.set['pipeline.certificate']).toEqual({
      number: '1',
      issuer: 'x',
      issuedAt: d('2024-12-15'),
      expiresAt: d('2029-12-15'),
    });
  });

  it('the ceremony starts 12 months of probation', () => {
    const u = updateOf(check(memberAt('decision'), 'record_ceremony', { ceremonyDate: '2025-06-25' }));
    expect(u.set['pipeline.probation']).toEqual({ start: d('2025-06-25'), end: d('2026-06-25') });
  });

  it('the official date is the end of probation even when the decision is late', () => {
    const m = memberAt('probation', { officialVotes: [PASSING_OFFICIAL] });
    const u = updateOf(
      check(
        m,
        'recognise_official',
        { decisionNo: '9', decisionDate: '2026-10-01', issuer: 'ĐU', extensionReason: 'Chờ ý kiến' },
        party,
        { calendar },
      ),
    );
    expect(u.set['pipeline.officialDate']).toEqual(d('2026-06-25'));
    expect(u.warnings.map((w) => w.code)).toEqual(['late']);
  });
});

describe('separation of duties', () => {
  const input = { decisionNo: '77-QĐ/ĐU', decisionDate: '2025-06-10', issuer: 'Đảng ủy trường' };
  it.each([
    ['who recorded the chi bộ vote', 'voter', false],
    ['who recorded the committee review', 'reviewer', false],
    ['anyone else', 'someone-else', true],
  ])('the admission decision by %s → allowed: %s', (_l, id, ok) => {
    const result = check(memberAt('committee_review'), 'record_decision', input, actor('school_party', id));
    expect(codes(result)).toEqual(ok ? [] : ['separation_of_duties']);
  });

  it('applies to admins too', () => {
    const result = check(memberAt('committee_review'), 'record_decision', input, actor('admin', 'voter'));
    expect(codes(result)).toEqual(['separation_of_duties']);
  });

  it('whoever recorded the passing official vote may not record the official decision', () => {
    const m = memberAt('probation', { officialVotes: [PASSING_OFFICIAL] });
    const i = { decisionNo: '9', decisionDate: '2026-07-20', issuer: 'ĐU' };
    expect(codes(check(m, 'recognise_official', i, actor('school_party', 'voter-2')))).toEqual([
      'separation_of_duties',
    ]);
    expect(codes(check(m, 'recognise_official', i, actor('school_party', 'other')))).toEqual([]);
  });

  it('history ids compare as strings (ObjectId-like values)', () => {
    const objectIdLike = { toString: () => 'abc123' };
    const m = memberAt('committee_review');
    m.pipeline!.history = m.pipeline!.history!.map((h) =>
      h.stage === 'branch_vote' ? { ...h, by: objectIdLike } : h,
    );
    expect(codes(check(m, 'record_decision', input, actor('school_party', 'abc123')))).toEqual([
      'separation_of_duties',
    ]);
  });
});

describe('deadline rules with the working calendar', () => {
  const decide = (decisionDate: string, extra: object = {}, onFile: Partial<PipelineRecord> = {}) =>
    check(
      memberAt('committee_review', onFile),
      'record_decision',
      { decisionNo: '1', decisionDate, issuer: 'ĐU', ...extra },
      party,
      { calendar },
    );
  // Meeting Tue 06/05/2025 + 60 working days = Tue 29/07/2025; + 90 = Thu 11/09/2025 (1/9 and 2/9 off).
  it('a decision within 60 working days needs nothing more', () => {
    expect(calendar.addWorkingDays('2025-05-06', 60)).toBe('2025-07-29');
    expect(codes(decide('2025-07-29'))).toEqual([]);
  });
  it('after 60 working days a reason is required (in the form or on file)', () => {
    expect(codes(decide('2025-07-30'))).toEqual(['extension_reason_required']);
    expect(codes(decide('2025-07-30', { extensionReason: 'Chờ thẩm tra' }))).toEqual([]);
    expect(codes(decide('2025-07-30', {}, { decisionExtensionReason: 'Chờ thẩm tra' }))).toEqual([]);
  });
  it('after 90 working days the decision is still recorded, with a warning', () => {
    expect(calendar.addWorkingDays('2025-05-06', 90)).toBe('2025-09-11');
    const u = updateOf(decide('2025-09-12', { extensionReason: 'Chờ thẩm tra' }));
    expect(u.warnings.map((w) => w.code)).toEqual(['late']);
    expect(updateOf(decide('2025-09-11', { extensionReason: 'x' })).warnings).toEqual([]);
  });
  it('a late ceremony is a warning', () => {
    const late = updateOf(
      check(memberAt('decision'), 'record_ceremony', { ceremonyDate: '2025-08-25' }, party, { calendar }),
    );
    expect(late.warnings.map((w) => w.code)).toEqual(['late']);
  });
  it('the extension reason is recorded without changing stage', () => {
    const u = updateOf(check(memberAt('branch_vote'), 'request_extension', { reason: 'Chờ thẩm tra' }));
    expect(u.stageChanged).toBe(false);
    expect(u.set).toEqual({ 'pipeline.decisionExtensionReason': 'Chờ thẩm tra' });
    expect(u.stageSince).toEqual(d('2024-09-01'));
    const again = memberAt('branch_vote', { decisionExtensionReason: 'x' });
    expect(allowedTransitions(again, 'school_party').map((t) => t.id)).not.toContain('request_extension');
    expect(codes(check(again, 'request_extension', { reason: 'y' }))).toEqual(['already_recorded']);
  });
});

describe('official membership', () => {
  const failing = { meetingDate: '2026-07-01', yes: 5, no: 4, officialMemberCount: 9 };

  it('the vote waits for the end of probation', () => {
    const result = check(memberAt('probation'), 'record_official_vote', {
      ...failing,
      meetingDate: '2026-06-24',
    });
    expect(codes(result)).toEqual(['probation_not_ended']);
  });

  it('failed votes are recorded; the third sends the case up; no fourth', () => {
    let m = memberAt('probation');
    for (let n = 1; n <= 3; n++) {
      const u = updateOf(check(m, 'record_official_vote', failing));
      expect(u.stageChanged).toBe(false);
      expect(u.escalate ?? false).toBe(n === 3);
      m = memberAt('probation', {
        officialVotes: [...(m.pipeline!.officialVotes ?? []), u.push['pipeline.officialVotes'] as never],
      });
    }
    expect(codes(check(m, 'record_official_vote', failing))).toEqual(['escalated']);
    expect(allowedTransitions(m, 'school_party').map((t) => t.id)).not.toContain('record_official_vote');
    // The higher committee's decision can then be recorded.
    expect(nextTransition(m)).toBe('recognise_official');
    expect(
      codes(
        check(m, 'recognise_official', { decisionNo: '1', decisionDate: '2026-09-01', issuer: 'Huyện ủy' }),
      ),
    ).toEqual([]);
  });

  it('the official decision needs a passing vote (same 2/3 rule)', () => {
    const i = { decisionNo: '1', decisionDate: '2026-07-20', issuer: 'ĐU' };
    expect(codes(check(memberAt('probation'), 'recognise_official', i))).toEqual(['official_vote_missing']);
    const failed = memberAt('probation', { officialVotes: [{ ...failing, meetingDate: d('2026-07-01') }] });
    expect(codes(check(failed, 'recognise_official', i))).toEqual(['vote_threshold']);
    const six = memberAt('probation', {
      officialVotes: [{ meetingDate: d('2026-07-01'), yes: 6, no: 3, officialMemberCount: 9, by: 'v' }],
    });
    expect(codes(check(six, 'recognise_official', i))).toEqual([]);
  });
});

describe('exits', () => {
  const nonFinal: Stage[] = [...PIPELINE_STAGES.filter((s) => s !== 'official'), 'returned'];
  it.each(nonFinal)('there is an exit from %s', (stage) => {
    const exits = allowedTransitions(memberAt(stage, {}, '1990-01-01'), 'admin').filter((t) =>
      (EXIT_STAGES as readonly string[]).includes(t.to),
    );
    expect(exits.length).toBeGreaterThan(0);
    const result = check(
      memberAt(stage),
      exits.find((t) => t.id !== 'age_out')!.id,
      { reason: 'Lý do' },
      actor('admin'),
    );
    expect(result.ok).toBe(true);
  });

  it('nothing leaves official', () => {
    for (const role of ROLES) expect(allowedTransitions(memberAt('official'), role)).toEqual([]);
    for (const id of ['withdraw', 'transfer', 'strike_off', 'return_for_improvement']) {
      expect(codes(check(memberAt('official'), id, { reason: 'x' }, actor('admin')))).toContain(
        'wrong_stage',
      );
    }
  });

  it.each(EXIT_STAGES.filter((s) => s !== 'returned'))('%s is final', (stage) => {
    expect(allowedTransitions(memberAt(stage), 'admin')).toEqual([]);
  });

  it('every transition in the table starts from a non-final stage', () => {
    for (const t of TRANSITIONS) for (const from of t.from) expect(nonFinal).toContain(from);
  });

  it('a reason is required, and the returned reason is kept for the student', () => {
    expect(codes(check(memberAt('dossier'), 'return_for_improvement', {}, actor('province_union')))).toEqual([
      'invalid_input',
    ]);
    const u = updateOf(
      check(
        memberAt('dossier'),
        'return_for_improvement',
        { reason: 'Bổ sung lý lịch' },
        actor('province_union'),
      ),
    );
    expect(u.stage).toBe('returned');
    expect(u.set['pipeline.returnReason']).toBe('Bổ sung lý lịch');
    expect(u.history.note).toBe('Bổ sung lý lịch');
  });

  it('resume goes back to the stage the record was returned from', () => {
    const u = updateOf(check(memberAt('returned'), 'resume', {}));
    expect(u.stage).toBe('dossier');
    expect(u.set['pipeline.returnReason']).toBeNull();
  });

  it('ageing out needs the member to be 30', () => {
    const young = memberAt('member');
    expect(codes(check(young, 'age_out', { reason: 'x' }, actor('school_union')))).toEqual(['not_aged_out']);
  });

  it('a province reviewer cannot return a record once the decision exists', () => {
    expect(
      codes(check(memberAt('decision'), 'return_for_improvement', { reason: 'x' }, actor('province_union'))),
    ).toContain('wrong_stage');
  });
});

describe('wrong stage and unknown steps', () => {
  it('refuses a step from the wrong stage, with the other reasons too', () => {
    const result = check(memberAt('member'), 'record_branch_vote', VOTE, actor('student'));
    expect(codes(result)).toEqual(expect.arrayContaining(['wrong_stage', 'role_not_allowed']));
  });
  it('refuses unknown steps', () => {
    expect(codes(check(memberAt('member'), 'teleport', {}, actor('admin')))).toEqual(['unknown_transition']);
  });
  it('a member without a pipeline is a plain member', () => {
    expect(allowedTransitions({ dateOfBirth: d('2005-01-01') }, 'school_union').map((t) => t.id)).toContain(
      'select_outstanding',
    );
  });
});

describe('nextActor', () => {
  it.each([
    ['member', 'school_union'],
    ['outstanding', 'school_party'],
    ['awareness_class', 'student'],
    ['dossier', 'school_union'],
    ['introduced', 'school_party'],
    ['committee_review', 'school_party'],
    ['probation', 'school_party'],
    ['returned', 'student'],
    ['official', null],
    ['withdrawn', null],
  ] as const)('%s → %s', (stage, who) => {
    expect(nextActor(stage)).toBe(who);
  });
});

describe('isReadyForNextStep', () => {
  it('an introduced candidate with everything on file is ready for the vote', () => {
    expect(isReadyForNextStep(memberAt('introduced'), calendar, '2025-05-06')).toEqual({
      ready: true,
      transition: 'record_branch_vote',
      reasons: [],
    });
  });
  it('lists what blocks: expired certificate and an unverified dossier', () => {
    const m = memberAt('introduced', { personalHistory: { verification: 'pending' } });
    const r = isReadyForNextStep(m, calendar, '2030-01-01');
    expect(r.ready).toBe(false);
    expect(r.reasons.map((x) => x.code).sort()).toEqual(['certificate_expired', 'dossier_incomplete']);
  });
  it('probation is ready for the vote only once it has ended', () => {
    expect(isReadyForNextStep(memberAt('probation'), calendar, '2026-06-24').ready).toBe(false);
    expect(isReadyForNextStep(memberAt('probation'), calendar, '2026-06-25')).toMatchObject({
      ready: true,
      transition: 'record_official_vote',
    });
  });
  it('a decision past 60 working days without a reason on file is not ready', () => {
    expect(isReadyForNextStep(memberAt('committee_review'), calendar, '2025-07-01').ready).toBe(true);
    expect(
      isReadyForNextStep(memberAt('committee_review'), calendar, '2025-07-30').reasons.map((r) => r.code),
    ).toEqual(['extension_reason_required']);
  });
  it('ended and returned records are never ready', () => {
    expect(isReadyForNextStep(memberAt('official'), calendar, ASOF).ready).toBe(false);
    expect(isReadyForNextStep(memberAt('returned'), calendar, ASOF).ready).toBe(false);
    expect(isReadyForNextStep(memberAt('withdrawn'), calendar, ASOF).ready).toBe(false);
  });
});

describe('dutyBlocks: separation of duties shown before the form is filled in', () => {
  const blocks = dutyBlocks;

  it('names the step the actor recorded, in both languages', () => {
    const r = blocks(memberAt('committee_review'), 'record_decision', actor('school_party', 'voter'));
    expect(r.map((x) => x.code)).toEqual(['separation_of_duties']);
    expect(r[0].message.vi).toBe(
      'Bạn đã ghi nhận biểu quyết của chi bộ nên không thể ghi nhận bước này; người khác trong đảng ủy cần ghi nhận.',
    );
    expect(r[0].message.en).toBe(
      'You recorded the chi bộ vote, so you may not record this step; someone else on the committee must record it.',
    );
  });

  it('lists both earlier steps when the actor recorded both', () => {
    const m = memberAt('committee_review');
    m.pipeline!.history = m.pipeline!.history!.map((h) =>
      h.stage === 'committee_review' ? { ...h, by: 'voter' } : h,
    );
    const r = blocks(m, 'record_decision', actor('school_party', 'voter'));
    expect(r.map((x) => x.message.vi)).toEqual([
      expect.stringContaining('biểu quyết của chi bộ'),
      expect.stringContaining('nghị quyết của đảng ủy'),
    ]);
  });

  it('agrees with checkTransition: blocked exactly when the submit would be refused for duties', () => {
    const input = { decisionNo: '77-QĐ/ĐU', decisionDate: '2025-06-10', issuer: 'Đảng ủy trường' };
    for (const id of ['voter', 'reviewer', 'someone-else', 'decider']) {
      for (const role of ['school_party', 'admin'] as const) {
        const m = memberAt('committee_review');
        const refused = codes(check(m, 'record_decision', input, actor(role, id))).includes(
          'separation_of_duties',
        );
        expect(blocks(m, 'record_decision', actor(role, id)).length > 0).toBe(refused);
      }
    }
  });

  it('applies to the official decision after the actor recorded the passing vote', () => {
    const m = memberAt('probation', { officialVotes: [PASSING_OFFICIAL] });
    expect(blocks(m, 'recognise_official', actor('school_party', 'voter-2'))).toHaveLength(1);
    expect(blocks(m, 'recognise_official', actor('school_party', 'other'))).toEqual([]);
  });

  it('is empty for steps without duty rules and for unknown steps', () => {
    expect(blocks(memberAt('introduced'), 'record_branch_vote', actor('school_party', 'voter'))).toEqual([]);
    expect(blocks(memberAt('branch_vote'), 'record_committee_review', actor('admin', 'voter'))).toEqual([]);
    expect(blocks(memberAt('committee_review'), 'nonsense' as never, actor('school_party', 'voter'))).toEqual(
      [],
    );
  });
});

describe('the whole matrix: every step × every stage × every role', () => {
  const ids = [...new Set(TRANSITIONS.map((t) => t.id))];
  const rows = ids.flatMap((id) =>
    [...PIPELINE_STAGES, ...EXIT_STAGES].flatMap((stage) => ROLES.map((role) => ({ id, stage, role }))),
  );
  it(`${rows.length} combinations: wrong stage and wrong role are refused for exactly those reasons`, () => {
    for (const { id, stage, role } of rows) {
      const member = memberAt(stage);
      const entry = TRANSITIONS.find((t) => t.id === id && t.from.includes(stage));
      const result = check(member, id, {}, actor(role), { calendar });
      const got = codes(result);
      const where = `${id} from ${stage} by ${role}`;
      // Wrong stage exactly when no step of that id leaves this stage,
      expect(got.includes('wrong_stage'), where).toBe(!entry);
      // wrong role exactly when the step's roles (for this record) exclude the role.
      const roles = rolesOf(entry ?? findTransition(id, stage)!, member.pipeline!);
      expect(got.includes('role_not_allowed'), where).toBe(!roles.includes(role));
      // The page offers a step exactly when both hold (and the step is available now).
      const offered = allowedTransitions(member, role).some((t) => t.id === id);
      if (offered) expect(entry && roles.includes(role), where).toBeTruthy();
      // Only a step with nothing to fill in (resume) can pass on an empty form, and only when allowed.
      if (result.ok) expect(offered && id === 'resume', where).toBe(true);
    }
  });
});

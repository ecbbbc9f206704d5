import { describe, expect, it } from 'vitest';
import { HOLIDAYS } from '../../seed/data.ts';
import {
  computeDeadlines,
  nextDue,
  DEADLINE_KINDS,
  type Deadline,
  type DeadlineKind,
} from '../../app/domain/deadlines.ts';
import { createWorkingCalendar } from '../../app/domain/working-days.ts';
import type { PipelineMember, PipelineRecord } from '../../app/domain/pipeline/index.ts';

const calendar = createWorkingCalendar({ holidays: HOLIDAYS.map((h) => h.date) });
const d = (iso: string) => new Date(`${iso}T00:00:00Z`);

function member(stage: string, p: Partial<PipelineRecord> = {}, dateOfBirth = '2005-05-20'): PipelineMember {
  return { dateOfBirth: d(dateOfBirth), pipeline: { stage, history: [], ...p } };
}
function find(list: Deadline[], kind: DeadlineKind): Deadline | undefined {
  return list.find((x) => x.kind === kind);
}
function one(m: PipelineMember, asOf: string | Date, kind: DeadlineKind): Deadline | undefined {
  return find(computeDeadlines(m, calendar, asOf), kind);
}

const VOTE = { meetingDate: d('2025-05-06'), yes: 7, no: 1, officialMemberCount: 9 };

describe('admission decision: 60 working days from the chi bộ resolution', () => {
  const voted = member('branch_vote', { branchVote: VOTE });
  it.each([
    ['2025-06-01', 'upcoming', 42],
    ['2025-07-15', 'due_soon', 10],
    ['2025-07-20', 'due_soon', 7],
    ['2025-07-29', 'due_soon', 0],
    ['2025-07-30', 'overdue', -1],
  ] as const)('on %s: %s (%i working days left)', (asOf, status, left) => {
    expect(one(voted, asOf, 'admission_decision')).toMatchObject({
      dueDate: '2025-07-29',
      status,
      workingDaysLeft: left,
    });
  });

  it('reads asOf in Vietnam time', () => {
    // 18:00 UTC on 29/07 is already 30/07 in Vietnam.
    expect(one(voted, new Date('2025-07-29T18:00:00Z'), 'admission_decision')?.status).toBe('overdue');
  });

  it('+30 working days once an extension reason is recorded', () => {
    const extended = member('committee_review', {
      branchVote: VOTE,
      decisionExtensionReason: 'Chờ thẩm tra lý lịch',
    });
    const x = one(extended, '2025-08-01', 'admission_decision');
    expect(x).toMatchObject({ dueDate: '2025-09-11', status: 'upcoming', extended: true });
    expect(x?.label.vi).toContain('gia hạn');
    expect(x?.label.en).toContain('extended');
  });

  it('met when the decision is on file; late when after the due date', () => {
    const onTime = member('decision', { branchVote: VOTE, decision: { date: d('2025-06-10') } });
    expect(one(onTime, '2026-01-01', 'admission_decision')).toEqual(
      expect.objectContaining({ status: 'met', metOn: '2025-06-10', dueDate: '2025-07-29' }),
    );
    expect(one(onTime, '2026-01-01', 'admission_decision')?.late).toBeUndefined();
    const late = member('decision', { branchVote: VOTE, decision: { date: d('2025-08-15') } });
    expect(one(late, '2026-01-01', 'admission_decision')).toMatchObject({ status: 'met', late: true });
  });
});

describe('ceremony: 30 working days from receiving the decision', () => {
  it('counts from the decision date by default', () => {
    const m = member('decision', { branchVote: VOTE, decision: { date: d('2025-06-10') } });
    expect(one(m, '2025-06-11', 'ceremony')).toMatchObject({ dueDate: '2025-07-22', status: 'upcoming' });
    expect(one(m, '2025-07-23', 'ceremony')).toMatchObject({ status: 'overdue' });
  });
  it('counts from the day it was received when that is recorded', () => {
    const m = member('decision', {
      branchVote: VOTE,
      decision: { date: d('2025-06-10'), receivedAt: d('2025-06-13') },
    });
    expect(one(m, '2025-06-14', 'ceremony')?.dueDate).toBe('2025-07-25');
  });
  it('met by the ceremony', () => {
    const m = member('probation', {
      branchVote: VOTE,
      decision: { date: d('2025-06-10') },
      ceremonyDate: d('2025-06-25'),
    });
    expect(one(m, '2025-07-01', 'ceremony')).toMatchObject({ status: 'met', metOn: '2025-06-25' });
  });
});

describe('probation and official membership', () => {
  const onProbation = (p: Partial<PipelineRecord> = {}) =>
    member('probation', {
      branchVote: VOTE,
      decision: { date: d('2025-06-10') },
      ceremonyDate: d('2025-06-25'),
      probation: { start: d('2025-06-25'), end: d('2026-06-25') },
      ...p,
    });

  it.each([
    ['2026-03-01', 'upcoming'],
    ['2026-05-25', 'due_soon'],
    ['2026-06-24', 'due_soon'],
    ['2026-06-25', 'met'],
  ] as const)('probation end (ceremony + 12 months) on %s: %s', (asOf, status) => {
    expect(one(onProbation(), asOf, 'probation_end')).toMatchObject({ dueDate: '2026-06-25', status });
  });

  it('probation end follows the ceremony date, clamped at month end', () => {
    const leap = member('probation', { ceremonyDate: d('2024-02-29') });
    expect(one(leap, '2024-03-01', 'probation_end')?.dueDate).toBe('2025-02-28');
  });

  it('official-status vote due 30 working days after probation ends', () => {
    expect(one(onProbation(), '2026-03-01', 'official_vote')).toMatchObject({
      dueDate: '2026-08-06',
      status: 'upcoming',
    });
    expect(one(onProbation(), '2026-08-07', 'official_vote')).toMatchObject({ status: 'overdue' });
    expect(one(onProbation(), '2026-08-07', 'official_decision')).toBeUndefined();
  });

  it('a failed vote does not meet it; the first passing vote does and starts the decision clock', () => {
    const failed = onProbation({
      officialVotes: [{ meetingDate: d('2026-07-01'), yes: 5, officialMemberCount: 9 }],
    });
    expect(one(failed, '2026-07-02', 'official_vote')?.status).not.toBe('met');
    const passed = onProbation({
      officialVotes: [
        { meetingDate: d('2026-07-01'), yes: 5, officialMemberCount: 9 },
        { meetingDate: d('2026-07-08'), yes: 6, officialMemberCount: 9 },
      ],
    });
    expect(one(passed, '2026-07-09', 'official_vote')).toMatchObject({ status: 'met', metOn: '2026-07-08' });
    expect(one(passed, '2026-07-09', 'official_decision')).toMatchObject({
      status: 'upcoming',
      dueDate: calendar.addWorkingDays('2026-07-08', 30),
    });
  });

  it('official decision: 30 working days from the vote, +30 with a reason, met by the decision', () => {
    const vote = { meetingDate: d('2026-07-01'), yes: 8, officialMemberCount: 9 };
    expect(one(onProbation({ officialVotes: [vote] }), '2026-07-02', 'official_decision')?.dueDate).toBe(
      '2026-08-12',
    );
    const ext = onProbation({
      officialVotes: [vote],
      officialDecisionExtensionReason: 'Chờ cấp ủy cấp trên',
    });
    expect(one(ext, '2026-07-02', 'official_decision')).toMatchObject({
      dueDate: '2026-09-25',
      extended: true,
    });
    const done = member('official', {
      ...onProbation({ officialVotes: [vote] }).pipeline,
      stage: 'official',
      officialDecision: { date: d('2026-09-30') },
      officialDate: d('2026-06-25'),
    });
    const list = computeDeadlines(done, calendar, '2026-11-27');
    expect(find(list, 'official_decision')).toMatchObject({ status: 'met', metOn: '2026-09-30', late: true });
    expect(list.every((x) => x.status === 'met')).toBe(true);
  });

  it('a seeded official member (no vote records) shows everything met from its history', () => {
    const seeded = member('official', {
      branchVote: VOTE,
      decision: { date: d('2025-06-10') },
      ceremonyDate: d('2025-06-25'),
      probation: { start: d('2025-06-25'), end: d('2026-06-25') },
      officialDate: d('2026-06-25'),
      history: [{ stage: 'official', at: d('2026-07-20'), refDate: d('2026-07-15') }],
    });
    const list = computeDeadlines(seeded, calendar, '2026-11-27');
    // Without a vote date the official decision's clock cannot be placed, so it is left out.
    expect(list.map((x) => [x.kind, x.status, x.metOn])).toEqual([
      ['admission_decision', 'met', '2025-06-10'],
      ['ceremony', 'met', '2025-06-25'],
      ['probation_end', 'met', '2026-06-25'],
      ['official_vote', 'met', '2026-07-15'],
    ]);
  });
});

describe('certificate expiry: warnings 6, 3 and 1 months ahead', () => {
  // Issued 10/12/2021: valid through 10/12/2026.
  const m = member('dossier', { certificate: { issuedAt: d('2021-12-10') } });
  it.each([
    ['2026-06-09', 'upcoming', undefined],
    ['2026-06-10', 'due_soon', 6],
    ['2026-09-09', 'due_soon', 6],
    ['2026-09-10', 'due_soon', 3],
    ['2026-11-10', 'due_soon', 1],
    ['2026-12-10', 'due_soon', 1],
    ['2026-12-11', 'overdue', undefined],
  ] as const)('on %s: %s, warning %s months', (asOf, status, warn) => {
    const x = one(m, asOf, 'certificate_expiry');
    expect(x).toMatchObject({ dueDate: '2026-12-10', status });
    expect(x?.warnMonths).toBe(warn);
  });
  it('met by a chi bộ vote held while valid', () => {
    const voted = member('branch_vote', {
      certificate: { issuedAt: d('2021-12-10') },
      branchVote: { ...VOTE, meetingDate: d('2026-03-01') },
    });
    expect(one(voted, '2027-01-01', 'certificate_expiry')).toMatchObject({
      status: 'met',
      metOn: '2026-03-01',
    });
  });
  it('uses the stored expiry only when the issue date is unknown', () => {
    const stored = member('dossier', { certificate: { expiresAt: d('2027-01-31') } });
    expect(one(stored, '2026-01-01', 'certificate_expiry')?.dueDate).toBe('2027-01-31');
  });
});

describe('turning 30', () => {
  const m = member('outstanding', {}, '1996-12-15');
  it.each([
    ['2026-06-14', 'upcoming'],
    ['2026-06-15', 'due_soon'],
    ['2026-12-15', 'due_soon'],
    ['2026-12-16', 'overdue'],
  ] as const)('on %s: %s', (asOf, status) => {
    expect(one(m, asOf, 'turns_30')).toMatchObject({ dueDate: '2026-12-15', status });
  });
  it('no longer matters once the chi bộ has voted', () => {
    const voted = member('branch_vote', { branchVote: VOTE }, '1996-12-15');
    expect(one(voted, '2026-06-15', 'turns_30')).toBeUndefined();
  });
});

describe('exits and returned records', () => {
  const base: Partial<PipelineRecord> = { branchVote: VOTE, certificate: { issuedAt: d('2024-12-15') } };
  it.each(['not_admitted', 'withdrawn', 'transferred', 'aged_out', 'struck_off'])(
    '%s keeps only met deadlines',
    (stage) => {
      const list = computeDeadlines(member(stage, base), calendar, '2025-08-01');
      expect(list.every((x) => x.status === 'met')).toBe(true);
      expect(find(list, 'admission_decision')).toBeUndefined();
    },
  );
  it('returned keeps the certificate and age warnings, not the open legal clocks', () => {
    const returned = member('returned', { certificate: { issuedAt: d('2021-12-10') } }, '1996-12-15');
    const list = computeDeadlines(returned, calendar, '2026-11-01');
    expect(list.map((x) => x.kind).sort()).toEqual(['certificate_expiry', 'turns_30']);
  });
  it('a plain member without data has only the age warning', () => {
    expect(computeDeadlines(member('member'), calendar, '2026-01-01').map((x) => x.kind)).toEqual([
      'turns_30',
    ]);
  });
  it('no pipeline, no deadlines', () => {
    expect(computeDeadlines({ dateOfBirth: d('2000-01-01') }, calendar, '2026-01-01')).toEqual([]);
  });
});

describe('labels', () => {
  it('every kind is labelled in both languages', () => {
    const m = member('probation', {
      branchVote: VOTE,
      decision: { date: d('2025-06-10') },
      ceremonyDate: d('2025-06-25'),
      officialVotes: [{ meetingDate: d('2026-07-01'), yes: 8, officialMemberCount: 9 }],
      certificate: { issuedAt: d('2024-12-15') },
    });
    const list = [
      ...computeDeadlines(m, calendar, '2026-07-02'),
      ...computeDeadlines(member('member'), calendar, '2026-07-02'),
    ];
    expect(new Set(list.map((x) => x.kind))).toEqual(new Set(DEADLINE_KINDS));
    for (const x of list) expect(x.label.vi.length > 0 && x.label.en.length > 0).toBe(true);
  });
});

describe('nextDue: the earliest open deadline', () => {
  it('is null for a plain member and for a closed record', () => {
    expect(nextDue(member('member'), calendar, '2025-06-01')).toBeNull();
    expect(nextDue(member('withdrawn', { branchVote: VOTE }), calendar, '2025-06-01')).toBeNull();
  });

  it('after the chi bộ vote: the admission decision, overdue or not', () => {
    const voted = member('branch_vote', { branchVote: VOTE });
    expect(nextDue(voted, calendar, '2025-06-01')).toEqual({
      kind: 'admission_decision',
      dueDate: '2025-07-29',
    });
    expect(nextDue(voted, calendar, '2025-09-01')).toEqual({
      kind: 'admission_decision',
      dueDate: '2025-07-29',
    });
  });

  it('picks the certificate expiry when it comes before turning 30', () => {
    const m = member(
      'dossier',
      { certificate: { issuedAt: d('2021-03-10') } as PipelineRecord['certificate'] },
      '2003-01-01',
    );
    const due = nextDue(m, calendar, '2025-06-01');
    expect(due?.kind).toBe('certificate_expiry');
    expect(due!.dueDate < '2033-01-01').toBe(true);
  });

  it('moves on by itself once probation has ended: the official vote is next', () => {
    const p = member('probation', {
      branchVote: VOTE,
      decision: { number: '1', date: d('2025-06-02') },
      ceremonyDate: d('2025-06-20'),
      probation: { start: d('2025-06-20'), end: d('2026-06-20') },
    } as Partial<PipelineRecord>);
    expect(nextDue(p, calendar, '2026-01-10')).toEqual({ kind: 'probation_end', dueDate: '2026-06-20' });
    expect(nextDue(p, calendar, '2026-07-01')?.kind).toBe('official_vote');
  });
});

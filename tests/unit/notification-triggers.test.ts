/**
 * The scheduled triggers' rules (app/domain/notifications/triggers.ts): the exact day each
 * notice fires in working days (weekends, holidays), escalation after N working days, the
 * certificate's months across month ends, idempotent eventKeys, and who hears.
 */
import { describe, expect, it } from 'vitest';
import { computeDeadlines, type Deadline, type DeadlineKind } from '../../app/domain/deadlines.ts';
import {
  approachThreshold,
  deadlineNotices,
  DEFAULT_ESCALATE_AFTER_WORKING_DAYS,
  type TriggerMember,
} from '../../app/domain/notifications/triggers.ts';
import type { Notice } from '../../app/domain/notifications/kinds.ts';
import { createWorkingCalendar } from '../../app/domain/working-days.ts';
import type { PipelineMember, PipelineRecord } from '../../app/domain/pipeline/index.ts';
import { en } from '../../app/i18n/en.ts';
import { parseEnv } from '../../app/utils/env.server.ts';
import { vi } from '../../app/i18n/vi.ts';

// 1 and 2 September 2026 (Tuesday, Wednesday) are days off.
const calendar = createWorkingCalendar({ holidays: ['2026-09-01', '2026-09-02'] });
const DUE = '2026-09-08'; // a Tuesday

const M: TriggerMember = {
  id: 'm1',
  fullName: 'Nguyễn Thị Lan',
  stage: 'committee_review',
  schoolId: 'school1',
  provinceId: 'province1',
  schoolName: 'Trường ĐH Phạm Văn Đồng',
};

function deadline(kind: DeadlineKind, status: Deadline['status'], dueDate = DUE): Deadline {
  return { kind, dueDate, status, label: { vi: kind, en: kind } };
}
const open = (asOf: string) => (asOf > DUE ? 'overdue' : 'due_soon');
const on = (asOf: string, kind: DeadlineKind = 'admission_decision') =>
  deadlineNotices(M, [deadline(kind, open(asOf))], calendar, asOf);
const keys = (ns: Notice[]) => ns.map((n) => n.eventKey);

describe('approaching: 7, 3 and 1 working days before, counted over weekends and holidays', () => {
  it.each([
    ['2026-08-25', []], // 8 working days left
    ['2026-08-26', ['7wd']], // Wednesday: 7 left
    ['2026-08-28', ['7wd']], // Friday: 5 left, still the 7-day notice (same key: nothing new)
    ['2026-08-30', ['7wd']], // Sunday
    ['2026-09-02', ['7wd']], // a holiday: 4 left
    ['2026-09-03', ['3wd']], // Thursday after the two days off: 3 left
    ['2026-09-06', ['3wd']], // Sunday: 2 left
    ['2026-09-07', ['1wd']], // Monday: 1 left
    ['2026-09-08', ['1wd']], // the due day itself
  ] as const)('on %s: %j', (asOf, expected) => {
    const ns = on(asOf).filter((n) => n.kind === 'deadline_approaching');
    expect(ns.map((n) => n.eventKey.split(':').at(-1))).toEqual(expected);
    for (const n of ns)
      expect(n.eventKey).toBe(`deadline:m1:admission_decision:${DUE}:${n.eventKey.split(':').at(-1)}`);
  });

  it('a missed week fires only the tightest threshold, once', () => {
    // Down from 26/08 to 03/09: on 04/09 only the 3-day notice, not the 7-day one too.
    expect(keys(on('2026-09-04'))).toEqual([`deadline:m1:admission_decision:${DUE}:3wd`]);
    // Running again the same day produces the same key: notify() writes nothing new.
    expect(keys(on('2026-09-04'))).toEqual(keys(on('2026-09-04')));
  });

  it('the title carries the working days actually left', () => {
    const [n] = on('2026-08-28');
    expect(n.title).toEqual({
      key: 'notify.approaching.admission_decision',
      params: { name: M.fullName, days: 5 },
    });
    expect(n.body?.params).toMatchObject({ date: '08/09/2026' });
  });

  it('thresholds by working days left', () => {
    expect([9, 8, 7, 6, 4, 3, 2, 1, 0, -1].map(approachThreshold)).toEqual([
      null,
      null,
      7,
      7,
      7,
      3,
      3,
      1,
      1,
      null,
    ]);
  });

  it('met deadlines and probation end say nothing', () => {
    expect(deadlineNotices(M, [deadline('admission_decision', 'met')], calendar, '2026-09-07')).toEqual([]);
    expect(on('2026-09-07', 'probation_end')).toEqual([]);
  });
});

describe('who must act hears it', () => {
  it('Party-side steps → the school Party committee', () => {
    for (const kind of ['admission_decision', 'ceremony', 'official_vote', 'official_decision'] as const) {
      expect(on('2026-09-07', kind)[0].audience).toEqual({
        type: 'unit',
        unitId: 'school1',
        roles: ['school_party'],
      });
    }
  });
  it('turning 30 ends the Union introduction path → the school Union; never "overdue"', () => {
    expect(on('2026-09-07', 'turns_30')[0]).toMatchObject({
      audience: { type: 'unit', unitId: 'school1', roles: ['school_union'] },
      title: { key: 'notify.approaching.turns_30' },
    });
    expect(on('2026-09-20', 'turns_30')).toEqual([]);
  });
});

describe('overdue: the day after the due date, escalated after N working days', () => {
  it('nothing overdue on the due day; the unit hears the next day', () => {
    expect(on('2026-09-08').some((n) => n.kind === 'step_overdue')).toBe(false);
    const [n] = on('2026-09-09');
    expect(n).toMatchObject({
      kind: 'step_overdue',
      eventKey: `overdue:m1:admission_decision:${DUE}`,
      audience: { type: 'unit', unitId: 'school1', roles: ['school_party'] },
      link: '/members/m1/pipeline',
    });
    // The same key every later day: one overdue notice per due date.
    expect(keys(on('2026-09-15'))).toEqual(keys(on('2026-09-09')));
  });

  it('the province hears on the 10th working day overdue, with the case listed', () => {
    expect(on('2026-09-21').map((n) => n.kind)).toEqual(['step_overdue']); // 9 working days
    const ns = on('2026-09-22'); // 10 working days
    const esc = ns.find((n) => n.kind === 'overdue_escalation')!;
    expect(esc).toMatchObject({
      eventKey: `escalation:m1:admission_decision:${DUE}`,
      audience: { type: 'province', unitId: 'province1' },
      title: { key: 'notify.escalation.admission_decision', params: { days: 10, school: M.schoolName } },
    });
    expect(esc.lines).toEqual([
      {
        text: {
          key: 'notify.line.overdue.committee_review',
          params: { who: `${M.fullName} — ${M.schoolName}`, days: 10 },
        },
        link: '/members/m1/pipeline',
      },
    ]);
  });

  it('N is a setting (NOTIFY_ESCALATE_AFTER_WORKING_DAYS), 10 unless a whole number ≥ 1', () => {
    expect(DEFAULT_ESCALATE_AFTER_WORKING_DAYS).toBe(10);
    const env = (v?: string) => parseEnv({ NODE_ENV: 'test', NOTIFY_ESCALATE_AFTER_WORKING_DAYS: v });
    expect(env().NOTIFY_ESCALATE_AFTER_WORKING_DAYS).toBe(10);
    expect(env('').NOTIFY_ESCALATE_AFTER_WORKING_DAYS).toBe(10);
    expect(env('5').NOTIFY_ESCALATE_AFTER_WORKING_DAYS).toBe(5);
    // A typo fails at start-up instead of silently escalating at once (or never).
    for (const bad of ['abc', '0', '-3', '2.5'])
      expect(() => env(bad)).toThrow(/NOTIFY_ESCALATE_AFTER_WORKING_DAYS/);
    const early = deadlineNotices(M, [deadline('ceremony', 'overdue')], calendar, '2026-09-11', {
      escalateAfterWorkingDays: 3,
    });
    expect(early.map((n) => n.kind)).toEqual(['step_overdue', 'overdue_escalation']);
  });
});

describe('certificate: 6, 3 and 1 months before its last valid day, across month ends', () => {
  const member = (issuedAt: string, stage = 'dossier'): PipelineMember => ({
    dateOfBirth: new Date('2004-01-10T00:00:00Z'),
    pipeline: {
      stage,
      history: [],
      certificate: { issuedAt: new Date(`${issuedAt}T00:00:00Z`) },
    } as PipelineRecord,
  });
  const notices = (m: PipelineMember, asOf: string) =>
    deadlineNotices({ ...M, stage: 'dossier' }, computeDeadlines(m, calendar, asOf), calendar, asOf).filter(
      (n) => n.kind === 'certificate_expiring',
    );
  // Issued 31/03/2022: valid to 31/03/2027; one month before is 28/02/2027 (no 31st).
  const march31 = member('2022-03-31');

  it.each([
    ['2026-09-29', null],
    ['2026-09-30', 6],
    ['2026-12-30', 6],
    ['2026-12-31', 3],
    ['2027-02-27', 3],
    ['2027-02-28', 1],
    ['2027-03-31', 1],
    ['2027-04-01', null], // expired: no "expires in" notice any more
  ] as const)('on %s: %s months', (asOf, months) => {
    const ns = notices(march31, asOf);
    if (months === null) return expect(ns).toEqual([]);
    expect(ns.map((n) => n.eventKey)).toEqual([
      `certificate:m1:2027-03-31:${months}m`,
      `certificate:m1:2027-03-31:${months}m`,
    ]);
    expect(ns.map((n) => n.audience)).toEqual([
      { type: 'student', memberId: 'm1' },
      { type: 'unit', unitId: 'school1', roles: ['school_union', 'school_party'] },
    ]);
    expect(ns[0].title.params).toMatchObject({ months, date: '31/03/2027' });
  });

  it('valid to 31/08: six months before is 28/02 (February has no 31st), then 31/05 and 31/07', () => {
    const aug31 = member('2021-08-31'); // valid to 31/08/2026
    expect(notices(aug31, '2026-02-27')).toEqual([]);
    expect(notices(aug31, '2026-02-28')[0].eventKey).toBe('certificate:m1:2026-08-31:6m');
    expect(notices(aug31, '2026-05-31')[0].eventKey).toBe('certificate:m1:2026-08-31:3m');
    expect(notices(aug31, '2026-07-31')[0].eventKey).toBe('certificate:m1:2026-08-31:1m');
  });

  it('valid to 28/02/2028 (a leap February): one month before is 28/01', () => {
    const leap = member('2023-02-28'); // +60 months = 28/02/2028
    expect(notices(leap, '2028-01-27')[0].eventKey).toBe('certificate:m1:2028-02-28:3m');
    expect(notices(leap, '2028-01-28')[0].eventKey).toBe('certificate:m1:2028-02-28:1m');
  });

  it('nothing once the chi bộ voted (the certificate served its purpose)', () => {
    const voted = member('2022-03-31', 'branch_vote');
    (voted.pipeline as PipelineRecord).branchVote = {
      meetingDate: new Date('2026-10-01T00:00:00Z'),
      yes: 7,
      no: 0,
      officialMemberCount: 7,
    };
    expect(notices(voted, '2027-02-28')).toEqual([]);
  });
});

describe('messages', () => {
  it('every key a trigger can produce exists in both languages, and no sensitive field is a param', () => {
    const all: Notice[] = [];
    for (const kind of [
      'admission_decision',
      'ceremony',
      'official_vote',
      'official_decision',
      'turns_30',
    ] as const) {
      for (const asOf of ['2026-09-07', '2026-09-30']) all.push(...on(asOf, kind));
    }
    expect(all.length).toBeGreaterThan(8);
    for (const n of all) {
      for (const t of [n.title, n.body, ...(n.lines ?? []).map((l) => l.text)]) {
        if (!t) continue;
        expect(vi[t.key]).toBeTruthy();
        expect(en[t.key]).toBeTruthy();
        for (const p of Object.keys(t.params ?? {}))
          expect(['ethnicity', 'religion', 'citizenId']).not.toContain(p);
      }
    }
  });
});

/**
 * The event notices (triggers-events.ts) and the weekly digest (triggers-digest.ts): who
 * hears, the eventKeys that make a retry write nothing new, ISO weeks across year ends,
 * and the digest's lines.
 */
import { describe, expect, it } from 'vitest';
import {
  consentWithdrawnNotice,
  correctionAnsweredNotice,
  evidenceReviewedNotice,
  ruleConflictNotice,
  stepRecordedNotice,
} from '../../app/domain/notifications/triggers-events.ts';
import {
  DIGEST_MAX_LINES,
  digestNotice,
  isoWeek,
  weekRange,
} from '../../app/domain/notifications/triggers-digest.ts';
import { ALL_STAGES } from '../../app/domain/stages.ts';
import { en } from '../../app/i18n/en.ts';
import { vi } from '../../app/i18n/vi.ts';
import type { MessageKey } from '../../app/i18n/vi.ts';

describe('event notices', () => {
  it('evidence returned → the student, with the reason; approved has no reason', () => {
    const returned = evidenceReviewedNotice({
      submissionId: 's1',
      memberId: 'm1',
      schoolId: 'u1',
      title: 'Giải nhất Olympic Tin học',
      decision: 'returned',
      reason: 'Ảnh giấy khen bị mờ',
    });
    expect(returned).toMatchObject({
      kind: 'evidence_reviewed',
      eventKey: 'evidence:s1:returned',
      audience: { type: 'student', memberId: 'm1' },
      body: { key: 'notify.evidence.returned.body', params: { reason: 'Ảnh giấy khen bị mờ' } },
    });
    const approved = evidenceReviewedNotice({
      submissionId: 's1',
      memberId: 'm1',
      schoolId: 'u1',
      title: 'x',
      decision: 'approved',
    });
    expect(approved.eventKey).toBe('evidence:s1:approved');
    expect(approved.body).toBeUndefined();
  });

  it('a correction answered → the student, one key per request and answer', () => {
    expect(
      correctionAnsweredNotice({
        correctionId: 'c1',
        memberId: 'm1',
        schoolId: 'u1',
        decision: 'rejected',
        reason: 'Đúng rồi',
      }),
    ).toMatchObject({
      eventKey: 'correction:c1:rejected',
      audience: { type: 'student', memberId: 'm1' },
      title: { key: 'notify.correction.rejected.title' },
    });
  });

  it('a step → the student, keyed by the version the step wrote; the decision says "Bạn đã được kết nạp"', () => {
    const n = stepRecordedNotice({
      memberId: 'm1',
      schoolId: 'u1',
      stage: 'decision',
      version: 7,
      refDate: '2026-12-01',
    });
    expect(n).toMatchObject({ eventKey: 'step:m1:7', audience: { type: 'student', memberId: 'm1' } });
    expect(vi[n.title.key]).toMatch(/^Bạn đã được kết nạp/);
    expect(n.body?.params).toEqual({ date: '01/12/2026' });
  });

  it('conflicts and consent withdrawal → the school (Union and Party)', () => {
    const at = new Date('2026-12-07T03:00:00Z');
    const c = ruleConflictNotice({
      memberId: 'm1',
      schoolId: 'u1',
      fullName: 'An',
      count: 2,
      keys: ['b', 'a'],
      at,
    });
    expect(c.eventKey).toBe(`conflict:m1:a|b:${at.getTime()}`);
    const w = consentWithdrawnNotice({ memberId: 'm1', schoolId: 'u1', fullName: 'An', at });
    for (const n of [c, w])
      expect(n.audience).toEqual({ type: 'unit', unitId: 'u1', roles: ['school_union', 'school_party'] });
    expect(w.body?.params).toMatchObject({ date: '07/12/2026' });
  });

  it('every stage has its step message and overdue line in both languages', () => {
    for (const stage of ALL_STAGES) {
      for (const key of [`notify.step.${stage}`, `notify.line.overdue.${stage}`] as MessageKey[]) {
        expect(vi[key], key).toBeTruthy();
        expect(en[key], key).toBeTruthy();
      }
    }
  });
});

describe('weekly digest', () => {
  it.each([
    ['2026-12-07', '2026-W50'],
    ['2026-01-01', '2026-W01'], // a Thursday
    ['2027-01-01', '2026-W53'], // a Friday: the week of 31/12/2026 (2026 has 53 weeks)
    ['2024-12-30', '2025-W01'], // a Monday whose Thursday is in 2025
    ['2021-01-03', '2020-W53'],
  ])('%s is in %s', (day, week) => {
    expect(isoWeek(day)).toBe(week);
  });

  it('reads the week in Vietnam time: Sunday 18:00 UTC is already Monday', () => {
    expect(isoWeek(new Date('2026-12-06T18:00:00Z'))).toBe('2026-W50');
    expect(isoWeek(new Date('2026-12-06T16:00:00Z'))).toBe('2026-W49');
    const { start, end } = weekRange(new Date('2026-12-09T05:00:00Z'));
    expect(new Date(start * 86_400_000).toISOString().slice(0, 10)).toBe('2026-12-07');
    expect(end - start).toBe(7);
  });

  const member = (i: number) => ({
    id: `m${i}`,
    fullName: `Học viên ${String(i).padStart(2, '0')}`,
    stage: 'decision' as const,
    schoolId: 'u1',
    provinceId: 'p1',
    schoolName: 'Trường A',
  });

  it('one per unit per ISO week; counts in the body, the most overdue cases first, the rest counted', () => {
    const cases = Array.from({ length: 40 }, (_, i) => ({ member: member(i), days: i }));
    const n = digestNotice({
      unitId: 'u1',
      unitName: 'Trường A',
      scope: 'school',
      counts: { overdue: 40, dueThisWeek: 3, ready: 5, target: 20, admitted: 12 },
      cases,
      asOf: new Date('2026-12-07T00:00:00Z'),
    });
    expect(n).toMatchObject({
      kind: 'weekly_digest',
      eventKey: 'digest:u1:2026-W50',
      audience: { type: 'unit', unitId: 'u1', roles: ['school_union', 'school_party'] },
      body: {
        key: 'notify.digest.body',
        params: { overdue: 40, dueThisWeek: 3, ready: 5, target: 20, admitted: 12 },
      },
    });
    expect(n.lines).toHaveLength(DIGEST_MAX_LINES + 1);
    expect(n.lines![0]).toEqual({
      text: { key: 'notify.line.overdue.decision', params: { who: 'Học viên 39', days: 39 } },
      link: '/members/m39/pipeline',
    });
    expect(n.lines!.at(-1)!.text).toEqual({ key: 'notify.digest.more', params: { count: 10 } });
    // Later in the same week: the same key, so nothing new.
    const again = digestNotice({
      unitId: 'u1',
      unitName: 'Trường A',
      scope: 'school',
      counts: { overdue: 0, dueThisWeek: 0, ready: 0, target: null, admitted: 0 },
      cases: [],
      asOf: new Date('2026-12-13T10:00:00Z'),
    });
    expect(again.eventKey).toBe(n.eventKey);
    expect(again.body?.key).toBe('notify.digest.bodyNoTarget');
    expect(again.lines).toBeUndefined();
  });

  it("the province digest goes to province_union and names each case's school", () => {
    const n = digestNotice({
      unitId: 'p1',
      unitName: 'Tỉnh đoàn',
      scope: 'province',
      counts: { overdue: 1, dueThisWeek: 0, ready: 0, target: null, admitted: 0 },
      cases: [{ member: member(1), days: 12 }],
      asOf: new Date('2026-12-07T00:00:00Z'),
    });
    expect(n.audience).toEqual({ type: 'province', unitId: 'p1' });
    expect(n.lines![0].text.params).toEqual({ who: 'Học viên 01 — Trường A', days: 12 });
  });
});

/**
 * Issue 16: the admission rules on every path, not only on the form's happy path.
 * Separation of duties over the whole history (returns, resumes, in-stage actions), the
 * chronology table, the 5-KNĐ opinions before the vote, exits offered only when they can
 * apply, and withdrawn consent pausing every step. Each rule at its edges.
 */
import { describe, expect, it } from 'vitest';
import {
  CHRONOLOGY,
  TRANSITIONS,
  allowedTransitions,
  checkTransition,
  dutyBlocks,
  isReadyForNextStep,
  stepBlocks,
  stepEntries,
  type PipelineHistoryEntry,
  type PipelineMember,
  type PipelineRecord,
  type Reason,
} from '../../app/domain/pipeline/index.ts';
import { EXIT_STAGES, PIPELINE_STAGES, type Stage } from '../../app/domain/stages.ts';
import { ROLES } from '../../app/domain/permissions.ts';
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

const party = actor('school_party');
const DECISION = { decisionNo: '77-QĐ/ĐU', decisionDate: '2025-06-10', issuer: 'Đảng ủy trường' };

/** Applies a checked step to the record, as the server's update would (history pushed, fields set). */
function apply(
  member: PipelineMember,
  id: string,
  input: unknown,
  by: string,
  role = 'school_party' as const,
) {
  const u = updateOf(checkTransition(member, id, input, actor(role, by), ASOF, { calendar }));
  const p = { ...member.pipeline! } as Record<string, unknown>;
  for (const [path, value] of Object.entries(u.set)) p[path.replace(/^pipeline\./, '')] = value;
  p.history = [...(member.pipeline!.history ?? []), u.history];
  return { ...member, pipeline: p as unknown as PipelineRecord };
}

function messages(rs: Reason[] | CheckReasons) {
  const list = Array.isArray(rs) ? rs : rs.ok ? [] : rs.reasons;
  return list.map((r) => r.message.vi);
}
type CheckReasons = ReturnType<typeof checkTransition>;

// ---------------------------------------------------------------- separation of duties

describe('separation of duties reads the whole history', () => {
  it("the tester's path: review, return, resume by a colleague, decision by the reviewer → refused", () => {
    let m = memberAt('branch_vote');
    m = apply(m, 'record_committee_review', { resolutionNo: '40-NQ/ĐU', resolutionDate: '2025-05-20' }, 'A');
    m = apply(m, 'return_for_improvement', { reason: 'Bổ sung nhận xét' }, 'A');
    m = apply(m, 'resume', {}, 'B');
    expect(m.pipeline!.stage).toBe('committee_review');
    // The latest 'committee_review' entry is B's resume; A's review is still on file.
    expect(m.pipeline!.history!.at(-1)).toMatchObject({ stage: 'committee_review', by: 'B' });

    const refused = checkTransition(m, 'record_decision', DECISION, actor('school_party', 'A'), ASOF);
    expect(codes(refused)).toEqual(['separation_of_duties']);
    expect(dutyBlocks(m, 'record_decision', actor('school_party', 'A')).map((r) => r.message.vi)).toEqual([
      'Bạn đã ghi nhận nghị quyết của đảng ủy nên không thể ghi nhận bước này; người khác trong đảng ủy cần ghi nhận.',
    ]);
    // Whoever only resumed recorded no decision: free to record this one.
    expect(codes(checkTransition(m, 'record_decision', DECISION, actor('school_party', 'B'), ASOF))).toEqual(
      [],
    );
    expect(dutyBlocks(m, 'record_decision', actor('school_party', 'B'))).toEqual([]);
  });

  it('the vote recorder stays blocked after a return from the vote and a resume by someone else', () => {
    let m = memberAt('introduced');
    m = apply(m, 'record_branch_vote', VOTE, 'V');
    m = apply(m, 'return_for_improvement', { reason: 'x' }, 'V');
    m = apply(m, 'resume', {}, 'R');
    m = apply(m, 'record_committee_review', { resolutionNo: '1', resolutionDate: '2025-05-20' }, 'C');
    expect(codes(checkTransition(m, 'record_decision', DECISION, actor('admin', 'V'), ASOF))).toEqual([
      'separation_of_duties',
    ]);
    expect(codes(checkTransition(m, 'record_decision', DECISION, actor('admin', 'R'), ASOF))).toEqual([]);
  });

  it('an extension reason recorded inside the stage does not make its author a recorder of the stage', () => {
    let m = memberAt('branch_vote');
    m = apply(m, 'request_extension', { reason: 'Chờ thẩm tra bổ sung' }, 'E');
    m = apply(m, 'record_committee_review', { resolutionNo: '1', resolutionDate: '2025-05-20' }, 'C');
    expect(codes(checkTransition(m, 'record_decision', DECISION, actor('school_party', 'E'), ASOF))).toEqual(
      [],
    );
    expect(codes(checkTransition(m, 'record_decision', DECISION, actor('school_party', 'C'), ASOF))).toEqual([
      'separation_of_duties',
    ]);
  });

  it('every cycle counts: two recorded reviews (legacy history) block both recorders', () => {
    const m = memberAt('committee_review');
    const h = m.pipeline!.history!;
    m.pipeline!.history = [
      ...h,
      { stage: 'returned', at: d('2025-05-25'), by: 'X' },
      { stage: 'branch_vote', at: d('2025-05-26'), by: 'Y' }, // a resume (after 'returned')
      { stage: 'committee_review', at: d('2025-05-30'), by: 'second-reviewer' },
    ];
    for (const id of ['reviewer', 'second-reviewer', 'voter']) {
      expect(
        codes(checkTransition(m, 'record_decision', DECISION, actor('school_party', id), ASOF)),
        id,
      ).toEqual(['separation_of_duties']);
    }
    expect(codes(checkTransition(m, 'record_decision', DECISION, actor('school_party', 'Y'), ASOF))).toEqual(
      [],
    );
  });

  it('official membership: every recorder of a passing vote is blocked; a failed vote’s recorder is not', () => {
    const failed = { meetingDate: d('2026-06-26'), yes: 4, no: 5, officialMemberCount: 9, by: 'F' };
    const m = memberAt('probation', {
      officialVotes: [failed, PASSING_OFFICIAL, { ...PASSING_OFFICIAL, by: 'voter-3' }],
    });
    const i = { decisionNo: '9', decisionDate: '2026-07-20', issuer: 'ĐU' };
    for (const [id, blocked] of [
      ['voter-2', true],
      ['voter-3', true],
      ['F', false],
    ] as const) {
      expect(codes(checkTransition(m, 'recognise_official', i, actor('school_party', id), ASOF)), id).toEqual(
        blocked ? ['separation_of_duties'] : [],
      );
      expect(dutyBlocks(m, 'recognise_official', actor('school_party', id)).length > 0).toBe(blocked);
    }
  });

  it('stepEntries: the entry that recorded a step, not a resume into it nor an action inside it', () => {
    const h: PipelineHistoryEntry[] = [
      { stage: 'branch_vote', at: d('2025-05-06'), by: 'first' }, // first entry of the history counts
      { stage: 'branch_vote', at: d('2025-05-07'), by: 'extension' },
      { stage: 'returned', at: d('2025-05-08'), by: 'returner' },
      { stage: 'branch_vote', at: d('2025-05-09'), by: 'resumer' },
      { stage: 'committee_review', at: d('2025-05-20'), by: 'reviewer' },
    ];
    const p: PipelineRecord = { stage: 'committee_review', history: h };
    expect(stepEntries(p, 'branch_vote').map((e) => e.by)).toEqual(['first']);
    expect(stepEntries(p, 'committee_review').map((e) => e.by)).toEqual(['reviewer']);
    expect(stepEntries(p, 'returned').map((e) => e.by)).toEqual(['returner']);
    expect(stepEntries({ stage: 'member' }, 'branch_vote')).toEqual([]);
  });
});

// ---------------------------------------------------------------- chronology

const vote = (meetingDate: string) => ({ ...VOTE, meetingDate });

describe('chronology: one table, every step', () => {
  it('a vote dated before the introduction is refused, naming both dates', () => {
    const m = memberAt('introduced', {
      history: [...memberAt('introduced').pipeline!.history!.slice(0, -1)].concat({
        stage: 'introduced',
        at: d('2025-05-10'),
        refDate: d('2025-05-08'),
        by: 'u',
      }),
      opinions: [{ source: 'Chi ủy nơi cư trú', date: d('2025-05-07') }],
    });
    const before = checkTransition(m, 'record_branch_vote', vote('2025-05-07'), party, ASOF);
    expect(codes(before)).toEqual(['date_out_of_order']);
    expect(messages(before)).toEqual([
      'Ngày họp chi bộ (07/05/2025) không được trước ngày giới thiệu (3-KNĐ, 4-KNĐ) (08/05/2025)',
    ]);
    expect(before.ok ? null : before.reasons[0]).toMatchObject({
      field: 'meetingDate',
      message: {
        en: 'Meeting date (07/05/2025) cannot be before the introduction (3-KNĐ, 4-KNĐ) (08/05/2025)',
      },
    });
    // The same day is in order.
    expect(codes(checkTransition(m, 'record_branch_vote', vote('2025-05-08'), party, ASOF))).toEqual([]);
  });

  it('a vote dated the day before the verification: the order with both dates, not "not verified"', () => {
    const m = memberAt('introduced', {
      personalHistory: { receivedAt: d('2025-03-03'), verification: 'verified', verifiedAt: d('2025-05-07') },
    });
    const r = checkTransition(m, 'record_branch_vote', vote('2025-05-06'), party, ASOF);
    expect(codes(r)).toEqual(['date_out_of_order']);
    expect(messages(r)[0]).toBe(
      'Ngày họp chi bộ (06/05/2025) không được trước ngày thẩm tra lý lịch (2-KNĐ) (07/05/2025)',
    );
    expect(messages(r).join()).not.toContain('chưa được thẩm tra');
    expect(codes(checkTransition(m, 'record_branch_vote', vote('2025-05-07'), party, ASOF))).toEqual([]);
  });

  it('a vote before the application was received: the order, not "no application"', () => {
    const m = memberAt('introduced', { application: { receivedAt: d('2025-05-07') } });
    const r = checkTransition(m, 'record_branch_vote', vote('2025-05-06'), party, ASOF);
    expect(codes(r)).toEqual(['date_out_of_order']);
    expect(messages(r)[0]).toContain('ngày nhận đơn xin vào Đảng (1-KNĐ) (07/05/2025)');
  });

  it('an unverified personal history is still "not verified" (presence), with no order reason', () => {
    const m = memberAt('introduced', {
      personalHistory: { receivedAt: d('2025-03-03'), verification: 'pending' },
    });
    const r = checkTransition(m, 'record_branch_vote', VOTE, party, ASOF);
    expect(codes(r)).toEqual(['dossier_incomplete']);
    expect(messages(r)).toEqual(['Lý lịch (2-KNĐ) chưa được thẩm tra, kết luận']);
  });

  it('a verification entered in the paper checklist counts, and is judged by its date', () => {
    const pending = { receivedAt: d('2025-03-03'), verification: 'pending' };
    const withPaper = (verifiedAt: string) =>
      memberAt('introduced', {
        personalHistory: pending,
        dossier: [{ form: '2-KNĐ', receivedAt: d('2025-03-03'), verifiedAt: d(verifiedAt) }],
      });
    expect(codes(checkTransition(withPaper('2025-04-01'), 'record_branch_vote', VOTE, party, ASOF))).toEqual(
      [],
    );
    expect(codes(checkTransition(withPaper('2025-05-07'), 'record_branch_vote', VOTE, party, ASOF))).toEqual([
      'date_out_of_order',
    ]);
  });

  it('the introduction is not dated before the verification nor the application', () => {
    const intro = (introducedAt: string) => ({
      introducedAt,
      introducers: [
        { name: 'Ban Chấp hành Đoàn trường', kind: 'union', refNo: '30-NQ/ĐTN' },
        { name: 'Nguyễn Văn An', kind: 'party_member', official: 'on', monthsTogether: '20' },
      ],
    });
    const m = memberAt('dossier'); // application 01/03/2025, verified 20/03/2025
    expect(codes(checkTransition(m, 'record_introduction', intro('2025-03-20'), party, ASOF))).toEqual([]);
    const early = checkTransition(m, 'record_introduction', intro('2025-03-19'), party, ASOF);
    expect(messages(early)).toEqual([
      'Ngày giới thiệu (19/03/2025) không được trước ngày thẩm tra lý lịch (2-KNĐ) (20/03/2025)',
    ]);
    const both = checkTransition(m, 'record_introduction', intro('2025-02-28'), party, ASOF);
    expect(codes(both)).toEqual(['date_out_of_order', 'date_out_of_order']);
    // A later application is an order problem, not "no application".
    const late = memberAt('dossier', { application: { receivedAt: d('2025-04-02') } });
    expect(codes(checkTransition(late, 'record_introduction', intro('2025-04-01'), party, ASOF))).toEqual([
      'date_out_of_order',
    ]);
  });

  it('open_dossier: the verification is not dated before the receipts', () => {
    const input = {
      applicationReceivedAt: '2025-03-01',
      personalHistoryReceivedAt: '2025-03-05',
      verification: 'verified',
      verifiedAt: '2025-03-04',
    };
    const r = checkTransition(memberAt('awareness_class'), 'open_dossier', input, party, ASOF);
    expect(messages(r)).toEqual([
      'Ngày thẩm tra (04/03/2025) không được trước ngày nhận lý lịch (05/03/2025)',
    ]);
    expect(
      codes(
        checkTransition(
          memberAt('awareness_class'),
          'open_dossier',
          { ...input, verifiedAt: '2025-03-05' },
          party,
          ASOF,
        ),
      ),
    ).toEqual([]);
  });

  it.each([
    [
      'record_committee_review',
      'branch_vote',
      { resolutionNo: '1', resolutionDate: '2025-05-05' },
      'ngày chi bộ họp xét kết nạp (06/05/2025)',
    ],
    [
      'record_decision',
      'committee_review',
      { ...DECISION, decisionDate: '2025-05-19' },
      'ngày nghị quyết của đảng ủy (8-KNĐ) (20/05/2025)',
    ],
    [
      'record_decision',
      'committee_review',
      { ...DECISION, receivedAt: '2025-06-09' },
      'ngày quyết định (10/06/2025)',
    ],
    [
      'record_ceremony',
      'decision',
      { ceremonyDate: '2025-06-09' },
      'ngày nhận quyết định kết nạp (9-KNĐ) (10/06/2025)',
    ],
    ['record_official_vote', 'probation', vote('2026-06-24'), 'ngày hết 12 tháng dự bị (25/06/2026)'],
    [
      'return_for_improvement',
      'committee_review',
      { reason: 'x', refDate: '2024-08-31' },
      'ngày bắt đầu bước hiện tại (01/09/2024)',
    ],
  ] as const)('%s from %s: the day before its anchor is refused', (id, stage, input, anchor) => {
    const r = checkTransition(memberAt(stage as Stage), id, input, actor('admin', 'someone'), ASOF, {
      calendar,
    });
    expect(r.ok).toBe(false);
    expect(
      messages(r).some((m) => m.includes(`không được trước ${anchor}`)),
      messages(r).join(' | '),
    ).toBe(true);
  });

  it('the official vote before the end of probation keeps its own code, with both dates', () => {
    const r = checkTransition(memberAt('probation'), 'record_official_vote', vote('2026-06-24'), party, ASOF);
    expect(codes(r)).toEqual(['probation_not_ended']);
    expect(messages(r)).toEqual([
      'Ngày họp chi bộ (24/06/2026) không được trước ngày hết 12 tháng dự bị (25/06/2026)',
    ]);
    expect(
      codes(checkTransition(memberAt('probation'), 'record_official_vote', vote('2026-06-25'), party, ASOF)),
    ).toEqual([]);
  });

  it('the official decision is not dated before the passing vote nor the end of probation', () => {
    const m = memberAt('probation', {
      officialVotes: [{ ...PASSING_OFFICIAL, meetingDate: d('2026-07-01') }],
    });
    const i = (decisionDate: string) => ({ decisionNo: '9', decisionDate, issuer: 'ĐU' });
    expect(messages(checkTransition(m, 'recognise_official', i('2026-06-30'), party, ASOF))).toEqual([
      'Ngày quyết định (30/06/2026) không được trước ngày chi bộ biểu quyết công nhận chính thức (01/07/2026)',
    ]);
    expect(codes(checkTransition(m, 'recognise_official', i('2026-06-24'), party, ASOF)).sort()).toEqual([
      'date_out_of_order',
      'probation_not_ended',
    ]);
  });

  it('a failed vote recorded with "not admitted" follows the same order as the vote', () => {
    const m = memberAt('introduced');
    const r = checkTransition(
      m,
      'not_admitted',
      { reason: 'Không đủ 2/3', vote: { ...vote('2025-03-30'), yes: 3 } },
      party,
      ASOF,
    );
    expect(r.ok ? [] : r.reasons.map((x) => x.field)).toEqual(['vote.meetingDate', 'vote.meetingDate']);
  });

  it('an exit from a plain member has no anchor (the record start is when it was entered)', () => {
    const m = memberAt('member');
    expect(
      codes(
        checkTransition(m, 'withdraw', { reason: 'x', refDate: '2020-01-01' }, actor('school_union'), ASOF),
      ),
    ).toEqual([]);
  });

  it('an invalid date is reported once, as invalid, not compared', () => {
    const r = checkTransition(
      memberAt('branch_vote'),
      'record_committee_review',
      { resolutionNo: '1', resolutionDate: '2025-02-30' },
      party,
      ASOF,
    );
    expect(codes(r)).toEqual(['invalid_input']);
  });

  it('when another field fails, the step date is still judged (every reason in one round)', () => {
    const r = checkTransition(
      memberAt('branch_vote'),
      'record_committee_review',
      { resolutionDate: '2025-05-05' },
      party,
      ASOF,
    );
    expect(codes(r).sort()).toEqual(['date_out_of_order', 'invalid_input']);
  });

  it('the ready queue judges the order on its day too', () => {
    expect(
      isReadyForNextStep(memberAt('branch_vote'), calendar, '2025-05-05').reasons.map((r) => r.code),
    ).toEqual(['date_out_of_order']);
    expect(isReadyForNextStep(memberAt('branch_vote'), calendar, '2025-05-06').ready).toBe(true);
  });

  it('the table covers every dated step but the first two, and names only real fields', () => {
    const dated = [...new Set(TRANSITIONS.filter((t) => t.dateField).map((t) => t.id))];
    const uncovered = dated.filter((id) => !CHRONOLOGY[id]);
    // Selection starts the chain; a certificate may come from an earlier class (60 months).
    expect(uncovered.sort()).toEqual(['record_awareness_class', 'select_outstanding']);
    for (const [id, rows] of Object.entries(CHRONOLOGY)) {
      const t = TRANSITIONS.find((x) => x.id === id)!;
      const shape = (t.schema as unknown as { shape: Record<string, { shape?: object }> }).shape;
      for (const field of Object.keys(rows!)) {
        const [head, sub] = field.split('.');
        expect(shape[head], `${id}.${field}`).toBeDefined();
        if (sub)
          expect(
            (shape[head] as unknown as { unwrap: () => { shape: object } }).unwrap().shape,
          ).toHaveProperty(sub);
      }
    }
  });
});

// ---------------------------------------------------------------- opinions (5-KNĐ)

describe('the opinions (5-KNĐ) are in before the chi bộ vote', () => {
  const noOpinions = memberAt('introduced', { opinions: [] });

  it('missing: refused with a clear reason', () => {
    const r = checkTransition(noOpinions, 'record_branch_vote', VOTE, party, ASOF);
    expect(codes(r)).toEqual(['opinions_missing']);
    expect(messages(r)[0]).toContain('5-KNĐ');
    expect(isReadyForNextStep(noOpinions, calendar, '2025-05-06').reasons.map((x) => x.code)).toEqual([
      'opinions_missing',
    ]);
  });

  it('received in the paper checklist: counts; on the meeting day is in time, the day after is not', () => {
    const paper = (receivedAt: string) =>
      memberAt('introduced', { opinions: [], dossier: [{ form: '5-KNĐ', receivedAt: d(receivedAt) }] });
    expect(codes(checkTransition(paper('2025-05-06'), 'record_branch_vote', VOTE, party, ASOF))).toEqual([]);
    const late = checkTransition(paper('2025-05-07'), 'record_branch_vote', VOTE, party, ASOF);
    expect(codes(late)).toEqual(['date_out_of_order']);
    expect(messages(late)[0]).toContain('(5-KNĐ) (07/05/2025)');
  });

  it('recorded opinions: the last of them counts (the summary is complete then)', () => {
    const m = memberAt('introduced', {
      opinions: [
        { source: 'Chi ủy nơi cư trú', date: d('2025-04-10') },
        { source: 'Ban Chấp hành Chi đoàn', date: d('2025-05-08') },
      ],
    });
    expect(codes(checkTransition(m, 'record_branch_vote', VOTE, party, ASOF))).toEqual(['date_out_of_order']);
    expect(codes(checkTransition(m, 'record_branch_vote', vote('2025-05-08'), party, ASOF))).toEqual([]);
  });

  it('a date entered by hand overrides the recorded opinions, as the tab shows it', () => {
    const m = memberAt('introduced', { dossier: [{ form: '5-KNĐ', receivedAt: d('2025-05-20') }] });
    expect(codes(checkTransition(m, 'record_branch_vote', VOTE, party, ASOF))).toEqual(['date_out_of_order']);
  });
});

// ---------------------------------------------------------------- exits offered

describe('exits are offered only when they can apply', () => {
  const exitIds = (m: PipelineMember, asOf?: string) =>
    allowedTransitions(m, 'school_union', asOf)
      .filter((t) => (EXIT_STAGES as readonly string[]).includes(t.to))
      .map((t) => t.id);

  it('"Hết tuổi đoàn" is not offered to a 17-year-old, and is to someone who is 30', () => {
    expect(exitIds(memberAt('member', {}, '2009-01-10'), '2026-11-27')).not.toContain('age_out');
    expect(exitIds(memberAt('member', {}, '1995-01-10'), '2026-11-27')).toContain('age_out');
    // Still offered the other exits.
    expect(exitIds(memberAt('member', {}, '2009-01-10'), '2026-11-27')).toEqual(['withdraw', 'transfer']);
  });

  it('the edge: offered from the 30th birthday on, not the day before', () => {
    const m = memberAt('member', {}, '1996-11-27');
    expect(exitIds(m, '2026-11-26')).not.toContain('age_out');
    expect(exitIds(m, '2026-11-27')).toContain('age_out');
  });

  it('without a date of birth it is not offered (its rule cannot pass)', () => {
    const m = { pipeline: memberAt('member').pipeline };
    expect(exitIds(m, '2026-11-27')).not.toContain('age_out');
  });

  it('every exit offered on a day passes its member rules on that day', () => {
    for (const stage of [...PIPELINE_STAGES, ...EXIT_STAGES]) {
      for (const dob of ['2009-01-10', '1990-01-01']) {
        const m = memberAt(stage, {}, dob);
        for (const role of ROLES) {
          for (const t of allowedTransitions(m, role, ASOF)) {
            if (!(EXIT_STAGES as readonly string[]).includes(t.to)) continue;
            const r = checkTransition(m, t.id, { reason: 'Lý do', refDate: '2026-11-27' }, actor(role), ASOF);
            expect(codes(r), `${t.id} from ${stage} by ${role}`).toEqual([]);
          }
        }
      }
    }
  });

  it('without a day (legacy callers) nothing is filtered', () => {
    expect(exitIds(memberAt('member', {}, '2009-01-10'))).toContain('age_out');
  });
});

// ---------------------------------------------------------------- consent

describe('withdrawn consent pauses every step', () => {
  const withdrawn = (m: PipelineMember, consent: PipelineMember['consent']) => ({ ...m, consent });
  const W = { version: '2026-01', givenAt: d('2026-02-01'), withdrawnAt: new Date('2026-10-04T17:30:00Z') };

  it('a step is refused with the date of the withdrawal, in Vietnam time, and the law', () => {
    const m = withdrawn(memberAt('introduced'), W);
    const r = checkTransition(m, 'record_branch_vote', VOTE, party, ASOF);
    expect(codes(r)).toEqual(['consent_withdrawn']);
    // 17:30 UTC on 04/10 is 00:30 on 05/10 in Vietnam.
    expect(messages(r)[0]).toBe(
      'Đoàn viên đã rút lại sự đồng ý xử lý dữ liệu cá nhân ngày 05/10/2026. Theo Luật Bảo vệ dữ liệu cá nhân (Luật số 91/2025/QH15), hồ sơ tạm dừng xử lý cho đến khi đoàn viên đồng ý lại.',
    );
    expect(r.ok ? '' : r.reasons[0].message.en).toContain('on 05/10/2026');
  });

  it('every step of every stage, exits and returns included, for every role', () => {
    for (const t of TRANSITIONS) {
      for (const stage of t.from) {
        const m = withdrawn(memberAt(stage, {}, '1990-01-01'), W);
        for (const role of ROLES) {
          expect(
            codes(checkTransition(m, t.id, {}, actor(role), ASOF)),
            `${t.id} ${stage} ${role}`,
          ).toContain('consent_withdrawn');
        }
      }
    }
  });

  it('given again after the withdrawal: the record goes on', () => {
    const again = withdrawn(memberAt('introduced'), { ...W, givenAt: new Date('2026-10-04T17:31:00Z') });
    expect(codes(checkTransition(again, 'record_branch_vote', VOTE, party, ASOF))).toEqual([]);
    // Given again, as the consent page writes it (the whole consent replaced, no withdrawnAt).
    const replaced = withdrawn(memberAt('introduced'), { version: '2026-01', givenAt: d('2026-11-01') });
    expect(codes(checkTransition(replaced, 'record_branch_vote', VOTE, party, ASOF))).toEqual([]);
  });

  it('never given is not withdrawn: the school’s record goes on as before', () => {
    expect(
      codes(
        checkTransition(withdrawn(memberAt('introduced'), null), 'record_branch_vote', VOTE, party, ASOF),
      ),
    ).toEqual([]);
    expect(
      codes(checkTransition(withdrawn(memberAt('introduced'), {}), 'record_branch_vote', VOTE, party, ASOF)),
    ).toEqual([]);
  });

  it('the tab shows the forms blocked with the reason; the ready queue lists it', () => {
    const m = withdrawn(memberAt('committee_review'), W);
    const blocks = stepBlocks(m, 'record_decision', actor('school_party', 'voter'));
    expect(blocks.map((b) => b.code)).toEqual(['consent_withdrawn', 'separation_of_duties']);
    expect(stepBlocks(m, 'withdraw', actor('school_party', 'x')).map((b) => b.code)).toEqual([
      'consent_withdrawn',
    ]);
    expect(stepBlocks(memberAt('committee_review'), 'withdraw', actor('school_party', 'x'))).toEqual([]);
    const ready = isReadyForNextStep(m, calendar, '2025-06-10');
    expect(ready.ready).toBe(false);
    expect(ready.reasons.map((x) => x.code)).toEqual(['consent_withdrawn']);
  });
});

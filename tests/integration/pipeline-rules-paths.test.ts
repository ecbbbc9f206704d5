/**
 * Issue 16, the admission machine's paths tried as a tester would, with real sign-ins and
 * the real actions (the candidate page and the bulk actions), each refused with its reason
 * and writing nothing:
 *
 * - separation of duties through return and resume: danguy.pvd records the committee
 *   review, returns the record, bithu.pvd resumes it, danguy.pvd tries the decision;
 * - chronology: a vote dated before the introduction; a vote dated the day before the
 *   personal history was verified (entered in the paper checklist); a bulk committee review
 *   dated before the vote;
 * - exits offered only when they apply; a stale tab posting a step no longer offered;
 * - a record whose student withdrew consent: every step refused, shown before trying.
 *
 * Dates are relative to today (Vietnam), so the run never depends on the calendar.
 */
import type { Types } from 'mongoose';
import { beforeAll, describe, expect, it } from 'vitest';
import { Member } from '../../models/member.ts';
import { Unit } from '../../models/unit.ts';
import { seedDatabase } from '../../seed/seed.server.ts';
import { formatDay } from '~/domain/calendar';
import { countOn, registerOf } from '~/domain/party-register';
import { action as boardAction } from '~/routes/pipeline._index';
import { action as readyAction, loader as readyLoader } from '~/routes/pipeline.ready';
import { loader } from '~/routes/members.$id.pipeline';
import { verifyAudit } from '~/utils/audit/audit-verify.server';
import { signIn } from '../fixtures/auth.ts';
import {
  TODAY,
  ago,
  type CandidatePool,
  type CandidateStage,
  candidateAt,
  candidatePool,
  memberState,
  pipelinePath,
  postStep,
  stored,
  userByEmail,
  yearsAgo,
} from '../fixtures/pipeline-candidates.ts';
import { call, get, postEntries } from '../fixtures/remix.ts';

let danguy: string;
let bithu: string;
let union: string;
let adminId: Types.ObjectId;
let pool: CandidatePool;

beforeAll(async () => {
  await seedDatabase({ members: 60, seed: 1, reset: true });
  [danguy, bithu, union] = await Promise.all(
    ['danguy.pvd@demo.vn', 'bithu.pvd@demo.vn', 'doantruong.pvd@demo.vn'].map((e) => signIn(e)),
  );
  pool = await candidatePool();
  adminId = pool.recorderId;
}, 60_000);

// ---------------------------------------------------------------- dates and records

/** dd/MM/yyyy, as the messages write it. */
const vn = (n: number) => formatDay(TODAY - n);

/**
 * A PVĐ member (never the demo student, each test its own) put at a stage with a
 * consistent history: application 60 days ago, personal history verified 50 days ago,
 * introduction 30, opinions (5-KNĐ) 25, chi bộ vote 20 days ago as its chi bộ's register
 * bears out (recorded by the admin account, so neither Party committee account is its
 * recorder). Consent given. `overrides` replace fields of the pipeline, `extra` of the member.
 */
const candidate = async (
  stage: CandidateStage,
  overrides: Record<string, unknown> = {},
  extra: Record<string, unknown> = {},
) => (await candidateAt(pool, stage, { pipeline: overrides, set: extra }))._id;

/**
 * The chi bộ a vote is posted in (the member's own, else the school's first) and its
 * register's count today, so a vote of that many yes is within it and passes 2/3.
 */
async function cellCount(id: Types.ObjectId): Promise<{ count: string; partyCellId: string }> {
  const m = (await Member.findById(id).select({ partyCellId: 1, schoolId: 1 }).lean())!;
  const cell = m.partyCellId
    ? await Unit.findById(m.partyCellId).lean()
    : await Unit.findOne({ kind: 'party_cell', schoolId: m.schoolId }).sort({ _id: 1 }).lean();
  const count = countOn(registerOf(cell!), new Date());
  return { count: String(count), partyCellId: String(cell!._id) };
}

/** The form of a unanimous chi bộ vote on `id` (the whole register, yes), meeting `n` days ago. */
async function unanimousVote(id: Types.ObjectId) {
  const { count, partyCellId } = await cellCount(id);
  return (n: number) => ({
    intent: 'record_branch_vote',
    meetingDate: ago(n),
    yes: count,
    no: '0',
    partyCellId,
  });
}

const load = (cookie: string, id: Types.ObjectId) =>
  call(loader, get(pipelinePath(id), cookie), { id: String(id) });

const codes = (res: { data: { reasons: { code: string }[] } }) => res.data.reasons.map((r) => r.code);
const vis = (res: { data: { reasons: { message: { vi: string } }[] } }) =>
  res.data.reasons.map((r) => r.message.vi);
type View = { id: string; blocked: { vi: string }[] };
const view = (page: { data: { transitions: View[] } }, id: string) =>
  page.data.transitions.find((t) => t.id === id);

const advance = (cookie: string, stepId: string, ids: string[], fields: Record<string, string>) =>
  call(
    readyAction,
    postEntries(
      '/pipeline/ready',
      [['step', stepId], ...Object.entries(fields), ...ids.map((i) => ['ids', i] as [string, string])],
      cookie,
    ),
  );
const readyQueue = (cookie: string, stepId: string) =>
  call(readyLoader, get(`/pipeline/ready?step=${stepId}`, cookie));
const queued = (
  queue: { data: { blocked: { id: string; reasons: { vi: string }[] }[] } },
  id: Types.ObjectId,
) => queue.data.blocked.find((r) => r.id === String(id));

const DECISION = (n: number) => ({
  intent: 'record_decision',
  decisionNo: '95-QĐ/ĐU',
  decisionDate: ago(n),
  issuer: 'Đảng ủy Trường Đại học Phạm Văn Đồng',
});

// ---------------------------------------------------------------- path 1

describe('separation of duties through return and resume (issue path 1)', () => {
  let id: Types.ObjectId;
  beforeAll(async () => {
    id = await candidate('branch_vote');
  });

  it('danguy records the review, returns the record, bithu resumes it', async () => {
    const review = await postStep(danguy, id, {
      intent: 'record_committee_review',
      resolutionNo: '61-NQ/ĐU',
      resolutionDate: ago(15),
    });
    expect(review).toHaveStatus(302);
    const back = await postStep(danguy, id, {
      intent: 'return_for_improvement',
      reason: 'Bổ sung bản tự kiểm điểm',
    });
    expect(back).toHaveStatus(302);
    const resumed = await postStep(bithu, id, { intent: 'resume', note: 'Đã bổ sung' });
    expect(resumed).toHaveStatus(302);
    const m = (await Member.findById(id).lean())!;
    expect(m.pipeline.stage).toBe('committee_review');
    // The latest committee_review entry is bithu's resume: what the old rule looked at.
    const bithuId = (await userByEmail('bithu.pvd@demo.vn'))._id;
    expect(String(m.pipeline.history.at(-1)!.by)).toBe(String(bithuId));
  });

  it('danguy sees the decision disabled with the reason before trying', async () => {
    const page = await load(danguy, id);
    expect(view(page, 'record_decision')!.blocked.map((b) => b.vi)).toEqual([
      'Bạn đã ghi nhận nghị quyết của đảng ủy nên không thể ghi nhận bước này; người khác trong đảng ủy cần ghi nhận.',
    ]);
    // The one who only resumed is not blocked.
    expect(view(await load(bithu, id), 'record_decision')!.blocked).toEqual([]);
  });

  it('danguy’s decision is refused with its reason, on the page and in bulk, writing nothing', async () => {
    const before = await memberState(id);
    const res = await postStep(danguy, id, DECISION(5));
    expect(res).toHaveStatus(400);
    expect(codes(res)).toEqual(['separation_of_duties']);
    expect(vis(res)).toEqual(['Người đã ghi nhận nghị quyết của đảng ủy không được ghi nhận quyết định này']);
    expect(await memberState(id)).toEqual(before);

    // The ready queue shows it blocked for danguy, with the same reason; the bulk refuses it.
    const queue = await readyQueue(danguy, 'record_decision');
    expect(queued(queue, id)?.reasons.map((r) => r.vi)).toContain(
      'Bạn đã ghi nhận nghị quyết của đảng ủy nên không thể ghi nhận bước này; người khác trong đảng ủy cần ghi nhận.',
    );
    const { intent: _intent, ...fields } = DECISION(5);
    const bulk = await advance(danguy, 'record_decision', [String(id)], fields);
    expect(bulk).toHaveStatus(400);
    expect(bulk.data.refused[0].reasons.map((r: { vi: string }) => r.vi)).toEqual([
      'Người đã ghi nhận nghị quyết của đảng ủy không được ghi nhận quyết định này',
    ]);
    expect(await memberState(id)).toEqual(before);
  });

  it('bithu records the decision', async () => {
    const res = await postStep(bithu, id, DECISION(5));
    expect(res).toHaveStatus(302);
    expect((await memberState(id)).stage).toBe('decision');
  });
});

// ---------------------------------------------------------------- path 3

describe('chronology (issue path 3)', () => {
  it('a vote dated before the introduction is refused with both dates; on the day it goes through', async () => {
    const id = await candidate('introduced');
    const vote = await unanimousVote(id);
    const before = await memberState(id);
    const early = await postStep(danguy, id, vote(31));
    expect(early).toHaveStatus(400);
    // Every reason at once: before the introduction, and before the opinions came in.
    expect(codes(early)).toEqual(['date_out_of_order', 'date_out_of_order']);
    expect(early.data.reasons[0]).toMatchObject({
      field: 'meetingDate',
      message: {
        vi: `Ngày họp chi bộ (${vn(31)}) không được trước ngày giới thiệu (3-KNĐ, 4-KNĐ) (${vn(30)})`,
      },
    });
    expect(await memberState(id)).toEqual(before);

    // After the introduction but before the opinions (5-KNĐ) came in.
    const beforeOpinions = await postStep(danguy, id, vote(26));
    expect(vis(beforeOpinions)).toEqual([
      `Ngày họp chi bộ (${vn(26)}) không được trước ngày nhận tổng hợp ý kiến nhận xét của chi ủy nơi cư trú và đoàn thể (5-KNĐ) (${vn(25)})`,
    ]);

    expect((await postStep(danguy, id, vote(25))).status).toBe(302);
  });

  it('a vote the day before the verification: the order with both dates, not "not verified"', async () => {
    // Opened with the verification pending; the verification is entered later in the checklist,
    // dated before the introduction (18 days ago) as the chronology requires.
    const id = await candidate('introduced', {
      personalHistory: { receivedAt: stored(58), verification: 'pending' },
      stageSince: stored(18),
      history: [
        { stage: 'outstanding', at: stored(200), by: adminId, refDate: stored(200) },
        { stage: 'awareness_class', at: stored(150), by: adminId, refDate: stored(150) },
        { stage: 'dossier', at: stored(60), by: adminId, refDate: stored(60) },
        { stage: 'introduced', at: stored(18), by: adminId, refDate: stored(18) },
      ],
    });
    const vote = await unanimousVote(id);
    // Not verified at all: that is the reason.
    const unverified = await postStep(danguy, id, vote(17));
    expect(vis(unverified)).toEqual(['Lý lịch (2-KNĐ) chưa được thẩm tra, kết luận']);

    const paper = await postStep(union, id, { intent: 'dossier', 'verifiedAt.2': ago(20) });
    expect(paper).toHaveStatus(302);
    const before = await memberState(id);
    const early = await postStep(danguy, id, vote(21));
    expect(early).toHaveStatus(400);
    // The real reasons with both dates each: before the introduction and before the
    // verification — never "not verified", and no conflict (the data itself is in order).
    expect(codes(early)).toEqual(['date_out_of_order', 'date_out_of_order']);
    expect(vis(early)).toEqual([
      `Ngày họp chi bộ (${vn(21)}) không được trước ngày thẩm tra lý lịch (2-KNĐ) (${vn(20)})`,
      `Ngày họp chi bộ (${vn(21)}) không được trước ngày giới thiệu (3-KNĐ, 4-KNĐ) (${vn(18)})`,
    ]);
    expect(await memberState(id)).toEqual(before);
    // The verification entered in the checklist counts: a vote on the introduction's day goes through.
    expect((await postStep(danguy, id, vote(18))).status).toBe(302);
  });

  it('a bulk committee review dated before the vote is refused, naming both dates', async () => {
    const id = await candidate('branch_vote');
    const before = await memberState(id);
    const res = await advance(danguy, 'record_committee_review', [String(id)], {
      resolutionNo: '70-NQ/ĐU',
      resolutionDate: ago(21),
    });
    expect(res).toHaveStatus(400);
    expect(res.data.refused).toHaveLength(1);
    expect(res.data.refused[0].reasons.map((r: { vi: string }) => r.vi)).toEqual([
      `Ngày nghị quyết (${vn(21)}) không được trước ngày chi bộ họp xét kết nạp (${vn(20)})`,
    ]);
    expect(await memberState(id)).toEqual(before);
  });
});

// ---------------------------------------------------------------- forms on the page

describe('exits and steps offered only when they can apply', () => {
  it('"Hết tuổi đoàn" is not offered to a 17-year-old; it is to a 31-year-old', async () => {
    const young = await candidate('outstanding', {}, { dateOfBirth: yearsAgo(17, 10) });
    const ids = (await load(union, young)).data.transitions.map((t: View) => t.id);
    expect(ids).not.toContain('age_out');
    expect(ids).toContain('withdraw');
    // Posted anyway (a crafted or stale form): refused with the reason, shown on the page.
    const before = await memberState(young);
    const res = await postStep(union, young, { intent: 'age_out', reason: 'Hết tuổi đoàn' });
    expect(res).toHaveStatus(400);
    expect(codes(res)).toEqual(['not_aged_out']);
    expect(res.data.label.vi).toBe('Hết tuổi đoàn');
    expect(await memberState(young)).toEqual(before);

    const old = await candidate('outstanding', {}, { dateOfBirth: yearsAgo(31) });
    expect((await load(union, old)).data.transitions.map((t: View) => t.id)).toContain('age_out');
  });

  it('a stale tab posting a step no longer offered gets a 400 with the reason and the step’s name', async () => {
    const id = await candidate('outstanding');
    expect((await load(danguy, id)).data.transitions.map((t: View) => t.id)).not.toContain(
      'record_branch_vote',
    );
    const before = await memberState(id);
    const res = await postStep(danguy, id, {
      intent: 'record_branch_vote',
      meetingDate: ago(1),
      yes: '8',
      no: '0',
    });
    expect(res).toHaveStatus(400);
    expect(res.data.label).toEqual({ vi: 'Ghi nhận biểu quyết của chi bộ', en: 'Record the chi bộ vote' });
    expect(vis(res)).toContain(
      'Không thể "Ghi nhận biểu quyết của chi bộ" khi hồ sơ đang ở bước "Đoàn viên ưu tú"',
    );
    // The Union's step posted by the Party committee: the role is the reason.
    const union = await postStep(danguy, id, { intent: 'age_out', reason: 'x' });
    expect(codes(union)).toContain('role_not_allowed');
    expect(await memberState(id)).toEqual(before);
  });
});

// ---------------------------------------------------------------- path 6 (the machine's share)

describe('withdrawn consent pauses every step (issue path 6)', () => {
  let id: Types.ObjectId;
  // 18:00 UTC on 10/11/2026 is 01:00 on 11/11/2026 in Vietnam.
  const withdrawnAt = new Date('2026-11-10T18:00:00Z');
  const REASON =
    'Đoàn viên đã rút lại sự đồng ý xử lý dữ liệu cá nhân ngày 11/11/2026. Theo Luật Bảo vệ dữ liệu cá nhân (Luật số 91/2025/QH15), hồ sơ tạm dừng xử lý cho đến khi đoàn viên đồng ý lại.';

  beforeAll(async () => {
    id = await candidate(
      'branch_vote',
      {},
      { consent: { version: '2026-01', givenAt: stored(300), withdrawnAt } },
    );
  });

  it('shows every step blocked with the reason and its date', async () => {
    const page = await load(danguy, id);
    expect(page.data.transitions.length).toBeGreaterThan(0);
    for (const t of page.data.transitions as View[])
      expect(
        t.blocked.map((b) => b.vi),
        t.id,
      ).toContain(REASON);
  });

  it('refuses a step, a bulk step and a bulk return, writing nothing; the queue says why', async () => {
    const before = await memberState(id);
    const single = await postStep(bithu, id, {
      intent: 'record_committee_review',
      resolutionNo: '72-NQ/ĐU',
      resolutionDate: ago(2),
    });
    expect(single).toHaveStatus(400);
    expect(codes(single)).toEqual(['consent_withdrawn']);
    expect(vis(single)).toEqual([REASON]);

    const bulk = await advance(bithu, 'record_committee_review', [String(id)], {
      resolutionNo: '72-NQ/ĐU',
      resolutionDate: ago(2),
    });
    expect(bulk).toHaveStatus(400);
    expect(bulk.data.refused[0].reasons.map((r: { vi: string }) => r.vi)).toEqual([REASON]);

    const back = await call(
      boardAction,
      postEntries(
        '/pipeline?stage=branch_vote',
        [
          ['intent', 'return'],
          ['reason', 'Bổ sung'],
          ['ids', String(id)],
        ],
        danguy,
      ),
    );
    expect(back).toHaveStatus(400);
    expect(back.data.refused[0].reasons.map((r: { vi: string }) => r.vi)).toEqual([REASON]);
    expect(await memberState(id)).toEqual(before);

    expect(queued(await readyQueue(bithu, 'record_committee_review'), id)?.reasons.map((r) => r.vi)).toEqual([
      REASON,
    ]);
  });

  it('goes on once consent is given again', async () => {
    await Member.updateOne({ _id: id }, { $set: { consent: { version: '2026-01', givenAt: new Date() } } });
    expect(view(await load(danguy, id), 'record_committee_review')!.blocked).toEqual([]);
    const res = await postStep(bithu, id, {
      intent: 'record_committee_review',
      resolutionNo: '72-NQ/ĐU',
      resolutionDate: ago(2),
    });
    expect(res).toHaveStatus(302);
  });
});

describe('the audit log', () => {
  it('has no gaps after these flows', async () => {
    expect((await verifyAudit()).gaps).toEqual([]);
  });
});

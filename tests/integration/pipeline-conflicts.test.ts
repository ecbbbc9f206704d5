/**
 * Issue 16, path 4: data a recorded step relied on does not change silently. The tester's
 * path with real sign-ins and the real actions: after the chi bộ vote the date of birth is
 * edited so the candidate was under 18 on the meeting date; the save says what it broke, the
 * record carries the conflict, the committee review is refused with the reason and writes
 * nothing; the user who made the edit cannot override it, a different user with a reason
 * can (audited, version bumped); correcting the date of birth clears it. A chi bộ register
 * change that breaks a past vote flags it. Authorization of the override. No audit gaps.
 */
import mongoose, { type Types } from 'mongoose';
import { beforeAll, describe, expect, it } from 'vitest';
import { AuditEvent } from '../../models/audit-event.ts';
import { Member } from '../../models/member.ts';
import { Unit } from '../../models/unit.ts';
import { seedDatabase } from '../../seed/seed.server.ts';
import { formatDay } from '~/domain/calendar';
import { action as editAction, loader as editLoader } from '~/routes/members.$id.edit';
import { loader } from '~/routes/members.$id.pipeline';
import { action as cellsAction } from '~/routes/school.party-cells';
import { verifyAudit } from '~/utils/audit/audit-verify.server';
import { signIn } from '../fixtures/auth.ts';
import {
  TODAY,
  ago,
  bornBefore,
  candidateAt,
  candidatePool,
  type CandidatePool,
  memberState,
  pipelinePath,
  postPipeline,
  postStep,
} from '../fixtures/pipeline-candidates.ts';
import { call, get, post } from '../fixtures/remix.ts';

let union: string;
let danguy: string;
let bithu: string;
let province: string;
let pool: CandidatePool;
let pvd: Types.ObjectId;

beforeAll(async () => {
  await seedDatabase({ members: 40, seed: 1, reset: true });
  [union, danguy, bithu, province] = await Promise.all(
    ['doantruong.pvd@demo.vn', 'danguy.pvd@demo.vn', 'bithu.pvd@demo.vn', 'tinhdoan@demo.vn'].map((e) =>
      signIn(e),
    ),
  );
  pool = await candidatePool();
  pvd = pool.school._id;
}, 60_000);

/**
 * A PVĐ member at 'branch_vote': a consistent record, vote 20 days ago (8 of 9, by the admin).
 * No chi bộ unless given: the vote is judged on its stored count.
 */
const candidate = async (set: Record<string, unknown> = {}) =>
  (await candidateAt(pool, 'branch_vote', { vote: 'no-cell', set }))._id;

const conflictsOf = async (id: Types.ObjectId) => {
  const m = (await Member.findById(id).select({ pipeline: 1 }).lean())!;
  const p = m.pipeline as unknown as {
    conflicts?: { step: string; code: string; message: { vi: string } }[];
    openConflicts?: number;
    conflictOverride?: { reason: string; by: Types.ObjectId } | null;
  };
  return p;
};

/** Saves the member's identity form with a new date of birth, as the edit page posts it. */
async function editBirth(cookie: string, id: Types.ObjectId, dateOfBirth: string) {
  const form = await call(editLoader, get(`/members/${id}/edit`, cookie), { id: String(id) });
  const { values, version } = (form.data as { member: { values: Record<string, string>; version: number } })
    .member;
  return call(
    editAction,
    post(`/members/${id}/edit`, { intent: 'save', ...values, dateOfBirth, version: String(version) }, cookie),
    { id: String(id) },
  );
}

const REVIEW = { intent: 'record_committee_review', resolutionNo: '40-NQ/ĐU', resolutionDate: ago(5) };

describe('the date of birth edited after the vote (issue path 4)', () => {
  let id: Types.ObjectId;
  // 18 years old one day after the meeting: under 18 on the meeting date.
  const under = () => bornBefore(20, 18, 1);
  beforeAll(async () => {
    id = await candidate();
  });

  it('the save says what it broke, and the record carries the conflict', async () => {
    const before = await memberState(id);
    const res = await editBirth(union, id, under());
    expect(res).toHaveStatus(302);
    expect(res.location).toContain(`/members/${id}?ok=memberSavedConflict&broke=`);
    expect(decodeURIComponent(res.location!)).toContain('record_branch_vote:age_below_min');
    const p = await conflictsOf(id);
    expect(p.conflicts?.map((c) => `${c.step}:${c.code}`)).toEqual(['record_branch_vote:age_below_min']);
    expect(p.conflicts?.[0].message.vi).toContain(
      `Chưa đủ 18 tuổi vào ngày ${formatDay(TODAY - 20)} (17 năm 11 tháng)`,
    );
    expect(p.openConflicts).toBe(1);
    // The derived field bumps nothing: the edit itself is one version and one event.
    const after = await memberState(id);
    expect(after.version).toBe(before.version + 1);
    expect(after.audits).toBe(before.audits + 1);
  });

  it('the tab shows it, with the next step blocked by it', async () => {
    const page = await call(loader, get(pipelinePath(id), danguy), { id: String(id) });
    const d = page.data as {
      conflicts: { open: number; canOverride: boolean; list: { message: { vi: string } }[] };
      transitions: { id: string; blocked: { vi: string }[] }[];
    };
    expect(d.conflicts.open).toBe(1);
    expect(d.conflicts.canOverride).toBe(true);
    const review = d.transitions.find((t) => t.id === 'record_committee_review')!;
    expect(review.blocked.map((b) => b.vi).join(' ')).toContain('Xung đột quy tắc');
  });

  it('the committee review is refused with the reason and writes nothing', async () => {
    const before = await memberState(id);
    const res = await postStep(danguy, id, REVIEW);
    expect(res).toHaveStatus(400);
    const reasons = (res.data as { reasons: { code: string; message: { vi: string } }[] }).reasons;
    expect(reasons.map((r) => r.code)).toEqual(['rule_conflict']);
    expect(reasons[0].message.vi).toContain('Xung đột quy tắc');
    expect(reasons[0].message.vi).toContain('Chưa đủ 18 tuổi');
    expect(await memberState(id)).toEqual(before);
  });

  it('the user who made the edit cannot override it; a short reason is refused; nothing written', async () => {
    const before = await memberState(id);
    const reason = 'Đã kiểm tra giấy khai sinh bản gốc, ngày sinh đúng như cũ.';
    const own = await postStep(union, id, { intent: 'conflict_override', reason });
    expect(own).toHaveStatus(403);
    expect((own.data as { error: { vi: string } }).error.vi).toContain('Bạn đã thực hiện thay đổi');
    const short = await postStep(danguy, id, { intent: 'conflict_override', reason: 'ok' });
    expect(short).toHaveStatus(400);
    expect(await memberState(id)).toEqual(before);
  });

  it('the province (no pipeline rights on the school side) gets 403; another school’s member is 404', async () => {
    const reason = 'Tỉnh đoàn đồng ý cho tiếp tục xét hồ sơ này.';
    expect((await postStep(province, id, { intent: 'conflict_override', reason })).status).toBe(403);
    const foreign = (await Member.findOne({ schoolId: mongoose.trusted({ $ne: pvd }) }).lean())!;
    const res = await postPipeline(danguy, foreign._id, {
      intent: 'conflict_override',
      reason,
      version: String(foreign.__v ?? 0),
    });
    expect(res).toHaveStatus(404);
  });

  it('a different user records a reason: audited with the version, and the review then goes ahead', async () => {
    const before = await memberState(id);
    const reason = 'Đảng ủy đã đối chiếu hồ sơ gốc; giữ kết quả biểu quyết, sẽ sửa ngày sinh sau.';
    const res = await postStep(danguy, id, { intent: 'conflict_override', reason });
    expect(res).toRedirectTo(`${pipelinePath(id)}`, { toast: 'pipelineConflictOverridden' });
    const after = await memberState(id);
    expect(after.version).toBe(before.version + 1);
    const event = (await AuditEvent.findOne({ entityId: id, action: 'pipeline.conflict_override' }).lean())!;
    expect(event.details).toMatchObject({ reason, version: after.version });
    const p = await conflictsOf(id);
    expect(p.openConflicts).toBe(0);
    expect(p.conflictOverride?.reason).toBe(reason);
    // Not the vote's recorder (the admin): the review is recorded.
    const review = await postStep(bithu, id, REVIEW);
    expect(review).toHaveStatus(302);
    expect((await memberState(id)).stage).toBe('committee_review');
  });
});

describe('correcting the date of birth clears the conflict', () => {
  it('edit → conflict → corrected → none, and the review goes ahead', async () => {
    const id = await candidate();
    expect((await editBirth(union, id, bornBefore(20, 18, 1))).status).toBe(302);
    expect((await conflictsOf(id)).openConflicts).toBe(1);
    // Exactly 18 on the meeting date: the vote holds again.
    const fixed = await editBirth(union, id, bornBefore(20, 18));
    expect(fixed.location).toBe(`/members/${id}?ok=memberSaved`);
    const p = await conflictsOf(id);
    expect(p.conflicts).toBeUndefined();
    expect(p.openConflicts).toBeUndefined();
    expect((await postStep(danguy, id, REVIEW)).status).toBe(302);
  });
});

describe('a chi bộ register change that breaks a past vote', () => {
  it('flags the vote (8 yes of the 14 in force on the meeting date), attributed to the register’s editor', async () => {
    const cell = (await Unit.findOne({ kind: 'party_cell', schoolId: pvd, active: true }).lean())!;
    const id = await candidate({ partyCellId: cell._id });
    expect((await conflictsOf(id)).conflicts).toBeUndefined();
    const before = await memberState(id);
    const res = await call(
      cellsAction,
      post(
        '/school/party-cells',
        { cellId: String(cell._id), count: '14', from: ago(40), reason: 'Rà soát lại sổ đảng viên' },
        danguy,
      ),
    );
    expect(res).toHaveStatus(302);
    const p = await conflictsOf(id);
    expect(p.conflicts?.map((c) => `${c.step}:${c.code}`)).toEqual(['record_branch_vote:vote_threshold']);
    expect(p.conflicts?.[0].message.vi).toContain('8/14');
    // A derived field: the member's version and events are unchanged (the unit has the event).
    expect(await memberState(id)).toEqual(before);
    // danguy changed the register: someone else must override.
    const own = await postStep(danguy, id, {
      intent: 'conflict_override',
      reason: 'Sổ đảng viên ghi sai, sẽ sửa lại.',
    });
    expect(own).toHaveStatus(403);
    expect((await postStep(bithu, id, REVIEW)).status).toBe(400);
  });
});

describe('the audit log', () => {
  it('has no gaps after these flows', async () => {
    expect((await verifyAudit()).gaps).toEqual([]);
  });
});

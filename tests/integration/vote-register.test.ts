/**
 * Votes against the chi bộ's register, through the real route (issue 16, path 2): the
 * tester's case (a cell registered with 16 passes nobody with "2 yes of 3") is refused with
 * the reason and writes nothing (no member change, no audit event); the same vote with the
 * register at 3 from a day before the meeting passes and is stored with the register's count
 * and the cell, which then follows the member; another school's cell, or a unit that is no
 * cell, is a 400 beside partyCellId, nothing written; the form shows the cells with their
 * registers; the audit chain has no gaps.
 */
import mongoose, { type Types } from 'mongoose';
import { beforeAll, describe, expect, it } from 'vitest';
import { AuditEvent } from '../../models/audit-event.ts';
import { Member } from '../../models/member.ts';
import { Unit } from '../../models/unit.ts';
import { seedDatabase } from '../../seed/seed.server.ts';
import { dayNumber, formatDay } from '~/domain/calendar';
import { registerOf } from '~/domain/party-register';
import { effectiveVote } from '~/domain/pipeline';
import { loader } from '~/routes/members.$id.pipeline';
import { verifyAudit } from '~/utils/audit/audit-verify.server';
import { signIn } from '../fixtures/auth.ts';
import {
  TODAY,
  ago,
  candidateAt,
  candidatePool,
  type CandidatePool,
  pipelinePath,
  postStep,
  stored,
} from '../fixtures/pipeline-candidates.ts';
import { call, get } from '../fixtures/remix.ts';

let danguy: string;
let pvd: { _id: Types.ObjectId; ancestors: Types.ObjectId[] };
let pool: CandidatePool;

beforeAll(async () => {
  await seedDatabase({ members: 60, seed: 1, reset: true });
  danguy = await signIn('danguy.pvd@demo.vn');
  pool = await candidatePool();
  pvd = pool.school;
}, 60_000);

/** A PVĐ chi bộ with the given register entries (count, days ago it took effect). */
async function cellWith(code: string, entries: [number, number][]) {
  const cell = await Unit.create({
    name: `Chi bộ sinh viên ${code}`,
    code: `PVD-CB-${code}`,
    kind: 'party_cell',
    parentId: pvd._id,
    ancestors: [...pvd.ancestors, pvd._id],
    schoolId: pvd._id,
    officialMembers: entries.map(([count, from]) => ({
      count,
      from: stored(from),
      reason: 'x',
      at: new Date(),
    })),
    officialMemberCount: entries.at(-1)![0],
  });
  return String(cell._id);
}

/** A PVĐ candidate introduced 30 days ago with everything the vote needs on file. */
const candidate = async () => (await candidateAt(pool, 'introduced'))._id;

async function snapshot(id: Types.ObjectId) {
  const m = (await Member.findById(id).lean())!;
  return { member: JSON.stringify(m), audits: await AuditEvent.countDocuments({ entityId: id }) };
}
/** Posts the chi bộ vote (meeting 20 days ago unless given) with the record's version, as danguy.pvd. */
const vote = (id: Types.ObjectId, fields: Record<string, string>) =>
  postStep(danguy, id, { intent: 'record_branch_vote', meetingDate: ago(20), ...fields });
type Reason = { code: string; field: string | null; message: { vi: string; en: string } };

describe('the chi bộ vote judged against the register', () => {
  it('the seed: every stored vote was taken in a cell of its school whose register makes it valid', async () => {
    const voted = await Member.find({
      'pipeline.branchVote.meetingDate': mongoose.trusted({ $exists: true }),
    })
      .select({ partyCellId: 1, schoolId: 1, pipeline: 1 })
      .lean();
    expect(voted.length).toBeGreaterThan(0);
    for (const m of voted) {
      const cell = (await Unit.findOne({
        _id: m.partyCellId,
        kind: 'party_cell',
        schoolId: m.schoolId,
      }).lean())!;
      expect(cell).not.toBeNull();
      const v = m.pipeline.branchVote!;
      const judged = effectiveVote(
        { cell: { id: String(cell._id), name: cell.name, register: registerOf(cell) } },
        {
          meetingDate: dayNumber(v.meetingDate!),
          yes: v.yes!,
          no: v.no,
          officialMemberCount: v.officialMemberCount,
        },
        { requirePass: m.pipeline.stage !== 'not_admitted' },
      );
      expect(judged.reasons).toEqual([]);
    }
  });

  it('the tester’s case: 16 registered, "2 yes of 3" is refused with the reason and writes nothing', async () => {
    const cell = await cellWith('R16', [[16, 400]]);
    const id = await candidate();
    const before = await snapshot(id);
    const res = await vote(id, { yes: '2', no: '1', partyCellId: cell });
    expect(res).toHaveStatus(400);
    expect(res.data.reasons).toEqual([
      {
        code: 'vote_threshold',
        field: 'yes',
        message: {
          vi: `2/16 đảng viên chính thức tán thành, cần ít nhất 11 (2/3 số đảng viên chính thức của Chi bộ sinh viên R16 vào ngày họp ${formatDay(TODAY - 20)})`,
          en: expect.stringContaining('at least 11'),
        },
      },
    ]);
    // Typing the 3 does not help: the register disagrees, both numbers named.
    const typed = await vote(id, { yes: '2', no: '1', officialMemberCount: '3', partyCellId: cell });
    expect(typed).toHaveStatus(400);
    expect(typed.data.reasons.map((r: Reason) => [r.code, r.field])).toEqual([
      ['register_mismatch', 'officialMemberCount'],
    ]);
    expect(typed.data.reasons[0].message.vi).toContain('(3)');
    expect(typed.data.reasons[0].message.vi).toContain('có 16 đảng viên chính thức');
    expect(await snapshot(id)).toEqual(before);
  });

  it('with the register at 3 from the day before the meeting it passes, stored with the register’s count and cell', async () => {
    const cell = await cellWith('R3', [
      [16, 400],
      [3, 21],
    ]);
    const id = await candidate();
    const res = await vote(id, { yes: '2', no: '1', resolutionNo: '7-NQ/CB', partyCellId: cell });
    expect(res).toHaveStatus(302);
    const m = (await Member.findById(id).lean())!;
    expect(m.pipeline.stage).toBe('branch_vote');
    expect(m.pipeline.branchVote).toMatchObject({ yes: 2, no: 1, officialMemberCount: 3 });
    expect(String(m.pipeline.branchVote!.partyCellId)).toBe(cell);
    expect(String(m.partyCellId)).toBe(cell);
    expect(m.pipeline.history.at(-1)!.note).toContain('2/3 đảng viên chính thức');
    const audit = await AuditEvent.findOne({ entityId: id, action: 'pipeline.record_branch_vote' }).lean();
    expect(audit?.details).toMatchObject({ from: 'introduced', to: 'branch_vote', version: m.__v });
  });

  it('a change dated the day after the meeting does not count; no entry on the day is register_missing', async () => {
    const later = await cellWith('RL', [
      [16, 400],
      [3, 19],
    ]);
    const id = await candidate();
    const before = await snapshot(id);
    const res = await vote(id, { yes: '2', no: '1', partyCellId: later });
    expect(res.data.reasons.map((r: Reason) => r.code)).toEqual(['vote_threshold']);
    const none = await cellWith('RN', [[9, 10]]);
    const missing = await vote(id, { yes: '7', no: '0', partyCellId: none });
    expect(missing).toHaveStatus(400);
    expect(missing.data.reasons).toEqual([
      {
        code: 'register_missing',
        field: 'partyCellId',
        message: {
          vi: `Chi bộ sinh viên RN chưa có số đảng viên chính thức vào ngày họp ${formatDay(TODAY - 20)}; ghi ở Sổ đảng viên chi bộ`,
          en: expect.any(String),
        },
      },
    ]);
    expect(await snapshot(id)).toEqual(before);
  });

  it('another school’s cell, a unit that is no cell, or none: 400 beside partyCellId, nothing written', async () => {
    const id = await candidate();
    const before = await snapshot(id);
    const foreign = (await Unit.findOne({
      kind: 'party_cell',
      schoolId: mongoose.trusted({ $ne: pvd._id }),
    }).lean())!;
    const branch = (await Unit.findOne({ kind: 'branch', schoolId: pvd._id }).lean())!;
    for (const partyCellId of [String(foreign._id), String(branch._id), 'not-an-id']) {
      const res = await vote(id, { yes: '7', no: '0', partyCellId });
      expect(res).toHaveStatus(400);
      expect(res.data.reasons.map((r: Reason) => [r.code, r.field])).toEqual([
        ['invalid_input', 'partyCellId'],
      ]);
      expect(res.data.reasons[0].message.vi).toContain('không phải một chi bộ của trường');
    }
    // Without a cell of its own and none chosen: asked to choose one; the other reasons alongside.
    await Member.updateOne({ _id: id }, { $set: { partyCellId: null } });
    const blank = await vote(id, { yes: '7', no: '0', meetingDate: '2099-01-01' });
    expect(blank).toHaveStatus(400);
    expect(blank.data.reasons.map((r: Reason) => [r.code, r.field])).toEqual(
      expect.arrayContaining([
        ['date_in_future', 'meetingDate'],
        ['invalid_input', 'partyCellId'],
      ]),
    );
    const after = await snapshot(id);
    expect(after.audits).toBe(before.audits);
    expect(JSON.parse(after.member).pipeline).toEqual(JSON.parse(before.member).pipeline);
  });

  it('the form offers the school’s cells with their registers and the member’s own by default, no typed count', async () => {
    const cell = await cellWith('RF', [[12, 400]]);
    const id = await candidate();
    await Member.updateOne({ _id: id }, { $set: { partyCellId: new mongoose.Types.ObjectId(cell) } });
    const page = await call(loader, get(pipelinePath(id), danguy), { id: String(id) });
    const tr = page.data.transitions.find((t: { id: string }) => t.id === 'record_branch_vote');
    expect(tr.fields.map((f: { name: string }) => f.name)).not.toContain('officialMemberCount');
    expect(tr.fields.find((f: { name: string }) => f.name === 'partyCellId')).toMatchObject({ kind: 'cell' });
    expect(tr.cellDefault).toBe(cell);
    const ours = tr.cells.find((c: { id: string }) => c.id === cell);
    expect(ours.register).toEqual([{ count: 12, from: ago(400) }]);
    const schools = await Unit.find({
      _id: mongoose.trusted({ $in: tr.cells.map((c: { id: string }) => c.id) }),
    })
      .select({ schoolId: 1, kind: 1 })
      .lean();
    expect(schools).not.toHaveLength(0);
    for (const u of schools) expect([String(u.schoolId), u.kind]).toEqual([String(pvd._id), 'party_cell']);
  });

  it('leaves the audit chain without gaps', async () => {
    expect((await verifyAudit()).gaps).toEqual([]);
  });
});

/**
 * The member's "Quy trình" tab: the state machine's steps recorded through the route's
 * action (one scoped, versioned update + an audit event), refusals with every reason and
 * nothing written, scope (404), roles (400 from the machine, 403 for students) and
 * concurrent edits (409). Uses the seeded demo student, Huỳnh Thị Thanh Trúc, at 'dossier'.
 */
import type { Types } from 'mongoose';
import mongoose from 'mongoose';
import { beforeAll, describe, expect, it } from 'vitest';
import { AuditEvent } from '../../models/audit-event.ts';
import { Member } from '../../models/member.ts';
import { Unit } from '../../models/unit.ts';
import { User } from '../../models/user.ts';
import { seedDatabase } from '../../seed/seed.server.ts';
import { loader as layoutLoader } from '~/routes/members.$id';
import { action, loader } from '~/routes/members.$id.pipeline';
import { signIn } from '../fixtures/auth.ts';
import { call, get, post } from '../fixtures/remix.ts';

let party: string;
let union: string;
let student: string;
let memberId: Types.ObjectId;
let foreignId: Types.ObjectId;

beforeAll(async () => {
  await seedDatabase({ members: 60, seed: 1, reset: true });
  party = await signIn('danguy.pvd@demo.vn');
  union = await signIn('doantruong.pvd@demo.vn');
  student = await signIn('sinhvien@demo.vn');
  const demo = (await User.findOne({ email: 'sinhvien@demo.vn' }).lean())!;
  memberId = demo.memberId as Types.ObjectId;
  const pvd = (await Unit.findOne({ code: 'PVD' }).lean())!;
  foreignId = (await Member.findOne({ schoolId: mongoose.trusted({ $ne: pvd._id }) }).lean())!._id;
});

const path = (id: Types.ObjectId = memberId) => `/members/${id}/pipeline`;
const load = (cookie = party, id = memberId) => call(loader, get(path(id), cookie), { id: String(id) });
const submit = (fields: Record<string, string>, cookie = party, id = memberId) =>
  call(action, post(path(id), fields, cookie), { id: String(id) });

async function snapshot(id = memberId) {
  const m = (await Member.findById(id).select({ __v: 1, pipeline: 1 }).lean())!;
  const audits = await AuditEvent.countDocuments({ entityId: id });
  return { version: m.__v ?? 0, stage: m.pipeline.stage, history: m.pipeline.history.length, audits };
}

const INTRODUCTION = {
  intent: 'record_introduction',
  introducedAt: '2026-11-16',
  'introducers.0.name': 'Ban Chấp hành Đoàn trường',
  'introducers.0.kind': 'union',
  'introducers.0.refNo': '45-NQ/ĐTN',
  'introducers.1.name': 'Trần Văn Minh',
  'introducers.1.kind': 'party_member',
  'introducers.1.official': 'on',
  'introducers.1.monthsTogether': '14',
};

describe('member pipeline tab', () => {
  it('is listed among the member sections and shows the candidate at the dossier stage', async () => {
    const layout = await call(layoutLoader, get(`/members/${memberId}`, party), { id: String(memberId) });
    expect(layout.data.sections.map((s: { to: string }) => s.to)).toContain('pipeline');

    const res = await load();
    expect(res.status).toBe(200);
    expect(res.data.stage).toBe('dossier');
    expect(res.data.nextActor).toBe('school_union');
    expect(res.data.history.length).toBeGreaterThan(0);
    expect(res.data.history[0].stage).toBe('dossier');
    expect(res.data.dossier.find((d: { form: string }) => d.form === '2-KNĐ').verifiedAt).not.toBe('');
    const ids = res.data.transitions.map((t: { id: string }) => t.id);
    expect(ids).toContain('record_introduction');
    const intro = res.data.transitions.find((t: { id: string }) => t.id === 'record_introduction');
    expect(intro.fields.find((f: { name: string }) => f.name === 'introducedAt')).toMatchObject({
      kind: 'date',
      required: true,
    });
    expect(intro.rows.fields.map((f: { name: string }) => f.name)).toContain('monthsTogether');
  });

  it('records a valid step: stage, history entry with the recorder, audit event', async () => {
    const before = await snapshot();
    const res = await submit({ ...INTRODUCTION, version: String(before.version) });
    expect(res.status).toBe(302);
    expect(res.location).toBe(`${path()}?ok=pipelineRecorded`);

    const after = await snapshot();
    expect(after).toMatchObject({
      stage: 'introduced',
      version: before.version + 1,
      history: before.history + 1,
    });
    const m = (await Member.findById(memberId).lean())!;
    const entry = m.pipeline.history.at(-1)!;
    expect(entry).toMatchObject({ stage: 'introduced', refNo: '45-NQ/ĐTN' });
    expect(entry.refDate?.toISOString().slice(0, 10)).toBe('2026-11-16');
    expect(m.pipeline.introducers).toHaveLength(2);

    const audit = (await AuditEvent.findOne({
      entityId: memberId,
      action: 'pipeline.record_introduction',
    }).lean())!;
    const danguy = (await User.findOne({ email: 'danguy.pvd@demo.vn' }).lean())!;
    expect(String(audit.actorId)).toBe(String(danguy._id));
    expect(audit.details).toMatchObject({
      from: 'dossier',
      to: 'introduced',
      refNo: '45-NQ/ĐTN',
      refDate: '2026-11-16',
    });

    const page = await load();
    expect(page.data.stage).toBe('introduced');
    expect(page.data.history[0]).toMatchObject({ stage: 'introduced', by: danguy.name, refNo: '45-NQ/ĐTN' });
    expect(page.data.transitions.map((t: { id: string }) => t.id)).toContain('record_branch_vote');
  });

  it('refuses an invalid vote with every reason and writes nothing', async () => {
    const before = await snapshot();
    const res = await submit({
      intent: 'record_branch_vote',
      version: String(before.version),
      meetingDate: '2099-01-05', // in the future
      yes: '5', // ⌈2/3 × 9⌉ = 6 needed
      no: '5', // 5 + 5 > 9
      officialMemberCount: '9',
    });
    expect(res.status).toBe(400);
    const codes = res.data.reasons.map((r: { code: string }) => r.code);
    expect(codes).toEqual(expect.arrayContaining(['date_in_future', 'vote_counts', 'vote_threshold']));
    for (const r of res.data.reasons) expect(r.message.vi.length).toBeGreaterThan(0);
    expect(res.data.values).toMatchObject({ yes: '5', officialMemberCount: '9' });
    expect(await snapshot()).toEqual(before);
  });

  it('refuses a missing field with a message naming it', async () => {
    const before = await snapshot();
    const res = await submit({ intent: 'record_branch_vote', version: String(before.version), yes: '7' });
    expect(res.status).toBe(400);
    const fields = res.data.reasons.map((r: { field: string | null }) => r.field);
    expect(fields).toEqual(expect.arrayContaining(['meetingDate', 'officialMemberCount']));
    expect(await snapshot()).toEqual(before);
  });

  it('refuses a Party step recorded by the school Union, writing nothing', async () => {
    const before = await snapshot();
    const res = await submit(
      {
        intent: 'record_branch_vote',
        version: String(before.version),
        meetingDate: '2026-11-20',
        yes: '7',
        no: '0',
        officialMemberCount: '9',
      },
      union,
    );
    expect(res.status).toBe(400);
    expect(res.data.reasons.map((r: { code: string }) => r.code)).toContain('role_not_allowed');
    expect(await snapshot()).toEqual(before);
  });

  it('answers 409 to a stale version, 400 to an unknown intent', async () => {
    const before = await snapshot();
    const vote = {
      intent: 'record_branch_vote',
      meetingDate: '2026-11-20',
      yes: '7',
      no: '1',
      officialMemberCount: '9',
    };
    const stale = await submit({ ...vote, version: String(before.version - 1) });
    expect(stale.status).toBe(409);
    expect(stale.data.conflict).toBe(true);
    const unknown = await submit({ intent: 'promote_to_general', version: String(before.version) });
    expect(unknown.status).toBe(400);
    expect(await snapshot()).toEqual(before);

    // The same vote with the current version goes through; the decision deadline starts.
    const ok = await submit({ ...vote, version: String(before.version) });
    expect(ok.status).toBe(302);
    const page = await load();
    expect(page.data.stage).toBe('branch_vote');
    const due = page.data.deadlines.find((d: { kind: string }) => d.kind === 'admission_decision');
    expect(due).toBeDefined();
    expect(typeof due.workingDaysLeft).toBe('number');
  });

  it('refuses a vote on a candidate under 18 on the meeting date', async () => {
    const pvd = (await Unit.findOne({ code: 'PVD' }).lean())!;
    const young = (await Member.findOne({
      schoolId: pvd._id,
      _id: mongoose.trusted({ $ne: memberId }),
    }).lean())!;
    const d = (iso: string) => new Date(`${iso}T00:00:00Z`);
    await Member.updateOne(
      { _id: young._id },
      {
        $set: {
          dateOfBirth: d('2009-01-10'),
          pipeline: {
            stage: 'introduced',
            stageSince: d('2026-11-02'),
            history: [{ stage: 'introduced', at: d('2026-11-02') }],
            certificate: {
              number: 'GCN-1',
              issuer: 'Đảng ủy',
              issuedAt: d('2026-05-01'),
              expiresAt: d('2031-05-01'),
            },
            application: { receivedAt: d('2026-09-01') },
            personalHistory: {
              receivedAt: d('2026-09-01'),
              verification: 'verified',
              verifiedAt: d('2026-10-01'),
            },
            introducers: [
              { name: 'BCH Đoàn trường', kind: 'union', official: true, refNo: '40-NQ/ĐTN' },
              { name: 'Lê Thị Hoa', kind: 'party_member', official: true, monthsTogether: 15 },
            ],
          },
        },
      },
    );
    const before = await snapshot(young._id);
    const res = await submit(
      {
        intent: 'record_branch_vote',
        version: String(before.version),
        meetingDate: '2026-11-20',
        yes: '7',
        no: '1',
        officialMemberCount: '9',
      },
      party,
      young._id,
    );
    expect(res.status).toBe(400);
    const age = res.data.reasons.find((r: { code: string }) => r.code === 'age_below_min');
    expect(age).toMatchObject({ field: 'meetingDate' });
    expect(await snapshot(young._id)).toEqual(before);
  });

  it('persists what the machine writes inside a stage (official-status votes with their recorder)', async () => {
    const pvd = (await Unit.findOne({ code: 'PVD' }).lean())!;
    const m = (await Member.findOne({
      schoolId: pvd._id,
      _id: mongoose.trusted({ $ne: memberId }),
    })
      .sort({ _id: -1 })
      .lean())!;
    const d = (iso: string) => new Date(`${iso}T00:00:00Z`);
    await Member.updateOne(
      { _id: m._id },
      {
        $set: {
          dateOfBirth: d('2003-02-01'),
          pipeline: {
            stage: 'probation',
            stageSince: d('2025-10-01'),
            history: [{ stage: 'probation', at: d('2025-10-01'), refDate: d('2025-10-01') }],
            ceremonyDate: d('2025-10-01'),
            probation: { start: d('2025-10-01'), end: d('2026-10-01') },
          },
        },
      },
    );
    const before = await snapshot(m._id);
    const res = await submit(
      {
        intent: 'record_official_vote',
        version: String(before.version),
        meetingDate: '2026-11-20',
        yes: '5',
        no: '4',
        officialMemberCount: '9',
        resolutionNo: '03-NQ/CB',
      },
      party,
      m._id,
    );
    expect(res.status).toBe(302);
    const after = (await Member.findById(m._id).lean())!;
    expect(after.pipeline.stage).toBe('probation');
    expect(after.pipeline.officialVotes).toHaveLength(1);
    const danguy = (await User.findOne({ email: 'danguy.pvd@demo.vn' }).lean())!;
    expect(after.pipeline.officialVotes![0]).toMatchObject({ yes: 5, no: 4, officialMemberCount: 9 });
    expect(String(after.pipeline.officialVotes![0].by)).toBe(String(danguy._id));
  });

  it('answers 404 for another school’s member and keeps students out', async () => {
    expect((await load(party, foreignId)).status).toBe(404);
    const before = await snapshot(foreignId);
    const res = await submit({ ...INTRODUCTION, version: String(before.version) }, party, foreignId);
    expect(res.status).toBe(404);
    expect(await snapshot(foreignId)).toEqual(before);

    expect((await load(student)).status).toBe(403);
    expect((await submit({ ...INTRODUCTION, version: '0' }, student)).status).toBe(403);
  });
});

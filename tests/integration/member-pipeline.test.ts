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
import { INTRODUCTION_FORM as INTRODUCTION } from '../fixtures/pipeline-forms.ts';
import { call, get, post } from '../fixtures/remix.ts';

let party: string;
let union: string;
let student: string;
let memberId: Types.ObjectId;
let foreignId: Types.ObjectId;
/** A PVĐ chi bộ whose register holds 9 official members since 2015: the votes below are taken in it. */
let cell9: string;

beforeAll(async () => {
  await seedDatabase({ members: 60, seed: 1, reset: true });
  party = await signIn('danguy.pvd@demo.vn');
  union = await signIn('doantruong.pvd@demo.vn');
  student = await signIn('sinhvien@demo.vn');
  const demo = (await User.findOne({ email: 'sinhvien@demo.vn' }).lean())!;
  memberId = demo.memberId as Types.ObjectId;
  const pvd = (await Unit.findOne({ code: 'PVD' }).lean())!;
  foreignId = (await Member.findOne({ schoolId: mongoose.trusted({ $ne: pvd._id }) }).lean())!._id;
  const cell = await Unit.create({
    name: 'Chi bộ sinh viên (thử nghiệm)',
    code: 'PVD-CB-TEST9',
    kind: 'party_cell',
    parentId: pvd._id,
    ancestors: [...pvd.ancestors, pvd._id],
    schoolId: pvd._id,
    officialMembers: [
      { count: 9, from: new Date('2015-01-01T00:00:00Z'), reason: 'Số liệu ban đầu', at: new Date() },
    ],
    officialMemberCount: 9,
  });
  cell9 = String(cell._id);
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

describe('member pipeline tab', () => {
  it('is listed among the member sections and shows the candidate at the dossier stage', async () => {
    const layout = await call(layoutLoader, get(`/members/${memberId}`, party), { id: String(memberId) });
    expect(layout.data.sections.map((s: { to: string }) => s.to)).toContain('pipeline');

    const res = await load();
    expect(res).toHaveStatus(200);
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
    expect(res).toRedirectTo(`${path()}`, { toast: 'pipelineRecorded' });

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
      partyCellId: cell9,
    });
    expect(res).toHaveStatus(400);
    const codes = res.data.reasons.map((r: { code: string }) => r.code);
    expect(codes).toEqual(expect.arrayContaining(['date_in_future', 'vote_counts', 'vote_threshold']));
    for (const r of res.data.reasons) expect(r.message.vi.length).toBeGreaterThan(0);
    expect(res.data.values).toMatchObject({ yes: '5', partyCellId: cell9 });
    // Judged against the register of the chi bộ chosen: its 9 official members on the meeting day.
    const threshold = res.data.reasons.find((r: { code: string }) => r.code === 'vote_threshold');
    expect(threshold.message.vi).toContain('5/9');
    expect(await snapshot()).toEqual(before);
  });

  it('refuses a missing field with a message naming it', async () => {
    const before = await snapshot();
    const res = await submit({ intent: 'record_branch_vote', version: String(before.version), yes: '7' });
    expect(res).toHaveStatus(400);
    const fields = res.data.reasons.map((r: { field: string | null }) => r.field);
    // No typed count: the register of the member's own chi bộ gives it (no field to miss).
    expect(fields).toEqual(['meetingDate']);
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
        partyCellId: cell9,
      },
      union,
    );
    expect(res).toHaveStatus(400);
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
      partyCellId: cell9,
    };
    const stale = await submit({ ...vote, version: String(before.version - 1) });
    expect(stale).toHaveStatus(409);
    expect(stale.data.conflict).toBe(true);
    const unknown = await submit({ intent: 'promote_to_general', version: String(before.version) });
    expect(unknown).toHaveStatus(400);
    expect(await snapshot()).toEqual(before);

    // Without the opinions of the residence Party cell and mass organisations (5-KNĐ) the
    // chi bộ cannot consider the candidate (issue 16): refused with that reason, nothing written.
    const early = await submit({ ...vote, version: String(before.version) });
    expect(early).toHaveStatus(400);
    expect(early.data.reasons.map((r: { code: string }) => r.code)).toEqual(['opinions_missing']);
    expect(early.data.reasons[0].message.vi).toContain('5-KNĐ');
    expect(await snapshot()).toEqual(before);
    const opinions = await submit({
      intent: 'dossier',
      version: String(before.version),
      'receivedAt.5': '2026-11-18',
    });
    expect(opinions).toHaveStatus(302);

    // The same vote with the current version goes through; the decision deadline starts.
    const ok = await submit({ ...vote, version: String(before.version + 1) });
    expect(ok).toHaveStatus(302);
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
        partyCellId: cell9,
      },
      party,
      young._id,
    );
    expect(res).toHaveStatus(400);
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
        partyCellId: cell9,
        resolutionNo: '03-NQ/CB',
      },
      party,
      m._id,
    );
    expect(res).toHaveStatus(302);
    const after = (await Member.findById(m._id).lean())!;
    expect(after.pipeline.stage).toBe('probation');
    expect(after.pipeline.officialVotes).toHaveLength(1);
    const danguy = (await User.findOne({ email: 'danguy.pvd@demo.vn' }).lean())!;
    expect(after.pipeline.officialVotes![0]).toMatchObject({ yes: 5, no: 4, officialMemberCount: 9 });
    // Stored with the register's count and the chi bộ it was taken in, which now follows the member.
    expect(String(after.pipeline.officialVotes![0].partyCellId)).toBe(cell9);
    expect(String(after.partyCellId)).toBe(cell9);
    expect(String(after.pipeline.officialVotes![0].by)).toBe(String(danguy._id));
  });

  it('answers 404 for another school’s member and keeps students out', async () => {
    expect((await load(party, foreignId)).status).toBe(404);
    const before = await snapshot(foreignId);
    const res = await submit({ ...INTRODUCTION, version: String(before.version) }, party, foreignId);
    expect(res).toHaveStatus(404);
    expect(await snapshot(foreignId)).toEqual(before);

    expect((await load(student)).status).toBe(403);
    expect((await submit({ ...INTRODUCTION, version: '0' }, student)).status).toBe(403);
  });
});

// ---------------------------------------------------------------- dossier, duties, review notes

describe('the tab beyond the steps: dossier checklist, duties shown, province notes', () => {
  let province: string;
  let admin: string;
  let party2: string;
  let pvdId: Types.ObjectId;
  const d = (iso: string) => new Date(`${iso}T00:00:00Z`);

  beforeAll(async () => {
    province = await signIn('tinhdoan@demo.vn');
    admin = await signIn('admin@demo.vn');
    party2 = await signIn('bithu.pvd@demo.vn'); // the second Party committee account of the school
    pvdId = (await Unit.findOne({ code: 'PVD' }).lean())!._id;
  });

  /** A PVĐ member other than the demo student, put at `stage` with the chi bộ vote and review by `by`. */
  async function candidateAt(stage: 'dossier' | 'committee_review', by: Types.ObjectId, skip = 0) {
    const m = (await Member.findOne({ schoolId: pvdId, _id: mongoose.trusted({ $ne: memberId }) })
      .sort({ _id: 1 })
      .skip(skip)
      .lean())!;
    const history = [
      { stage: 'outstanding', at: d('2026-03-01'), by, refDate: d('2026-03-01') },
      { stage: 'awareness_class', at: d('2026-05-01'), by },
      { stage: 'dossier', at: d('2026-06-01'), by },
    ];
    const pipeline: Record<string, unknown> = {
      stage,
      stageSince: d('2026-06-01'),
      history,
      certificate: {
        number: 'GCN-7',
        issuer: 'Đảng ủy',
        issuedAt: d('2026-05-01'),
        expiresAt: d('2031-05-01'),
      },
      application: { receivedAt: d('2026-06-01') },
      personalHistory: { receivedAt: d('2026-06-03'), verification: 'verified', verifiedAt: d('2026-06-20') },
    };
    if (stage === 'committee_review') {
      history.push(
        { stage: 'introduced', at: d('2026-07-01'), by },
        { stage: 'branch_vote', at: d('2026-10-01'), by },
        { stage: 'committee_review', at: d('2026-10-20'), by },
      );
      Object.assign(pipeline, {
        stageSince: d('2026-10-20'),
        introducers: [
          { name: 'BCH Đoàn trường', kind: 'union', official: true, refNo: '41-NQ/ĐTN' },
          { name: 'Lê Văn Tâm', kind: 'party_member', official: true, monthsTogether: 18 },
        ],
        branchVote: { meetingDate: d('2026-10-01'), yes: 8, no: 0, officialMemberCount: 9 },
        committeeResolution: { number: '50-NQ/ĐU', date: d('2026-10-20') },
      });
    }
    await Member.updateOne({ _id: m._id }, { $set: { dateOfBirth: d('2004-04-04'), pipeline } });
    return m._id;
  }

  async function state(id: Types.ObjectId) {
    const m = (await Member.findById(id).select({ __v: 1, pipeline: 1 }).lean())!;
    return {
      version: m.__v ?? 0,
      dossier: m.pipeline.dossier ?? null,
      notes: m.pipeline.reviewNotes ?? null,
      openFlags: m.pipeline.openFlags ?? null,
      audits: await AuditEvent.countDocuments({ entityId: id }),
    };
  }
  const row = (res: { data: { dossier: { form: string }[] } }, form: string) =>
    res.data.dossier.find((r) => r.form === form) as unknown as {
      name: { vi: string };
      receivedAt: string;
      verifiedAt: string;
      stored: { receivedAt: string; verifiedAt: string };
      derived: { receivedAt: string; verifiedAt: string };
    };

  it('names every form and tells stored dates from those the recorded steps imply', async () => {
    const danguy = (await User.findOne({ email: 'danguy.pvd@demo.vn' }).lean())!;
    const id = await candidateAt('dossier', danguy._id);
    const res = await load(party, id);
    expect(res.data.dossier.map((r: { form: string }) => r.form)).toEqual(
      Array.from({ length: 15 }, (_, i) => `${i + 1}-KNĐ`),
    );
    expect(row(res, '1-KNĐ').name.vi).toBe('Đơn xin vào Đảng');
    expect(row(res, '15-KNĐ').name.vi).toBe('Quyết định công nhận đảng viên chính thức');
    expect(row(res, '2-KNĐ')).toMatchObject({
      receivedAt: '2026-06-03',
      verifiedAt: '2026-06-20',
      stored: { receivedAt: '', verifiedAt: '' },
      derived: { receivedAt: '2026-06-03', verifiedAt: '2026-06-20' },
    });
    expect(res.data.can).toEqual({ editDossier: true, addNote: false, resolveFlag: true });
    const prov = await load(province, id);
    expect(prov.data.can).toEqual({ editDossier: false, addNote: true, resolveFlag: false });
  });

  it('sets and clears dates of several forms in one versioned, audited update', async () => {
    const danguy = (await User.findOne({ email: 'danguy.pvd@demo.vn' }).lean())!;
    const id = await candidateAt('dossier', danguy._id, 1);
    const before = await state(id);
    const res = await submit(
      {
        intent: 'dossier',
        version: String(before.version),
        'receivedAt.5': '2026-06-10',
        'verifiedAt.5': '2026-06-15',
        'receivedAt.1': '2026-05-30', // overrides the derived 2026-06-01
        'verifiedAt.1': '',
      },
      union,
      id,
    );
    expect(res).toRedirectTo(`/members/${id}/pipeline`, { toast: 'pipelineDossierSaved' });
    const after = await state(id);
    expect(after.version).toBe(before.version + 1);
    expect(after.dossier!.map((e) => e.form)).toEqual(['1-KNĐ', '5-KNĐ']);
    expect(after.dossier![1].verifiedAt?.toISOString().slice(0, 10)).toBe('2026-06-15');
    const audit = (await AuditEvent.findOne({ entityId: id, action: 'pipeline.dossier' }).lean())!;
    expect(audit.details).toEqual({
      before: { '1-KNĐ.receivedAt': '', '5-KNĐ.receivedAt': '', '5-KNĐ.verifiedAt': '' },
      after: {
        '1-KNĐ.receivedAt': '2026-05-30',
        '5-KNĐ.receivedAt': '2026-06-10',
        '5-KNĐ.verifiedAt': '2026-06-15',
      },
      version: before.version + 1,
    });
    const page = await load(party, id);
    expect(row(page, '1-KNĐ')).toMatchObject({
      receivedAt: '2026-05-30',
      derived: { receivedAt: '2026-06-01' },
    });

    // Clearing the override brings the derived date back and drops the empty entry.
    const cleared = await submit(
      { intent: 'dossier', version: String(after.version), 'receivedAt.1': '' },
      party,
      id,
    );
    expect(cleared).toHaveStatus(302);
    expect((await state(id)).dossier!.map((e) => e.form)).toEqual(['5-KNĐ']);
    expect(row(await load(party, id), '1-KNĐ')).toMatchObject({
      receivedAt: '2026-06-01',
      stored: { receivedAt: '' },
    });

    // Nothing changed: no write, no event.
    const same = await state(id);
    const unchanged = await submit(
      { intent: 'dossier', version: String(same.version), 'receivedAt.5': '2026-06-10' },
      party,
      id,
    );
    expect(unchanged.location).toBe(`/members/${id}/pipeline?ok=memberUnchanged`);
    expect(await state(id)).toEqual(same);
  });

  it('refuses bad dates with a message beside each field, writing nothing', async () => {
    const danguy = (await User.findOne({ email: 'danguy.pvd@demo.vn' }).lean())!;
    const id = await candidateAt('dossier', danguy._id, 2);
    const before = await state(id);
    const res = await submit(
      {
        intent: 'dossier',
        version: String(before.version),
        'receivedAt.3': '2026-02-30', // no such day
        'receivedAt.5': '2099-01-01', // future
        'receivedAt.6': '2026-06-10',
        'verifiedAt.6': '2026-06-09', // before received
        'verifiedAt.7': '2026-06-09', // nothing received
        'verifiedAt.1': '2026-05-20', // before the derived receipt (2026-06-01)
      },
      party,
      id,
    );
    expect(res).toHaveStatus(400);
    expect(res.data.intent).toBe('dossier');
    expect(res.data.errors).toEqual({
      'receivedAt.3': ['pipeline.dossier.error.date'],
      'receivedAt.5': ['pipeline.dossier.error.future'],
      'verifiedAt.6': ['pipeline.dossier.error.order'],
      'verifiedAt.7': ['pipeline.dossier.error.notReceived'],
      'verifiedAt.1': ['pipeline.dossier.error.order'],
    });
    expect(res.data.values).toMatchObject({ 'receivedAt.5': '2099-01-01' });
    expect(await state(id)).toEqual(before);
  });

  it('dossier: read-only for the province and students, 409 when stale, 404 outside the scope', async () => {
    const danguy = (await User.findOne({ email: 'danguy.pvd@demo.vn' }).lean())!;
    const id = await candidateAt('dossier', danguy._id, 3);
    const before = await state(id);
    const edit = { intent: 'dossier', version: String(before.version), 'receivedAt.5': '2026-06-10' };
    expect((await submit(edit, province, id)).status).toBe(403);
    expect((await submit(edit, student, id)).status).toBe(403);
    const stale = await submit({ ...edit, version: String(before.version + 1) }, party, id);
    expect(stale).toHaveStatus(409);
    expect(stale.data.conflict).toBe(true);
    expect(await state(id)).toEqual(before);

    const foreign = await state(foreignId);
    const res = await submit({ ...edit, version: String(foreign.version) }, party, foreignId);
    expect(res).toHaveStatus(404);
    expect(await state(foreignId)).toEqual(foreign);
  });

  it('shows the admission decision disabled to whoever recorded the vote; admin records it', async () => {
    const danguy = (await User.findOne({ email: 'danguy.pvd@demo.vn' }).lean())!;
    const id = await candidateAt('committee_review', danguy._id, 4);
    const page = await load(party, id);
    const decision = page.data.transitions.find((t: { id: string }) => t.id === 'record_decision');
    expect(decision.blocked).toHaveLength(2);
    expect(decision.blocked[0].vi).toBe(
      'Bạn đã ghi nhận biểu quyết của chi bộ nên không thể ghi nhận bước này; người khác trong đảng ủy cần ghi nhận.',
    );
    // Other steps stay open to the same user.
    const other = page.data.transitions.filter((t: { id: string }) => t.id !== 'record_decision');
    expect(other.every((t: { blocked: unknown[] }) => t.blocked.length === 0)).toBe(true);

    const input = {
      intent: 'record_decision',
      decisionNo: '88-QĐ/ĐU',
      decisionDate: '2026-11-02',
      issuer: 'Đảng ủy',
    };
    const before = await state(id);
    const refused = await submit({ ...input, version: String(before.version) }, party, id);
    expect(refused).toHaveStatus(400);
    expect(refused.data.reasons.map((r: { code: string }) => r.code)).toContain('separation_of_duties');
    expect(await state(id)).toEqual(before);

    const colleague = await load(party2, id);
    expect(
      colleague.data.transitions.find((t: { id: string }) => t.id === 'record_decision').blocked,
    ).toEqual([]);
    const adminPage = await load(admin, id);
    expect(
      adminPage.data.transitions.find((t: { id: string }) => t.id === 'record_decision').blocked,
    ).toEqual([]);
    const ok = await submit({ ...input, version: String(before.version) }, admin, id);
    expect(ok).toHaveStatus(302);
    const m = (await Member.findById(id).lean())!;
    expect(m.pipeline.stage).toBe('decision');
    // The stored next deadline is written with the step: the ceremony is next.
    expect(m.pipeline.due?.kind).toBe('ceremony');
  });

  it('province: sees only the return before the decision, and never records a school step', async () => {
    const danguy = (await User.findOne({ email: 'danguy.pvd@demo.vn' }).lean())!;
    const id = await candidateAt('committee_review', danguy._id, 5);
    const page = await load(province, id);
    expect(page.data.transitions.map((t: { id: string }) => t.id)).toEqual(['return_for_improvement']);
    const before = await state(id);
    const res = await submit(
      {
        intent: 'record_decision',
        version: String(before.version),
        decisionNo: '1-QĐ',
        decisionDate: '2026-11-02',
        issuer: 'Tỉnh đoàn',
      },
      province,
      id,
    );
    expect(res).toHaveStatus(400);
    expect(res.data.reasons.map((r: { code: string }) => r.code)).toContain('role_not_allowed');
    expect(await state(id)).toEqual(before);

    // After the decision the return is gone from the tab and refused by the machine.
    await submit(
      {
        intent: 'record_decision',
        version: String(before.version),
        decisionNo: '2-QĐ',
        decisionDate: '2026-11-02',
        issuer: 'ĐU',
      },
      admin,
      id,
    );
    expect((await load(province, id)).data.transitions).toEqual([]);
    const after = await state(id);
    const late = await submit(
      { intent: 'return_for_improvement', version: String(after.version), reason: 'Thiếu minh chứng' },
      province,
      id,
    );
    expect(late).toHaveStatus(400);
    expect(late.data.reasons.map((r: { code: string }) => r.code)).toContain('wrong_stage');
    expect(await state(id)).toEqual(after);
  });

  it('flags and comments: province adds, school resolves, openFlags follows in the same update', async () => {
    const danguy = (await User.findOne({ email: 'danguy.pvd@demo.vn' }).lean())!;
    const tinhdoan = (await User.findOne({ email: 'tinhdoan@demo.vn' }).lean())!;
    const id = await candidateAt('dossier', danguy._id, 6);
    let s = await state(id);

    const flag = await submit(
      {
        intent: 'note',
        version: String(s.version),
        kind: 'flag',
        text: '  Lý lịch thiếu xác nhận của địa phương  ',
      },
      province,
      id,
    );
    expect(flag).toRedirectTo(`/members/${id}/pipeline`, { toast: 'pipelineFlagAdded' });
    s = await state(id);
    expect(s.openFlags).toBe(1);
    expect(s.notes).toHaveLength(1);
    expect(s.notes![0]).toMatchObject({ kind: 'flag', text: 'Lý lịch thiếu xác nhận của địa phương' });
    expect(String(s.notes![0].by)).toBe(String(tinhdoan._id));

    const comment = await submit(
      { intent: 'note', version: String(s.version), kind: 'comment', text: 'Hồ sơ tốt.' },
      admin,
      id,
    );
    expect(comment.location).toBe(`/members/${id}/pipeline?ok=pipelineCommentAdded`);
    s = await state(id);
    expect(s.openFlags).toBe(1);
    expect(s.notes).toHaveLength(2);

    // Bad input: message beside the field, nothing written.
    for (const [text, message] of [
      ['   ', 'pipeline.notes.error.required'],
      ['x'.repeat(2001), 'pipeline.notes.error.tooLong'],
    ]) {
      const bad = await submit(
        { intent: 'note', version: String(s.version), kind: 'flag', text },
        province,
        id,
      );
      expect(bad).toHaveStatus(400);
      expect(bad.data.errors).toEqual({ text: [message] });
    }
    const badKind = await submit(
      { intent: 'note', version: String(s.version), kind: 'decision', text: 'x' },
      province,
      id,
    );
    expect(badKind.data.errors).toEqual({ kind: ['pipeline.notes.error.kind'] });
    // Schools do not write province notes; the province does not resolve them.
    expect(
      (await submit({ intent: 'note', version: String(s.version), kind: 'comment', text: 'x' }, party, id))
        .status,
    ).toBe(403);
    const flagId = String(s.notes![0]._id);
    const resolve = { intent: 'resolve_flag', noteId: flagId };
    expect((await submit({ ...resolve, version: String(s.version) }, province, id)).status).toBe(403);
    expect((await submit({ ...resolve, version: String(s.version - 1) }, union, id)).status).toBe(409);
    expect(
      (await submit({ ...resolve, noteId: String(s.notes![1]._id), version: String(s.version) }, union, id))
        .status,
    ).toBe(404); // a comment is not a flag
    expect(await state(id)).toEqual(s);

    const resolved = await submit({ ...resolve, version: String(s.version) }, union, id);
    expect(resolved.location).toBe(`/members/${id}/pipeline?ok=pipelineFlagResolved`);
    const after = await state(id);
    expect(after.openFlags).toBe(0);
    expect(after.version).toBe(s.version + 1);
    const doantruong = (await User.findOne({ email: 'doantruong.pvd@demo.vn' }).lean())!;
    expect(String(after.notes![0].resolvedBy)).toBe(String(doantruong._id));
    const again = await submit({ ...resolve, version: String(after.version) }, union, id);
    expect(again).toHaveStatus(400);
    expect(again.data.errors).toEqual({ form: ['pipeline.notes.error.resolved'] });

    const actions = (await AuditEvent.find({ entityId: id }).lean()).map((a) => a.action);
    expect(actions).toEqual(
      expect.arrayContaining(['pipeline.flag', 'pipeline.comment', 'pipeline.flag_resolved']),
    );

    const page = await load(party, id);
    expect(page.data.openFlags).toBe(0);
    expect(page.data.notes.map((n: { kind: string }) => n.kind)).toEqual(['comment', 'flag']);
    expect(page.data.notes[1]).toMatchObject({ by: tinhdoan.name, resolvedBy: doantruong.name });
  });

  it('notes: 404 for another school’s member to the school, students kept out', async () => {
    const s = await state(foreignId);
    expect(
      (
        await submit(
          { intent: 'note', version: String(s.version), kind: 'flag', text: 'x' },
          party,
          foreignId,
        )
      ).status,
    ).toBe(403); // the school may not write notes at all
    const res = await submit(
      { intent: 'resolve_flag', version: String(s.version), noteId: String(new mongoose.Types.ObjectId()) },
      party,
      foreignId,
    );
    expect(res).toHaveStatus(404);
    expect((await submit({ intent: 'note', version: '0', kind: 'flag', text: 'x' }, student)).status).toBe(
      403,
    );
    expect(await state(foreignId)).toEqual(s);
  });
});

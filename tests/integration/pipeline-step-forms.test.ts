/**
 * The step forms as the page posts them now (conform's list names, `introducers[0].name`)
 * and which of their fields the page marks required. Uses the seeded demo student at 'dossier'.
 */
import type { Types } from 'mongoose';
import { beforeAll, describe, expect, it } from 'vitest';
import { Member } from '../../models/member.ts';
import { User } from '../../models/user.ts';
import { seedDatabase } from '../../seed/seed.server.ts';
import { action, loader } from '~/routes/members.$id.pipeline';
import { signIn } from '../fixtures/auth.ts';
import { call, get, post } from '../fixtures/remix.ts';

let party: string;
let memberId: Types.ObjectId;

beforeAll(async () => {
  await seedDatabase({ members: 20, seed: 3, reset: true });
  party = await signIn('danguy.pvd@demo.vn');
  memberId = (await User.findOne({ email: 'sinhvien@demo.vn' }).lean())!.memberId as Types.ObjectId;
});

const load = () => call(loader, get(`/members/${memberId}/pipeline`, party), { id: String(memberId) });
const submit = (fields: Record<string, string>) =>
  call(action, post(`/members/${memberId}/pipeline`, fields, party), { id: String(memberId) });
const version = async () => String((await Member.findById(memberId).select({ __v: 1 }).lean())!.__v ?? 0);

const INTRODUCTION = {
  intent: 'record_introduction',
  introducedAt: '2026-11-16',
  'introducers[0].name': 'Ban Chấp hành Đoàn trường',
  'introducers[0].kind': 'union',
  'introducers[0].refNo': '45-NQ/ĐTN',
  'introducers[1].name': 'Trần Văn Minh',
  'introducers[1].kind': 'party_member',
  'introducers[1].official': 'on',
  'introducers[1].monthsTogether': '14',
};

describe('pipeline step forms (conform names)', () => {
  it('refuses a bad row on the machine path of that row, writing nothing', async () => {
    const before = await version();
    const res = await submit({
      ...INTRODUCTION,
      'introducers[1].monthsTogether': 'mười',
      version: before,
    });
    expect(res.status).toBe(400);
    expect(res.data.reasons.map((r: { field: string | null }) => r.field)).toEqual([
      'introducers.1.monthsTogether',
    ]);
    expect(res.data.values['introducers[1].monthsTogether']).toBe('mười');
    expect(await version()).toBe(before);
  });

  it('records the introducers posted under list names', async () => {
    const res = await submit({ ...INTRODUCTION, version: await version() });
    expect(res.status).toBe(302);
    const m = (await Member.findById(memberId).lean())!;
    expect(m.pipeline.stage).toBe('introduced');
    expect(m.pipeline.introducers).toMatchObject([
      { name: 'Ban Chấp hành Đoàn trường', kind: 'union', refNo: '45-NQ/ĐTN' },
      { name: 'Trần Văn Minh', kind: 'party_member', official: true, monthsTogether: 14 },
    ]);
  });

  it('marks the vote counts required, "against" included (0 is a count), the rest not', async () => {
    const page = await load();
    const vote = page.data.transitions.find((t: { id: string }) => t.id === 'record_branch_vote');
    const required = Object.fromEntries(
      vote.fields.map((f: { name: string; required: boolean }) => [f.name, f.required]),
    );
    expect(required).toEqual({
      meetingDate: true,
      partyCellId: true,
      yes: true,
      no: true,
      resolutionNo: false,
      note: false,
    });
  });
});

/**
 * The member's "Tiêu chí" tab: evaluated live from the current record against the
 * active set, so a corrected GPA changes the verdict on the next load; scoped like
 * every /members/:id page (another school's member is a 404); and the
 * `getMemberVerdict` helper the student portal will use.
 */
import type { Types } from 'mongoose';
import mongoose from 'mongoose';
import { beforeAll, describe, expect, it } from 'vitest';
import { Member } from '../../models/member.ts';
import { Unit } from '../../models/unit.ts';
import { seedDatabase } from '../../seed/seed.server.ts';
import { loader as criteriaLoader } from '~/routes/members.$id.criteria';
import { loader as layoutLoader } from '~/routes/members.$id';
import { loader as listLoader } from '~/routes/members._index';
import { action as editAction } from '~/routes/members.$id.edit';
import { schoolYearOf } from '~/domain/calendar';
import { ENGINE_PROJECTION } from '~/utils/criteria/criteria-engine.server';
import { getMemberVerdict } from '~/utils/criteria/criteria.server';
import { signIn } from '../fixtures/auth.ts';
import { call, get, post } from '../fixtures/remix.ts';

let union: string;
let memberId: Types.ObjectId;
let foreignId: Types.ObjectId;
const lastYear = (() => {
  const start = Number(schoolYearOf(new Date()).slice(0, 4)) - 1;
  return `${start}-${start + 1}`;
})();

beforeAll(async () => {
  await seedDatabase({ members: 60, seed: 1, reset: true });
  union = await signIn('doantruong.pvd@demo.vn');
  const pvd = (await Unit.findOne({ code: 'PVD' }).lean())!;
  const m = (await Member.findOne({ schoolId: pvd._id, _id: mongoose.trusted({ $ne: null }) })
    .sort({ _id: -1 })
    .lean())!;
  memberId = m._id;
  // A record that meets the default university selection set with a GPA of 3.0/4.
  await Member.updateOne(
    { _id: memberId },
    {
      $set: {
        union: { joinedAt: new Date(Date.UTC(2021, 2, 26)) },
        unionRatings: [{ year: lastYear, level: 'excellent' }],
        academicTerms: [
          { year: lastYear, term: 1, scale: 4, gpa: 3.0, conductScore: 88 },
          { year: lastYear, term: 2, scale: 4, gpa: 3.0, conductScore: 88 },
        ],
        awards: [
          {
            title: 'Giấy khen Sinh viên 5 tốt',
            kind: 'giay_khen',
            level: 'school',
            date: new Date(Date.UTC(Number(lastYear.slice(0, 4)) + 1, 4, 20)),
            verified: true,
          },
        ],
      },
    },
  );
  foreignId = (await Member.findOne({ schoolId: mongoose.trusted({ $ne: pvd._id }) }).lean())!._id;
});

const load = (id: Types.ObjectId, cookie = union) =>
  call(criteriaLoader, get(`/members/${id}/criteria`, cookie), { id: String(id) });

describe('member criteria tab', () => {
  it('is listed among the member sections', async () => {
    const res = await call(layoutLoader, get(`/members/${memberId}`, union), { id: String(memberId) });
    expect(res.data.sections.map((s: { to: string }) => s.to)).toContain('criteria');
  });

  it('shows the rule-by-rule verdict, and a GPA correction changes it at once', async () => {
    let res = await load(memberId);
    expect(res).toHaveStatus(200);
    expect(res.data.selection.set.name).toMatch(/đại học/);
    expect(res.data.selection.verdict.eligible).toBe(true);
    const gpa = () => res.data.selection.verdict.results.find((r: { ruleId: string }) => r.ruleId === 'gpa');
    expect(gpa()).toMatchObject({ passed: true });
    expect(gpa().explanation.vi).toContain('Điểm TB 3 ≥ 2,5 ✓');

    const version = (await Member.findById(memberId).select({ __v: 1 }).lean())!.__v ?? 0;
    const edit = await call(
      editAction,
      post(
        `/members/${memberId}/edit`,
        {
          intent: 'term.save',
          key: `${lastYear}:1`,
          year: lastYear,
          term: '1',
          scale: '4',
          gpa: '1,6',
          conductScore: '88',
          version: String(version),
        },
        union,
      ),
      { id: String(memberId) },
    );
    expect(edit).toHaveStatus(302);

    res = await load(memberId);
    expect(res.data.selection.verdict.eligible).toBe(false);
    expect(gpa()).toMatchObject({ passed: false });
    expect(gpa().explanation.vi).toContain('Điểm TB 2,3 < 2,5 ✗');
    // The admission conditions are shown too (no certificate on this record: not eligible).
    expect(res.data.admission.verdict.results.map((r: { ruleId: string }) => r.ruleId)).toContain(
      'certificate',
    );
  });

  it('answers 404 for another school’s member and for a bad id', async () => {
    expect((await load(foreignId)).status).toBe(404);
    const bad = await call(criteriaLoader, get('/members/xyz/criteria', union), { id: 'xyz' });
    expect(bad).toHaveStatus(404);
  });

  it('getMemberVerdict judges a member by the active set of their school kind', async () => {
    const m = (await Member.findById(memberId)
      .select({ ...ENGINE_PROJECTION, schoolKind: 1, ancestors: 1 })
      .lean())!;
    const v = await getMemberVerdict(m as never);
    expect(v.set).toMatchObject({ purpose: 'selection', version: 1 });
    expect(v.verdict!.eligible).toBe(false);
    const none = await getMemberVerdict({ ...(m as object), schoolKind: 'nowhere' } as never);
    expect(none).toMatchObject({ set: null, verdict: null });
  });
});

describe('stored eligibility (decision 006)', () => {
  it('evaluates every stale member once, then nothing until a member or the active set changes', async () => {
    const { refreshEligibility } = await import('~/utils/criteria/eligibility.server');
    const total = await Member.countDocuments();
    const first = await refreshEligibility({});
    expect(first.stale).toBe(total);
    expect(first.written).toBe(total);
    expect(await Member.countDocuments({ 'eligibility.key': mongoose.trusted({ $exists: true }) })).toBe(
      total,
    );
    expect((await refreshEligibility({})).stale).toBe(0);

    // The stored verdict agrees with the live one, and an edit (updatedAt moves) makes it stale.
    const live = await load(memberId);
    const stored = (await Member.findById(memberId).select({ eligibility: 1 }).lean())!.eligibility!;
    expect(stored.eligible).toBe(live.data.selection.verdict.eligible);
    await Member.updateOne(
      { _id: memberId },
      { $set: { 'academicTerms.0.gpa': 3.9, 'academicTerms.1.gpa': 3.9 } },
    );
    const again = await refreshEligibility({});
    expect(again).toMatchObject({ stale: 1, written: 1 });
    expect((await Member.findById(memberId).select({ eligibility: 1 }).lean())!.eligibility!.eligible).toBe(
      (await load(memberId)).data.selection.verdict.eligible,
    );
    expect(await Member.countDocuments({ 'eligibility.eligible': true })).toBeGreaterThan(0);
  });
});

describe('member table: "Đủ tiêu chuẩn" column and filter', () => {
  it('filters and shows the stored verdict, which follows an edit', async () => {
    const pvd = (await Unit.findOne({ code: 'PVD' }).lean())!;
    const list = async (qs: string) => (await call(listLoader, get(`/members?${qs}`, union))).data;
    const all = await list('size=100');
    expect(
      all.rows.every((r: { eligible: unknown }) => r.eligible === null || typeof r.eligible === 'boolean'),
    ).toBe(true);
    const yes = await list('eligible=yes&size=100');
    const no = await list('eligible=no&size=100');
    expect(yes.rowCount).toBe(
      await Member.countDocuments({ ancestors: pvd._id, 'eligibility.eligible': true }),
    );
    expect(yes.rows.every((r: { eligible: boolean }) => r.eligible === true)).toBe(true);
    expect(no.rows.every((r: { eligible: boolean }) => r.eligible === false)).toBe(true);
    expect(yes.rowCount + no.rowCount).toBe(all.rowCount);
    // A junk value is no filter.
    expect((await list('eligible=maybe&size=100')).rowCount).toBe(all.rowCount);

    // The member edited above: their row agrees with the live verdict of their criteria tab.
    const { refreshEligibility } = await import('~/utils/criteria/eligibility.server');
    const live = (await load(memberId)).data.selection.verdict.eligible as boolean;
    await refreshEligibility({ ancestors: pvd._id });
    const inYes = async () =>
      (await list('eligible=yes&size=100')).rows.some((r: { id: string }) => r.id === String(memberId));
    expect(await inYes()).toBe(live);
  });
});

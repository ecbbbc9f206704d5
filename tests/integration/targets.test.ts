import mongoose, { type Types } from 'mongoose';
import { beforeAll, describe, expect, it } from 'vitest';
import { AuditEvent } from '../../models/audit-event.ts';
import { Member } from '../../models/member.ts';
import { Target } from '../../models/target.ts';
import { Unit } from '../../models/unit.ts';
import { seedDatabase } from '../../seed/seed.server.ts';
import { action, loader } from '~/routes/reports.targets';
import { loader as schoolHomeLoader } from '~/routes/school._index';
import { vietnamYear as vnYear } from '~/domain/calendar';
import { targetProgress, yearRange } from '~/utils/reports/targets.server';
import { verifyAudit } from '~/utils/audit/audit-verify.server';
import { signIn } from '../fixtures/auth.ts';
import { withRefusedAuditEvent } from '../fixtures/refuse-audit.ts';
import { call, get, post } from '../fixtures/remix.ts';

type School = { _id: Types.ObjectId; name: string; code: string };

let province: string;
let schools: School[];
const year = vnYear();

beforeAll(async () => {
  await seedDatabase({ members: 300, seed: 1, reset: true });
  province = await signIn('tinhdoan@demo.vn');
  schools = (await Unit.find({ kind: 'school', active: true })
    .select({ name: 1, code: 1 })
    .sort({ code: 1 })
    .lean()) as School[];
});

const field = (s: School) => `target-${s._id}`;
const stored = async (s: School, y = year) =>
  (await Target.findOne({ unitId: s._id, year: y }).lean())?.admissions ?? null;
const save = (fields: Record<string, string>, cookie = province) =>
  call(action, post('/reports/targets', fields, cookie));

/** The form as the page renders it: every row with its current value. */
async function formFor(y: number): Promise<Record<string, string>> {
  const res = await call(loader, get(`/reports/targets?year=${y}`, province));
  const out: Record<string, string> = { year: String(y) };
  for (const row of res.data.rows as { field: string; origField: string; target: number | null }[]) {
    out[row.field] = row.target === null ? '' : String(row.target);
    out[row.origField] = out[row.field];
  }
  return out;
}

describe('the targets page', () => {
  it('lists every active school in scope with its target, admissions and the offered years', async () => {
    const res = await call(loader, get(`/reports/targets`, province));
    expect(res).toHaveStatus(200);
    expect(res.data.year).toBe(year);
    expect(res.data.years).toEqual([year - 2, year - 1, year, year + 1, year + 2]);
    expect(res.data.rows.map((r: { id: string }) => r.id).sort()).toEqual(
      schools.map((s) => String(s._id)).sort(),
    );
    // Names in Vietnamese order.
    const names = res.data.rows.map((r: { name: string }) => r.name);
    expect([...names].sort((a: string, b: string) => a.localeCompare(b, 'vi'))).toEqual(names);
  });

  it('falls back to the current year for a year outside the range', async () => {
    const res = await call(loader, get(`/reports/targets?year=1999`, province));
    expect(res.data.year).toBe(year);
  });

  it('is closed to school roles and students (403)', async () => {
    for (const email of ['doantruong.pvd@demo.vn', 'danguy.pvd@demo.vn', 'sinhvien@demo.vn']) {
      const cookie = await signIn(email);
      expect((await call(loader, get('/reports/targets', cookie))).status).toBe(403);
      const [a] = schools;
      expect((await save({ year: String(year), [field(a)]: '3' }, cookie)).status).toBe(403);
    }
  });
});

describe('saving targets', () => {
  it('stores the changed rows for the year and audits each with before/after', async () => {
    const [a, b] = schools;
    const beforeA = await stored(a);
    const auditsBefore = await AuditEvent.countDocuments({ action: 'target.set' });
    const form = await formFor(year);
    form[field(a)] = '42';
    form[field(b)] = ' 7 ';
    const res = await save(form);
    expect(res).toRedirectTo(`/reports/targets?year=${year}`, { toast: 'targetsSaved' });
    expect(await stored(a)).toBe(42);
    expect(await stored(b)).toBe(7);

    const events = await AuditEvent.find({ action: 'target.set' }).sort({ seq: 1 }).lean();
    expect(events.length - auditsBefore).toBe(2);
    const forA = events.find((e) => String(e.unitId) === String(a._id))!;
    expect(forA.entity).toBe('Target');
    expect(forA.details).toMatchObject({ year, before: { admissions: beforeA }, after: { admissions: 42 } });
  });

  it('creates a target for a year without one and removes it when emptied', async () => {
    const [a] = schools;
    const next = year + 1;
    expect(await stored(a, next)).toBeNull();
    const form = await formFor(next);
    form[field(a)] = '15';
    expect((await save(form)).status).toBe(302);
    expect(await stored(a, next)).toBe(15);

    const again = await formFor(next);
    expect(again[field(a)]).toBe('15');
    again[field(a)] = '';
    expect((await save(again)).status).toBe(302);
    expect(await stored(a, next)).toBeNull();
    const last = await AuditEvent.findOne({ action: 'target.set' }).sort({ seq: -1 }).lean();
    expect(last?.details).toMatchObject({
      year: next,
      before: { admissions: 15 },
      after: { admissions: null },
    });
  });

  it('says so when nothing changed, and writes nothing', async () => {
    const audits = await AuditEvent.countDocuments();
    const res = await save(await formFor(year));
    expect(res.location).toBe(`/reports/targets?year=${year}&ok=targetsUnchanged`);
    expect(await AuditEvent.countDocuments()).toBe(audits);
  });

  it('answers bad values with 400 and a message per field, and writes nothing', async () => {
    const [a, b, c, d, e] = schools;
    const targetsBefore = await Target.find().select({ unitId: 1, year: 1, admissions: 1 }).lean();
    const audits = await AuditEvent.countDocuments();
    const form = await formFor(year);
    form[field(a)] = '-1';
    form[field(b)] = 'mười';
    form[field(c)] = '10001';
    form[field(d)] = '12.5';
    form[field(e)] = '5'; // valid, but nothing is written while others are bad
    const res = await save(form);
    expect(res).toHaveStatus(400);
    expect(res.data.fieldErrors).toEqual({
      [field(a)]: ['targets.v.range'],
      [field(b)]: ['targets.v.range'],
      [field(c)]: ['targets.v.range'],
      [field(d)]: ['targets.v.range'],
    });
    expect(res.data.values[field(b)]).toBe('mười');
    expect(await Target.find().select({ unitId: 1, year: 1, admissions: 1 }).lean()).toEqual(targetsBefore);
    expect(await AuditEvent.countDocuments()).toBe(audits);
  });

  it('accepts the bounds 0 and 10,000', async () => {
    const [, , c, d] = schools;
    const form = await formFor(year);
    form[field(c)] = '0';
    form[field(d)] = '10000';
    expect((await save(form)).status).toBe(302);
    expect(await stored(c)).toBe(0);
    expect(await stored(d)).toBe(10000);
  });

  it('refuses a row someone else changed since the page was opened (409), writing nothing', async () => {
    const [a, b] = schools;
    const form = await formFor(year);
    await Target.updateOne({ unitId: a._id, year }, { $set: { admissions: 99 } });
    form[field(a)] = '50';
    form[field(b)] = '51';
    const res = await save(form);
    expect(res).toHaveStatus(409);
    expect(res.data.fieldErrors).toEqual({ [field(a)]: ['targets.v.conflict'] });
    expect(await stored(a)).toBe(99);
    expect(await stored(b)).not.toBe(51);
  });

  it('relies on the unique index to catch a write racing with another (stale version upsert fails)', async () => {
    const [, , , , e] = schools;
    const current = (await Target.findOne({ unitId: e._id, year }).lean())!;
    await Target.updateOne({ _id: current._id }, { $inc: { __v: 1 } });
    await expect(
      Target.updateOne(
        { unitId: e._id, year, __v: current.__v },
        { $set: { admissions: 1 }, $inc: { __v: 1 } },
        { upsert: true },
      ),
    ).rejects.toMatchObject({ code: 11000 });
    expect(await stored(e)).toBe(current.admissions);
  });

  it('saves every changed row with its event in one transaction: a refused event leaves no row changed', async () => {
    const [a, b, c] = schools;
    const next = year - 2;
    const targetsBefore = await Target.find({ year: next })
      .select({ unitId: 1, admissions: 1, __v: 1 })
      .lean();
    const events = await AuditEvent.countDocuments({ action: 'target.set' });
    const form = await formFor(next);
    form[field(a)] = '11';
    form[field(b)] = '12';
    form[field(c)] = '13';
    // The rows are written first, then their events: the second row's event fails last.
    await withRefusedAuditEvent({ action: 'target.set', unitId: b._id }, async () => {
      await expect(save(form)).rejects.toMatchObject({ code: 11000 });
    });
    expect(await Target.find({ year: next }).select({ unitId: 1, admissions: 1, __v: 1 }).lean()).toEqual(
      targetsBefore,
    );
    expect(await AuditEvent.countDocuments({ action: 'target.set' })).toBe(events);

    // The same form goes through once nothing refuses it: every row, each with its own chain.
    expect((await save(form)).status).toBe(302);
    expect([await stored(a, next), await stored(b, next), await stored(c, next)]).toEqual([11, 12, 13]);
    const written = await AuditEvent.find({ action: 'target.set', 'details.year': next }).lean();
    expect(written).toHaveLength(3);
    for (const s of [a, b, c]) {
      const target = (await Target.findOne({ unitId: s._id, year: next }).lean())!;
      const event = written.find((e) => String(e.unitId) === String(s._id))!;
      expect(event).toMatchObject({ entity: 'Target', chain: `Target:${target._id}`, seq: 1 });
    }
    const report = await verifyAudit();
    expect(report.problem).toBeNull();
    expect(report.gaps).toEqual([]);
  });

  it('rejects a year outside the offered range (400)', async () => {
    const [a] = schools;
    expect((await save({ year: '1990', [field(a)]: '3' })).status).toBe(400);
    expect((await save({ year: 'abc', [field(a)]: '3' })).status).toBe(400);
  });

  it('ignores fields for units outside the schools in scope', async () => {
    const branch = (await Unit.findOne({ kind: 'branch' }).select({ _id: 1 }).lean())!;
    const res = await save({ year: String(year), [`target-${branch._id}`]: '5' });
    expect(res.location).toContain('ok=targetsUnchanged');
    expect(await Target.exists({ unitId: branch._id })).toBeNull();
  });
});

describe('targetProgress', () => {
  it('counts admissions by decision date in the calendar year, like an independent count', async () => {
    let total = 0;
    for (const y of [year - 1, year]) {
      const progress = await targetProgress(
        schools.map((s) => s._id),
        y,
      );
      expect(schools).not.toHaveLength(0);
      for (const s of schools) {
        const expected = await Member.countDocuments({
          ancestors: s._id,
          'pipeline.decision.date': mongoose.trusted({
            $gte: new Date(`${y}-01-01T00:00:00Z`),
            $lt: new Date(`${y + 1}-01-01T00:00:00Z`),
          }),
        });
        expect(progress[String(s._id)].admitted, `${s.code} ${y}`).toBe(expected);
        total += expected;
      }
    }
    // The seed has admissions in these years, so the comparison is not all zeros.
    expect(total).toBeGreaterThan(0);
  });

  it('counts the province as the sum of its schools (members carry every ancestor)', async () => {
    const provinceUnit = (await Unit.findOne({ kind: 'province', active: true }).lean())!;
    const progress = await targetProgress([provinceUnit._id, ...schools.map((s) => s._id)], year - 1);
    const sum = schools.reduce((n, s) => n + progress[String(s._id)].admitted, 0);
    expect(progress[String(provinceUnit._id)].admitted).toBe(sum);
  });

  it('gives null for schools without a target and the target for the others', async () => {
    const [a] = schools;
    const far = year + 2;
    await Target.create({ unitId: a._id, year: far, admissions: 9 });
    const progress = await targetProgress(
      schools.map((s) => String(s._id)),
      far,
    );
    expect(progress[String(a._id)]).toEqual({ target: 9, admitted: 0 });
    expect(schools.length).toBeGreaterThan(1);
    for (const s of schools.slice(1)) expect(progress[String(s._id)]).toEqual({ target: null, admitted: 0 });
    expect(await targetProgress([], year)).toEqual({});
  });

  it('takes the current year in Vietnam time, and whole calendar days for decisions', () => {
    const { start, end } = yearRange(2026);
    expect(start.toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(end.toISOString()).toBe('2027-01-01T00:00:00.000Z');
    expect(vnYear(new Date('2025-12-31T17:30:00Z'))).toBe(2026);
    expect(vnYear(new Date('2025-12-31T16:30:00Z'))).toBe(2025);
  });
});

describe('the school home', () => {
  it("shows this year's progress for the user's school", async () => {
    const cookie = await signIn('doantruong.pvd@demo.vn');
    const pvd = (await Unit.findOne({ code: 'PVD' }).lean())!;
    const res = await call(schoolHomeLoader, get('/school', cookie));
    expect(res).toHaveStatus(200);
    const expected = (await targetProgress([pvd._id], year))[String(pvd._id)];
    expect(res.data.target).toEqual({ year, ...expected });
  });
});

/**
 * Selecting an outstanding member outside the criteria (issue 16, path 5), through the real
 * routes on one seeded database: the selection form shows the criteria verdict; a member
 * outside the criteria is refused without a written reason (400 beside the field, nothing
 * written), and selected with one (the override stored, audited, shown on the record, counted
 * by the dashboard with a link to exactly those records); a member who meets the criteria
 * needs no reason; the bulk path refuses a member outside the criteria even when the stored
 * eligibility column says otherwise (the verdict is computed in the action's transaction).
 */
import type { Types } from 'mongoose';
import mongoose from 'mongoose';
import { beforeAll, describe, expect, it } from 'vitest';
import { AuditEvent } from '../../models/audit-event.ts';
import { Member } from '../../models/member.ts';
import { Unit } from '../../models/unit.ts';
import { User } from '../../models/user.ts';
import { seedDatabase } from '../../seed/seed.server.ts';
import { action, loader } from '~/routes/members.$id.pipeline';
import { loader as membersLoader } from '~/routes/members._index';
import { action as readyAction } from '~/routes/pipeline.ready';
import { loader as reportsLoader } from '~/routes/reports._index';
import { verifyAudit } from '~/utils/audit/audit-verify.server';
import { invalidateDashboards } from '~/utils/reports/reports.server';
import { loadSelectionVerdict } from '~/utils/pipeline/selection.server';
import { signIn } from '../fixtures/auth.ts';
import { call, get, post, postEntries } from '../fixtures/remix.ts';

let union: string;
let province: string;
let unionUser: Types.ObjectId;
/** PVĐ members at 'member': outside the criteria (two) and meeting them (one). */
let outside: Types.ObjectId[];
let meets: Types.ObjectId;

const today = () => new Date().toISOString().slice(0, 10);
const path = (id: Types.ObjectId) => `/members/${id}/pipeline`;
const load = (id: Types.ObjectId, cookie = union) => call(loader, get(path(id), cookie), { id: String(id) });
const select = (id: Types.ObjectId, version: number, extra: Record<string, string> = {}) =>
  call(
    action,
    post(
      path(id),
      {
        intent: 'select_outstanding',
        version: String(version),
        resolutionNo: '45-NQ/ĐTN',
        resolutionDate: today(),
        ...extra,
      },
      union,
    ),
    { id: String(id) },
  );
const bulk = (ids: Types.ObjectId[]) =>
  call(
    readyAction,
    postEntries(
      '/pipeline/ready',
      [
        ['step', 'select_outstanding'],
        ['resolutionNo', '46-NQ/ĐTN'],
        ['resolutionDate', today()],
        ...ids.map((id) => ['ids', String(id)] as [string, string]),
      ],
      union,
    ),
  );

async function snapshot(id: Types.ObjectId) {
  const m = (await Member.findById(id).lean())!;
  return {
    version: m.__v ?? 0,
    stage: m.pipeline.stage,
    override: m.pipeline.selectionOverride ?? null,
    audits: await AuditEvent.countDocuments({ entityId: id }),
  };
}

const selectForm = (data: { transitions: { id: string }[] }) =>
  data.transitions.find((t) => t.id === 'select_outstanding') as
    | {
        verdict?: { status: string; failing: { explanation: { vi: string } }[] };
        fields: { name: string; required: boolean }[];
      }
    | undefined;

async function overrideFigure() {
  invalidateDashboards();
  const res = await call(reportsLoader, get('/reports', province));
  expect(res).toHaveStatus(200);
  const b = res.data.dashboard.bottlenecks.find((x: { kind: string }) => x.kind === 'override');
  const row = res.data.tables
    .find((t: { id: string }) => t.id === 'bottlenecks')
    .rows.find((r: { value: unknown }[]) => String(r[0].value).includes('Chọn ngoài tiêu chí'));
  return { count: b.count as number, href: row?.[1].href as string | undefined, tables: res.data.tables };
}

beforeAll(async () => {
  await seedDatabase({ members: 120, seed: 1, reset: true });
  union = await signIn('doantruong.pvd@demo.vn');
  province = await signIn('tinhdoan@demo.vn');
  unionUser = (await User.findOne({ email: 'doantruong.pvd@demo.vn' }).lean())!._id;
  const pvd = (await Unit.findOne({ code: 'PVD' }).lean())!;
  const candidates = await Member.find({ ancestors: pvd._id, 'pipeline.stage': 'member' })
    .select({ _id: 1, consent: 1 })
    .lean();
  outside = [];
  for (const c of candidates) {
    if (c.consent?.withdrawnAt) continue;
    const v = (await loadSelectionVerdict(c._id, {}))!;
    if (v.status === 'not_met' || v.status === 'missing') outside.push(c._id);
  }
  // One PVĐ candidate made to meet the criteria: the record of a member of the same school
  // kind who does (any school), copied field by field the engine reads.
  const others = await Member.find({ schoolKind: pvd.schoolKind, _id: mongoose.trusted({ $nin: outside }) })
    .select({ _id: 1 })
    .lean();
  let model: Types.ObjectId | undefined;
  for (const o of others) {
    if ((await loadSelectionVerdict(o._id, {}))!.status === 'met') {
      model = o._id;
      break;
    }
  }
  expect(model).toBeDefined();
  const source = (await Member.findById(model).lean())!;
  meets = outside.pop()!;
  await Member.collection.updateOne(
    { _id: meets },
    {
      $set: {
        dateOfBirth: source.dateOfBirth,
        union: source.union,
        unionRatings: source.unionRatings,
        academicTerms: source.academicTerms,
        awards: source.awards,
        activities: source.activities,
      },
    },
  );
  expect((await loadSelectionVerdict(meets, {}))!.status).toBe('met');
  expect(outside.length).toBeGreaterThanOrEqual(2);
});

describe('selecting an outstanding member against the criteria', () => {
  it('shows the verdict on the form; the reason field only outside the criteria, then required', async () => {
    const out = selectForm((await load(outside[0])).data)!;
    expect(['not_met', 'missing']).toContain(out.verdict!.status);
    expect(out.verdict!.failing.length).toBeGreaterThan(0);
    expect(out.fields.find((f) => f.name === 'overrideReason')).toEqual(
      expect.objectContaining({ required: true }),
    );
    const ok = selectForm((await load(meets)).data)!;
    expect(ok.verdict!.status).toBe('met');
    expect(ok.fields.map((f) => f.name)).not.toContain('overrideReason');
  });

  it('refuses a member outside the criteria without a reason, or with a short one: 400 beside the field, nothing written', async () => {
    const before = await snapshot(outside[0]);
    const tries: Record<string, string>[] = [{}, { overrideReason: '   ' }, { overrideReason: 'Học tốt' }];
    for (const extra of tries) {
      const res = await select(outside[0], before.version, extra);
      expect(res).toHaveStatus(400);
      const reasons = res.data.reasons as { code: string; field: string | null; message: { vi: string } }[];
      expect(reasons.map((r) => [r.code, r.field])).toEqual([
        ['selection_override_required', 'overrideReason'],
      ]);
      expect(reasons[0].message.vi).toMatch(/lý do chọn ngoài tiêu chí/i);
    }
    expect(await snapshot(outside[0])).toEqual(before);
  });

  it('selects with a written reason: stored with who, when and what failed, audited, shown on the record', async () => {
    const before = await snapshot(outside[0]);
    const reason = 'Đạt giải nhất cuộc thi Olympic tin học sinh viên toàn quốc 2026';
    const res = await select(outside[0], before.version, { overrideReason: reason });
    expect(res).toHaveStatus(302);
    const after = await snapshot(outside[0]);
    expect(after.stage).toBe('outstanding');
    expect(after.version).toBe(before.version + 1);
    const o = after.override!;
    expect(o.reason).toBe(reason);
    expect(['not_met', 'missing']).toContain(o.verdict);
    expect(String(o.by)).toBe(String(unionUser));
    expect(o.at).toBeInstanceOf(Date);
    expect(o.failing!.length).toBeGreaterThan(0);
    const event = (await AuditEvent.findOne({ entityId: outside[0], action: 'pipeline.select_outstanding' })
      .sort({ _id: -1 })
      .lean())!;
    expect(event.details).toEqual(
      expect.objectContaining({
        criteria: o.verdict,
        selectionOverride: { reason, failing: o.failing },
        version: before.version + 1,
      }),
    );
    const shown = (await load(outside[0])).data.selectionOverride;
    expect(shown).toEqual(
      expect.objectContaining({ reason, verdict: o.verdict, failing: o.failing, by: expect.any(String) }),
    );
  });

  it('selects a member who meets the criteria with no reason, and keeps no override', async () => {
    const before = await snapshot(meets);
    const res = await select(meets, before.version);
    expect(res).toHaveStatus(302);
    const after = await snapshot(meets);
    expect(after.stage).toBe('outstanding');
    expect(after.override).toBeNull();
    const event = (await AuditEvent.findOne({
      entityId: meets,
      action: 'pipeline.select_outstanding',
    }).lean())!;
    expect(event.details).toEqual(expect.objectContaining({ criteria: 'met' }));
    expect(event.details).not.toHaveProperty('selectionOverride');
    expect((await load(meets)).data.selectionOverride).toBeNull();
  });

  it('refuses a member outside the criteria in bulk, even when the stored column says eligible: nothing written', async () => {
    // A stale stored verdict: the bulk action must judge the record itself.
    await Member.collection.updateOne({ _id: outside[1] }, { $set: { 'eligibility.eligible': true } });
    const before = await snapshot(outside[1]);
    const res = await bulk([outside[1]]);
    expect(res).toHaveStatus(400);
    const refused = res.data.refused as { id: string; reasons: { vi: string }[] }[];
    expect(refused.map((r) => r.id)).toEqual([String(outside[1])]);
    expect(refused[0].reasons.map((r) => r.vi).join(' ')).toMatch(/trang hồ sơ của đoàn viên/);
    expect(await snapshot(outside[1])).toEqual(before);
    expect(await AuditEvent.countDocuments({ action: 'pipeline.bulk' })).toBe(0);
  });

  it('counts selections outside the criteria on the dashboard, linked to exactly those records', async () => {
    const byHand = await Member.countDocuments({
      'pipeline.selectionOverride.at': mongoose.trusted({ $type: 'date' }),
      'pipeline.stage': mongoose.trusted({ $ne: 'member' }),
    });
    expect(byHand).toBe(1);
    const figure = await overrideFigure();
    expect(figure.count).toBe(byHand);
    expect(figure.href).toBe('/members?due=override');
    const list = await call(membersLoader, get(figure.href!, province));
    expect(list).toHaveStatus(200);
    expect(list.data.rowCount).toBe(byHand);
    expect(list.data.rows.map((r: { id: string }) => r.id)).toEqual([String(outside[0])]);
    // The per-school table counts it too, with the school's own link.
    const schools = figure.tables.find((t: { id: string }) => t.id === 'schools');
    const cells = schools.rows.map((r: { value: unknown; href?: string }[]) => r[r.length - 1]);
    expect(cells.reduce((n: number, c: { value: number }) => n + Number(c.value), 0)).toBe(byHand);
    expect(cells.find((c: { value: number }) => c.value === 1).href).toMatch(/due=override/);
  });

  it('leaves an audit log with no gaps', async () => {
    expect((await verifyAudit()).gaps).toEqual([]);
  });
});

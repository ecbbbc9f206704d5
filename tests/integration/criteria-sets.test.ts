/**
 * Criteria sets end to end on the server: reading rights per role, "new draft
 * from this version", editing a draft (400 with the engine's error codes beside
 * the fields), active sets read-only (409), activation retiring the previous
 * version, the simulation's counts against an independent `evaluate` loop, and
 * its export; every change with its event in one transaction (a refused event leaves
 * nothing; an activation never leaves two active sets, nor none).
 */
import mongoose, { Types } from 'mongoose';
import { beforeAll, describe, expect, it } from 'vitest';
import { AuditEvent } from '../../models/audit-event.ts';
import { CriteriaSetModel } from '../../models/criteria-set.ts';
import { Member } from '../../models/member.ts';
import { Unit } from '../../models/unit.ts';
import { seedDatabase } from '../../seed/seed.server.ts';
import { ruleValues, type RuleValues } from '~/utils/forms/criteria';
import { evaluate, type CriteriaSet, type Rule } from '~/domain/criteria';
import { loader as listLoader } from '~/routes/criteria._index';
import { action as setAction, loader as setLoader } from '~/routes/criteria.$id._index';
import { action as editAction, loader as editLoader } from '~/routes/criteria.$id.edit';
import { loader as simulateLoader } from '~/routes/criteria.$id.simulate';
import { loader as exportLoader } from '~/routes/criteria.$id.simulate.export';
import { ENGINE_PROJECTION, toEngineSet } from '~/utils/criteria/criteria-engine.server';
import { verifyAudit } from '~/utils/audit/audit-verify.server';
import { signIn } from '../fixtures/auth.ts';
import { withRefusedAuditEvent } from '../fixtures/refuse-audit.ts';
import { BASE, call, get, post } from '../fixtures/remix.ts';

let province: string;
let schoolUnion: string;
let schoolParty: string;
let provinceId: Types.ObjectId;
let uniSelection: { _id: Types.ObjectId; rules: Rule[]; passMark?: number; name: string };

beforeAll(async () => {
  await seedDatabase({ members: 400, seed: 1, reset: true });
  [province, schoolUnion, schoolParty] = await Promise.all(
    ['tinhdoan@demo.vn', 'doantruong.pvd@demo.vn', 'danguy.pvd@demo.vn'].map((e) => signIn(e)),
  );
  provinceId = (await Unit.findOne({ code: 'QNG' }).lean())!._id;
  uniSelection = (await CriteriaSetModel.findOne({
    schoolKind: 'university',
    purpose: 'selection',
    status: 'active',
  }).lean()) as never;
});

/** A rule list as the editor posts it: dotted names, repeated names for award kinds. */
function editorFields(rules: RuleValues[], extra: Record<string, string> = {}): [string, string][] {
  const out: [string, string][] = Object.entries({ intent: 'save', ...extra });
  const add = (prefix: string, values: RuleValues) => {
    for (const [k, v] of Object.entries(values)) {
      if (k === 'rules' && Array.isArray(v))
        (v as RuleValues[]).forEach((alt, j) => add(`${prefix}.rules.${j}`, alt));
      else if (Array.isArray(v)) for (const item of v) out.push([`${prefix}.${k}`, String(item)]);
      else out.push([`${prefix}.${k}`, String(v)]);
    }
  };
  rules.forEach((r, i) => add(`rules.${i}`, r));
  return out;
}

function postEntries(path: string, entries: [string, string][], cookie: string): Request {
  return new Request(BASE + path, {
    method: 'POST',
    body: new URLSearchParams(entries),
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: cookie },
  });
}

const setIntent = (id: Types.ObjectId | string, intent: string, cookie = province) =>
  call(setAction, post(`/criteria/${id}`, { intent }, cookie), { id: String(id) });

describe('reading rights', () => {
  it('lists every set of the province to the province union, grouped data with statuses', async () => {
    const res = await call(listLoader, get('/criteria', province));
    expect(res).toHaveStatus(200);
    expect(res.data.canManage).toBe(true);
    expect(res.data.sets).toHaveLength(6);
    expect(res.data.sets.every((s: { status: string }) => s.status === 'active')).toBe(true);
  });

  it('shows school roles only the active sets of their school kind, read-only', async () => {
    for (const cookie of [schoolUnion, schoolParty]) {
      const res = await call(listLoader, get('/criteria', cookie));
      expect(res).toHaveStatus(200);
      expect(res.data.canManage).toBe(false);
      expect(res.data.sets.map((s: { schoolKind: string }) => s.schoolKind)).toEqual([
        'university',
        'university',
      ]);
    }
    const college = await CriteriaSetModel.findOne({ schoolKind: 'college' }).lean();
    expect(
      (await call(setLoader, get(`/criteria/${college!._id}`, schoolUnion), { id: String(college!._id) }))
        .status,
    ).toBe(404);
    const own = await call(setLoader, get(`/criteria/${uniSelection._id}`, schoolUnion), {
      id: String(uniSelection._id),
    });
    expect(own).toHaveStatus(200);
    expect(own.data.canManage).toBe(false);
  });

  it('refuses school roles every change and the simulation (403), and bad ids are 404', async () => {
    expect((await setIntent(uniSelection._id, 'new-draft', schoolUnion)).status).toBe(403);
    expect((await setIntent(uniSelection._id, 'activate', schoolParty)).status).toBe(403);
    const id = String(uniSelection._id);
    expect((await call(editLoader, get(`/criteria/${id}/edit`, schoolUnion), { id })).status).toBe(403);
    expect((await call(simulateLoader, get(`/criteria/${id}/simulate`, schoolUnion), { id })).status).toBe(
      403,
    );
    expect((await call(setLoader, get('/criteria/nope', province), { id: 'nope' })).status).toBe(404);
    expect((await setIntent(uniSelection._id, 'explode')).status).toBe(400);
  });
});

describe('drafts, simulation and activation', () => {
  let draftId: string;

  it('keeps the active set read-only and makes a new draft from it (version 2)', async () => {
    const id = String(uniSelection._id);
    expect((await call(editLoader, get(`/criteria/${id}/edit`, province), { id })).status).toBe(409);
    const direct = await call(
      editAction,
      postEntries(
        `/criteria/${id}/edit`,
        editorFields(ruleValues(uniSelection.rules), { name: 'x', passMark: '2' }),
        province,
      ),
      { id },
    );
    expect(direct).toHaveStatus(409);

    const res = await setIntent(id, 'new-draft');
    expect(res).toHaveStatus(302);
    draftId = res.location!.match(/\/criteria\/([0-9a-f]{24})\/edit/)![1];
    const draft = await CriteriaSetModel.findById(draftId).lean();
    expect(draft).toMatchObject({
      status: 'draft',
      version: 2,
      schoolKind: 'university',
      purpose: 'selection',
    });
    expect(draft!.rules).toEqual(uniSelection.rules);
    const edit = await call(editLoader, get(`/criteria/${draftId}/edit`, province), { id: draftId });
    expect(edit).toHaveStatus(200);
  });

  it('answers bad rules with 400 and the engine codes at the fields’ paths, changing nothing', async () => {
    const values = ruleValues(uniSelection.rules);
    const conduct = values.findIndex((r) => r.kind === 'min_conduct');
    values[conduct] = { ...values[conduct], minScore: '150' };
    values.push({ id: 'gpa', kind: 'union_membership_months', required: 'true', min: '6' });
    const res = await call(
      editAction,
      postEntries(`/criteria/${draftId}/edit`, editorFields(values, { name: '', passMark: '99' }), province),
      { id: draftId },
    );
    expect(res).toHaveStatus(400);
    expect(res.data.errors).toMatchObject({
      name: ['name_required'],
      [`rules.${conduct}.minScore`]: ['conduct_score_invalid'],
      [`rules.${values.length - 1}.id`]: ['rule_id_duplicate'],
    });
    // The pass mark is checked once the rules themselves parse; checked below on its own.
    expect(res.data.values.rules).toHaveLength(values.length);
    expect((await CriteriaSetModel.findById(draftId).lean())!.rules).toEqual(uniSelection.rules);

    const unreachable = await call(
      editAction,
      postEntries(
        `/criteria/${draftId}/edit`,
        editorFields(ruleValues(uniSelection.rules), { name: 'x', passMark: '99' }),
        province,
      ),
      { id: draftId },
    );
    expect(unreachable).toHaveStatus(400);
    expect(unreachable.data.errors).toEqual({ passMark: ['pass_mark_unreachable'] });
  });

  it('saves a valid edit: the conduct minimum raised to 90', async () => {
    const values = ruleValues(uniSelection.rules);
    const conduct = values.findIndex((r) => r.kind === 'min_conduct');
    values[conduct] = { ...values[conduct], minScore: '90' };
    const res = await call(
      editAction,
      postEntries(
        `/criteria/${draftId}/edit`,
        editorFields(values, { name: 'Tiêu chí ĐVƯT đại học – điểm rèn luyện 90', passMark: '2' }),
        province,
      ),
      { id: draftId },
    );
    expect(res).toRedirectTo(`/criteria/${draftId}?ok=criteria-saved`);
    const saved = await CriteriaSetModel.findById(draftId).lean();
    expect(saved!.name).toBe('Tiêu chí ĐVƯT đại học – điểm rèn luyện 90');
    expect((saved!.rules as Rule[]).find((r) => r.kind === 'min_conduct')).toMatchObject({ minScore: 90 });
    // Everything else survived the round trip through the form.
    expect((saved!.rules as Rule[]).filter((r) => r.kind !== 'min_conduct')).toEqual(
      uniSelection.rules.filter((r) => r.kind !== 'min_conduct'),
    );
  });

  it('simulates the draft beside the active set: counts equal an independent evaluate() loop', async () => {
    const res = await call(simulateLoader, get(`/criteria/${draftId}/simulate`, province), { id: draftId });
    expect(res).toHaveStatus(200);
    const draft = toEngineSet((await CriteriaSetModel.findById(draftId).lean()) as never);
    const active: CriteriaSet = toEngineSet(uniSelection as never);
    const members = await Member.find({ schoolKind: 'university', ancestors: provinceId })
      .select({ ...ENGINE_PROJECTION, _id: 1 })
      .lean();
    const asOf = new Date(res.data.asOf);
    let became_ineligible = 0;
    let became_eligible = 0;
    let eligibleBefore = 0;
    let eligibleAfter = 0;
    const changed = new Set<string>();
    for (const m of members) {
      const b = evaluate(m as never, active, asOf).eligible;
      const a = evaluate(m as never, draft, asOf).eligible;
      if (b) eligibleBefore++;
      if (a) eligibleAfter++;
      if (b && !a) became_ineligible++;
      if (!b && a) became_eligible++;
      if (a !== b) changed.add(String(m._id));
    }
    expect(res.data.counts).toEqual({
      total: members.length,
      became_eligible,
      became_ineligible,
      unchanged: members.length - became_eligible - became_ineligible,
      eligibleBefore,
      eligibleAfter,
    });
    // Raising a minimum can only take eligibility away, and on this data it does.
    expect(became_eligible).toBe(0);
    expect(became_ineligible).toBeGreaterThan(0);
    expect(res.data.rowCount).toBe(changed.size);
    const shown = res.data.rows.map((r: { id: string }) => r.id);
    expect(shown.every((id: string) => changed.has(id))).toBe(true);
    expect(res.data.rows[0].reasons[0].vi).toMatch(/Điểm rèn luyện/);

    // Filters from the URL, parsed with zod: a junk value falls back to no filter.
    const filtered = await call(
      simulateLoader,
      get(`/criteria/${draftId}/simulate?change=became_eligible&page=abc`, province),
      { id: draftId },
    );
    expect(filtered.data.rowCount).toBe(0);
    expect(filtered.data.query.page).toBe(1);

    const csv = await call(exportLoader, get(`/criteria/${draftId}/simulate/export?format=csv`, province), {
      id: draftId,
    });
    expect(csv).toHaveStatus(200);
    expect(csv.headers.get('Content-Type')).toContain('text/csv');
    expect(String(csv.data).trim().split('\r\n')).toHaveLength(changed.size + 1);
    const xlsx = await exportLoader({
      request: get(`/criteria/${draftId}/simulate/export?format=xlsx`, province),
      params: { id: draftId },
      context: {} as never,
    });
    expect(xlsx.headers.get('Content-Type')).toContain('spreadsheetml');
  });

  it('activates the draft, retiring the previous version; the new active set is read-only', async () => {
    const res = await setIntent(draftId, 'activate');
    expect(res).toRedirectTo(`/criteria/${draftId}?ok=criteria-activated`);
    const [old, now] = await Promise.all([
      CriteriaSetModel.findById(uniSelection._id).lean(),
      CriteriaSetModel.findById(draftId).lean(),
    ]);
    expect(old).toMatchObject({ status: 'retired' });
    expect(old!.retiredAt).toBeInstanceOf(Date);
    expect(now).toMatchObject({ status: 'active' });
    expect(now!.history.map((h) => h.action)).toEqual(['created', 'edited', 'activated']);
    // The set's page says who did each step, by name.
    const page = await call(setLoader, get(`/criteria/${draftId}`, province), { id: String(draftId) });
    const shown = (page.data as { set: { history: { action: string; by: string }[] } }).set.history;
    expect(shown.map((h) => h.by)).toEqual(Array(3).fill(shown[0].by));
    expect(shown[0].by).not.toBe('');
    expect(
      await CriteriaSetModel.countDocuments({
        schoolKind: 'university',
        purpose: 'selection',
        status: 'active',
      }),
    ).toBe(1);

    expect((await setIntent(draftId, 'activate')).status).toBe(409);
    expect((await call(editLoader, get(`/criteria/${draftId}/edit`, province), { id: draftId })).status).toBe(
      409,
    );
    // The retired one stays readable and can seed yet another draft (version 3).
    const again = await setIntent(uniSelection._id, 'new-draft');
    expect(again).toHaveStatus(302);
    const v3 = await CriteriaSetModel.findOne({
      schoolKind: 'university',
      purpose: 'selection',
      version: 3,
    }).lean();
    expect(v3).toMatchObject({ status: 'draft' });
  });

  it('refuses a second active set per key at the database (partial unique index)', async () => {
    const v3 = await CriteriaSetModel.findOne({ schoolKind: 'university', purpose: 'selection', version: 3 });
    v3!.status = 'active';
    await expect(v3!.save()).rejects.toMatchObject({ code: 11000 });
  });
});

describe('one action, one transaction', () => {
  const key = { schoolKind: 'college', purpose: 'selection' } as const;
  const active = () =>
    CriteriaSetModel.find({ ...key, status: 'active' })
      .select({ _id: 1 })
      .lean();
  const sets = () => CriteriaSetModel.find(key).sort({ version: 1 }).lean();
  let previous: { _id: Types.ObjectId };
  let draftId: string;

  beforeAll(async () => {
    previous = (await CriteriaSetModel.findOne({ ...key, status: 'active' }).lean())!;
  });

  it('makes no draft when its event cannot be written, then one with its event', async () => {
    const before = await sets();
    await withRefusedAuditEvent({ action: 'criteria.draft', unitId: provinceId }, async () => {
      await expect(setIntent(previous._id, 'new-draft')).rejects.toMatchObject({ code: 11000 });
    });
    expect(await sets()).toEqual(before);
    const res = await setIntent(previous._id, 'new-draft');
    expect(res).toHaveStatus(302);
    draftId = res.location!.match(/\/criteria\/([0-9a-f]{24})\/edit/)![1];
    const event = await AuditEvent.findOne({ action: 'criteria.draft', entityId: draftId }).lean();
    expect(event).toMatchObject({ entity: 'CriteriaSet', chain: `CriteriaSet:${draftId}`, seq: 1 });
  });

  it('keeps the draft as it was when the event of an edit cannot be written', async () => {
    const draft = (await CriteriaSetModel.findById(draftId).lean())!;
    const fields = editorFields(ruleValues(draft.rules as Rule[]), {
      name: 'Tiêu chí cao đẳng – đổi tên',
      ...(typeof draft.passMark === 'number' ? { passMark: String(draft.passMark) } : {}),
    });
    await withRefusedAuditEvent({ action: 'criteria.edit', entityId: draft._id }, async () => {
      await expect(
        call(editAction, postEntries(`/criteria/${draftId}/edit`, fields, province), { id: draftId }),
      ).rejects.toMatchObject({ code: 11000 });
    });
    expect(await CriteriaSetModel.findById(draftId).lean()).toEqual(draft);
    const res = await call(editAction, postEntries(`/criteria/${draftId}/edit`, fields, province), {
      id: draftId,
    });
    expect(res).toHaveStatus(302);
    expect((await CriteriaSetModel.findById(draftId).lean())!.name).toBe('Tiêu chí cao đẳng – đổi tên');
  });

  it('leaves the previous set active and the draft a draft when the activation cannot be recorded', async () => {
    const before = await sets();
    await withRefusedAuditEvent(
      { action: 'criteria.activate', entityId: new Types.ObjectId(draftId) },
      async () => {
        await expect(setIntent(draftId, 'activate')).rejects.toMatchObject({ code: 11000 });
      },
    );
    // The retirement of the previous set, written first, went with the rest.
    expect(await sets()).toEqual(before);
    expect((await active()).map((s) => String(s._id))).toEqual([String(previous._id)]);
  });

  it('activates with the retirement and the event together, one active set at every moment', async () => {
    const res = await setIntent(draftId, 'activate');
    expect(res).toHaveStatus(302);
    expect((await active()).map((s) => String(s._id))).toEqual([draftId]);
    expect((await CriteriaSetModel.findById(previous._id).lean())!.status).toBe('retired');
    const event = (await AuditEvent.findOne({ action: 'criteria.activate', entityId: draftId }).lean())!;
    expect(String((event.details as { retired: unknown }).retired)).toBe(String(previous._id));

    // Two drafts activated at once: the later transaction retires the one activated first.
    const a = (await setIntent(draftId, 'new-draft')).location!.match(/\/criteria\/([0-9a-f]{24})\//)![1];
    const b = (await setIntent(draftId, 'new-draft')).location!.match(/\/criteria\/([0-9a-f]{24})\//)![1];
    const both = await Promise.all([setIntent(a, 'activate'), setIntent(b, 'activate')]);
    expect(both.map((r) => r.status)).toEqual([302, 302]);
    const now = (await active()).map((s) => String(s._id));
    expect(now).toHaveLength(1);
    expect([a, b]).toContain(now[0]);
    const statuses = Object.fromEntries((await sets()).map((s) => [String(s._id), s.status]));
    expect(statuses[draftId]).toBe('retired');
    expect(statuses[now[0] === a ? b : a]).toBe('retired');
    expect(
      await AuditEvent.countDocuments({
        action: 'criteria.activate',
        entityId: mongoose.trusted({ $in: [a, b].map((id) => new Types.ObjectId(id)) }),
      }),
    ).toBe(2);

    const report = await verifyAudit();
    expect(report.problem).toBeNull();
    expect(report.gaps).toEqual([]);
    expect(report.unchained).toBe(0);
  });
});

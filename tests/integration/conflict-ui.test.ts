/**
 * Rule conflicts as users see them (issue 16, path 4), through the real loaders: the member
 * header of every tab carries the conflicts (and the override: who, when, why); the save that
 * broke a step says what it broke on the page it lands on (the root's generic toast gives way);
 * the Quy trình tab lists them with the override form, shut for the author of the change;
 * the board card and the member list mark the record; `due=conflict` lists exactly the records
 * with open conflicts; the province's dashboard counts them, linked to that filter.
 */
import mongoose, { type Types } from 'mongoose';
import { beforeAll, describe, expect, it } from 'vitest';
import { Member } from '../../models/member.ts';
import { seedDatabase } from '../../seed/seed.server.ts';
import { openConflicts } from '~/domain/pipeline';
import { loader as rootLoader } from '~/root';
import { loader as headerLoader } from '~/routes/members.$id';
import { action as editAction, loader as editLoader } from '~/routes/members.$id.edit';
import { action as tabAction, loader as tabLoader } from '~/routes/members.$id.pipeline';
import { loader as membersLoader } from '~/routes/members._index';
import { loader as boardLoader } from '~/routes/pipeline._index';
import { loader as reportsLoader } from '~/routes/reports._index';
import { verifyAudit } from '~/utils/audit/audit-verify.server';
import { invalidateDashboards } from '~/utils/reports/reports.server';
import { signIn } from '../fixtures/auth.ts';
import {
  ago,
  bornBefore,
  candidateAt,
  candidatePool,
  type CandidatePool,
  userByEmail,
  versionOf,
} from '../fixtures/pipeline-candidates.ts';
import { call, get, post } from '../fixtures/remix.ts';

let union: string;
let danguy: string;
let province: string;
let pool: CandidatePool;
let pvd: Types.ObjectId;

beforeAll(async () => {
  await seedDatabase({ members: 40, seed: 1, reset: true });
  [union, danguy, province] = await Promise.all(
    ['doantruong.pvd@demo.vn', 'danguy.pvd@demo.vn', 'tinhdoan@demo.vn'].map((e) => signIn(e)),
  );
  pool = await candidatePool();
  pvd = pool.school._id;
}, 60_000);

/** A PVĐ member at 'branch_vote', consistent: vote 20 days ago, 8 of 9, recorded by the admin. */
const candidate = async () => (await candidateAt(pool, 'branch_vote', { vote: 'no-cell' }))._id;

/** Saves the identity form with a new date of birth, as the edit page posts it. */
async function editBirth(cookie: string, id: Types.ObjectId, dateOfBirth: string) {
  const form = await call(editLoader, get(`/members/${id}/edit`, cookie), { id: String(id) });
  const { values, version: v } = (
    form.data as { member: { values: Record<string, string>; version: number } }
  ).member;
  return call(
    editAction,
    post(`/members/${id}/edit`, { intent: 'save', ...values, dateOfBirth, version: String(v) }, cookie),
    { id: String(id) },
  );
}

interface ConflictsData {
  list: { key: string; message: { vi: string }; by: string | null; overridden: boolean }[];
  open: number;
  override: { by: string | null; at: string | null; reason: string } | null;
  canOverride: boolean;
  ownEdit: boolean;
}
interface HeaderData {
  conflicts: ConflictsData;
  broke: { broke: { vi: string }[]; fallback: string } | null;
}
/** The member header's loader data for a URL (relative, with its query). */
const header = async (url: string, cookie: string, id: Types.ObjectId) =>
  (await call(headerLoader, get(url, cookie), { id: String(id) })).data as HeaderData;
const tab = async (cookie: string, id: Types.ObjectId) =>
  (await call(tabLoader, get(`/members/${id}/pipeline`, cookie), { id: String(id) })).data as {
    conflicts: ConflictsData;
  };
const toastOf = async (url: string, cookie: string) =>
  ((await call(rootLoader, get(url, cookie))).data as { toast: string | null }).toast;

describe('the header, the flash after the save and the tab', () => {
  let id: Types.ObjectId;
  let savedAt: string;
  beforeAll(async () => {
    id = await candidate();
  });

  it('shows nothing while the record holds', async () => {
    const h = await header(`/members/${id}`, danguy, id);
    expect(h.conflicts.list).toEqual([]);
    expect(h.broke).toBeNull();
  });

  it('after the edit that breaks the vote: the page the save lands on says what it broke', async () => {
    const res = await editBirth(union, id, bornBefore(20, 18, 1));
    expect(res).toHaveStatus(302);
    savedAt = res.location!;
    expect(savedAt).toContain('ok=memberSavedConflict&broke=');
    const h = await header(savedAt, union, id);
    expect(h.broke?.broke.map((m) => m.vi)).toHaveLength(1);
    expect(h.broke!.broke[0].vi).toMatch(
      /^Bước "Chi bộ xét, biểu quyết" ngày \d\d\/\d\d\/\d{4}: Chưa đủ 18 tuổi/,
    );
    // The root's generic toast gives way to the header's flash; other toasts stay.
    expect(await toastOf(savedAt, union)).toBeNull();
    expect(await toastOf(`/members/${id}?ok=memberSaved`, union)).toBe('toast.memberSaved');
  });

  it('a broke key no longer on the record falls back to the save’s own toast text', async () => {
    const h = await header(`/members/${id}?ok=memberSavedConflict&broke=nope`, union, id);
    expect(h.broke).toEqual({ broke: [], fallback: 'toast.memberSavedConflict' });
  });

  it('the header of every tab carries the conflict, open, with who produced it', async () => {
    const h = await header(`/members/${id}/criteria`, danguy, id);
    expect(h.broke).toBeNull();
    expect(h.conflicts.open).toBe(1);
    expect(h.conflicts.list).toHaveLength(1);
    expect(h.conflicts.list[0].message.vi).toContain('Chưa đủ 18 tuổi');
    expect(h.conflicts.list[0].overridden).toBe(false);
    expect(h.conflicts.list[0].by).toBe((await userByEmail('doantruong.pvd@demo.vn')).name);
    expect(h.conflicts.override).toBeNull();
  });

  it('the tab shuts the override form for the author of the change and opens it for another user', async () => {
    const own = (await tab(union, id)).conflicts;
    expect(own).toMatchObject({ open: 1, ownEdit: true, canOverride: false });
    const other = (await tab(danguy, id)).conflicts;
    expect(other).toMatchObject({ open: 1, ownEdit: false, canOverride: true });
  });

  it('after a different user’s override, the header shows it (by whom, when, why) and nothing is open', async () => {
    const reason = 'Đảng ủy đã đối chiếu giấy khai sinh bản gốc; giữ kết quả biểu quyết.';
    const res = await call(
      tabAction,
      post(
        `/members/${id}/pipeline`,
        { intent: 'conflict_override', reason, version: String(await versionOf(id)) },
        danguy,
      ),
      { id: String(id) },
    );
    expect(res).toHaveStatus(302);
    const h = await header(`/members/${id}/pipeline`, union, id);
    expect(h.conflicts.open).toBe(0);
    expect(h.conflicts.list[0].overridden).toBe(true);
    expect(h.conflicts.override).toMatchObject({
      by: (await userByEmail('danguy.pvd@demo.vn')).name,
      reason,
    });
    expect(h.conflicts.override!.at).toMatch(/^\d{4}-\d\d-\d\dT/);
    overridden = id;
    // Nothing left to override: no form for anyone.
    expect((await tab(union, id)).conflicts).toMatchObject({ canOverride: false, ownEdit: false });
  });
});

/** Records of these tests: one overridden (nothing open), two with open conflicts. */
let overridden: Types.ObjectId;
const open: Types.ObjectId[] = [];

describe('the paper dossier save that breaks a step', () => {
  it('lands on the tab with what it broke', async () => {
    const id = await candidate();
    open.push(id);
    const page = await call(tabLoader, get(`/members/${id}/pipeline`, union), { id: String(id) });
    const rows = (page.data as { dossier: { form: string }[] }).dossier;
    const n = rows.findIndex((r) => r.form === '1-KNĐ') + 1;
    expect(n).toBeGreaterThan(0);
    // The application received after the introduction and the vote: the order no longer holds.
    const res = await call(
      tabAction,
      post(
        `/members/${id}/pipeline`,
        { intent: 'dossier', [`receivedAt.${n}`]: ago(10), version: String(await versionOf(id)) },
        union,
      ),
      { id: String(id) },
    );
    expect(res).toHaveStatus(302);
    expect(res.location).toContain(`/members/${id}/pipeline?ok=pipelineDossierSavedConflict&broke=`);
    const h = await header(res.location!, union, id);
    expect(h.broke!.broke.length).toBeGreaterThan(0);
    expect(h.broke!.broke.every((m) => m.vi.startsWith('Bước "'))).toBe(true);
    expect(await toastOf(res.location!, union)).toBeNull();
  });
});

/** Records whose stored conflicts are not all covered by an override: the pure rule, not the counter. */
async function openByHand() {
  const all = await Member.find({ 'pipeline.conflicts.0': mongoose.trusted({ $exists: true }) })
    .select({ pipeline: 1 })
    .lean();
  return all
    .filter((m) => openConflicts(m.pipeline as Parameters<typeof openConflicts>[0]).length > 0)
    .map((m) => String(m._id))
    .sort();
}

describe('the board card, the member list and the province’s count', () => {
  beforeAll(async () => {
    const id = await candidate();
    expect((await editBirth(union, id, bornBefore(20, 18, 1))).status).toBe(302);
    open.push(id);
  });

  it('the board card marks the records with open conflicts, not the overridden one', async () => {
    const res = await call(boardLoader, get('/pipeline?stage=branch_vote', union));
    expect(res).toHaveStatus(200);
    const cards = (res.data as { lanes: { cards: { id: string; openConflicts: number }[] }[] }).lanes.flatMap(
      (l) => l.cards,
    );
    const card = (id: Types.ObjectId) => cards.find((c) => c.id === String(id));
    expect(card(open[1])?.openConflicts).toBe(1);
    expect(card(overridden)?.openConflicts).toBe(0);
    const others = cards.filter((c) => ![...open, overridden].some((id) => String(id) === c.id));
    expect(others.every((c) => c.openConflicts === 0)).toBe(true);
  });

  it('due=conflict lists exactly the records with open conflicts, each row marked', async () => {
    const byHand = await openByHand();
    expect(byHand).toEqual(open.map(String).sort());
    const res = await call(membersLoader, get('/members?due=conflict&size=100', province));
    expect(res.status, String(res.location)).toBe(200);
    const d = res.data as { rowCount: number; rows: { id: string; openConflicts: number }[] };
    expect(d.rows.map((r) => r.id).sort()).toEqual(byHand);
    expect(d.rowCount).toBe(byHand.length);
    expect(d.rows.every((r) => r.openConflicts > 0)).toBe(true);
    // The unfiltered list marks the same rows and no other.
    const all = await call(membersLoader, get('/members?size=100&school=' + String(pvd), union));
    const marked = (all.data as { rows: { id: string; openConflicts: number }[] }).rows
      .filter((r) => r.openConflicts > 0)
      .map((r) => r.id)
      .sort();
    expect(marked).toEqual(byHand);
  });

  it('the province’s dashboard counts them, linked to that filter', async () => {
    invalidateDashboards();
    const res = await call(reportsLoader, get('/reports', province));
    expect(res).toHaveStatus(200);
    const d = res.data as {
      dashboard: { bottlenecks: { kind: string; count: number; items: unknown[] }[] };
      tables: { id: string; rows: { value: unknown; href?: string }[][] }[];
    };
    const b = d.dashboard.bottlenecks.find((x) => x.kind === 'conflict')!;
    expect(b.count).toBe((await openByHand()).length);
    expect(b.count).toBe(2);
    const row = d.tables
      .find((t) => t.id === 'bottlenecks')!
      .rows.find((r) => String(r[0].value).startsWith('Xung đột quy tắc'))!;
    expect(row[1]).toMatchObject({ value: 2, href: '/members?due=conflict' });
  });

  it('a correction takes the record off the list at once, and off the dashboard’s next count', async () => {
    const before = (await openByHand()).length;
    // Exactly 18 on the meeting date again.
    expect((await editBirth(union, open[1], bornBefore(20, 18))).status).toBe(302);
    expect((await openByHand()).length).toBe(before - 1);
    const list = await call(membersLoader, get('/members?due=conflict&size=100', province));
    expect((list.data as { rowCount: number }).rowCount).toBe(before - 1);
    // Kept figures are served while a recount runs (decision 013): count afresh.
    invalidateDashboards();
    const res = await call(reportsLoader, get('/reports', province));
    const b = (res.data as { dashboard: { bottlenecks: { kind: string; count: number }[] } }).dashboard
      .bottlenecks;
    expect(b.find((x) => x.kind === 'conflict')!.count).toBe(before - 1);
  });
});

describe('the audit log', () => {
  it('has no gaps after these flows', async () => {
    expect((await verifyAudit()).gaps).toEqual([]);
  });
});

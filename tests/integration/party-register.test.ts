/**
 * The chi bộ registers of official members: the school Party committee records a count
 * from a day with a reason (bad input: messages, nothing written; another school's cell:
 * 404), the unit keeps today's count, the record and its event commit together, a cell
 * from before the register keeps its old count as its first entry, and the unit editor
 * no longer changes a cell's count outside the register.
 */
import mongoose, { type Types } from 'mongoose';
import { beforeAll, describe, expect, it } from 'vitest';
import { AuditEvent } from '../../models/audit-event.ts';
import { Unit } from '../../models/unit.ts';
import { seedDatabase } from '../../seed/seed.server.ts';
import { countOn, registerOf } from '~/domain/party-register';
import { action as editUnitAction } from '~/routes/admin.units.$id';
import { action, loader } from '~/routes/school.party-cells';
import { verifyAudit } from '~/utils/audit/audit-verify.server';
import { signIn } from '../fixtures/auth.ts';
import { withRefusedAuditEvent } from '../fixtures/refuse-audit.ts';
import { call, get, post } from '../fixtures/remix.ts';

let party: string;
let union: string;
let admin: string;
let cell: { _id: Types.ObjectId; officialMemberCount?: number | null };
let foreignCell: { _id: Types.ObjectId };

beforeAll(async () => {
  await seedDatabase({ members: 30, seed: 1, reset: true });
  [party, union, admin] = await Promise.all(
    ['danguy.pvd@demo.vn', 'doantruong.pvd@demo.vn', 'admin@demo.vn'].map((e) => signIn(e)),
  );
  const pvd = (await Unit.findOne({ code: 'PVD' }).lean())!;
  cell = (await Unit.findOne({ kind: 'party_cell', schoolId: pvd._id }).lean())!;
  foreignCell = (await Unit.findOne({
    kind: 'party_cell',
    schoolId: mongoose.trusted({ $ne: pvd._id }),
  }).lean())!;
});

const record = (fields: Record<string, string>, cookie = party) =>
  call(action, post('/school/party-cells', fields, cookie));

describe('the page', () => {
  it('lists the school’s cells with today’s count and their entries, for the Party side only', async () => {
    const res = await call(loader, get('/school/party-cells', party));
    expect(res).toHaveStatus(200);
    const cells = (res.data as { cells: { id: string; today: number | null; entries: unknown[] }[] }).cells;
    const ours = cells.find((c) => c.id === String(cell._id))!;
    expect(ours.today).toBe(cell.officialMemberCount);
    expect(ours.entries).toHaveLength(1);
    expect(cells.some((c) => c.id === String(foreignCell._id))).toBe(false);
    expect((await call(loader, get('/school/party-cells', union))).status).toBe(403);
  });
});

describe('recording a count', () => {
  it('refuses bad input beside each field and writes nothing', async () => {
    const before = await Unit.findById(cell._id).lean();
    const res = await record({ cellId: String(cell._id), count: '0', from: '2099-01-01', reason: ' ' });
    expect(res).toHaveStatus(400);
    expect(res.data).toMatchObject({
      cellId: String(cell._id),
      fieldErrors: {
        count: ['register.v.count'],
        from: ['register.v.fromFuture'],
        reason: ['register.v.reason'],
      },
      // conform's reply, for the cell's form as lastResult.
      result: {
        error: {
          count: ['register.v.count'],
          from: ['register.v.fromFuture'],
          reason: ['register.v.reason'],
        },
      },
    });
    expect(await Unit.findById(cell._id).lean()).toEqual(before);
  });

  it('answers 404 for another school’s cell and for a bad id', async () => {
    const fields = { count: '20', from: '2026-01-05', reason: 'Kết nạp' };
    expect((await record({ ...fields, cellId: String(foreignCell._id) })).status).toBe(404);
    expect((await record({ ...fields, cellId: 'nope' })).status).toBe(404);
    expect(await AuditEvent.countDocuments({ action: 'unit.register' })).toBe(0);
  });

  it('adds the entry, keeps today’s count on the unit, and records it with its event', async () => {
    const res = await record({
      cellId: String(cell._id),
      count: '16',
      from: '2026-01-05',
      reason: 'Kết nạp 2 đảng viên mới',
    });
    expect(res).toRedirectTo(`/school/party-cells?ok=${cell._id}`);
    const after = (await Unit.findById(cell._id).lean())!;
    const register = registerOf(after);
    expect(register).toHaveLength(2);
    expect(countOn(register, '2026-01-04')).toBe(cell.officialMemberCount);
    expect(countOn(register, '2026-01-05')).toBe(16);
    expect(after.officialMemberCount).toBe(16);
    const event = (await AuditEvent.findOne({ action: 'unit.register', entityId: cell._id }).lean())!;
    expect(event.details).toMatchObject({
      before: { count: cell.officialMemberCount },
      after: { count: 16 },
      from: '2026-01-05',
      reason: 'Kết nạp 2 đảng viên mới',
    });
    expect((await verifyAudit()).problem).toBeNull();
  });

  it('writes nothing when its event cannot be written', async () => {
    const before = await Unit.findById(cell._id).lean();
    const res = await withRefusedAuditEvent({ action: 'unit.register' }, () =>
      record({ cellId: String(cell._id), count: '30', from: '2026-02-01', reason: 'Chuyển đến' }).catch(
        (e: unknown) => e,
      ),
    );
    expect(res).not.toMatchObject({ status: 302 });
    expect(await Unit.findById(cell._id).lean()).toEqual(before);
  });

  it('keeps the single count of a cell from before the register as its first entry', async () => {
    await Unit.collection.updateOne(
      { _id: cell._id },
      { $unset: { officialMembers: 1 }, $set: { officialMemberCount: 11 } },
    );
    expect(
      (await record({ cellId: String(cell._id), count: '12', from: '2026-03-02', reason: 'Kết nạp' })).status,
    ).toBe(302);
    const register = registerOf((await Unit.findById(cell._id).lean())!);
    expect(register.map((e) => e.count)).toEqual([11, 12]);
    expect(countOn(register, '2020-01-01')).toBe(11);
  });
});

describe('the unit editor', () => {
  it('leaves an existing cell’s count to the register', async () => {
    const current = (await Unit.findById(cell._id).lean())!;
    const res = await call(
      editUnitAction,
      post(
        `/admin/units/${cell._id}`,
        {
          intent: 'save',
          name: current.name,
          shortName: current.shortName ?? '',
          code: current.code,
          kind: 'party_cell',
          parentId: String(current.parentId),
          officialMemberCount: '99',
        },
        admin,
      ),
      { id: String(cell._id) },
    );
    expect(res).toHaveStatus(302);
    const after = (await Unit.findById(cell._id).lean())!;
    expect(after.officialMemberCount).toBe(current.officialMemberCount);
    expect(registerOf(after)).toEqual(registerOf(current));
  });
});

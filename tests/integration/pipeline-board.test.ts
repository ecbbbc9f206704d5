/**
 * `/pipeline` (lanes, counts, filters, scope) and its bulk actions (`/pipeline/ready`
 * advance, return for improvement): all or nothing for what the user can fix, one
 * conditional write per record, audit events, stored next deadlines kept in step, and the
 * whole bulk one transaction with its `pipeline.bulk` event; a record changed by someone
 * else while it runs is skipped and counted. Also the concurrency rule of a single step:
 * 20 parallel attempts, one winner.
 */
import mongoose, { Types } from 'mongoose';
import { beforeAll, describe, expect, it } from 'vitest';
import { AuditEvent } from '../../models/audit-event.ts';
import { Holiday } from '../../models/holiday.ts';
import { Member } from '../../models/member.ts';
import { Unit } from '../../models/unit.ts';
import { seedDatabase } from '../../seed/seed.server.ts';
import { nextDue } from '~/domain/deadlines';
import type { PipelineMember } from '~/domain/pipeline';
import { OPEN_STAGES } from '~/domain/stages';
import { calendarFromHolidayTable } from '~/domain/working-days';
import { action as boardAction, loader as boardLoader } from '~/routes/pipeline._index';
import { action as readyAction, loader as readyLoader } from '~/routes/pipeline.ready';
import { action as stepAction } from '~/routes/members.$id.pipeline';
import { appendAudit } from '~/utils/audit/audit.server';
import { verifyAudit } from '~/utils/audit/audit-verify.server';
import { todayAsStoredDay } from '~/utils/pipeline/pipeline-board.server';
import { inTransaction } from '~/utils/transaction.server';
import { signIn } from '../fixtures/auth.ts';
import { withRefusedAuditEvent } from '../fixtures/refuse-audit.ts';
import { call, get, post, postEntries } from '../fixtures/remix.ts';

let party: string;
let party2: string;
let union: string;
let province: string;
let admin: string;
let student: string;
let pvd: Types.ObjectId;

beforeAll(async () => {
  await seedDatabase({ members: 600, seed: 1, reset: true });
  [party, party2, union, province, admin, student] = await Promise.all(
    [
      'danguy.pvd@demo.vn',
      'bithu.pvd@demo.vn',
      'doantruong.pvd@demo.vn',
      'tinhdoan@demo.vn',
      'admin@demo.vn',
      'sinhvien@demo.vn',
    ].map((e) => signIn(e)),
  );
  pvd = (await Unit.findOne({ code: 'PVD' }).lean())!._id;
}, 60_000);

const board = (cookie: string, qs = '') => call(boardLoader, get(`/pipeline${qs}`, cookie));

async function stageCounts(match: Record<string, unknown>) {
  const rows = await Member.aggregate<{ _id: string; n: number }>([
    { $match: match },
    { $group: { _id: '$pipeline.stage', n: { $sum: 1 } } },
  ]);
  return new Map(rows.map((r) => [r._id, r.n]));
}

describe('the board', () => {
  it('shows the school its own lanes, with counts that match the records', async () => {
    const res = await board(party);
    expect(res).toHaveStatus(200);
    const counts = await stageCounts({ ancestors: pvd });
    expect(res.data.lanes.map((l: { stage: string }) => l.stage)).toEqual([...OPEN_STAGES]);
    for (const lane of res.data.lanes) {
      expect(lane.count).toBe(counts.get(lane.stage) ?? 0);
      expect(lane.cards.length).toBe(Math.min(lane.count, 8));
    }
    const ids = res.data.lanes.flatMap((l: { cards: { id: string }[] }) => l.cards.map((c) => c.id));
    expect(ids.length).toBeGreaterThan(0);
    const foreign = await Member.countDocuments({
      _id: mongoose.trusted({ $in: ids.map((id: string) => new Types.ObjectId(id)) }),
      schoolId: mongoose.trusted({ $ne: pvd }),
    });
    expect(foreign).toBe(0);
    expect(res.data.wide).toBe(false);
  });

  it('gives the province every school, and totals that match the database', async () => {
    const res = await board(province);
    const counts = await stageCounts({});
    const inFlight = OPEN_STAGES.reduce((n, s) => n + (counts.get(s) ?? 0), 0);
    expect(res.data.totals.inFlight).toBe(inFlight);
    expect(res.data.totals.official).toBe(counts.get('official') ?? 0);
    const overdue = await Member.countDocuments({
      'pipeline.stage': mongoose.trusted({ $in: [...OPEN_STAGES] }),
      'pipeline.due.at': mongoose.trusted({ $lt: todayAsStoredDay(new Date()) }),
    });
    expect(overdue).toBeGreaterThan(0);
    expect(res.data.totals.overdue).toBe(overdue);
    expect(res.data.filters.schools.length).toBeGreaterThan(10);
  });

  it('stores each record’s next deadline as the deadline rules compute it', async () => {
    const holidays = await Holiday.find().lean();
    const calendar = calendarFromHolidayTable(holidays);
    const now = new Date();
    const rows = await Member.find({ 'pipeline.stage': mongoose.trusted({ $ne: 'member' }) })
      .select({ dateOfBirth: 1, pipeline: 1 })
      .lean();
    expect(rows.length).toBeGreaterThan(100);
    for (const r of rows) {
      const due = nextDue(r as unknown as PipelineMember, calendar, now);
      expect(r.pipeline.due?.kind ?? null).toBe(due?.kind ?? null);
      expect(r.pipeline.due?.at?.toISOString().slice(0, 10) ?? null).toBe(due?.dueDate ?? null);
    }
  });

  it('puts overdue cards first and filters to overdue only', async () => {
    const res = await board(province, '?overdue=1');
    const cards = res.data.lanes.flatMap((l: { cards: { due: { status: string } | null }[] }) => l.cards);
    expect(cards.length).toBeGreaterThan(0);
    for (const c of cards) expect(c.due?.status).toBe('overdue');
    const lane = res.data.lanes.find((l: { stage: string }) => l.stage === 'branch_vote');
    expect(lane.count).toBe(lane.overdue);
  });

  it('filters by school and by party cell, ignoring a cell of another school', async () => {
    const res = await board(province, `?school=${pvd}`);
    const counts = await stageCounts({ ancestors: pvd });
    expect(res.data.lanes).not.toHaveLength(0);
    for (const lane of res.data.lanes) expect(lane.count).toBe(counts.get(lane.stage) ?? 0);
    expect(res.data.filters.cells.length).toBeGreaterThan(0);
    const cell = res.data.filters.cells[0].id as string;
    const inCell = await board(province, `?school=${pvd}&cell=${cell}`);
    const cellCounts = await stageCounts({ ancestors: new Types.ObjectId(cell) });
    expect(inCell.data.lanes).not.toHaveLength(0);
    for (const lane of inCell.data.lanes) expect(lane.count).toBe(cellCounts.get(lane.stage) ?? 0);
    const otherCell = (await Unit.findOne({
      kind: 'party_cell',
      ancestors: mongoose.trusted({ $ne: pvd }),
    }).lean())!;
    const own = (await board(party)).data.totals;
    const forged = await board(party, `?cell=${otherCell._id}`);
    expect(forged.data.query.cell).toBeUndefined();
    expect(forged.data.totals).toEqual(own);
    // A school role has no school filter: another school's id must not move its scope.
    const otherSchool = (await Unit.findOne({ kind: 'school', _id: mongoose.trusted({ $ne: pvd }) }).lean())!;
    const moved = await board(party, `?school=${otherSchool._id}&cell=${otherCell._id}`);
    expect(moved.data.query.school).toBeUndefined();
    expect(moved.data.totals).toEqual(own);
  });

  it('pages one lane at a time, most urgent first', async () => {
    const res = await board(province, '?stage=outstanding');
    expect(res.data.lanes).toHaveLength(1);
    const cards = res.data.lanes[0].cards as { due: { date: string } | null }[];
    expect(cards.length).toBe(Math.min(50, res.data.lanes[0].count));
    const dates = cards.filter((c) => c.due).map((c) => c.due!.date);
    expect(dates).toEqual([...dates].sort());
    const undatedAfterDated = cards.findIndex((c) => !c.due);
    if (undatedAfterDated >= 0) expect(cards.slice(undatedAfterDated).every((c) => !c.due)).toBe(true);
    const page2 = await board(province, '?stage=outstanding&page=2');
    const first = new Set(res.data.lanes[0].cards.map((c: { id: string }) => c.id));
    expect(page2.data.lanes[0].cards).not.toHaveLength(0);
    for (const c of page2.data.lanes[0].cards) expect(first.has(c.id)).toBe(false);
  });

  it('keeps students out and ignores junk in the query', async () => {
    expect((await board(student)).status).toBe(403);
    const junk = await board(party, '?stage=nope&school=zzz&page=-4&overdue=maybe');
    expect(junk).toHaveStatus(200);
    expect(junk.data.query).toMatchObject({ stage: undefined, school: undefined, page: 1, overdue: false });
  });
});

const returnIds = (ids: string[], reason: string, cookie: string, qs = '') =>
  call(
    boardAction,
    postEntries(
      `/pipeline${qs}`,
      [['intent', 'return'], ['reason', reason], ...ids.map((id) => ['ids', id] as [string, string])],
      cookie,
    ),
  );

async function idsAt(stage: string, school: Types.ObjectId | null, n: number): Promise<Types.ObjectId[]> {
  const filter: Record<string, unknown> = {
    'pipeline.stage': stage,
    ...(school ? { schoolId: school } : {}),
  };
  const rows = await Member.find(filter)
    .sort({ _id: 1 })
    .limit(n)
    .select({ _id: 1 })
    .lean<{ _id: Types.ObjectId }[]>();
  return rows.map((r) => r._id);
}

/** What the test compares to show a bulk left a record alone: the whole stored document. */
const stored = async (ids: Types.ObjectId[]) =>
  JSON.stringify(
    await Member.find({ _id: mongoose.trusted({ $in: ids }) })
      .sort({ _id: 1 })
      .lean(),
  );

/** The ids of the bulk steps' events so far. */
async function bulkIds(): Promise<Set<string>> {
  const rows = await AuditEvent.find({ action: 'pipeline.bulk' }).select({ _id: 1 }).lean();
  return new Set(rows.map((r) => String(r._id)));
}

/** The one bulk event written since `before`. */
async function newBulk(before: Set<string>) {
  const rows = await AuditEvent.find({ action: 'pipeline.bulk' }).lean();
  const added = rows.filter((r) => !before.has(String(r._id)));
  expect(added).toHaveLength(1);
  return added[0];
}

/** The bulk event lists exactly `ids`, and exactly their step events name it. */
async function expectBulkOf(
  bulkEvent: { entityId?: Types.ObjectId | null; details?: unknown },
  ids: string[],
  action: string,
) {
  const listed = ((bulkEvent.details as { members: Types.ObjectId[] }).members ?? []).map(String);
  expect(listed.sort()).toEqual([...ids].sort());
  const steps = await AuditEvent.find({ action, 'details.bulkId': bulkEvent.entityId }).lean();
  expect(steps.map((e) => String(e.entityId)).sort()).toEqual([...ids].sort());
}

describe('bulk return for improvement', () => {
  it('returns every selected record with the reason, one history entry and audit event each', async () => {
    const ids = await idsAt('awareness_class', pvd, 2);
    expect(ids).toHaveLength(2);
    const audits = await AuditEvent.countDocuments({ action: 'pipeline.return_for_improvement' });
    const bulksBefore = await bulkIds();
    const res = await returnIds(
      ids.map(String),
      'Bổ sung bản sao giấy chứng nhận',
      party,
      '?stage=awareness_class',
    );
    expect(res).toHaveStatus(302);
    expect(res.location).toContain('returned=2');
    const after = await Member.find({ _id: mongoose.trusted({ $in: ids }) }).lean();
    expect(after).toHaveLength(ids.length);
    for (const m of after) {
      expect(m.pipeline.stage).toBe('returned');
      expect(m.pipeline.returnReason).toBe('Bổ sung bản sao giấy chứng nhận');
      expect(m.pipeline.history.at(-1)?.stage).toBe('returned');
    }
    expect(await AuditEvent.countDocuments({ action: 'pipeline.return_for_improvement' })).toBe(audits + 2);
    const bulkEvent = await newBulk(bulksBefore);
    expect(bulkEvent).toMatchObject({
      entity: 'PipelineBulk',
      unitId: pvd,
      details: { step: 'return_for_improvement', skipped: 0 },
    });
    await expectBulkOf(bulkEvent, ids.map(String), 'pipeline.return_for_improvement');
    expect((await verifyAudit()).gaps).toEqual([]);
  });

  it('refuses without a reason, or with another school’s record, writing nothing', async () => {
    const ids = await idsAt('dossier', pvd, 1);
    const foreign = await idsAt('dossier', null, 50).then(async (all) => {
      const m = await Member.findOne({
        _id: mongoose.trusted({ $in: all }),
        schoolId: mongoose.trusted({ $ne: pvd }),
      }).lean();
      return m!._id;
    });
    const before = await Member.find({ _id: mongoose.trusted({ $in: [...ids, foreign] }) })
      .select({ __v: 1 })
      .lean();
    const noReason = await returnIds(ids.map(String), '   ', party);
    expect(noReason).toHaveStatus(400);
    expect(noReason.data.fieldErrors.reason.vi).toMatch(/Lý do/);
    const mixed = await returnIds([String(ids[0]), String(foreign)], 'Thiếu lý lịch', party);
    expect(mixed).toHaveStatus(400);
    expect(mixed.data.refused.at(-1).reasons[0].vi).toMatch(/không thuộc phạm vi/);
    const none = await returnIds([], 'x', party);
    expect(none).toHaveStatus(400);
    const after = await Member.find({ _id: mongoose.trusted({ $in: [...ids, foreign] }) })
      .select({ __v: 1 })
      .lean();
    expect(after.map((m) => m.__v)).toEqual(before.map((m) => m.__v));
  });

  it('lets the province return before the decision, never after it', async () => {
    const [early] = await idsAt('introduced', null, 1);
    const [late] = await idsAt('probation', null, 1);
    const refused = await returnIds([String(early), String(late)], 'Tỉnh đoàn đề nghị làm rõ', province);
    expect(refused).toHaveStatus(400);
    expect(refused.data.refused).toHaveLength(1);
    expect(refused.data.refused[0].id).toBe(String(late));
    expect((await Member.findById(early).lean())!.pipeline.stage).toBe('introduced');
    const ok = await returnIds([String(early)], 'Tỉnh đoàn đề nghị làm rõ', province);
    expect(ok).toHaveStatus(302);
    expect((await Member.findById(early).lean())!.pipeline.stage).toBe('returned');
  });

  it('is refused to students', async () => {
    const ids = await idsAt('dossier', pvd, 1);
    expect((await returnIds(ids.map(String), 'x', student)).status).toBe(403);
  });
});

const ready = (cookie: string, qs = '') => call(readyLoader, get(`/pipeline/ready${qs}`, cookie));
const advance = (cookie: string, step: string, ids: string[], fields: Record<string, string>) =>
  call(
    readyAction,
    postEntries(
      '/pipeline/ready',
      [['step', step], ...Object.entries(fields), ...ids.map((id) => ['ids', id] as [string, string])],
      cookie,
    ),
  );

describe('the ready queue', () => {
  it('lists the school’s candidates for a step, ready or with their reasons', async () => {
    const res = await ready(party, '?step=record_committee_review');
    expect(res).toHaveStatus(200);
    expect(res.data.steps.map((s: { id: string }) => s.id)).toEqual([
      'record_committee_review',
      'record_decision',
      'record_ceremony',
    ]);
    const atStage = await Member.countDocuments({ ancestors: pvd, 'pipeline.stage': 'branch_vote' });
    expect(res.data.ready.length + res.data.blocked.length).toBe(atStage);
    for (const b of res.data.blocked) expect(b.reasons.length).toBeGreaterThan(0);
    const unionQueue = await ready(union);
    expect(unionQueue.data.steps.map((s: { id: string }) => s.id)).toEqual(['select_outstanding']);
  });

  it('is for the sides that record steps: the province and students are refused', async () => {
    expect((await ready(province)).status).toBe(403);
    expect((await ready(student)).status).toBe(403);
    expect((await advance(province, 'record_decision', [], {})).status).toBe(403);
  });

  it('leaves nothing of a bulk advance whose last record’s event cannot be written', async () => {
    const queue = await ready(party, '?step=record_committee_review');
    const ids = (queue.data.ready as { id: string }[]).map((r) => new Types.ObjectId(r.id));
    expect(ids.length).toBeGreaterThanOrEqual(2);
    // Records are written in _id order: the last one's event fails after the others were written.
    const last = ids.reduce((a, b) => (String(a) > String(b) ? a : b));
    const before = await stored(ids);
    const bulks = await bulkIds();
    await expect(
      withRefusedAuditEvent({ action: 'pipeline.record_committee_review', entityId: last }, () =>
        advance(party, 'record_committee_review', ids.map(String), {
          resolutionNo: '11-NQ/ĐU',
          resolutionDate: new Date().toISOString().slice(0, 10),
        }),
      ),
    ).rejects.toThrow(/duplicate key/);
    expect(await stored(ids)).toBe(before);
    expect(
      await AuditEvent.countDocuments({
        action: 'pipeline.record_committee_review',
        entityId: mongoose.trusted({ $in: ids }),
      }),
    ).toBe(0);
    expect(await bulkIds()).toEqual(bulks);
  });

  it('advances the selected candidates with one document, and their next deadline follows', async () => {
    const queue = await ready(party, '?step=record_committee_review');
    const ids = queue.data.ready.map((r: { id: string }) => r.id) as string[];
    expect(ids.length).toBeGreaterThan(0);
    const bad = await advance(party, 'record_committee_review', ids, {
      resolutionNo: '',
      resolutionDate: '2026-02-30',
    });
    expect(bad).toHaveStatus(400);
    expect(Object.keys(bad.data.fieldErrors).sort()).toEqual(['resolutionDate', 'resolutionNo']);
    expect(
      await Member.countDocuments({
        _id: mongoose.trusted({ $in: ids.map((i) => new Types.ObjectId(i)) }),
        'pipeline.stage': 'committee_review',
      }),
    ).toBe(0);

    const bulksBefore = await bulkIds();
    const today = new Date().toISOString().slice(0, 10);
    const res = await advance(party, 'record_committee_review', ids, {
      resolutionNo: '12-NQ/ĐU',
      resolutionDate: today,
    });
    expect(res).toHaveStatus(302);
    expect(res.location).toContain(`done=${ids.length}`);
    const bulkEvent = await newBulk(bulksBefore);
    expect(bulkEvent).toMatchObject({
      entity: 'PipelineBulk',
      unitId: pvd,
      details: { step: 'record_committee_review', skipped: 0, refNo: '12-NQ/ĐU', refDate: today },
    });
    await expectBulkOf(bulkEvent, ids, 'pipeline.record_committee_review');
    expect((await verifyAudit()).gaps).toEqual([]);
    const after = await Member.find({
      _id: mongoose.trusted({ $in: ids.map((i) => new Types.ObjectId(i)) }),
    }).lean();
    expect(after).toHaveLength(ids.length);
    for (const m of after) {
      expect(m.pipeline.stage).toBe('committee_review');
      expect(m.pipeline.committeeResolution?.number).toBe('12-NQ/ĐU');
      expect(m.pipeline.history.at(-1)?.refNo).toBe('12-NQ/ĐU');
      expect(m.pipeline.due?.kind).toBe('admission_decision');
    }
  });

  it('lets the school Union select eligible members as outstanding with its resolution', async () => {
    const queue = await ready(union, '?step=select_outstanding');
    const eligible = await Member.countDocuments({
      ancestors: pvd,
      'pipeline.stage': 'member',
      'eligibility.eligible': true,
    });
    expect(queue.data.ready.length + queue.data.blocked.length).toBe(eligible);
    const ids = (queue.data.ready as { id: string }[]).slice(0, 3).map((r) => r.id);
    expect(ids.length).toBeGreaterThan(0);
    const res = await advance(union, 'select_outstanding', ids, {
      resolutionNo: '45-NQ/ĐTN',
      resolutionDate: new Date().toISOString().slice(0, 10),
    });
    expect(res).toHaveStatus(302);
    const after = await Member.find({
      _id: mongoose.trusted({ $in: ids.map((i) => new Types.ObjectId(i)) }),
    }).lean();
    expect(after.map((m) => m.pipeline.stage)).toEqual(ids.map(() => 'outstanding'));
    expect(after[0].pipeline.unionResolution?.number).toBe('45-NQ/ĐTN');
    // The Party side may not take the Union's step.
    expect((await advance(party, 'select_outstanding', ids, {})).status).toBe(403);
  });

  it('keeps separation of duties: who recorded the committee review cannot record the decision', async () => {
    const [id] = (
      await Member.find({
        ancestors: pvd,
        'pipeline.stage': 'committee_review',
        'pipeline.committeeResolution.number': '12-NQ/ĐU',
      })
        .limit(1)
        .lean()
    ).map((m) => String(m._id));
    // A vote held this month: the decision is within its 60 working days (a late one needs a reason per record).
    await Member.updateOne(
      { _id: id },
      { $set: { 'pipeline.branchVote.meetingDate': new Date(Date.now() - 10 * 86_400_000) } },
    );
    const fields = {
      decisionNo: '7-QĐ/ĐU',
      decisionDate: new Date().toISOString().slice(0, 10),
      issuer: 'Đảng ủy Trường',
    };
    const refused = await advance(party, 'record_decision', [id], fields);
    expect(refused).toHaveStatus(400);
    expect(refused.data.refused[0].reasons.map((r: { vi: string }) => r.vi).join(' ')).toMatch(
      /nghị quyết của đảng ủy/,
    );
    const ok = await advance(party2, 'record_decision', [id], fields);
    expect(ok).toHaveStatus(302);
    const m = (await Member.findById(id).lean())!;
    expect(m.pipeline.stage).toBe('decision');
    expect(m.pipeline.due?.kind).toBe('ceremony');
  });
});

describe('one candidate, twenty simultaneous attempts', () => {
  it('records exactly one step; the others are told the record changed', async () => {
    const [id] = await idsAt('decision', null, 1);
    const m = (await Member.findById(id).lean())!;
    const attempt = () =>
      call(
        stepAction,
        post(
          `/members/${id}/pipeline`,
          {
            intent: 'record_ceremony',
            version: String(m.__v),
            ceremonyDate: new Date().toISOString().slice(0, 10),
          },
          admin,
        ),
        { id: String(id) },
      );
    const results = await Promise.all(Array.from({ length: 20 }, attempt));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 302)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
    const after = (await Member.findById(id).lean())!;
    expect(after.__v).toBe((m.__v ?? 0) + 1);
    expect(after.pipeline.history.filter((h) => h.stage === 'probation')).toHaveLength(1);
    expect(await AuditEvent.countDocuments({ entityId: id, action: 'pipeline.record_ceremony' })).toBe(1);
  });
});

/**
 * Another user's change of `id` (a versioned update and its event), written in a
 * transaction held open until `commit()`: a bulk writing the record meanwhile meets a
 * write conflict and is retried, and its retry finds the record changed.
 */
async function changeHeldOpen(id: Types.ObjectId) {
  let commit!: () => void;
  const go = new Promise<void>((resolve) => (commit = resolve));
  let locked!: () => void;
  const holding = new Promise<void>((resolve) => (locked = resolve));
  const done = inTransaction(async () => {
    const m = (await Member.findById(id).select({ __v: 1, schoolId: 1 }).lean())!;
    await Member.updateOne({ _id: id, __v: m.__v }, { $set: { phone: '0900000099' }, $inc: { __v: 1 } });
    await appendAudit({
      action: 'member.update',
      entity: 'Member',
      entityId: id,
      unitId: m.schoolId,
      details: { fields: ['phone'], version: (m.__v ?? 0) + 1 },
    });
    locked();
    await go;
  });
  await holding;
  return { commit, done };
}

/** Resolves when a write to a member next fails with a write conflict (code 112). */
function nextWriteConflict(): Promise<void> {
  return new Promise((resolve, reject) => {
    const listener = (e: { collectionName?: string; error?: { code?: unknown } }) => {
      if (e.collectionName !== 'members' || e.error?.code !== 112) return;
      stop();
      resolve();
    };
    const timer = setTimeout(() => {
      stop();
      reject(new Error('the bulk never met the change held open (no write conflict)'));
    }, 10_000);
    const stop = () => {
      clearTimeout(timer);
      mongoose.connection.off('operation-end', listener);
    };
    mongoose.connection.on('operation-end', listener);
  });
}

describe('a bulk step is one transaction', () => {
  it('leaves nothing of a bulk return whose bulk event cannot be written', async () => {
    const ids = await idsAt('dossier', pvd, 3);
    expect(ids).toHaveLength(3);
    const before = await stored(ids);
    const bulks = await bulkIds();
    await expect(
      withRefusedAuditEvent({ action: 'pipeline.bulk' }, () =>
        returnIds(ids.map(String), 'Bổ sung lý lịch', party, '?stage=dossier'),
      ),
    ).rejects.toThrow(/duplicate key/);
    expect(await stored(ids)).toBe(before);
    expect(
      await AuditEvent.countDocuments({
        action: 'pipeline.return_for_improvement',
        entityId: mongoose.trusted({ $in: ids }),
      }),
    ).toBe(0);
    expect(await bulkIds()).toEqual(bulks);
  });

  it('skips and counts a record changed while the bulk runs, writing the others', async () => {
    const ids = await idsAt('awareness_class', pvd, 3);
    expect(ids).toHaveLength(3);
    const changed = ids[1];
    const held = await changeHeldOpen(changed);
    const conflicted = nextWriteConflict();
    const bulks = await bulkIds();
    const pending = returnIds(ids.map(String), 'Bổ sung giấy chứng nhận', party, '?stage=awareness_class');
    await conflicted;
    held.commit();
    await held.done;
    const res = await pending;
    expect(res).toHaveStatus(302);
    expect(res.location).toContain('returned=2');
    expect(res.location).toContain('conflicts=1');
    const written = [ids[0], ids[2]].map(String);
    const bulkEvent = await newBulk(bulks);
    expect(bulkEvent.details).toMatchObject({ step: 'return_for_improvement', skipped: 1 });
    await expectBulkOf(bulkEvent, written, 'pipeline.return_for_improvement');
    const after = await Member.find({ _id: mongoose.trusted({ $in: ids }) })
      .sort({ _id: 1 })
      .lean();
    expect(after.map((m) => m.pipeline.stage)).toEqual(['returned', 'awareness_class', 'returned']);
    // The other user's change stands, untouched by the bulk.
    expect(after[1].phone).toBe('0900000099');
    expect((await verifyAudit()).gaps).toEqual([]);
  });

  it('writes no bulk event when every record changed meanwhile', async () => {
    const [id] = await idsAt('awareness_class', pvd, 1);
    const before = (await Member.findById(id).lean())!;
    const held = await changeHeldOpen(id);
    const conflicted = nextWriteConflict();
    const bulks = await bulkIds();
    const pending = returnIds([String(id)], 'Bổ sung giấy chứng nhận', party, '?stage=awareness_class');
    await conflicted;
    held.commit();
    await held.done;
    const res = await pending;
    expect(res).toHaveStatus(302);
    expect(res.location).toContain('returned=0');
    expect(res.location).toContain('conflicts=1');
    expect(await bulkIds()).toEqual(bulks);
    const after = (await Member.findById(id).lean())!;
    expect(after.pipeline.stage).toBe('awareness_class');
    expect(after.__v).toBe((before.__v ?? 0) + 1);
    expect((await verifyAudit()).gaps).toEqual([]);
  });
});

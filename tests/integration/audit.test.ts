/**
 * The hash-chained audit log against a real (embedded) database: each record's chain
 * gets seq 1..n however appends race, inside a transaction an event commits with its
 * change or not at all, what is read back hashes as written, tampering through the raw
 * collection (an edit, a deletion, a cut tail, a deleted or rewritten chain after it
 * was anchored) is named by the verifier and the CLI, so are changes without their
 * event, events from before the chains are linked at start-up, and the admin browser
 * and the member history export answer only to whom they should.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MongoClient, ObjectId } from 'mongodb';
import mongoose, { type Types } from 'mongoose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmbeddedServer } from '@dvut/embedded-mongo';
import { AuditEvent } from '../../models/audit-event.ts';
import { Member } from '../../models/member.ts';
import { Unit } from '../../models/unit.ts';
import { User } from '../../models/user.ts';
import { seedDatabase } from '../../seed/seed.server.ts';
import { Submission } from '../../models/submission.ts';
import {
  ANCHOR_CHAIN,
  GENESIS_HASH,
  chainAll,
  chainKey,
  eventHash,
  type ChainContent,
} from '~/domain/audit-chain';
import { loader as auditLoader } from '~/routes/admin.audit';
import { loader as historyLoader } from '~/routes/members.$id.history[.]csv';
import { action as editAction } from '~/routes/members.$id.edit';
import {
  anchorAuditChains,
  appendAudit,
  appendAuditMany,
  chainLegacyAuditEvents,
} from '~/utils/audit/audit.server';
import { baselineUnrecordedMembers } from '~/utils/audit/audit-baseline.server';
import { verifyAudit } from '~/utils/audit/audit-verify.server';
import { inTransaction } from '~/utils/transaction.server';
import { signIn } from '../fixtures/auth.ts';
import { runScript } from '../fixtures/cli.ts';
import { call, context, get } from '../fixtures/remix.ts';

let admin: string;
let union: string;
let student: string;
let unionOther: string;
let pvd: { _id: Types.ObjectId };
let ours: { _id: Types.ObjectId; studentCode: string; schoolId: Types.ObjectId };
let theirs: { _id: Types.ObjectId; schoolId: Types.ObjectId };
let adminId: Types.ObjectId;

beforeAll(async () => {
  await seedDatabase({ members: 40, seed: 1, reset: true });
  pvd = (await Unit.findOne({ code: 'PVD' }).lean())!;
  ours = (await Member.findOne({ schoolId: pvd._id }).lean())!;
  theirs = (await Member.findOne({ schoolId: mongoose.trusted({ $ne: pvd._id }) }).lean())!;
  // The Union account of the school `theirs` belongs to.
  const otherUnion = (await User.findOne({ role: 'school_union', unitId: theirs.schoolId }).lean())!;
  adminId = (await User.findOne({ email: 'admin@demo.vn' }).lean())!._id;
  [admin, union, student, unionOther] = await Promise.all(
    ['admin@demo.vn', 'doantruong.pvd@demo.vn', 'sinhvien@demo.vn', otherUnion.email].map((e) => signIn(e)),
  );
});

// The raw collection: the model's hooks refuse deletes on purpose.
const clearLog = () => AuditEvent.collection.deleteMany({});

const sample = (i: number) => ({
  actorId: adminId,
  action: 'member.update',
  entity: 'Member',
  entityId: ours._id,
  unitId: pvd._id,
  details: { fields: ['phone'], before: { phone: `090${i}` }, after: { phone: `091${i}` }, n: i },
});

/** The events of one chain, in order. */
const chainOf = (chain: string) => AuditEvent.collection.find({ chain }, { sort: { seq: 1 } }).toArray();
/** A chain of its own: events about a record that exists nowhere else in these tests. */
const scratch = () => {
  const entityId = new ObjectId();
  return {
    entityId,
    chain: chainKey('Member', entityId),
    event: (i: number) => ({ ...sample(i), entityId }),
  };
};

describe('appending', () => {
  it('links concurrent appends to one record as seq 1..n (the unique { chain, seq } index arbitrates)', async () => {
    const s = scratch();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => appendAudit(s.event(i))));
    const events = await chainOf(s.chain);
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(events[0].prevHash).toBe(GENESIS_HASH);
    for (let i = 1; i < events.length; i++) expect(events[i].prevHash).toBe(events[i - 1].hash);
    // Every caller got its own event as stored.
    const bySeq = new Map(events.map((e) => [e.seq, e]));
    for (const [i, r] of results.entries()) {
      expect(bySeq.get(r.seq)?.hash).toBe(r.hash);
      expect((bySeq.get(r.seq)?.details as { n: number }).n).toBe(i);
    }
    expect((await verifyAudit()).problem).toBeNull();
  });

  it('keeps each record in its own chain, however the appends interleave', async () => {
    const a = scratch();
    const b = scratch();
    await Promise.all(Array.from({ length: 10 }, (_, i) => appendAudit(i % 2 ? a.event(i) : b.event(i))));
    expect((await chainOf(a.chain)).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect((await chainOf(b.chain)).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect((await verifyAudit()).problem).toBeNull();
  });

  it('appends in the running transaction: the event commits with its change, or neither does', async () => {
    const s = scratch();
    const phone = (await Member.findById(ours._id).lean())!.phone ?? null;
    await expect(
      inTransaction(async () => {
        await Member.updateOne({ _id: ours._id }, { $set: { phone: '0900000001' } });
        await appendAudit(s.event(1));
        throw new Error('the action fails after both writes');
      }),
    ).rejects.toThrow('the action fails');
    expect((await Member.findById(ours._id).lean())!.phone ?? null).toBe(phone);
    expect(await chainOf(s.chain)).toEqual([]);
    await inTransaction(async () => {
      await Member.updateOne({ _id: ours._id }, { $set: { phone: '0900000002' } });
      await appendAudit(s.event(2));
    });
    expect((await Member.findById(ours._id).lean())!.phone).toBe('0900000002');
    expect((await chainOf(s.chain)).map((e) => e.seq)).toEqual([1]);
    await Member.updateOne({ _id: ours._id }, { $set: { phone } });
  });

  it('retries the second of two transactions appending to one record: it links after the first', async () => {
    const s = scratch();
    let attempts = 0;
    let release!: () => void;
    const firstRead = new Promise<void>((r) => (release = r));
    // Both read the head (empty) before either inserts: the later commit conflicts, is retried.
    const one = inTransaction(async () => {
      attempts++;
      const e = await appendAudit(s.event(1));
      release();
      return e;
    });
    const two = inTransaction(async () => {
      attempts++;
      await firstRead;
      return appendAudit(s.event(2));
    });
    const [a, b] = await Promise.all([one, two]);
    expect([a.seq, b.seq].sort()).toEqual([1, 2]);
    expect(attempts).toBeGreaterThanOrEqual(3);
    const events = await chainOf(s.chain);
    expect(events.map((e) => e.seq)).toEqual([1, 2]);
    expect(events[1].prevHash).toBe(events[0].hash);
  });

  it('appends several events together, in a transaction of their own', async () => {
    const a = scratch();
    const b = scratch();
    const stored = await appendAuditMany([a.event(1), b.event(2), a.event(3)]);
    expect(stored.map((e) => [e.chain, e.seq])).toEqual([
      [a.chain, 1],
      [b.chain, 1],
      [a.chain, 2],
    ]);
    expect((await verifyAudit()).problem).toBeNull();
  });

  it('hashes what it reads back from the database exactly as what it wrote', async () => {
    const details = {
      z: 1,
      a: { nested: { when: new Date('2026-02-10T00:00:00Z'), ids: [pvd._id, ours._id] } },
      empty: {},
      list: [1, 'hai', null, { b: 2, a: 1 }],
      skipped: undefined,
      text: 'Nguyễn Thị Thu Hà – “đặc biệt” \n',
      float: 8.25,
      big: 2 ** 40,
    };
    const written = await appendAudit({ ...sample(1), details, at: new Date('2026-11-20T01:02:03.456Z') });
    const viaModel = (await AuditEvent.findById(written._id).lean())!;
    const viaDriver = (await AuditEvent.collection.findOne({ _id: written._id }))!;
    for (const doc of [viaModel, viaDriver]) {
      const recomputed = eventHash(doc as unknown as ChainContent, doc.seq as number, doc.prevHash as string);
      expect(recomputed).toBe(written.hash);
      expect(doc.hash).toBe(written.hash);
    }
    expect(viaDriver.chain).toBe(chainKey('Member', ours._id));
    expect(viaDriver.details).not.toHaveProperty('skipped');
    expect(viaDriver.details.empty).toEqual({});
    // The chain is part of the hash: the same event moved to another chain no longer matches.
    expect(
      eventHash(
        { ...(viaDriver as unknown as ChainContent), chain: 'Member:x' },
        written.seq,
        written.prevHash,
      ),
    ).not.toBe(written.hash);
  });

  it('records an edit with its version, in the member’s chain after its earlier events', async () => {
    const member = (await Member.findById(ours._id).lean())!;
    const before = await chainOf(chainKey('Member', ours._id));
    const res = await call(
      editAction,
      new Request(`http://127.0.0.1:3000/members/${ours._id}/edit`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: union },
        body: new URLSearchParams({
          intent: 'save',
          version: String(member.__v ?? 0),
          fullName: member.fullName,
          studentCode: member.studentCode,
          dateOfBirth: member.dateOfBirth.toISOString().slice(0, 10),
          gender: member.gender,
          email: member.email ?? '',
          phone: '0987654321',
          branchId: String(member.branchId),
          unionJoinedAt: member.union?.joinedAt ? member.union.joinedAt.toISOString().slice(0, 10) : '',
          unionCardNumber: member.union?.cardNumber ?? '',
        }),
      }),
      { id: String(ours._id) },
    );
    expect(res).toHaveStatus(302);
    const after = await chainOf(chainKey('Member', ours._id));
    expect(after).toHaveLength(before.length + 1);
    const event = after.at(-1)!;
    expect(event.action).toBe('member.update');
    expect(event.seq).toBe(before.length + 1);
    expect(event.details).toMatchObject({
      fields: ['phone'],
      before: { phone: member.phone ?? null },
      after: { phone: '0987654321' },
      version: (member.__v ?? 0) + 1,
    });
    expect((await verifyAudit()).problem).toBeNull();
  });
});

describe('verifying: every chain intact, and anchored', () => {
  let s: ReturnType<typeof scratch>;
  beforeEach(async () => {
    s = scratch();
    for (let i = 0; i < 8; i++) await appendAudit(s.event(i));
  });
  const inChain = (seq: number) => AuditEvent.collection.findOne({ chain: s.chain, seq });

  it('names an event whose details were changed in the database, with its chain', async () => {
    const target = (await inChain(5))!;
    await AuditEvent.collection.updateOne({ _id: target._id }, { $set: { 'details.after.phone': '000' } });
    const report = await verifyAudit({ batchSize: 3 });
    expect(report.ok).toBe(false);
    expect(report.problem).toMatchObject({ chain: s.chain, kind: 'hash', seq: 5, id: String(target._id) });
    await AuditEvent.collection.deleteMany({ chain: s.chain });
  });

  it('names the event after a deleted one', async () => {
    const gone = (await inChain(3))!;
    const next = (await inChain(4))!;
    await AuditEvent.collection.deleteOne({ _id: gone._id });
    const report = await verifyAudit();
    expect(report.problem).toMatchObject({ chain: s.chain, kind: 'seq_gap', seq: 4, id: String(next._id) });
    await AuditEvent.collection.deleteMany({ chain: s.chain });
  });

  it('names a swapped pair of events', async () => {
    const [two, three] = await Promise.all([inChain(2), inChain(3)]);
    await AuditEvent.collection.updateOne({ _id: two!._id }, { $set: { seq: -3 } });
    await AuditEvent.collection.updateOne({ _id: three!._id }, { $set: { seq: 2 } });
    await AuditEvent.collection.updateOne({ _id: two!._id }, { $set: { seq: 3 } });
    const report = await verifyAudit();
    expect(report.problem).toMatchObject({
      chain: s.chain,
      kind: 'prev_hash',
      seq: 2,
      id: String(three!._id),
    });
    await AuditEvent.collection.deleteMany({ chain: s.chain });
  });

  it('reports events written around appendAudit (no seq)', async () => {
    const forged = await AuditEvent.create({ action: 'forged', entity: 'Member' });
    const report = await verifyAudit();
    expect(report).toMatchObject({
      ok: false,
      problem: null,
      unchained: 1,
      firstUnchainedId: String(forged._id),
    });
    await AuditEvent.collection.deleteOne({ _id: forged._id });
  });

  it('once anchored, a cut tail, a deleted chain and a rewritten chain all show', async () => {
    expect(await anchorAuditChains()).toBeGreaterThan(0);
    const clean = await verifyAudit();
    expect(clean.problem).toBeNull();
    expect(clean.anchor).toMatchObject({
      seq: expect.any(Number),
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    const saved = await chainOf(s.chain);

    // The last two events deleted: the chain is intact but shorter than anchored.
    await AuditEvent.collection.deleteMany({ chain: s.chain, seq: { $gte: 7 } });
    expect((await verifyAudit()).problem).toMatchObject({ chain: s.chain, kind: 'seq_gap', seq: 7 });
    expect((await verifyAudit()).problem?.message).toMatch(/anchored at seq 8/);

    // The whole chain deleted.
    await AuditEvent.collection.deleteMany({ chain: s.chain });
    expect((await verifyAudit()).problem?.message).toMatch(/anchored at seq 8 but has no event/);

    // Rewritten from seq 4 with every hash recomputed: each link holds, the anchor does not.
    const forged = chainAll(
      saved.map((e, i) => ({
        ...(e as unknown as ChainContent),
        details: i >= 3 ? { forged: i } : e.details,
      })),
    ).map((e, i) => ({ ...e, _id: saved[i]._id }));
    await AuditEvent.collection.insertMany(forged);
    expect((await verifyAudit()).problem).toMatchObject({ chain: s.chain, kind: 'hash', seq: 8 });
    await AuditEvent.collection.deleteMany({ chain: s.chain });
    await AuditEvent.collection.insertMany(saved);
    expect((await verifyAudit()).problem).toBeNull();
    // The anchor chain is a chain like the others.
    expect((await chainOf(ANCHOR_CHAIN)).length).toBeGreaterThan(0);
  });
});

describe('verifying: every change has its record', () => {
  it('names a member version without its event, and a member without its creation', async () => {
    expect((await verifyAudit()).gaps).toEqual([]);
    await Member.collection.updateOne({ _id: theirs._id }, { $inc: { __v: 1 } });
    const stranger = (await Member.findOne({
      _id: mongoose.trusted({ $nin: [ours._id, theirs._id] }),
    }).lean())!;
    const copy = { ...stranger, _id: new ObjectId(), studentCode: 'NO-EVENT-1', __v: 0 };
    await Member.collection.insertOne(copy);
    try {
      const report = await verifyAudit();
      expect(report.ok).toBe(false);
      expect(report.gapCount).toBe(2);
      expect(report.gaps.map((g) => g.kind).sort()).toEqual(['member_creation', 'member_version']);
      expect(report.gaps.find((g) => g.kind === 'member_creation')?.message).toContain('NO-EVENT-1');
    } finally {
      await Member.collection.updateOne({ _id: theirs._id }, { $inc: { __v: -1 } });
      await Member.collection.deleteOne({ _id: copy._id });
    }
    expect((await verifyAudit()).gaps).toEqual([]);
  });

  it('counts the versions of a member from before complete auditing from its baseline, once', async () => {
    await Member.collection.updateOne({ _id: theirs._id }, { $inc: { __v: 2 } });
    try {
      expect((await verifyAudit()).gaps.map((g) => g.kind)).toEqual(['member_version']);
      expect(await baselineUnrecordedMembers()).toBe(1);
      expect(await baselineUnrecordedMembers()).toBe(0);
      const baseline = (await AuditEvent.findOne({
        action: 'member.baseline',
        entityId: theirs._id,
      }).lean())!;
      const v = (await Member.findById(theirs._id).lean())!.__v;
      expect(baseline.details).toMatchObject({ version: v, missing: [v - 1, v], missingCount: 2 });
      const report = await verifyAudit();
      expect(report).toMatchObject({ ok: true, gaps: [] });
      expect(report.checked.baselined).toBe(1);
      // The baseline covers what came before it, not a change made after it without its event.
      await Member.collection.updateOne({ _id: theirs._id }, { $inc: { __v: 1 } });
      expect((await verifyAudit()).gaps).toEqual([
        expect.objectContaining({
          kind: 'member_version',
          message: expect.stringContaining(`version ${v + 1} of`),
        }),
      ]);
    } finally {
      await Member.collection.updateOne({ _id: theirs._id }, { $inc: { __v: -3 } });
      await AuditEvent.collection.deleteMany({ action: 'member.baseline' });
    }
  });

  it('names an approved submission missing from its record', async () => {
    const s = await Submission.create({
      memberId: ours._id,
      schoolId: pvd._id,
      kind: 'activity',
      title: 'Hiến máu tình nguyện',
      date: new Date('2026-03-01T00:00:00Z'),
      days: 1,
      evidence: 'Giấy chứng nhận',
      status: 'approved',
    });
    try {
      const report = await verifyAudit();
      expect(report.gaps).toEqual([
        { kind: 'submission', message: `approved submission ${s._id} is not in member ${ours._id}'s record` },
      ]);
    } finally {
      await Submission.deleteOne({ _id: s._id });
    }
  });

  it('names a bulk step and the records it lists that do not name it back', async () => {
    const bulkId = new ObjectId();
    const listed = new ObjectId();
    await appendAudit({
      actorId: adminId,
      action: 'pipeline.bulk',
      entity: 'PipelineBulk',
      entityId: bulkId,
      unitId: pvd._id,
      details: { members: [listed] },
    });
    const stray = scratch();
    await appendAudit({ ...stray.event(1), action: 'pipeline.resume', details: { bulkId } });
    const report = await verifyAudit();
    expect(report.gaps.map((g) => g.message).sort()).toEqual([
      `bulk step ${bulkId} lists member ${listed}, who has no event of it`,
      `member ${stray.entityId}'s step names bulk step ${bulkId}, which does not list it`,
    ]);
    await AuditEvent.collection.deleteMany({
      chain: { $in: [chainKey('PipelineBulk', bulkId), stray.chain] },
    });
  });
});

describe('linking events written before the chains', () => {
  it('verifies the global chain of old as it was, and links unchained events into their records’ chains', async () => {
    const legacy = chainAll(
      Array.from({ length: 3 }, (_, i) => ({
        at: new Date(Date.UTC(2025, 0, 1 + i)),
        actorId: null,
        action: 'member.update',
        entity: 'Member',
        entityId: new ObjectId(),
        unitId: null,
        details: { i },
      })),
    );
    await AuditEvent.collection.insertMany(legacy.map((e) => ({ ...e })));
    expect((await verifyAudit()).problem).toBeNull();
    const entityId = new ObjectId();
    const at = (s: string) => new Date(`2026-0${s}T00:00:00Z`);
    await AuditEvent.collection.insertMany([
      {
        _id: new ObjectId('65c000000000000000000003'),
        at: at('3-01'),
        action: 'c',
        entity: 'Member',
        entityId,
      },
      {
        _id: new ObjectId('65c000000000000000000001'),
        at: at('1-01'),
        action: 'a',
        entity: 'Member',
        entityId,
        details: { x: 1 },
      },
      {
        _id: new ObjectId('65c000000000000000000002'),
        at: at('3-01'),
        action: 'b',
        entity: 'Member',
        entityId,
      },
    ]);
    expect(await chainLegacyAuditEvents()).toBe(3);
    const chain = chainKey('Member', entityId);
    expect((await chainOf(chain)).map((e) => [e.seq, e.action])).toEqual([
      [1, 'a'],
      [2, 'b'],
      [3, 'c'],
    ]);
    expect(await chainLegacyAuditEvents()).toBe(0);
    await appendAudit({ ...sample(1), entityId });
    expect(await verifyAudit()).toMatchObject({ problem: null, unchained: 0 });
    expect((await chainOf(chain)).map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    await AuditEvent.collection.deleteMany({ $or: [{ chain }, { chain: { $exists: false } }] });
  });
});

describe('the admin browser', () => {
  beforeAll(async () => {
    await clearLog();
    await appendAudit(sample(1));
    await appendAudit({
      ...sample(2),
      action: 'member.sensitive.reveal',
      details: { fields: ['citizenId'] },
    });
    await appendAudit({ ...sample(3), entityId: theirs._id, unitId: null, action: 'member.create' });
  });

  const browse = (query: string, cookie = admin) => call(auditLoader, get(`/admin/audit${query}`, cookie));

  it('is for admins only', async () => {
    for (const cookie of [union, student]) expect((await browse('', cookie)).status).toBe(403);
    expect((await browse('')).status).toBe(200);
  });

  it('lists newest first with actor, member and a before → after summary', async () => {
    const res = await browse('');
    expect(res.data.rowCount).toBe(3);
    expect(res.data.rows.map((r: { action: string }) => r.action)).toEqual([
      'member.create',
      'member.sensitive.reveal',
      'member.update',
    ]);
    const update = res.data.rows[2];
    expect(update.actor).toBeTruthy();
    expect(update.member).toMatchObject({ id: String(ours._id), code: ours.studentCode });
    expect(update.summary.changes).toEqual([{ field: 'phone', before: '0901', after: '0911' }]);
  });

  it('filters by action, actor, student code, school and date range', async () => {
    expect((await browse('?action=member.sensitive.reveal')).data.rowCount).toBe(1);
    expect((await browse('?actor=admin@demo')).data.rowCount).toBe(3);
    expect((await browse('?actor=nobody-here')).data.rowCount).toBe(0);
    expect((await browse(`?member=${ours.studentCode}`)).data.rowCount).toBe(2);
    expect((await browse(`?unit=${pvd._id}`)).data.rowCount).toBe(2);
    expect((await browse('?from=2000-01-01&to=2000-01-02')).data.rowCount).toBe(0);
    // Bad parameters are ignored, not a 500.
    expect((await browse('?action=%24ne&unit=xyz&from=2026-99-99&page=-4')).status).toBe(200);
  });

  it('orders events of the same millisecond by their place in their chain, the same way every time', async () => {
    const saved = await AuditEvent.collection.find({}, { projection: { at: 1 } }).toArray();
    await AuditEvent.collection.updateMany({}, { $set: { at: new Date('2026-03-01T00:00:00Z') } });
    try {
      const actions = (await browse('')).data.rows.map((r: { action: string }) => r.action);
      // The reveal came after the update in the same member's chain; the other member's
      // creation (its own chain's seq 1) falls in place by its _id.
      expect(actions.indexOf('member.sensitive.reveal')).toBeLessThan(actions.indexOf('member.update'));
      expect((await browse('')).data.rows.map((r: { action: string }) => r.action)).toEqual(actions);
    } finally {
      for (const e of saved) await AuditEvent.collection.updateOne({ _id: e._id }, { $set: { at: e.at } });
    }
  });
});

describe('member history export', () => {
  const history = (id: Types.ObjectId | string, cookie: string) =>
    call(historyLoader, get(`/members/${id}/history.csv`, cookie), { id: String(id) });

  beforeAll(async () => {
    await clearLog();
    await appendAudit(sample(7));
  });

  it('exports the member’s events as CSV with a BOM, seq and hash, and logs the export', async () => {
    const res = (await historyLoader({
      request: get(`/members/${ours._id}/history.csv`, union),
      params: { id: String(ours._id) },
      context: context(),
    })) as Response;
    expect(res).toHaveStatus(200);
    expect(res.headers.get('Content-Type')).toContain('text/csv');
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = new TextDecoder().decode(bytes).trim().split('\r\n');
    expect(lines[0]).toBe('Thời gian,Người thực hiện,Hành động,Chi tiết,seq,hash');
    expect(lines[1]).toContain('Sửa thông tin đoàn viên');
    expect(lines[1]).toContain('phone: 0907 → 0917');
    expect(lines[1]).toMatch(/,1,[0-9a-f]{64}$/);
    expect(await AuditEvent.countDocuments({ action: 'member.history.export', entityId: ours._id })).toBe(1);
    expect((await verifyAudit()).problem).toBeNull();
  });

  it('answers 404 for another school’s member and a bad id, and 404 for a student asking for someone else', async () => {
    expect((await history(ours._id, unionOther)).status).toBe(404);
    expect((await history(theirs._id, union)).status).toBe(404);
    expect((await history('not-an-id', admin)).status).toBe(404);
    expect((await history(theirs._id, student)).status).toBe(404);
    const own = (await User.findOne({ email: 'sinhvien@demo.vn' }).lean())!.memberId!;
    expect((await history(own, student)).status).toBe(200);
  });
});

describe('npm run audit:verify', () => {
  let dir: string;
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Writes to the data directory through its own embedded server, then stops it. */
  async function withDataDir(fn: (db: ReturnType<MongoClient['db']>) => Promise<void>) {
    const server = await startEmbeddedServer({ dataDir: dir });
    const client = await MongoClient.connect(server.uri);
    try {
      await fn(client.db('doanvien'));
    } finally {
      await client.close();
      await server.close();
    }
  }

  const runCli = () => runScript('scripts/audit-verify.ts', ['--data-dir', dir]);

  it('exits 0 with the counts and the anchor head on an intact log, 1 naming the first tampered event', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'audit-verify-'));
    const entityId = new ObjectId();
    const content: ChainContent[] = Array.from({ length: 30 }, (_, i) => ({
      chain: chainKey('Member', entityId),
      at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)),
      actorId: new ObjectId(),
      action: 'member.update',
      entity: 'Member',
      entityId,
      unitId: null,
      details: { i },
    }));
    const chain = chainAll(content);
    const anchor = chainAll([
      {
        chain: ANCHOR_CHAIN,
        at: new Date(Date.UTC(2026, 0, 2)),
        action: 'audit.anchor',
        entity: ANCHOR_CHAIN,
        details: { until: new Date(Date.UTC(2026, 0, 2)), heads: [[chain[29].chain, 30, chain[29].hash]] },
      },
    ]);
    await withDataDir(async (db) => {
      await db.collection('auditevents').insertMany([...chain, ...anchor].map((e) => ({ ...e })));
    });

    const ok = await runCli();
    expect(ok.out).toContain('OK: 31 events in 2 chains');
    expect(ok.out).toContain(`anchor head seq 1, hash ${anchor[0].hash}`);
    expect(ok.code).toBe(0);

    let tamperedId = '';
    await withDataDir(async (db) => {
      const doc = (await db.collection('auditevents').findOne({ seq: 17 }))!;
      tamperedId = String(doc._id);
      await db.collection('auditevents').updateOne({ _id: doc._id }, { $set: { 'details.i': 999 } });
    });
    const broken = await runCli();
    expect(broken.out).toContain(`chain ${chain[0].chain} fails at seq 17 (_id ${tamperedId})`);
    expect(broken.code).toBe(1);

    // A member whose change has no event: incomplete, exit 1, named.
    await withDataDir(async (db) => {
      await db
        .collection('auditevents')
        .updateOne({ _id: new ObjectId(tamperedId) }, { $set: { 'details.i': 16 } });
      await db.collection('members').insertOne({ _id: new ObjectId(), studentCode: 'SV-NO-EVENT', __v: 0 });
    });
    const incomplete = await runCli();
    expect(incomplete.out).toContain('INCOMPLETE: 1 changes without their audit record');
    expect(incomplete.out).toContain('(SV-NO-EVENT) has no event recording its creation');
    expect(incomplete.code).toBe(1);
  }, 60_000);
});

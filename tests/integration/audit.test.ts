/**
 * The hash-chained audit log against a real (embedded) database: concurrent appends
 * get seq 1..n with a valid chain, what is read back hashes as written, tampering
 * through the raw collection is named by the verifier and the CLI, events from
 * before the chain are linked at start-up, and the admin browser and the member
 * history export answer only to whom they should.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MongoClient, ObjectId } from 'mongodb';
import mongoose, { type Types } from 'mongoose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmbeddedServer } from '../../db/embedded/index.ts';
import { AuditEvent } from '../../models/audit-event.ts';
import { Member } from '../../models/member.ts';
import { Unit } from '../../models/unit.ts';
import { User } from '../../models/user.ts';
import { seedDatabase } from '../../seed/seed.server.ts';
import { GENESIS_HASH, chainAll, eventHash, type ChainContent } from '~/domain/audit-chain';
import { loader as auditLoader } from '~/routes/admin.audit';
import { loader as historyLoader } from '~/routes/members.$id.history[.]csv';
import { action as editAction } from '~/routes/members.$id.edit';
import {
  appendAudit,
  appendAuditUnqueued,
  chainLegacyAuditEvents,
  verifyAuditChain,
} from '~/utils/audit.server';
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

async function storedChain() {
  return AuditEvent.collection.find({}, { sort: { seq: 1 } }).toArray();
}

describe('appending', () => {
  beforeEach(clearLog);

  it('gives 20 concurrent appends seq 1..20 with a valid chain', async () => {
    await Promise.all(Array.from({ length: 20 }, (_, i) => appendAudit(sample(i))));
    const events = await storedChain();
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(events[0].prevHash).toBe(GENESIS_HASH);
    const report = await verifyAuditChain();
    expect(report).toMatchObject({ ok: true, count: 20, headSeq: 20, unchained: 0 });
    expect(report.headHash).toBe(events[19].hash);
  });

  it('lets the unique seq index arbitrate writers that race for the same head (no in-process queue)', async () => {
    await appendAudit(sample(0));
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => appendAuditUnqueued(sample(i))));
    expect(new Set(results.map((r) => r.seq)).size).toBe(20);
    const events = await storedChain();
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
    expect((await verifyAuditChain()).ok).toBe(true);
  });

  it('chains batched appends around another writer racing for the same seqs', async () => {
    await appendAudit(sample(0));
    // This process's appends go in batches; the unqueued ones stand for a second process.
    const ours = Array.from({ length: 30 }, (_, i) => appendAudit(sample(100 + i)));
    const theirs = Array.from({ length: 10 }, (_, i) => appendAuditUnqueued(sample(200 + i)));
    const results = await Promise.all([...ours, ...theirs]);
    const events = await storedChain();
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 41 }, (_, i) => i + 1));
    // Every caller got the event as stored, its own one.
    const bySeq = new Map(events.map((e) => [e.seq, e]));
    for (const [i, r] of results.entries()) {
      expect(bySeq.get(r.seq)?.hash).toBe(r.hash);
      expect((bySeq.get(r.seq)?.details as { n: number }).n).toBe(i < 30 ? 100 + i : 200 + i - 30);
    }
    expect((await verifyAuditChain()).ok).toBe(true);
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
    expect(viaDriver.details).not.toHaveProperty('skipped');
    expect(viaDriver.details.empty).toEqual({});
  });

  it('keeps auditMember callers working and records before/after of an edit', async () => {
    const member = (await Member.findById(ours._id).lean())!;
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
    expect(res.status).toBe(302);
    const event = (await AuditEvent.findOne({ action: 'member.update', entityId: ours._id }).lean())!;
    expect(event.seq).toBe(1);
    expect(event.details).toMatchObject({
      fields: ['phone'],
      before: { phone: member.phone ?? null },
      after: { phone: '0987654321' },
    });
    expect((await verifyAuditChain()).ok).toBe(true);
  });
});

describe('verifying', () => {
  beforeEach(async () => {
    await clearLog();
    for (let i = 0; i < 8; i++) await appendAudit(sample(i));
  });

  it('names an event whose details were changed in the database', async () => {
    const target = (await AuditEvent.collection.findOne({ seq: 5 }))!;
    await AuditEvent.collection.updateOne({ _id: target._id }, { $set: { 'details.after.phone': '000' } });
    const report = await verifyAuditChain({ batchSize: 3 });
    expect(report.ok).toBe(false);
    expect(report.problem).toMatchObject({ kind: 'hash', seq: 5, id: String(target._id) });
    expect(report.headSeq).toBe(4);
  });

  it('names the event after a deleted one', async () => {
    const gone = (await AuditEvent.collection.findOne({ seq: 3 }))!;
    const next = (await AuditEvent.collection.findOne({ seq: 4 }))!;
    await AuditEvent.collection.deleteOne({ _id: gone._id });
    const report = await verifyAuditChain();
    expect(report.problem).toMatchObject({ kind: 'seq_gap', seq: 4, id: String(next._id) });
  });

  it('names a swapped pair of events', async () => {
    const [two, three] = await Promise.all([
      AuditEvent.collection.findOne({ seq: 2 }),
      AuditEvent.collection.findOne({ seq: 3 }),
    ]);
    await AuditEvent.collection.updateOne({ _id: two!._id }, { $set: { seq: -3 } });
    await AuditEvent.collection.updateOne({ _id: three!._id }, { $set: { seq: 2 } });
    await AuditEvent.collection.updateOne({ _id: two!._id }, { $set: { seq: 3 } });
    const report = await verifyAuditChain();
    expect(report.problem).toMatchObject({ kind: 'prev_hash', seq: 2, id: String(three!._id) });
  });

  it('reports events written around appendAudit (no seq)', async () => {
    await AuditEvent.create({ action: 'forged', entity: 'Member' });
    const report = await verifyAuditChain();
    expect(report).toMatchObject({ ok: false, problem: null, unchained: 1 });
  });
});

describe('linking events written before the chain', () => {
  beforeEach(clearLog);

  it('gives legacy events seq, prevHash and hash in (at, _id) order, then appends after them', async () => {
    const at = (s: string) => new Date(`2026-0${s}T00:00:00Z`);
    await AuditEvent.collection.insertMany([
      {
        _id: new ObjectId('65c000000000000000000003'),
        at: at('3-01'),
        action: 'c',
        entity: 'Member',
        actorId: null,
      },
      {
        _id: new ObjectId('65c000000000000000000001'),
        at: at('1-01'),
        action: 'a',
        entity: 'Member',
        details: { x: 1 },
      },
      { _id: new ObjectId('65c000000000000000000002'), at: at('3-01'), action: 'b', entity: 'Member' },
    ]);
    expect(await chainLegacyAuditEvents()).toBe(3);
    expect((await storedChain()).map((e) => [e.seq, e.action])).toEqual([
      [1, 'a'],
      [2, 'b'],
      [3, 'c'],
    ]);
    expect(await chainLegacyAuditEvents()).toBe(0);
    await appendAudit(sample(1));
    expect(await verifyAuditChain()).toMatchObject({ ok: true, count: 4, unchained: 0 });
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

  it('orders events of the same millisecond by their place in the chain', async () => {
    const saved = await AuditEvent.collection.find({}, { projection: { at: 1 } }).toArray();
    await AuditEvent.collection.updateMany({}, { $set: { at: new Date('2026-03-01T00:00:00Z') } });
    try {
      const res = await browse('');
      expect(res.data.rows.map((r: { action: string }) => r.action)).toEqual([
        'member.create',
        'member.sensitive.reveal',
        'member.update',
      ]);
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
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toContain('text/csv');
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = new TextDecoder().decode(bytes).trim().split('\r\n');
    expect(lines[0]).toBe('Thời gian,Người thực hiện,Hành động,Chi tiết,seq,hash');
    expect(lines[1]).toContain('Sửa thông tin đoàn viên');
    expect(lines[1]).toContain('phone: 0907 → 0917');
    expect(lines[1]).toMatch(/,1,[0-9a-f]{64}$/);
    expect(await AuditEvent.countDocuments({ action: 'member.history.export', entityId: ours._id })).toBe(1);
    expect((await verifyAuditChain()).ok).toBe(true);
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

  it('exits 0 with the count and head hash on an intact chain, 1 naming the first tampered event', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'audit-verify-'));
    const content: ChainContent[] = Array.from({ length: 30 }, (_, i) => ({
      at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)),
      actorId: new ObjectId(),
      action: 'member.update',
      entity: 'Member',
      entityId: new ObjectId(),
      unitId: null,
      details: { i },
    }));
    const chain = chainAll(content);
    await withDataDir(async (db) => {
      await db.collection('auditevents').insertMany(chain.map((e) => ({ ...e })));
    });

    const ok = await runCli();
    expect(ok.out).toContain('OK: 30 audit events');
    expect(ok.out).toContain(chain[29].hash);
    expect(ok.code).toBe(0);

    let tamperedId = '';
    await withDataDir(async (db) => {
      const doc = (await db.collection('auditevents').findOne({ seq: 17 }))!;
      tamperedId = String(doc._id);
      await db.collection('auditevents').updateOne({ _id: doc._id }, { $set: { 'details.i': 999 } });
    });
    const broken = await runCli();
    expect(broken.out).toContain(`seq 17 (_id ${tamperedId})`);
    expect(broken.code).toBe(1);
  }, 60_000);
});

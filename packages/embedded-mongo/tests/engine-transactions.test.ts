/**
 * Transactions and sessions inside the engine, called directly: the snapshot kept
 * from versions others replace, writes that wait for a transaction and are undone
 * and run again, unique keys checked at write time and again at commit, DDL ending
 * the transactions that used a namespace, and what survives a restart (a commit
 * as one journal group, the session state that answers retries). Driver-level
 * behaviour is in conformance/transactions.test.ts and retryable-writes.test.ts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Binary, Long, type Document } from 'bson';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../src/engine/index.ts';
import { Op, decodeAll } from '../src/engine/journal.ts';

const ctx = { connectionId: 1 };
let engine: Engine;
let dir: string;

const run = async (cmd: Document, db = 't') => {
  const { $clusterTime, operationTime, ...reply } = await engine.run(db, cmd, ctx);
  void $clusterTime;
  void operationTime;
  return reply;
};
const all = async (coll: string, extra: Document = {}) =>
  (await run({ find: coll, filter: {}, sort: { _id: 1 }, ...extra })).cursor.firstBatch as Document[];

let nextSession = 1;
/** A session and its transaction number, as a driver would send them. */
function session() {
  const lsid = { id: new Binary(Buffer.alloc(16, nextSession++), 4) };
  let txnNumber = 0;
  return {
    lsid,
    /** Fields of a new transaction's first statement. */
    start: () => ({
      lsid,
      txnNumber: Long.fromNumber(++txnNumber),
      autocommit: false,
      startTransaction: true,
    }),
    /** Fields of its later statements. */
    next: () => ({ lsid, txnNumber: Long.fromNumber(txnNumber), autocommit: false }),
    commit: () =>
      run({ commitTransaction: 1, lsid, txnNumber: Long.fromNumber(txnNumber), autocommit: false }, 'admin'),
    abort: () =>
      run({ abortTransaction: 1, lsid, txnNumber: Long.fromNumber(txnNumber), autocommit: false }, 'admin'),
    /** A retryable write's fields. */
    retryable: (n: number) => ({ lsid, txnNumber: Long.fromNumber(n) }),
  };
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-txn-'));
});
afterEach(async () => {
  await engine?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A new in-memory engine whose collection `c` holds `{ _id: n, v: n }` for n = 1, 2, 3. */
async function freshEngineWithThree() {
  engine = await createEngine({});
  await run({
    insert: 'c',
    documents: [
      { _id: 1, v: 1 },
      { _id: 2, v: 2 },
      { _id: 3, v: 3 },
    ],
  });
}

describe('snapshot and overlay', () => {
  beforeEach(freshEngineWithThree);

  it('reads the snapshot: documents changed, removed or added by others after it began', async () => {
    const s = session();
    expect(
      (await run({ find: 'c', filter: { v: { $gte: 2 } }, ...s.start() })).cursor.firstBatch,
    ).toHaveLength(2);
    await run({ update: 'c', updates: [{ q: { _id: 2 }, u: { $set: { v: 20 } } }] });
    await run({ delete: 'c', deletes: [{ q: { _id: 3 }, limit: 1 }] });
    await run({ insert: 'c', documents: [{ _id: 4, v: 4 }] });
    const inside = await run({ find: 'c', filter: { v: { $gte: 2 } }, sort: { _id: 1 }, ...s.next() });
    expect(inside.cursor.firstBatch).toEqual([
      { _id: 2, v: 2 },
      { _id: 3, v: 3 },
    ]);
    const counted = await run({ aggregate: 'c', pipeline: [{ $count: 'n' }], cursor: {}, ...s.next() });
    expect(counted.cursor.firstBatch).toEqual([{ n: 3 }]);
    // A document changed since the snapshot cannot be written: first committer wins.
    const conflict = await run({
      update: 'c',
      updates: [{ q: { _id: 2 }, u: { $set: { v: 0 } } }],
      ...s.next(),
    });
    expect(conflict).toMatchObject({ ok: 0, code: 112, errorLabels: ['TransientTransactionError'] });
    expect(await all('c')).toEqual([
      { _id: 1, v: 1 },
      { _id: 2, v: 20 },
      { _id: 4, v: 4 },
    ]);
  });

  it('sees its own writes through queries that use indexes, and nobody else does', async () => {
    await run({ createIndexes: 'c', indexes: [{ key: { v: 1 }, name: 'v_1' }] });
    const s = session();
    await run({ update: 'c', updates: [{ q: { _id: 1 }, u: { $set: { v: 30 } } }], ...s.start() });
    await run({ insert: 'c', documents: [{ _id: 5, v: 30 }], ...s.next() });
    await run({ delete: 'c', deletes: [{ q: { _id: 2 }, limit: 1 }], ...s.next() });
    const inside = await run({ find: 'c', filter: { v: 30 }, sort: { _id: 1 }, ...s.next() });
    expect(inside.cursor.firstBatch.map((d: Document) => d._id)).toEqual([1, 5]);
    expect((await run({ find: 'c', filter: { v: 2 }, ...s.next() })).cursor.firstBatch).toEqual([]);
    expect(await all('c')).toHaveLength(3);
    expect(await s.commit()).toEqual({ ok: 1 });
    expect((await all('c')).map((d) => [d._id, d.v])).toEqual([
      [1, 30],
      [3, 3],
      [5, 30],
    ]);
    expect((await all('c', { filter: { v: 30 } })).map((d) => d._id)).toEqual([1, 5]);
  });

  it('checks unique keys against what it sees, and again at commit', async () => {
    await run({ createIndexes: 'c', indexes: [{ key: { u: 1 }, name: 'u_1', unique: true, sparse: true }] });
    await run({ update: 'c', updates: [{ q: { _id: 1 }, u: { $set: { u: 'taken' } } }] });
    const s = session();
    const dup = await run({ insert: 'c', documents: [{ _id: 6, u: 'taken' }], ...s.start() });
    expect(dup.writeErrors[0].code).toBe(11000);
    // The duplicate aborted that transaction; the next one is fine on its own…
    const t = session();
    expect(await run({ insert: 'c', documents: [{ _id: 7, u: 'free' }], ...t.start() })).toEqual({
      n: 1,
      ok: 1,
    });
    const own = await run({ insert: 'c', documents: [{ _id: 8, u: 'free' }], ...t.next() });
    expect(own.writeErrors[0].code).toBe(11000);
    // …and a key a plain write takes meanwhile turns its commit into a write conflict.
    const r = session();
    await run({ insert: 'c', documents: [{ _id: 9, u: 'late' }], ...r.start() });
    await run({ insert: 'c', documents: [{ _id: 10, u: 'late' }] });
    expect(await r.commit()).toMatchObject({ ok: 0, code: 112, errorLabels: ['TransientTransactionError'] });
    expect((await all('c')).map((d) => d._id)).toEqual([1, 2, 3, 10]);
  });

  it('ends the transactions that used a collection when it is dropped or indexed', async () => {
    const s = session();
    await run({ find: 'c', filter: {}, ...s.start() });
    await run({ createIndexes: 'c', indexes: [{ key: { w: 1 }, name: 'w_1' }] });
    expect(await s.commit()).toMatchObject({ ok: 0, code: 251 });
    const t = session();
    await run({ insert: 'c', documents: [{ _id: 11 }], ...t.start() });
    await run({ drop: 'c' });
    expect(await t.commit()).toMatchObject({ ok: 0, code: 251 });
    expect(await all('c')).toEqual([]);
  });

  it('creates a collection and its unique index for itself, checked against its own documents', async () => {
    const s = session();
    await run({ insert: 'fresh', documents: [{ _id: 1, k: 'a' }], ...s.start() });
    const reply = await run({
      createIndexes: 'fresh',
      indexes: [{ key: { k: 1 }, name: 'k_1', unique: true }],
      ...s.next(),
    });
    expect(reply).toMatchObject({ ok: 1, numIndexesBefore: 1, numIndexesAfter: 2 });
    expect(
      (await run({ insert: 'fresh', documents: [{ _id: 2, k: 'a' }], ...s.next() })).writeErrors[0].code,
    ).toBe(11000);
    const t = session();
    await run({ insert: 'fresh', documents: [{ _id: 1, k: 'a' }], ...t.start() });
    await run({
      createIndexes: 'fresh',
      indexes: [{ key: { k: 1 }, name: 'k_1', unique: true }],
      ...t.next(),
    });
    expect(await t.commit()).toEqual({ ok: 1 });
    const names = (await run({ listIndexes: 'fresh' })).cursor.firstBatch.map((i: Document) => i.name);
    expect(names).toEqual(['_id_', 'k_1']);
    expect((await run({ insert: 'fresh', documents: [{ _id: 3, k: 'a' }] })).writeErrors[0].code).toBe(11000);
  });
});

describe('writes outside transactions', () => {
  beforeEach(freshEngineWithThree);

  it('a multi-document update that meets a locked document is undone, waits, and runs again whole', async () => {
    const s = session();
    await run({ update: 'c', updates: [{ q: { _id: 2 }, u: { $inc: { v: 100 } } }], ...s.start() });
    let done = false;
    const waiting = run({ update: 'c', updates: [{ q: {}, u: { $inc: { v: 1000 } }, multi: true }] }).then(
      (r) => {
        done = true;
        return r;
      },
    );
    await new Promise((r) => setTimeout(r, 50));
    expect(done).toBe(false);
    // Nothing of it is visible while it waits: document 1 was undone, not left half-updated.
    expect((await all('c')).map((d) => d.v)).toEqual([1, 2, 3]);
    expect(await s.commit()).toEqual({ ok: 1 });
    expect(await waiting).toEqual({ n: 3, nModified: 3, ok: 1 });
    expect((await all('c')).map((d) => d.v)).toEqual([1001, 1102, 1003]);
  });

  it('a write that waits on a transaction gives up at its maxTimeMS (50)', async () => {
    const s = session();
    await run({ update: 'c', updates: [{ q: { _id: 1 }, u: { $set: { v: 9 } } }], ...s.start() });
    const reply = await run({
      update: 'c',
      updates: [{ q: { _id: 1 }, u: { $set: { v: 8 } } }],
      maxTimeMS: 50,
    });
    expect(reply).toMatchObject({ ok: 0, code: 50, codeName: 'MaxTimeMSExpired' });
    await s.abort();
    expect((await all('c'))[0].v).toBe(1);
  });

  it('a transaction past its lifetime is aborted and frees what it held', async () => {
    await run({ setParameter: 1, transactionLifetimeLimitSeconds: 1 }, 'admin');
    const s = session();
    await run({ update: 'c', updates: [{ q: { _id: 1 }, u: { $set: { v: 9 } } }], ...s.start() });
    const t0 = Date.now();
    expect(await run({ update: 'c', updates: [{ q: { _id: 1 }, u: { $set: { v: 7 } } }] })).toMatchObject({
      ok: 1,
      nModified: 1,
    });
    expect(Date.now() - t0).toBeGreaterThan(900);
    const late = await s.commit();
    expect(late).toMatchObject({ ok: 0, code: 251, errorLabels: ['TransientTransactionError'] });
    expect(late.errmsg).toMatch(/lifetime limit of 1 seconds/);
    expect((await all('c'))[0].v).toBe(7);
  });
});

describe('durability', () => {
  it('journals a commit as one group with its session, and answers a commit retried after a restart', async () => {
    engine = await createEngine({ dataDir: dir });
    await run({ insert: 'c', documents: [{ _id: 0 }] });
    const s = session();
    await run({ insert: 'c', documents: [{ _id: 1 }, { _id: 2 }], ...s.start() });
    await run({ update: 'c', updates: [{ q: { _id: 0 }, u: { $set: { seen: true } } }], ...s.next() });
    expect(await s.commit()).toEqual({ ok: 1 });
    await engine.close();
    const journal = fs.readdirSync(dir).find((f) => f.startsWith('journal-'))!;
    const ops: number[] = [];
    decodeAll(fs.readFileSync(path.join(dir, journal)), 12, (r) => ops.push(r.op));
    // The plain insert (create + put, one group), then the commit: begin, 3 puts, end.
    expect(ops.slice(-5)).toEqual([Op.GROUP_BEGIN, Op.PUT, Op.PUT, Op.PUT, Op.GROUP_END]);

    engine = await createEngine({ dataDir: dir });
    expect(await all('c')).toEqual([{ _id: 0, seen: true }, { _id: 1 }, { _id: 2 }]);
    expect(await s.commit()).toEqual({ ok: 1 });
    // Cut inside the commit's group: the whole transaction is gone, the plain insert stays.
    await engine.close();
    const p = path.join(dir, journal);
    fs.truncateSync(p, fs.statSync(p).size - 3);
    engine = await createEngine({ dataDir: dir });
    expect(engine.recovery!.droppedGroups + (engine.recovery!.truncatedBytes > 0 ? 1 : 0)).toBeGreaterThan(0);
    expect(await all('c')).toEqual([{ _id: 0 }]);
  });

  it('answers a retryable write retried after a restart, and after a compaction, without applying it again', async () => {
    engine = await createEngine({ dataDir: dir });
    const s = session();
    const first = await run({
      update: 'c',
      updates: [{ q: { _id: 1 }, u: { $inc: { n: 1 } }, upsert: true }],
      ...s.retryable(5),
    });
    expect(first).toMatchObject({ n: 1, nModified: 0, upserted: [{ index: 0, _id: 1 }], ok: 1 });
    await engine.close();
    engine = await createEngine({ dataDir: dir });
    const again = await run({
      update: 'c',
      updates: [{ q: { _id: 1 }, u: { $inc: { n: 1 } }, upsert: true }],
      ...s.retryable(5),
    });
    expect(again).toEqual({ ...first, retriedStmtIds: [0] });
    await engine.compact();
    await engine.close();
    engine = await createEngine({ dataDir: dir });
    expect(
      await run({
        update: 'c',
        updates: [{ q: { _id: 1 }, u: { $inc: { n: 1 } }, upsert: true }],
        ...s.retryable(5),
      }),
    ).toEqual(again);
    expect(await all('c')).toEqual([{ _id: 1, n: 1 }]);
    expect(await run({ insert: 'c', documents: [{ _id: 2 }], ...s.retryable(4) })).toMatchObject({
      ok: 0,
      code: 225,
    });
  });

  it('drops a group a crash cut short and appends later records to a new journal', async () => {
    engine = await createEngine({ dataDir: dir });
    await run({ insert: 'c', documents: [{ _id: 1 }] });
    await run({ insert: 'c', documents: [{ _id: 2 }, { _id: 3 }] });
    await engine.close();
    const [journal] = fs.readdirSync(dir).filter((f) => f.startsWith('journal-'));
    const p = path.join(dir, journal);
    // Remove the last record (the second insert's GROUP_END) exactly: no torn bytes, just no end.
    let ends = 0;
    decodeAll(fs.readFileSync(p), 12, (r) => {
      if (r.op === Op.GROUP_END) ends++;
    });
    const buf = fs.readFileSync(p);
    let last = 12;
    let offset = 12;
    decodeAll(buf, 12, (r) => {
      last = offset;
      offset = r.body.byteOffset - buf.byteOffset + r.body.length;
    });
    fs.truncateSync(p, last);
    engine = await createEngine({ dataDir: dir });
    expect(ends).toBe(2);
    expect(engine.recovery!.truncatedBytes).toBe(0);
    expect(engine.recovery!.droppedGroups).toBe(1);
    expect(await all('c')).toEqual([{ _id: 1 }]);
    await run({ insert: 'c', documents: [{ _id: 4 }] });
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('journal-'))).toHaveLength(2);
    await engine.close();
    engine = await createEngine({ dataDir: dir });
    expect(await all('c')).toEqual([{ _id: 1 }, { _id: 4 }]);
  });
});

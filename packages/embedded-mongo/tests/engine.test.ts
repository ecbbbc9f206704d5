/**
 * The engine of the embedded server, called directly (no wire): command reply
 * shapes, error codes, update/upsert semantics, unique indexes, aggregation
 * stages and cursors. Persistence is in engine-persistence.test.ts.
 */
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { Binary, Long, ObjectId, type Document } from 'bson';
import { createEngine } from '../src/engine/index.ts';
import type { CommandExecutor } from '../src/contract.ts';

let engine: CommandExecutor;
const ctx = { connectionId: 1 };
/** A command's reply without the cluster time every reply carries (checked on its own below). */
const run = async (cmd: Document, db = 'test') => {
  const { $clusterTime, operationTime, ...reply } = await engine.run(db, cmd, ctx);
  expect($clusterTime).toBeDefined();
  expect(operationTime).toBeDefined();
  return reply;
};
const find = async (coll: string, filter: Document = {}, extra: Document = {}) =>
  (await run({ find: coll, filter, ...extra })).cursor.firstBatch as Document[];
const insert = (coll: string, documents: Document[], extra: Document = {}) =>
  run({ insert: coll, documents, ...extra });

beforeEach(async () => {
  engine = await createEngine({});
});
afterEach(async () => {
  await engine.close();
});

describe('basic commands', () => {
  it('ping, buildInfo, hello, serverStatus, connectionStatus, getParameter, hostInfo', async () => {
    expect(await run({ ping: 1 }, 'admin')).toEqual({ ok: 1 });
    const bi = await run({ buildInfo: 1 }, 'admin');
    expect(bi.version).toMatch(/^7\.0/);
    expect(bi.versionArray).toEqual([7, 0, 0, 0]);
    expect((await run({ hello: 1 }, 'admin')).maxWireVersion).toBe(21);
    expect((await run({ serverStatus: 1 }, 'admin')).ok).toBe(1);
    expect((await run({ connectionStatus: 1 }, 'admin')).authInfo).toBeDefined();
    expect(await run({ getParameter: 1, featureCompatibilityVersion: 1 }, 'admin')).toMatchObject({
      featureCompatibilityVersion: { version: '7.0' },
      ok: 1,
    });
    expect((await run({ hostInfo: 1 }, 'admin')).ok).toBe(1);
    expect(await run({ endSessions: [] }, 'admin')).toEqual({ ok: 1 });
    expect(await run({ killSessions: [] }, 'admin')).toEqual({ ok: 1 });
  });

  it('unknown command is 59 CommandNotFound', async () => {
    expect(await run({ frobnicate: 1 })).toEqual({
      ok: 0,
      code: 59,
      codeName: 'CommandNotFound',
      errmsg: "no such command: 'frobnicate'",
    });
  });

  it('runs a transaction: private until commit, a commit retry answered, a finished one gone (251)', async () => {
    const lsid = { id: new Binary(Buffer.alloc(16, 7), 4) };
    const txn = { lsid, txnNumber: Long.fromNumber(1), autocommit: false };
    expect(await run({ insert: 'c', documents: [{ _id: 1 }], ...txn, startTransaction: true })).toEqual({
      n: 1,
      ok: 1,
    });
    expect((await run({ find: 'c', filter: {}, ...txn })).cursor.firstBatch).toEqual([{ _id: 1 }]);
    expect(await find('c')).toEqual([]);
    expect(await run({ commitTransaction: 1, ...txn }, 'admin')).toEqual({ ok: 1 });
    expect(await find('c')).toEqual([{ _id: 1 }]);
    expect(await run({ commitTransaction: 1, ...txn }, 'admin')).toEqual({ ok: 1 });
    const late = await run(
      { abortTransaction: 1, lsid, txnNumber: Long.fromNumber(2), autocommit: false },
      'admin',
    );
    expect(late).toMatchObject({ ok: 0, code: 251, codeName: 'NoSuchTransaction' });
    expect(late.errorLabels).toEqual(['TransientTransactionError']);
    expect(await run({ commitTransaction: 1 }, 'admin')).toMatchObject({ ok: 0, code: 125 });
  });

  it('every reply carries the cluster time, which a write moves forward', async () => {
    const before = await engine.run('test', { ping: 1 }, ctx);
    expect(before.$clusterTime.clusterTime).toEqual(before.operationTime);
    expect(before.$clusterTime.signature.keyId).toEqual(Long.ZERO);
    const after = await engine.run('test', { insert: 'c', documents: [{ a: 1 }] }, ctx);
    expect(after.operationTime.greaterThan(before.operationTime)).toBe(true);
  });

  it('ignores generic fields ($db, lsid, $clusterTime, readConcern, writeConcern, apiVersion)', async () => {
    const r = await run({
      insert: 'c',
      documents: [{ a: 1 }],
      $db: 'test',
      lsid: { id: new ObjectId() },
      $clusterTime: {},
      writeConcern: { w: 1 },
      apiVersion: '1',
    });
    expect(r).toEqual({ n: 1, ok: 1 });
    const f = await run({ find: 'c', filter: {}, readConcern: { level: 'local' }, $db: 'test' });
    expect(f.cursor.firstBatch).toHaveLength(1);
  });
});

describe('insert and find', () => {
  it('generates _id first, keeps types, returns copies', async () => {
    const d = new Date('2024-01-02T03:04:05Z');
    expect(
      await insert('c', [
        { a: 1, d },
        { _id: 7, a: 2 },
      ]),
    ).toEqual({ n: 2, ok: 1 });
    const docs = await find('c', {}, { sort: { a: 1 } });
    expect(Object.keys(docs[0])[0]).toBe('_id');
    expect(docs[0]._id).toBeInstanceOf(ObjectId);
    expect(docs[0].d).toEqual(d);
    docs[0].a = 999;
    expect((await find('c', { a: 1 })).length).toBe(1);
  });

  it('copies replies unless the caller serializes them at once (the wire server)', async () => {
    await insert('c', [{ _id: 1, nested: { x: 1 }, terms: [{ y: 1, z: 2 }] }]);
    const serialized = { connectionId: 1, serializesReply: true };
    const first = (cmd: Document, c = ctx) => engine.run('test', cmd, c).then((r) => r.cursor.firstBatch[0]);
    // Stored documents are immutable, so a serialized reply may hold them as they are…
    const a = await first({ find: 'c', filter: {} }, serialized);
    expect(await first({ find: 'c', filter: {} }, serialized)).toBe(a);
    const p = await first({ find: 'c', projection: { 'terms.y': 1 } }, serialized);
    expect(p).toEqual({ _id: 1, terms: [{ y: 1 }] });
    expect((await first({ aggregate: 'c', pipeline: [{ $match: {} }], cursor: {} }, serialized)).nested).toBe(
      a.nested,
    );
    // …and any other caller gets copies it may change.
    const b = await first({ find: 'c', filter: {} });
    expect(b).not.toBe(a);
    expect(b.nested).not.toBe(a.nested);
    const q = await first({ find: 'c', projection: { nested: 1 } });
    expect(q.nested).not.toBe(a.nested);
    expect((await first({ aggregate: 'c', pipeline: [{ $match: {} }], cursor: {} })).nested).not.toBe(
      a.nested,
    );
  });

  it('callers cannot mutate stored state through inserted objects', async () => {
    const doc = { _id: 1, nested: { x: 1 } };
    await insert('c', [doc]);
    doc.nested.x = 2;
    expect((await find('c'))[0].nested.x).toBe(1);
  });

  it('duplicate _id is a write error; ordered stops, unordered continues', async () => {
    const r = await insert('c', [{ _id: 1 }, { _id: 1 }, { _id: 2 }]);
    expect(r.n).toBe(1);
    expect(r.writeErrors).toHaveLength(1);
    expect(r.writeErrors[0]).toMatchObject({
      index: 1,
      code: 11000,
      keyPattern: { _id: 1 },
      keyValue: { _id: 1 },
    });
    expect(r.writeErrors[0].errmsg).toBe(
      'E11000 duplicate key error collection: test.c index: _id_ dup key: { _id: 1 }',
    );
    const u = await insert('d', [{ _id: 1 }, { _id: 1 }, { _id: 2 }, { _id: 2 }], { ordered: false });
    expect(u.n).toBe(2);
    expect(u.writeErrors.map((e: Document) => e.index)).toEqual([1, 3]);
  });

  it('limits: $-prefixed top-level field, array _id, 16 MiB', async () => {
    const a = await insert('c', [{ $bad: 1 }]);
    expect(a.writeErrors[0].code).toBe(2);
    const b = await insert('c', [{ _id: [1, 2] }]);
    expect(b.writeErrors[0]).toMatchObject({ code: 2, errmsg: "can't use an array for _id" });
    const big = await insert('c', [{ s: 'x'.repeat(17 * 1024 * 1024) }]);
    expect(big.writeErrors[0].code).toBe(10334);
    expect(await find('c')).toEqual([]);
  });

  it('filter, sort, projection, skip, limit, negative limit, collation sort', async () => {
    await insert('c', [
      { _id: 1, name: 'b', n: 3, tags: ['x'] },
      { _id: 2, name: 'A', n: 1, tags: ['y'] },
      { _id: 3, name: 'a', n: 2, tags: ['x', 'y'] },
      { _id: 4, name: 'C', n: 4 },
    ]);
    expect((await find('c', { tags: 'x' })).map((d) => d._id)).toEqual([1, 3]);
    expect((await find('c', {}, { sort: { n: -1 }, skip: 1, limit: 2 })).map((d) => d._id)).toEqual([1, 3]);
    expect(await find('c', { _id: 2 }, { projection: { name: 1 } })).toEqual([{ _id: 2, name: 'A' }]);
    expect(await find('c', { _id: 2 }, { projection: { name: 1, _id: 0 } })).toEqual([{ name: 'A' }]);
    expect(await find('c', { _id: 3 }, { projection: { tags: { $slice: 1 } } })).toEqual([
      { _id: 3, name: 'a', n: 2, tags: ['x'] },
    ]);
    const neg = await run({ find: 'c', filter: {}, limit: -2 });
    expect(neg.cursor.firstBatch).toHaveLength(2);
    expect(neg.cursor.id).toEqual(Long.ZERO);
    // Binary order: uppercase first; with a locale collation, case-insensitive.
    expect((await find('c', {}, { sort: { name: 1 } })).map((d) => d.name)).toEqual(['A', 'C', 'a', 'b']);
    const col = await find('c', {}, { sort: { name: 1 }, collation: { locale: 'en', strength: 2 } });
    expect(col.map((d) => d.name.toLowerCase())).toEqual(['a', 'a', 'b', 'c']);
    expect(await find('missing')).toEqual([]);
  });

  it('query operators incl. $type objectId, $regex, $elemMatch, $in on _id; unknown operator is 2', async () => {
    const oid = new ObjectId();
    await insert('c', [
      { _id: oid, s: 'Nguyễn', arr: [{ a: 1, b: 2 }] },
      { _id: 'str', s: 'nguyen', arr: [{ a: 1, b: 3 }] },
    ]);
    expect((await find('c', { _id: { $type: 'objectId' } })).map((d) => d.s)).toEqual(['Nguyễn']);
    expect((await find('c', { _id: { $type: 'string' } })).length).toBe(1);
    expect((await find('c', { s: { $regex: '^nguy', $options: 'i' } })).length).toBe(2);
    expect((await find('c', { s: /^ngu/ })).length).toBe(1);
    expect((await find('c', { arr: { $elemMatch: { a: 1, b: 3 } } })).map((d) => d._id)).toEqual(['str']);
    expect((await find('c', { _id: { $in: [oid, 'str', 'nope'] } })).length).toBe(2);
    expect(await run({ find: 'c', filter: { s: { $foo: 1 } } })).toMatchObject({
      ok: 0,
      code: 2,
      codeName: 'BadValue',
      errmsg: 'unknown operator: $foo',
    });
  });
});

describe('cursors', () => {
  beforeEach(async () => {
    await insert(
      'big',
      Array.from({ length: 250 }, (_, i) => ({ i })),
    );
  });

  it('first batch 101, getMore with Long or bigint id, then id 0', async () => {
    const r = await run({ find: 'big', filter: {}, sort: { i: 1 } });
    expect(r.cursor.firstBatch).toHaveLength(101);
    expect(r.cursor.ns).toBe('test.big');
    expect(Long.isLong(r.cursor.id)).toBe(true);
    expect(r.cursor.id.isZero()).toBe(false);
    const g1 = await run({ getMore: r.cursor.id, collection: 'big', batchSize: 100 });
    expect(g1.cursor.nextBatch).toHaveLength(100);
    expect(g1.cursor.nextBatch[0].i).toBe(101);
    expect(g1.cursor.id.toString()).toBe(r.cursor.id.toString());
    const g2 = await run({ getMore: r.cursor.id.toBigInt(), collection: 'big' });
    expect(g2.cursor.nextBatch).toHaveLength(49);
    expect(g2.cursor.id).toEqual(Long.ZERO);
    const g3 = await run({ getMore: r.cursor.id, collection: 'big' });
    expect(g3).toMatchObject({ ok: 0, code: 43, codeName: 'CursorNotFound' });
  });

  it('batchSize, limit, singleBatch', async () => {
    const r = await run({ find: 'big', filter: {}, batchSize: 10, limit: 25 });
    expect(r.cursor.firstBatch).toHaveLength(10);
    const g = await run({ getMore: r.cursor.id, collection: 'big' });
    expect(g.cursor.nextBatch).toHaveLength(15);
    expect(g.cursor.id).toEqual(Long.ZERO);
    const s = await run({ find: 'big', filter: {}, singleBatch: true, batchSize: 5 });
    expect(s.cursor.firstBatch).toHaveLength(5);
    expect(s.cursor.id).toEqual(Long.ZERO);
    const z = await run({ find: 'big', filter: {}, batchSize: 0 });
    expect(z.cursor.firstBatch).toHaveLength(0);
    expect(z.cursor.id.isZero()).toBe(false);
  });

  it('killCursors and connectionClosed release cursors', async () => {
    const a = await run({ find: 'big', filter: {} });
    const b = await run({ find: 'big', filter: {} });
    const k = await run({ killCursors: 'big', cursors: [a.cursor.id, Long.fromNumber(12345)] });
    expect(k.cursorsKilled.map(String)).toEqual([a.cursor.id.toString()]);
    expect(k.cursorsNotFound.map(String)).toEqual(['12345']);
    expect(k.cursorsAlive).toEqual([]);
    expect(k.cursorsUnknown).toEqual([]);
    engine.connectionClosed!(1);
    expect((await run({ getMore: b.cursor.id, collection: 'big' })).code).toBe(43);
  });

  it('aggregate cursor with batchSize', async () => {
    const r = await run({ aggregate: 'big', pipeline: [{ $sort: { i: -1 } }], cursor: { batchSize: 50 } });
    expect(r.cursor.firstBatch).toHaveLength(50);
    expect(r.cursor.firstBatch[0].i).toBe(249);
    const g = await run({ getMore: r.cursor.id, collection: 'big', batchSize: 1000 });
    expect(g.cursor.nextBatch).toHaveLength(200);
    expect(g.cursor.id).toEqual(Long.ZERO);
  });
});

describe('update', () => {
  it('$set/$inc/$push, multi, nModified, no-op not counted', async () => {
    await insert('c', [
      { _id: 1, a: 1, l: [] },
      { _id: 2, a: 1, l: [] },
      { _id: 3, a: 2, l: [] },
    ]);
    const r = await run({
      update: 'c',
      updates: [{ q: { a: 1 }, u: { $inc: { n: 1 }, $push: { l: 'x' } }, multi: true }],
    });
    expect(r).toEqual({ n: 2, nModified: 2, ok: 1 });
    const one = await run({ update: 'c', updates: [{ q: { a: 1 }, u: { $set: { z: 1 } } }] });
    expect(one).toEqual({ n: 1, nModified: 1, ok: 1 });
    const noop = await run({ update: 'c', updates: [{ q: { _id: 3 }, u: { $set: { a: 2 } } }] });
    expect(noop).toEqual({ n: 1, nModified: 0, ok: 1 });
    expect((await find('c', { _id: 1 }))[0]).toEqual({ _id: 1, a: 1, l: ['x'], n: 1, z: 1 });
  });

  it('replacement keeps _id; changing _id is 66', async () => {
    await insert('c', [{ _id: 1, a: 1, b: 2 }]);
    expect(await run({ update: 'c', updates: [{ q: { _id: 1 }, u: { c: 3 } }] })).toEqual({
      n: 1,
      nModified: 1,
      ok: 1,
    });
    expect(await find('c')).toEqual([{ _id: 1, c: 3 }]);
    const bad = await run({ update: 'c', updates: [{ q: { _id: 1 }, u: { _id: 2, c: 3 } }] });
    expect(bad.writeErrors[0].code).toBe(66);
    const bad2 = await run({ update: 'c', updates: [{ q: { _id: 1 }, u: { $set: { _id: 5 } } }] });
    expect(bad2.writeErrors[0]).toMatchObject({ code: 66 });
    // Setting _id to its own value is allowed.
    const same = await run({ update: 'c', updates: [{ q: { _id: 1 }, u: { $set: { _id: 1, d: 1 } } }] });
    expect(same).toEqual({ n: 1, nModified: 1, ok: 1 });
  });

  it('validation errors: conflicting 40, mixed 9, unknown modifier 9', async () => {
    await insert('c', [{ _id: 1, a: { b: 1 } }]);
    const conflict = await run({ update: 'c', updates: [{ q: {}, u: { $set: { a: 1 }, $inc: { a: 1 } } }] });
    expect(conflict.writeErrors[0]).toMatchObject({ code: 40 });
    expect(conflict.writeErrors[0].errmsg).toMatch(/would create a conflict at 'a'/);
    const prefix = await run({ update: 'c', updates: [{ q: {}, u: { $set: { a: 1, 'a.b': 2 } } }] });
    expect(prefix.writeErrors[0].code).toBe(40);
    const mixed = await run({ update: 'c', updates: [{ q: {}, u: { $set: { x: 1 }, y: 2 } }] });
    expect(mixed.writeErrors[0].code).toBe(9);
    const unknown = await run({ update: 'c', updates: [{ q: {}, u: { $foo: { x: 1 } } }] });
    expect(unknown.writeErrors[0]).toMatchObject({ code: 9 });
    expect(unknown.writeErrors[0].errmsg).toMatch(/^Unknown modifier: \$foo/);
    expect(await find('c')).toEqual([{ _id: 1, a: { b: 1 } }]);
  });

  it('upsert: seeds from filter equality ($eq, $and), $setOnInsert, generated _id', async () => {
    const r = await run({
      update: 'c',
      updates: [
        {
          q: { email: 'x@y', $and: [{ school: 's1' }, { age: { $gt: 3 } }], kind: { $eq: 'k' } },
          u: { $set: { name: 'N', updatedAt: new Date(0) }, $setOnInsert: { createdAt: new Date(1), n: 0 } },
          upsert: true,
        },
      ],
    });
    expect(r.n).toBe(1);
    expect(r.nModified).toBe(0);
    expect(r.upserted[0].index).toBe(0);
    expect(r.upserted[0]._id).toBeInstanceOf(ObjectId);
    const [doc] = await find('c');
    expect(doc).toEqual({
      _id: r.upserted[0]._id,
      email: 'x@y',
      school: 's1',
      kind: 'k',
      name: 'N',
      updatedAt: new Date(0),
      createdAt: new Date(1),
      n: 0,
    });
    // Matching now: $setOnInsert is ignored.
    await run({
      update: 'c',
      updates: [{ q: { email: 'x@y' }, u: { $set: { name: 'M' }, $setOnInsert: { n: 5 } }, upsert: true }],
    });
    expect((await find('c'))[0]).toMatchObject({ name: 'M', n: 0 });
    // _id from the filter; replacement upsert.
    const rep = await run({ update: 'c', updates: [{ q: { _id: 42 }, u: { v: 1 }, upsert: true }] });
    expect(rep.upserted).toEqual([{ index: 0, _id: 42 }]);
    expect(await find('c', { _id: 42 })).toEqual([{ _id: 42, v: 1 }]);
  });

  it('positional $, $[], arrayFilters', async () => {
    await insert('c', [
      {
        _id: 1,
        grades: [
          { g: 80, n: 0 },
          { g: 90, n: 0 },
          { g: 95, n: 0 },
        ],
        tags: ['a', 'b'],
      },
    ]);
    await run({ update: 'c', updates: [{ q: { 'grades.g': 90 }, u: { $set: { 'grades.$.n': 1 } } }] });
    await run({
      update: 'c',
      updates: [
        { q: { _id: 1 }, u: { $inc: { 'grades.$[hi].n': 10 } }, arrayFilters: [{ 'hi.g': { $gte: 90 } }] },
      ],
    });
    await run({ update: 'c', updates: [{ q: { _id: 1 }, u: { $set: { 'tags.$[]': 'z' } } }] });
    const [d] = await find('c');
    expect(d.grades.map((x: Document) => x.n)).toEqual([0, 11, 10]);
    expect(d.tags).toEqual(['z', 'z']);
  });

  it('pipeline updates', async () => {
    await insert('c', [{ _id: 1, a: 2, b: 3 }]);
    const r = await run({
      update: 'c',
      updates: [{ q: { _id: 1 }, u: [{ $set: { sum: { $add: ['$a', '$b'] } } }, { $unset: 'b' }] }],
    });
    expect(r).toEqual({ n: 1, nModified: 1, ok: 1 });
    expect(await find('c')).toEqual([{ _id: 1, a: 2, sum: 5 }]);
    const up = await run({
      update: 'c',
      updates: [{ q: { k: 'x' }, u: [{ $set: { v: { $concat: ['$k', '!'] } } }], upsert: true }],
    });
    expect(up.upserted).toHaveLength(1);
    expect((await find('c', { k: 'x' }))[0].v).toBe('x!');
  });
});

describe('delete, count, distinct', () => {
  it('delete limit 1 and 0; count with query/skip/limit; distinct flattens arrays', async () => {
    await insert('c', [{ a: 1, t: ['x', 'y'] }, { a: 1, t: ['y'] }, { a: 2, t: 'z' }, { a: 3 }]);
    expect(await run({ count: 'c' })).toEqual({ n: 4, ok: 1 });
    expect(await run({ count: 'c', query: { a: { $lte: 2 } }, skip: 1, limit: 1 })).toEqual({ n: 1, ok: 1 });
    expect(await run({ distinct: 'c', key: 't' })).toEqual({ values: ['x', 'y', 'z'], ok: 1 });
    expect(await run({ distinct: 'c', key: 'a', query: { a: { $gt: 1 } } })).toEqual({
      values: [2, 3],
      ok: 1,
    });
    expect(await run({ delete: 'c', deletes: [{ q: { a: 1 }, limit: 1 }] })).toEqual({ n: 1, ok: 1 });
    expect(await run({ delete: 'c', deletes: [{ q: {}, limit: 0 }] })).toEqual({ n: 3, ok: 1 });
    expect(await run({ count: 'missing' })).toEqual({ n: 0, ok: 1 });
  });
});

describe('findAndModify', () => {
  it('update returning before/after, fields, sort, remove, upsert', async () => {
    await insert('c', [
      { _id: 1, q: 5, s: 'a' },
      { _id: 2, q: 5, s: 'b' },
    ]);
    const before = await run({
      findAndModify: 'c',
      query: { q: 5 },
      sort: { s: -1 },
      update: { $inc: { q: 1 } },
    });
    expect(before).toEqual({
      lastErrorObject: { n: 1, updatedExisting: true },
      value: { _id: 2, q: 5, s: 'b' },
      ok: 1,
    });
    const after = await run({
      findAndModify: 'c',
      query: { _id: 1 },
      update: { $set: { s: 'z' } },
      new: true,
      fields: { s: 1 },
    });
    expect(after.value).toEqual({ _id: 1, s: 'z' });
    const pipe = await run({
      findAndModify: 'c',
      query: { _id: 1 },
      update: [{ $set: { q: { $multiply: ['$q', 2] } } }],
      new: true,
    });
    expect(pipe.value.q).toBe(10);
    const up = await run({
      findAndModify: 'c',
      query: { _id: 9 },
      update: { $setOnInsert: { c: 1 } },
      upsert: true,
      new: true,
    });
    expect(up).toEqual({
      lastErrorObject: { n: 1, updatedExisting: false, upserted: 9 },
      value: { _id: 9, c: 1 },
      ok: 1,
    });
    const none = await run({ findAndModify: 'c', query: { _id: 100 }, update: { $set: { a: 1 } } });
    expect(none).toEqual({ lastErrorObject: { n: 0, updatedExisting: false }, value: null, ok: 1 });
    const rm = await run({ findAndModify: 'c', query: { _id: 2 }, remove: true });
    expect(rm).toEqual({ lastErrorObject: { n: 1 }, value: { _id: 2, q: 6, s: 'b' }, ok: 1 });
    const af = await run({
      findAndModify: 'c',
      query: { _id: 1 },
      update: { $set: { 'l.$[e]': 0 } },
      arrayFilters: [{ e: { $gt: 1 } }],
    });
    expect(af.ok).toBe(1);
  });

  it('errors are ok:0 with the code', async () => {
    await run({ createIndexes: 'c', indexes: [{ key: { e: 1 }, name: 'e_1', unique: true }] });
    await insert('c', [
      { _id: 1, e: 'a' },
      { _id: 2, e: 'b' },
    ]);
    const dup = await run({ findAndModify: 'c', query: { _id: 2 }, update: { $set: { e: 'a' } } });
    expect(dup).toMatchObject({ ok: 0, code: 11000, codeName: 'DuplicateKey', keyValue: { e: 'a' } });
    const bad = await run({ findAndModify: 'c', query: { _id: 2 }, update: { $bogus: { e: 1 } } });
    expect(bad).toMatchObject({ ok: 0, code: 9 });
    const imm = await run({ findAndModify: 'c', query: { _id: 2 }, update: { $set: { _id: 3 } } });
    expect(imm).toMatchObject({ ok: 0, code: 66, codeName: 'ImmutableField' });
  });
});

describe('indexes', () => {
  it('looks a partial index up only for a query that implies its filter, never missing a document', async () => {
    await insert('ev', [
      { _id: 1, chain: 'a', seq: 1 },
      { _id: 2, chain: 'a' },
      { _id: 3, chain: 'a', seq: 2 },
      { _id: 4, chain: 'b', seq: 1 },
    ]);
    await run({
      createIndexes: 'ev',
      indexes: [
        {
          key: { chain: 1, seq: 1 },
          name: 'chain_seq',
          unique: true,
          partialFilterExpression: { seq: { $exists: true } },
        },
      ],
    });
    const ids = async (filter: Document) =>
      (await find('ev', filter, { sort: { _id: 1 } })).map((d) => d._id);
    // Not implied: the document without `seq` is outside the index and must still be found.
    expect(await ids({ chain: 'a' })).toEqual([1, 2, 3]);
    expect(await ids({ chain: 'a', seq: { $exists: true } })).toEqual([1, 3]);
    expect(await ids({ $and: [{ seq: { $exists: true } }, { chain: 'b' }] })).toEqual([4]);
    expect(await ids({ chain: 'a', seq: { $exists: false } })).toEqual([2]);
  });

  it('create/list/drop; same index again is a no-op; conflicts 85/86', async () => {
    const c1 = await run({ createIndexes: 'c', indexes: [{ key: { a: 1 }, name: 'a_1' }] });
    expect(c1).toEqual({
      numIndexesBefore: 1,
      numIndexesAfter: 2,
      createdCollectionAutomatically: true,
      ok: 1,
    });
    const again = await run({ createIndexes: 'c', indexes: [{ key: { a: 1 }, name: 'a_1' }] });
    expect(again).toMatchObject({
      numIndexesBefore: 2,
      numIndexesAfter: 2,
      note: 'all indexes already exist',
      ok: 1,
    });
    expect((await run({ createIndexes: 'c', indexes: [{ key: { b: 1 }, name: 'a_1' }] })).code).toBe(86);
    expect(
      (await run({ createIndexes: 'c', indexes: [{ key: { a: 1 }, name: 'a_1', unique: true }] })).code,
    ).toBe(85);
    expect((await run({ createIndexes: 'c', indexes: [{ key: { a: 1 }, name: 'other' }] })).code).toBe(85);
    await run({
      createIndexes: 'c',
      indexes: [{ key: { b: -1, c: 1 }, name: 'b_-1_c_1', unique: true, sparse: true }],
    });
    const li = await run({ listIndexes: 'c' });
    expect(li.cursor.firstBatch).toEqual([
      { v: 2, key: { _id: 1 }, name: '_id_' },
      { v: 2, key: { a: 1 }, name: 'a_1' },
      { v: 2, key: { b: -1, c: 1 }, name: 'b_-1_c_1', unique: true, sparse: true },
    ]);
    expect(await run({ dropIndexes: 'c', index: { b: -1, c: 1 } })).toEqual({ nIndexesWas: 3, ok: 1 });
    expect((await run({ dropIndexes: 'c', index: 'nope' })).code).toBe(27);
    expect((await run({ dropIndexes: 'c', index: '_id_' })).code).toBe(72);
    expect((await run({ dropIndexes: 'c', index: '*' })).ok).toBe(1);
    expect((await run({ listIndexes: 'c' })).cursor.firstBatch).toHaveLength(1);
    expect(await run({ listIndexes: 'nope' })).toMatchObject({
      ok: 0,
      code: 26,
      codeName: 'NamespaceNotFound',
    });
    expect((await run({ dropIndexes: 'nope', index: '*' })).code).toBe(26);
    expect((await run({ createIndexes: 'c', indexes: [{ key: { t: 'text' }, name: 't' }] })).code).toBe(67);
  });

  it('unique: E11000 message, keyPattern, keyValue', async () => {
    await run({ createIndexes: 'c', indexes: [{ key: { name: 1 }, name: 'name_1', unique: true }] });
    await insert('c', [{ name: 'x' }]);
    const r = await insert('c', [{ name: 'x' }]);
    expect(r.writeErrors[0]).toEqual({
      index: 0,
      code: 11000,
      errmsg: 'E11000 duplicate key error collection: test.c index: name_1 dup key: { name: "x" }',
      keyPattern: { name: 1 },
      keyValue: { name: 'x' },
    });
    // Update into a duplicate fails and leaves the document unchanged.
    await insert('c', [{ _id: 'y', name: 'y' }]);
    const u = await run({ update: 'c', updates: [{ q: { _id: 'y' }, u: { $set: { name: 'x' } } }] });
    expect(u.writeErrors[0].code).toBe(11000);
    expect((await find('c', { _id: 'y' }))[0].name).toBe('y');
    // The freed key can be reused after a delete.
    await run({ delete: 'c', deletes: [{ q: { name: 'x' }, limit: 1 }] });
    expect((await insert('c', [{ name: 'x' }])).n).toBe(1);
  });

  it('unique multikey: each element is a key, a doc may repeat its own values', async () => {
    await run({ createIndexes: 'c', indexes: [{ key: { tags: 1 }, name: 'tags_1', unique: true }] });
    expect((await insert('c', [{ _id: 1, tags: ['a', 'b', 'a'] }])).n).toBe(1);
    const r = await insert('c', [{ _id: 2, tags: ['c', 'b'] }]);
    expect(r.writeErrors[0].errmsg).toMatch(/dup key: \{ tags: "b" \}/);
    expect((await insert('c', [{ _id: 3, tags: ['c'] }])).n).toBe(1);
    // Update that keeps its own key is fine.
    expect(
      (await run({ update: 'c', updates: [{ q: { _id: 1 }, u: { $push: { tags: 'd' } } }] })).nModified,
    ).toBe(1);
  });

  it('missing counts as null unless sparse', async () => {
    await run({ createIndexes: 'c', indexes: [{ key: { e: 1 }, name: 'e_1', unique: true }] });
    await insert('c', [{ _id: 1 }]);
    const r = await insert('c', [{ _id: 2 }]);
    expect(r.writeErrors[0].errmsg).toMatch(/dup key: \{ e: null \}/);
    expect((await insert('c', [{ _id: 3, e: null }])).writeErrors[0].code).toBe(11000);
    await run({ createIndexes: 's', indexes: [{ key: { e: 1 }, name: 'e_1', unique: true, sparse: true }] });
    expect((await insert('s', [{ _id: 1 }, { _id: 2 }, { _id: 3, e: 1 }])).n).toBe(3);
    expect((await insert('s', [{ _id: 4, e: 1 }])).writeErrors[0].code).toBe(11000);
  });

  it('partialFilterExpression limits the index', async () => {
    await run({
      createIndexes: 'c',
      indexes: [
        { key: { email: 1 }, name: 'email_1', unique: true, partialFilterExpression: { active: true } },
      ],
    });
    expect(
      (
        await insert('c', [
          { email: 'a', active: false },
          { email: 'a', active: false },
          { email: 'a', active: true },
        ])
      ).n,
    ).toBe(3);
    expect((await insert('c', [{ email: 'a', active: true }])).writeErrors[0].code).toBe(11000);
    expect((await find('c', { email: 'a', active: true })).length).toBe(1);
    expect((await find('c', { email: 'a' })).length).toBe(3);
  });

  it('compound unique keys and lookups on the leading field', async () => {
    await run({ createIndexes: 'c', indexes: [{ key: { s: 1, n: 1 }, name: 's_1_n_1', unique: true }] });
    await insert('c', [
      { s: 'a', n: 1 },
      { s: 'a', n: 2 },
      { s: 'b', n: 1 },
    ]);
    const r = await insert('c', [{ s: 'a', n: 2 }]);
    expect(r.writeErrors[0]).toMatchObject({
      code: 11000,
      keyPattern: { s: 1, n: 1 },
      keyValue: { s: 'a', n: 2 },
    });
    expect(r.writeErrors[0].errmsg).toMatch(/index: s_1_n_1 dup key: \{ s: "a", n: 2 \}/);
    expect((await find('c', { s: 'a' })).length).toBe(2);
    expect((await find('c', { s: { $in: ['a', 'b'] }, n: 1 })).length).toBe(2);
    expect((await find('c', { $and: [{ s: 'b' }, { n: { $gte: 1 } }] })).length).toBe(1);
    await run({ update: 'c', updates: [{ q: { s: 'b' }, u: { $set: { s: 'c' } } }] });
    expect((await find('c', { s: 'b' })).length).toBe(0);
    expect((await find('c', { s: 'c' })).length).toBe(1);
  });

  it('creating a unique index over duplicates fails with 11000 and leaves no index', async () => {
    await insert('c', [{ e: 1 }, { e: 1 }]);
    const r = await run({ createIndexes: 'c', indexes: [{ key: { e: 1 }, name: 'e_1', unique: true }] });
    expect(r).toMatchObject({ ok: 0, code: 11000 });
    expect((await run({ listIndexes: 'c' })).cursor.firstBatch).toHaveLength(1);
  });

  it('index lookups agree with scans (numbers of any type, dates, ObjectIds, null)', async () => {
    const oid = new ObjectId();
    await run({ createIndexes: 'c', indexes: [{ key: { v: 1 }, name: 'v_1' }] });
    await insert('c', [
      { v: 1 },
      { v: 1.0 },
      { v: Long.fromNumber(1) },
      { v: new Date(5) },
      { v: oid },
      { v: null },
      {},
      { v: [1, 2] },
    ]);
    expect((await find('c', { v: 1 })).length).toBe(4);
    expect((await find('c', { v: new Date(5) })).length).toBe(1);
    expect((await find('c', { v: new ObjectId(oid.toHexString()) })).length).toBe(1);
    expect((await find('c', { v: null })).length).toBe(2);
    expect((await find('c', { v: { $in: [2, null] } })).length).toBe(3);
  });
});

describe('collections and databases', () => {
  it('create, listCollections (filter, nameOnly), drop, dropDatabase, listDatabases', async () => {
    expect(await run({ create: 'a' })).toEqual({ ok: 1 });
    expect(await run({ create: 'a' })).toMatchObject({ ok: 0, code: 48, codeName: 'NamespaceExists' });
    await insert('b', [{ x: 1 }]);
    const lc = await run({ listCollections: 1, filter: {}, nameOnly: true });
    expect(lc.cursor.id).toEqual(Long.ZERO);
    expect(lc.cursor.firstBatch.map((c: Document) => c.name).sort()).toEqual(['a', 'b']);
    const one = await run({ listCollections: 1, filter: { name: 'b' } });
    expect(one.cursor.firstBatch).toHaveLength(1);
    expect(one.cursor.firstBatch[0]).toMatchObject({ name: 'b', type: 'collection', options: {} });
    expect(await run({ drop: 'a' })).toMatchObject({ ok: 1, ns: 'test.a' });
    // mongod 7.0: dropping a missing collection succeeds.
    expect(await run({ drop: 'a' })).toEqual({ ok: 1 });
    await run({ insert: 'x', documents: [{}] }, 'other');
    const ld = await run({ listDatabases: 1 }, 'admin');
    expect(ld.databases.map((d: Document) => d.name).sort()).toEqual(['other', 'test']);
    expect(await run({ dropDatabase: 1 }, 'other')).toEqual({ dropped: 'other', ok: 1 });
    expect((await run({ listDatabases: 1, nameOnly: true }, 'admin')).databases).toEqual([{ name: 'test' }]);
  });
});

describe('aggregate', () => {
  beforeEach(async () => {
    await insert('m', [
      { _id: 1, school: 's1', stage: 'a', gpa: 3.2, awards: [{ l: 'x' }, { l: 'y' }], uid: 10 },
      { _id: 2, school: 's1', stage: 'b', gpa: 3.8, awards: [], uid: 11 },
      { _id: 3, school: 's2', stage: 'a', gpa: 2.9, awards: [{ l: 'x' }], uid: 10 },
    ]);
    await insert('u', [
      { _id: 10, name: 'U10' },
      { _id: 11, name: 'U11' },
    ]);
  });
  const agg = async (pipeline: Document[], coll = 'm') => {
    const r = await run({ aggregate: coll, pipeline, cursor: {} });
    if (!r.ok) throw new Error(r.errmsg);
    return r.cursor.firstBatch as Document[];
  };

  it('$match $group $sort $project $addFields $set $unset $limit $skip', async () => {
    expect(
      await agg([
        { $match: { school: 's1' } },
        { $group: { _id: '$stage', n: { $sum: 1 } } },
        { $sort: { _id: 1 } },
      ]),
    ).toEqual([
      { _id: 'a', n: 1 },
      { _id: 'b', n: 1 },
    ]);
    expect(
      await agg([{ $sort: { gpa: -1 } }, { $skip: 1 }, { $limit: 1 }, { $project: { gpa: 1 } }]),
    ).toEqual([{ _id: 1, gpa: 3.2 }]);
    const af = await agg([
      { $match: { _id: 1 } },
      { $addFields: { 'x.y': 1 } },
      { $set: { z: 2 } },
      { $unset: ['awards', 'uid'] },
    ]);
    expect(af).toEqual([{ _id: 1, school: 's1', stage: 'a', gpa: 3.2, x: { y: 1 }, z: 2 }]);
    // Stored documents untouched.
    expect((await find('m', { _id: 1 }))[0].x).toBeUndefined();
  });

  it('$lookup $unwind $replaceRoot $count $sortByCount $bucket $facet', async () => {
    const lk = await agg([
      { $match: { _id: 1 } },
      { $lookup: { from: 'u', localField: 'uid', foreignField: '_id', as: 'user' } },
    ]);
    expect(lk[0].user).toEqual([{ _id: 10, name: 'U10' }]);
    expect(await agg([{ $unwind: '$awards' }, { $count: 'n' }])).toEqual([{ n: 3 }]);
    expect(await agg([{ $match: { _id: 3 } }, { $replaceRoot: { newRoot: { s: '$school' } } }])).toEqual([
      { s: 's2' },
    ]);
    expect(await agg([{ $sortByCount: '$school' }])).toEqual([
      { _id: 's1', count: 2 },
      { _id: 's2', count: 1 },
    ]);
    expect(await agg([{ $bucket: { groupBy: '$gpa', boundaries: [0, 3, 4], default: 'other' } }])).toEqual([
      { _id: 0, count: 1 },
      { _id: 3, count: 2 },
    ]);
    const f = await agg([
      {
        $facet: {
          total: [{ $count: 'n' }],
          top: [{ $sort: { gpa: -1 } }, { $limit: 1 }, { $project: { _id: 1 } }],
        },
      },
    ]);
    expect(f).toEqual([{ total: [{ n: 3 }], top: [{ _id: 2 }] }]);
  });

  it('$toString / $toObjectId / $type on ObjectId', async () => {
    const oid = new ObjectId();
    await insert('o', [{ _id: oid }]);
    const r = await agg(
      [
        {
          $project: {
            s: { $toString: '$_id' },
            t: { $type: '$_id' },
            back: { $toObjectId: { $toString: '$_id' } },
          },
        },
      ],
      'o',
    );
    expect(r).toEqual([{ _id: oid, s: oid.toHexString(), t: 'objectId', back: oid }]);
  });

  it('countDocuments shape, empty collection, errors', async () => {
    expect(await agg([{ $match: { school: 's1' } }, { $group: { _id: 1, n: { $sum: 1 } } }])).toEqual([
      { _id: 1, n: 2 },
    ]);
    expect(await agg([{ $match: {} }], 'nothing')).toEqual([]);
    // $out/$merge of another database (or a pipeline whenMatched) are not implemented.
    expect(
      await run({ aggregate: 'm', pipeline: [{ $out: { db: 'other', coll: 'x' } }], cursor: {} }),
    ).toMatchObject({ ok: 0, code: 115 });
    expect(
      await run({
        aggregate: 'm',
        pipeline: [{ $merge: { into: 'x', whenMatched: [{ $set: { a: 1 } }] } }],
        cursor: {},
      }),
    ).toMatchObject({ ok: 0, code: 115 });
    expect(await run({ aggregate: 'm', pipeline: [] })).toMatchObject({ ok: 0, code: 9 });
    const bad = await run({ aggregate: 'm', pipeline: [{ $bogus: {} }], cursor: {} });
    expect(bad.ok).toBe(0);
  });
});

describe('after close', () => {
  it('run replies with an error', async () => {
    await engine.close();
    expect(await run({ ping: 1 })).toMatchObject({ ok: 0, code: 11600 });
    engine = await createEngine({});
  });
});

describe('TTL indexes', () => {
  it('a TTL pass deletes expired documents only', async () => {
    const { expireOnce } = await import('../src/engine/ttl.ts');
    const { Engine } = await import('../src/engine/index.ts');
    await run({
      createIndexes: 'sessions',
      indexes: [{ key: { expiresAt: 1 }, name: 'expiresAt_1', expireAfterSeconds: 0 }],
    });
    await insert('sessions', [
      { _id: 'old', expiresAt: new Date(Date.now() - 60_000) },
      { _id: 'new', expiresAt: new Date(Date.now() + 60_000) },
      { _id: 'none' },
    ]);
    expect(engine).toBeInstanceOf(Engine);
    const real = engine as unknown as {
      store: Parameters<typeof expireOnce>[0];
      flushPending(): Promise<void>;
    };
    expect(await expireOnce(real.store, () => real.flushPending())).toBe(1);
    expect((await find('sessions', {}, { sort: { _id: 1 } })).map((d) => d._id)).toEqual(['new', 'none']);
    const li = await run({ listIndexes: 'sessions' });
    expect(li.cursor.firstBatch[1]).toMatchObject({ name: 'expiresAt_1', expireAfterSeconds: 0 });
  });
});

describe('more query shapes', () => {
  it('$natural sort, hint ignored, $lookup with pipeline, $or with indexed fields', async () => {
    await run({ createIndexes: 'c', indexes: [{ key: { k: 1 }, name: 'k_1' }] });
    await insert('c', [
      { _id: 1, k: 'a' },
      { _id: 2, k: 'b' },
      { _id: 3, k: 'c' },
    ]);
    expect((await find('c', {}, { sort: { $natural: -1 } })).map((d) => d._id)).toEqual([3, 2, 1]);
    expect((await find('c', { k: 'b' }, { hint: { k: 1 } })).map((d) => d._id)).toEqual([2]);
    expect((await find('c', { $or: [{ k: 'a' }, { _id: 3 }] })).map((d) => d._id)).toEqual([1, 3]);
    await insert('o', [
      { ref: 'a', v: 1 },
      { ref: 'a', v: 2 },
      { ref: 'b', v: 3 },
    ]);
    const r = await run({
      aggregate: 'c',
      pipeline: [
        { $match: { _id: { $in: [1, 2] } } },
        {
          $lookup: {
            from: 'o',
            let: { key: '$k' },
            pipeline: [{ $match: { $expr: { $eq: ['$ref', '$$key'] } } }, { $project: { _id: 0, v: 1 } }],
            as: 'os',
          },
        },
        { $sort: { _id: 1 } },
      ],
      cursor: {},
    });
    expect(r.cursor.firstBatch).toEqual([
      { _id: 1, k: 'a', os: [{ v: 1 }, { v: 2 }] },
      { _id: 2, k: 'b', os: [{ v: 3 }] },
    ]);
  });
});

describe('compound index lookups', () => {
  it('uses every equality field of a compound index, not only the leading one', async () => {
    const e = await createEngine({});
    try {
      const r = (cmd: Document) => e.run('test', cmd, ctx);
      await r({
        createIndexes: 'm',
        indexes: [{ key: { s: 1, code: 1 }, name: 's_1_code_1', unique: true }],
      });
      const docs = Array.from({ length: 500 }, (_, i) => ({ s: i % 2, code: `C${i}` }));
      await r({ insert: 'm', documents: docs });
      const c = e.store.get('test', 'm')!;
      expect([...c.candidates({ s: 1, code: 'C7' })].map((d) => d.code)).toEqual(['C7']);
      expect([...c.candidates({ s: 0, code: 'C7' })]).toEqual([]);
      expect(
        [...c.candidates({ s: { $in: [0, 1] }, code: { $in: ['C1', 'C2'] } })].map((d) => d.code).sort(),
      ).toEqual(['C1', 'C2']);
      // A prefix still uses the index (250 of 500).
      expect([...c.candidates({ s: 1 })].length).toBe(250);
      const upserts = Array.from({ length: 300 }, (_, i) => ({
        q: { s: i % 2, code: `C${i}` },
        u: { $set: { seen: true } },
        upsert: true,
      }));
      expect(await r({ update: 'm', updates: upserts })).toMatchObject({ n: 300, nModified: 300, ok: 1 });
    } finally {
      await e.close();
    }
  });
});

describe('index maintenance on updates', () => {
  it('keeps entries when indexed fields are unchanged and moves them when they change', async () => {
    await run({
      createIndexes: 'u',
      indexes: [
        { key: { tags: 1 }, name: 'tags_1' },
        { key: { code: 1 }, name: 'code_1', unique: true },
        { key: { s: 1, code: 1 }, name: 's_1_code_1' },
      ],
    });
    await insert('u', [
      { _id: 1, s: 'a', code: 'X', tags: ['p', 'q'], n: 0 },
      { _id: 2, s: 'a', code: 'Y', tags: ['q'], n: 0 },
    ]);
    const e = engine as Awaited<ReturnType<typeof createEngine>>;
    const c = e.store.get('test', 'u')!;
    const ids = (filter: Document) => [...c.candidates(filter)].map((d) => d._id).sort();
    // Unindexed field changed: every lookup still finds the new version.
    await run({ update: 'u', updates: [{ q: { _id: 1 }, u: { $inc: { n: 1 } } }] });
    expect(ids({ tags: 'p' })).toEqual([1]);
    expect(ids({ tags: 'q' })).toEqual([1, 2]);
    expect(await find('u', { code: 'X' })).toMatchObject([{ _id: 1, n: 1 }]);
    expect(ids({ s: 'a', code: 'X' })).toEqual([1]);
    // Array reordered (same keys, other order), then a key removed and one added.
    await run({ update: 'u', updates: [{ q: { _id: 1 }, u: { $set: { tags: ['q', 'p'] } } }] });
    expect(ids({ tags: 'p' })).toEqual([1]);
    await run({ update: 'u', updates: [{ q: { _id: 1 }, u: { $set: { tags: ['r'], code: 'Z' } } }] });
    expect(ids({ tags: 'p' })).toEqual([]);
    expect(ids({ tags: 'q' })).toEqual([2]);
    expect(ids({ tags: 'r' })).toEqual([1]);
    expect(ids({ s: 'a', code: 'X' })).toEqual([]);
    expect(ids({ s: 'a', code: 'Z' })).toEqual([1]);
    // The old unique key is free again; the new one is taken.
    expect((await insert('u', [{ _id: 3, code: 'X' }])).n).toBe(1);
    const dup = await run({ update: 'u', updates: [{ q: { _id: 2 }, u: { $set: { code: 'Z' } } }] });
    expect(dup.writeErrors?.[0]?.code).toBe(11000);
  });
});

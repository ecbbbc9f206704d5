/**
 * Conformance through the bare driver: each command the app's stack sends, and the
 * error codes and shapes MongoDB replies with. Runs on the embedded server, or on a
 * real MongoDB when MONGODB_URI is set; every assertion must hold on both.
 */
import { Long, ObjectId, type Db } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { serverError } from './session-helpers.ts';
import { withTargetDb, type Target } from './target.ts';

let target: Target;
let db: Db;

withTargetDb('driver', (opened) => {
  ({ target, db } = opened);
});

describe('administrative commands', () => {
  it('answers ping and buildInfo', async () => {
    expect(await db.admin().ping()).toMatchObject({ ok: 1 });
    const info = await db.admin().buildInfo();
    expect(info.ok).toBe(1);
    expect(typeof info.version).toBe('string');
    expect(Array.isArray(info.versionArray)).toBe(true);
  });

  it('creates, lists and drops collections and databases', async () => {
    await db.createCollection('alpha');
    await db.collection('beta').insertOne({ x: 1 });
    const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).sort();
    expect(names).toEqual(['alpha', 'beta']);
    const filtered = await db.listCollections({ name: 'beta' }).toArray();
    expect(filtered.map((c) => c.name)).toEqual(['beta']);
    expect(await db.collection('alpha').drop()).toBe(true);
    expect((await db.listCollections().toArray()).map((c) => c.name)).toEqual(['beta']);
    await db.dropDatabase();
    expect(await db.listCollections().toArray()).toEqual([]);
  });

  it('replies CommandNotFound (59) to an unknown command', async () => {
    const error = await serverError(db.command({ noSuchCommandHere: 1 }));
    expect(error.code).toBe(59);
    expect(error.codeName).toBe('CommandNotFound');
  });

  it('replies NamespaceNotFound (26) for the indexes of a missing collection', async () => {
    const error = await serverError(db.collection('missing').listIndexes().toArray());
    expect(error.code).toBe(26);
    const dropError = await serverError(db.collection('missing').dropIndex('a_1'));
    expect(dropError.code).toBe(26);
  });
});

describe('CRUD', () => {
  it('inserts and finds with filter, sort, projection, skip and limit', async () => {
    const people = db.collection('people');
    await people.insertMany([
      { name: 'An', age: 20, tags: ['a', 'b'] },
      { name: 'Bình', age: 22, tags: ['b'] },
      { name: 'Chi', age: 19, tags: [] },
      { name: 'Dũng', age: 25 },
    ]);
    const rows = await people
      .find({ age: { $gte: 20 } }, { projection: { _id: 0, name: 1 } })
      .sort({ age: -1 })
      .skip(1)
      .limit(2)
      .toArray();
    expect(rows).toEqual([{ name: 'Bình' }, { name: 'An' }]);
    expect(await people.countDocuments({ tags: 'b' })).toBe(2);
    expect(await people.estimatedDocumentCount()).toBe(4);
    expect((await people.distinct('tags')).sort()).toEqual(['a', 'b']);
    expect(
      await people.findOne({ name: { $regex: '^d', $options: 'i' } }, { projection: { _id: 0, age: 1 } }),
    ).toEqual({
      age: 25,
    });
  });

  it('keeps BSON types: ObjectId, Date, Long, nested documents', async () => {
    const id = new ObjectId();
    const at = new Date('2025-07-01T00:00:00Z');
    await db
      .collection('types')
      .insertOne({ _id: id, at, big: Long.fromString('9007199254740993'), nested: { a: [1, { b: 2 }] } });
    const doc = await db.collection('types').findOne({ _id: id }, { promoteLongs: false });
    expect(doc?._id).toBeInstanceOf(ObjectId);
    expect(doc?.at).toBeInstanceOf(Date);
    expect(doc?.at.getTime()).toBe(at.getTime());
    expect(String(doc?.big)).toBe('9007199254740993');
    expect(doc?.nested).toEqual({ a: [1, { b: 2 }] });
    expect(await db.collection('types').countDocuments({ _id: { $type: 'objectId' } })).toBe(1);
  });

  it('serves more than 101 documents through a first batch of 101 and getMore', async () => {
    const coll = db.collection('many');
    await coll.insertMany(Array.from({ length: 250 }, (_, i) => ({ i })));
    const batches: number[] = [];
    const monitored = await target.client({ monitorCommands: true });
    monitored.on('commandSucceeded', (event) => {
      const cursor = (event.reply as { cursor?: { firstBatch?: unknown[]; nextBatch?: unknown[] } }).cursor;
      if (event.commandName === 'find') batches.push(cursor?.firstBatch?.length ?? -1);
      if (event.commandName === 'getMore') batches.push(cursor?.nextBatch?.length ?? -1);
    });
    const all = await monitored.db(target.dbName).collection('many').find().sort({ i: 1 }).toArray();
    expect(all.map((d) => d.i)).toEqual(Array.from({ length: 250 }, (_, i) => i));
    expect(batches[0]).toBe(101);
    expect(batches.reduce((a, b) => a + b, 0)).toBe(250);

    const small = await coll.find({}, { batchSize: 10 }).sort({ i: 1 }).limit(35).toArray();
    expect(small).toHaveLength(35);
  });

  it('kills cursors and reports an unknown cursor id (43)', async () => {
    const coll = db.collection('cursors');
    await coll.insertMany(Array.from({ length: 30 }, (_, i) => ({ i })));
    const reply = await db.command({ find: 'cursors', batchSize: 5 });
    const id = reply.cursor.id as Long;
    expect(Long.isLong(id)).toBe(true);
    expect(id.isZero()).toBe(false);
    const more = await db.command({ getMore: id, collection: 'cursors', batchSize: 5 });
    expect(more.cursor.nextBatch).toHaveLength(5);
    const killed = await db.command({ killCursors: 'cursors', cursors: [id] });
    expect(killed.cursorsKilled.map(String)).toEqual([String(id)]);
    const error = await serverError(db.command({ getMore: id, collection: 'cursors' }));
    expect(error.code).toBe(43);
  });

  it('updates with operators, multi, replacement and pipeline updates', async () => {
    const coll = db.collection('upd');
    await coll.insertMany([
      { _id: 1 as unknown as ObjectId, n: 1, s: 'a' },
      { _id: 2 as unknown as ObjectId, n: 2, s: 'b' },
      { _id: 3 as unknown as ObjectId, n: 3, s: 'c' },
    ]);
    const many = await coll.updateMany({ n: { $gte: 2 } }, { $inc: { n: 10 }, $set: { touched: true } });
    expect(many).toMatchObject({ matchedCount: 2, modifiedCount: 2 });
    await coll.replaceOne({ _id: 1 as unknown as ObjectId }, { s: 'replaced' });
    await coll.updateOne({ _id: 3 as unknown as ObjectId }, [{ $set: { double: { $multiply: ['$n', 2] } } }]);
    const docs = await coll.find().sort({ _id: 1 }).toArray();
    expect(docs).toEqual([
      { _id: 1, s: 'replaced' },
      { _id: 2, n: 12, s: 'b', touched: true },
      { _id: 3, n: 13, s: 'c', touched: true, double: 26 },
    ]);
    const none = await coll.updateOne({ _id: 9 as unknown as ObjectId }, { $set: { s: 'x' } });
    expect(none).toMatchObject({ matchedCount: 0, modifiedCount: 0, upsertedCount: 0 });
  });

  it('upserts with $setOnInsert only on insert, seeding the document from the filter', async () => {
    const coll = db.collection('ups');
    const first = await coll.updateOne(
      { code: 'PVD', kind: 'school' },
      { $set: { name: 'Phạm Văn Đồng' }, $setOnInsert: { createdAt: 1 } },
      { upsert: true },
    );
    expect(first.upsertedCount).toBe(1);
    expect(first.upsertedId).toBeInstanceOf(ObjectId);
    await coll.updateOne(
      { code: 'PVD', kind: 'school' },
      { $set: { name: 'ĐH Phạm Văn Đồng' }, $setOnInsert: { createdAt: 2 } },
      { upsert: true },
    );
    const docs = await coll.find({}, { projection: { _id: 0 } }).toArray();
    expect(docs).toEqual([{ code: 'PVD', kind: 'school', name: 'ĐH Phạm Văn Đồng', createdAt: 1 }]);

    const withId = await coll.updateOne(
      { _id: 'fixed' as unknown as ObjectId },
      { $inc: { n: 1 } },
      { upsert: true },
    );
    expect(withId.upsertedId).toBe('fixed');
  });

  it('applies positional $ and arrayFilters updates', async () => {
    const coll = db.collection('arrays');
    await coll.insertOne({
      _id: 'm' as unknown as ObjectId,
      terms: [
        { year: '2024', gpa: 3.1 },
        { year: '2025', gpa: 3.5 },
      ],
      awards: [
        { level: 'school', verified: false },
        { level: 'province', verified: false },
        { level: 'school', verified: false },
      ],
    });
    await coll.updateOne(
      { _id: 'm' as unknown as ObjectId, 'terms.year': '2025' },
      { $set: { 'terms.$.gpa': 3.6 } },
    );
    await coll.updateOne(
      { _id: 'm' as unknown as ObjectId },
      { $set: { 'awards.$[a].verified': true } },
      { arrayFilters: [{ 'a.level': 'school' }] },
    );
    await coll.updateOne({ _id: 'm' as unknown as ObjectId }, {
      $push: { terms: { year: '2026', gpa: 3.2 } },
    } as never);
    const doc = await coll.findOne({ _id: 'm' as unknown as ObjectId });
    expect(doc?.terms.map((t: { gpa: number }) => t.gpa)).toEqual([3.1, 3.6, 3.2]);
    expect(doc?.awards.map((a: { verified: boolean }) => a.verified)).toEqual([true, false, true]);
  });

  it('deletes one or many', async () => {
    const coll = db.collection('del');
    await coll.insertMany([{ k: 1 }, { k: 1 }, { k: 2 }]);
    expect((await coll.deleteOne({ k: 1 })).deletedCount).toBe(1);
    expect((await coll.deleteMany({})).deletedCount).toBe(2);
  });

  it('runs findAndModify: update, upsert, remove, sort and projection', async () => {
    const coll = db.collection('fam');
    await coll.insertMany([
      { q: 'a', v: 1 },
      { q: 'a', v: 2 },
    ]);
    const after = await coll.findOneAndUpdate(
      { q: 'a' },
      { $inc: { v: 100 } },
      { sort: { v: -1 }, returnDocument: 'after', projection: { _id: 0 } },
    );
    expect(after).toEqual({ q: 'a', v: 102 });
    const before = await coll.findOneAndUpdate(
      { q: 'a', v: 1 },
      { $set: { v: 5 } },
      { returnDocument: 'before' },
    );
    expect(before?.v).toBe(1);
    const upserted = await coll.findOneAndUpdate(
      { q: 'new' },
      { $setOnInsert: { v: 0 } },
      { upsert: true, returnDocument: 'after', projection: { _id: 0 } },
    );
    expect(upserted).toEqual({ q: 'new', v: 0 });
    const removed = await coll.findOneAndDelete({ q: 'new' });
    expect(removed?.v).toBe(0);
    expect(await coll.countDocuments()).toBe(2);
    const missing = await coll.findOneAndUpdate({ q: 'none' }, { $set: { v: 1 } });
    expect(missing).toBeNull();
  });
});

describe('error shapes', () => {
  it('rejects an unknown query operator with BadValue (2)', async () => {
    await db.collection('e').insertOne({ a: 1 });
    const error = await serverError(
      db
        .collection('e')
        .find({ a: { $noSuchOperator: 1 } })
        .toArray(),
    );
    expect(error.code).toBe(2);
  });

  it('rejects an update mixing operators and fields with FailedToParse (9)', async () => {
    await db.collection('e').insertOne({ a: 1 });
    const error = await serverError(
      db.collection('e').updateOne({ a: 1 }, { $set: { a: 2 }, b: 3 } as never),
    );
    expect(error.code).toBe(9);
    expect(await db.collection('e').findOne({}, { projection: { _id: 0 } })).toEqual({ a: 1 });
  });

  it('rejects conflicting update operators (40)', async () => {
    await db.collection('e').insertOne({ a: 1 });
    const error = await serverError(
      db.collection('e').updateOne({ a: 1 }, { $set: { a: 2 }, $inc: { a: 1 } }),
    );
    expect(error.code).toBe(40);
  });

  it('refuses to change _id (66)', async () => {
    await db.collection('e').insertOne({ _id: 'x' as unknown as ObjectId, a: 1 });
    const error = await serverError(db.collection('e').updateOne({ a: 1 }, { $set: { _id: 'y' } }));
    expect(error.code).toBe(66);
  });
});

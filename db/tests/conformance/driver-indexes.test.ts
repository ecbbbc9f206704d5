/**
 * Index conformance through the bare driver: listing and dropping, and MongoDB's
 * unique-index semantics (multikey arrays, missing fields as null, sparse, partial,
 * compound) with the exact duplicate-key error shape.
 */
import { MongoBulkWriteError, MongoServerError, type Db } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { withTargetDb } from './target.ts';

let db: Db;

withTargetDb('indexes', (opened) => {
  ({ db } = opened);
});

async function duplicateKey(promise: Promise<unknown>): Promise<MongoServerError> {
  const error = (await promise.then(
    () => null,
    (e: unknown) => e,
  )) as MongoServerError | null;
  expect(error).toBeInstanceOf(MongoServerError);
  expect(error!.code).toBe(11000);
  return error!;
}

describe('index management', () => {
  it('creates, lists and drops indexes; creating the same one again changes nothing', async () => {
    const coll = db.collection('u');
    expect(await coll.createIndex({ email: 1 }, { unique: true })).toBe('email_1');
    expect(await coll.createIndex({ a: 1, b: -1 }, { name: 'a_b' })).toBe('a_b');
    expect(await coll.createIndex({ email: 1 }, { unique: true })).toBe('email_1');
    const indexes = await coll.listIndexes().toArray();
    expect(indexes.map((i) => i.name).sort()).toEqual(['_id_', 'a_b', 'email_1']);
    expect(indexes.find((i) => i.name === 'email_1')).toMatchObject({ key: { email: 1 }, unique: true });
    await coll.dropIndex('a_b');
    expect((await coll.listIndexes().toArray()).map((i) => i.name).sort()).toEqual(['_id_', 'email_1']);
    await coll.dropIndexes();
    expect((await coll.listIndexes().toArray()).map((i) => i.name)).toEqual(['_id_']);
  });

  it('will not build a unique index over existing duplicates', async () => {
    const coll = db.collection('dups');
    await coll.insertMany([{ k: 1 }, { k: 1 }]);
    await duplicateKey(coll.createIndex({ k: 1 }, { unique: true }));
    expect((await coll.listIndexes().toArray()).map((i) => i.name)).toEqual(['_id_']);
  });
});

describe('unique indexes', () => {
  it('rejects a duplicate with code 11000, keyPattern and keyValue, and writes nothing', async () => {
    const coll = db.collection('users');
    await coll.createIndex({ email: 1 }, { unique: true });
    await coll.insertOne({ email: 'a@demo.vn', n: 1 });
    const error = await duplicateKey(coll.insertOne({ email: 'a@demo.vn', n: 2 }));
    expect(error.keyPattern).toEqual({ email: 1 });
    expect(error.keyValue).toEqual({ email: 'a@demo.vn' });
    expect(error.message).toMatch(/E11000 duplicate key error collection: .*users index: email_1 dup key/);
    await duplicateKey(coll.updateOne({ n: 9 }, { $set: { email: 'a@demo.vn' } }, { upsert: true }));
    expect(await coll.countDocuments()).toBe(1);
  });

  it('keeps the _id index unique', async () => {
    await db.collection('ids').insertOne({ _id: 'same' as never });
    await duplicateKey(db.collection('ids').insertOne({ _id: 'same' as never }));
  });

  it('reports every failed document of an unordered insertMany and keeps the rest', async () => {
    const coll = db.collection('bulk');
    await coll.createIndex({ code: 1 }, { unique: true });
    const error = await coll
      .insertMany([{ code: 1 }, { code: 1 }, { code: 2 }, { code: 2 }, { code: 3 }], { ordered: false })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(MongoBulkWriteError);
    const bulk = error as MongoBulkWriteError;
    expect(bulk.writeErrors).toHaveLength(2);
    expect(bulk.insertedCount).toBe(3);
    expect(await coll.countDocuments()).toBe(3);
  });

  it('stops an ordered insertMany at the first duplicate', async () => {
    const coll = db.collection('ordered');
    await coll.createIndex({ code: 1 }, { unique: true });
    await coll.insertMany([{ code: 1 }, { code: 2 }, { code: 2 }, { code: 3 }]).catch(() => undefined);
    expect(
      (
        await coll
          .find({}, { projection: { _id: 0 } })
          .sort({ code: 1 })
          .toArray()
      ).map((d) => d.code),
    ).toEqual([1, 2]);
  });

  it('indexes each array element (multikey) but lets one document repeat a value', async () => {
    const coll = db.collection('multi');
    await coll.createIndex({ tags: 1 }, { unique: true });
    await coll.insertOne({ tags: ['a', 'b', 'b'] });
    await duplicateKey(coll.insertOne({ tags: ['c', 'a'] }));
    await coll.insertOne({ tags: ['c', 'd'] });
    expect(await coll.countDocuments()).toBe(2);
  });

  it('treats a missing field as null unless the index is sparse', async () => {
    const plain = db.collection('nulls');
    await plain.createIndex({ code: 1 }, { unique: true });
    await plain.insertOne({ other: 1 });
    await duplicateKey(plain.insertOne({ other: 2 }));
    await duplicateKey(plain.insertOne({ code: null }));

    const sparse = db.collection('sparse');
    await sparse.createIndex({ code: 1 }, { unique: true, sparse: true });
    await sparse.insertMany([{ other: 1 }, { other: 2 }, { code: 'x' }]);
    await duplicateKey(sparse.insertOne({ code: 'x' }));
    expect(await sparse.countDocuments()).toBe(3);
  });

  it('limits a partial unique index to the documents its filter matches', async () => {
    const coll = db.collection('partial');
    await coll.createIndex({ email: 1 }, { unique: true, partialFilterExpression: { active: true } });
    await coll.insertMany([
      { email: 'a', active: false },
      { email: 'a', active: false },
      { email: 'a', active: true },
    ]);
    await duplicateKey(coll.insertOne({ email: 'a', active: true }));
    // Leaving the filter frees the key.
    await coll.updateOne({ active: true }, { $set: { active: false } });
    await coll.insertOne({ email: 'a', active: true });
    expect(await coll.countDocuments({ active: true })).toBe(1);
  });

  it('enforces a compound unique key on the combination only', async () => {
    const coll = db.collection('compound');
    await coll.createIndex({ schoolId: 1, studentCode: 1 }, { unique: true });
    await coll.insertMany([
      { schoolId: 1, studentCode: 'A' },
      { schoolId: 2, studentCode: 'A' },
    ]);
    const error = await duplicateKey(coll.insertOne({ schoolId: 1, studentCode: 'A' }));
    expect(error.keyPattern).toEqual({ schoolId: 1, studentCode: 1 });
    expect(error.keyValue).toEqual({ schoolId: 1, studentCode: 'A' });
  });

  it('finds by an indexed key after updates and deletes move or remove it', async () => {
    const coll = db.collection('moves');
    await coll.createIndex({ k: 1 }, { unique: true });
    await coll.insertMany(Array.from({ length: 100 }, (_, i) => ({ k: i })));
    await coll.updateOne({ k: 5 }, { $set: { k: 500 } });
    await coll.deleteOne({ k: 6 });
    expect(await coll.findOne({ k: 5 })).toBeNull();
    expect(await coll.findOne({ k: 500 }, { projection: { _id: 0 } })).toEqual({ k: 500 });
    expect(await coll.findOne({ k: 6 })).toBeNull();
    await coll.insertOne({ k: 5 });
    await coll.insertOne({ k: 6 });
    expect(await coll.countDocuments({ k: { $in: [5, 6, 500] } })).toBe(3);
  });
});

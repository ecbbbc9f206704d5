/**
 * renameCollection through the bare driver (`collection.rename`, `db.renameCollection`):
 * documents and indexes move; mongod's errors for a missing source (26), an existing
 * target (48) and a rename to itself (20).
 */
import type { Db, MongoClient } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { serverError } from './session-helpers.ts';
import { withTargetDb, type Target } from './target.ts';

let target: Target;
let db: Db;
let client: MongoClient;
/** Test documents have numeric `_id`s. */
type Row = { _id?: number; [k: string]: unknown };

withTargetDb('opsrename', (opened) => {
  ({ target, db, client } = opened);
});

const names = async (d: Db = db) =>
  (await d.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).sort();

describe('renameCollection', () => {
  it('moves the documents and the indexes to the new name', async () => {
    const a = db.collection<Row>('a');
    await a.insertMany([
      { _id: 1, email: 'x@y' },
      { _id: 2, email: 'z@y' },
    ]);
    await a.createIndex({ email: 1 }, { unique: true, name: 'email_1' });
    const b = await a.rename('b');
    expect(b.collectionName).toBe('b');
    expect(await names()).toEqual(['b']);
    expect(
      await db
        .collection<Row>('b')
        .find({}, { sort: { _id: 1 } })
        .toArray(),
    ).toEqual([
      { _id: 1, email: 'x@y' },
      { _id: 2, email: 'z@y' },
    ]);
    const indexes = await db.collection<Row>('b').listIndexes().toArray();
    expect(indexes.map((i) => i.name).sort()).toEqual(['_id_', 'email_1']);
    expect(indexes.find((i) => i.name === 'email_1')?.unique).toBe(true);
    // The unique index still holds under the new name.
    const dup = await serverError(db.collection<Row>('b').insertOne({ email: 'x@y' }));
    expect(dup.code).toBe(11000);
    // The old name is free again.
    expect(await db.collection<Row>('a').countDocuments()).toBe(0);
  });

  it('answers NamespaceNotFound (26) for a missing source', async () => {
    const error = await serverError(
      client
        .db('admin')
        .command({ renameCollection: `${target.dbName}.missing`, to: `${target.dbName}.other` }),
    );
    expect(error.code).toBe(26);
    expect(error.codeName).toBe('NamespaceNotFound');
  });

  it('answers NamespaceExists (48) for an existing target unless dropTarget', async () => {
    await db.collection<Row>('a').insertOne({ _id: 1, from: 'a' });
    await db.collection<Row>('b').insertOne({ _id: 1, from: 'b' });
    const error = await serverError(db.collection<Row>('a').rename('b'));
    expect(error.code).toBe(48);
    expect(error.codeName).toBe('NamespaceExists');
    expect(await db.collection<Row>('b').findOne({ _id: 1 })).toEqual({ _id: 1, from: 'b' });
    await db.collection<Row>('a').rename('b', { dropTarget: true });
    expect(await names()).toEqual(['b']);
    expect(await db.collection<Row>('b').findOne({ _id: 1 })).toEqual({ _id: 1, from: 'a' });
  });

  it('refuses a rename to itself (20) and outside the admin database (13)', async () => {
    await db.collection<Row>('a').insertOne({ x: 1 });
    // Through runCommand: `collection.rename` reports any code 20 as "no retryable writes".
    const self = await serverError(
      client.db('admin').command({ renameCollection: `${target.dbName}.a`, to: `${target.dbName}.a` }),
    );
    expect(self.code).toBe(20);
    expect(self.errmsg).toBe("Can't rename a collection to itself");
    const notAdmin = await serverError(
      db.command({ renameCollection: `${target.dbName}.a`, to: `${target.dbName}.c` }),
    );
    expect(notAdmin.code).toBe(13);
  });

  it('moves a collection to another database', async () => {
    const otherName = `${target.dbName}_o`;
    const other = client.db(otherName);
    try {
      await db.collection<Row>('a').insertOne({ _id: 7 });
      await client.db('admin').command({ renameCollection: `${target.dbName}.a`, to: `${otherName}.moved` });
      expect(await names()).toEqual([]);
      expect(await other.collection<Row>('moved').find().toArray()).toEqual([{ _id: 7 }]);
    } finally {
      await other.dropDatabase();
    }
  });
});

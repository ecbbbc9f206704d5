/**
 * collStats, the `$collStats` stage and dbStats through the bare driver: the fields
 * backup and monitoring tools read (counts, sizes, index names), not exact byte sizes,
 * which differ between storage engines.
 */
import type { Db } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { serverError } from './session-helpers.ts';
import { withTargetDb } from './target.ts';

let db: Db;
let dbName: string;

withTargetDb('opsstats', (opened) => {
  ({ db } = opened);
  dbName = opened.target.dbName;
});

/** 100 documents of about 1 KB each, and one secondary index. */
async function seed(): Promise<void> {
  const docs = Array.from({ length: 100 }, (_, i) => ({ i, pad: 'x'.repeat(1000) }));
  await db.collection('people').insertMany(docs);
  await db.collection('people').createIndex({ i: 1 }, { name: 'i_1' });
}

describe('collStats', () => {
  it('reports the count, sizes and every index of a collection', async () => {
    await seed();
    const s = await db.command({ collStats: 'people' });
    expect(s.ok).toBe(1);
    expect(s.ns).toBe(`${dbName}.people`);
    expect(s.count).toBe(100);
    // Each document is a little over 1000 bytes of BSON.
    expect(s.size).toBeGreaterThanOrEqual(100 * 1000);
    expect(s.size).toBeLessThan(100 * 1200);
    expect(s.avgObjSize).toBeGreaterThanOrEqual(1000);
    expect(s.avgObjSize).toBeLessThan(1200);
    expect(s.storageSize).toBeGreaterThan(0);
    expect(s.nindexes).toBe(2);
    expect(Object.keys(s.indexSizes).sort()).toEqual(['_id_', 'i_1']);
    expect(s.indexSizes._id_).toBeGreaterThan(0);
    expect(s.totalIndexSize).toBe(s.indexSizes._id_ + s.indexSizes.i_1);
    expect(s.scaleFactor).toBe(1);
  });

  it('honours scale', async () => {
    await seed();
    const s = await db.command({ collStats: 'people', scale: 1024 });
    expect(s.scaleFactor).toBe(1024);
    expect(s.size).toBeGreaterThanOrEqual(97);
    expect(s.size).toBeLessThan(120);
    expect(s.count).toBe(100);
  });
});

describe('$collStats', () => {
  it('answers count and storageStats for a collection', async () => {
    await seed();
    const [doc] = await db
      .collection('people')
      .aggregate([{ $collStats: { storageStats: {}, count: {} } }])
      .toArray();
    expect(doc.ns).toBe(`${dbName}.people`);
    expect(typeof doc.host).toBe('string');
    expect(doc.localTime).toBeInstanceOf(Date);
    expect(doc.count).toBe(100);
    expect(doc.storageStats.count).toBe(100);
    expect(doc.storageStats.size).toBeGreaterThanOrEqual(100 * 1000);
    expect(doc.storageStats.nindexes).toBe(2);
    expect(Object.keys(doc.storageStats.indexSizes).sort()).toEqual(['_id_', 'i_1']);
  });

  it('feeds later stages (the count a driver sums)', async () => {
    await seed();
    const rows = await db
      .collection('people')
      .aggregate([{ $collStats: { count: {} } }, { $group: { _id: 1, n: { $sum: '$count' } } }])
      .toArray();
    expect(rows).toEqual([{ _id: 1, n: 100 }]);
  });

  it('is only valid as the first stage (40602)', async () => {
    await seed();
    const error = await serverError(
      db
        .collection('people')
        .aggregate([{ $match: {} }, { $collStats: { count: {} } }])
        .toArray(),
    );
    expect(error.code).toBe(40602);
  });

  it('answers NamespaceNotFound (26) for the count of a missing collection', async () => {
    const error = await serverError(
      db
        .collection('missing')
        .aggregate([{ $collStats: { count: {} } }])
        .toArray(),
    );
    expect(error.code).toBe(26);
  });
});

describe('dbStats', () => {
  it('answers every field mongod 7.0 returns', async () => {
    await seed();
    await db.collection('other').insertOne({ a: 1 });
    const s = await db.stats();
    for (const field of [
      'db',
      'collections',
      'views',
      'objects',
      'avgObjSize',
      'dataSize',
      'storageSize',
      'indexes',
      'indexSize',
      'totalSize',
      'scaleFactor',
      'fsUsedSize',
      'fsTotalSize',
      'ok',
    ])
      expect(s).toHaveProperty(field);
    expect(s.db).toBe(dbName);
    expect(s.collections).toBe(2);
    expect(s.views).toBe(0);
    expect(s.objects).toBe(101);
    expect(s.indexes).toBe(3);
    expect(s.dataSize).toBeGreaterThanOrEqual(100 * 1000);
    expect(s.avgObjSize).toBeGreaterThan(900);
    expect(s.totalSize).toBeGreaterThan(0);
    expect(s.fsTotalSize).toBeGreaterThanOrEqual(s.fsUsedSize);
    expect(s.scaleFactor).toBe(1);
  });

  it('honours scale', async () => {
    await seed();
    const plain = await db.stats();
    const s = await db.stats({ scale: 1024 });
    expect(s.scaleFactor).toBe(1024);
    expect(s.dataSize).toBe(Math.trunc(plain.dataSize / 1024));
    expect(s.objects).toBe(100);
  });
});

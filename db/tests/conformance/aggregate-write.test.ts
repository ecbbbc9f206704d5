/**
 * `$out` and `$merge` through the bare driver, as MongoDB 7.0 documents them:
 * `$out` replaces the target collection with the results at the end (keeping its
 * indexes; a failure leaves it untouched), `$merge` merges them in by `_id` with
 * the chosen whenMatched / whenNotMatched actions; both must be the last stage.
 * Runs on the embedded server, or on a real MongoDB when MONGODB_URI is set; the
 * forms this server refuses (115) are checked on the embedded server only.
 */
import type { Db, MongoClient } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { failure } from './session-helpers.ts';
import { type Target, withTargetDb } from './target.ts';

let db: Db;
let target: Target;
let client: MongoClient;

withTargetDb('aggregate_write', (opened) => {
  ({ db, target, client } = opened);
});

type D = { _id: number; [k: string]: unknown };
const src = () => db.collection<D>('src');
const dst = () => db.collection<D>('dst');
const seed = () =>
  src().insertMany([
    { _id: 1, g: 'a', v: 1 },
    { _id: 2, g: 'b', v: 2 },
    { _id: 3, g: 'a', v: 3 },
  ]);
const dstDocs = () => dst().find().sort({ _id: 1 }).toArray();

describe('$out', () => {
  it('replaces the target with the results and returns no documents', async () => {
    await seed();
    await dst().insertOne({ _id: 100, old: true });
    const out = await src()
      .aggregate([{ $match: { g: 'a' } }, { $project: { v: 1 } }, { $out: 'dst' }])
      .toArray();
    expect(out).toEqual([]);
    expect(await dstDocs()).toEqual([
      { _id: 1, v: 1 },
      { _id: 3, v: 3 },
    ]);
  });

  it('keeps the target indexes, and {db, coll} of the same database is accepted', async () => {
    await seed();
    await dst().createIndex({ v: 1 }, { unique: true, name: 'v_unique' });
    await src()
      .aggregate([{ $out: { db: db.databaseName, coll: 'dst' } }])
      .toArray();
    expect(await dst().countDocuments()).toBe(3);
    const names = (await dst().indexes()).map((i) => i.name);
    expect(names).toContain('v_unique');
  });

  it('a duplicate key in the results fails and leaves the target as it was', async () => {
    await seed();
    await dst().insertOne({ _id: 100, old: true });
    const e = await failure(() =>
      src()
        .aggregate([{ $project: { _id: '$g' } }, { $out: 'dst' }])
        .toArray(),
    );
    expect(e.code).toBe(11000);
    expect(await dstDocs()).toEqual([{ _id: 100, old: true }]);
  });

  it('results without _id get one; the source itself may be the target', async () => {
    await seed();
    await src()
      .aggregate([
        { $group: { _id: '$g', n: { $sum: 1 } } },
        { $project: { _id: 0, g: '$_id', n: 1 } },
        { $out: 'src' },
      ])
      .toArray();
    const docs = await src()
      .find({}, { sort: { g: 1 }, projection: { _id: 0 } })
      .toArray();
    expect(docs).toEqual([
      { n: 2, g: 'a' },
      { n: 1, g: 'b' },
    ]);
    expect(await src().countDocuments({ _id: { $exists: true } })).toBe(2);
  });

  it('must be the last stage (40601)', async () => {
    await seed();
    const e = await failure(() =>
      src()
        .aggregate([{ $out: 'dst' }, { $match: {} }])
        .toArray(),
    );
    expect(e.code).toBe(40601);
    expect(e.message).toContain('$out can only be the final stage in the pipeline');
  });
});

describe('$merge', () => {
  const preset = () =>
    dst().insertMany([
      { _id: 1, v: 'old', keep: true },
      { _id: 9, v: 'untouched' },
    ]);

  it('defaults: whenMatched merge, whenNotMatched insert', async () => {
    await seed();
    await preset();
    const out = await src()
      .aggregate([{ $merge: 'dst' }])
      .toArray();
    expect(out).toEqual([]);
    expect(await dstDocs()).toEqual([
      { _id: 1, v: 1, keep: true, g: 'a' },
      { _id: 2, g: 'b', v: 2 },
      { _id: 3, g: 'a', v: 3 },
      { _id: 9, v: 'untouched' },
    ]);
  });

  it('whenMatched replace / keepExisting, whenNotMatched discard', async () => {
    await seed();
    await preset();
    await src()
      .aggregate([{ $merge: { into: 'dst', on: '_id', whenMatched: 'replace', whenNotMatched: 'discard' } }])
      .toArray();
    expect(await dstDocs()).toEqual([
      { _id: 1, g: 'a', v: 1 },
      { _id: 9, v: 'untouched' },
    ]);
    await src()
      .aggregate([{ $set: { v: 'again' } }, { $merge: { into: 'dst', whenMatched: 'keepExisting' } }])
      .toArray();
    expect(await dstDocs()).toEqual([
      { _id: 1, g: 'a', v: 1 },
      { _id: 2, g: 'b', v: 'again' },
      { _id: 3, g: 'a', v: 'again' },
      { _id: 9, v: 'untouched' },
    ]);
  });

  it('whenMatched fail is a duplicate key (11000); whenNotMatched fail is 13113', async () => {
    await seed();
    await preset();
    const e = await failure(() =>
      src()
        .aggregate([{ $match: { _id: 1 } }, { $merge: { into: 'dst', whenMatched: 'fail' } }])
        .toArray(),
    );
    expect(e.code).toBe(11000);
    const e2 = await failure(() =>
      src()
        .aggregate([{ $match: { _id: 2 } }, { $merge: { into: 'dst', whenNotMatched: 'fail' } }])
        .toArray(),
    );
    expect(e2.code).toBe(13113);
    expect(await dstDocs()).toEqual([
      { _id: 1, v: 'old', keep: true },
      { _id: 9, v: 'untouched' },
    ]);
  });

  it('must be the last stage (40601)', async () => {
    await seed();
    const e = await failure(() =>
      src()
        .aggregate([{ $merge: 'dst' }, { $match: {} }])
        .toArray(),
    );
    expect(e.code).toBe(40601);
  });

  it('forms not implemented are refused with 115, writing nothing', async ({ skip }) => {
    if (target.external) skip();
    await seed();
    for (const stage of [
      { $merge: { into: { db: 'elsewhere', coll: 'dst' } } },
      { $merge: { into: 'dst', whenMatched: [{ $set: { x: 1 } }] } },
      { $merge: { into: 'dst', on: 'g' } },
      { $out: { db: 'elsewhere', coll: 'dst' } },
    ]) {
      const e = await failure(() => src().aggregate([stage]).toArray());
      expect(e.code).toBe(115);
    }
    expect(await dst().countDocuments()).toBe(0);
  });
});

it('$out and $merge are refused in a transaction (263), writing nothing', async () => {
  await seed();
  await dst().insertOne({ _id: 100 });
  const session = client.startSession();
  try {
    for (const stage of [{ $out: 'dst' }, { $merge: 'dst' }]) {
      session.startTransaction();
      const e = await failure(() => src().aggregate([stage], { session }).toArray());
      expect(e.code).toBe(263);
      await session.abortTransaction().catch(() => undefined);
    }
  } finally {
    await session.endSession();
  }
  expect(await dstDocs()).toEqual([{ _id: 100 }]);
});

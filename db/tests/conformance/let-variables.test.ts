/**
 * `let` variables (find, aggregate, update and its per-statement `c`, delete,
 * findAndModify) and pipeline updates that replace the document, through the bare
 * driver, as MongoDB 7.0 documents them: `$$name` is usable in `$expr` and in
 * aggregation expressions; a let name must start with a lowercase letter; a
 * pipeline's replacement without `_id` keeps the document's `_id`, one that
 * changes it is refused with 66. Runs on the embedded server, or on a real
 * MongoDB when MONGODB_URI is set.
 */
import type { Db } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { failure } from './session-helpers.ts';
import { withTargetDb } from './target.ts';

let db: Db;

withTargetDb('let_variables', (opened) => {
  ({ db } = opened);
});

const ID_CHANGE = "Performing an update on the path '_id' would modify the immutable field '_id'";

const c = () => db.collection<{ _id: number; [k: string]: unknown }>('c');
const seed = () =>
  c().insertMany([
    { _id: 1, a: 1, b: 10, name: 'one' },
    { _id: 2, a: 2, b: 20, name: 'two' },
    { _id: 3, a: 3, b: 30, name: 'three' },
  ]);
const all = () => c().find().sort({ _id: 1 }).toArray();

describe('pipeline updates that replace the document', () => {
  it('$replaceWith without _id keeps the _id, first (update command)', async () => {
    await seed();
    const r = await c().updateOne({ _id: 2 }, [{ $replaceWith: { x: '$a', y: 'new' } }]);
    expect(r.modifiedCount).toBe(1);
    const doc = await c().findOne({ _id: 2 });
    expect(doc).toEqual({ _id: 2, x: 2, y: 'new' });
    expect(Object.keys(doc!)).toEqual(['_id', 'x', 'y']);
  });

  it('$replaceRoot on every matched document keeps each _id', async () => {
    await seed();
    await c().updateMany({}, [{ $replaceRoot: { newRoot: { n: '$name' } } }]);
    expect(await all()).toEqual([
      { _id: 1, n: 'one' },
      { _id: 2, n: 'two' },
      { _id: 3, n: 'three' },
    ]);
  });

  it('$replaceWith keeping the same _id is accepted', async () => {
    await seed();
    await c().updateOne({ _id: 1 }, [{ $replaceWith: { _id: '$_id', z: 1 } }]);
    expect(await c().findOne({ _id: 1 })).toEqual({ _id: 1, z: 1 });
  });

  it('findOneAndUpdate with a pipeline keeps the _id and returns the new document', async () => {
    await seed();
    const after = await c().findOneAndUpdate({ _id: 3 }, [{ $replaceWith: { only: '$b' } }], {
      returnDocument: 'after',
    });
    expect(after).toEqual({ _id: 3, only: 30 });
  });

  it('a replacement that changes _id is refused with 66 and changes nothing', async () => {
    await seed();
    const e = await failure(() => c().updateOne({ _id: 1 }, [{ $replaceWith: { _id: 99, a: 1 } }]));
    expect(e.code).toBe(66);
    expect(e.message).toContain(ID_CHANGE);
    const e2 = await failure(() =>
      c().findOneAndUpdate({ _id: 1 }, [{ $replaceRoot: { newRoot: { _id: 'other' } } }]),
    );
    expect(e2.code).toBe(66);
    expect(e2.message).toContain(ID_CHANGE);
    expect((await all())[0]).toEqual({ _id: 1, a: 1, b: 10, name: 'one' });
  });

  it('an upsert through $replaceWith takes the _id from the query', async () => {
    const r = await c().updateOne({ _id: 7 }, [{ $replaceWith: { fresh: true } }], { upsert: true });
    expect(r.upsertedId).toBe(7);
    expect(await c().findOne({ _id: 7 })).toEqual({ _id: 7, fresh: true });
  });
});

describe('let variables', () => {
  it('find: $$name in $expr and in a projection expression', async () => {
    await seed();
    const docs = await c()
      .find(
        { $expr: { $gt: ['$a', '$$min'] } },
        { let: { min: 1, label: 'x' }, projection: { _id: 1, tag: '$$label' } },
      )
      .sort({ _id: 1 })
      .toArray();
    expect(docs).toEqual([
      { _id: 2, tag: 'x' },
      { _id: 3, tag: 'x' },
    ]);
  });

  it('a let value is an expression, evaluated once', async () => {
    await seed();
    const docs = await c()
      .find({ $expr: { $eq: ['$b', '$$target'] } }, { let: { target: { $multiply: [2, 10] } } })
      .toArray();
    expect(docs.map((d) => d._id)).toEqual([2]);
  });

  it('aggregate: $$name in $match $expr and in later stages', async () => {
    await seed();
    const out = await c()
      .aggregate(
        [
          { $match: { $expr: { $gte: ['$a', '$$from'] } } },
          { $project: { _id: 1, scaled: { $multiply: ['$a', '$$factor'] } } },
          { $sort: { _id: 1 } },
        ],
        { let: { from: 2, factor: 100 } },
      )
      .toArray();
    expect(out).toEqual([
      { _id: 2, scaled: 200 },
      { _id: 3, scaled: 300 },
    ]);
  });

  it('update: let in the query and in a pipeline update', async () => {
    await seed();
    const r = await c().updateMany({ $expr: { $lt: ['$a', '$$limit'] } }, [{ $set: { b: '$$value' } }], {
      let: { limit: 3, value: 'set' },
    });
    expect(r.matchedCount).toBe(2);
    expect((await all()).map((d) => d.b)).toEqual(['set', 'set', 30]);
  });

  it('update: a statement `c` gives constants to its pipeline, alongside let', async () => {
    await seed();
    const r = await db.command({
      update: 'c',
      updates: [
        { q: { $expr: { $eq: ['$_id', '$$which'] } }, u: [{ $set: { b: '$$v' } }], c: { v: 'from c' } },
      ],
      let: { which: 1 },
    });
    expect(r.nModified).toBe(1);
    expect((await all()).map((d) => d.b)).toEqual(['from c', 20, 30]);
  });

  it('update: `c` with an operator update is refused (51198)', async () => {
    await seed();
    const r = await db.command({
      update: 'c',
      updates: [{ q: {}, u: { $set: { b: 1 } }, c: { v: 1 } }],
    });
    expect(r.writeErrors?.[0]?.code).toBe(51198);
    expect(r.writeErrors?.[0]?.errmsg).toBe('Constant values may only be specified for pipeline updates');
    expect((await all()).map((d) => d.b)).toEqual([10, 20, 30]);
  });

  it('delete: let in the query', async () => {
    await seed();
    const r = await c().deleteMany({ $expr: { $eq: ['$name', '$$gone'] } }, { let: { gone: 'two' } });
    expect(r.deletedCount).toBe(1);
    expect((await all()).map((d) => d._id)).toEqual([1, 3]);
  });

  it('findAndModify: let in the query and the pipeline update', async () => {
    await seed();
    const after = await c().findOneAndUpdate(
      { $expr: { $eq: ['$a', '$$pick'] } },
      [{ $set: { name: { $concat: ['$name', '$$suffix'] } } }],
      { let: { pick: 3, suffix: '!' }, returnDocument: 'after' },
    );
    expect(after).toEqual({ _id: 3, a: 3, b: 30, name: 'three!' });
    const removed = await c().findOneAndDelete({ $expr: { $eq: ['$a', '$$pick'] } }, { let: { pick: 1 } });
    expect(removed?._id).toBe(1);
  });

  it('a let value that reads a field is refused (4890500): there is no document yet', async () => {
    await seed();
    const e = await failure(() =>
      c()
        .find({ $expr: { $eq: ['$a', '$$x'] } }, { let: { x: { $add: ['$a', 1] } } })
        .toArray(),
    );
    expect(e.code).toBe(4890500);
  });

  it('findAndModify: let in the returned projection', async () => {
    await seed();
    const before = await c().findOneAndUpdate(
      { _id: 2 },
      { $set: { name: 'changed' } },
      { let: { tag: 'seen' }, projection: { name: 1, tag: '$$tag' } },
    );
    expect(before).toEqual({ _id: 2, name: 'two', tag: 'seen' });
  });

  it('a let name that does not start with a lowercase letter is refused (FailedToParse)', async () => {
    await seed();
    for (const [name, message] of [
      ['Upper', "'Upper' starts with an invalid character for a user variable name"],
      ['_x', "'_x' starts with an invalid character for a user variable name"],
      ['a-b', "'a-b' contains an invalid character for a variable name: '-'"],
    ]) {
      const e = await failure(() =>
        c()
          .find({ $expr: { $eq: ['$a', 1] } }, { let: { [name]: 1 } })
          .toArray(),
      );
      expect(e.code).toBe(9);
      expect(e.message).toContain(message);
    }
    const e = await failure(() =>
      c()
        .aggregate([], { let: { NOW: 1 } })
        .toArray(),
    );
    expect(e.code).toBe(9);
    const e2 = await failure(() => c().deleteMany({}, { let: { Bad: 1 } }));
    expect(e2.code).toBe(9);
    expect(await c().countDocuments()).toBe(3);
  });
});

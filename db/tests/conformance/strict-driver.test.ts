/**
 * Strict commands through the bare driver: a field a command does not take, an
 * operator, stage or expression that does not exist, and a hint of no index are
 * refused with mongod 7.0's codes and messages, never ignored. Runs on the
 * embedded server, or on a real MongoDB when MONGODB_URI is set; the refusals
 * of fields mongod implements and we do not are checked on the embedded server only.
 */
import type { Db, Document } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { failure } from './session-helpers.ts';
import { type Target, withTargetDb } from './target.ts';

let db: Db;
let target: Target;

withTargetDb('strict_driver', (opened) => {
  ({ db, target } = opened);
});

async function expectRefused(run: () => Promise<unknown>, code: number, message: string | RegExp) {
  const e = await failure(run);
  expect(e.code).toBe(code);
  if (typeof message === 'string') expect(e.message).toBe(message);
  else expect(e.message).toMatch(message);
}

const seed = () =>
  db.collection('c').insertMany([
    { _id: 1 as never, a: 1, v: 'first' },
    { _id: 2 as never, a: 2, v: 'second' },
  ]);

describe('unknown fields: 40415 before anything runs', () => {
  it('update statement with `sort` (a MongoDB 8.0 field) is refused, and nothing is updated', async () => {
    await seed();
    await expectRefused(
      () =>
        db.command({
          update: 'c',
          updates: [{ q: {}, u: { $set: { v: 'changed' } }, sort: { a: -1 } }],
        }),
      40415,
      "BSON field 'update.updates.sort' is an unknown field.",
    );
    expect(await db.collection('c').find().sort({ _id: 1 }).toArray()).toEqual([
      { _id: 1, a: 1, v: 'first' },
      { _id: 2, a: 2, v: 'second' },
    ]);
  });

  it('a bad statement after a good one refuses the whole command (parsed before it runs)', async () => {
    await seed();
    await expectRefused(
      () =>
        db.command({
          update: 'c',
          updates: [
            { q: { _id: 1 }, u: { $set: { v: 'x' } } },
            { q: { _id: 2 }, u: { $set: { v: 'y' } }, bogus: 1 },
          ],
        }),
      40415,
      "BSON field 'update.updates.bogus' is an unknown field.",
    );
    expect(await db.collection('c').countDocuments({ v: { $in: ['x', 'y'] } })).toBe(0);
  });

  const cases: [string, Document][] = [
    ['find', { find: 'c', filter: {} }],
    ['insert', { insert: 'c', documents: [{ a: 1 }] }],
    ['delete', { delete: 'c', deletes: [{ q: {}, limit: 1 }] }],
    ['findAndModify', { findAndModify: 'c', query: {}, update: { $set: { a: 1 } } }],
    ['aggregate', { aggregate: 'c', pipeline: [], cursor: {} }],
    ['count', { count: 'c' }],
    ['distinct', { distinct: 'c', key: 'a' }],
    ['createIndexes', { createIndexes: 'c', indexes: [{ key: { a: 1 }, name: 'a_1' }] }],
    ['dropIndexes', { dropIndexes: 'c', index: '*' }],
    ['listIndexes', { listIndexes: 'c' }],
    ['listCollections', { listCollections: 1 }],
    ['create', { create: 'd' }],
    ['drop', { drop: 'c' }],
  ];
  for (const [name, command] of cases)
    it(`${name} with a field it does not take`, async () => {
      await seed();
      await expectRefused(
        () => db.command({ ...command, bogusField: 1 }),
        40415,
        `BSON field '${name}.bogusField' is an unknown field.`,
      );
    });

  it('a delete statement with a field it does not take', async () => {
    await expectRefused(
      () => db.command({ delete: 'c', deletes: [{ q: {}, limit: 0, sort: { a: 1 } }] }),
      40415,
      "BSON field 'delete.deletes.sort' is an unknown field.",
    );
  });

  it('getMore and killCursors with a field they do not take', async () => {
    await seed();
    const first = await db.command({ find: 'c', batchSize: 1 });
    const id = first.cursor.id;
    await expectRefused(
      () => db.command({ getMore: id, collection: 'c', bogusField: 1 }),
      40415,
      "BSON field 'getMore.bogusField' is an unknown field.",
    );
    await expectRefused(
      () => db.command({ killCursors: 'c', cursors: [id], bogusField: 1 }),
      40415,
      "BSON field 'killCursors.bogusField' is an unknown field.",
    );
    await db.command({ killCursors: 'c', cursors: [id] });
  });

  it('the generic fields every command takes are accepted', async () => {
    await seed();
    const r = await db.command({
      find: 'c',
      filter: { a: 1 },
      comment: 'why',
      maxTimeMS: 5000,
      readConcern: { level: 'local' },
      apiVersion: '1',
    });
    expect(r.cursor.firstBatch).toEqual([{ _id: 1, a: 1, v: 'first' }]);
  });
});

describe('operators that do not exist', () => {
  it('an unknown top-level query operator: 2 BadValue', async () => {
    await seed();
    await expectRefused(
      () => db.collection('c').find({ $foo: 1 }).toArray(),
      2,
      "unknown top level operator: $foo. If you have a field name that starts with a '$' symbol, consider using $getField or $setField.",
    );
  });

  it('an unknown field operator: 2 BadValue', async () => {
    await seed();
    await expectRefused(
      () =>
        db
          .collection('c')
          .find({ a: { $foo: 1 } })
          .toArray(),
      2,
      'unknown operator: $foo',
    );
  });

  it('an unknown update modifier: 9 FailedToParse, and nothing changes', async () => {
    await seed();
    await expectRefused(
      () => db.collection('c').updateOne({ _id: 1 as never }, { $foo: { a: 5 } } as never),
      9,
      'Unknown modifier: $foo. Expected a valid update modifier or pipeline-style update specified as an array',
    );
    expect(await db.collection('c').findOne({ _id: 1 as never })).toEqual({ _id: 1, a: 1, v: 'first' });
  });

  it('an unknown pipeline stage: 40324, even over a collection that does not exist', async () => {
    await seed();
    for (const coll of ['c', 'missing'])
      await expectRefused(
        () =>
          db
            .collection(coll)
            .aggregate([{ $foo: {} }])
            .toArray(),
        40324,
        "Unrecognized pipeline stage name: '$foo'",
      );
  });

  it('an unknown expression: 168 InvalidPipelineOperator', async () => {
    await seed();
    await expectRefused(
      () =>
        db
          .collection('c')
          .aggregate([{ $addFields: { b: { $foo: '$a' } } }])
          .toArray(),
      168,
      /Unrecognized expression '\$foo'/,
    );
    await expectRefused(
      () =>
        db
          .collection('c')
          .find({ $expr: { $foo: ['$a', 1] } })
          .toArray(),
      168,
      /Unrecognized expression '\$foo'/,
    );
  });

  it('an unknown $group accumulator: 15952', async () => {
    await seed();
    await expectRefused(
      () =>
        db
          .collection('c')
          .aggregate([{ $group: { _id: null, s: { $foo: '$a' } } }])
          .toArray(),
      15952,
      "unknown group operator '$foo'",
    );
  });
});

describe('hint', () => {
  it('of an index that exists is taken (same results)', async () => {
    await seed();
    await db.collection('c').createIndex({ a: 1 });
    expect(await db.collection('c').find({ a: 2 }).hint({ a: 1 }).toArray()).toEqual([
      { _id: 2, a: 2, v: 'second' },
    ]);
    expect(await db.collection('c').find({ a: 2 }).hint('a_1').toArray()).toHaveLength(1);
  });

  it('of no index is 2 BadValue, for a find and for an update', async () => {
    await seed();
    await expectRefused(
      () => db.collection('c').find({ a: 2 }).hint({ nope: 1 }).toArray(),
      2,
      /hint provided does not correspond to an existing index/,
    );
    const r = await failure(() =>
      db.collection('c').updateOne({ a: 2 }, { $set: { v: 'x' } }, { hint: 'nope_1' }),
    );
    expect(r.code).toBe(2);
    expect(r.message).toMatch(/hint provided does not correspond to an existing index/);
  });
});

describe('fields mongod 7.0 implements and this server refuses (embedded server only)', () => {
  it('find with index bounds or a tailable cursor: 115, not a silently different answer', async ({
    skip,
  }) => {
    if (target.external) skip();
    await seed();
    await expectRefused(
      () => db.command({ find: 'c', min: { a: 1 }, hint: { _id: 1 } }),
      115,
      "BSON field 'find.min' is not supported by the embedded server: index bounds (`min`) are not implemented",
    );
    await expectRefused(
      () => db.command({ find: 'c', tailable: true }),
      115,
      /^BSON field 'find.tailable' is not supported by the embedded server/,
    );
    // The default value asks for nothing, and is accepted.
    const r = await db.command({ find: 'c', tailable: false, filter: { a: 1 } });
    expect(r.cursor.firstBatch).toHaveLength(1);
  });

  it('create with a validator or capped: 115 (they would not be enforced)', async ({ skip }) => {
    if (target.external) skip();
    await expectRefused(
      () => db.createCollection('v', { validator: { a: { $type: 'int' } } }),
      115,
      /^BSON field 'create.validator' is not supported by the embedded server/,
    );
    await expectRefused(
      () => db.createCollection('v', { capped: true, size: 4096 }),
      115,
      /^BSON field 'create.capped' is not supported by the embedded server/,
    );
  });

  it('hint of a sparse index (it would leave documents out): 115', async ({ skip }) => {
    if (target.external) skip();
    await seed();
    await db.collection('c').createIndex({ v: 1 }, { sparse: true });
    await expectRefused(
      () => db.collection('c').find({}).hint('v_1').toArray(),
      115,
      /sparse or partial index 'v_1' is not supported by the embedded server/,
    );
  });
});

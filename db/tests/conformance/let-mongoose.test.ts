/**
 * Pipeline updates and `let` through mongoose, as an app would write them: a
 * `$replaceWith` update keeps the document's `_id` (mongoose finds it again by
 * id), and `let` variables reach `$expr` and expressions. Runs on the embedded
 * server, or on a real MongoDB when MONGODB_URI is set.
 */
import mongoose, { Schema, type Connection } from 'mongoose';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { openTarget, type Target } from './target.ts';

let target: Target;
let conn: Connection;

const ItemSchema = new Schema({ rank: Number, label: String });

beforeAll(async () => {
  target = await openTarget('let_mongoose');
  conn = await mongoose.createConnection(target.uri, { dbName: target.dbName }).asPromise();
});
afterAll(async () => {
  await conn?.close();
  await target?.close();
});

const Item = () => conn.models.Item ?? conn.model('Item', ItemSchema);

beforeEach(async () => {
  await conn.dropDatabase();
  await Item().create([
    { rank: 1, label: 'a' },
    { rank: 2, label: 'b' },
    { rank: 3, label: 'c' },
  ]);
});

it('updateOne with a $replaceWith pipeline keeps the _id', async () => {
  const before = await Item().findOne({ rank: 2 }).lean();
  await Item().updateOne({ _id: before!._id }, [{ $replaceWith: { rank: 20, label: 'replaced' } }], {
    updatePipeline: true,
  });
  const after = await Item().findById(before!._id).lean();
  expect(after).toMatchObject({ _id: before!._id, rank: 20, label: 'replaced' });
});

it('findOneAndUpdate with let in the query and the pipeline', async () => {
  const doc = await Item()
    .findOneAndUpdate({ $expr: { $eq: ['$rank', '$$pick'] } }, [{ $set: { label: '$$to' } }], {
      let: { pick: 3, to: 'chosen' },
      new: true,
      updatePipeline: true,
    })
    .lean();
  expect(doc).toMatchObject({ rank: 3, label: 'chosen' });
});

it('aggregate with let', async () => {
  const out = await Item()
    .aggregate([
      { $match: { $expr: { $gt: ['$rank', '$$min'] } } },
      { $project: { _id: 0, label: 1, bonus: { $add: ['$rank', '$$add'] } } },
      { $sort: { bonus: 1 } },
    ])
    .option({ let: { min: 1, add: 10 } });
  expect(out).toEqual([
    { label: 'b', bonus: 12 },
    { label: 'c', bonus: 13 },
  ]);
});

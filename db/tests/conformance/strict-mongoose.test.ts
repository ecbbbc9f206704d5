/**
 * Strict commands through mongoose: what mongoose sends for an option MongoDB 7.0
 * does not have (`updateOne().sort()`, a MongoDB 8.0 feature) and for a stage or
 * expression that does not exist is refused with mongod's code and message, and
 * nothing is written. Runs on the embedded server, or on a real MongoDB when
 * MONGODB_URI is set.
 */
import mongoose, { Schema, type Connection } from 'mongoose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openTarget, type Target } from './target.ts';

let target: Target;
let conn: Connection;

const ItemSchema = new Schema({ rank: Number, label: String }, { timestamps: true });

beforeAll(async () => {
  target = await openTarget('strict_mongoose');
  conn = await mongoose
    .createConnection(target.uri, { dbName: target.dbName, sanitizeFilter: true })
    .asPromise();
});
afterAll(async () => {
  await conn?.close();
  await target?.close();
});

const Item = () => conn.models.Item ?? conn.model('Item', ItemSchema);

beforeEach(async () => {
  await conn.dropDatabase();
  await Item().syncIndexes();
  await Item().create([
    { rank: 1, label: 'a' },
    { rank: 2, label: 'b' },
    { rank: 3, label: 'c' },
  ]);
});

/** The server's refusal of `run`, which must fail. */
async function refusal(run: () => Promise<unknown>): Promise<{ code?: number; message: string }> {
  try {
    await run();
  } catch (e) {
    return e as { code?: number; message: string };
  }
  throw new Error('expected the server to refuse');
}

const labels = async () =>
  (await Item().find().sort({ rank: 1 }).lean()).map((d) => (d as { label: string }).label);

describe('mongoose options a 7.0 server does not have', () => {
  it('updateOne(...).sort(...) is 40415 (not an update of the first document), and nothing changes', async () => {
    const e = await refusal(() => Item().updateOne({}, { label: 'top' }).sort({ rank: -1 }).exec());
    expect(e.code).toBe(40415);
    expect(e.message).toBe("BSON field 'update.updates.sort' is an unknown field.");
    expect(await labels()).toEqual(['a', 'b', 'c']);
  });

  it('updateOne without sort still updates', async () => {
    await Item().updateOne({ rank: 2 }, { label: 'two' });
    expect(await labels()).toEqual(['a', 'two', 'c']);
  });

  it('findOneAndUpdate with sort is a 7.0 feature and updates the sorted document', async () => {
    await Item().findOneAndUpdate({}, { label: 'top' }, { sort: { rank: -1 } });
    expect(await labels()).toEqual(['a', 'b', 'top']);
  });
});

describe('stages and expressions that do not exist', () => {
  it('Model.aggregate with an unknown stage: 40324', async () => {
    const e = await refusal(() =>
      Item()
        .aggregate([{ $foo: {} } as never])
        .exec(),
    );
    expect(e.code).toBe(40324);
    expect(e.message).toBe("Unrecognized pipeline stage name: '$foo'");
  });

  it('Model.aggregate with an unknown expression: 168', async () => {
    const e = await refusal(() =>
      Item()
        .aggregate([{ $addFields: { x: { $foo: '$rank' } } } as never])
        .exec(),
    );
    expect(e.code).toBe(168);
    expect(e.message).toMatch(/Unrecognized expression '\$foo'/);
  });

  it('a hint of no index: 2 BadValue', async () => {
    const e = await refusal(() => Item().find({ rank: 1 }).hint({ nope: 1 }).lean().exec());
    expect(e.code).toBe(2);
    expect(e.message).toMatch(/hint provided does not correspond to an existing index/);
  });
});

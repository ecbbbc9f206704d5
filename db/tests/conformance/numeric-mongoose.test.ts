/**
 * Numeric schema types through mongoose 9 as an app would use them: Decimal128
 * money, BigInt counters (int64), Double and Int32 paths keep their BSON type on
 * save, `$inc` and aggregation (read raw with the driver). Runs on the embedded
 * server, or on a real MongoDB when MONGODB_URI is set.
 */
import mongoose, { Schema, type Connection } from 'mongoose';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { openTarget, type Target } from './target.ts';

let target: Target;
let conn: Connection;

const FundSchema = new Schema({
  name: String,
  balance: Schema.Types.Decimal128,
  visits: Schema.Types.BigInt,
  rate: Schema.Types.Double,
  seats: Schema.Types.Int32,
});

beforeAll(async () => {
  target = await openTarget('num_mongoose');
  conn = await mongoose.createConnection(target.uri, { dbName: target.dbName }).asPromise();
});
afterAll(async () => {
  await conn?.close();
  await target?.close();
});

const Fund = () => conn.models.Fund ?? conn.model('Fund', FundSchema);
const typeOf = (v: unknown) => (v as { _bsontype?: string })._bsontype ?? typeof v;

beforeEach(async () => {
  await conn.dropDatabase();
});

async function raw(name: string) {
  return (await Fund().collection.findOne({ name }, { promoteValues: false }))!;
}

it('saves each numeric schema type with its BSON type', async () => {
  await Fund().create({ name: 'a', balance: '10.50', visits: 5n, rate: 2, seats: 3 });
  const doc = await raw('a');
  expect([typeOf(doc.balance), typeOf(doc.visits), typeOf(doc.rate), typeOf(doc.seats)]).toEqual([
    'Decimal128',
    'Long',
    'Double',
    'Int32',
  ]);
  // A hydrated document casts the int64 back to a BigInt (lean gets the driver's promoted number).
  const fund = await Fund().findOne({ name: 'a' });
  expect(String(fund!.balance)).toBe('10.50');
  expect(fund!.visits).toBe(5n);
});

it('$inc on Decimal128 and BigInt paths is exact and keeps the type', async () => {
  await Fund().create({ name: 'b', balance: '0.10', visits: 9007199254740993n, rate: 1, seats: 1 });
  await Fund().updateOne({ name: 'b' }, { $inc: { balance: '0.20', visits: 2n, rate: 1, seats: 1 } });
  const doc = await raw('b');
  expect(`${typeOf(doc.balance)}:${String(doc.balance)}`).toBe('Decimal128:0.30');
  expect(`${typeOf(doc.visits)}:${String(doc.visits)}`).toBe('Long:9007199254740995');
  expect(`${typeOf(doc.rate)}:${String(doc.rate)}`).toBe('Double:2');
  expect(`${typeOf(doc.seats)}:${String(doc.seats)}`).toBe('Int32:2');
});

it('sums Decimal128 balances exactly and finds them by value', async () => {
  await Fund().create([
    { name: 'c', balance: '0.10' },
    { name: 'd', balance: '0.20' },
  ]);
  const [total] = await Fund().aggregate([{ $group: { _id: null, sum: { $sum: '$balance' } } }]);
  expect(String(total.sum)).toBe('0.30');
  expect(await Fund().countDocuments({ balance: { $gte: '0.15' } })).toBe(1);
});

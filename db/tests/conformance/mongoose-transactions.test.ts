/**
 * Conformance of transactions through mongoose 9, the way the app would use them:
 * `connection.transaction()` committing creates and updates across two models and rolling
 * both back when the callback throws; the same without passing the session, through
 * mongoose's AsyncLocalStorage option (on a Mongoose instance of its own, so the global
 * instance other files use is untouched); the driver's retry of a callback that hit a write
 * conflict; and insertMany / bulkWrite inside a transaction. Runs on the embedded server, or
 * on a real replica set when MONGODB_URI is set.
 */
import mongoose, { Schema, type Connection, type Model } from 'mongoose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openTarget, type Target } from './target.ts';
import { deferred } from './session-helpers.ts';

interface Account {
  name: string;
  balance: number;
}
interface Entry {
  account: string;
  amount: number;
}
interface Counter {
  _id: string;
  n: number;
}

const AccountSchema = new Schema<Account>({ name: { type: String, required: true }, balance: Number });
const EntrySchema = new Schema<Entry>({ account: String, amount: Number });
const CounterSchema = new Schema<Counter>({ _id: String, n: Number });

interface Models {
  Account: Model<Account>;
  Entry: Model<Entry>;
  Counter: Model<Counter>;
}

function modelsOf(conn: Connection): Models {
  return {
    Account: conn.models.Account ?? conn.model('Account', AccountSchema),
    Entry: conn.models.Entry ?? conn.model('Entry', EntrySchema),
    Counter: conn.models.Counter ?? conn.model('Counter', CounterSchema),
  };
}

let target: Target;
let conn: Connection;
let m: Models;
// A separate Mongoose with transactionAsyncLocalStorage, and its own connection.
const als = new mongoose.Mongoose({ transactionAsyncLocalStorage: true });
let alsConn: Connection;
let a: Models;

beforeAll(async () => {
  target = await openTarget('mtxn');
  conn = await mongoose.createConnection(target.uri, { dbName: target.dbName }).asPromise();
  alsConn = await als.createConnection(target.uri, { dbName: target.dbName }).asPromise();
  m = modelsOf(conn);
  a = modelsOf(alsConn);
  await Promise.all([...Object.values(m), ...Object.values(a)].map((model: Model<unknown>) => model.init()));
});
afterAll(async () => {
  await alsConn?.close();
  await conn?.close();
  await target?.close();
});
beforeEach(async () => {
  await conn.dropDatabase();
  // Collections exist before any transaction starts, as on a production database.
  for (const model of Object.values(m) as Model<unknown>[]) await model.createCollection();
});

const balances = async () =>
  (await m.Account.find({}, { _id: 0, name: 1, balance: 1 }).sort({ name: 1 }).lean()).map((d) => ({
    name: d.name,
    balance: d.balance,
  }));

describe('connection.transaction', () => {
  it('commits creates and updates across two models', async () => {
    await m.Account.create({ name: 'an', balance: 100 });
    const result = await conn.transaction(async (session) => {
      await m.Account.create([{ name: 'binh', balance: 0 }], { session });
      await m.Account.updateOne({ name: 'an' }, { $inc: { balance: -30 } }, { session });
      await m.Account.updateOne({ name: 'binh' }, { $inc: { balance: 30 } }, { session });
      await m.Entry.create(
        [
          { account: 'an', amount: -30 },
          { account: 'binh', amount: 30 },
        ],
        // mongoose 9 refuses create() of several documents in a session unless ordered.
        { session, ordered: true },
      );
      // Inside, the transaction sees its own writes; outside, nothing yet.
      expect(await m.Entry.countDocuments({}, { session })).toBe(2);
      expect(await m.Entry.countDocuments({})).toBe(0);
      return 'done';
    });
    expect(result).toBe('done');
    expect(await balances()).toEqual([
      { name: 'an', balance: 70 },
      { name: 'binh', balance: 30 },
    ]);
    expect(await m.Entry.countDocuments()).toBe(2);
  });

  it('rolls back both models when the callback throws', async () => {
    await m.Account.create({ name: 'an', balance: 100 });
    const error = await conn
      .transaction(async (session) => {
        await m.Account.create([{ name: 'binh', balance: 0 }], { session });
        await m.Account.updateOne({ name: 'an' }, { $inc: { balance: -30 } }, { session });
        await m.Entry.create([{ account: 'an', amount: -30 }], { session });
        throw new Error('transfer refused');
      })
      .then(
        () => null,
        (e: unknown) => e as Error,
      );
    expect(error?.message).toBe('transfer refused');
    expect(await balances()).toEqual([{ name: 'an', balance: 100 }]);
    expect(await m.Entry.countDocuments()).toBe(0);
  });
});

describe('AsyncLocalStorage (transactionAsyncLocalStorage on its own Mongoose)', () => {
  it('puts operations that were given no session into the transaction, and rolls them back', async () => {
    await a.Account.create({ name: 'an', balance: 100 });
    let seenInside = -1;
    let seenOutside = -1;
    const error = await alsConn
      .transaction(async () => {
        await a.Account.create([{ name: 'binh', balance: 5 }]);
        await a.Account.updateOne({ name: 'an' }, { $inc: { balance: -50 } });
        await a.Entry.insertMany([{ account: 'an', amount: -50 }]);
        seenInside = await a.Entry.countDocuments();
        // The global mongoose has no AsyncLocalStorage: its query runs outside the transaction.
        seenOutside = await m.Entry.countDocuments();
        throw new Error('roll back');
      })
      .then(
        () => null,
        (e: unknown) => e as Error,
      );
    expect(error?.message).toBe('roll back');
    expect(seenInside).toBe(1);
    expect(seenOutside).toBe(0);
    expect(await balances()).toEqual([{ name: 'an', balance: 100 }]);
    expect(await m.Entry.countDocuments()).toBe(0);
  });

  it('commits operations that were given no session', async () => {
    await alsConn.transaction(async () => {
      await a.Account.create([{ name: 'chi', balance: 10 }]);
      await a.Account.findOneAndUpdate({ name: 'chi' }, { $inc: { balance: 5 } });
      await a.Entry.bulkWrite([{ insertOne: { document: { account: 'chi', amount: 5 } } }]);
    });
    expect(await balances()).toEqual([{ name: 'chi', balance: 15 }]);
    expect(await m.Entry.countDocuments({ account: 'chi' })).toBe(1);
  });
});

describe('write conflicts through mongoose', () => {
  it('two concurrent transactions incrementing one document both succeed; the loser is retried', async () => {
    await m.Counter.create({ _id: 'c', n: 0 });
    const firstWrote = deferred();
    const secondTried = deferred();
    let secondAttempts = 0;
    const secondErrors: unknown[] = [];

    const first = conn.transaction(async (session) => {
      await m.Counter.updateOne({ _id: 'c' }, { $inc: { n: 1 } }, { session });
      firstWrote.resolve();
      await secondTried.promise; // hold the write until the other transaction has run into it
    });
    const second = firstWrote.promise.then(() =>
      conn.transaction(async (session) => {
        secondAttempts += 1;
        try {
          await m.Counter.updateOne({ _id: 'c' }, { $inc: { n: 1 } }, { session });
        } catch (e) {
          secondErrors.push(e);
          throw e;
        } finally {
          if (secondAttempts === 1) secondTried.resolve();
        }
      }),
    );
    await Promise.all([first, second]);
    expect(secondAttempts).toBeGreaterThanOrEqual(2);
    expect(secondErrors[0]).toMatchObject({ code: 112, codeName: 'WriteConflict' });
    expect((secondErrors[0] as { errorLabels?: string[] }).errorLabels).toContain(
      'TransientTransactionError',
    );
    expect((await m.Counter.findById('c').lean())?.n).toBe(2);
  });
});

describe('bulk operations inside a transaction', () => {
  it('commits insertMany and bulkWrite together', async () => {
    await m.Account.create({ name: 'an', balance: 1 });
    await conn.transaction(async (session) => {
      const inserted = await m.Account.insertMany(
        [
          { name: 'binh', balance: 2 },
          { name: 'chi', balance: 3 },
        ],
        { session },
      );
      expect(inserted).toHaveLength(2);
      const bulk = await m.Account.bulkWrite(
        [
          { insertOne: { document: { name: 'dung', balance: 4 } } },
          { updateOne: { filter: { name: 'an' }, update: { $inc: { balance: 10 } } } },
          { deleteOne: { filter: { name: 'chi' } } },
        ],
        { session },
      );
      expect(bulk.insertedCount).toBe(1);
      expect(bulk.modifiedCount).toBe(1);
      expect(bulk.deletedCount).toBe(1);
      expect(await m.Account.countDocuments({}, { session })).toBe(3);
      expect(await m.Account.countDocuments({})).toBe(1);
    });
    expect(await balances()).toEqual([
      { name: 'an', balance: 11 },
      { name: 'binh', balance: 2 },
      { name: 'dung', balance: 4 },
    ]);
  });

  it('rolls back insertMany and bulkWrite together', async () => {
    await m.Account.create({ name: 'an', balance: 1 });
    const error = await conn
      .transaction(async (session) => {
        await m.Account.insertMany([{ name: 'binh', balance: 2 }], { session });
        await m.Account.bulkWrite(
          [
            { updateOne: { filter: { name: 'an' }, update: { $set: { balance: 0 } } } },
            { insertOne: { document: { name: 'chi', balance: 3 } } },
          ],
          { session },
        );
        throw new Error('undo');
      })
      .then(
        () => null,
        (e: unknown) => e as Error,
      );
    expect(error?.message).toBe('undo');
    expect(await balances()).toEqual([{ name: 'an', balance: 1 }]);
  });
});

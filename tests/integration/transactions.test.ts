/**
 * `inTransaction` (app/utils/transaction.server.ts, decision 018) against the embedded
 * server as a replica set: the work's result comes back, everything it wrote commits
 * together or not at all (an error or a thrown Response), a nested call joins the
 * running transaction, driver calls join it only with `currentSession()`, and work the
 * driver runs again after a write conflict decides on the new state.
 */
import mongoose, { Schema } from 'mongoose';
import { beforeEach, describe, expect, it } from 'vitest';
import { currentSession, inTransaction } from '~/utils/transaction.server';

const Thing = mongoose.models.TxThing ?? mongoose.model('TxThing', new Schema({ name: String, n: Number }));
const Other = mongoose.models.TxOther ?? mongoose.model('TxOther', new Schema({ name: String }));

beforeEach(async () => {
  await Thing.createCollection().catch(() => undefined);
  await Other.createCollection().catch(() => undefined);
  await Thing.deleteMany({});
  await Other.deleteMany({});
});

describe('inTransaction', () => {
  it('returns what the work returned, with every write committed', async () => {
    const result = await inTransaction(async (session) => {
      expect(currentSession()).toBe(session);
      await Thing.create([{ name: 'a', n: 1 }]);
      await Other.updateOne({ name: 'b' }, { $set: { name: 'b' } }, { upsert: true });
      return 'done';
    });
    expect(result).toBe('done');
    expect(currentSession()).toBeUndefined();
    expect(await Thing.countDocuments()).toBe(1);
    expect(await Other.countDocuments()).toBe(1);
  });

  it('writes nothing when the work throws, an error or a Response, and rethrows it as it was', async () => {
    await expect(
      inTransaction(async () => {
        await Thing.create([{ name: 'a' }]);
        await Other.create([{ name: 'b' }]);
        throw new Error('late failure');
      }),
    ).rejects.toThrow('late failure');
    const thrown = await inTransaction(async () => {
      await Thing.create([{ name: 'c' }]);
      throw new Response('Not found', { status: 404 });
    }).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(Response);
    expect((thrown as Response).status).toBe(404);
    expect(await Thing.countDocuments()).toBe(0);
    expect(await Other.countDocuments()).toBe(0);
  });

  it('joins the running transaction when nested: one commit, or nothing', async () => {
    await expect(
      inTransaction(async (outer) => {
        await inTransaction(async (inner) => {
          expect(inner).toBe(outer);
          await Thing.create([{ name: 'inner' }]);
        });
        throw new Error('the outer action fails after the inner one');
      }),
    ).rejects.toThrow('outer action fails');
    expect(await Thing.countDocuments()).toBe(0);
  });

  it('takes driver calls into the transaction only with currentSession()', async () => {
    await expect(
      inTransaction(async () => {
        await Thing.collection.insertOne({ name: 'joined' }, { session: currentSession() });
        await Other.collection.insertOne({ name: 'outside' });
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await Thing.countDocuments()).toBe(0);
    // The rule of the house: a driver call without the session is not part of the action.
    expect(await Other.countDocuments()).toBe(1);
  });

  it('runs the work again after a write conflict, deciding on the state the other committed', async () => {
    const { _id } = await Thing.create({ name: 'counter', n: 0 });
    let attempts = 0;
    let release!: () => void;
    const firstWrote = new Promise<void>((r) => (release = r));
    const bump = (waitFor?: Promise<void>) =>
      inTransaction(async () => {
        attempts++;
        const seen = (await Thing.findById(_id).lean<{ n: number }>())!.n;
        await waitFor;
        await Thing.updateOne({ _id }, { $set: { n: seen + 1 } });
        if (!waitFor) release();
        return seen;
      });
    const [first, second] = await Promise.all([bump(), bump(firstWrote)]);
    expect(first).toBe(0);
    // The second read 0, conflicted, and was run again: it read 1 the second time.
    expect(second).toBe(1);
    expect(attempts).toBe(3);
    expect((await Thing.findById(_id).lean<{ n: number }>())!.n).toBe(2);
  });
});

/**
 * 50 clients, each with its own connection pool, writing at once: nothing is lost,
 * nothing is doubled, and the unique index holds under contention.
 */
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openTarget, type Target } from './target.ts';

let target: Target;
beforeAll(async () => {
  target = await openTarget('parallel');
});
afterAll(async () => target?.close());

it('keeps every write of 50 parallel clients', async () => {
  const CLIENTS = 50;
  const WRITES = 40;
  const setup = await target.client();
  await setup.db(target.dbName).collection('w').createIndex({ key: 1 }, { unique: true });
  const clients = await Promise.all(
    Array.from({ length: CLIENTS }, () => new MongoClient(target.uri, { maxPoolSize: 4 }).connect()),
  );
  try {
    const results = await Promise.all(
      clients.map(async (client, c) => {
        const coll = client.db(target.dbName).collection('w');
        let duplicates = 0;
        for (let i = 0; i < WRITES; i++) {
          await coll.insertOne({ key: `${c}-${i}`, c, i });
          await coll
            .updateOne({ _id: `counter` as never }, { $inc: { n: 1 } }, { upsert: true })
            .catch(async (e) => {
              // Two concurrent upserts may race on a real server; MongoDB retries them itself
              // only in some versions, so a duplicate here is retried once as a plain update.
              if (e.code !== 11000) throw e;
              await coll.updateOne({ _id: 'counter' as never }, { $inc: { n: 1 } });
            });
          // Everyone also tries a key that only the first writer may take.
          await coll.insertOne({ key: `shared-${i}` }).catch((e) => {
            if (e.code !== 11000) throw e;
            duplicates++;
          });
        }
        return duplicates;
      }),
    );
    const coll = setup.db(target.dbName).collection('w');
    expect(await coll.countDocuments({ c: { $exists: true } })).toBe(CLIENTS * WRITES);
    expect(await coll.countDocuments({ key: /^shared-/ })).toBe(WRITES);
    expect(results.reduce((a, b) => a + b, 0)).toBe((CLIENTS - 1) * WRITES);
    expect((await coll.findOne({ _id: 'counter' as never }))?.n).toBe(CLIENTS * WRITES);
  } finally {
    await Promise.all(clients.map((c) => c.close()));
  }
});

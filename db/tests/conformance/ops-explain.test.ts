/**
 * explain through the bare driver and mongoose: the winning plan names the index a
 * query reads (IXSCAN with indexName and keyPattern) or a COLLSCAN, and executionStats
 * carry the counts tools read. Plans are searched for their stage rather than matched
 * whole, as a real mongod may wrap them differently (FETCH, LIMIT…).
 */
import type { Db, Document } from 'mongodb';
import mongoose, { Schema } from 'mongoose';
import { describe, expect, it } from 'vitest';
import { withTargetDb, type Target } from './target.ts';

let db: Db;
let target: Target;

withTargetDb('opsexplain', (opened) => {
  ({ db, target } = opened);
});

/** The first stage named `stage` in a plan tree. */
function findStage(plan: Document | undefined, stage: string): Document | undefined {
  if (!plan) return undefined;
  if (plan.stage === stage) return plan;
  return (
    findStage(plan.inputStage, stage) ??
    plan.inputStages?.map((p: Document) => findStage(p, stage)).find(Boolean)
  );
}

async function seed(): Promise<void> {
  await db
    .collection('people')
    .insertMany(Array.from({ length: 50 }, (_, i) => ({ email: `p${i}@x`, n: i })));
  await db.collection('people').createIndex({ email: 1 }, { name: 'email_1', unique: true });
}

describe('explain', () => {
  it('names the index of an indexed find (queryPlanner)', async () => {
    await seed();
    const r = await db.collection('people').find({ email: 'p7@x' }).explain('queryPlanner');
    const ixscan = findStage(r.queryPlanner.winningPlan, 'IXSCAN');
    expect(ixscan?.indexName).toBe('email_1');
    expect(ixscan?.keyPattern).toEqual({ email: 1 });
    expect(r.queryPlanner.namespace).toBe(`${target.dbName}.people`);
    expect(r.executionStats).toBeUndefined();
  });

  it('answers COLLSCAN and the counts of a scan (executionStats)', async () => {
    await seed();
    const r = await db
      .collection('people')
      .find({ n: { $gte: 40 } })
      .explain('executionStats');
    expect(findStage(r.queryPlanner.winningPlan, 'COLLSCAN')).toBeDefined();
    expect(r.executionStats.nReturned).toBe(10);
    expect(r.executionStats.totalDocsExamined).toBe(50);
    expect(r.executionStats.totalKeysExamined).toBe(0);
    expect(typeof r.executionStats.executionTimeMillis).toBe('number');
  });

  it('counts the keys and documents an index lookup examined', async () => {
    await seed();
    const r = await db.collection('people').find({ email: 'p7@x' }).explain('executionStats');
    expect(r.executionStats.nReturned).toBe(1);
    expect(r.executionStats.totalKeysExamined).toBe(1);
    expect(r.executionStats.totalDocsExamined).toBe(1);
  });

  it('explains an aggregate with a leading $match', async () => {
    await seed();
    const r = await db
      .collection('people')
      .aggregate([{ $match: { email: 'p3@x' } }])
      .explain('executionStats');
    const planner = r.queryPlanner ?? r.stages?.[0]?.$cursor?.queryPlanner;
    expect(findStage(planner.winningPlan, 'IXSCAN')?.indexName).toBe('email_1');
  });

  it('explains count, update and delete without changing anything', async () => {
    await seed();
    const count = await db.command({
      explain: { count: 'people', query: { email: 'p1@x' } },
      verbosity: 'queryPlanner',
    });
    // Counted from the index alone, as mongod's COUNT_SCAN: no document is fetched.
    expect(findStage(count.queryPlanner.winningPlan, 'COUNT_SCAN')?.indexName).toBe('email_1');
    const update = await db.command({
      explain: { update: 'people', updates: [{ q: { n: 3 }, u: { $set: { n: -1 } } }] },
      verbosity: 'executionStats',
    });
    expect(findStage(update.queryPlanner.winningPlan, 'COLLSCAN')).toBeDefined();
    const del = await db.command({
      explain: { delete: 'people', deletes: [{ q: { email: 'p2@x' }, limit: 1 }] },
      verbosity: 'executionStats',
    });
    expect(findStage(del.queryPlanner.winningPlan, 'IXSCAN')?.indexName).toBe('email_1');
    expect(await db.collection('people').countDocuments({ n: -1 })).toBe(0);
    expect(await db.collection('people').countDocuments()).toBe(50);
  });

  it("works through mongoose's Query.explain()", async () => {
    await seed();
    const conn = await mongoose.createConnection(target.uri, { dbName: target.dbName }).asPromise();
    try {
      const Person = conn.model('Person', new Schema({ email: String, n: Number }), 'people');
      const r = (await Person.find({ email: 'p9@x' }).explain('executionStats')) as unknown as Document;
      const plan = Array.isArray(r) ? r[0] : r;
      expect(findStage(plan.queryPlanner.winningPlan, 'IXSCAN')?.indexName).toBe('email_1');
      expect(plan.executionStats.nReturned).toBe(1);
    } finally {
      await conn.close();
    }
  });

  it('reads the more selective of two indexes and still answers the whole filter', async () => {
    // 40 of 50 people are in one school, 3 have the rare tag: the tag's index is read.
    const people = db.collection('sel');
    await people.insertMany(
      Array.from({ length: 50 }, (_, i) => ({
        school: i < 40 ? 's1' : 's2',
        tag: i % 20 === 0 ? 'rare' : 'common',
        n: i,
      })),
    );
    await people.createIndex({ school: 1 }, { name: 'school_1' });
    await people.createIndex({ tag: 1 }, { name: 'tag_1' });
    const filter = { school: 's1', tag: 'rare' };
    const r = await people.find(filter).explain('executionStats');
    expect(findStage(r.queryPlanner.winningPlan, 'IXSCAN')?.indexName).toBe('tag_1');
    expect(r.executionStats.nReturned).toBe(2);
    // The three rare ones are fetched; the school is tested on them.
    expect(r.executionStats.totalDocsExamined).toBe(3);
    expect((await people.find(filter).toArray()).map((d) => d.n).sort((a, b) => a - b)).toEqual([0, 20]);
  });

  it('answers queryHash and planCacheKey: one per shape, the key changing with the indexes', async () => {
    await seed();
    const people = db.collection('people');
    const hex = /^[0-9A-F]{8}$/;
    const a = await people.find({ email: 'p1@x', n: 1 }).explain('queryPlanner');
    const b = await people.find({ email: 'p2@x', n: 2 }).explain('queryPlanner');
    expect(a.queryPlanner.queryHash).toMatch(hex);
    expect(a.queryPlanner.planCacheKey).toMatch(hex);
    // Same shape, other values: the same hashes.
    expect(b.queryPlanner.queryHash).toBe(a.queryPlanner.queryHash);
    expect(b.queryPlanner.planCacheKey).toBe(a.queryPlanner.planCacheKey);
    // Another shape: another queryHash.
    const other = await people.find({ email: 'p1@x' }).explain('queryPlanner');
    expect(other.queryPlanner.queryHash).not.toBe(a.queryPlanner.queryHash);
    // An index the shape can use: the same queryHash, another planCacheKey.
    await people.createIndex({ n: 1 }, { name: 'n_1' });
    const c = await people.find({ email: 'p3@x', n: 3 }).explain('queryPlanner');
    expect(c.queryPlanner.queryHash).toBe(a.queryPlanner.queryHash);
    expect(c.queryPlanner.planCacheKey).not.toBe(a.queryPlanner.planCacheKey);
  });
});

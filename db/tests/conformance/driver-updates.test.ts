/**
 * Conformance for update and lookup cases reported by users of the engine:
 * several positional paths in one update, bulk upserts by a compound key, and
 * equality on every field of a compound index. Runs on the embedded server, or
 * on a real MongoDB when MONGODB_URI is set; every assertion must hold on both.
 */
import { MongoBulkWriteError, MongoServerError, ObjectId, type Db } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { withTargetDb } from './target.ts';

let db: Db;

withTargetDb('updates', (opened) => {
  ({ db } = opened);
});

const terms = () => [
  { year: '2022-2023', term: 1, gpa: 2.5, scale: 10 },
  { year: '2022-2023', term: 2, gpa: 2.8, scale: 10 },
  { year: '2023-2024', term: 1, gpa: 3.1, scale: 10 },
];

/** Stores `terms()` under _id 1, applies one update that must modify it, and reads the terms back. */
async function termsAfterUpdate(filter: object, update: object, options: object = {}) {
  const c = db.collection('members');
  await c.insertOne({ _id: 1 as never, academicTerms: terms() });
  const r = await c.updateOne({ _id: 1 as never, ...filter }, update, options);
  expect(r).toMatchObject({ matchedCount: 1, modifiedCount: 1 });
  return (await c.findOne({ _id: 1 as never }))!.academicTerms;
}

describe('several fields of the same positional element', () => {
  it('sets two fields through $ (a conflict only if the concrete paths overlap)', async () => {
    const after = await termsAfterUpdate(
      { 'academicTerms.term': 2 },
      { $set: { 'academicTerms.$.gpa': 3, 'academicTerms.$.scale': 4 } },
    );
    expect(after).toEqual([
      { year: '2022-2023', term: 1, gpa: 2.5, scale: 10 },
      { year: '2022-2023', term: 2, gpa: 3, scale: 4 },
      { year: '2023-2024', term: 1, gpa: 3.1, scale: 10 },
    ]);
  });

  it('sets two fields through $[id] with arrayFilters, on every matching element', async () => {
    const after = await termsAfterUpdate(
      {},
      {
        $set: { 'academicTerms.$[t].gpa': 3.5, 'academicTerms.$[t].scale': 4 },
        $inc: { 'academicTerms.$[t].term': 10 },
      },
      { arrayFilters: [{ 't.year': '2022-2023' }] },
    );
    expect(after).toEqual([
      { year: '2022-2023', term: 11, gpa: 3.5, scale: 4 },
      { year: '2022-2023', term: 12, gpa: 3.5, scale: 4 },
      { year: '2023-2024', term: 1, gpa: 3.1, scale: 10 },
    ]);
  });

  it('sets fields through $[] and mixes positional and plain paths', async () => {
    const c = db.collection('members');
    await c.insertOne({ _id: 1 as never, academicTerms: terms(), n: 0 });
    await c.updateOne(
      { _id: 1 as never },
      { $set: { 'academicTerms.$[].scale': 4, 'academicTerms.$[].checked': true, n: 1 } },
    );
    const doc = await c.findOne({ _id: 1 as never });
    expect(doc!.n).toBe(1);
    expect(doc!.academicTerms.map((t: { scale: number; checked: boolean }) => [t.scale, t.checked])).toEqual([
      [4, true],
      [4, true],
      [4, true],
    ]);
  });

  it('still refuses the same positional path twice (40)', async () => {
    const c = db.collection('members');
    await c.insertOne({ _id: 1 as never, academicTerms: terms() });
    const e = await c
      .updateOne(
        { 'academicTerms.term': 2 },
        { $set: { 'academicTerms.$.gpa': 3 }, $inc: { 'academicTerms.$.gpa': 1 } },
      )
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(MongoServerError);
    expect((e as MongoServerError).code).toBe(40);
  });
});

describe('compound keys', () => {
  const schools = [new ObjectId(), new ObjectId(), new ObjectId()];

  it('bulk-upserts by {schoolId, studentCode}: inserts once, then updates in place', async () => {
    const c = db.collection('members');
    await c.createIndex({ schoolId: 1, studentCode: 1 }, { unique: true });
    const ops = (round: number) =>
      Array.from({ length: 600 }, (_, i) => ({
        updateOne: {
          filter: { schoolId: schools[i % 3], studentCode: `SV${String(i).padStart(5, '0')}` },
          update: { $set: { fullName: `Member ${i} r${round}` }, $setOnInsert: { round } },
          upsert: true,
        },
      }));
    const first = await c.bulkWrite(ops(1), { ordered: false });
    expect(first.upsertedCount).toBe(600);
    expect(first.matchedCount).toBe(0);
    const second = await c.bulkWrite(ops(2));
    expect(second.upsertedCount).toBe(0);
    expect(second.matchedCount).toBe(600);
    expect(second.modifiedCount).toBe(600);
    expect(await c.countDocuments()).toBe(600);
    const d = await c.findOne({ schoolId: schools[2], studentCode: 'SV00005' });
    expect(d).toMatchObject({ fullName: 'Member 5 r2', round: 1 });
    expect(Object.keys(d!)).toEqual(['_id', 'schoolId', 'studentCode', 'fullName', 'round']);
  });

  it('finds by equality on every field, on a prefix, with $in, and with multikey values', async () => {
    const c = db.collection('members');
    await c.createIndex({ schoolId: 1, studentCode: 1 }, { unique: true });
    await c.createIndex({ tags: 1, stage: 1 });
    await c.insertMany([
      { schoolId: schools[0], studentCode: 'A', tags: ['x', 'y'], stage: 'member' },
      { schoolId: schools[0], studentCode: 'B', tags: ['y'], stage: 'member' },
      { schoolId: schools[1], studentCode: 'A', tags: [], stage: 'dossier' },
      { schoolId: schools[1], studentCode: 'C', stage: 'member' },
    ]);
    const codes = async (filter: object) =>
      (await c.find(filter).sort({ schoolId: 1, studentCode: 1 }).toArray()).map(
        (d) => `${schools.findIndex((s) => s.equals(d.schoolId))}${d.studentCode}`,
      );
    expect(await codes({ schoolId: schools[0], studentCode: 'A' })).toEqual(['0A']);
    expect(await codes({ studentCode: 'A', schoolId: schools[1] })).toEqual(['1A']);
    expect(await codes({ schoolId: schools[0] })).toEqual(['0A', '0B']);
    expect(
      await codes({ schoolId: { $in: [schools[0], schools[1]] }, studentCode: { $in: ['A', 'C'] } }),
    ).toEqual(['0A', '1A', '1C']);
    expect(await codes({ schoolId: schools[1], studentCode: 'B' })).toEqual([]);
    expect(await codes({ tags: 'y', stage: 'member' })).toEqual(['0A', '0B']);
    expect(await codes({ tags: null, stage: 'member' })).toEqual(['1C']);
    expect(
      await codes({ $and: [{ schoolId: schools[0] }, { studentCode: { $eq: 'B' } }], stage: 'member' }),
    ).toEqual(['0B']);
  });

  it('keeps the compound unique constraint: same pair refused (11000), other school accepted', async () => {
    const c = db.collection('members');
    await c.createIndex({ schoolId: 1, studentCode: 1 }, { unique: true });
    await c.insertOne({ schoolId: schools[0], studentCode: 'A' });
    await c.insertOne({ schoolId: schools[1], studentCode: 'A' });
    const e = await c.insertMany([{ schoolId: schools[0], studentCode: 'A' }]).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(MongoBulkWriteError);
    expect((e as MongoBulkWriteError).code).toBe(11000);
    expect(await c.countDocuments({ studentCode: 'A' })).toBe(2);
  });
});

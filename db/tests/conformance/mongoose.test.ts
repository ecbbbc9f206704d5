/**
 * Conformance through mongoose, the way the app talks to the database: schemas with
 * unique indexes, defaults and timestamps on upserts, optimistic concurrency, lean
 * queries, populate, cursors and sanitizeFilter.
 */
import mongoose, { Schema, type Connection } from 'mongoose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openTarget, type Target } from './target.ts';

let target: Target;
let conn: Connection;

const SchoolSchema = new Schema({ code: { type: String, required: true, unique: true }, name: String });
const StudentSchema = new Schema(
  {
    code: { type: String, required: true },
    schoolId: { type: Schema.Types.ObjectId, ref: 'School', required: true },
    name: String,
    stage: { type: String, default: 'member' },
    terms: [{ year: String, gpa: Number }],
  },
  { timestamps: true, optimisticConcurrency: true },
);
StudentSchema.index({ schoolId: 1, code: 1 }, { unique: true });

beforeAll(async () => {
  target = await openTarget('mongoose');
  conn = await mongoose
    .createConnection(target.uri, { dbName: target.dbName, sanitizeFilter: true })
    .asPromise();
});
afterAll(async () => {
  await conn?.close();
  await target?.close();
});

const School = () => conn.models.School ?? conn.model('School', SchoolSchema);
const Student = () => conn.models.Student ?? conn.model('Student', StudentSchema);

beforeEach(async () => {
  await conn.dropDatabase();
  await School().syncIndexes();
  await Student().syncIndexes();
});

describe('mongoose', () => {
  it('creates documents, finds them lean and populates references', async () => {
    const school = await School().create({ code: 'PVD', name: 'Trường Đại học Phạm Văn Đồng' });
    await Student().create({ code: 'SV1', schoolId: school._id, name: 'Nguyễn Thị Ánh' });
    const student = await Student().findOne({ code: 'SV1' }).populate('schoolId').lean();
    expect(student?.stage).toBe('member');
    expect((student?.schoolId as unknown as { name: string }).name).toBe('Trường Đại học Phạm Văn Đồng');
    expect(student?.createdAt).toBeInstanceOf(Date);
  });

  it('raises 11000 for a duplicate, from create and from insertMany', async () => {
    await School().create({ code: 'PVD' });
    await expect(School().create({ code: 'PVD' })).rejects.toMatchObject({
      code: 11000,
      keyValue: { code: 'PVD' },
    });
    const error = await School()
      .insertMany([{ code: 'A' }, { code: 'A' }, { code: 'B' }], { ordered: false })
      .then(
        () => null,
        (e: unknown) => e as { code?: number; name?: string },
      );
    expect(error?.code).toBe(11000);
    expect(await School().countDocuments()).toBe(3);
  });

  it('applies defaults and timestamps on upsert only when inserting', async () => {
    const school = await School().create({ code: 'S' });
    const first = await Student().findOneAndUpdate(
      { schoolId: school._id, code: 'X' },
      { $set: { name: 'Trần Văn Bình' } },
      { upsert: true, returnDocument: 'after' },
    );
    expect(first?.stage).toBe('member');
    const createdAt = first!.createdAt;
    await new Promise((r) => setTimeout(r, 5));
    const second = await Student().findOneAndUpdate(
      { schoolId: school._id, code: 'X' },
      { $set: { name: 'Trần Văn Bình 2', stage: 'dossier' } },
      { upsert: true, returnDocument: 'after' },
    );
    expect(second?.createdAt.getTime()).toBe(createdAt.getTime());
    expect(second!.updatedAt.getTime()).toBeGreaterThanOrEqual(createdAt.getTime());
    expect(second?.stage).toBe('dossier');
    expect(await Student().countDocuments()).toBe(1);
  });

  it('refuses a stale save with optimistic concurrency', async () => {
    const school = await School().create({ code: 'S' });
    const created = await Student().create({ code: 'C', schoolId: school._id });
    const a = await Student().findById(created._id);
    const b = await Student().findById(created._id);
    a!.name = 'first';
    await a!.save();
    b!.name = 'second';
    await expect(b!.save()).rejects.toMatchObject({ name: 'VersionError' });
    expect((await Student().findById(created._id).lean())?.name).toBe('first');
  });

  it('pushes to and updates embedded arrays atomically', async () => {
    const school = await School().create({ code: 'S' });
    const s = await Student().create({
      code: 'T',
      schoolId: school._id,
      terms: [{ year: '2024-2025', gpa: 3 }],
    });
    await Student().updateOne({ _id: s._id }, { $push: { terms: { year: '2025-2026', gpa: 3.5 } } });
    await Student().updateOne({ _id: s._id, 'terms.year': '2024-2025' }, { $set: { 'terms.$.gpa': 3.1 } });
    const after = await Student().findById(s._id).lean();
    expect(after?.terms.map((t: { gpa: number }) => t.gpa)).toEqual([3.1, 3.5]);
  });

  it('streams more than 101 documents through a cursor', async () => {
    const school = await School().create({ code: 'S' });
    await Student().insertMany(
      Array.from({ length: 230 }, (_, i) => ({ code: `C${i}`, schoolId: school._id })),
    );
    let n = 0;
    for await (const doc of Student().find().sort({ code: 1 }).lean().cursor()) {
      expect(doc.code).toBeTypeOf('string');
      n++;
    }
    expect(n).toBe(230);
  });

  it('sanitizes operator injection in filters', async () => {
    await School().create({ code: 'PVD' });
    const injected = { $ne: 'nothing' } as unknown as string;
    // sanitizeFilter wraps the object in $eq; casting it to a string then fails, so an
    // operator smuggled in through a form field can never match every document.
    await expect(School().findOne({ code: injected })).rejects.toMatchObject({ name: 'CastError' });
    const untyped = await conn
      .db!.collection('schools')
      .countDocuments(mongoose.sanitizeFilter({ code: { $ne: 'x' } }));
    expect(untyped).toBe(0);
  });

  it('runs aggregate and distinct', async () => {
    const school = await School().create({ code: 'S' });
    await Student().insertMany([
      { code: 'a', schoolId: school._id, stage: 'member' },
      { code: 'b', schoolId: school._id, stage: 'member' },
      { code: 'c', schoolId: school._id, stage: 'probation' },
    ]);
    const rows = await Student().aggregate<{ _id: string; n: number }>([
      { $group: { _id: '$stage', n: { $sum: 1 } } },
      { $sort: { _id: 1 } },
    ]);
    expect(rows).toEqual([
      { _id: 'member', n: 2 },
      { _id: 'probation', n: 1 },
    ]);
    expect((await Student().distinct('stage')).sort()).toEqual(['member', 'probation']);
  });
});

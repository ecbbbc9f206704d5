/**
 * Collation through the bare driver, as MongoDB 7.0 documents it: string matching,
 * counting, distinct, sorting and update/delete matching follow the collation (strength
 * 2: case-insensitive; 1: also accent-insensitive), regexes do not; a unique index
 * with a collation rejects collation-equal keys (11000) at insert, update and build; a
 * collection's default collation applies to queries and indexes that give none, and
 * `{locale: 'simple'}` overrides it; bad collation documents answer mongod's errors.
 * Runs on the embedded server, or on a real MongoDB when MONGODB_URI is set.
 */
import type { CollationOptions, Db, Document, MongoClient } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { failure } from './session-helpers.ts';
import { withTargetDb } from './target.ts';

let db: Db;
let client: MongoClient;
withTargetDb('collation', (o) => ({ db, client } = o));

const ci = { locale: 'en', strength: 2 };
const names = (docs: Document[]) => docs.map((d) => d.name as unknown);

async function people() {
  const c = db.collection('people');
  await c.insertMany([
    { _id: 1 as never, name: 'Nguyễn Văn An' },
    { _id: 2 as never, name: 'nguyễn văn an' },
    { _id: 3 as never, name: 'Nguyen Van An' },
    { _id: 4 as never, name: 'Trần Thị Bình' },
  ]);
  return c;
}

describe('matching with a collation', () => {
  it('equality at strength 2 ignores case, at strength 1 also accents; binary without', async () => {
    const c = await people();
    expect(await c.countDocuments({ name: 'NGUYỄN VĂN AN' })).toBe(0);
    expect(await c.countDocuments({ name: 'NGUYỄN VĂN AN' }, { collation: ci })).toBe(2);
    expect(
      await c.countDocuments({ name: 'nguyen van an' }, { collation: { locale: 'en', strength: 1 } }),
    ).toBe(3);
    const found = await c.find({ name: { $in: ['TRẦN THỊ BÌNH'] } }, { collation: ci }).toArray();
    expect(found.map((d) => d._id)).toEqual([4]);
    expect(await c.countDocuments({ name: { $ne: 'nguyễn văn an' } }, { collation: ci })).toBe(2);
    // Unaccented sorts before accented at the secondary level: 'Nguyen Van An' < 'nguyễn văn an'.
    expect(await c.countDocuments({ name: { $gte: 'nguyễn văn an', $lt: 'O' } }, { collation: ci })).toBe(2);
    expect(await c.countDocuments({ name: { $gte: 'N', $lt: 'O' } })).toBe(2);
    expect(await c.countDocuments({ name: { $gte: 'N', $lt: 'O' } }, { collation: ci })).toBe(3);
  });

  it('regular expressions ignore the collation', async () => {
    const c = await people();
    expect(await c.countDocuments({ name: /^NGUY/ }, { collation: ci })).toBe(0);
  });

  it('distinct folds values the collation holds equal', async () => {
    const c = await people();
    const plain = await c.distinct('name', {});
    expect(plain).toHaveLength(4);
    const folded = await c.distinct('name', {}, { collation: ci });
    expect(folded).toHaveLength(3);
  });

  it('update, delete and findOneAndUpdate match with the collation', async () => {
    const c = await people();
    const r = await c.updateMany({ name: 'NGUYỄN VĂN AN' }, { $set: { seen: true } }, { collation: ci });
    expect(r.matchedCount).toBe(2);
    const one = await c.findOneAndUpdate(
      { name: 'TRẦN THỊ BÌNH' },
      { $set: { seen: true } },
      { collation: ci, returnDocument: 'after' },
    );
    expect(one?._id).toBe(4);
    const d = await c.deleteMany({ name: 'nguyen van an' }, { collation: { locale: 'en', strength: 1 } });
    expect(d.deletedCount).toBe(3);
  });

  it('aggregate $match and $sort follow the collation; countDocuments too', async () => {
    const c = db.collection('words');
    await c.insertMany([{ w: 'b' }, { w: 'B' }, { w: 'a' }, { w: 'C' }]);
    const out = await c
      .aggregate([{ $match: { w: { $in: ['A', 'B'] } } }, { $sort: { w: 1, _id: 1 } }], { collation: ci })
      .toArray();
    expect(out.map((d) => d.w.toLowerCase())).toEqual(['a', 'b', 'b']);
    expect(await c.countDocuments({ w: 'b' }, { collation: ci })).toBe(2);
  });

  it('numericOrdering sorts digit runs by value', async () => {
    const c = db.collection('files');
    await c.insertMany([{ name: 'a10' }, { name: 'a9' }, { name: 'a100' }]);
    const sorted = await c
      .find({}, { sort: { name: 1 }, collation: { locale: 'en', numericOrdering: true } })
      .toArray();
    expect(names(sorted)).toEqual(['a9', 'a10', 'a100']);
  });

  it('en_US is a valid locale', async () => {
    const c = await people();
    const sorted = await c.find({}, { sort: { name: 1, _id: 1 }, collation: { locale: 'en_US' } }).toArray();
    // Accents weigh before case; lower case sorts first.
    expect(sorted.map((d) => d._id)).toEqual([3, 2, 1, 4]);
  });
});

describe('Vietnamese order', () => {
  it('sorts names as a Vietnamese reader expects', async () => {
    const c = db.collection('vi');
    const expected = [
      'An',
      'Anh',
      'Ánh',
      'Ân',
      'Bình',
      'Dũng',
      'Dương',
      'Đào',
      'Đức',
      'Hà',
      'Hằng',
      'Hưng',
      'Ngô',
      'Nguyễn',
      'Ông',
      'Ơn',
      'Tuấn',
      'Ư',
    ];
    const shuffled = [...expected].sort(() => 0).reverse();
    await c.insertMany(shuffled.map((name) => ({ name })));
    const sorted = await c.find({}, { sort: { name: 1 }, collation: { locale: 'vi' } }).toArray();
    expect(names(sorted)).toEqual(expected);
  });

  it('strength 1 in Vietnamese ignores tones and case but keeps letters such as ê and đ', async () => {
    const c = db.collection('vi');
    await c.insertMany([
      { name: 'Nguyễn' },
      { name: 'nguyên' },
      { name: 'Nguyen' },
      { name: 'Đào' },
      { name: 'Dao' },
    ]);
    const s1 = { locale: 'vi', strength: 1 };
    expect(await c.countDocuments({ name: 'NGUYÊN' }, { collation: s1 })).toBe(2);
    expect(await c.countDocuments({ name: 'đào' }, { collation: s1 })).toBe(1);
  });
});

describe('unique index with a collation', () => {
  it('rejects case variants at insert, update and build', async () => {
    const c = db.collection('users');
    await c.createIndex({ email: 1 }, { unique: true, collation: ci });
    await c.insertOne({ email: 'An@Example.com' });
    const dup = await failure(() => c.insertOne({ email: 'an@example.COM' }));
    expect(dup.code).toBe(11000);
    expect(dup.message).toContain('index: email_1 dup key: { email: ');
    await c.insertOne({ email: 'binh@example.com' });
    const upd = await failure(() =>
      c.updateOne({ email: 'binh@example.com' }, { $set: { email: 'AN@example.com' } }),
    );
    expect(upd.code).toBe(11000);
    expect(await c.countDocuments({})).toBe(2);

    const other = db.collection('users2');
    await other.insertMany([{ email: 'x@y.z' }, { email: 'X@Y.Z' }]);
    const build = await failure(() => other.createIndex({ email: 1 }, { unique: true, collation: ci }));
    expect(build.code).toBe(11000);
    expect((await other.indexes()).map((i) => i.name)).toEqual(['_id_']);
  });

  it('inside a transaction too', async () => {
    const c = db.collection('accounts');
    await c.createIndex({ email: 1 }, { unique: true, collation: ci });
    await c.insertOne({ email: 'hoa@x.vn' });
    const session = client.startSession();
    try {
      session.startTransaction();
      // Accents differ at strength 2: not a duplicate.
      await c.insertOne({ email: 'hòa@x.vn' }, { session });
      const dup = await failure(() => c.insertOne({ email: 'HOA@X.VN' }, { session }));
      expect(dup.code).toBe(11000);
      await session.abortTransaction();
    } finally {
      await session.endSession();
    }
    expect(await c.countDocuments({})).toBe(1);
  });

  it('keeps distinct accented values apart at strength 2 and lists the full collation', async () => {
    const c = db.collection('tags');
    await c.createIndex({ t: 1 }, { unique: true, collation: ci });
    await c.insertMany([{ t: 'resume' }, { t: 'résumé' }]);
    const ix = (await c.indexes()).find((i) => i.name === 't_1');
    expect(ix?.collation).toMatchObject({ locale: 'en', strength: 2, caseLevel: false, caseFirst: 'off' });
    // The index serves a query with the same collation, and answers it exactly.
    expect(await c.countDocuments({ t: 'RESUME' }, { collation: ci })).toBe(1);
  });
});

/** The first plan stage named `stage` (explain's tree). */
function findStage(plan: Document | undefined, stage: string): Document | undefined {
  if (!plan) return undefined;
  if (plan.stage === stage) return plan;
  return findStage(plan.inputStage, stage);
}

describe('index choice', () => {
  it('a string predicate uses an index only when the collations agree', async () => {
    const c = db.collection('emails');
    await c.insertMany(Array.from({ length: 40 }, (_, i) => ({ email: `P${i}@x.vn`, n: i })));
    await c.createIndex({ email: 1 }, { collation: ci });
    const plan = async (collation?: CollationOptions) =>
      (
        (await c
          .find({ email: 'p7@X.VN' }, collation ? { collation } : {})
          .explain('queryPlanner')) as Document
      ).queryPlanner.winningPlan as Document;
    expect(findStage(await plan(ci), 'IXSCAN')?.indexName).toBe('email_1');
    expect(findStage(await plan(), 'COLLSCAN')).toBeDefined();
    expect(findStage(await plan({ locale: 'fr', strength: 2 }), 'COLLSCAN')).toBeDefined();
    expect(await c.countDocuments({ email: 'p7@X.VN' }, { collation: ci })).toBe(1);
    expect(await c.countDocuments({ email: 'p7@X.VN' })).toBe(0);
    // Numbers do not compare by the collation: any index serves them.
    await c.createIndex({ n: 1 });
    expect(
      findStage((await c.find({ n: 7 }, { collation: ci }).explain()).queryPlanner.winningPlan, 'IXSCAN')
        ?.indexName,
    ).toBe('n_1');
  });
});

describe('collection default collation', () => {
  it('applies to queries and indexes that give none; simple overrides it', async () => {
    await db.createCollection('members', { collation: ci });
    const info = await db.listCollections({ name: 'members' }).toArray();
    expect((info[0] as unknown as { options: { collation: object } }).options.collation).toMatchObject({
      locale: 'en',
      strength: 2,
    });
    const c = db.collection('members');
    await c.insertMany([
      { name: 'An', code: 'a1' },
      { name: 'an', code: 'a2' },
      { name: 'Bình', code: 'b1' },
    ]);
    expect(await c.countDocuments({ name: 'AN' })).toBe(2);
    expect(await c.countDocuments({ name: 'AN' }, { collation: { locale: 'simple' } })).toBe(0);
    await c.createIndex({ code: 1 }, { unique: true });
    const ix = (await c.indexes()).find((i) => i.name === 'code_1');
    expect(ix?.collation).toMatchObject({ locale: 'en', strength: 2 });
    await c.insertOne({ code: 'abc' });
    expect((await failure(() => c.insertOne({ code: 'ABC' }))).code).toBe(11000);
    // The _id index takes the default collation too.
    const id = (await c.indexes()).find((i) => i.name === '_id_');
    expect(id?.collation).toMatchObject({ locale: 'en', strength: 2 });
    await c.insertOne({ _id: 'key' as never });
    expect((await failure(() => c.insertOne({ _id: 'KEY' as never }))).code).toBe(11000);
    await c.deleteOne({ _id: 'key' as never });
    await c.insertOne({ _id: 'KEY' as never });
    expect(await c.countDocuments({ _id: 'key' as never })).toBe(1);
  });
});

describe('collation documents mongod refuses', () => {
  it('answers mongod codes for unknown locales, fields, values and types', async () => {
    const c = db.collection('people');
    await c.insertOne({ name: 'x' });
    const find = (collation: object) =>
      failure(() => c.find({}, { collation: collation as CollationOptions }).toArray());
    const unknown = await find({ locale: 'xx_YY' });
    expect(unknown.code).toBe(2);
    expect(unknown.message).toContain("Field 'locale' is invalid in:");
    expect((await find({ locale: 'en', strength: 6 })).code).toBe(9);
    expect((await find({ locale: 'en', caseFirst: 'sideways' })).code).toBe(9);
    expect((await find({ locale: 'en', strength: 1, backwards: true })).code).toBe(2);
    expect((await find({ locale: 'en', strength: 'one' })).code).toBe(14);
    expect((await find({ locale: 'simple', strength: 2 })).code).toBe(9);
    expect((await find({ strength: 2 })).code).toBe(4);
  });
});

/**
 * Collation through mongoose, as an app uses it: a schema's default collation (the
 * collection is created with it), `Query.collation()` for finds, counts and updates,
 * a unique index with a case-insensitive collation built by `Model.init()`, and a
 * Vietnamese name sort. Runs on the embedded server, or on a real MongoDB when
 * MONGODB_URI is set.
 */
import mongoose, { Schema, type Connection } from 'mongoose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openTarget, type Target } from './target.ts';

let target: Target;
let conn: Connection;

beforeAll(async () => {
  target = await openTarget('collation_mongoose');
  conn = await mongoose.createConnection(target.uri, { dbName: target.dbName }).asPromise();
});
afterAll(async () => {
  await conn?.close();
  await target?.close();
});
beforeEach(async () => {
  await conn.dropDatabase();
  for (const name of conn.modelNames()) conn.deleteModel(name);
});

const ci = { locale: 'en', strength: 2 };

describe('mongoose with collations', () => {
  it('Query.collation() matches, counts and updates case-insensitively', async () => {
    const Member = conn.model('Member', new Schema({ name: String, email: String }));
    await Member.create([{ name: 'Lê Thị Hoa' }, { name: 'LÊ THỊ HOA' }, { name: 'Phạm Văn Nam' }]);
    expect(await Member.countDocuments({ name: 'lê thị hoa' })).toBe(0);
    expect(await Member.countDocuments({ name: 'lê thị hoa' }).collation(ci)).toBe(2);
    expect(await Member.find({ name: 'PHẠM VĂN NAM' }).collation(ci).lean()).toHaveLength(1);
    const r = await Member.updateMany({ name: 'lê thị hoa' }, { $set: { email: 'hoa@x.vn' } }).collation(ci);
    expect(r.modifiedCount).toBe(2);
    // $expr comparisons follow the collation too.
    expect(await Member.countDocuments({ $expr: { $eq: ['$name', 'lê thị hoa'] } }).collation(ci)).toBe(2);
  });

  it('a unique index with a collation rejects case variants (11000)', async () => {
    const schema = new Schema({ email: String });
    schema.index({ email: 1 }, { unique: true, collation: ci });
    const User = conn.model('User', schema);
    await User.init();
    await User.create({ email: 'Hoa@Example.vn' });
    const e = await User.create({ email: 'hoa@example.VN' }).then(
      () => null,
      (x: { code?: number }) => x,
    );
    expect(e?.code).toBe(11000);
    expect(await User.countDocuments()).toBe(1);
  });

  it("a schema's collation is the collection default", async () => {
    const Tag = conn.model('Tag', new Schema({ t: String }, { collation: ci, autoCreate: true }));
    await Tag.init();
    await Tag.create([{ t: 'Hà Nội' }, { t: 'hà nội' }, { t: 'Huế' }]);
    expect(await Tag.countDocuments({ t: 'HÀ NỘI' })).toBe(2);
    expect(await Tag.countDocuments({ t: 'HÀ NỘI' }).collation({ locale: 'simple' })).toBe(0);
  });

  it('sorts Vietnamese names as a Vietnamese reader expects', async () => {
    const P = conn.model('P', new Schema({ name: String }));
    const expected = ['Anh', 'Ánh', 'Ân', 'Bảo', 'Dung', 'Đạt', 'Giang', 'Ơn', 'Ưng'];
    await P.create([...expected].reverse().map((name) => ({ name })));
    const sorted = await P.find().sort({ name: 1 }).collation({ locale: 'vi' }).lean();
    expect(sorted.map((d) => d.name)).toEqual(expected);
  });
});

/**
 * mongod parses a filter, a projection and a whole pipeline before it reads a
 * document: an unknown operator or expression is an error on a missing or empty
 * collection too, and after a `$match` that keeps nothing. These failed silently
 * (`ok: 1`, no documents) before the names were checked up front. Runs on the
 * embedded server, or on a real MongoDB when MONGODB_URI is set.
 */
import type { Db } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { failure } from './session-helpers.ts';
import { withTargetDb } from './target.ts';

let db: Db;

withTargetDb('strict_parse', (opened) => {
  ({ db } = opened);
});

const missing = () => db.collection('never_created');
const empty = async () => {
  await db.createCollection('empty').catch(() => undefined);
  return db.collection('empty');
};

describe.each([
  ['a missing collection', async () => missing()],
  ['an empty collection', empty],
])('on %s', (_, collection) => {
  it('an unknown query operator is 2 BadValue', async () => {
    const c = await collection();
    const e = await failure(() => c.find({ a: { $foo: 1 } }).toArray());
    expect(e.code).toBe(2);
    expect(e.message).toBe('unknown operator: $foo');
  });

  it('an unknown operator inside $or, $not and $elemMatch is 2 too', async () => {
    const c = await collection();
    for (const filter of [
      { $or: [{ a: 1 }, { b: { $foo: 1 } }] },
      { a: { $not: { $foo: 1 } } },
      { a: { $elemMatch: { b: { $foo: 1 } } } },
    ])
      expect((await failure(() => c.find(filter).toArray())).code, JSON.stringify(filter)).toBe(2);
  });

  it('an unknown top-level operator is 2, in find, count, delete and update alike', async () => {
    const c = await collection();
    const message = /^unknown top level operator: \$foo/;
    expect((await failure(() => c.find({ $foo: 1 }).toArray())).message).toMatch(message);
    expect((await failure(() => c.countDocuments({ $foo: 1 }))).code).toBe(2);
    expect((await failure(() => c.deleteMany({ $foo: 1 }))).code).toBe(2);
    expect((await failure(() => c.updateMany({ $foo: 1 }, { $set: { a: 1 } }))).code).toBe(2);
  });

  it('an unknown expression in $expr, $project and $group is 168', async () => {
    const c = await collection();
    const expr = await failure(() => c.find({ $expr: { $foo: ['$a', 1] } }).toArray());
    expect(expr.code).toBe(168);
    expect(expr.message).toBe("Unrecognized expression '$foo'");
    for (const pipeline of [
      [{ $project: { x: { $foo: 1 } } }],
      [{ $group: { _id: { $foo: '$a' } } }],
      [{ $group: { _id: null, s: { $sum: { $foo: '$a' } } } }],
      [{ $lookup: { from: 'other', pipeline: [{ $set: { y: { $foo: 1 } } }], as: 'o' } }],
    ])
      expect((await failure(() => c.aggregate(pipeline).toArray())).code, JSON.stringify(pipeline)).toBe(168);
  });

  it('a pipeline update with an unknown expression is refused, not a no-op', async () => {
    const c = await collection();
    const e = await failure(() => c.updateMany({}, [{ $set: { a: { $foo: 1 } } }]));
    expect(e.code).toBe(168);
  });
});

it('an unknown expression after a $match that keeps nothing is still 168', async () => {
  const c = db.collection('kept_nothing');
  await c.insertMany([{ a: 1 }, { a: 2 }]);
  const e = await failure(() =>
    c.aggregate([{ $match: { a: 99 } }, { $addFields: { x: { $foo: 1 } } }]).toArray(),
  );
  expect(e.code).toBe(168);
  // …and in a find projection: an error naming the operator, never a silent answer.
  const p = await failure(() => c.find({ a: 99 }, { projection: { x: { $foo: 1 } } }).toArray());
  expect(p.message).toMatch(/\$foo/);
});

it('known operators, literals and DBRef-shaped values are accepted', async () => {
  const c = db.collection('accepted');
  await c.insertMany([{ a: 1, tags: ['x'], ref: { $ref: 'o', $id: 1 } }]);
  expect(await c.countDocuments({ a: { $gte: 1, $in: [1, 2] }, tags: { $elemMatch: { $eq: 'x' } } })).toBe(1);
  expect(
    await c.countDocuments({ $expr: { $eq: [{ $literal: { $foo: 1 } }, { $literal: { $foo: 1 } }] } }),
  ).toBe(1);
  expect(
    await c.aggregate([{ $project: { s: { $sum: [1, 2] }, l: { $literal: '$notAPath' } } }]).toArray(),
  ).toMatchObject([{ s: 3, l: '$notAPath' }]);
});

describe('argument shapes mongod checks while parsing, on an empty collection', () => {
  // Each was answered `ok: 1` on no documents, and with mingo's own words (code 2) on some.
  const cases: [string, () => Promise<unknown>, number, string][] = [
    [
      '$in of a scalar',
      () => empty().then((c) => c.find({ a: { $in: 5 } }).toArray()),
      2,
      '$in needs an array',
    ],
    [
      '$nin of a scalar',
      () => empty().then((c) => c.find({ a: { $nin: 5 } }).toArray()),
      2,
      '$nin needs an array',
    ],
    [
      '$all of a scalar',
      () => empty().then((c) => c.find({ a: { $all: 5 } }).toArray()),
      2,
      '$all needs an array',
    ],
    [
      '$regex of a number',
      () => empty().then((c) => c.find({ a: { $regex: 5 } }).toArray()),
      2,
      '$regex has to be a string',
    ],
    [
      '$options alone',
      () => empty().then((c) => c.find({ a: { $options: 'i' } }).toArray()),
      2,
      '$options needs a $regex',
    ],
    [
      '$size of -1',
      () => empty().then((c) => c.find({ a: { $size: -1 } }).toArray()),
      2,
      '$size may not be negative',
    ],
    [
      '$mod of one number',
      () => empty().then((c) => c.find({ a: { $mod: [2] } }).toArray()),
      2,
      'malformed mod, not enough elements',
    ],
    [
      '$or of an object',
      () => empty().then((c) => c.find({ $or: {} as never }).toArray()),
      2,
      '$or must be an array',
    ],
    [
      '$and of nothing',
      () => empty().then((c) => c.find({ $and: [] }).toArray()),
      2,
      '$and/$or/$nor must be a nonempty array',
    ],
    [
      'a sort order of 2 (the driver checks its own sort helper, so the raw command)',
      () => empty().then(() => db.command({ find: 'empty', filter: {}, sort: { a: 2 } })),
      15975,
      '$sort key ordering must be 1 (for ascending) or -1 (for descending)',
    ],
    [
      '$limit 0',
      () => empty().then((c) => c.aggregate([{ $limit: 0 }]).toArray()),
      15958,
      'the limit must be positive',
    ],
    [
      '$skip -1',
      () => empty().then((c) => c.aggregate([{ $skip: -1 }]).toArray()),
      15956,
      'Argument to $skip cannot be negative',
    ],
    [
      '$group without _id',
      () => empty().then((c) => c.aggregate([{ $group: { n: { $sum: 1 } } }]).toArray()),
      15955,
      'a group specification must include an _id',
    ],
    [
      '$unwind of a bare name',
      () => empty().then((c) => c.aggregate([{ $unwind: 'a' }]).toArray()),
      28818,
      "path option to $unwind stage should be prefixed with a '$': a",
    ],
    [
      'a projection that includes and excludes',
      () => empty().then((c) => c.find({}, { projection: { a: 1, b: 0 } }).toArray()),
      31254,
      'Cannot do exclusion on field b in inclusion projection',
    ],
  ];
  it.each(cases)('%s', async (_, run, code, message) => {
    const e = await failure(run);
    expect(e.code).toBe(code);
    expect(e.message).toBe(message);
  });

  it('what they refuse, the shapes mongod accepts still run', async () => {
    const c = db.collection('shapes');
    await c.insertMany([
      { a: [1, 2], s: 'Abc' },
      { a: [3], s: 'x' },
    ]);
    expect(await c.countDocuments({ a: { $size: 2 }, s: { $regex: '^a', $options: 'i' } })).toBe(1);
    expect(await c.countDocuments({ a: { $mod: [2, 1] } })).toBe(2);
    expect(
      await c
        .find({}, { projection: { _id: 0, s: 1 } })
        .sort({ s: -1 })
        .toArray(),
    ).toEqual([{ s: 'x' }, { s: 'Abc' }]);
    expect(
      await c.aggregate([{ $unwind: { path: '$a' } }, { $skip: 0 }, { $limit: 2 }]).toArray(),
    ).toHaveLength(2);
  });
});

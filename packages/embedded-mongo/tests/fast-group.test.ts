/**
 * The native `$group` must give exactly mingo's output (groups, their order, `_id`s and
 * accumulated values) for every spec it accepts, and refuse (null) the others.
 */
import { Decimal128, Long, ObjectId } from 'bson';
import fc from 'fast-check';
import { Aggregator } from 'mingo/aggregator';
import { describe, expect, it } from 'vitest';
import { createEngine } from '../src/engine/index.ts';
import { fastGroup } from '../src/engine/fast-group.ts';
import { mingoOptions } from '../src/engine/mingo.ts';

type D = Record<string, unknown>;

const oids = ['000000000000000000000001', '00000000000000000000000a', 'ff0000000000000000000000'];
const dates = [0, 1, 40].map((d) => Date.UTC(2026, 0, 1 + d));
const scalar = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(0, -0, 1, 1.5, -1, 2, 1e9) },
  { weight: 3, arbitrary: fc.constantFrom('member', 'dossier', 'ă', 'Ă', 'a', '') },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 2, arbitrary: fc.constant(null) },
  { weight: 2, arbitrary: fc.constantFrom(...dates).map((t) => new Date(t)) },
  { weight: 2, arbitrary: fc.constantFrom(...oids).map((h) => new ObjectId(h)) },
);
const rare = fc.constantFrom<unknown>(
  [1, 2],
  [],
  { x: 1 },
  Long.fromNumber(3),
  Decimal128.fromString('2'),
  Number.NaN,
  new Date(Number.NaN),
);
const value = fc.oneof({ weight: 150, arbitrary: scalar }, { weight: 1, arbitrary: rare });
const sub = fc.record({ b: value, c: value }, { requiredKeys: [], noNullPrototype: true });
const doc = fc.record(
  {
    a: fc.oneof(
      { weight: 3, arbitrary: value },
      { weight: 2, arbitrary: sub },
      { weight: 1, arbitrary: fc.array(sub, { maxLength: 2 }) },
    ),
    b: value,
    c: value,
  },
  { requiredKeys: [], noNullPrototype: true },
) as fc.Arbitrary<D>;

const PATHS = ['$a', '$b', '$c', '$a.b', '$a.c', '$a.0.b', '$d'];
const idSpec = fc.oneof(
  fc.constantFrom(...PATHS),
  fc.constant(null),
  fc.constantFrom(1, 0, -2.5, true, false),
  fc
    .uniqueArray(fc.tuple(fc.constantFrom('x', 'y', 'z'), fc.constantFrom(...PATHS)), {
      minLength: 1,
      maxLength: 3,
      selector: (t) => t[0],
    })
    .map((e) => Object.fromEntries(e)),
);
// The dashboard's conditional counts: "holds a date" guards, comparisons with date literals.
const dateLiteral = fc.constantFrom(...[-1, 0, 1, 20, 41].map((d) => new Date(Date.UTC(2026, 0, 1 + d))));
const compareOp = fc.constantFrom('$gt', '$gte', '$lt', '$lte');
const isDateOf = (p: string) => ({ $eq: [{ $type: p }, 'date'] });
const guarded = fc.constantFrom(...PATHS).chain((p) =>
  fc
    .array(
      fc.tuple(compareOp, dateLiteral).map(([op, d]) => ({ [op]: [p, d] })),
      { minLength: 0, maxLength: 2 },
    )
    .map((cs) => ({ $and: [isDateOf(p), ...cs] })),
);
const unguarded = fc
  .tuple(compareOp, fc.constantFrom(...PATHS), dateLiteral)
  .map(([op, p, d]) => ({ [op]: [p, d] }));
const cond = fc.oneof(
  { weight: 4, arbitrary: guarded },
  { weight: 1, arbitrary: unguarded },
  { weight: 1, arbitrary: fc.tuple(guarded, guarded).map((cs) => ({ $or: cs })) },
);
const condSum = fc
  .tuple(cond, fc.constantFrom(1, 2, 0.5), fc.constantFrom(0, -1), fc.boolean())
  .map(([c, a, b, asArray]) => ({ $sum: { $cond: asArray ? [c, a, b] : { if: c, then: a, else: b } } }));
const acc = fc.oneof(
  condSum,
  fc.constantFrom(1, 2, 0.1, -1, 0).map((n) => ({ $sum: n })),
  fc.constantFrom(...PATHS).map((p) => ({ $sum: p })),
  fc.constantFrom(...PATHS).map((p) => ({ $min: p })),
  fc.constantFrom(...PATHS).map((p) => ({ $max: p })),
  fc.constantFrom(...PATHS).map((p) => ({ $push: p })),
);
const spec = fc
  .tuple(
    idSpec,
    fc.dictionary(fc.constantFrom('n', 's', 'lo', 'hi', 'all'), acc, { maxKeys: 4, noNullPrototype: true }),
  )
  .map(([_id, accs]) => ({ _id, ...accs }));

const reference = (docs: D[], s: D) => new Aggregator([{ $group: s }], mingoOptions()).run(docs);

describe('fastGroup', () => {
  it('groups as mingo for random specs over random documents', () => {
    let native = 0;
    let refused = 0;
    fc.assert(
      fc.property(spec, fc.array(doc, { maxLength: 25 }), (s, docs) => {
        const want = reference(docs, s);
        const got = fastGroup(docs, s);
        if (got === null) refused++;
        else {
          native++;
          expect(got).toStrictEqual(want);
        }
      }),
      { numRuns: 3000 },
    );
    // Refusals come from embedded documents, arrays and rare values as keys or extremes.
    expect(native).toBeGreaterThan(750);
    expect(refused).toBeGreaterThan(0);
  });

  it('matches mingo on the app shapes', () => {
    const docs: D[] = [
      { schoolId: new ObjectId(oids[0]), pipeline: { stage: 'dossier', since: new Date(dates[1]) }, n: 2 },
      { schoolId: new ObjectId(oids[1]), pipeline: { stage: 'member' }, n: 1.5 },
      { schoolId: new ObjectId(oids[0]), pipeline: { stage: 'dossier', since: new Date(dates[0]) }, n: 'x' },
      { pipeline: {} },
      { schoolId: null, pipeline: { stage: null } },
    ];
    const specs: D[] = [
      { _id: '$pipeline.stage', n: { $sum: 1 } },
      { _id: { school: '$schoolId', stage: '$pipeline.stage' }, n: { $sum: 1 } },
      {
        _id: '$schoolId',
        total: { $sum: '$n' },
        first: { $min: '$pipeline.since' },
        last: { $max: '$pipeline.since' },
      },
      { _id: null, days: { $push: '$pipeline.since' }, n: { $sum: 1 } },
      // What the driver's countDocuments sends.
      { _id: 1, n: { $sum: 1 } },
      // The dashboard's shape: conditional counts guarded by a date test, and a $push.
      {
        _id: { s: '$schoolId', st: '$pipeline.stage' },
        n: { $sum: 1 },
        before: {
          $sum: {
            $cond: [
              { $and: [isDateOf('$pipeline.since'), { $lt: ['$pipeline.since', new Date(dates[1])] }] },
              1,
              0,
            ],
          },
        },
        inYear: {
          $sum: {
            $cond: [
              {
                $and: [
                  isDateOf('$pipeline.since'),
                  { $gte: ['$pipeline.since', new Date(Date.UTC(2026, 0, 1))] },
                  { $lt: ['$pipeline.since', new Date(Date.UTC(2027, 0, 1))] },
                ],
              },
              1,
              0,
            ],
          },
        },
        days: { $push: '$pipeline.since' },
      },
    ];
    for (const s of specs) {
      const got = fastGroup(docs, s);
      expect(got, JSON.stringify(s)).not.toBeNull();
      expect(got).toStrictEqual(reference(docs, s));
    }
    // Field order: _id first, then the spec's order (replies are serialized in that order).
    const mixed = { _id: { st: '$pipeline.stage', s: '$schoolId' }, z: { $sum: 1 }, a: { $max: '$n' } };
    const got = fastGroup(docs, mixed)!;
    expect(got.map((g) => [Object.keys(g), Object.keys(g._id as object)])).toEqual(
      reference(docs, mixed).map((g) => [Object.keys(g), Object.keys(g._id as object)]),
    );
    expect(Object.keys(got[0])).toEqual(['_id', 'z', 'a']);
    // A missing field of an object _id stays an own undefined, apart from null.
    const byObj = fastGroup(docs, specs[1])!;
    expect(byObj.map((g) => g._id)).toStrictEqual([
      { school: new ObjectId(oids[0]), stage: 'dossier' },
      { school: new ObjectId(oids[1]), stage: 'member' },
      { school: undefined, stage: undefined },
      { school: null, stage: null },
    ]);
    // -0 and 0 are one group, keyed 0 (a Map key), as in mingo.
    expect(fastGroup([{ a: -0 }, { a: 0 }], { _id: '$a', n: { $sum: 1 } })).toStrictEqual([{ _id: 0, n: 2 }]);
    expect(fastGroup([], { _id: null, n: { $sum: 1 } })).toStrictEqual([]);
  });

  it('refuses what it does not cover', () => {
    const docs = [{ a: 1 }];
    const refused: unknown[] = [
      {},
      { n: { $sum: 1 } },
      { _id: '$$ROOT', n: { $sum: 1 } },
      { _id: 'a', n: { $sum: 1 } },
      { _id: { $toString: '$a' }, n: { $sum: 1 } },
      { _id: { x: 1 }, n: { $sum: 1 } },
      { _id: { x: { y: '$a' } } },
      { _id: '$a', n: { $avg: '$a' } },
      { _id: '$a', n: { $sum: { $cond: [true, 1, 0] } } },
      { _id: '$a', n: { $sum: Number.NaN } },
      { _id: '$a', n: { $sum: '1' } },
      { _id: '$a', n: { $first: '$a' } },
      { _id: '$a', n: { $sum: 1, $max: 1 } },
      { _id: '$a', 'n.m': { $sum: 1 } },
      { _id: '$a.__proto__', n: { $sum: 1 } },
    ];
    for (const s of refused) expect(fastGroup(docs, s), JSON.stringify(s)).toBeNull();
    // Data it does not decide: array keys, Long extremes.
    expect(fastGroup([{ a: [1] }], { _id: '$a' })).toBeNull();
    expect(fastGroup([{ a: 1, b: Long.fromNumber(2) }], { _id: '$a', m: { $max: '$b' } })).toBeNull();
  });

  it('serves aggregate with a leading $match and $group, then the rest through mingo', async () => {
    const engine = await createEngine();
    const ctx = { connectionId: 1 };
    const documents = Array.from({ length: 60 }, (_, i) => ({
      _id: i,
      s: new ObjectId(oids[i % 3]),
      p: { stage: ['member', 'dossier', 'probation'][i % 4] ?? null },
      g: i % 2 ? 'female' : 'male',
    }));
    await engine.run('t', { insert: 'm', documents }, ctx);
    const pipeline = [
      { $match: { g: 'female' } },
      { $group: { _id: { s: '$s', st: '$p.stage' }, n: { $sum: 1 } } },
      { $sort: { n: -1, '_id.st': 1 } },
    ];
    const r = await engine.run('t', { aggregate: 'm', pipeline, cursor: {} }, ctx);
    const want = new Aggregator(pipeline, mingoOptions()).run(documents);
    expect(r.cursor.firstBatch).toStrictEqual(want);
    await engine.close();
  });
});

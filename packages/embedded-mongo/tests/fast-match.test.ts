/**
 * The native filter matcher must answer exactly as mingo's Query (with the engine's
 * options) for every filter it accepts, throw BAIL only for documents it cannot decide,
 * and refuse (null) every shape it does not cover.
 */
import { Binary, Decimal128, Long, ObjectId } from 'bson';
import fc from 'fast-check';
import { Query } from 'mingo/query';
import { describe, expect, it } from 'vitest';
import { BAIL, compileFastFilter } from '../src/engine/fast-match.ts';
import { compileFilter, mingoOptions } from '../src/engine/mingo.ts';

type D = Record<string, unknown>;

const oids = ['000000000000000000000001', '00000000000000000000000a', 'ff0000000000000000000000'].map(
  (h) => new ObjectId(h),
);
const dates = [0, 1, 40].map((d) => new Date(Date.UTC(2026, 0, 1 + d)));
const STRINGS = ['a', 'b', 'A', 'ă', 'Ă', 'nguyễn văn an', 'nguyen van an', '', 'member', 'dossier'];
const NUMBERS = [0, -0, 1, 1.0, 1.5, -1, 2, 3, 1e9];

// Copies so that identity never makes a match (mingo compares values).
const scalar = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NUMBERS) },
  { weight: 3, arbitrary: fc.constantFrom(...STRINGS) },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 2, arbitrary: fc.constant(null) },
  { weight: 2, arbitrary: fc.constantFrom(...dates).map((d) => new Date(d.getTime())) },
  { weight: 2, arbitrary: fc.constantFrom(...oids).map((o) => new ObjectId(o.toHexString())) },
);
const exotic = fc.constantFrom<unknown>(
  Long.fromNumber(1),
  Decimal128.fromString('1'),
  new Binary(Buffer.from('a')),
  /a/i,
  new Date(Number.NaN),
  Number.NaN,
);
const FIELDS = ['a', 'b', 'c', '0', '1'];
const { value } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 8, arbitrary: scalar },
    { weight: 3, arbitrary: fc.array(tie('value'), { maxLength: 3 }) },
    {
      weight: 3,
      arbitrary: fc.dictionary(fc.constantFrom(...FIELDS), tie('value'), {
        maxKeys: 3,
        noNullPrototype: true,
      }),
    },
    { weight: 1, arbitrary: exotic },
  ),
}));
// Stored documents are literal objects (mingo's $in cannot hash null-prototype ones).
const doc = fc.dictionary(fc.constantFrom(...FIELDS), value, {
  maxKeys: 4,
  noNullPrototype: true,
}) as fc.Arbitrary<D>;

const PATHS = [
  'a',
  'b',
  'c',
  '0',
  'a.b',
  'a.c',
  'a.0',
  'a.1',
  'a.b.c',
  'a.0.b',
  'b.a.c',
  'a.b.0',
  'a.00',
  'c.1.a',
];
const eqValue = fc.oneof(
  { weight: 5, arbitrary: scalar },
  { weight: 1, arbitrary: fc.array(scalar, { maxLength: 2 }) },
);
const PATTERNS: [string, string | undefined][] = [
  ['a', undefined],
  ['^a', 'i'],
  ['nguy', undefined],
  ['n.*n', 's'],
  ['^$', 'm'],
  ['Ă', 'i'],
  ['^[a-z]+$', ''],
];
const regex = fc.constantFrom(...PATTERNS).map(([p, o]) => new RegExp(p, o));
const rangeValue = scalar;
const opObject = fc
  .array(
    fc.oneof(
      eqValue.map((v) => ['$eq', v]),
      eqValue.map((v) => ['$ne', v]),
      fc
        .array(fc.oneof({ weight: 4, arbitrary: scalar }, { weight: 1, arbitrary: regex }))
        .map((v) => ['$in', v]),
      fc
        .array(fc.oneof({ weight: 4, arbitrary: scalar }, { weight: 1, arbitrary: regex }))
        .map((v) => ['$nin', v]),
      fc.tuple(fc.constantFrom('$gt', '$gte', '$lt', '$lte'), rangeValue),
      fc.boolean().map((v) => ['$exists', v]),
      fc.constantFrom(...PATTERNS).map(([p]) => ['$regex', p]),
    ) as fc.Arbitrary<[string, unknown]>,
    { minLength: 1, maxLength: 2 },
  )
  .map((entries) => Object.fromEntries(entries) as D);
const fieldExpr: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: eqValue },
  { weight: 1, arbitrary: regex },
  { weight: 5, arbitrary: opObject },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(...PATTERNS)
      .map(([p, o]) => (o === undefined ? { $regex: p } : { $regex: p, $options: o })),
  },
  { weight: 1, arbitrary: fc.oneof(regex, opObject).map((n) => ({ $not: n })) },
);
const { filter } = fc.letrec<{ filter: D }>((tie) => ({
  filter: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 5, arbitrary: fc.dictionary(fc.constantFrom(...PATHS), fieldExpr, { minKeys: 1, maxKeys: 3 }) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          fc.constantFrom('$and', '$or', '$nor'),
          fc.array(tie('filter'), { minLength: 1, maxLength: 3 }),
        )
        .map(([op, fs]) => ({ [op]: fs })),
    },
  ),
}));

const reference = (f: D) => new Query(f, mingoOptions());

describe('compileFastFilter', () => {
  it('answers as mingo for random filters over random documents', () => {
    let decided = 0;
    let bailed = 0;
    fc.assert(
      fc.property(filter, fc.array(doc, { minLength: 1, maxLength: 12 }), (f, docs) => {
        const ref = reference(f);
        const fast = compileFastFilter(f);
        expect(fast, JSON.stringify(f)).not.toBeNull();
        const wrapped = compileFilter(f);
        for (const d of docs) {
          const want = ref.test(d);
          try {
            expect(fast!(d)).toBe(want);
            decided++;
          } catch (e) {
            if (e !== BAIL) throw e;
            bailed++;
          }
          expect(wrapped.test(d)).toBe(want);
        }
      }),
      { numRuns: 3000 },
    );
    // Bails are for exotic values and arrays under dotted $exists only.
    expect(bailed).toBeLessThan(decided / 4);
  });

  it('answers as mingo on app-shaped documents', () => {
    const member = fc.record({
      _id: fc.constantFrom(...oids),
      ancestors: fc.array(fc.constantFrom(...oids), { maxLength: 3 }),
      searchKey: fc.constantFrom('nguyen van an sv0000001', 'tran thi binh', 'le minh chi'),
      gender: fc.constantFrom('female', 'male'),
      pipeline: fc.record(
        {
          stage: fc.constantFrom('member', 'dossier', 'probation'),
          due: fc.option(fc.record({ at: fc.constantFrom(...dates) }), { nil: null }),
        },
        { requiredKeys: [] },
      ),
      academicTerms: fc.array(
        fc.record({ gpa: fc.constantFrom(2.5, 3, 3.9, 4), term: fc.constantFrom(1, 2) }),
        {
          maxLength: 3,
        },
      ),
    });
    const filters: D[] = [
      { ancestors: oids[1], 'pipeline.stage': { $in: ['dossier', 'probation'] }, searchKey: /nguyen/ },
      { ancestors: { $in: [oids[0], oids[2]] }, 'pipeline.stage': { $ne: 'member' } },
      { 'pipeline.due.at': { $lt: dates[1] }, gender: 'female' },
      { 'pipeline.due': null },
      { 'pipeline.due.at': { $exists: true } },
      { 'academicTerms.gpa': { $gte: 3.9 }, 'academicTerms.term': 2 },
      { $or: [{ _id: oids[0] }, { searchKey: { $regex: '^tran', $options: 'i' } }] },
      { _id: { $nin: [oids[0], oids[1]] }, ancestors: { $not: { $size: 0 } } },
    ];
    fc.assert(
      fc.property(fc.array(member, { maxLength: 20 }), (docs) => {
        for (const f of filters) {
          const ref = reference(f);
          const q = compileFilter(f);
          for (const d of docs) expect(q.test(d), JSON.stringify(f)).toBe(ref.test(d));
        }
      }),
      { numRuns: 300 },
    );
    // All but the $size one are native.
    expect(filters.filter((f) => compileFastFilter(f) === null)).toHaveLength(1);
  });

  it('follows mingo on edge cases', () => {
    const cases: [D, D, boolean][] = [
      // A numeric component is an index on arrays and a field name on objects.
      [{ 'a.0': 5 }, { a: [5, 6] }, true],
      [{ 'a.0': 5 }, { a: { 0: 5 } }, true],
      [{ 'a.0.b': 1 }, { a: [{ b: 1 }] }, true],
      // null matches missing, null and arrays holding null; mingo: not a missing field inside array elements.
      [{ a: null }, {}, true],
      [{ a: null }, { a: [1, null] }, true],
      [{ a: null }, { a: [] }, false],
      [{ 'a.b': null }, { a: [{ c: 1 }] }, false],
      [{ 'a.b': null }, { a: { c: 1 } }, true],
      // Arrays: an element matches; nested arrays flatten only as deep as the path.
      [{ a: 1 }, { a: [[1]] }, false],
      [{ 'a.b': 1 }, { a: [{ b: [1] }] }, true],
      [{ a: [1, 2] }, { a: [1, 2] }, true],
      [{ a: [1, 2] }, { a: [[1, 2], 3] }, true],
      [{ a: [1, 2] }, { a: [2, 1] }, false],
      // ObjectIds by value, whatever their origin; Dates by time.
      [{ a: new ObjectId(oids[1].toHexString()) }, { a: [oids[0], oids[1]] }, true],
      [{ a: { $in: [new Date(dates[0].getTime())] } }, { a: dates[0] }, true],
      // Range operators only within one type.
      [{ a: { $gt: 1 } }, { a: 'b' }, false],
      [{ a: { $gt: '' } }, { a: 5 }, false],
      [{ a: { $gte: null } }, { a: null }, true],
      [{ a: { $gte: null } }, {}, false],
      [{ a: { $lt: oids[2] } }, { a: oids[1] }, true],
      [{ a: { $lt: dates[1] } }, { a: [dates[2], dates[0]] }, true],
      // $in: null finds missing; RegExps test strings.
      [{ a: { $in: [null] } }, {}, true],
      [{ a: { $in: [/^ng/] } }, { a: ['x', 'nguyen'] }, true],
      [{ a: { $nin: [1] } }, { a: [1.0] }, false],
      // $ne of an array element.
      [{ a: { $ne: 1 } }, { a: [1, 2] }, false],
      [{ a: { $not: /a/ } }, { a: 5 }, true],
      [{ a: { $exists: false } }, { a: null }, false],
      [{ 'a.b': { $exists: true } }, { a: 5 }, false],
      // A Long is left to mingo (through the wrapper), which compares numbers by value.
      [{ a: 1 }, { a: Long.fromNumber(1) }, true],
      [{ 'a.b': { $exists: true } }, { a: [{ b: 1 }] }, true],
    ];
    for (const [f, d, want] of cases) {
      expect(reference(f).test(d), `mingo ${JSON.stringify(f)} ${JSON.stringify(d)}`).toBe(want);
      expect(compileFilter(f).test(d), `${JSON.stringify(f)} ${JSON.stringify(d)}`).toBe(want);
    }
  });

  it('refuses what it does not cover', () => {
    const refused: D[] = [
      { $expr: { $eq: ['$a', 1] } },
      { $where: 'true' },
      { $comment: 'x', a: 1 },
      { a: { $elemMatch: { b: 1 } } },
      { a: { $size: 1 } },
      { a: { $type: 'string' } },
      { a: { $all: [1] } },
      { a: { $mod: [2, 0] } },
      { a: Long.fromNumber(1) },
      { a: Decimal128.fromString('1') },
      { a: new Binary(Buffer.from('a')) },
      { a: { b: 1 } },
      { a: [{ b: 1 }] },
      { a: { $eq: { b: 1 } } },
      { a: { $eq: /a/ } },
      { a: { $eq: Number.NaN } },
      { a: { $gt: [1] } },
      { a: { $gt: new Date(Number.NaN) } },
      { a: { $in: 5 } },
      { a: { $in: [[1]] } },
      { a: { $in: [{ b: 1 }] } },
      { a: { $in: [/a/g] } },
      { a: /a/y },
      { a: { $regex: 'a', $options: 'g' } },
      { a: { $regex: '(' } },
      { a: { $regex: 'a', $options: 'x' } },
      { a: { $options: 'i' } },
      { a: { $not: 5 } },
      { a: { $not: { b: 1 } } },
      { a: { $foo: 1 } },
      { a: { $gt: 1, b: 2 } },
      { $and: [] },
      { $or: {} },
      { $and: [5] },
      { $not: { a: 1 } },
      { 'a.__proto__': 1 },
      { 'a.constructor': 1 },
      { 'a..b': 1 },
      { '': 1 },
      { a: undefined },
      { a: { $exists: 'yes' } },
    ];
    for (const f of refused) expect(compileFastFilter(f), JSON.stringify(f)).toBeNull();
  });

  it('still raises mingo errors for bad operators', () => {
    expect(() => compileFilter({ a: { $foo: 1 } })).toThrow(/unknown operator: \$foo/);
    expect(() => compileFilter({ $foo: 1 })).toThrow();
    expect(() => compileFilter({ a: { $regex: '(' } })).toThrow();
  });
});

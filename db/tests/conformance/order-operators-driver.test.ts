/**
 * The aggregation operators that order values, as MongoDB 7.0 documents them: `$max`/
 * `$min` (accumulator and expression) and `$maxN`/`$minN` in BSON order (arrays above
 * numbers, compared element by element); `$top`/`$topN`/`$bottom`/`$bottomN` and
 * `$sortArray` with a sort spec order like `$sort` (an array field by its largest element
 * descending); comparison expressions compare arrays and documents in BSON order.
 * In updates, `$push` with `$sort` sorts by every key of its spec (then `$slice`), and `$max`/
 * `$min` compare in BSON order. `$setWindowFields` sorting by an array field is refused by
 * the embedded server (mongod orders it like `$sort`): never a different order without an
 * error.
 * Runs on the embedded server, or on a real MongoDB when MONGODB_URI is set.
 */
import type { Db, Document } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { serverError } from './session-helpers.ts';
import { type Target, withTargetDb } from './target.ts';

let db: Db;
let target: Target;
withTargetDb('order-operators', (o) => ({ db, target } = o));

async function scores() {
  const c = db.collection('scores');
  await c.insertMany([
    { _id: 1, g: 1, v: [1, 10] },
    { _id: 2, g: 1, v: [5, 6] },
    { _id: 3, g: 1, v: 7 },
  ] as Document[]);
  return c;
}

const one = async (pipeline: Document[]) => {
  const [row] = await (await scores()).aggregate(pipeline).toArray();
  return row;
};

describe('values in BSON order', () => {
  it('$max and $min over a group: an array is above any number, arrays compare element by element', async () => {
    const row = await one([{ $group: { _id: '$g', max: { $max: '$v' }, min: { $min: '$v' } } }]);
    expect(row.max).toEqual([5, 6]);
    expect(row.min).toBe(7);
  });

  it('$maxN and $minN over a group', async () => {
    const row = await one([
      { $group: { _id: '$g', max: { $maxN: { n: 2, input: '$v' } }, min: { $minN: { n: 2, input: '$v' } } } },
    ]);
    expect(row.max).toEqual([
      [5, 6],
      [1, 10],
    ]);
    expect(row.min).toEqual([7, [1, 10]]);
  });

  it('$max as an expression, and comparisons of arrays and documents', async () => {
    const row = await one([
      { $match: { _id: 1 } },
      {
        $project: {
          max: {
            $max: [
              [3, 1],
              [2, 9],
            ],
          },
          ofField: { $max: '$v' },
          gt: {
            $gt: [
              [3, 1],
              [2, 9],
            ],
          },
          cmp: { $cmp: [{ a: 1 }, { b: 0 }] },
        },
      },
    ]);
    expect(row.max).toEqual([3, 1]);
    expect(row.ofField).toBe(10);
    expect(row.gt).toBe(true);
    expect(row.cmp).toBe(-1);
  });
});

describe('sort specs as $sort orders them', () => {
  it('$top, $topN, $bottom and $bottomN sort an array field by its largest element descending', async () => {
    const row = await one([
      {
        $group: {
          _id: '$g',
          top: { $top: { sortBy: { v: -1 }, output: '$_id' } },
          topN: { $topN: { n: 3, sortBy: { v: -1 }, output: '$_id' } },
          bottom: { $bottom: { sortBy: { v: -1 }, output: '$_id' } },
          bottomN: { $bottomN: { n: 2, sortBy: { v: -1 }, output: '$_id' } },
        },
      },
    ]);
    expect(row.top).toBe(1);
    expect(row.topN).toEqual([1, 3, 2]);
    expect(row.bottom).toBe(2);
    expect(row.bottomN).toEqual([3, 2]);
  });

  it('$sortArray by the elements, and by a field of the elements', async () => {
    const row = await one([
      { $group: { _id: '$g', values: { $push: '$v' }, docs: { $push: { v: '$v', id: '$_id' } } } },
      {
        $project: {
          byValue: { $sortArray: { input: '$values', sortBy: -1 } },
          byField: { $sortArray: { input: '$docs', sortBy: { v: -1 } } },
        },
      },
    ]);
    expect(row.byValue).toEqual([[5, 6], [1, 10], 7]);
    expect(row.byField.map((d: Document) => d.id)).toEqual([1, 3, 2]);
  });
});

describe('$setWindowFields', () => {
  it('numbers its documents in sort order; by an array field, mongod sorts as $sort and this server refuses', async () => {
    const c = await scores();
    const byId = await c
      .aggregate([{ $setWindowFields: { sortBy: { _id: -1 }, output: { r: { $documentNumber: {} } } } }])
      .toArray();
    expect(byId.map((d) => [d._id, d.r])).toEqual([
      [3, 1],
      [2, 2],
      [1, 3],
    ]);
    const byArray = [{ $setWindowFields: { sortBy: { v: -1 }, output: { r: { $documentNumber: {} } } } }];
    if (target.external) {
      const rows = await c.aggregate(byArray).toArray();
      expect(rows.map((d) => d._id)).toEqual([1, 3, 2]);
    } else {
      const error = await serverError(c.aggregate(byArray).toArray());
      expect(error.code).toBe(2);
      expect(error.message).toMatch(/setWindowFields sortBy on v/);
    }
  });
});

describe('updates that order values', () => {
  it('$push with $sort sorts by every key of the spec, then slices', async () => {
    const c = db.collection('quizzes');
    await c.insertOne({
      _id: 1,
      quizzes: [
        { wk: 1, score: 10 },
        { wk: 2, score: 8 },
      ],
    } as Document);
    await c.updateOne(
      { _id: 1 } as Document,
      {
        $push: {
          quizzes: {
            $each: [
              { wk: 5, score: 8 },
              { wk: 6, score: 7 },
            ],
            $sort: { score: -1, wk: -1 },
            $slice: 3,
          },
        },
      } as Document,
    );
    const doc = await c.findOne({ _id: 1 } as Document);
    expect(doc!.quizzes).toEqual([
      { wk: 1, score: 10 },
      { wk: 5, score: 8 },
      { wk: 2, score: 8 },
    ]);
  });

  it('$push with $sort of whole elements in BSON order, at a $position, into a new field by upsert', async () => {
    const c = db.collection('tags');
    await c.insertOne({ _id: 1, v: [[1, 10], 7] } as Document);
    await c.updateOne({ _id: 1 } as Document, { $push: { v: { $each: [[5, 6]], $sort: -1 } } } as Document);
    expect((await c.findOne({ _id: 1 } as Document))!.v).toEqual([[5, 6], [1, 10], 7]);
    await c.updateOne(
      { _id: 2 } as Document,
      { $push: { v: { $each: [3, 1, 2], $sort: 1, $slice: -2 } } } as Document,
      { upsert: true },
    );
    expect((await c.findOne({ _id: 2 } as Document))!.v).toEqual([2, 3]);
  });

  it('refuses a bad $sort, and $push onto a field that is not an array', async () => {
    const c = db.collection('bad');
    await c.insertOne({ _id: 1, v: 5, w: [] } as Document);
    const badSort = await serverError(
      c.updateOne({ _id: 1 } as Document, { $push: { w: { $each: [1], $sort: 2 } } } as Document),
    );
    expect(badSort.code).toBe(2);
    const notArray = await serverError(
      c.updateOne({ _id: 1 } as Document, { $push: { v: { $each: [1], $sort: 1 } } } as Document),
    );
    expect(notArray.code).toBe(2);
    expect((await c.findOne({ _id: 1 } as Document))!).toEqual({ _id: 1, v: 5, w: [] });
  });

  it('$max and $min updates compare arrays element by element and values of different types by type', async () => {
    const c = db.collection('extremes');
    await c.insertOne({ _id: 1, a: [3, 1], b: 5, n: 'x' } as Document);
    await c.updateOne({ _id: 1 } as Document, { $max: { a: [2, 9], b: 'text' }, $min: { n: 4 } } as Document);
    expect(await c.findOne({ _id: 1 } as Document)).toEqual({ _id: 1, a: [3, 1], b: 'text', n: 4 });
  });

  it("$max and $min updates compare strings by the update's collation", async () => {
    const c = db.collection('collated');
    await c.insertOne({ _id: 1, v: 'a', w: 'b' } as Document);
    // Case-insensitive English: 'B' is above 'a' (binary: below).
    await c.updateOne({ _id: 1 } as Document, { $max: { v: 'B' }, $min: { w: 'A' } } as Document, {
      collation: { locale: 'en', strength: 2 },
    });
    expect(await c.findOne({ _id: 1 } as Document)).toEqual({ _id: 1, v: 'B', w: 'A' });
    await c.updateOne({ _id: 1 } as Document, { $max: { v: 'a' } } as Document);
    expect((await c.findOne({ _id: 1 } as Document))!.v).toBe('a');
  });
});

/**
 * Sort order through the bare driver, as MongoDB 7.0 documents it ("Comparison/Sort
 * Order" and "Sort arrays"): an ascending sort orders a document by the smallest value
 * its path reaches in an array, a descending sort by the largest; an empty array sorts
 * below null and missing; for a dotted path into an array of documents, each element's
 * field counts and an element without it counts as null; values of different types
 * order by BSON type; embedded documents compare field by field in stored order. The
 * same holds for `find`, `aggregate`'s `$sort`, and under a collation.
 * Runs on the embedded server, or on a real MongoDB when MONGODB_URI is set.
 */
import { Binary, type CollationOptions, type Db, type Document, MaxKey, MinKey, ObjectId } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { withTargetDb } from './target.ts';

let db: Db;
withTargetDb('sort', (o) => ({ db } = o));

const ids = (docs: Document[]) => docs.map((d) => d._id as unknown);

async function seed(name: string, docs: Document[]) {
  const c = db.collection(name);
  await c.insertMany(docs);
  return c;
}

/** The order by find and by aggregate, which must agree. */
async function both(name: string, sort: Document, collation?: CollationOptions) {
  const c = db.collection(name);
  const found = ids(await c.find({}, { sort, ...(collation ? { collation } : {}) }).toArray());
  const aggregated = ids(await c.aggregate([{ $sort: sort }], collation ? { collation } : {}).toArray());
  expect(aggregated).toEqual(found);
  return found;
}

describe('sorting on array fields', () => {
  it('ascending by the smallest element, descending by the largest', async () => {
    // The documented example: ascending puts [1, 10] before [5, 6]; descending [1, 10] first too.
    await seed('scores', [
      { _id: 'a', v: [1, 10] },
      { _id: 'b', v: [5, 6] },
      { _id: 'c', v: 7 },
    ]);
    expect(await both('scores', { v: 1, _id: 1 })).toEqual(['a', 'b', 'c']);
    expect(await both('scores', { v: -1, _id: 1 })).toEqual(['a', 'c', 'b']);
  });

  it('an empty array sorts below null and missing, in both directions', async () => {
    await seed('empties', [
      { _id: 1, v: 2 },
      { _id: 2, v: [] },
      { _id: 3, v: null },
      { _id: 4 },
      { _id: 5, v: [null, 3] },
    ]);
    // Ascending: [] first; null, missing and [null, 3] (smallest null) tie, by _id.
    expect(await both('empties', { v: 1, _id: 1 })).toEqual([2, 3, 4, 5, 1]);
    // Descending: [null, 3] counts as 3; the empty array last.
    expect(await both('empties', { v: -1, _id: 1 })).toEqual([5, 1, 3, 4, 2]);
  });

  it('a dotted path into an array of documents: each element, missing as null', async () => {
    await seed('lines', [
      { _id: 1, o: [{ x: 1 }, { x: 10 }] },
      { _id: 2, o: [{ x: 5 }, { x: 6 }] },
      { _id: 3, o: { x: 7 } },
      { _id: 4, o: [{ x: 8 }, { y: 1 }] },
    ]);
    expect(await both('lines', { 'o.x': 1, _id: 1 })).toEqual([4, 1, 2, 3]);
    expect(await both('lines', { 'o.x': -1, _id: 1 })).toEqual([1, 4, 3, 2]);
  });

  it('a nested array is one value of type array, above numbers and strings', async () => {
    await seed('nested', [
      { _id: 1, v: [1, [0]] },
      { _id: 2, v: 'z' },
      { _id: 3, v: 4 },
    ]);
    expect(await both('nested', { v: 1 })).toEqual([1, 3, 2]);
    expect(await both('nested', { v: -1 })).toEqual([1, 2, 3]);
  });

  it('under a collation, array elements compare by the collation', async () => {
    await seed('tags', [
      { _id: 1, t: ['b', 'Z'] },
      { _id: 2, t: ['a', 'y'] },
      { _id: 3, t: 'C' },
    ]);
    const ci = { locale: 'en', strength: 2 };
    // Binary: uppercase first ('C' < 'Z' < 'a'); case-insensitive: a < b < c, y < z.
    expect(await both('tags', { t: 1 })).toEqual([3, 1, 2]);
    expect(await both('tags', { t: 1 }, ci)).toEqual([2, 1, 3]);
    expect(await both('tags', { t: -1 }, ci)).toEqual([1, 2, 3]);
  });
});

describe('the BSON type order', () => {
  it('orders one field holding every common type as mongod does', async () => {
    const oid = new ObjectId('000000000000000000000001');
    await seed('types', [
      { _id: 'maxKey', v: new MaxKey() },
      { _id: 'regex', v: /a/ },
      { _id: 'date', v: new Date(0) },
      { _id: 'bool', v: false },
      { _id: 'oid', v: oid },
      { _id: 'bin', v: new Binary(Buffer.from([1])) },
      { _id: 'array', v: [[1]] },
      { _id: 'object', v: { a: 1 } },
      { _id: 'string', v: '' },
      { _id: 'number', v: 5 },
      { _id: 'null', v: null },
      { _id: 'minKey', v: new MinKey() },
    ]);
    const ascending = [
      'minKey',
      'null',
      'number',
      'string',
      'object',
      'array',
      'bin',
      'oid',
      'bool',
      'date',
      'regex',
      'maxKey',
    ];
    expect(await both('types', { v: 1 })).toEqual(ascending);
    expect(await both('types', { v: -1 })).toEqual(ascending.slice().reverse());
  });

  it('embedded documents compare field by field in stored order, arrays element by element', async () => {
    await seed('docs', [
      { _id: 1, v: { b: 1 } },
      { _id: 2, v: { a: 2, b: 0 } },
      { _id: 3, v: { a: 'x' } },
      { _id: 4, v: { a: 2 } },
      { _id: 5, w: [[3, 1]] },
      { _id: 6, w: [[2, 9]] },
    ]);
    // {a: 2} < {a: 2, b: 0} (a prefix) < {b: 1} (same type, name 'a' < 'b') < {a: 'x'}
    // (a field's type counts before its name: a number before a string).
    const c = db.collection('docs');
    const byV = ids(
      await c
        .find({ v: { $exists: true } })
        .sort({ v: 1 })
        .toArray(),
    );
    expect(byV).toEqual([4, 2, 1, 3]);
    // [3, 1] against [2, 9]: the first elements decide (3 > 2), not the sorted elements.
    const byW = ids(
      await c
        .find({ w: { $exists: true } })
        .sort({ w: 1 })
        .toArray(),
    );
    expect(byW).toEqual([6, 5]);
  });
});

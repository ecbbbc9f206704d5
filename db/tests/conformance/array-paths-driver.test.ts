/**
 * Query conditions on a dotted path that crosses an array of documents whose field holds
 * arrays, as MongoDB 7.0 documents it ("Query an Array of Embedded Documents", "$all",
 * "$size"): the path reaches each element's field; the condition holds when it holds for
 * one value reached (or an element of one), `$ne`/`$nin` when it holds for none, `$all`
 * when each item is met by some value. The answers are the same with and without an
 * index on the path (the index is what first found the difference).
 * Runs on the embedded server, or on a real MongoDB when MONGODB_URI is set.
 */
import type { Db, Document } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { withTargetDb } from './target.ts';

let db: Db;
withTargetDb('array-paths', (o) => ({ db } = o));

const DOCS: Document[] = [
  { _id: 1, p: [{ s: ['y'] }, { s: [] }] },
  { _id: 2, p: [{ s: ['y'] }] },
  { _id: 3, p: [{ s: [] }, { s: ['y'] }] },
  { _id: 4, p: [{ s: 'y' }, { s: [] }] },
  { _id: 5, p: [{ s: ['y'] }, { s: ['z'] }] },
  { _id: 6, p: { s: 'y' } },
  { _id: 7, p: [{ s: ['x'] }, { t: 1 }] },
];

/** The ids matching `filter`, scanned and through an index on `p.s`; both must agree. */
async function ids(filter: Document): Promise<unknown[]> {
  const scanned = db.collection('scanned');
  const indexed = db.collection('indexed');
  if ((await scanned.estimatedDocumentCount()) === 0) {
    await scanned.insertMany(DOCS.map((d) => ({ ...d })));
    await indexed.createIndex({ 'p.s': 1 });
    await indexed.insertMany(DOCS.map((d) => ({ ...d })));
  }
  const a = (await scanned.find(filter).sort({ _id: 1 }).toArray()).map((d) => d._id as unknown);
  const b = (await indexed.find(filter).sort({ _id: 1 }).toArray()).map((d) => d._id as unknown);
  expect(b, JSON.stringify(filter)).toEqual(a);
  expect(await scanned.countDocuments(filter)).toBe(a.length);
  return a;
}

describe('a path through an array of documents to arrays', () => {
  it('$in, $eq, $gte and $type hold when one value reached, or an element of one, passes', async () => {
    expect(await ids({ 'p.s': { $in: ['y'] } })).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await ids({ 'p.s': { $in: ['z', 'x'] } })).toEqual([5, 7]);
    expect(await ids({ 'p.s': 'y' })).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await ids({ 'p.s': { $gte: 'y' } })).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await ids({ 'p.s': { $type: 'string' } })).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('$ne and $nin hold only when no value reached matches; a missing field is null', async () => {
    expect(await ids({ 'p.s': { $ne: 'y' } })).toEqual([7]);
    expect(await ids({ 'p.s': { $nin: ['y'] } })).toEqual([7]);
    expect(await ids({ 'p.s': { $in: [null] } })).toEqual([7]);
    expect(await ids({ 'p.s': null })).toEqual([7]);
  });

  it('$all: each item met by some value, also by different elements', async () => {
    expect(await ids({ 'p.s': { $all: ['y'] } })).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await ids({ 'p.s': { $all: ['y', 'z'] } })).toEqual([5]);
    expect(await ids({ 'p.s': { $all: [/^[xz]$/] } })).toEqual([5, 7]);
    expect(await ids({ 'p.s': { $all: [] } })).toEqual([]);
  });

  it('$size counts each array reached', async () => {
    expect(await ids({ 'p.s': { $size: 1 } })).toEqual([1, 2, 3, 5, 7]);
    expect(await ids({ 'p.s': { $size: 0 } })).toEqual([1, 3, 4]);
  });
});

describe('$all on a plain value', () => {
  it('matches a field equal to its one item, as an $and of equalities', async () => {
    const c = db.collection('plain');
    await c.insertMany([
      { _id: 1, a: 'y' },
      { _id: 2, a: ['y', 'z'] },
      { _id: 3, a: 'z' },
    ] as Document[]);
    const found = await c
      .find({ a: { $all: ['y'] } })
      .sort({ _id: 1 })
      .toArray();
    expect(found.map((d) => d._id)).toEqual([1, 2]);
  });
});

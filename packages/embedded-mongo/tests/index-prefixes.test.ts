/**
 * Indexes keep some key prefixes only (a non-unique compound index: its leading
 * field and its first two; unique and single-field indexes: the full key). Whatever
 * an index keeps, a query answered through it must return what a scan returns, and
 * updates must move every kept entry.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Document } from 'bson';
import { createEngine } from '../src/engine/index.ts';
import { Index, postingIds } from '../src/engine/indexes.ts';

const ctx = { connectionId: 1 };

describe('kept prefixes', () => {
  it('keeps the leading field and the first two of a non-unique compound index, the full key otherwise', () => {
    expect(new Index({ key: { a: 1, b: 1, c: 1 }, name: 'x' }).lengths).toEqual([1, 2]);
    expect(new Index({ key: { a: 1, b: 1 }, name: 'x' }).lengths).toEqual([1]);
    expect(new Index({ key: { a: 1, b: 1, c: 1 }, name: 'x', unique: true }).lengths).toEqual([1, 3]);
    expect(new Index({ key: { a: 1 }, name: 'x' }).lengths).toEqual([1]);
    const ix = new Index({ key: { a: 1, b: 1, c: 1 }, name: 'x' });
    const keys = ix.keysOf({ a: [1, 2], b: 'x', c: [3, 4] })!;
    // Multikey: two leading keys, two pairs; the third field is not expanded.
    expect(keys.keys.map((k) => k.length)).toEqual([2, 2]);
    // Fields that have had several values are flagged (lists for their values may overlap).
    expect(ix.multikey).toEqual([true, false, true]);
    const one = new Index({ key: { a: 1, b: 1 }, name: 'y' });
    one.keysOf({ a: [1], b: 'x' });
    expect(one.multikey).toEqual([false, false]);
  });

  it('keys are every distinct combination of its values, per kept prefix (reference expansion)', () => {
    const value = fc.oneof(
      fc.constantFrom(0, 1, 'x', null),
      fc.array(fc.constantFrom(0, 1, 'x', null, 2), { maxLength: 4 }),
    );
    const docArb = fc.record({ a: value, b: value, c: value }, { requiredKeys: [] });
    const specs = [
      { key: { a: 1, b: 1, c: 1 }, name: 'abc' },
      { key: { a: 1, b: 1, c: 1 }, name: 'abcu', unique: true },
      { key: { b: 1, a: 1 }, name: 'ba', unique: true },
    ];
    // Reference: the field values (an array's elements, distinct; [] as undefined;
    // missing as null), then every combination of the first n fields.
    const fieldValues = (v: unknown): unknown[] => {
      if (v === undefined) return [null];
      if (!Array.isArray(v)) return [v];
      if (v.length === 0) return [undefined];
      return v.filter((x, i) => v.findIndex((y) => Object.is(y, x)) === i);
    };
    const combos = (lists: unknown[][]): unknown[][] =>
      lists.reduce<unknown[][]>((acc, list) => acc.flatMap((c) => list.map((x) => [...c, x])), [[]]);
    fc.assert(
      fc.property(docArb, (doc) => {
        for (const spec of specs) {
          const ix = new Index(spec);
          const got = ix.keysOf(doc as Document)!;
          const lists = ix.fields.map((f) => fieldValues((doc as Document)[f]));
          ix.lengths.forEach((n, j) => expect(got.keys[j].length).toBe(combos(lists.slice(0, n)).length));
          if (ix.lengths.at(-1) === ix.fields.length) expect(got.vals).toEqual(combos(lists));
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('after adds, moves and removals an index holds exactly the entries of the documents it has now', () => {
    const value = fc.oneof(
      fc.constantFrom(0, 1, 'x'),
      fc.array(fc.constantFrom(0, 1, 'x', 2), { maxLength: 3 }),
    );
    const docArb = fc.record({ a: value, b: value, c: value }, { requiredKeys: [] });
    const spec = { key: { a: 1, b: 1, c: 1 }, name: 'abc' };
    const entries = (ix: Index) =>
      ix.maps.map((m) =>
        Object.fromEntries(
          [...m].map(([k, p]) => [k, [...postingIds(p)].sort()]).sort(([x], [y]) => (x < y ? -1 : 1)),
        ),
      );
    fc.assert(
      fc.property(
        fc.array(docArb, { minLength: 1, maxLength: 25 }),
        fc.array(fc.tuple(fc.nat(), fc.option(docArb)), { maxLength: 25 }),
        (docs, changes) => {
          const ix = new Index(spec);
          const current = new Map<string, Document>();
          docs.forEach((d, i) => {
            current.set(`d${i}`, d);
            ix.add(`d${i}`, ix.keysOf(d));
          });
          for (const [n, next] of changes) {
            const id = `d${n % docs.length}`;
            const old = current.get(id);
            if (old) ix.remove(id, ix.keysOf(old));
            if (next) {
              ix.add(id, ix.keysOf(next));
              current.set(id, next);
            } else current.delete(id);
          }
          const rebuilt = new Index(spec);
          for (const [id, d] of current) rebuilt.add(id, rebuilt.keysOf(d));
          expect(entries(ix)).toEqual(entries(rebuilt));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('answers equality and $in filters on any subset of the fields as a scan does', async () => {
    const value = fc.oneof(
      fc.constantFrom(0, 1, 2, 'x', 'y', null),
      fc.array(fc.constantFrom(0, 1, 'x'), { maxLength: 3 }),
    );
    const docArb = fc.record({ a: value, b: value, c: value }, { requiredKeys: [] });
    const cond = fc.oneof(
      fc.constantFrom(0, 1, 2, 'x', 'y', null),
      fc.array(fc.constantFrom(0, 1, 'x', null), { minLength: 1, maxLength: 3 }).map((vs) => ({ $in: vs })),
    );
    const filterArb = fc.record({ a: cond, b: cond, c: cond }, { requiredKeys: [] });
    await fc.assert(
      fc.asyncProperty(
        fc.array(docArb, { maxLength: 30 }),
        fc.array(filterArb, { maxLength: 6 }),
        async (docs, filters) => {
          const e = await createEngine({});
          try {
            const run = (cmd: Document) => e.run('t', cmd, ctx);
            await run({
              createIndexes: 'ix',
              indexes: [
                { key: { a: 1, b: 1, c: 1 }, name: 'abc' },
                { key: { b: 1, c: -1 }, name: 'bc' },
                { key: { c: 1, a: 1, b: 1 }, name: 'cab', sparse: true },
              ],
            });
            const withIds = docs.map((d, i) => ({ _id: i, ...d }));
            if (withIds.length) {
              await run({ insert: 'ix', documents: withIds });
              await run({ insert: 'plain', documents: withIds });
            }
            // Move some entries: every third document gets new values.
            for (let i = 0; i < withIds.length; i += 3) {
              const set = { a: withIds[(i + 1) % withIds.length].b ?? 1, c: 'y' };
              await run({ update: 'ix', updates: [{ q: { _id: i }, u: { $set: set } }] });
              await run({ update: 'plain', updates: [{ q: { _id: i }, u: { $set: set } }] });
            }
            for (const filter of filters) {
              const ids = async (coll: string) =>
                ((await run({ find: coll, filter, sort: { _id: 1 } })).cursor.firstBatch as Document[]).map(
                  (d) => d._id,
                );
              expect(await ids('ix'), JSON.stringify(filter)).toEqual(await ids('plain'));
            }
          } finally {
            await e.close();
          }
        },
      ),
      { numRuns: 120 },
    );
  });
});

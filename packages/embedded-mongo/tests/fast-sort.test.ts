/**
 * The sort fast path must order exactly as the general sort (sort-order.ts: stable, missing/null
 * first, descending reverses the groups) and give up on anything it does not cover.
 */
import { ObjectId } from 'bson';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fastSort } from '../src/engine/fast-sort.ts';
import { sortBson } from '../src/engine/sort-order.ts';

const slow = (docs: Record<string, unknown>[], sort: Record<string, number>) => sortBson(docs, sort);

const ids = (docs: Record<string, unknown>[]) => docs.map((d) => d.i);

describe('fastSort', () => {
  it('orders like the general sort for numbers, strings, dates, ObjectIds, booleans, null and missing', () => {
    const value = fc.oneof(fc.constant(undefined), fc.constant(null), fc.integer({ min: -5, max: 5 }));
    const kinds = {
      number: fc.oneof(value, fc.double({ noNaN: true, min: -10, max: 10 })),
      string: fc.oneof(
        fc.constant(null),
        fc.constant(undefined),
        fc.constantFrom('a', 'b', 'Ă', 'ă', 'z', ''),
      ),
      date: fc.oneof(
        fc.constant(null),
        fc.integer({ min: 0, max: 5 }).map((d) => new Date(2026, 0, d)),
      ),
      objectId: fc.oneof(
        fc.constant(null),
        fc.constantFrom(1, 2, 3).map((n) => new ObjectId(n.toString(16).padStart(24, '0'))),
      ),
      bool: fc.oneof(fc.constant(null), fc.boolean()),
    };
    for (const [kind, arb] of Object.entries(kinds)) {
      fc.assert(
        fc.property(
          fc.array(fc.tuple(arb, fc.integer({ min: 0, max: 2 })), { maxLength: 40 }),
          fc.constantFrom(1, -1),
          fc.constantFrom(1, -1),
          (rows, d1, d2) => {
            const docs = rows.map(([v, w], i) => {
              const doc: Record<string, unknown> = { i, w, nested: { v } };
              if (v !== undefined) doc.v = v;
              return doc;
            });
            const sorts: Record<string, number>[] = [{ v: d1 }, { v: d1, w: d2 }, { w: d2, 'nested.v': d1 }];
            for (const sort of sorts) {
              const fast = fastSort(docs, sort);
              expect(fast, kind).not.toBeNull();
              const expected = ids(slow(docs, sort));
              expect(ids(fast!)).toEqual(expected);
              // A page at the start: the same first k, ties in input order.
              for (const k of [0, 1, 3, 9]) {
                expect(ids(fastSort(docs, sort, k)!)).toEqual(expected.slice(0, k));
              }
            }
          },
        ),
        { numRuns: 150 },
      );
    }
  });

  it('gives the first k of a large match as a stable sort would (bounded selection)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(null, undefined, 1, 2, 3), fc.integer({ min: 0, max: 2 })), {
          minLength: 24,
          maxLength: 200,
        }),
        fc.integer({ min: 1, max: 5 }),
        fc.constantFrom(1, -1),
        (rows, k, dir) => {
          const docs = rows.map(([v, w], i) => (v === undefined ? { i, w } : { i, v, w }));
          const sorts: Record<string, number>[] = [{ v: dir }, { w: dir, v: -dir }];
          for (const sort of sorts) {
            expect(ids(fastSort(docs, sort, k)!)).toEqual(ids(slow(docs, sort)).slice(0, k));
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('gives up on arrays, embedded documents, mixed kinds and NaN', () => {
    expect(fastSort([{ v: [1, 2] }, { v: 3 }], { v: 1 })).toBeNull();
    expect(fastSort([{ v: { a: 1 } }, { v: 3 }], { v: 1 })).toBeNull();
    expect(fastSort([{ v: 'a' }, { v: 3 }], { v: 1 })).toBeNull();
    expect(fastSort([{ v: Number.NaN }, { v: 3 }], { v: 1 })).toBeNull();
    expect(fastSort([{ a: [{ v: 1 }] }], { 'a.v': 1 })).toBeNull();
    expect(fastSort([{ v: 1 }], { $natural: 1 })).toBeNull();
    // A later key is read only for documents that tie before it: a value there that the
    // fast path cannot order gives up when compared, and changes nothing when not.
    expect(
      fastSort(
        [
          { a: 1, v: [1] },
          { a: 1, v: 2 },
        ],
        { a: 1, v: 1 },
      ),
    ).toBeNull();
    expect(
      fastSort(
        [
          { a: 1, v: 'x' },
          { a: 1, v: 2 },
        ],
        { a: 1, v: 1 },
      ),
    ).toBeNull();
    const noTie = [
      { i: 0, a: 2, v: [1] },
      { i: 1, a: 1, v: 'x' },
      { i: 2, a: 3, v: 2 },
    ];
    expect(ids(fastSort(noTie, { a: 1, v: 1 })!)).toEqual(ids(slow(noTie, { a: 1, v: 1 })));
  });
});

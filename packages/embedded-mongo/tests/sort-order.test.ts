/**
 * sort-order.ts: the general sort against a reference written from MongoDB's documented
 * rules for arrays (smallest element ascending, largest descending, empty array below
 * null and missing), and the refusal of a value type it does not know.
 */
import { Long } from 'bson';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bsonCompare, sortBson } from '../src/engine/sort-order.ts';

type Value = undefined | null | number | (number | null)[];

/** [type rank, number] for the reference: empty array 0, null/missing 1, a number 2. */
function referenceKey(v: Value, dir: number): [number, number] {
  if (v === undefined || v === null) return [1, 0];
  if (!Array.isArray(v)) return [2, v];
  if (v.length === 0) return [0, 0];
  const keys = v.map((x): [number, number] => (x === null ? [1, 0] : [2, x]));
  const order = (a: [number, number], b: [number, number]) => a[0] - b[0] || a[1] - b[1];
  return keys.reduce((best, k) => (dir * order(k, best) < 0 ? k : best));
}

describe('sortBson', () => {
  it('orders arrays, nulls and missing as the documented rules', () => {
    const value: fc.Arbitrary<Value> = fc.oneof(
      fc.constant(undefined),
      fc.constant(null),
      fc.integer({ min: -3, max: 3 }),
      fc.array(fc.oneof(fc.constant(null), fc.integer({ min: -3, max: 3 })), { maxLength: 3 }),
    );
    fc.assert(
      fc.property(fc.array(value, { maxLength: 30 }), fc.constantFrom(1, -1), (values, dir) => {
        const docs = values.map((v, i) => (v === undefined ? { i } : { i, v }));
        const expected = values
          .map((v, i) => ({ i, k: referenceKey(v, dir) }))
          .sort((a, b) => dir * (a.k[0] - b.k[0] || a.k[1] - b.k[1]) || a.i - b.i)
          .map((e) => e.i);
        expect(sortBson(docs, { v: dir }).map((d) => d.i)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('orders numbers of every BSON type by value, also inside arrays', () => {
    const docs = [
      { i: 0, v: [Long.fromNumber(5), 1] },
      { i: 1, v: 4.5 },
      { i: 2, v: [Long.fromBigInt(2n ** 60n)] },
    ];
    expect(sortBson(docs, { v: 1 }).map((d) => d.i)).toEqual([0, 1, 2]);
    expect(sortBson(docs, { v: -1 }).map((d) => d.i)).toEqual([2, 0, 1]);
  });

  it('refuses a value of a type it does not know instead of guessing', () => {
    const odd = { _bsontype: 'Unknown' };
    expect(() => bsonCompare(odd, 1)).toThrow(/not supported/);
    expect(() => sortBson([{ v: odd }, { v: 1 }], { v: 1 })).toThrow(
      expect.objectContaining({ code: 2 }) as Error,
    );
  });
});

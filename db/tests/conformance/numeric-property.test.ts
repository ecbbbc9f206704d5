/**
 * Differential property test of numeric update operators and accumulators across
 * int32, int64, double and Decimal128: random operands go through the server and
 * the results (type and value) are compared with a model written here from
 * MongoDB's documented rules, computed exactly with BigInt and decimal.js.
 * Doubles are quarters of small integers and decimals short, so that every sum
 * the model computes is exact (no rounding-order questions).
 */
import fc from 'fast-check';
import Decimal from 'decimal.js';
import { Decimal128, Double, Int32, Long, MongoServerError, type Db, type Document } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { withTargetDb } from './target.ts';

let db: Db;

withTargetDb('numprop', (opened) => {
  ({ db } = opened);
});

type Kind = 'Int32' | 'Long' | 'Double' | 'Decimal128';
interface Num {
  kind: Kind;
  /** The exact value. */
  value: Decimal;
  /** As sent to the server. */
  bson: unknown;
}

const D = Decimal.clone({ precision: 34, rounding: Decimal.ROUND_HALF_EVEN });
const Big = Decimal.clone({ precision: 200 });

const int32 = fc
  .oneof(
    fc.integer({ min: -2147483648, max: 2147483647 }),
    fc.constantFrom(-2147483648, 2147483647, 0, 1, -1),
  )
  .map((n): Num => ({ kind: 'Int32', value: new Big(n), bson: new Int32(n) }));
const int64Edge = fc.oneof(
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  fc.constantFrom(2n ** 63n - 1n, -(2n ** 63n), 2n ** 53n + 1n, 0n),
);
const toLong = (b: bigint): Num => ({ kind: 'Long', value: new Big(b.toString()), bson: Long.fromBigInt(b) });
const int64 = int64Edge.map(toLong);
const smallLong = fc.bigInt({ min: -(2n ** 40n), max: 2n ** 40n }).map(toLong);
const double = fc
  .integer({ min: -4_000_000, max: 4_000_000 })
  .map((n): Num => ({ kind: 'Double', value: new Big(n / 4), bson: new Double(n / 4) }));
const decimal = fc
  .tuple(fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }), fc.integer({ min: -6, max: 6 }))
  .map(([c, e]): Num => {
    const text = `${c}E${e}`;
    return { kind: 'Decimal128', value: new Big(text), bson: Decimal128.fromString(text) };
  });

const RANK: Record<Kind, number> = { Int32: 0, Long: 1, Double: 2, Decimal128: 3 };
const widest = (a: Kind, b: Kind): Kind => (RANK[a] >= RANK[b] ? a : b);
const LONG_MIN = new Big((-(2n ** 63n)).toString());
const LONG_MAX = new Big((2n ** 63n - 1n).toString());
const INT_MIN = new Big(-2147483648);
const INT_MAX = new Big(2147483647);

type Expected = { kind: Kind; value: Decimal } | 'overflow';

/** The value of a double operation: both sides as doubles, as mongod converts them. */
const asDouble = (x: Decimal) => Number(x.toString());

/** mongod's result of `a op b` for $inc / $mul. */
function arith(a: Num, b: Num, op: 'add' | 'mul'): Expected {
  const kind = widest(a.kind, b.kind);
  const exact = op === 'add' ? a.value.plus(b.value) : a.value.times(b.value);
  if (kind === 'Decimal128') return { kind, value: new D(exact) };
  if (kind === 'Double') {
    const x = asDouble(a.value);
    const y = asDouble(b.value);
    return { kind, value: new Big(op === 'add' ? x + y : x * y) };
  }
  if (kind === 'Int32' && exact.gte(INT_MIN) && exact.lte(INT_MAX)) return { kind, value: exact };
  if (exact.gte(LONG_MIN) && exact.lte(LONG_MAX)) return { kind: 'Long', value: exact };
  return 'overflow';
}

function read(v: unknown): { kind: string; value: Decimal } {
  const kind = (v as { _bsontype?: string })._bsontype ?? typeof v;
  return { kind, value: new Big(String(v)) };
}

async function update(start: Num, update: Document): Promise<{ kind: string; value: Decimal } | 'overflow'> {
  const c = db.collection('prop');
  await c.deleteMany({});
  await c.insertOne({ _id: 1 as never, v: start.bson });
  try {
    await c.updateOne({ _id: 1 as never }, update);
  } catch (e) {
    if (e instanceof MongoServerError && Number(e.code) === 2) return 'overflow';
    throw e;
  }
  return read((await c.findOne({ _id: 1 as never }, { promoteValues: false }))!.v);
}

const same = (got: { kind: string; value: Decimal } | 'overflow', want: Expected): void => {
  if (want === 'overflow' || got === 'overflow') {
    expect(got).toBe(want);
    return;
  }
  expect({ kind: got.kind, value: got.value.toString() }).toEqual({
    kind: want.kind,
    value: want.value.toString(),
  });
};

const anyNum = fc.oneof(int32, int64, double, decimal);
const RUNS = { numRuns: 80 };

describe('update operators against the model', () => {
  it('$inc', async () => {
    await fc.assert(
      fc.asyncProperty(anyNum, anyNum, async (a, b) =>
        same(await update(a, { $inc: { v: b.bson } }), arith(a, b, 'add')),
      ),
      RUNS,
    );
  });

  it('$mul', async () => {
    const factor = fc.oneof(int32, smallLong, double, decimal);
    await fc.assert(
      fc.asyncProperty(fc.oneof(int32, smallLong, double, decimal), factor, async (a, b) =>
        same(await update(a, { $mul: { v: b.bson } }), arith(a, b, 'mul')),
      ),
      RUNS,
    );
  });

  it('$min and $max', async () => {
    await fc.assert(
      fc.asyncProperty(anyNum, anyNum, fc.constantFrom('$min', '$max'), async (a, b, op) => {
        const c = b.value.cmp(a.value);
        const takes = op === '$min' ? c < 0 : c > 0;
        const want = takes ? b : a;
        same(await update(a, { [op]: { v: b.bson } }), { kind: want.kind, value: want.value });
      }),
      RUNS,
    );
  });
});

describe('accumulators against the model', () => {
  /** mongod's $sum: ints widen to long, long overflow to double; any double/decimal decides the type. */
  function sumModel(xs: Num[]): Expected {
    let kind: Kind = 'Int32';
    let exact = new Big(0);
    for (const x of xs) {
      exact = exact.plus(x.value);
      kind = widest(kind, x.kind);
      if (kind === 'Int32' && (exact.lt(INT_MIN) || exact.gt(INT_MAX))) kind = 'Long';
      if (kind === 'Long' && (exact.lt(LONG_MIN) || exact.gt(LONG_MAX))) kind = 'Double';
    }
    if (kind === 'Decimal128') return { kind, value: new D(exact) };
    if (kind === 'Double') return { kind, value: new Big(asDouble(exact)) };
    return { kind, value: exact };
  }

  async function group(xs: Num[], acc: Document) {
    const c = db.collection('propacc');
    await c.deleteMany({});
    await c.insertMany(xs.map((x, i) => ({ _id: i as never, v: x.bson })));
    const [r] = await c.aggregate([{ $group: { _id: null, r: acc } }], { promoteValues: false }).toArray();
    return read(r.r);
  }

  // Doubles with small longs and ints only: their sums stay exact in a double.
  const exactlySummable = fc.oneof(int32, smallLong, double, decimal);

  it('$sum', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(exactlySummable, { minLength: 1, maxLength: 8 }), async (xs) =>
        same(await group(xs, { $sum: '$v' }), sumModel(xs)),
      ),
      RUNS,
    );
  });

  it('$sum of int64 values past the int64 range', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(int64, { minLength: 1, maxLength: 4 }), async (xs) => {
        const want = sumModel(xs);
        const got = await group(xs, { $sum: '$v' });
        if (want !== 'overflow' && want.kind === 'Double') {
          // Once a double, the sum is rounded: within a few units in the last place.
          expect(got.kind).toBe('Double');
          expect(Math.abs(asDouble(got.value) - asDouble(want.value))).toBeLessThanOrEqual(4096);
        } else same(got, want);
      }),
      RUNS,
    );
  });

  it('$avg', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(exactlySummable, { minLength: 1, maxLength: 8 }), async (xs) => {
        const sum = sumModel(xs);
        if (sum === 'overflow') return;
        const want: Expected =
          sum.kind === 'Decimal128'
            ? { kind: 'Decimal128', value: new D(sum.value).dividedBy(xs.length) }
            : { kind: 'Double', value: new Big(asDouble(sum.value) / xs.length) };
        same(await group(xs, { $avg: '$v' }), want);
      }),
      RUNS,
    );
  });
});

/**
 * Accumulators and arithmetic expressions with MongoDB 7.0's result types, through
 * the bare driver: `$sum` widens int32 → int64 → double, any double gives a double,
 * any decimal a decimal; `$avg` is a double unless decimal; `$add`, `$subtract`,
 * `$multiply` keep integer types, `$divide` gives a double; conversions give the
 * type they name. Read back with `promoteValues: false`.
 */
import { Decimal128, Double, Int32, Long, type Db, type Document } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { serverError } from './session-helpers.ts';
import { withTargetDb } from './target.ts';

let db: Db;

withTargetDb('numagg', (opened) => {
  ({ db } = opened);
});

const show = (v: unknown) =>
  v === null ? 'null' : `${(v as { _bsontype?: string })._bsontype ?? typeof v}:${String(v)}`;

/** `$group` of all `values` (as field v) with `acc`, shown as type:value. */
async function accumulate(values: unknown[], acc: Document): Promise<string> {
  const c = db.collection('acc');
  await c.deleteMany({});
  await c.insertMany(values.map((v, i) => ({ _id: i as never, v })));
  const [r] = await c.aggregate([{ $group: { _id: null, r: acc } }], { promoteValues: false }).toArray();
  return show(r.r);
}

/** The value of one expression evaluated on an empty document. */
async function evaluate(expr: Document): Promise<string> {
  const c = db.collection('expr');
  await c.deleteMany({});
  await c.insertOne({ _id: 1 as never });
  const [r] = await c.aggregate([{ $project: { _id: 0, r: expr } }], { promoteValues: false }).toArray();
  return show(r.r);
}

describe('$sum and $avg', () => {
  it('$sum widens int32 to int64 on overflow and int64 to double', async () => {
    expect(await accumulate([1, 2], { $sum: '$v' })).toBe('Int32:3');
    expect(await accumulate([2147483647, 1], { $sum: '$v' })).toBe('Long:2147483648');
    expect(await accumulate([Long.fromNumber(5), 1], { $sum: '$v' })).toBe('Long:6');
    expect(await accumulate([Long.MAX_VALUE, Long.fromNumber(1)], { $sum: '$v' })).toBe(
      'Double:9223372036854776000',
    );
  });

  it('$sum with a double is a double, with a decimal an exact decimal', async () => {
    expect(await accumulate([1.5, 0.5], { $sum: '$v' })).toBe('Double:2');
    expect(await accumulate([1, 2.5], { $sum: '$v' })).toBe('Double:3.5');
    expect(
      await accumulate([Decimal128.fromString('0.1'), Decimal128.fromString('0.2')], { $sum: '$v' }),
    ).toBe('Decimal128:0.3');
    expect(await accumulate([1, Decimal128.fromString('0.5'), 'x'], { $sum: '$v' })).toBe('Decimal128:1.5');
    expect(await accumulate([Long.fromString('9007199254740993'), Long.fromNumber(2)], { $sum: '$v' })).toBe(
      'Long:9007199254740995',
    );
  });

  it('$sum of a constant counts with the constant type', async () => {
    expect(await accumulate([1, 2, 3], { $sum: 1 })).toBe('Int32:3');
  });

  it('$avg is a double unless a decimal is averaged', async () => {
    expect(await accumulate([2, 4], { $avg: '$v' })).toBe('Double:3');
    expect(await accumulate([1, 2], { $avg: '$v' })).toBe('Double:1.5');
    expect(await accumulate([Long.fromNumber(2), Long.fromNumber(4)], { $avg: '$v' })).toBe('Double:3');
    expect(await accumulate([Decimal128.fromString('1'), Decimal128.fromString('2')], { $avg: '$v' })).toBe(
      'Decimal128:1.5',
    );
    expect(await accumulate(['a'], { $avg: '$v' })).toBe('null');
  });
});

describe('arithmetic expressions', () => {
  it('$add, $subtract and $multiply keep integer types and widen on overflow', async () => {
    expect(await evaluate({ $add: [1, Long.fromNumber(2)] })).toBe('Long:3');
    expect(await evaluate({ $add: [2147483647, 1] })).toBe('Long:2147483648');
    expect(await evaluate({ $add: [1, 2] })).toBe('Int32:3');
    expect(await evaluate({ $add: [new Double(1), 2] })).toBe('Double:3');
    expect(await evaluate({ $subtract: [Long.fromNumber(5), 2] })).toBe('Long:3');
    expect(await evaluate({ $multiply: [Decimal128.fromString('1.5'), 2] })).toBe('Decimal128:3.0');
    expect(await evaluate({ $multiply: [65536, 65536] })).toBe('Long:4294967296');
  });

  it('$divide is a double unless a decimal divides', async () => {
    expect(await evaluate({ $divide: [4, 2] })).toBe('Double:2');
    expect(await evaluate({ $divide: [Long.fromNumber(9), 2] })).toBe('Double:4.5');
    expect(await evaluate({ $divide: [Decimal128.fromString('1'), 4] })).toBe('Decimal128:0.25');
    const e = await serverError(evaluate({ $divide: [Long.fromNumber(1), 0] }));
    // Read with promoteValues: false, the error's code is an Int32 too.
    expect(Number(e.code)).toBe(2);
  });

  it('$abs keeps the type', async () => {
    expect(await evaluate({ $abs: Long.fromNumber(-5) })).toBe('Long:5');
    expect(await evaluate({ $abs: Decimal128.fromString('-1.5') })).toBe('Decimal128:1.5');
    expect(await evaluate({ $abs: -2 })).toBe('Int32:2');
  });

  it('$toInt, $toLong, $toDouble and $toDecimal give the type they name', async () => {
    expect(await evaluate({ $toLong: '5' })).toBe('Long:5');
    expect(await evaluate({ $toLong: 5 })).toBe('Long:5');
    expect(await evaluate({ $toInt: new Double(5.9) })).toBe('Int32:5');
    expect(await evaluate({ $toDouble: Long.fromNumber(5) })).toBe('Double:5');
    expect(await evaluate({ $toDecimal: new Int32(5) })).toBe('Decimal128:5');
    expect(await evaluate({ $toDecimal: 2.5 })).toBe('Decimal128:2.50000000000000');
    const e = await serverError(evaluate({ $toInt: Long.fromString('4294967296') }));
    expect(Number(e.code)).toBe(241);
  });
});

describe('comparisons in aggregation', () => {
  it('$min and $max accumulators and $expr comparisons order numbers by value across types', async () => {
    const xs = [Long.fromString('9007199254740993'), new Double(3), Decimal128.fromString('2.5'), 7];
    expect(await accumulate(xs, { $min: '$v' })).toBe('Decimal128:2.5');
    expect(await accumulate(xs, { $max: '$v' })).toBe('Long:9007199254740993');
    const c = db.collection('acc');
    const big = await c.countDocuments({ $expr: { $gt: ['$v', 9007199254740992] } });
    expect(big).toBe(1);
    const three = await c.countDocuments({ $expr: { $eq: ['$v', Long.fromNumber(3)] } });
    expect(three).toBe(1);
  });
});

/**
 * Numeric types as MongoDB 7.0 keeps them, through the bare driver: what a client
 * stores comes back with the same BSON type (read with `promoteValues: false`);
 * matching, sorting and grouping compare numbers by value across types; `$inc`,
 * `$mul`, `$min`, `$max`, `$sum`, `$avg` and arithmetic expressions give mongod's
 * result types and errors. Holds on the embedded server and a real MongoDB.
 */
import { Decimal128, Double, Int32, Long, type Db, type Document, type MongoClient } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { serverError } from './session-helpers.ts';
import { type Target, withTargetDb } from './target.ts';

let db: Db;
let target: Target;

withTargetDb('numeric', (opened) => {
  ({ db, target } = opened);
});

const RAW = { promoteValues: false } as const;

/** The BSON type name of a value read with promoteValues: false. */
const typeOf = (v: unknown): string => (v as { _bsontype?: string })._bsontype ?? typeof v;

async function raw(name: string, id: unknown): Promise<Document> {
  return (await db.collection(name).findOne({ _id: id as never }, RAW))!;
}

async function stored(value: unknown): Promise<unknown> {
  const c = db.collection('values');
  await c.insertOne({ _id: 1 as never, v: value });
  return (await raw('values', 1)).v;
}

describe('type preservation', () => {
  it('keeps int32, int64, double and decimal through insert and find', async () => {
    expect(typeOf(await stored(new Double(2)))).toBe('Double');
    await db.collection('values').deleteMany({});
    expect(typeOf(await stored(Long.fromNumber(5)))).toBe('Long');
    await db.collection('values').deleteMany({});
    expect(typeOf(await stored(new Int32(5)))).toBe('Int32');
    await db.collection('values').deleteMany({});
    const d = await stored(Decimal128.fromString('1.50'));
    expect(typeOf(d)).toBe('Decimal128');
    expect(String(d)).toBe('1.50');
  });

  it('keeps a Long past 2^53 exactly, and an integral double in a nested array', async () => {
    const c = db.collection('values');
    await c.insertOne({
      _id: 2 as never,
      big: Long.fromString('9007199254740993'),
      list: [new Double(1), { x: Long.fromNumber(2) }],
    });
    const doc = await raw('values', 2);
    expect(String(doc.big)).toBe('9007199254740993');
    expect(typeOf(doc.list[0])).toBe('Double');
    expect(typeOf(doc.list[1].x)).toBe('Long');
  });

  it('keeps types through replace, $set, aggregate and findOneAndUpdate', async () => {
    const c = db.collection('values');
    await c.insertOne({ _id: 3 as never, a: 1 });
    await c.replaceOne({ _id: 3 as never }, { a: new Double(4), b: Long.fromNumber(6) });
    await c.updateOne({ _id: 3 as never }, { $set: { c: Decimal128.fromString('7') } });
    const [agg] = await c.aggregate([{ $match: { _id: 3 } }], RAW).toArray();
    expect([typeOf(agg.a), typeOf(agg.b), typeOf(agg.c)]).toEqual(['Double', 'Long', 'Decimal128']);
    const after = await c.findOneAndUpdate(
      { _id: 3 as never },
      { $set: { d: 1 } },
      { returnDocument: 'after', ...RAW },
    );
    expect(typeOf(after!.a)).toBe('Double');
  });

  it('keeps types inside a transaction', async () => {
    const c = db.collection('values');
    await c.insertOne({ _id: 4 as never, n: 0 });
    const client = (db as unknown as { client: MongoClient }).client;
    const session = client.startSession();
    try {
      await session.withTransaction(async () => {
        await c.updateOne({ _id: 4 as never }, { $set: { n: Long.fromNumber(9) } }, { session });
        await c.updateOne({ _id: 4 as never }, { $inc: { n: 1 } }, { session });
      });
    } finally {
      await session.endSession();
    }
    const n = (await raw('values', 4)).n;
    expect(typeOf(n)).toBe('Long');
    expect(String(n)).toBe('10');
  });
});

describe('comparison by value across types', () => {
  const seed = async () => {
    await db.collection('nums').insertMany([
      { _id: 'int' as never, n: 5 },
      { _id: 'long' as never, n: Long.fromNumber(5) },
      { _id: 'double' as never, n: new Double(5) },
      { _id: 'decimal' as never, n: Decimal128.fromString('5') },
      { _id: 'half' as never, n: 5.5 },
      { _id: 'big' as never, n: Long.fromString('9007199254740993') },
      { _id: 'tenth' as never, n: Decimal128.fromString('0.1') },
    ]);
  };
  const ids = async (filter: Document) =>
    (await db.collection('nums').find(filter).sort({ _id: 1 }).toArray()).map((d) => d._id);

  it('an equality on any numeric type matches every type of equal value', async () => {
    await seed();
    const five = ['decimal', 'double', 'int', 'long'];
    expect(await ids({ n: 5 })).toEqual(five);
    expect(await ids({ n: Long.fromNumber(5) })).toEqual(five);
    expect(await ids({ n: new Double(5) })).toEqual(five);
    expect(await ids({ n: Decimal128.fromString('5.0') })).toEqual(five);
    expect(await ids({ n: { $in: [Long.fromNumber(5)] } })).toEqual(five);
    expect(await ids({ n: Long.fromString('9007199254740993') })).toEqual(['big']);
    // The double 0.1 is not the decimal 0.1.
    expect(await ids({ n: 0.1 })).toEqual([]);
    expect(await ids({ n: Decimal128.fromString('0.10') })).toEqual(['tenth']);
  });

  it('ranges compare across types', async () => {
    await seed();
    expect(await ids({ n: { $gt: Long.fromNumber(5) } })).toEqual(['big', 'half']);
    expect(await ids({ n: { $lt: 5 } })).toEqual(['tenth']);
    expect(await ids({ n: { $gte: Decimal128.fromString('5.5'), $lt: 6 } })).toEqual(['half']);
  });

  it('sorts numbers of every type by value', async () => {
    await seed();
    const some: Document = { _id: { $in: ['tenth', 'half', 'big', 'int'] } };
    const order = await db.collection('nums').find(some).sort({ n: -1 }).toArray();
    expect(order.map((d) => d._id)).toEqual(['big', 'half', 'int', 'tenth']);
    const piped = await db
      .collection('nums')
      .aggregate([{ $match: some }, { $sort: { n: 1 } }])
      .toArray();
    expect(piped.map((d) => d._id)).toEqual(['tenth', 'int', 'half', 'big']);
  });

  it('groups equal values of different types under one key, and distinct gives one of them', async () => {
    await seed();
    const groups = await db
      .collection('nums')
      .aggregate([
        { $match: { _id: { $in: ['int', 'long', 'double', 'decimal'] } } },
        { $group: { _id: '$n', c: { $sum: 1 } } },
      ])
      .toArray();
    expect(groups.map((g) => g.c)).toEqual([4]);
    const fives: Document = { _id: { $in: ['int', 'long', 'double', 'decimal'] } };
    const distinct = await db.collection('nums').distinct('n', fives);
    expect(distinct).toHaveLength(1);
  });

  it('$type tells the numeric types apart, and "number" takes them all', async () => {
    await seed();
    expect(await ids({ n: { $type: 'int' } })).toEqual(['int']);
    expect(await ids({ n: { $type: 'long' } })).toEqual(['big', 'long']);
    expect(await ids({ n: { $type: 'double' } })).toEqual(['double', 'half']);
    expect(await ids({ n: { $type: 'decimal' } })).toEqual(['decimal', 'tenth']);
    expect(await ids({ n: { $type: 'number' } })).toHaveLength(7);
    const [t] = await db
      .collection('nums')
      .aggregate([{ $match: { _id: 'double' } }, { $project: { t: { $type: '$n' } } }])
      .toArray();
    expect(t.t).toBe('double');
  });

  it('a unique index sees 5 and Long 5 as the same key', async () => {
    const c = db.collection('uniq');
    await c.createIndex({ n: 1 }, { unique: true });
    await c.insertOne({ n: 5 });
    const e = await serverError(c.insertOne({ n: Long.fromNumber(5) }));
    expect(e.code).toBe(11000);
    // The double 0.1 and the decimal 0.1 are different values; 2^60 is one value in every type.
    await c.insertOne({ n: 0.1 });
    await c.insertOne({ n: Decimal128.fromString('0.1') });
    await c.insertOne({ n: 2 ** 60 });
    for (const same of [Long.fromString('1152921504606846976'), Decimal128.fromString('1152921504606846976')])
      expect((await serverError(c.insertOne({ n: same }))).code).toBe(11000);
    expect(await c.countDocuments({ n: Long.fromString('1152921504606846976') })).toBe(1);
  });
});

describe('command options', () => {
  it('takes a limit, skip or batchSize sent as int64 or double (as drivers in other languages do)', async () => {
    await db.collection('opts').insertMany([{ a: 1 }, { a: 2 }, { a: 3 }]);
    const r = await db.command({
      find: 'opts',
      filter: {},
      skip: Long.fromNumber(1),
      limit: new Double(2),
      batchSize: Long.fromNumber(5),
    });
    expect(r.cursor.firstBatch.map((d: Document) => d.a)).toEqual([2, 3]);
    const n = await db.command({ count: 'opts', query: {}, limit: Long.fromNumber(2) });
    expect(n.n).toBe(2);
  });
});

describe('update operators', () => {
  async function after(start: unknown, update: Document): Promise<unknown> {
    const c = db.collection('upd');
    await c.deleteMany({});
    await c.insertOne({ _id: 1 as never, ...(start === undefined ? {} : { v: start }) });
    await c.updateOne({ _id: 1 as never }, update);
    return (await raw('upd', 1)).v;
  }
  const show = (v: unknown) => `${typeOf(v)}:${String(v)}`;

  it('$inc keeps int32, promotes to int64 on overflow, keeps int64 exact and doubles double', async () => {
    expect(show(await after(1, { $inc: { v: 1 } }))).toBe('Int32:2');
    expect(show(await after(2147483647, { $inc: { v: 1 } }))).toBe('Long:2147483648');
    expect(show(await after(Long.fromString('9007199254740993'), { $inc: { v: 2 } }))).toBe(
      'Long:9007199254740995',
    );
    expect(show(await after(Long.fromNumber(5), { $inc: { v: new Int32(1) } }))).toBe('Long:6');
    expect(show(await after(new Double(2), { $inc: { v: 1 } }))).toBe('Double:3');
    expect(show(await after(1, { $inc: { v: 0.5 } }))).toBe('Double:1.5');
    expect(show(await after(undefined, { $inc: { v: Long.fromNumber(3) } }))).toBe('Long:3');
  });

  it('$inc on a Decimal128 is exact decimal arithmetic', async () => {
    expect(
      show(await after(Decimal128.fromString('0.1'), { $inc: { v: Decimal128.fromString('0.2') } })),
    ).toBe('Decimal128:0.3');
    expect(show(await after(Decimal128.fromString('1.50'), { $inc: { v: 1 } }))).toBe('Decimal128:2.50');
    expect(show(await after(5, { $inc: { v: Decimal128.fromString('0.25') } }))).toBe('Decimal128:5.25');
  });

  it('$mul follows the same types; a missing field becomes 0 of the multiplier type', async () => {
    expect(show(await after(3, { $mul: { v: 2 } }))).toBe('Int32:6');
    expect(show(await after(65536, { $mul: { v: 65536 } }))).toBe('Long:4294967296');
    expect(show(await after(Long.fromNumber(3), { $mul: { v: 2 } }))).toBe('Long:6');
    expect(show(await after(3, { $mul: { v: new Double(2) } }))).toBe('Double:6');
    expect(show(await after(undefined, { $mul: { v: Long.fromNumber(7) } }))).toBe('Long:0');
    // An int32 0 times a negative double is the double -0: a change, though equal in value.
    expect(show(await after(0, { $mul: { v: -2.5 } }))).toBe('Double:0');
    expect(show(await after(Decimal128.fromString('1.5'), { $mul: { v: Decimal128.fromString('2') } }))).toBe(
      'Decimal128:3.0',
    );
  });

  it('$min and $max compare by value and store the operand with its type', async () => {
    expect(show(await after(5, { $min: { v: Long.fromNumber(3) } }))).toBe('Long:3');
    expect(show(await after(5, { $min: { v: Long.fromNumber(5) } }))).toBe('Int32:5');
    expect(show(await after(Long.fromNumber(5), { $max: { v: new Double(6) } }))).toBe('Double:6');
    expect(show(await after(Decimal128.fromString('2.5'), { $max: { v: 2 } }))).toBe('Decimal128:2.5');
  });

  it('int64 overflow is BadValue, a non-numeric field or operand is TypeMismatch', async () => {
    const c = db.collection('upd');
    await c.insertOne({ _id: 9 as never, v: Long.MAX_VALUE, s: 'x' });
    const over = await serverError(c.updateOne({ _id: 9 as never }, { $inc: { v: 1 } }));
    expect(over.code).toBe(2);
    expect(over.message).toBe(
      'Failed to apply $inc operations to current value ((NumberLong)9223372036854775807) for document {_id: 9}',
    );
    const text = await serverError(c.updateOne({ _id: 9 as never }, { $inc: { s: 1 } }));
    expect(text.code).toBe(14);
    expect(text.message).toBe(
      "Cannot apply $inc to a value of non-numeric type. {_id: 9} has the field 's' of non-numeric type string",
    );
    const arg = await serverError(c.updateOne({ _id: 9 as never }, { $inc: { v: 'a' } } as Document));
    expect(arg.code).toBe(14);
    expect(arg.message).toBe('Cannot increment with non-numeric argument: {v: "a"}');
    const mulArg = await serverError(c.updateOne({ _id: 9 as never }, { $mul: { v: 'a' } } as Document));
    expect(mulArg.message).toBe('Cannot multiply with non-numeric argument: {v: "a"}');
    // Nothing changed.
    expect(String((await raw('upd', 9)).v)).toBe('9223372036854775807');
  });

  it('$bit on an int32 works; on an int64 it is refused here rather than computed inexactly', async () => {
    const c = db.collection('upd');
    await c.insertOne({ _id: 12 as never, i: 6, l: Long.fromNumber(6) });
    await c.updateOne({ _id: 12 as never }, { $bit: { i: { and: 3 } } });
    expect((await raw('upd', 12)).i).toEqual(new Int32(2));
    if (target.external) return; // mongod computes it exactly
    const e = await serverError(c.updateOne({ _id: 12 as never }, { $bit: { l: { and: 3 } } }));
    expect(e.code).toBe(2);
  });

  it('$inc through a positional path and in an upsert keeps the type', async () => {
    const c = db.collection('upd');
    await c.insertOne({
      _id: 10 as never,
      a: [
        { k: 1, n: Long.fromNumber(1) },
        { k: 2, n: new Double(1) },
      ],
    });
    await c.updateOne({ _id: 10 as never, 'a.k': 2 }, { $inc: { 'a.$.n': 1 } });
    await c.updateOne({ _id: 10 as never }, { $inc: { 'a.$[].n': Long.fromNumber(1) } });
    const doc = await raw('upd', 10);
    expect(doc.a.map((e: Document) => show(e.n))).toEqual(['Long:2', 'Double:3']);
    await c.updateOne({ _id: 11 as never }, { $inc: { n: Long.fromNumber(4) } }, { upsert: true });
    expect(show((await raw('upd', 11)).n)).toBe('Long:4');
  });
});

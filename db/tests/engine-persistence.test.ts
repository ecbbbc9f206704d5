/**
 * Engine persistence: journal + snapshot recovery, torn tails, compaction.
 * (The kill -9 test through the wire lives elsewhere.)
 */
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ObjectId, type Document } from 'bson';
import { createEngine, type Engine } from '../embedded/engine/index.ts';

const ctx = { connectionId: 1 };
let dir: string;
let engine: Engine;
const run = (cmd: Document, db = 'p') => engine.run(db, cmd, ctx);
const all = async (coll: string, db = 'p') =>
  (await engine.run(db, { find: coll, filter: {}, sort: { _id: 1 }, batchSize: 100000 }, ctx)).cursor
    .firstBatch as Document[];
const journals = () => fs.readdirSync(dir).filter((f) => f.startsWith('journal-'));

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-p-'));
});
afterEach(async () => {
  await engine?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function reopen(opts: Document = {}) {
  await engine.close();
  engine = await createEngine({ dataDir: dir, ...opts });
}

describe('persistence', () => {
  it('documents, updates, deletes, indexes and drops survive a restart', async () => {
    engine = await createEngine({ dataDir: dir });
    const oid = new ObjectId();
    await run({
      insert: 'a',
      documents: [
        { _id: 1, v: 1, d: new Date(7), o: oid },
        { _id: 2, v: 2 },
        { _id: 3, v: 3 },
      ],
    });
    await run({ update: 'a', updates: [{ q: { _id: 1 }, u: { $inc: { v: 10 } } }] });
    await run({ delete: 'a', deletes: [{ q: { _id: 2 }, limit: 1 }] });
    await run({
      createIndexes: 'a',
      indexes: [
        { key: { v: 1 }, name: 'v_1', unique: true },
        { key: { w: 1 }, name: 'w_1' },
      ],
    });
    await run({ dropIndexes: 'a', index: 'w_1' });
    await run({ insert: 'gone', documents: [{ x: 1 }] });
    await run({ drop: 'gone' });
    await run({ insert: 'x', documents: [{ x: 1 }] }, 'otherdb');
    await run({ dropDatabase: 1 }, 'otherdb');
    await run({ create: 'empty', validator: {} });
    await reopen();
    expect(await all('a')).toEqual([
      { _id: 1, v: 11, d: new Date(7), o: oid },
      { _id: 3, v: 3 },
    ]);
    const idx = (await run({ listIndexes: 'a' })).cursor.firstBatch.map((i: Document) => i.name);
    expect(idx).toEqual(['_id_', 'v_1']);
    expect((await run({ insert: 'a', documents: [{ v: 3 }] })).writeErrors[0].code).toBe(11000);
    const names = (await run({ listCollections: 1, nameOnly: true })).cursor.firstBatch
      .map((c: Document) => c.name)
      .sort();
    expect(names).toEqual(['a', 'empty']);
    expect((await run({ listDatabases: 1, nameOnly: true }, 'admin')).databases).toEqual([{ name: 'p' }]);
    // Start-up did not rewrite anything: the snapshot, and the journal appended to.
    expect(fs.existsSync(path.join(dir, 'snapshot.bin'))).toBe(true);
    expect(journals()).toHaveLength(1);
    // Twice, to go through the snapshot-only path.
    await run({ insert: 'a', documents: [{ _id: 4, v: 4 }] });
    await reopen();
    await reopen();
    expect((await all('a')).map((d) => d._id)).toEqual([1, 3, 4]);
  });

  it('a torn (truncated) tail is discarded and earlier records recover', async () => {
    engine = await createEngine({ dataDir: dir });
    for (let i = 0; i < 5; i++) await run({ insert: 'a', documents: [{ _id: i, pad: 'x'.repeat(100) }] });
    await engine.close();
    const [j] = journals();
    const p = path.join(dir, j);
    const size = fs.statSync(p).size;
    fs.truncateSync(p, size - 30); // crash in the middle of the last record
    engine = await createEngine({ dataDir: dir });
    expect((await all('a')).map((d) => d._id)).toEqual([0, 1, 2, 3]);
    expect(engine.recovery!.journalRecords).toBe(5); // create-collection + 4 inserts
    expect(engine.recovery!.truncatedBytes).toBeGreaterThan(0);
    // New writes after recovery are durable too.
    await run({ insert: 'a', documents: [{ _id: 9 }] });
    await reopen();
    expect((await all('a')).map((d) => d._id)).toEqual([0, 1, 2, 3, 9]);
  });

  it('start-up answers without rewriting the snapshot; a torn tail is never appended to and is compacted away', async () => {
    engine = await createEngine({ dataDir: dir });
    for (let i = 0; i < 5; i++) await run({ insert: 'a', documents: [{ _id: i, pad: 'x'.repeat(100) }] });
    await engine.close();
    const snap = path.join(dir, 'snapshot.bin');
    const before = fs.statSync(snap);
    engine = await createEngine({ dataDir: dir });
    expect(engine.recovery!.journalRecords).toBe(6);
    expect(fs.statSync(snap).mtimeMs).toBe(before.mtimeMs);
    expect(fs.statSync(snap).size).toBe(before.size);
    await engine.close();
    const [j] = journals();
    fs.truncateSync(path.join(dir, j), fs.statSync(path.join(dir, j)).size - 10);
    engine = await createEngine({ dataDir: dir });
    expect(journals()).toHaveLength(2); // new writes go to a new generation
    await run({ insert: 'a', documents: [{ _id: 9 }] });
    await engine.compact();
    expect(journals()).toHaveLength(1);
    expect(fs.statSync(snap).size).toBeGreaterThan(before.size);
    await reopen();
    expect(engine.recovery!.truncatedBytes).toBe(0);
    expect((await all('a')).map((d) => d._id)).toEqual([0, 1, 2, 3, 9]);
  });

  it('a corrupt record (bad checksum) ends replay; garbage after the header is ignored', async () => {
    engine = await createEngine({ dataDir: dir });
    await run({ insert: 'a', documents: [{ _id: 1 }] });
    await run({ insert: 'a', documents: [{ _id: 2, s: 'hello' }] });
    await engine.close();
    const p = path.join(dir, journals()[0]);
    const buf = fs.readFileSync(p);
    buf[buf.length - 3] ^= 0xff; // flip a byte inside the last record
    fs.writeFileSync(p, Buffer.concat([buf, Buffer.from([1, 2, 3])]));
    engine = await createEngine({ dataDir: dir });
    expect((await all('a')).map((d) => d._id)).toEqual([1]);
  });

  it('concurrent writers share fsyncs and all are durable', async () => {
    engine = await createEngine({ dataDir: dir });
    await Promise.all(Array.from({ length: 50 }, (_, i) => run({ insert: 'c', documents: [{ _id: i }] })));
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        run({ update: 'c', updates: [{ q: { _id: i }, u: { $set: { v: i * 2 } } }] }),
      ),
    );
    await reopen();
    const docs = await all('c');
    expect(docs).toHaveLength(50);
    expect(docs.every((d) => d.v === d._id * 2)).toBe(true);
  });

  it('background compaction rotates the journal while writes continue', async () => {
    engine = await createEngine({ dataDir: dir, compactMinBytes: 20_000 });
    const writes: Promise<Document>[] = [];
    for (let i = 0; i < 300; i++)
      writes.push(run({ insert: 'c', documents: [{ _id: i, pad: 'y'.repeat(200) }] }));
    await Promise.all(writes);
    await run({ delete: 'c', deletes: [{ q: { _id: { $lt: 100 } }, limit: 0 }] });
    await engine.compact();
    await run({ update: 'c', updates: [{ q: { _id: 150 }, u: { $set: { last: true } } }] });
    await reopen();
    const docs = await all('c');
    expect(docs).toHaveLength(200);
    expect(docs[0]._id).toBe(100);
    expect(docs.find((d) => d._id === 150)!.last).toBe(true);
  });

  it('without dataDir nothing is written', async () => {
    engine = await createEngine({});
    await run({ insert: 'a', documents: [{ x: 1 }] });
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});

describe('recovery decoder', () => {
  it('decoder and fast copy give exactly what a BSON round trip gives (property test)', async () => {
    const fc = (await import('fast-check')).default;
    const { BSON, Long, Decimal128 } = await import('bson');
    const { decodeStored } = await import('../embedded/engine/decode.ts');
    const { toStored, copyDoc } = await import('../embedded/engine/bsonutil.ts');
    const leaf = fc.oneof(
      fc.string(),
      fc.string({ unit: 'grapheme' }),
      fc.double(),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.date({ noInvalidDate: true }),
      fc.uint8Array({ minLength: 12, maxLength: 12 }).map((b) => new ObjectId(b)),
      fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((n) => Long.fromBigInt(n)),
    );
    const key = fc
      .string({ minLength: 1, maxLength: 8 })
      .filter((k) => !k.includes('\0') && !k.startsWith('$') && k !== '__proto__');
    const { value } = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        leaf,
        fc.array(tie('value'), { maxLength: 4 }),
        fc.dictionary(key, tie('value'), { maxKeys: 4 }),
      ),
    }));
    fc.assert(
      fc.property(fc.dictionary(key, value, { maxKeys: 6 }), (doc) => {
        const bytes = BSON.serialize(doc);
        const expected = BSON.deserialize(bytes);
        const got = decodeStored(bytes);
        expect(got).not.toBeNull();
        expect(got).toEqual(expected);
        expect(toStored(bytes)).toEqual(expected);
        expect(copyDoc(doc)).toEqual(expected);
        expect(copyDoc(doc, true)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
    const { BSON: B } = await import('bson');
    const withUndef = { a: [1, undefined, 3], b: undefined, c: { d: undefined, e: 1 } };
    expect(copyDoc(withUndef)).toEqual(B.deserialize(B.serialize(withUndef)));
    expect(Object.keys(copyDoc(withUndef))).toEqual(['a', 'c']);
    // Types it leaves to bson fall back, with the same result.
    const odd = BSON.serialize({ d: Decimal128.fromString('1.5'), r: /x/i, b: new Uint8Array([1, 2]) });
    expect(decodeStored(odd)).toBeNull();
    expect(toStored(odd)).toEqual(BSON.deserialize(odd));
  });
});

/**
 * Engine persistence: journal + snapshot recovery, torn tails, compaction.
 * (The kill -9 test through the wire lives elsewhere.)
 */
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BSON, ObjectId, type Document } from 'bson';
import { createEngine, type Engine } from '../src/engine/index.ts';

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
  it('numbers keep their BSON type through the journal and a restart', async () => {
    engine = await createEngine({ dataDir: dir });
    const { Decimal128, Double, Long } = await import('bson');
    await run({
      insert: 'n',
      documents: [
        { _id: 1, l: Long.fromNumber(5), d: new Double(2), m: Decimal128.fromString('1.50'), i: 7, f: 2.5 },
      ],
    });
    await run({
      update: 'n',
      updates: [{ q: { _id: 1 }, u: { $inc: { l: 1, m: Decimal128.fromString('1') } } }],
    });
    const types = (d: Document) =>
      ['l', 'd', 'm', 'i', 'f'].map(
        (k) => `${(d[k] as { _bsontype?: string })._bsontype ?? typeof d[k]}:${String(d[k])}`,
      );
    const want = ['Long:6', 'Double:2', 'Decimal128:2.50', 'number:7', 'number:2.5'];
    expect(types((await all('n'))[0])).toEqual(want);
    await reopen();
    expect(types((await all('n'))[0])).toEqual(want);
    await reopen();
    expect(types((await all('n'))[0])).toEqual(want);
  });

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

  it('$out (built aside, renamed over the target) and $merge survive a restart', async () => {
    engine = await createEngine({ dataDir: dir });
    await run({
      insert: 's',
      documents: [
        { _id: 1, v: 1 },
        { _id: 2, v: 2 },
      ],
    });
    await run({ insert: 't', documents: [{ _id: 9, old: true }] });
    await run({ createIndexes: 't', indexes: [{ key: { v: 1 }, name: 'v_1' }] });
    const r = await run({ aggregate: 's', pipeline: [{ $set: { w: 1 } }, { $out: 't' }], cursor: {} });
    expect(r.ok).toBe(1);
    await run({ aggregate: 's', pipeline: [{ $set: { m: 1 } }, { $merge: 'u' }], cursor: {} });
    await reopen();
    expect(await all('t')).toEqual([
      { _id: 1, v: 1, w: 1 },
      { _id: 2, v: 2, w: 1 },
    ]);
    expect(await all('u')).toEqual([
      { _id: 1, v: 1, m: 1 },
      { _id: 2, v: 2, m: 1 },
    ]);
    const idx = (await run({ listIndexes: 't' })).cursor.firstBatch.map((i: Document) => i.name);
    expect(idx).toEqual(['_id_', 'v_1']);
    const names = (await run({ listCollections: 1, nameOnly: true })).cursor.firstBatch
      .map((c: Document) => c.name)
      .sort();
    expect(names).toEqual(['s', 't', 'u']);
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
    // The first insert's group (begin, create-collection, insert, end), then 3 single inserts.
    expect(engine.recovery!.journalRecords).toBe(7);
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
    expect(engine.recovery!.journalRecords).toBe(8);
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

  it('an insert of wire documents is journaled as their own bytes, one record per run inserted; replay puts _id first', async () => {
    const { RAW_DOCUMENTS } = await import('../src/contract.ts');
    const { decodeAll } = await import('../src/engine/journal.ts');
    // As a driver sends them: generated `_id` last, back to back in one document sequence.
    const sent: Document[] = [
      { a: 1, s: 'Nguyễn', _id: new ObjectId() },
      { a: 2, _id: 'dup' },
      { a: 3, _id: 'dup' }, // rejected: a gap in the run
      { a: 4, d: new Date(9), _id: 'c' },
      { a: 5 }, // no _id: the generic path (one is generated)
      { a: 6, r: /x/i, _id: 'e' }, // a type the decoder leaves to bson: the generic path
      { a: 7, n: [1, { b: null }], _id: 'f' },
    ];
    const bytes = sent.map((d) => Buffer.from(BSON.serialize(d)));
    const message = Buffer.concat(bytes);
    let at = 0;
    const raw = bytes.map((b) => message.subarray(at, (at += b.length)));
    const documents = new Array<undefined>(sent.length);
    Object.defineProperty(documents, RAW_DOCUMENTS, { value: raw });
    engine = await createEngine({ dataDir: dir });
    const reply = await run({ insert: 'w', documents, ordered: false });
    expect(reply.n).toBe(6);
    expect(reply.writeErrors.map((e: Document) => [e.index, e.code])).toEqual([[2, 11000]]);
    await engine.close();

    // One group (9 … 10): create, one PUT_MANY for documents 0-1, one for 3, PUTs for 4
    // and 5, one PUT_MANY for 6.
    const ops: number[] = [];
    decodeAll(fs.readFileSync(path.join(dir, journals()[0])), 12, (r) => ops.push(r.op));
    expect(ops).toEqual([9, 3, 8, 8, 1, 1, 8, 10]);

    engine = await createEngine({ dataDir: dir });
    const back = (await run({ find: 'w', filter: {}, batchSize: 100 })).cursor.firstBatch as Document[];
    expect(back.map((d) => d.a)).toEqual([1, 2, 4, 5, 6, 7]);
    for (const d of back) expect(Object.keys(d)[0]).toBe('_id');
    expect(back[0]).toEqual(sent[0]);
    expect(back[4]).toEqual(sent[5]);
    expect(back[5]).toEqual(sent[6]);

    // A crash before the group's end (the command was never acknowledged) loses all of it.
    await engine.close();
    const p = path.join(dir, journals()[0]);
    fs.truncateSync(p, fs.statSync(p).size - 5);
    engine = await createEngine({ dataDir: dir });
    expect(await all('w')).toEqual([]);
    expect(engine.recovery!.droppedGroups).toBe(1);
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
  it('decoder and fast copy give exactly what a typed BSON round trip gives (property test)', async () => {
    const fc = (await import('fast-check')).default;
    const { BSON, Long, Decimal128, Double } = await import('bson');
    const { decodeStored } = await import('../src/engine/decode.ts');
    const { toStored, copyDoc, deserialize } = await import('../src/engine/clone.ts');
    const leaf = fc.oneof(
      fc.string(),
      fc.string({ unit: 'grapheme' }),
      fc.double(),
      fc.integer(),
      fc.integer().map((n) => new Double(n)),
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
        // Numbers keep their BSON type (bson-numbers.ts): an int64 stays a Long.
        const expected = deserialize(bytes);
        const got = decodeStored(bytes);
        expect(got).not.toBeNull();
        expect(got).toEqual(expected);
        expect(toStored(bytes)).toEqual(expected);
        expect(copyDoc(doc)).toEqual(expected);
        expect(copyDoc(doc, true)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
    // A stored document has `_id` first wherever the bytes had it (literal factories
    // from five keys up, field by field below that).
    for (let n = 1; n <= 8; n++) {
      for (let at = 0; at < n; at++) {
        const keys = Array.from({ length: n }, (_, k) => (k === at ? '_id' : `k${k}`));
        const doc = Object.fromEntries(keys.map((k, v) => [k, v]));
        const bytes = BSON.serialize(doc);
        for (let twice = 0; twice < 2; twice++) {
          const got = decodeStored(bytes)!;
          expect(Object.keys(got)).toEqual(['_id', ...keys.filter((k) => k !== '_id')]);
          expect(got).toEqual(doc);
        }
      }
    }
    // Values remembered per position (several, for array elements that cycle) are only
    // reused for the same bytes: same length and prefix, other accents, more values than slots.
    const long = 'Giấy khen của Ban Chấp hành Đoàn trường về thành tích xuất sắc trong công tác Đoàn';
    const cycle = [
      'Hiến máu',
      'Hiền máu',
      'Hiến mát',
      'Mùa hè xanh',
      'Mùa hè xan',
      'abc',
      'abd',
      'Tiếp sức',
      long,
      long.replace('xuất', 'xuât'),
      long.replace('xuất', 'xuầt'), // same byte length, one byte differs
      'x'.repeat(60),
      'x'.repeat(59) + 'y',
      'x'.repeat(100),
      'x'.repeat(99) + 'y',
      'z'.repeat(2000),
    ];
    for (let n = 0; n < 200; n++) {
      const doc = {
        _id: n,
        items: Array.from({ length: 1 + (n % 5) }, (_, k) => ({
          campaign: cycle[(n * 3 + k) % cycle.length],
          year: `202${(n + k) % 7}`,
          when: new Date(Date.UTC(2025, (n + k) % 12, 1)),
        })),
        name: cycle[n % cycle.length],
      };
      const bytes = BSON.serialize(doc);
      expect(decodeStored(bytes)).toEqual(BSON.deserialize(bytes));
    }
    const odd = { r: /x/, _id: 1 };
    expect(Object.keys(toStored(BSON.serialize(odd)))).toEqual(['_id', 'r']);
    const { BSON: B } = await import('bson');
    const withUndef = { a: [1, undefined, 3], b: undefined, c: { d: undefined, e: 1 } };
    expect(copyDoc(withUndef)).toEqual(B.deserialize(B.serialize(withUndef)));
    expect(Object.keys(copyDoc(withUndef))).toEqual(['a', 'c']);
    // Types it leaves to bson fall back, with the same result.
    const rare = BSON.serialize({ d: Decimal128.fromString('1.5'), r: /x/i, b: new Uint8Array([1, 2]) });
    expect(decodeStored(rare)).toBeNull();
    expect(toStored(rare)).toEqual(BSON.deserialize(rare));
  });
});

/**
 * Operational commands that change a collection's name or options must survive a
 * restart: through the journal, and through a snapshot (compaction).
 */
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Document } from 'bson';
import { createEngine, type Engine } from '../src/engine/index.ts';

const ctx = { connectionId: 1 };
let dir: string;
let engine: Engine;
const run = (cmd: Document, db = 'p') => engine.run(db, cmd, ctx);
const all = async (coll: string, db = 'p') =>
  (await run({ find: coll, filter: {}, sort: { _id: 1 } }, db)).cursor.firstBatch as Document[];
const names = async (db = 'p') =>
  ((await run({ listCollections: 1, nameOnly: true }, db)).cursor.firstBatch as Document[])
    .map((c) => c.name)
    .sort();
const indexNames = async (coll: string, db = 'p') =>
  ((await run({ listIndexes: coll }, db)).cursor.firstBatch as Document[]).map((i) => i.name).sort();

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-ops-'));
});
afterEach(async () => {
  await engine?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function reopen() {
  await engine.close();
  engine = await createEngine({ dataDir: dir });
}

describe.each([
  ['the journal', false],
  ['a snapshot', true],
])('renameCollection is durable through %s', (_label, compact) => {
  it('keeps the new name, the documents, the indexes and the dropped target', async () => {
    engine = await createEngine({ dataDir: dir });
    await run({
      insert: 'a',
      documents: [
        { _id: 1, e: 'x' },
        { _id: 2, e: 'y' },
      ],
    });
    await run({ createIndexes: 'a', indexes: [{ key: { e: 1 }, name: 'e_1', unique: true }] });
    await run({ insert: 'b', documents: [{ _id: 9 }] });
    const r = await run({ renameCollection: 'p.a', to: 'p.b', dropTarget: true }, 'admin');
    expect(r.ok).toBe(1);
    await run({ insert: 'b', documents: [{ _id: 3, e: 'z' }] });
    await run({ renameCollection: 'p.b', to: 'q.c' }, 'admin');
    if (compact) await engine.compact();
    await reopen();
    expect(await names()).toEqual([]);
    expect(await names('q')).toEqual(['c']);
    expect(await all('c', 'q')).toEqual([
      { _id: 1, e: 'x' },
      { _id: 2, e: 'y' },
      { _id: 3, e: 'z' },
    ]);
    expect(await indexNames('c', 'q')).toEqual(['_id_', 'e_1']);
    const dup = await run({ insert: 'c', documents: [{ e: 'x' }] }, 'q');
    expect(dup.writeErrors?.[0]?.code).toBe(11000);
  });
});

describe.each([
  ['the journal', false],
  ['a snapshot', true],
])('collMod is durable through %s', (_label, compact) => {
  it('keeps the TTL change and the validation options', async () => {
    engine = await createEngine({ dataDir: dir });
    await run({ insert: 's', documents: [{ _id: 1, at: new Date(0) }] });
    await run({ createIndexes: 's', indexes: [{ key: { at: 1 }, name: 'at_1', expireAfterSeconds: 3600 }] });
    const r = await run({ collMod: 's', index: { name: 'at_1', expireAfterSeconds: 60 } });
    expect(r).toMatchObject({ expireAfterSeconds_old: 3600, expireAfterSeconds_new: 60, ok: 1 });
    await run({ collMod: 's', validationLevel: 'moderate', validationAction: 'warn' });
    if (compact) await engine.compact();
    await reopen();
    const ix = ((await run({ listIndexes: 's' })).cursor.firstBatch as Document[]).find(
      (i) => i.name === 'at_1',
    );
    expect(ix?.expireAfterSeconds).toBe(60);
    const [info] = (await run({ listCollections: 1, filter: { name: 's' } })).cursor.firstBatch as Document[];
    expect(info.options).toEqual({ validationLevel: 'moderate', validationAction: 'warn' });
    expect(await all('s')).toHaveLength(1);
    const v = await run({ validate: 's' });
    expect(v).toMatchObject({ valid: true, nrecords: 1, keysPerIndex: { _id_: 1, at_1: 1 } });
  });
});

describe('validate', () => {
  it('reports index entries missing for a document (an index out of step with the data)', async () => {
    engine = await createEngine({});
    await run({
      insert: 'v',
      documents: [
        { _id: 1, e: 'a' },
        { _id: 2, e: 'b' },
      ],
    });
    await run({ createIndexes: 'v', indexes: [{ key: { e: 1 }, name: 'e_1' }] });
    expect((await run({ validate: 'v' })).valid).toBe(true);
    // Break the index behind the engine's back.
    engine.store
      .get('p', 'v')!
      .indexes.get('e_1')!
      .maps[0].delete(engine.store.get('p', 'v')!.indexes.get('e_1')!.maps[0].keys().next().value!);
    const r = await run({ validate: 'v' });
    expect(r.valid).toBe(false);
    expect(r.indexDetails.e_1.valid).toBe(false);
    expect(r.errors).toHaveLength(1);
  });
});

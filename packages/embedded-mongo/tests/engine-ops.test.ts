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

/**
 * The snapshot a backup reads (db/backup/snapshot.ts), on an in-memory server: changes
 * committed while it reads are not in it, and a snapshot the server ends (its transaction
 * lifetime) fails the backup with what to do, instead of giving a mixed copy.
 */
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedServer, startEmbeddedServer } from '@dvut/embedded-mongo';
import type { CollectionEntry } from '../backup/format.ts';
import { writeSnapshot } from '../backup/snapshot.ts';
import type { BackupWriter } from '../backup/writer.ts';

let server: EmbeddedServer;
let client: MongoClient;
let root = '';

beforeAll(async () => {
  server = await startEmbeddedServer();
  client = await new MongoClient(server.uri).connect();
  root = await fsp.mkdtemp(path.join(os.tmpdir(), 'dvut-snapshot-'));
});

afterAll(async () => {
  await client?.close();
  await server?.close();
  if (root) await fsp.rm(root, { recursive: true, force: true });
});

/** Collects what writeSnapshot hands the file, and runs `onCollection` as each collection begins. */
function recorder(onCollection: (entry: CollectionEntry) => Promise<void>) {
  const seen = new Map<string, number>();
  let current = '';
  const writer = {
    async beginCollection(entry: CollectionEntry) {
      current = `${entry.db}.${entry.name}`;
      seen.set(current, 0);
      await onCollection(entry);
    },
    async document() {
      seen.set(current, seen.get(current)! + 1);
    },
    async endCollection() {},
  };
  return { seen, writer: writer as unknown as BackupWriter };
}

describe('writeSnapshot', () => {
  it('reads every collection as of one moment while writes go on', async () => {
    const db = client.db('snap');
    for (const name of ['a', 'b', 'c'])
      await db.collection(name).insertMany(Array.from({ length: 10 }, (_, i) => ({ i })));
    // The snapshot is taken at the first read (collection a), as on mongod. From then on,
    // each collection that begins gets a write to itself and to every later one: none may show.
    const { seen, writer } = recorder(async (entry) => {
      if (entry.name === 'a') return;
      for (const name of entry.name === 'b' ? ['b', 'c'] : ['c'])
        await db.collection(name).insertOne({ late: true });
    });
    await writeSnapshot(client, writer);
    expect([...seen]).toEqual([
      ['snap.a', 10],
      ['snap.b', 10],
      ['snap.c', 10],
    ]);
    expect(await db.collection('c').countDocuments()).toBe(12);
  });

  it('fails, saying what to do, when the server ends the snapshot', async () => {
    const admin = client.db('admin');
    const { was } = await admin
      .command({ getParameter: 1, transactionLifetimeLimitSeconds: 1 })
      .then((r) => ({
        was: r.transactionLifetimeLimitSeconds as number,
      }));
    await admin.command({ setParameter: 1, transactionLifetimeLimitSeconds: 1 });
    try {
      await client
        .db('slow')
        .collection('x')
        .insertMany([{ a: 1 }, { a: 2 }]);
      await client
        .db('slow')
        .collection('y')
        .insertMany([{ a: 1 }]);
      let first = true;
      const { writer } = recorder(async () => {
        // The first collection's read has not begun the transaction yet: wait on the second.
        if (first) first = false;
        else await new Promise((r) => setTimeout(r, 3000));
      });
      await expect(writeSnapshot(client, writer)).rejects.toThrow(
        /ended the snapshot.*transactionLifetimeLimitSeconds/,
      );
    } finally {
      await admin.command({ setParameter: 1, transactionLifetimeLimitSeconds: was });
    }
  });
});

/**
 * Crash safety: a child process writes through the real driver and is killed with
 * SIGKILL mid-stream. Every write it saw acknowledged must be there after restart,
 * and a second crash after recovery loses nothing either.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedServer } from '../src/index.ts';
import { spawnLines } from './process-helpers.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'dvut-crash-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

interface Acks {
  singles: number[];
  batches: number[];
}

/** Runs the writer until it has `target` acknowledgements, then kills it hard. */
function writeThenKill(target: number): Promise<Acks> {
  return new Promise((resolve, reject) => {
    const acks: Acks = { singles: [], batches: [] };
    const { child, stderr } = spawnLines(
      join(import.meta.dirname, 'fixtures/crash-writer.ts'),
      [dataDir],
      (line, writer) => {
        const [kind, n] = line.split(' ');
        if (kind === 'ack') acks.singles.push(Number(n));
        if (kind === 'batch') acks.batches.push(Number(n));
        if (acks.singles.length >= target) writer.kill('SIGKILL');
      },
    );
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(acks);
      else reject(new Error(`writer exited with ${code}: ${stderr()}`));
    });
  });
}

async function check(acks: Acks) {
  const server = await startEmbeddedServer({ port: 0, dataDir });
  const client = await new MongoClient(server.uri).connect();
  try {
    const coll = client.db('crash').collection('acks');
    const found = new Set(
      (await coll.find({ i: { $lt: 1_000_000 } }, { projection: { i: 1 } }).toArray()).map((d) => d.i),
    );
    const missing = acks.singles.filter((i) => !found.has(i));
    expect(missing).toEqual([]);
    // An acknowledged single insert was followed by its acknowledged update.
    const updated = await coll.countDocuments({ i: { $in: acks.singles }, updated: true });
    expect(updated).toBe(acks.singles.length);
    for (const batch of acks.batches) {
      expect(await coll.countDocuments({ batch })).toBe(20);
    }
    // The unique index came back with the data.
    const indexes = await coll.listIndexes().toArray();
    expect(indexes.map((i) => i.name)).toContain('i_1');
  } finally {
    await client.close();
    await server.close();
  }
}

describe('crash recovery', () => {
  it('keeps every acknowledged write after kill -9, twice', async () => {
    const first = await writeThenKill(150);
    expect(first.singles.length).toBeGreaterThanOrEqual(150);
    await check(first);
    const second = await writeThenKill(100);
    await check(second);
  }, 120_000);
});

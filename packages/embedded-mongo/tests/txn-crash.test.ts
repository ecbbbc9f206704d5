/**
 * A transaction survives SIGKILL whole or not at all. A child process commits
 * transactions (a batch of documents plus a counter listing the batches) as fast as it
 * can and is killed at a random moment: before a commit, while its journal group is
 * being written, after it. After each restart every acknowledged transaction is there,
 * every batch present is complete, and the counter lists exactly the batches present.
 * `CRASH_ROUNDS` sets the number of kills (default 3; `npm run test:crash` runs 30).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedServer } from '../src/index.ts';
import { spawnLines } from './process-helpers.ts';

const ROUNDS = Number(process.env.CRASH_ROUNDS ?? 3);
const BATCH = 5;
const dataDir = mkdtempSync(join(tmpdir(), 'dvut-txn-crash-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** Runs the writer until `acks` commits are acknowledged, then kills it after a random few ms. */
function commitThenKill(acks: number, delayMs: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const acked: number[] = [];
    let killing = false;
    const { child, stderr } = spawnLines(
      join(import.meta.dirname, 'fixtures/txn-crash-writer.ts'),
      [dataDir],
      (line, writer) => {
        const [kind, n] = line.split(' ');
        if (kind === 'ack') acked.push(Number(n));
        if (!killing && acked.length >= acks) {
          killing = true;
          setTimeout(() => writer.kill('SIGKILL'), delayMs);
        }
      },
    );
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(acked);
      else reject(new Error(`writer exited with ${code}: ${stderr()}`));
    });
  });
}

async function check(acked: number[]) {
  const server = await startEmbeddedServer({ port: 0, dataDir });
  const client = await new MongoClient(server.uri).connect();
  try {
    const db = client.db('crash');
    const perBatch = await db
      .collection('docs')
      .aggregate<{ _id: number; n: number }>([
        { $group: { _id: '$batch', n: { $sum: 1 } } },
        { $sort: { _id: 1 } },
      ])
      .toArray();
    const present = perBatch.map((b) => b._id);
    expect(perBatch.filter((b) => b.n !== BATCH)).toEqual([]);
    expect(acked.filter((i) => !present.includes(i))).toEqual([]);
    const counter = await db.collection('counter').findOne({ _id: 'c' as never });
    expect(counter?.n).toBe(present.length);
    expect([...(counter?.batches as number[])].sort((a, b) => a - b)).toEqual(present);
    return present.length;
  } finally {
    await client.close();
    await server.close();
  }
}

describe('transactions and kill -9', () => {
  it(
    `keeps every transaction whole or absent over ${ROUNDS} kills at random moments`,
    async () => {
      let total = 0;
      for (let round = 0; round < ROUNDS; round++) {
        const acked = await commitThenKill(
          5 + Math.floor(Math.random() * 20),
          Math.floor(Math.random() * 15),
        );
        expect(acked.length).toBeGreaterThanOrEqual(5);
        const present = await check(acked);
        expect(present).toBeGreaterThanOrEqual(total + acked.length);
        total = present;
      }
    },
    60_000 + ROUNDS * 15_000,
  );
});

/**
 * The embedded server in its worker thread (the default): serving, clean close,
 * start-up errors, and a crash of the worker surfacing as an error, not a hang.
 */
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { MongoClient } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { CRASH_FOR_TESTS, startEmbeddedServer } from '../src/index.ts';
import { runFixture as runFixtureIn, tempDirs } from './process-helpers.ts';

const fixture = fileURLToPath(new URL('./fixtures/serve-worker.ts', import.meta.url));
const tempDir = tempDirs('dvut-worker-');

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

const runFixture = (args: string[], signal?: NodeJS.Signals) => runFixtureIn(fixture, args, signal);

describe('embedded server in a worker thread', () => {
  it('serves the driver, counts connections, persists, and closes cleanly', async () => {
    const dataDir = tempDir();
    const server = await startEmbeddedServer({ dataDir });
    expect(server.mode).toBe('worker');
    const client = await new MongoClient(server.uri, { maxPoolSize: 1 }).connect();
    await client
      .db('w')
      .collection('c')
      .insertMany([{ a: 1 }, { a: 2 }]);
    expect(server.connectionCount()).toBeGreaterThan(0);
    const heap = await server.heapUsage();
    expect(heap.heapUsed).toBeGreaterThan(0);
    await client.close();
    await server.close();
    await server.close();
    expect(server.connectionCount()).toBe(0);
    expect(await refused(server.port)).toBe(true);

    const again = await startEmbeddedServer({ dataDir });
    const reader = await new MongoClient(again.uri).connect();
    try {
      expect(await reader.db('w').collection('c').countDocuments()).toBe(2);
    } finally {
      await reader.close();
      await again.close();
    }
  });

  it('runs in memory too (inProcess: false), with unique-index errors as in-process', async () => {
    expect((await startEmbeddedServer().then(async (s) => (await s.close(), s))).mode).toBe('in-process');
    const server = await startEmbeddedServer({ inProcess: false });
    expect(server.mode).toBe('worker');
    const client = await new MongoClient(server.uri).connect();
    try {
      const c = client.db('w').collection('u');
      await c.createIndex({ k: 1 }, { unique: true });
      await c.insertOne({ k: 1 });
      await expect(c.insertOne({ k: 1 })).rejects.toMatchObject({ code: 11000 });
      expect(await c.countDocuments()).toBe(1);
    } finally {
      await client.close();
      await server.close();
    }
  });

  it('journals exactly the documents an insert accepted, around rejected ones', async () => {
    const dataDir = tempDir();
    const server = await startEmbeddedServer({ dataDir });
    const client = await new MongoClient(server.uri).connect();
    const c = client.db('w').collection('holes');
    await c.createIndex({ k: 1 }, { unique: true });
    const docs = Array.from({ length: 40 }, (_, i) => ({
      k: i % 10 === 3 ? 0 : i,
      text: 'Nguyễn '.repeat(i),
    }));
    await expect(c.insertMany(docs, { ordered: false })).rejects.toMatchObject({ code: 11000 });
    await expect(c.insertMany([{ k: 100 }, { k: 1 }, { k: 101 }], { ordered: true })).rejects.toMatchObject({
      code: 11000,
    });
    const expected = await c.find({}, { sort: { k: 1 } }).toArray();
    expect(expected.map((d) => d.k)).toEqual(
      [
        // k = 0 again at 3, 13, 23, 33: rejected; the rest of the unordered insert went in.
        ...docs.map((d) => d.k).filter((_k, i) => i % 10 !== 3),
        100,
      ].sort((a, b) => a - b),
    );
    await client.close();
    await server.close();

    const again = await startEmbeddedServer({ dataDir });
    const reader = await new MongoClient(again.uri).connect();
    try {
      expect(
        await reader
          .db('w')
          .collection('holes')
          .find({}, { sort: { k: 1 } })
          .toArray(),
      ).toEqual(expected);
    } finally {
      await reader.close();
      await again.close();
    }
  });

  it('rejects start-up errors with their code (port in use)', async () => {
    const first = await startEmbeddedServer({ inProcess: false });
    try {
      await expect(startEmbeddedServer({ port: first.port, inProcess: false })).rejects.toMatchObject({
        code: 'EADDRINUSE',
      });
    } finally {
      await first.close();
    }
  });

  it('reports a crash of the worker to onError, and clients fail instead of hanging', async () => {
    let reported: Error | undefined;
    const crashed = new Promise<Error>((resolve) => {
      void startEmbeddedServer({
        inProcess: false,
        onError: (error) => {
          reported = error;
          resolve(error);
        },
      }).then(async (server) => {
        const client = await new MongoClient(server.uri, { serverSelectionTimeoutMS: 1000 }).connect();
        server[CRASH_FOR_TESTS]!();
        const error = await crashed;
        expect(error.message).toMatch(/embedded database worker crashed: crash requested by a test/);
        const started = Date.now();
        await expect(client.db('w').command({ ping: 1 })).rejects.toThrow();
        expect(Date.now() - started).toBeLessThan(5000);
        await client.close();
        // Closing a crashed server is a no-op.
        await server.close();
      });
    });
    await crashed;
    expect(reported).toBeInstanceOf(Error);
  });

  it('without onError, a worker crash ends the process with the error', async () => {
    const { code, stdout, stderr } = await runFixture(['crash']);
    expect(code).not.toBe(0);
    expect(stdout).not.toContain('still alive');
    expect(stderr).toMatch(/embedded database worker crashed/);
  }, 40_000);
});

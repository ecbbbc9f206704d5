import { describe, it, expect } from 'vitest';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import mongoose from 'mongoose';
import type { Document } from 'bson';
import { StandaloneMongoError, connectDatabase, databaseKind } from '../connect.server.ts';
import { type CommandExecutor, startEmbeddedServer } from '@dvut/embedded-mongo';
import { type FakeExecutor, fakeExecutor, handshakeReply } from '@dvut/embedded-mongo/testing';
import { runFixture as runFixtureIn } from '../../packages/embedded-mongo/tests/process-helpers.ts';

/** The fake executor answering the handshake as the primary of a one-member replica set. */
function replicaSetExecutor(): FakeExecutor & CommandExecutor {
  let me = '';
  return Object.assign(fakeExecutor(), {
    replicaSetName: 'rs0',
    listening: (address: string) => void (me = address),
    hello: (body: Document, connectionId: number) => ({
      ...handshakeReply(body, connectionId),
      setName: 'rs0',
      setVersion: 1,
      hosts: [me],
      primary: me,
      me,
      secondary: false,
    }),
  });
}

const fixture = fileURLToPath(new URL('./fixtures/serve-fake.ts', import.meta.url));

/** Runs the fixture; resolves with its exit code and how long it lived after printing "ready". */
const runFixture = (mode: 'signal' | 'close', signal?: NodeJS.Signals) =>
  runFixtureIn(fixture, [mode], signal, 20_000);

describe('process lifecycle', () => {
  it('exits on its own once the driver and the server are closed', async () => {
    const { code, afterReadyMs } = await runFixture('close');
    expect(code).toBe(0);
    expect(afterReadyMs).toBeGreaterThanOrEqual(0);
    expect(afterReadyMs).toBeLessThan(3000);
  }, 30_000);

  it.each(['SIGTERM', 'SIGINT'] as const)(
    'closes and exits promptly on %s',
    async (signal) => {
      const { code, afterReadyMs } = await runFixture('signal', signal);
      expect(code).toBe(0);
      expect(afterReadyMs).toBeLessThan(3000);
    },
    30_000,
  );
});

describe('connectDatabase', () => {
  it('uses the given uri as an external database, once, and closes cleanly', async () => {
    const executor = replicaSetExecutor();
    const server = await startEmbeddedServer({ executor });
    try {
      expect(databaseKind()).toBeNull();
      const first = connectDatabase({ uri: server.uri, dbName: 'things' });
      const second = connectDatabase();
      expect(second).toBe(first);
      const handle = await first;
      expect(handle).toBe(await second);
      expect(handle.kind).toBe('external');
      expect(handle.uri).toBe(server.uri);
      expect(databaseKind()).toBe('external');
      expect(mongoose.get('sanitizeFilter')).toBe(true);
      expect(mongoose.get('strictQuery')).toBe(true);
      expect(await mongoose.connection.db!.command({ ping: 1 })).toEqual({ ok: 1 });
      expect(executor.calls.at(-1)!.dbName).toBe('things');
      await handle.close();
      await handle.close();
      expect(databaseKind()).toBeNull();
      expect(mongoose.connection.readyState).toBe(0);
      // Closed handles are forgotten, so the app (or a test) can connect again.
      const again = await connectDatabase({ uri: server.uri });
      expect(again).not.toBe(handle);
      await again.close();
    } finally {
      await server.close();
    }
  });

  it('refuses a standalone server (no transactions) with what to do, and stays disconnected', async () => {
    const server = await startEmbeddedServer({ executor: fakeExecutor() });
    try {
      const error = await connectDatabase({ uri: server.uri }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StandaloneMongoError);
      expect((error as Error).message).toMatch(/--replSet rs0.*rs\.initiate\(\)/);
      expect(databaseKind()).toBeNull();
      expect(mongoose.connection.readyState).toBe(0);
    } finally {
      await server.close();
    }
  });

  it('does not cache a failed connection', async () => {
    const executor = fakeExecutor();
    const server = await startEmbeddedServer({ executor });
    const uri = server.uri;
    await server.close();
    await expect(connectDatabase({ uri: `${uri}?serverSelectionTimeoutMS=300` })).rejects.toThrow();
    expect(databaseKind()).toBeNull();
  });
});

describe('npm run db flag validation', () => {
  const cli = fileURLToPath(new URL('../cli.ts', import.meta.url));
  it.each([
    [['--port', 'abc'], /invalid port 'abc'/],
    [['--port', '70000'], /invalid port '70000'/],
    [['--port', '-1'], /invalid port|ambiguous|argument/i],
    [['--memory', '--data-dir', 'x'], /cannot be used together/],
    [['--frobnicate'], /Unknown option/],
  ])(
    'rejects %j with exit code 2 and a clear message',
    async (args, message) => {
      const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      expect(code).toBe(2);
      expect(stderr).toMatch(message);
      expect(stderr).toContain('usage: npm run db');
    },
    30_000,
  );
});

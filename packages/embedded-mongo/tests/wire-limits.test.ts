/**
 * The embedded server's TCP port has limits (issue 17): a connection cap, beyond which
 * a new connection is closed at once while the open ones keep working, and an idle
 * timeout that closes a connection that has sent nothing for a while, but never one
 * waiting on its own command. Small limits are configured here; the defaults are
 * WIRE_LIMITS (src/server.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MongoClient } from 'mongodb';
import { startEmbeddedServer, type EmbeddedServer } from '../src/index.ts';
import { WIRE_LIMITS } from '../src/server.ts';
import { fakeExecutor, opMsg, RawClient } from './wire-helpers.ts';

let server: EmbeddedServer | undefined;
const clients: RawClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await server?.close();
  server = undefined;
});

async function connect(port: number): Promise<RawClient> {
  const client = await RawClient.connect(port);
  clients.push(client);
  return client;
}

describe('embedded server connection cap', () => {
  it('closes connection N+1 and keeps serving the N already open', async () => {
    server = await startEmbeddedServer({ executor: fakeExecutor(), maxConnections: 3 });
    const open = [await connect(server.port), await connect(server.port), await connect(server.port)];
    for (const c of open) expect(await c.ping()).toEqual({ ok: 1 });

    const extra = await connect(server.port);
    expect(await extra.waitClosed()).toBe(true);
    expect(server.connectionCount()).toBe(3);
    for (const c of open) expect(await c.ping()).toEqual({ ok: 1 });

    // A slot freed is a slot for the next client.
    open[0].close();
    expect(await open[0].waitClosed()).toBe(true);
    while (server.connectionCount() > 2) await new Promise((r) => setTimeout(r, 10));
    const next = await connect(server.port);
    expect(await next.ping()).toEqual({ ok: 1 });
  });

  it('has a default cap far above the app pool and an idle timeout of ten minutes', () => {
    expect(WIRE_LIMITS.maxConnections).toBeGreaterThanOrEqual(200);
    expect(WIRE_LIMITS.idleTimeoutMs).toBe(10 * 60 * 1000);
  });
});

describe('embedded server idle timeout', () => {
  it('closes a socket that sends nothing, after a command or before any', async () => {
    server = await startEmbeddedServer({ executor: fakeExecutor(), idleTimeoutMs: 150 });
    const silent = await connect(server.port);
    const used = await connect(server.port);
    expect(await used.ping()).toEqual({ ok: 1 });
    expect(await silent.waitClosed(5000)).toBe(true);
    expect(await used.waitClosed(5000)).toBe(true);
  });

  it('does not close a connection whose command is still running', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const executor = fakeExecutor();
    const run = executor.run.bind(executor);
    executor.run = async (dbName, command, ctx) => {
      if ('slow' in command) {
        await released;
        return { ok: 1, slow: true };
      }
      return run(dbName, command, ctx);
    };
    server = await startEmbeddedServer({ executor, idleTimeoutMs: 100 });
    const client = await connect(server.port);
    await client.write(opMsg(1, { slow: 1, $db: 'admin' }));
    // Several idle periods pass while the command runs; the connection stays.
    expect(await client.waitClosed(500)).toBe(false);
    release();
    expect((await client.next()).body).toEqual({ ok: 1, slow: true });
    // Idle afterwards: closed.
    expect(await client.waitClosed(5000)).toBe(true);
  });

  it('a driver on an idle-timeout server reconnects on its own after its sockets are closed', async () => {
    server = await startEmbeddedServer({ inProcess: true, idleTimeoutMs: 300 });
    const mongo = new MongoClient(server.uri, {
      serverSelectionTimeoutMS: 5000,
      heartbeatFrequencyMS: 60_000,
    });
    try {
      await mongo.db('t').collection('c').insertOne({ a: 1 });
      await new Promise((r) => setTimeout(r, 1000));
      expect(await mongo.db('t').collection('c').countDocuments()).toBe(1);
    } finally {
      await mongo.close();
    }
  });
});

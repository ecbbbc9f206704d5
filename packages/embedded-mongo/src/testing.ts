/**
 * Test doubles for code that serves or connects to this server (`@dvut/embedded-mongo/testing`):
 * a fake executor to serve with `startEmbeddedServer({ executor })`, and the handshake
 * reply it can extend (e.g. to answer as a replica set member).
 */
import type { Document } from 'bson';
import type { CommandContext, CommandExecutor } from './contract.ts';

export { handshakeReply } from './wire/handshake.ts';

export interface FakeExecutor extends CommandExecutor {
  calls: Array<{ dbName: string; command: Document; ctx: CommandContext }>;
  closedConnections: number[];
  closed: boolean;
}

/** Answers `ping`, echoes `echo`, throws on `explode`, and reports anything else as not found. */
export function fakeExecutor(): FakeExecutor {
  const executor: FakeExecutor = {
    calls: [],
    closedConnections: [],
    closed: false,
    async run(dbName, command, ctx) {
      executor.calls.push({ dbName, command, ctx });
      const name = Object.keys(command)[0];
      if (name === 'ping') return { ok: 1 };
      if (name === 'echo') return { ok: 1, dbName, command };
      if (name === 'explode') throw new Error('boom');
      if (name === 'endSessions') return { ok: 1 };
      if (name === 'insert') return { ok: 1, n: (command.documents as unknown[]).length };
      if (name === 'nothing') return undefined as unknown as Document;
      return { ok: 0, errmsg: `no such command: '${name}'`, code: 59, codeName: 'CommandNotFound' };
    },
    connectionClosed(id) {
      executor.closedConnections.push(id);
    },
    async close() {
      executor.closed = true;
    },
  };
  return executor;
}

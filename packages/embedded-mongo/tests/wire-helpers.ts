/** Test helpers: a fake executor and a raw-socket client that speaks the wire protocol by hand. */
import net from 'node:net';
import { BSON, type Document } from 'bson';
import { afterAll, beforeAll } from 'vitest';
import type { EmbeddedServer } from '../src/index.ts';
export { type FakeExecutor, fakeExecutor } from '../src/testing.ts';

function header(length: number, requestId: number, opCode: number): Buffer {
  const buffer = Buffer.alloc(16);
  buffer.writeInt32LE(length, 0);
  buffer.writeInt32LE(requestId, 4);
  buffer.writeInt32LE(0, 8);
  buffer.writeInt32LE(opCode, 12);
  return buffer;
}

export function opQuery(requestId: number, namespace: string, query: Document): Buffer {
  const rest = Buffer.concat([
    Buffer.from([0, 0, 0, 0]),
    Buffer.from(`${namespace}\0`, 'utf8'),
    Buffer.from([0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]),
    BSON.serialize(query),
  ]);
  return Buffer.concat([header(16 + rest.length, requestId, 2004), rest]);
}

export interface Sequence {
  identifier: string;
  documents: Document[];
}

export function opMsg(
  requestId: number,
  body: Document,
  options: { flags?: number; sequences?: Sequence[] } = {},
): Buffer {
  const flags = Buffer.alloc(4);
  flags.writeUInt32LE(options.flags ?? 0, 0);
  const parts: Buffer[] = [flags, Buffer.from([0]), Buffer.from(BSON.serialize(body))];
  for (const { identifier, documents } of options.sequences ?? []) {
    const docs = documents.map((doc) => Buffer.from(BSON.serialize(doc)));
    const name = Buffer.from(`${identifier}\0`, 'utf8');
    const size = Buffer.alloc(4);
    size.writeInt32LE(4 + name.length + docs.reduce((sum, doc) => sum + doc.length, 0), 0);
    parts.push(Buffer.from([1]), size, name, ...docs);
  }
  const rest = Buffer.concat(parts);
  return Buffer.concat([header(16 + rest.length, requestId, 2013), rest]);
}

export interface ReceivedMessage {
  length: number;
  requestId: number;
  responseTo: number;
  opCode: number;
  /** OP_MSG flagBits, or OP_REPLY responseFlags. */
  flags: number;
  cursorId?: bigint;
  startingFrom?: number;
  numberReturned?: number;
  body: Document;
}

function decode(frame: Buffer): ReceivedMessage {
  const length = frame.readInt32LE(0);
  const message = {
    length,
    requestId: frame.readInt32LE(4),
    responseTo: frame.readInt32LE(8),
    opCode: frame.readInt32LE(12),
    flags: frame.readUInt32LE(16),
  };
  if (message.opCode === 1) {
    return {
      ...message,
      cursorId: frame.readBigInt64LE(20),
      startingFrom: frame.readInt32LE(28),
      numberReturned: frame.readInt32LE(32),
      body: BSON.deserialize(frame.subarray(36, length)),
    };
  }
  if (frame[20] !== 0) throw new Error('expected a kind-0 section');
  return { ...message, body: BSON.deserialize(frame.subarray(21, length)) };
}

/** A bare TCP client that collects whole messages. */
export class RawClient {
  private buffer = Buffer.alloc(0);
  private readonly messages: ReceivedMessage[] = [];
  private waiters: Array<() => void> = [];
  closed = false;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      while (this.buffer.length >= 4 && this.buffer.length >= this.buffer.readInt32LE(0)) {
        const length = this.buffer.readInt32LE(0);
        this.messages.push(decode(this.buffer.subarray(0, length)));
        this.buffer = this.buffer.subarray(length);
      }
      this.wake();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
  }

  static connect(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port }, () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  private waitFor<T>(ready: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs);
      const check = () => {
        const value = ready();
        if (value !== undefined) {
          clearTimeout(timer);
          resolve(value);
        } else this.waiters.push(check);
      };
      check();
    });
  }

  write(bytes: Buffer): Promise<void> {
    return new Promise((resolve) => this.socket.write(bytes, () => resolve()));
  }

  /** The next message; rejects if the connection closes first. */
  async next(timeoutMs = 2000): Promise<ReceivedMessage> {
    const result = await this.waitFor<ReceivedMessage | Error>(
      () => this.messages.shift() ?? (this.closed ? new Error('connection closed') : undefined),
      timeoutMs,
      'a message',
    );
    if (result instanceof Error) throw result;
    return result;
  }

  /** Resolves true once the server closes the connection, false if it is still open after timeoutMs. */
  async waitClosed(timeoutMs = 2000): Promise<boolean> {
    return this.waitFor(() => (this.closed ? true : undefined), timeoutMs, 'close').catch(() => false);
  }

  /** Resolves with how many messages arrived within `ms`, consuming none. */
  async countAfter(ms: number): Promise<number> {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return this.messages.length;
  }

  async ping(requestId = 999): Promise<Document> {
    await this.write(opMsg(requestId, { ping: 1, $db: 'admin' }));
    return (await this.next()).body;
  }

  close(): void {
    this.socket.destroy();
  }
}

/**
 * A server for a describe block: `start` runs before its tests; after them every client
 * opened with the returned `connect` is closed, then the server.
 */
export function serveRaw(start: () => Promise<EmbeddedServer>): () => Promise<RawClient> {
  let server: EmbeddedServer | undefined;
  const clients: RawClient[] = [];
  beforeAll(async () => {
    server = await start();
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    await server?.close();
  });
  return async () => {
    const client = await RawClient.connect(server!.port);
    clients.push(client);
    return client;
  };
}

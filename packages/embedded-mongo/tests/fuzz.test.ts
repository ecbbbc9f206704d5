/**
 * Whatever bytes a client sends, the server stays up and a fresh connection
 * still gets an answer. Seeded, so a failure reproduces.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fc from 'fast-check';
import net from 'node:net';
import { BSON } from 'bson';
import { decodeStored } from '../src/engine/decode.ts';
import { startEmbeddedServer, type EmbeddedServer } from '../src/index.ts';
import { decodeDocument, DESERIALIZE_OPTIONS } from '../src/wire/bson-io.ts';
import { storedNumbers } from '../src/bson-numbers.ts';
import { fakeExecutor, opMsg, opQuery, RawClient } from './wire-helpers.ts';

const SEED = 20_261_127;
const RUNS = 150;

let server: EmbeddedServer;

beforeAll(async () => {
  server = await startEmbeddedServer({ executor: fakeExecutor() });
});
afterAll(async () => {
  await server.close();
});

/** Sends the chunks, half-closes, and waits until the server has dropped the connection. */
function sendAndHangUp(chunks: Buffer[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port: server.port }, () => {
      for (const chunk of chunks) socket.write(chunk);
      socket.end();
    });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('server kept a hung-up connection open'));
    }, 5000);
    socket.on('error', () => undefined);
    socket.on('data', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

async function stillServes(): Promise<void> {
  const client = await RawClient.connect(server.port);
  try {
    expect(await client.ping()).toEqual({ ok: 1 });
  } finally {
    client.close();
  }
}

/** Splits bytes at random points, as TCP may. */
const chunked = (bytes: fc.Arbitrary<Buffer>) =>
  bytes.chain((buffer) =>
    fc
      .uniqueArray(fc.integer({ min: 1, max: Math.max(1, buffer.length - 1) }), { maxLength: 6 })
      .map((cuts) => {
        const points = [0, ...cuts.filter((cut) => cut < buffer.length).sort((a, b) => a - b), buffer.length];
        return points.slice(1).map((end, i) => buffer.subarray(points[i], end));
      }),
  );

const randomBytes = fc.uint8Array({ minLength: 0, maxLength: 300 }).map((bytes) => Buffer.from(bytes));

const validMessages = fc.oneof(
  fc
    .record({ id: fc.integer(), name: fc.string({ maxLength: 12 }) })
    .map(({ id, name }) => opMsg(id, { echo: name, $db: 'admin' })),
  fc.integer().map((id) => opQuery(id, 'admin.$cmd', { $query: { isMaster: 1 } })),
  fc
    .array(fc.record({ a: fc.integer(), s: fc.string({ maxLength: 20 }) }), { minLength: 1, maxLength: 5 })
    .map((documents) =>
      opMsg(1, { insert: 'c', $db: 'shop' }, { sequences: [{ identifier: 'documents', documents }] }),
    ),
);

/** A valid message cut short, with its length either kept (the server waits) or fixed up (the server must parse a short message). */
const truncatedMessages = fc
  .tuple(validMessages, fc.double({ min: 0, max: 1, noNaN: true }), fc.boolean())
  .map(([message, fraction, fixLength]) => {
    const cut = Buffer.from(message.subarray(0, Math.floor(message.length * fraction)));
    if (fixLength && cut.length >= 4) cut.writeInt32LE(cut.length, 0);
    return cut;
  });

/** A plausible header (real opcodes, any length) followed by random bytes. */
const randomHeaders = fc
  .tuple(
    fc.oneof(fc.integer(), fc.integer({ min: 0, max: 400 }), fc.constantFrom(16, 48_000_000, 48_000_001, -1)),
    fc.constantFrom(1, 2004, 2012, 2013, 0, 2001, 2002, 2005, 2006, 2007),
    fc.uint8Array({ maxLength: 300 }),
  )
  .map(([length, opCode, rest]) => {
    const header = Buffer.alloc(16);
    header.writeInt32LE(length, 0);
    header.writeInt32LE(1, 4);
    header.writeInt32LE(opCode, 12);
    return Buffer.concat([header, rest]);
  });

/** A correctly framed OP_MSG or OP_QUERY whose BSON is garbage or mutated. */
const garbageBson = fc
  .tuple(
    validMessages,
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
  )
  .map(([message, flips]) => {
    const mutated = Buffer.from(message);
    // Keep the 16-byte header intact so the frame reaches the BSON decoder.
    for (const [at, byte] of flips) mutated[16 + (at % (mutated.length - 16))] = byte;
    return mutated;
  });

const bsonBodies = fc.uint8Array({ minLength: 0, maxLength: 200 }).map((bytes) => {
  const body = Buffer.from(bytes);
  const frame = Buffer.alloc(21 + body.length);
  frame.writeInt32LE(frame.length, 0);
  frame.writeInt32LE(2013, 12);
  body.copy(frame, 21);
  if (body.length >= 4) frame.writeInt32LE(body.length, 21); // a believable size prefix
  return frame;
});

/** What a decoder returns, or 'error' when it throws. */
const outcome = (decode: () => unknown) => {
  try {
    return decode();
  } catch {
    return 'error';
  }
};

/** `doc` serialized, with each `[at, byte]` written inside its body (never its length or end). */
function mutated(doc: Record<string, unknown>, changes: [number, number][]): Buffer {
  const bytes = Buffer.from(BSON.serialize(doc));
  for (const [at, byte] of changes) bytes[4 + (at % (bytes.length - 5))] = byte;
  return bytes;
}

describe('wire fuzzing', () => {
  const property = (name: string, input: fc.Arbitrary<Buffer[]>) =>
    it(name, async () => {
      await fc.assert(
        fc.asyncProperty(input, async (chunks) => {
          await sendAndHangUp(chunks);
          await stillServes();
        }),
        { seed: SEED, numRuns: RUNS },
      );
    });

  property('random bytes', chunked(randomBytes));
  property('truncated valid messages', chunked(truncatedMessages));
  property('random headers', chunked(randomHeaders));
  property('garbage and mutated BSON', chunked(garbageBson));
  property('random bodies with a plausible size', chunked(bsonBodies));
  property(
    'a valid message followed by garbage',
    chunked(
      fc.tuple(validMessages, randomBytes).map(([message, garbage]) => Buffer.concat([message, garbage])),
    ),
  );

  it('decodes exactly like BSON.deserialize with validation, even on mutated bytes', () => {
    const text = (maxLength: number) => fc.string({ unit: 'binary', maxLength });
    const key = text(6).filter((name) => !name.includes('\0'));
    const documents = fc.dictionary(
      key,
      fc.oneof(
        text(30),
        fc.integer(),
        fc.array(text(8), { maxLength: 3 }),
        fc.dictionary(key, text(25), { maxKeys: 3 }),
      ),
      { maxKeys: 5 },
    );
    const flips = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0x80, max: 0xff })), { maxLength: 3 });
    fc.assert(
      fc.property(documents, flips, (doc, changes) => {
        const bytes = mutated(doc, changes);
        expect(outcome(() => decodeDocument(bytes, 0, bytes.length))).toEqual(
          outcome(() => storedNumbers(BSON.deserialize(bytes, DESERIALIZE_OPTIONS))),
        );
      }),
      { seed: SEED, numRuns: 3000 },
    );
  });

  it("the engine's validating decoder agrees with BSON.deserialize on mutated bytes", () => {
    const text = (maxLength: number) => fc.string({ unit: 'binary', maxLength });
    const key = text(6).filter((name) => !name.includes('\0') && name !== '__proto__');
    const value = fc.oneof(
      text(30),
      fc.integer(),
      fc.double({ noNaN: true }),
      fc.boolean(),
      fc.constant(null),
      fc.date({ noInvalidDate: true }),
      fc.array(text(8), { maxLength: 3 }),
      fc.dictionary(key, text(25), { maxKeys: 3 }),
    );
    const documents = fc.dictionary(key, value, { maxKeys: 6 });
    const flips = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 0xff })), { maxLength: 3 });
    fc.assert(
      fc.property(documents, flips, (doc, changes) => {
        const bytes = mutated(doc, changes);
        const expected = outcome(() => storedNumbers(BSON.deserialize(bytes, DESERIALIZE_OPTIONS)));
        const ours = outcome(() => {
          const decoded = decodeStored(bytes);
          // null: a type the decoder leaves to bson (none here, but never wrong).
          return decoded ?? storedNumbers(BSON.deserialize(bytes, DESERIALIZE_OPTIONS));
        });
        if (expected === 'error') expect(ours).toBe('error');
        else expect(ours).toEqual(expected);
      }),
      { seed: SEED, numRuns: 3000 },
    );
  });

  it('is still alive after all of it', async () => {
    await stillServes();
  });
});

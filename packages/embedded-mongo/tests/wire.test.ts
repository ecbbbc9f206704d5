import { describe, it, expect } from 'vitest';
import { BSON, Double, Long, ObjectId, type Document } from 'bson';
import { MongoClient } from 'mongodb';
import { startEmbeddedServer, type EmbeddedServer } from '../src/index.ts';
import { crc32c } from '../src/wire/crc32c.ts';
import { FrameReader } from '../src/wire/frame-reader.ts';
import { fakeExecutor, opMsg, opQuery, RawClient, serveRaw, type FakeExecutor } from './wire-helpers.ts';

describe('embedded wire server', () => {
  let executor: FakeExecutor;
  let server: EmbeddedServer;
  const connect = serveRaw(async () => {
    executor = fakeExecutor();
    return (server = await startEmbeddedServer({ executor }));
  });

  it('listens on 127.0.0.1 and reports its uri', () => {
    expect(server.host).toBe('127.0.0.1');
    expect(server.port).toBeGreaterThan(0);
    expect(server.uri).toBe(`mongodb://127.0.0.1:${server.port}/`);
  });

  it('answers the legacy OP_QUERY isMaster (wrapped in $query) with OP_REPLY', async () => {
    const client = await connect();
    await client.write(
      opQuery(7, 'admin.$cmd', {
        $query: { isMaster: 1, helloOk: true },
        $readPreference: { mode: 'primary' },
      }),
    );
    const reply = await client.next();
    expect(reply.opCode).toBe(1);
    expect(reply.responseTo).toBe(7);
    expect(reply.flags).toBe(0);
    expect(reply.cursorId).toBe(0n);
    expect(reply.startingFrom).toBe(0);
    expect(reply.numberReturned).toBe(1);
    const body = reply.body;
    expect(body).toMatchObject({
      helloOk: true,
      ismaster: true,
      maxBsonObjectSize: 16777216,
      maxMessageSizeBytes: 48000000,
      maxWriteBatchSize: 100000,
      logicalSessionTimeoutMinutes: 30,
      minWireVersion: 0,
      maxWireVersion: 21,
      readOnly: false,
      ok: 1,
    });
    expect(body.localTime).toBeInstanceOf(Date);
    expect(typeof body.connectionId).toBe('number');
    expect(body).not.toHaveProperty('topologyVersion');
    expect(body).not.toHaveProperty('compression');
    // The handshake never reaches the executor.
    expect(executor.calls.some((call) => 'isMaster' in call.command)).toBe(false);
  });

  it('answers OP_MSG hello with isWritablePrimary and the same connectionId the executor sees', async () => {
    const client = await connect();
    await client.write(opMsg(1, { hello: 1, $db: 'admin' }));
    const hello = await client.next();
    expect(hello.opCode).toBe(2013);
    expect(hello.flags).toBe(0);
    expect(hello.body.isWritablePrimary).toBe(true);
    expect(hello.body).not.toHaveProperty('topologyVersion');
    await client.write(opMsg(2, { ping: 1, $db: 'admin' }));
    expect((await client.next()).body).toEqual({ ok: 1 });
    expect(executor.calls.at(-1)!.ctx.connectionId).toBe(hello.body.connectionId);
  });

  it('runs other OP_QUERY commands through the executor, and refuses queries on collections', async () => {
    const client = await connect();
    await client.write(opQuery(3, 'shop.$cmd', { echo: 1, x: 2 }));
    const reply = await client.next();
    expect(reply.opCode).toBe(1);
    expect(reply.body).toMatchObject({ ok: 1, dbName: 'shop', command: { echo: 1, x: 2 } });
    await client.write(opQuery(4, 'shop.items', { a: 1 }));
    const refused = await client.next();
    expect(refused.flags & 2).toBe(2);
    expect(refused.body).toMatchObject({ ok: 0, code: 352 });
  });

  it('merges kind-1 document sequences into the body by identifier', async () => {
    const client = await connect();
    const documents = [
      { _id: new ObjectId(), n: 1 },
      { _id: new ObjectId(), n: 2 },
    ];
    const updates = [{ q: { n: 1 }, u: { $set: { m: 1 } } }];
    await client.write(
      opMsg(
        5,
        { echo: 'things', ordered: true, $db: 'shop' },
        {
          sequences: [
            { identifier: 'documents', documents },
            { identifier: 'updates', documents: updates },
          ],
        },
      ),
    );
    const reply = await client.next();
    expect(reply.responseTo).toBe(5);
    expect(reply.body.command).toEqual({ echo: 'things', ordered: true, $db: 'shop', documents, updates });
    const seen = executor.calls.at(-1)!;
    expect(seen.dbName).toBe('shop');
    expect(seen.command.documents[0]._id).toBeInstanceOf(ObjectId);
  });

  it('keeps a sequence named __proto__ as a plain field', async () => {
    const client = await connect();
    await client.write(
      opMsg(9, { echo: 1, $db: 'x' }, { sequences: [{ identifier: '__proto__', documents: [{ a: 1 }] }] }),
    );
    expect((await client.next()).body.ok).toBe(1);
    const { command } = executor.calls.at(-1)!;
    expect(Object.getPrototypeOf(command)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(command, '__proto__')?.value).toEqual([{ a: 1 }]);
  });

  it('decodes with documented options: numbers keep their BSON type, ObjectId and Date stay typed', async () => {
    const client = await connect();
    const when = new Date('2025-01-02T03:04:05Z');
    await client.write(
      opMsg(6, {
        echo: 1,
        values: {
          small: Long.fromNumber(42),
          big: Long.fromString('9007199254740993'),
          whole: new Double(3),
          half: 2.5,
          int: 7,
        },
        // The command's own options become numbers (the handlers read numbers).
        limit: Long.fromNumber(5),
        cursor: { batchSize: new Double(2) },
        when,
        $db: 'x',
      }),
    );
    await client.next();
    const { command } = executor.calls.at(-1)!;
    // An int64 stays a Long and an integral double a Double (a number would come back as int32).
    const { values } = command;
    expect(values.small).toEqual(Long.fromNumber(42));
    expect(values.big).toBeInstanceOf(Long);
    expect(values.whole).toEqual(new Double(3));
    expect(values.half).toBe(2.5);
    expect(values.int).toBe(7);
    expect(command.limit).toBe(5);
    expect(command.cursor.batchSize).toBe(2);
    expect(command.when).toBeInstanceOf(Date);
  });

  it('accepts a genuine U+FFFD and non-ASCII text, keys included', async () => {
    const client = await connect();
    const text = { 'tên đoàn viên': 'Nguyễn Thị Ánh \uFFFD', list: ['ở', { 'ứ\uFFFD': 'ý' }] };
    await client.write(opMsg(8, { echo: 1, text, $db: 'x' }));
    expect((await client.next()).body.command.text).toEqual(text);
  });

  it('sends nothing for moreToCome, then keeps answering with increasing requestIDs', async () => {
    const client = await connect();
    await client.write(opMsg(10, { endSessions: [], $db: 'admin' }, { flags: 2 }));
    expect(await client.countAfter(100)).toBe(0);
    expect(executor.calls.at(-1)!.command).toHaveProperty('endSessions');
    await client.write(opMsg(11, { ping: 1, $db: 'admin' }));
    const first = await client.next();
    await client.write(opMsg(12, { ping: 1, $db: 'admin' }));
    const second = await client.next();
    expect([first.responseTo, second.responseTo]).toEqual([11, 12]);
    expect(second.requestId).toBeGreaterThan(first.requestId);
  });

  it('assembles a message sent one byte at a time', async () => {
    const client = await connect();
    const bytes = opMsg(20, { echo: 'slow', $db: 'admin' });
    for (const byte of bytes) await client.write(Buffer.from([byte]));
    const reply = await client.next();
    expect(reply.responseTo).toBe(20);
    expect(reply.body.command.echo).toBe('slow');
  });

  it('answers two messages coalesced into one write, in order', async () => {
    const client = await connect();
    await client.write(
      Buffer.concat([opMsg(21, { echo: 'a', $db: 'admin' }), opMsg(22, { echo: 'b', $db: 'admin' })]),
    );
    const [a, b] = [await client.next(), await client.next()];
    expect([a.responseTo, b.responseTo]).toEqual([21, 22]);
    expect([a.body.command.echo, b.body.command.echo]).toEqual(['a', 'b']);
  });

  it('handles a message split across writes together with the start of the next', async () => {
    const client = await connect();
    const both = Buffer.concat([
      opMsg(23, { echo: 'c', $db: 'admin' }),
      opMsg(24, { echo: 'd', $db: 'admin' }),
    ]);
    const cut = Math.floor(both.length / 2) + 3;
    await client.write(both.subarray(0, cut));
    await new Promise((resolve) => setTimeout(resolve, 20));
    await client.write(both.subarray(cut));
    expect((await client.next()).responseTo).toBe(23);
    expect((await client.next()).responseTo).toBe(24);
  });

  it('closes only the connection that announces an oversized message', async () => {
    const bad = await connect();
    const good = await connect();
    const header = Buffer.alloc(16);
    header.writeInt32LE(48_000_001, 0);
    header.writeInt32LE(1, 4);
    header.writeInt32LE(2013, 12);
    await bad.write(header);
    expect(await bad.waitClosed()).toBe(true);
    expect(await good.ping()).toEqual({ ok: 1 });
  });

  it.each([
    ['a length under 16', () => Buffer.from([8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0])],
    ['a negative length', () => Buffer.from([0xff, 0xff, 0xff, 0xff])],
    [
      'an unknown opcode',
      () => {
        const b = opMsg(1, { ping: 1, $db: 'a' });
        b.writeInt32LE(2012, 12);
        return b;
      },
    ],
    [
      'an unknown section kind',
      () => {
        const b = opMsg(1, { ping: 1, $db: 'a' });
        b[20] = 7;
        return b;
      },
    ],
    ['an unknown required flag bit', () => opMsg(1, { ping: 1, $db: 'a' }, { flags: 4 })],
    [
      'a corrupt BSON body',
      () => {
        const b = opMsg(1, { ping: 1, $db: 'a' });
        b[25] = 0x77;
        return b;
      },
    ],
    [
      'invalid UTF-8 in a string',
      () => {
        const b = opMsg(1, { ping: 'xy', $db: 'a' });
        b.set([0xc3, 0x28], b.indexOf('xy'));
        return b;
      },
    ],
    [
      'invalid UTF-8 in a nested string',
      () => {
        const b = opMsg(1, { ping: 1, deep: [{ ok: 1, k: 'qq' }], $db: 'a' });
        b.set([0xff], b.indexOf('qq'));
        return b;
      },
    ],
    [
      'a truncated UTF-8 sequence in a long string',
      () => {
        const b = opMsg(1, { ping: 1, long: 'é'.repeat(30) + '!', $db: 'a' });
        b[b.indexOf('!') - 1] = 0x21;
        return b;
      },
    ],
    [
      'invalid UTF-8 in a sequence identifier',
      () => {
        const b = opMsg(
          1,
          { insert: 'c', $db: 'a' },
          { sequences: [{ identifier: 'dócs', documents: [{ a: 1 }] }] },
        );
        const at = b.indexOf('dócs');
        b[at + 1] = 0xc3;
        b[at + 2] = 0x28;
        return b;
      },
    ],
    [
      'a BSON size past the end of the message',
      () => {
        const b = opMsg(1, { ping: 1, $db: 'a' });
        b.writeInt32LE(5000, 21);
        return b;
      },
    ],
    [
      'a truncated document sequence',
      () => {
        const b = opMsg(
          1,
          { insert: 'c', $db: 'a' },
          { sequences: [{ identifier: 'documents', documents: [{ a: 1 }] }] },
        );
        b.writeInt32LE(b.length - 3, 0);
        return b.subarray(0, b.length - 3);
      },
    ],
    [
      'a message with no body',
      () => {
        const b = Buffer.alloc(20);
        b.writeInt32LE(20, 0);
        b.writeInt32LE(2013, 12);
        return b;
      },
    ],
  ])('closes the connection on %s and keeps serving others', async (_name, build) => {
    const bad = await connect();
    await bad.write(build());
    expect(await bad.waitClosed()).toBe(true);
    const good = await connect();
    expect(await good.ping()).toEqual({ ok: 1 });
  });

  it('verifies a present checksum', async () => {
    const withChecksum = (body: object, corrupt: boolean) => {
      const plain = opMsg(30, body, { flags: 1 });
      const framed = Buffer.concat([plain, Buffer.alloc(4)]);
      framed.writeInt32LE(framed.length, 0);
      framed.writeUInt32LE(
        (crc32c(framed, 0, framed.length - 4) ^ (corrupt ? 1 : 0)) >>> 0,
        framed.length - 4,
      );
      return framed;
    };
    const client = await connect();
    await client.write(withChecksum({ ping: 1, $db: 'admin' }, false));
    expect((await client.next()).body).toEqual({ ok: 1 });
    await client.write(withChecksum({ ping: 1, $db: 'admin' }, true));
    expect(await client.waitClosed()).toBe(true);
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
  });

  it('turns an executor that throws or returns garbage into InternalError and keeps serving', async () => {
    const client = await connect();
    await client.write(opMsg(40, { explode: 1, $db: 'admin' }));
    expect((await client.next()).body).toMatchObject({
      ok: 0,
      code: 1,
      codeName: 'InternalError',
      errmsg: expect.stringContaining('boom'),
    });
    await client.write(opMsg(41, { nothing: 1, $db: 'admin' }));
    expect((await client.next()).body).toMatchObject({ ok: 0, code: 1, codeName: 'InternalError' });
    expect(await client.ping()).toEqual({ ok: 1 });
  });

  it('passes executor error documents through untouched', async () => {
    const client = await connect();
    await client.write(opMsg(42, { frobnicate: 1, $db: 'admin' }));
    expect((await client.next()).body).toEqual({
      ok: 0,
      errmsg: "no such command: 'frobnicate'",
      code: 59,
      codeName: 'CommandNotFound',
    });
  });

  it('rejects a missing $db with an error reply', async () => {
    const client = await connect();
    await client.write(opMsg(43, { ping: 1 }));
    expect((await client.next()).body).toMatchObject({ ok: 0, code: 40571 });
  });

  it('rejects a document over 16 MiB with BSONObjectTooLarge (10334), without closing', async () => {
    const client = await connect();
    const huge = { _id: 1, blob: 'x'.repeat(16 * 1024 * 1024) };
    const calls = executor.calls.length;
    await client.write(
      opMsg(
        44,
        { insert: 'c', $db: 'a' },
        { sequences: [{ identifier: 'documents', documents: [{ _id: 0 }, huge] }] },
      ),
    );
    expect((await client.next(10_000)).body).toMatchObject({
      ok: 0,
      code: 10334,
      codeName: 'BSONObjectTooLarge',
    });
    // In the body, a document just over 16 MiB still fits the body's allowance and is caught by size.
    await client.write(opMsg(45, { insert: 'c', documents: [huge], $db: 'a' }));
    expect((await client.next(10_000)).body).toMatchObject({ ok: 0, code: 10334 });
    expect(executor.calls.length).toBe(calls);
    expect(await client.ping()).toEqual({ ok: 1 });
  }, 30_000);

  it('survives a client resetting the connection mid-message', async () => {
    const client = await connect();
    await client.write(opMsg(50, { ping: 1, $db: 'admin' }).subarray(0, 10));
    client.socket.resetAndDestroy();
    const good = await connect();
    expect(await good.ping()).toEqual({ ok: 1 });
  });

  it('works with the unchanged mongodb driver', async () => {
    const mongo = new MongoClient(server.uri, { serverSelectionTimeoutMS: 3000 });
    try {
      await mongo.connect();
      expect(await mongo.db('admin').command({ ping: 1 })).toEqual({ ok: 1 });
      const result = await mongo
        .db('shop')
        .collection('items')
        .insertMany([{ a: 1 }, { a: 2 }, { a: 3 }]);
      expect(result.insertedCount).toBe(3);
      const insert = executor.calls.findLast((call) => 'insert' in call.command)!;
      expect(insert.dbName).toBe('shop');
      expect(insert.command.documents.map((doc: { a: number }) => doc.a)).toEqual([1, 2, 3]);
      expect(insert.command.documents[0]._id).toBeInstanceOf(ObjectId);
    } finally {
      await mongo.close();
    }
  });
});

describe('server lifecycle', () => {
  it('close() drops clients, stops listening, tells the executor about closed connections and closes it', async () => {
    const executor = fakeExecutor();
    const server = await startEmbeddedServer({ executor });
    const client = await RawClient.connect(server.port);
    expect(await client.ping()).toEqual({ ok: 1 });
    expect(server.connectionCount()).toBe(1);
    await server.close();
    expect(server.connectionCount()).toBe(0);
    expect(await client.waitClosed()).toBe(true);
    expect(executor.closed).toBe(true);
    expect(executor.closedConnections.length).toBe(1);
    await expect(RawClient.connect(server.port)).rejects.toThrow();
    await server.close(); // idempotent
  });

  it('reports a port already in use and closes the executor', async () => {
    const first = await startEmbeddedServer({ executor: fakeExecutor() });
    const executor = fakeExecutor();
    await expect(startEmbeddedServer({ executor, port: first.port })).rejects.toThrow(/EADDRINUSE/);
    expect(executor.closed).toBe(true);
    await first.close();
  });
});

describe('FrameReader', () => {
  it('copies a large message once, whatever the chunking', () => {
    const message = opMsg(1, { echo: 'x'.repeat(200_000), $db: 'a' });
    const reader = new FrameReader();
    const frames: Buffer[] = [];
    for (let at = 0; at < message.length; at += 997)
      frames.push(...reader.push(message.subarray(at, at + 997)));
    expect(frames).toHaveLength(1);
    expect(frames[0].equals(message)).toBe(true);
    expect(reader.pendingBytes).toBe(0);
    expect(BSON.deserialize(frames[0].subarray(21)).echo).toHaveLength(200_000);
  });

  it('fills a large message as it arrives, and splits what follows it in the same chunks', () => {
    const large = opMsg(1, { echo: 'y'.repeat(3_000_000), $db: 'a' });
    const small = opMsg(2, { ping: 1, $db: 'a' });
    const stream = Buffer.concat([small, large, small, large, small]);
    for (const size of [1, 4093, 65_536, 1_500_000, stream.length]) {
      const reader = new FrameReader();
      const frames: Buffer[] = [];
      let pendingOk = true;
      for (let at = 0; at < stream.length; at += size) {
        const chunk = stream.subarray(at, at + size);
        frames.push(...reader.push(chunk));
        const delivered = frames.reduce((n, f) => n + f.length, 0);
        if (reader.pendingBytes !== Math.min(at + size, stream.length) - delivered) pendingOk = false;
      }
      expect(pendingOk).toBe(true);
      expect(frames.map((f) => f.length)).toEqual([small, large, small, large, small].map((m) => m.length));
      expect(frames[1].equals(large) && frames[3].equals(large) && frames[4].equals(small)).toBe(true);
      expect(reader.pendingBytes).toBe(0);
    }
  });
});

describe('undecoded insert documents (executor with rawInsertDocuments)', () => {
  let executor: FakeExecutor;
  const connect = serveRaw(async () => {
    executor = Object.assign(fakeExecutor(), { rawInsertDocuments: true });
    return startEmbeddedServer({ executor });
  });

  it('hands over validated bytes for insert documents, decoded ones for rare types and other commands', async () => {
    const { rawDocuments } = await import('../src/contract.ts');
    const client = await connect();
    const documents = [
      {
        _id: new ObjectId(),
        n: 1,
        s: 'Nguyễn',
        d: new Date(5),
        a: [1, { b: null }],
        l: Long.fromNumber(2 ** 60),
      },
      { _id: 2, r: /x/i },
    ];
    await client.write(
      opMsg(3, { insert: 'c', $db: 'shop' }, { sequences: [{ identifier: 'documents', documents }] }),
    );
    expect((await client.next()).body).toEqual({ ok: 1, n: 2 });
    const seen = executor.calls.at(-1)!.command.documents as unknown[];
    const raw = rawDocuments(seen)!;
    expect(seen[0]).toBeUndefined();
    expect(BSON.deserialize(raw[0])).toEqual(BSON.deserialize(BSON.serialize(documents[0])));
    expect(seen[1]).toEqual({ _id: 2, r: /x/i });
    await client.write(
      opMsg(4, { echo: 1, $db: 'shop' }, { sequences: [{ identifier: 'documents', documents: [{ n: 1 }] }] }),
    );
    expect((await client.next()).body.command.documents).toEqual([{ n: 1 }]);
  });

  it.each([
    ['invalid UTF-8', (b: Buffer) => b.set([0xc3, 0x28], b.indexOf('qq'))],
    ['a nested size past its parent', (b: Buffer) => b.writeInt32LE(5000, b.indexOf('qq') - 11)],
    ['an illegal boolean', (b: Buffer) => (b[b.indexOf('flag') + 5] = 7)],
  ])('closes the connection on %s in an insert document', async (_name, corrupt) => {
    const bad = await connect();
    const b = opMsg(
      1,
      { insert: 'c', $db: 'a' },
      { sequences: [{ identifier: 'documents', documents: [{ _id: 1, flag: true, o: { k: 'qq' } }] }] },
    );
    corrupt(b);
    await bad.write(b);
    expect(await bad.waitClosed()).toBe(true);
    const good = await connect();
    expect(await good.ping()).toEqual({ ok: 1 });
  });
});

describe('insert documents validated by the engine while decoding (validatesRawDocuments)', () => {
  const connect = serveRaw(async () => {
    // Raw frames without a SCRAM conversation: the subject here is decoding, not the door.
    return startEmbeddedServer({ inProcess: true, auth: false });
  });

  const message = (requestId: number, documents: Document[], ordered = true) =>
    opMsg(
      requestId,
      { insert: 'v', ordered, $db: 'raw' },
      { sequences: [{ identifier: 'documents', documents }] },
    );
  const count = async () => {
    const client = await connect();
    await client.write(opMsg(50, { count: 'v', $db: 'raw' }));
    return (await client.next()).body.n as number;
  };

  it.each([
    ['invalid UTF-8', (b: Buffer) => b.set([0xc3, 0x28], b.lastIndexOf('qq'))],
    ['a nested size past its parent', (b: Buffer) => b.writeInt32LE(5000, b.lastIndexOf('qq') - 11)],
    ['an illegal boolean', (b: Buffer) => (b[b.lastIndexOf('flag') + 5] = 7)],
    ['a string length past its document', (b: Buffer) => b.writeInt32LE(4000, b.lastIndexOf('qq') - 4)],
  ])('closes the connection on %s in the last document, having inserted none', async (_name, corrupt) => {
    const before = await count();
    const bad = await connect();
    const documents = [
      { _id: new ObjectId(), flag: false, o: { k: 'Nguyễn' } },
      { _id: new ObjectId(), flag: true, o: { k: 'qq' } },
    ];
    const b = message(1, documents);
    corrupt(b);
    await bad.write(b);
    expect(await bad.waitClosed()).toBe(true);
    expect(await count()).toBe(before);
    const good = await connect();
    expect(await good.ping()).toMatchObject({ ok: 1 });
  });

  it('decodes rare types through bson and keeps write errors per document', async () => {
    const client = await connect();
    const id = new ObjectId();
    await client.write(
      message(
        2,
        [{ _id: id, r: /x/i, s: 'é' }, { _id: id }, { _id: new ObjectId(), $bad: 1 }, { n: 1 }],
        false,
      ),
    );
    const reply = (await client.next()).body;
    expect(reply.n).toBe(2);
    expect(reply.writeErrors.map((e: Document) => [e.index, e.code])).toEqual([
      [1, 11000],
      [2, 2],
    ]);
    await client.write(opMsg(3, { find: 'v', filter: { _id: id }, $db: 'raw' }));
    const found = (await client.next()).body.cursor.firstBatch[0];
    expect(found.r).toEqual(/x/i);
    expect(found.s).toBe('é');
  });
});

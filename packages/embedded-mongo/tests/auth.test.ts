/**
 * The embedded database's door: SCRAM-SHA-256 on every connection (the bare
 * driver and mongoose), 13 Unauthorized before authentication as mongod answers,
 * 18 AuthenticationFailed for a wrong password, and the data directory private
 * to its owner (0700, files 0600) with the credential generated at first start.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Binary, type Document } from 'bson';
import { MongoClient, MongoServerError } from 'mongodb';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CREDENTIAL_FILE, USERS_FILE } from '../src/auth/credentials.ts';
import { ScramUsers, deriveScramCredential } from '../src/auth/scram.ts';
import { type EmbeddedServer, startEmbeddedServer } from '../src/index.ts';
import { tempDirs } from './process-helpers.ts';

const tempDir = tempDirs('dvut-auth-');

const mode = (p: string) => statSync(p).mode & 0o777;
const withPassword = (uri: string, password: string) => uri.replace(/:[^:@/]+@/, `:${password}@`);
const quick = { serverSelectionTimeoutMS: 3000 };

/** The client's side of RFC 5802, written out so the server is checked against the RFC, not the driver alone. */
function scramClient(user: string, password: string) {
  const nonce = randomBytes(18).toString('base64');
  const first = `n=${user},r=${nonce}`;
  return {
    start: (skipEmptyExchange: boolean): Document => ({
      saslStart: 1,
      mechanism: 'SCRAM-SHA-256',
      payload: new Binary(Buffer.from(`n,,${first}`)),
      options: { skipEmptyExchange },
    }),
    final(serverFirst: string) {
      const attrs = Object.fromEntries(serverFirst.split(',').map((p) => [p[0], p.slice(2)]));
      const salted = pbkdf2Sync(password, Buffer.from(attrs.s, 'base64'), Number(attrs.i), 32, 'sha256');
      const clientKey = createHmac('sha256', salted).update('Client Key').digest();
      const storedKey = createHash('sha256').update(clientKey).digest();
      const withoutProof = `c=biws,r=${attrs.r}`;
      const authMessage = `${first},${serverFirst},${withoutProof}`;
      const signature = createHmac('sha256', storedKey).update(authMessage).digest();
      const proof = Buffer.from(clientKey.map((b, i) => b ^ signature[i]));
      const serverKey = createHmac('sha256', salted).update('Server Key').digest();
      return {
        payload: `${withoutProof},p=${proof.toString('base64')}`,
        serverSignature: createHmac('sha256', serverKey).update(authMessage).digest('base64'),
      };
    },
  };
}

const text = (b: Binary) => Buffer.from(b.buffer.subarray(0, b.position)).toString();

describe('SCRAM-SHA-256, the server side (RFC 5802 / 7677)', () => {
  it('stores what RFC 7677 computes: its example server signature comes out of the stored ServerKey', () => {
    // RFC 7677 §3: user "user", password "pencil", salt and nonces as given there.
    const credential = deriveScramCredential(
      'user',
      'pencil',
      'admin',
      4096,
      Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'),
    );
    const nonce = 'rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0';
    const authMessage =
      `n=user,r=rOprNGfwEbeRWgbNEkqO,r=${nonce},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,` + `c=biws,r=${nonce}`;
    const signature = createHmac('sha256', Buffer.from(credential.serverKey, 'base64'))
      .update(authMessage)
      .digest('base64');
    expect(signature).toBe('6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=');
    expect(JSON.stringify(credential)).not.toContain('pencil');
  });

  it('runs the full exchange, with and without the empty last step, and refuses a wrong proof or an unknown user alike', () => {
    const users = new ScramUsers([deriveScramCredential('app', 's3cret-pass', 'admin', 4096)]);
    for (const skip of [true, false]) {
      const session = users.session();
      const client = scramClient('app', 's3cret-pass');
      const first = session.start('admin', client.start(skip)).reply;
      expect(first).toMatchObject({ ok: 1, done: false, conversationId: 1 });
      expect(text(first.payload)).toMatch(/^r=.+,s=.+,i=4096$/);
      const { payload, serverSignature } = client.final(text(first.payload));
      const second = session.continue({
        saslContinue: 1,
        conversationId: 1,
        payload: new Binary(Buffer.from(payload)),
      });
      expect(text(second.reply.payload)).toBe(`v=${serverSignature}`);
      expect(second.reply.done).toBe(skip);
      expect(second.authenticated !== undefined).toBe(skip);
      if (!skip) {
        const last = session.continue({
          saslContinue: 1,
          conversationId: 1,
          payload: new Binary(Buffer.alloc(0)),
        });
        expect(last.reply).toMatchObject({ ok: 1, done: true });
        expect(last.authenticated).toEqual({ user: 'app', db: 'admin' });
      }
    }
    for (const [user, password] of [
      ['app', 'wrong-pass'],
      ['nobody', 's3cret-pass'],
    ]) {
      const session = users.session();
      const client = scramClient(user, password);
      // An unknown user gets a salt too: the failure comes at the proof, like a wrong password.
      const first = session.start('admin', client.start(true)).reply;
      expect(first.ok).toBe(1);
      const { payload } = client.final(text(first.payload));
      const outcome = session.continue({
        saslContinue: 1,
        conversationId: 1,
        payload: new Binary(Buffer.from(payload)),
      });
      expect(outcome.reply).toEqual({
        ok: 0,
        errmsg: 'Authentication failed.',
        code: 18,
        codeName: 'AuthenticationFailed',
      });
      expect(outcome.authenticated).toBeUndefined();
    }
  });

  it('refuses a non-ASCII password loudly instead of hashing it differently from a driver (no SASLprep)', () => {
    expect(() => deriveScramCredential('app', 'mật khẩu dài')).toThrow(/ASCII/);
  });
});

describe('an in-memory server with the bare driver and mongoose', () => {
  let server: EmbeddedServer;
  beforeAll(async () => {
    server = await startEmbeddedServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('answers 13 Unauthorized to a client without credentials, as mongod does, and lets it say hello, ping and buildInfo', async () => {
    const client = await new MongoClient(server.address, quick).connect();
    try {
      const error = await client
        .db('doanvien')
        .collection('users')
        .find()
        .toArray()
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MongoServerError);
      expect(error).toMatchObject({
        code: 13,
        codeName: 'Unauthorized',
        message: 'Command find requires authentication',
      });
      for (const command of [
        { insert: 'users', documents: [{ a: 1 }] },
        { listDatabases: 1 },
        { dropDatabase: 1 },
      ])
        await expect(client.db('doanvien').command(command)).rejects.toMatchObject({ code: 13 });
      expect(await client.db('admin').command({ ping: 1 })).toMatchObject({ ok: 1 });
      expect(await client.db('admin').command({ buildInfo: 1 })).toMatchObject({ ok: 1 });
      expect(await client.db('admin').command({ hello: 1 })).toMatchObject({ ok: 1, setName: 'rs0' });
    } finally {
      await client.close();
    }
  });

  it('answers 18 AuthenticationFailed to a wrong password or an unknown user', async () => {
    for (const uri of [
      withPassword(server.uri, 'not-the-password'),
      server.uri.replace(/\/\/[^:]+:/, '//someone-else:'),
    ]) {
      const error = await new MongoClient(uri, quick).connect().catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 18, codeName: 'AuthenticationFailed' });
    }
  });

  it('serves the right credential: CRUD and transactions through the driver', async () => {
    expect(server.uri).toContain(`${server.credential!.user}:`);
    expect(server.uri).toContain('authSource=admin');
    const client = await new MongoClient(server.uri, quick).connect();
    try {
      const hello = await client
        .db('admin')
        .command({ hello: 1, saslSupportedMechs: `admin.${server.credential!.user}` });
      expect(hello.saslSupportedMechs).toEqual(['SCRAM-SHA-256']);
      const things = client.db('bare').collection('things');
      await things.insertOne({ n: 1 });
      const session = client.startSession();
      try {
        await session.withTransaction(async () => {
          await things.insertOne({ n: 2 }, { session });
          await things.updateOne({ n: 1 }, { $set: { seen: true } }, { session });
        });
        session.startTransaction();
        await things.insertOne({ n: 3 }, { session });
        await session.abortTransaction();
      } finally {
        await session.endSession();
      }
      expect(
        await things
          .find({}, { projection: { _id: 0 } })
          .sort({ n: 1 })
          .toArray(),
      ).toEqual([{ n: 1, seen: true }, { n: 2 }]);
    } finally {
      await client.close();
    }
  });

  it('serves mongoose the same way: refused without credentials, 18 with a wrong one, transactions with the right one', async () => {
    const schema = new mongoose.Schema({ name: String });
    const anonymous = mongoose.createConnection(server.address, { dbName: 'goose', ...quick });
    try {
      await anonymous.asPromise();
      await expect(anonymous.model('Thing', schema).find().exec()).rejects.toMatchObject({ code: 13 });
    } finally {
      await anonymous.close();
    }
    const wrong = mongoose.createConnection(withPassword(server.uri, 'nope'), { dbName: 'goose', ...quick });
    await expect(wrong.asPromise()).rejects.toMatchObject({ code: 18 });
    await wrong.close();
    const right = await mongoose.createConnection(server.uri, { dbName: 'goose', ...quick }).asPromise();
    try {
      const Thing = right.model('Thing', schema);
      await right.transaction(async (session) => {
        await Thing.create([{ name: 'một' }, { name: 'hai' }], { session, ordered: true });
      });
      expect((await Thing.find().sort({ name: 1 }).lean()).map((t) => t.name)).toEqual(['hai', 'một']);
    } finally {
      await right.close();
    }
  });
});

describe('the data directory', () => {
  it('is created 0700 with every file 0600, the credential generated once and kept, the server storing no password', async () => {
    const dir = join(tempDir(), 'db');
    const server = await startEmbeddedServer({ dataDir: dir });
    let user: string;
    try {
      const client = await new MongoClient(server.uri, quick).connect();
      await client.db('d').collection('c').insertOne({ citizenId: '001099012345' });
      await client.close();
      await expect(
        new MongoClient(server.address, quick).connect().then((c) =>
          c
            .db('d')
            .collection('c')
            .findOne()
            .finally(() => c.close()),
        ),
      ).rejects.toMatchObject({ code: 13 });
      user = server.credential!.user;
    } finally {
      await server.close();
    }
    expect(mode(dir)).toBe(0o700);
    const files = readdirSync(dir);
    expect(files).toEqual(expect.arrayContaining([CREDENTIAL_FILE, USERS_FILE, 'snapshot.bin']));
    expect(files.some((f) => /^journal-\d+\.log$/.test(f))).toBe(true);
    for (const f of files) expect([f, mode(join(dir, f))]).toEqual([f, 0o600]);
    const credential = JSON.parse(readFileSync(join(dir, CREDENTIAL_FILE), 'utf8'));
    expect(credential.user).toBe(user);
    const users = readFileSync(join(dir, USERS_FILE), 'utf8');
    expect(users).toContain('storedKey');
    expect(users).not.toContain(credential.password);

    // A second start uses the same credential, and the data written with it.
    const again = await startEmbeddedServer({ dataDir: dir });
    try {
      expect(again.credential).toEqual(credential);
      const client = await new MongoClient(again.uri, quick).connect();
      expect(await client.db('d').collection('c').countDocuments()).toBe(1);
      await client.close();
    } finally {
      await again.close();
    }
  });

  it('left 0755/0644 by an older version is tightened at start, with a log line', async () => {
    const dir = join(tempDir(), 'db');
    await (await startEmbeddedServer({ dataDir: dir, inProcess: true })).close();
    // What today's main leaves behind (umask 022).
    chmodSync(dir, 0o755);
    for (const f of readdirSync(dir)) chmodSync(join(dir, f), 0o644);
    const log = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const server = await startEmbeddedServer({ dataDir: dir, inProcess: true });
      await server.close();
      expect(log.mock.calls.map((c) => String(c[0])).join('\n')).toMatch(
        /permissions tightened.*0755→0700.*snapshot\.bin 0644→0600/,
      );
    } finally {
      log.mockRestore();
    }
    expect(mode(dir)).toBe(0o700);
    for (const f of readdirSync(dir)) expect([f, mode(join(dir, f))]).toEqual([f, 0o600]);
  });
});

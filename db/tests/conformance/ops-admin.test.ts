/**
 * collMod, validate, currentOp / killOp and $listLocalSessions through the bare driver,
 * as mongod 7.0 answers them.
 */
import { MongoServerError, type Db, type MongoClient } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { serverError } from './session-helpers.ts';
import { withTargetDb } from './target.ts';

let db: Db;
let client: MongoClient;
let dbName: string;

withTargetDb('opsadmin', (opened) => {
  ({ db, client } = opened);
  dbName = opened.target.dbName;
});

describe('collMod', () => {
  it('changes a TTL index by name or key pattern and answers the old and new values', async () => {
    await db.collection('sessions').createIndex({ at: 1 }, { name: 'at_1', expireAfterSeconds: 3600 });
    const r = await db.command({ collMod: 'sessions', index: { name: 'at_1', expireAfterSeconds: 60 } });
    expect(r).toMatchObject({ expireAfterSeconds_old: 3600, expireAfterSeconds_new: 60, ok: 1 });
    await db.command({ collMod: 'sessions', index: { keyPattern: { at: 1 }, expireAfterSeconds: 120 } });
    const ix = (await db.collection('sessions').listIndexes().toArray()).find((i) => i.name === 'at_1');
    expect(ix?.expireAfterSeconds).toBe(120);
  });

  it('answers IndexNotFound (27) and NamespaceNotFound (26)', async () => {
    await db.collection('c').insertOne({ a: 1 });
    const noIndex = await serverError(
      db.command({ collMod: 'c', index: { name: 'nope_1', expireAfterSeconds: 5 } }),
    );
    expect(noIndex.code).toBe(27);
    const noColl = await serverError(db.command({ collMod: 'missing', validationLevel: 'off' }));
    expect(noColl.code).toBe(26);
  });

  it('stores the validation level and action, as listCollections shows', async () => {
    await db.createCollection('members');
    await db.command({ collMod: 'members', validationLevel: 'moderate', validationAction: 'warn' });
    const [info] = await db.listCollections({ name: 'members' }, { nameOnly: false }).toArray();
    expect(info.options?.validationLevel).toBe('moderate');
    expect(info.options?.validationAction).toBe('warn');
  });

  it('refuses a validator it would not enforce (115, embedded server only), changing nothing', async ({
    skip,
  }) => {
    if (process.env.MONGODB_URI) skip();
    await db.createCollection('members');
    const validator = { $jsonSchema: { bsonType: 'object', required: ['name'] } };
    const refused = await serverError(db.command({ collMod: 'members', validator }));
    expect(refused.code).toBe(115);
    expect(refused.message).toMatch(/schema validators are not enforced/);
    const [info] = await db.listCollections({ name: 'members' }, { nameOnly: false }).toArray();
    expect(info.options?.validator).toBeUndefined();
  });

  it('refuses a bad validationLevel (2) and an unknown field (40415)', async () => {
    await db.createCollection('members');
    const level = await serverError(db.command({ collMod: 'members', validationLevel: 'sometimes' }));
    expect(level.code).toBe(2);
    const unknown = await serverError(db.command({ collMod: 'members', notAField: 1 }));
    expect(unknown.code).toBe(40415);
  });
});

describe('validate', () => {
  it('checks the documents against the indexes', async () => {
    const c = db.collection('people');
    await c.insertMany([{ email: 'a@x', tags: ['p', 'q'] }, { email: 'b@x', tags: ['q'] }, { email: 'c@x' }]);
    await c.createIndex({ email: 1 }, { unique: true, name: 'email_1' });
    await c.createIndex({ tags: 1 }, { name: 'tags_1' });
    const r = await db.command({ validate: 'people' });
    expect(r.ok).toBe(1);
    expect(r.ns).toBe(`${dbName}.people`);
    expect(r.valid).toBe(true);
    expect(r.errors).toEqual([]);
    expect(r.nrecords).toBe(3);
    expect(r.nIndexes).toBe(3);
    // A multikey index has one key per array element (a missing field is one null key).
    expect(r.keysPerIndex).toEqual({ _id_: 3, email_1: 3, tags_1: 4 });
  });

  it('answers NamespaceNotFound (26) for a missing collection', async () => {
    const error = await serverError(db.command({ validate: 'missing' }));
    expect(error.code).toBe(26);
  });
});

describe('currentOp and killOp', () => {
  it('lists the running commands, currentOp itself included', async () => {
    const r = await client.db('admin').command({ currentOp: 1 });
    expect(r.ok).toBe(1);
    expect(Array.isArray(r.inprog)).toBe(true);
    const self = r.inprog.find(
      (op: { command?: { currentOp?: unknown } }) => op.command?.currentOp !== undefined,
    );
    expect(self).toBeDefined();
    expect(typeof self.opid).toBe('number');
    expect(self.active).toBe(true);
  });

  it('answers ok to killOp of an operation that is not running', async () => {
    const r = await client.db('admin').command({ killOp: 1, op: 987654321 });
    expect(r.ok).toBe(1);
  });

  it('interrupts a write waiting for a transaction (11601)', async () => {
    const c = db.collection<{ _id: number; v: number }>('locked');
    await c.insertOne({ _id: 1, v: 0 });
    const session = client.startSession();
    try {
      session.startTransaction();
      await c.updateOne({ _id: 1 }, { $set: { v: 1 } }, { session });
      // Outside the transaction: blocked until the transaction ends.
      const blocked = c.updateOne({ _id: 1 }, { $set: { v: 2 } }, { comment: 'blocked-write' }).then(
        () => null,
        (e: unknown) => e,
      );
      let opid: unknown;
      for (let i = 0; i < 50 && opid === undefined; i++) {
        const { inprog } = await client
          .db('admin')
          .command({ currentOp: 1, 'command.comment': 'blocked-write' });
        opid = inprog[0]?.opid;
        if (opid === undefined) await new Promise((r) => setTimeout(r, 20));
      }
      expect(opid).toBeDefined();
      await client.db('admin').command({ killOp: 1, op: opid });
      const error = (await blocked) as MongoServerError;
      expect(error).toBeInstanceOf(MongoServerError);
      expect(error.code).toBe(11601);
    } finally {
      await session.abortTransaction().catch(() => undefined);
      await session.endSession();
    }
  });
});

describe('$currentOp (the stage mongosh db.currentOp() runs)', () => {
  it('lists the running operations, itself included, and filters them with a later $match', async () => {
    const admin = client.db('admin');
    const rows = await admin
      .aggregate(
        [{ $currentOp: { allUsers: true, truncateOps: false } }, { $match: { 'command.comment': 'me' } }],
        {
          comment: 'me',
        },
      )
      .toArray();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ active: true, command: { aggregate: 1, comment: 'me' } });
    expect(typeof rows[0].opid).toBe('number');
  });

  it('answers 73 outside {aggregate: 1} on admin, 40602 when not first', async () => {
    const onDb = await serverError(db.aggregate([{ $currentOp: {} }]).toArray());
    expect(onDb.code).toBe(73);
    expect(onDb.message).toBe("$currentOp must be run against the 'admin' database with {aggregate: 1}");
    const onColl = await serverError(
      client
        .db('admin')
        .collection('c')
        .aggregate([{ $currentOp: {} }])
        .toArray(),
    );
    expect(onColl.code).toBe(73);
    const notFirst = await serverError(
      client
        .db('admin')
        .aggregate([{ $match: {} }, { $currentOp: {} }])
        .toArray(),
    );
    expect(notFirst.code).toBe(40602);
  });

  it('answers FailedToParse (9) for an unknown option or a non-boolean one', async () => {
    const admin = client.db('admin');
    const unknown = await serverError(admin.aggregate([{ $currentOp: { everything: true } }]).toArray());
    expect(unknown.code).toBe(9);
    expect(unknown.message).toBe("Unrecognized option 'everything' in $currentOp stage.");
    const notBool = await serverError(admin.aggregate([{ $currentOp: { allUsers: 1 } }]).toArray());
    expect(notBool.code).toBe(9);
    expect(notBool.message).toBe(
      "The 'allUsers' parameter of the $currentOp stage must be a boolean value, but found: int",
    );
  });

  it('refuses idle connections and cursors it does not keep (115, embedded server only)', async ({
    skip,
  }) => {
    if (process.env.MONGODB_URI) skip();
    const admin = client.db('admin');
    for (const option of ['idleConnections', 'idleCursors']) {
      const refused = await serverError(admin.aggregate([{ $currentOp: { [option]: true } }]).toArray());
      expect(refused.code).toBe(115);
    }
  });
});

describe('getParameter', () => {
  it('answers the parameters it knows and InvalidOptions (72) when it knows none of those asked', async () => {
    const admin = client.db('admin');
    const known = await admin.command({
      getParameter: 1,
      featureCompatibilityVersion: 1,
      noSuchParameter: 1,
    });
    expect(known.featureCompatibilityVersion).toMatchObject({ version: expect.stringMatching(/^\d+\.\d+$/) });
    expect(known).not.toHaveProperty('noSuchParameter');
    const none = await serverError(admin.command({ getParameter: 1, noSuchParameter: 1 }));
    expect(none.code).toBe(72);
    expect(none.message).toBe('no option found to get');
  });
});

describe('$listLocalSessions', () => {
  it('lists a session a command used', async () => {
    const session = client.startSession();
    try {
      await db.collection('s').findOne({}, { session });
      const id = session.id!.id;
      const rows = await client
        .db('admin')
        .aggregate([{ $listLocalSessions: { allUsers: true } }])
        .toArray();
      const mine = rows.find((r) => r._id.id.toString('hex') === id.toString('hex'));
      expect(mine).toBeDefined();
      expect(mine!.lastUse).toBeInstanceOf(Date);
    } finally {
      await session.endSession();
    }
  });
});

describe('serverStatus: the sections monitoring tools read', () => {
  // Shared server (other files run in parallel on it): counters only ever grow, so the
  // test reads them before and after its own work and asserts at least its own share.
  const status = () => client.db('admin').command({ serverStatus: 1 });
  const num = (v: unknown) => Number(v);

  it('opcounters count documents inserted, statements updated and deleted, queries and getMores', async () => {
    const before = (await status()).opcounters;
    const c = db.collection('counted');
    await c.insertMany([{ a: 1 }, { a: 2 }, { a: 3 }]);
    await c.bulkWrite([
      { updateOne: { filter: { a: 1 }, update: { $set: { b: 1 } } } },
      { updateOne: { filter: { a: 2 }, update: { $set: { b: 1 } } } },
    ]);
    await c.deleteOne({ a: 3 });
    await c.find({}, { batchSize: 1 }).toArray();
    const after = (await status()).opcounters;
    for (const k of ['insert', 'query', 'update', 'delete', 'getmore', 'command'])
      expect(after).toHaveProperty(k);
    expect(num(after.insert) - num(before.insert)).toBeGreaterThanOrEqual(3);
    expect(num(after.update) - num(before.update)).toBeGreaterThanOrEqual(2);
    expect(num(after.delete) - num(before.delete)).toBeGreaterThanOrEqual(1);
    expect(num(after.query) - num(before.query)).toBeGreaterThanOrEqual(1);
    expect(num(after.getmore) - num(before.getmore)).toBeGreaterThanOrEqual(1);
  });

  it('connections, network, asserts and repl are there, with this client counted', async () => {
    const s = await status();
    expect(s.connections.current).toBeGreaterThanOrEqual(1);
    expect(s.connections.totalCreated).toBeGreaterThanOrEqual(s.connections.current);
    expect(s.connections.available).toBeGreaterThan(0);
    expect(num(s.network.bytesIn)).toBeGreaterThan(0);
    expect(num(s.network.bytesOut)).toBeGreaterThan(0);
    expect(num(s.network.numRequests)).toBeGreaterThan(0);
    const userBefore = num(s.asserts.user);
    await db
      .collection('counted')
      .find({ a: { $foo: 1 } })
      .toArray()
      .catch(() => undefined);
    expect(num((await status()).asserts.user)).toBeGreaterThan(userBefore);
    expect(s.repl).toMatchObject({ isWritablePrimary: true, secondary: false });
    expect(s.repl.hosts).toContain(s.repl.me);
    expect(typeof s.repl.setName).toBe('string');
  });
});

describe('rs.status(), rs.conf(), the profiler and the log, as shells call them', () => {
  const admin = () => client.db('admin');

  it('replSetGetStatus and replSetGetConfig describe one primary member, on admin only', async () => {
    const s = await admin().command({ replSetGetStatus: 1 });
    expect(s).toMatchObject({ myState: 1, ok: 1 });
    expect(s.members.filter((m: { stateStr: string }) => m.stateStr === 'PRIMARY')).toHaveLength(1);
    const self = s.members.find((m: { self?: boolean }) => m.self);
    expect(self).toMatchObject({ state: 1, health: 1 });
    const c = await admin().command({ replSetGetConfig: 1 });
    expect(c.config._id).toBe(s.set);
    expect(c.config.members.map((m: { host: string }) => m.host)).toContain(self.name);
    expect((await serverError(db.command({ replSetGetStatus: 1 }))).code).toBe(13);
  });

  it('profile reads level 0 and keeps it off; getLog names its logs', async () => {
    expect(await db.command({ profile: -1 })).toMatchObject({ was: 0, ok: 1 });
    expect(await db.command({ profile: 0 })).toMatchObject({ was: 0, ok: 1 });
    expect((await admin().command({ getLog: '*' })).names).toContain('global');
    expect(Array.isArray((await admin().command({ getLog: 'global' })).log)).toBe(true);
  });
});

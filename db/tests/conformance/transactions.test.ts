/**
 * Conformance of the server as the primary of a one-member replica set, through the bare
 * driver: what `hello` and every reply report (set name, primary, election id, cluster and
 * operation times), and multi-document transactions as MongoDB 7.0 runs them: commit and
 * abort, reading one's own writes, snapshot isolation, write conflicts and their
 * TransientTransactionError label, the commands refused inside a transaction and their
 * codes, retried and misplaced commit/abort, the lifetime limit and stale txnNumbers.
 * Runs on the embedded server, or on a real replica set when MONGODB_URI is set; every
 * assertion must hold on both. Sources for each expected reply are named next to the test.
 */
import {
  Binary,
  Long,
  MongoClient,
  ObjectId,
  Timestamp,
  type ClientSession,
  type ClientSessionOptions,
  type Db,
  type TopologyDescription,
} from 'mongodb';
import { afterEach, describe, expect, it } from 'vitest';
import { withTargetDb, type Target } from './target.ts';
import { compareTimestamps, recordCommands, serverError, sleep } from './session-helpers.ts';

interface Item {
  _id: number | string;
  kind?: string;
  n?: number;
  by?: string;
  a?: number;
}

let target: Target;
let client: MongoClient;
let db: Db;
let sessions: ClientSession[] = [];

withTargetDb('txn', (opened) => {
  ({ target, client, db } = opened);
});
afterEach(async () => {
  // Ending a session aborts its open transaction, so no test leaves locks behind.
  await Promise.all(sessions.map((s) => s.endSession().catch(() => undefined)));
  sessions = [];
});

function startSession(on: MongoClient = client, options?: ClientSessionOptions): ClientSession {
  const session = on.startSession(options);
  sessions.push(session);
  return session;
}

const items = (database: Db = db, name = 'items') => database.collection<Item>(name);

describe('replica set primary', () => {
  // hello fields: https://www.mongodb.com/docs/v7.0/reference/command/hello/ (replica set section).
  it('answers hello as the writable primary of a named set', async () => {
    const hello = await db.admin().command({ hello: 1 });
    expect(typeof hello.setName).toBe('string');
    expect(hello.setName.length).toBeGreaterThan(0);
    expect(hello.isWritablePrimary).toBe(true);
    expect(hello.secondary).toBe(false);
    expect(typeof hello.me).toBe('string');
    expect(hello.primary).toBe(hello.me);
    expect(Array.isArray(hello.hosts)).toBe(true);
    expect(hello.hosts).toContain(hello.me);
    expect(typeof hello.setVersion).toBe('number');
    expect(hello.electionId).toBeInstanceOf(ObjectId);
    expect(hello.lastWrite.opTime.ts).toBeInstanceOf(Timestamp);
    expect(hello.lastWrite.lastWriteDate).toBeInstanceOf(Date);
    expect(typeof hello.logicalSessionTimeoutMinutes).toBe('number');
    expect(hello.logicalSessionTimeoutMinutes).toBeGreaterThan(0);
    if (!target.external) expect(hello.me).toBe(new URL(target.uri).host);
  });

  it('is discovered by the driver as a replica set with a primary', async () => {
    // MongoClient.topology is internal in driver 7.8 (excluded from the typings); the
    // public way to see the SDAM view is the topologyDescriptionChanged event.
    const descriptions: TopologyDescription[] = [];
    const watcher = new MongoClient(target.uri, { serverSelectionTimeoutMS: 5000 });
    watcher.on('topologyDescriptionChanged', (event) => descriptions.push(event.newDescription));
    try {
      await watcher.connect();
      const hello = await watcher.db('admin').command({ hello: 1 });
      const last = descriptions.at(-1);
      expect(last?.type).toBe('ReplicaSetWithPrimary');
      expect(last?.setName).toBe(hello.setName);
      const primaries = [...(last?.servers.values() ?? [])].filter((server) => server.type === 'RSPrimary');
      expect(primaries).toHaveLength(1);
      expect(primaries[0].setName).toBe(hello.setName);
    } finally {
      await watcher.close();
    }
  });

  it('returns $clusterTime and an operationTime that a write moves forward', async () => {
    const before = await db.command({ ping: 1 });
    expect(before.$clusterTime.clusterTime).toBeInstanceOf(Timestamp);
    expect(before.$clusterTime.signature.hash).toBeInstanceOf(Binary);
    expect(before.$clusterTime.signature).toHaveProperty('keyId');
    expect(before.operationTime).toBeInstanceOf(Timestamp);

    const write = await db.command({ insert: 'clock', documents: [{ x: 1 }] });
    expect(write.n).toBe(1);
    expect(write.operationTime).toBeInstanceOf(Timestamp);
    expect(compareTimestamps(write.operationTime, before.operationTime)).toBeGreaterThan(0);
    expect(compareTimestamps(write.$clusterTime.clusterTime, write.operationTime)).toBeGreaterThanOrEqual(0);

    const after = await db.command({ ping: 1 });
    expect(compareTimestamps(after.operationTime, write.operationTime)).toBeGreaterThanOrEqual(0);
    expect(
      compareTimestamps(after.$clusterTime.clusterTime, write.$clusterTime.clusterTime),
    ).toBeGreaterThanOrEqual(0);
  });
});

describe('commit and abort', () => {
  it('withTransaction commits writes to two collections together', async () => {
    await db.createCollection('orders');
    await db.createCollection('lines');
    const session = startSession();
    await session.withTransaction(async (s) => {
      await items(db, 'orders').insertOne({ _id: 1, n: 2 }, { session: s });
      await items(db, 'lines').insertMany(
        [
          { _id: 'l1', n: 1 },
          { _id: 'l2', n: 1 },
        ],
        { session: s },
      );
    });
    expect(await items(db, 'orders').find().toArray()).toEqual([{ _id: 1, n: 2 }]);
    expect(await items(db, 'lines').find().sort({ _id: 1 }).toArray()).toEqual([
      { _id: 'l1', n: 1 },
      { _id: 'l2', n: 1 },
    ]);
  });

  it('abortTransaction discards every write of the transaction', async () => {
    await db.createCollection('orders');
    await db.createCollection('lines');
    await items(db, 'orders').insertOne({ _id: 0, n: 0 });
    const session = startSession();
    session.startTransaction();
    await items(db, 'orders').insertOne({ _id: 1, n: 1 }, { session });
    await items(db, 'orders').updateOne({ _id: 0 }, { $set: { n: 5 } }, { session });
    await items(db, 'lines').insertOne({ _id: 'l1' }, { session });
    await session.abortTransaction();
    expect(await items(db, 'orders').find().toArray()).toEqual([{ _id: 0, n: 0 }]);
    expect(await items(db, 'lines').countDocuments()).toBe(0);
  });

  it('a withTransaction callback that throws writes nothing and rethrows', async () => {
    await db.createCollection('orders');
    const session = startSession();
    const error = await session
      .withTransaction(async (s) => {
        await items(db, 'orders').insertOne({ _id: 1 }, { session: s });
        throw new Error('callback failed');
      })
      .then(
        () => null,
        (e: unknown) => e as Error,
      );
    expect(error?.message).toBe('callback failed');
    expect(await items(db, 'orders').countDocuments()).toBe(0);
  });
});

describe('isolation', () => {
  // Spec: mongodb/specifications source/transactions/tests/unified/isolation.yml.
  it('reads inside see the transaction’s own writes; others see them only after commit', async () => {
    const coll = items();
    const original = [
      { _id: 1, kind: 'a', n: 1 },
      { _id: 2, kind: 'b', n: 2 },
      { _id: 3, kind: 'a', n: 3 },
    ];
    await coll.insertMany(original);
    const session = startSession();
    const other = startSession();
    session.startTransaction();
    await coll.insertOne({ _id: 4, kind: 'c', n: 4 }, { session });
    await coll.updateOne({ _id: 2 }, { $set: { kind: 'a' } }, { session });
    await coll.deleteOne({ _id: 3 }, { session });

    const inside = [
      { _id: 1, kind: 'a', n: 1 },
      { _id: 2, kind: 'a', n: 2 },
      { _id: 4, kind: 'c', n: 4 },
    ];
    expect(await coll.find({}, { session }).sort({ _id: 1 }).toArray()).toEqual(inside);
    expect(await coll.countDocuments({ kind: 'a' }, { session })).toBe(2);
    expect(await coll.countDocuments({}, { session })).toBe(3);
    expect(
      await coll.aggregate([{ $group: { _id: null, total: { $sum: '$n' } } }], { session }).toArray(),
    ).toEqual([{ _id: null, total: 7 }]);
    expect((await coll.distinct('kind', {}, { session })).sort()).toEqual(['a', 'c']);
    expect(await coll.findOne({ _id: 4 }, { session })).toEqual({ _id: 4, kind: 'c', n: 4 });
    expect(await coll.findOne({ _id: 3 }, { session })).toBeNull();

    // Another session and a session-less read see the committed state only.
    expect(await coll.find({}, { session: other }).sort({ _id: 1 }).toArray()).toEqual(original);
    expect(await coll.find().sort({ _id: 1 }).toArray()).toEqual(original);
    expect(await coll.aggregate([{ $group: { _id: null, total: { $sum: '$n' } } }]).toArray()).toEqual([
      { _id: null, total: 6 },
    ]);
    expect((await coll.distinct('kind')).sort()).toEqual(['a', 'b']);
    expect(await coll.findOne({ _id: 4 }, { session: other })).toBeNull();

    await session.commitTransaction();
    expect(await coll.find({}, { session: other }).sort({ _id: 1 }).toArray()).toEqual(inside);
    expect(await coll.find().sort({ _id: 1 }).toArray()).toEqual(inside);
  });

  it('reads from the snapshot taken at the first operation, not at startTransaction', async () => {
    // Spec isolation.yml "two transactions": after another transaction commits, session1
    // still does not see its insert ("Snapshot isolation in session1, not read-committed").
    const coll = items();
    await coll.insertOne({ _id: 1, n: 1 });
    const session = startSession();
    session.startTransaction();
    // startTransaction sends nothing: a write committed now is before the snapshot.
    await coll.insertOne({ _id: 2, n: 2 });
    expect(await coll.find({}, { session }).sort({ _id: 1 }).toArray()).toEqual([
      { _id: 1, n: 1 },
      { _id: 2, n: 2 },
    ]);
    // Committed by someone else after the transaction's first read: invisible inside.
    await coll.insertOne({ _id: 3, n: 3 });
    await coll.updateOne({ _id: 1 }, { $set: { n: 10 } });
    await coll.deleteOne({ _id: 2 });
    expect(await coll.find({}, { session }).sort({ _id: 1 }).toArray()).toEqual([
      { _id: 1, n: 1 },
      { _id: 2, n: 2 },
    ]);
    expect(await coll.countDocuments({}, { session })).toBe(2);
    expect(await coll.findOne({ _id: 3 }, { session })).toBeNull();
    await session.commitTransaction();
    expect(await coll.find().sort({ _id: 1 }).toArray()).toEqual([
      { _id: 1, n: 10 },
      { _id: 3, n: 3 },
    ]);
  });
});

describe('write conflicts', () => {
  // Spec errors.yml "write conflict commit": WriteConflict with TransientTransactionError,
  // and the loser's transaction is gone (NoSuchTransaction, also transient).
  it('the second writer of a document gets 112 WriteConflict, transient, and its transaction is aborted', async () => {
    const coll = items();
    await coll.insertOne({ _id: 1, n: 0 });
    const first = startSession();
    const second = startSession();
    first.startTransaction();
    await coll.updateOne({ _id: 1 }, { $inc: { n: 1 } }, { session: first });
    second.startTransaction();
    const conflict = await serverError(coll.updateOne({ _id: 1 }, { $inc: { n: 100 } }, { session: second }));
    expect(conflict.code).toBe(112);
    expect(conflict.codeName).toBe('WriteConflict');
    expect(conflict.hasErrorLabel('TransientTransactionError')).toBe(true);
    expect(conflict.hasErrorLabel('UnknownTransactionCommitResult')).toBe(false);

    const after = await serverError(coll.findOne({ _id: 1 }, { session: second }));
    expect(after.code).toBe(251);
    expect(after.codeName).toBe('NoSuchTransaction');
    expect(after.hasErrorLabel('TransientTransactionError')).toBe(true);
    await second.abortTransaction(); // the driver ignores the server's NoSuchTransaction here

    await first.commitTransaction();
    expect(await coll.findOne({ _id: 1 })).toEqual({ _id: 1, n: 1 });
  });

  it('an insert of the same _id by two transactions conflicts too', async () => {
    await db.createCollection('items');
    const coll = items();
    const first = startSession();
    const second = startSession();
    first.startTransaction();
    await coll.insertOne({ _id: 1, by: 'first' }, { session: first });
    second.startTransaction();
    const conflict = await serverError(coll.insertOne({ _id: 1, by: 'second' }, { session: second }));
    expect(conflict.code).toBe(112);
    expect(conflict.hasErrorLabel('TransientTransactionError')).toBe(true);
    await first.commitTransaction();
    const commit = await serverError(second.commitTransaction());
    expect(commit.code).toBe(251);
    expect(commit.hasErrorLabel('TransientTransactionError')).toBe(true);
    expect(await coll.find().toArray()).toEqual([{ _id: 1, by: 'first' }]);
  });

  it('a write outside any transaction to a document a transaction wrote is applied after that transaction', async () => {
    // On mongod the outside write waits (it retries its write conflict internally) until the
    // transaction ends; only the outcome is asserted here, not the timing.
    const coll = items();
    await coll.insertOne({ _id: 1, n: 0 });
    const session = startSession();
    session.startTransaction();
    await coll.updateOne({ _id: 1 }, { $inc: { n: 1 }, $set: { by: 'txn' } }, { session });
    const outside = coll.updateOne({ _id: 1 }, { $inc: { n: 10 } });
    await sleep(50);
    await session.commitTransaction();
    const result = await outside;
    expect(result.matchedCount).toBe(1);
    expect(result.modifiedCount).toBe(1);
    expect(await coll.findOne({ _id: 1 })).toEqual({ _id: 1, n: 11, by: 'txn' });
  });

  it('withTransaction retries a callback that hit a write conflict, then succeeds', async () => {
    const coll = items();
    await coll.insertOne({ _id: 1, n: 0 });
    const holder = startSession();
    holder.startTransaction();
    await coll.updateOne({ _id: 1 }, { $inc: { n: 1 } }, { session: holder });

    const session = startSession();
    let attempts = 0;
    const errors: unknown[] = [];
    await session.withTransaction(async (s) => {
      attempts += 1;
      try {
        await coll.updateOne({ _id: 1 }, { $inc: { n: 1 } }, { session: s });
      } catch (e) {
        errors.push(e);
        throw e;
      } finally {
        // Let the first attempt conflict, then get out of the way.
        if (attempts === 1) await holder.commitTransaction();
      }
    });
    expect(attempts).toBeGreaterThanOrEqual(2);
    expect(errors.length).toBe(attempts - 1);
    expect(errors[0]).toMatchObject({ code: 112, codeName: 'WriteConflict' });
    expect(
      (errors[0] as { hasErrorLabel(l: string): boolean }).hasErrorLabel('TransientTransactionError'),
    ).toBe(true);
    expect(await coll.findOne({ _id: 1 })).toEqual({ _id: 1, n: 2 });
  });
});

describe('errors inside a transaction', () => {
  // Spec abort.yml "abort ignores TransactionAborted": a duplicate key (E11000, not transient)
  // aborts the transaction on the server; the next statement gets NoSuchTransaction.
  it('a duplicate key is 11000 and aborts the transaction on the server', async () => {
    const coll = items();
    await coll.insertOne({ _id: 'taken' });
    const session = startSession();
    session.startTransaction();
    await coll.insertOne({ _id: 'first' }, { session });
    const duplicate = await serverError(coll.insertOne({ _id: 'taken' }, { session }));
    expect(duplicate.code).toBe(11000);
    expect(duplicate.hasErrorLabel('TransientTransactionError')).toBe(false);
    const next = await serverError(coll.insertOne({ _id: 'second' }, { session }));
    expect(next.code).toBe(251);
    expect(next.codeName).toBe('NoSuchTransaction');
    expect(next.hasErrorLabel('TransientTransactionError')).toBe(true);
    await session.abortTransaction();
    expect(await coll.find().toArray()).toEqual([{ _id: 'taken' }]);
  });

  // Spec count.yml (OperationNotSupportedInTransaction, not transient); mongo
  // jstests/core/txns/commands_not_allowed_in_txn.js: a refused command inside a transaction
  // "fails inside a transaction, but does not abort the transaction".
  it('refuses count with 263 OperationNotSupportedInTransaction, leaving the transaction open', async () => {
    const coll = items();
    await coll.insertOne({ _id: 1 });
    const session = startSession();
    session.startTransaction();
    await coll.insertOne({ _id: 2 }, { session });
    const error = await serverError(coll.count({}, { session }));
    expect(error.code).toBe(263);
    expect(error.codeName).toBe('OperationNotSupportedInTransaction');
    expect(error.hasErrorLabel('TransientTransactionError')).toBe(false);
    await session.commitTransaction();
    expect(await coll.countDocuments()).toBe(2);
  });

  it('refuses drop with 263, leaving the collection and the transaction alone', async () => {
    await items(db, 'victim').insertOne({ _id: 1 });
    const session = startSession();
    session.startTransaction();
    await items().insertOne({ _id: 1 }, { session });
    const error = await serverError(db.command({ drop: 'victim' }, { session }));
    expect(error.code).toBe(263);
    expect(error.codeName).toBe('OperationNotSupportedInTransaction');
    await session.commitTransaction();
    expect(await items(db, 'victim').find().toArray()).toEqual([{ _id: 1 }]);
    expect(await items().countDocuments()).toBe(1);
  });

  it('refuses listCollections with 263', async () => {
    await db.createCollection('items');
    const session = startSession();
    session.startTransaction();
    await items().insertOne({ _id: 1 }, { session });
    const error = await serverError(db.command({ listCollections: 1, nameOnly: true }, { session }));
    expect(error.code).toBe(263);
    expect(error.codeName).toBe('OperationNotSupportedInTransaction');
    await session.commitTransaction();
    expect(await items().countDocuments()).toBe(1);
  });

  // mongo src/mongo/db/transaction_validation.cpp validateWriteConcernForTransaction and
  // jstests/core/txns/no_read_or_write_concern_inside_txn.js ("Transaction should still commit").
  it('refuses a writeConcern on a statement with 72 InvalidOptions, leaving the transaction open', async () => {
    await db.createCollection('items');
    const session = startSession();
    session.startTransaction();
    await items().insertOne({ _id: 1 }, { session });
    // The driver drops writeConcern from CRUD helpers inside a transaction; a raw command
    // keeps it, as a hand-written command would.
    const error = await serverError(
      db.command({ insert: 'items', documents: [{ _id: 2 }], writeConcern: { w: 1 } }, { session }),
    );
    expect(error.code).toBe(72);
    expect(error.codeName).toBe('InvalidOptions');
    await session.commitTransaction();
    expect(await items().find().toArray()).toEqual([{ _id: 1 }]);
  });

  // jstests/core/txns/create_existing_indexes.js: a new index on a collection that existed
  // before the transaction → OperationNotSupportedInTransaction, and the transaction is gone.
  it('refuses a new index on an existing non-empty collection with 263 and aborts the transaction', async () => {
    const coll = items();
    await coll.insertOne({ _id: 1, a: 1 });
    const session = startSession();
    session.startTransaction();
    await coll.insertOne({ _id: 2, a: 2 }, { session });
    const error = await serverError(
      db.command({ createIndexes: 'items', indexes: [{ key: { a: 1 }, name: 'a_1' }] }, { session }),
    );
    expect(error.code).toBe(263);
    expect(error.codeName).toBe('OperationNotSupportedInTransaction');
    const next = await serverError(coll.insertOne({ _id: 3 }, { session }));
    expect(next.code).toBe(251);
    await session.abortTransaction();
    expect(await coll.find().toArray()).toEqual([{ _id: 1, a: 1 }]);
    expect((await coll.listIndexes().toArray()).map((index) => index.name)).toEqual(['_id_']);
  });

  // Spec create-collection.yml "implicitly create collection using insert" (4.4+).
  it('creates a new collection by an insert inside the transaction, visible only after commit', async () => {
    await db.createCollection('existing');
    const session = startSession();
    session.startTransaction();
    await items(db, 'fresh').insertOne({ _id: 1 }, { session });
    expect(await items(db, 'fresh').findOne({ _id: 1 }, { session })).toEqual({ _id: 1 });
    const during = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
    expect(during).toContain('existing');
    expect(during).not.toContain('fresh');
    await session.commitTransaction();
    const after = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).sort();
    expect(after).toEqual(['existing', 'fresh']);
    expect(await items(db, 'fresh').find().toArray()).toEqual([{ _id: 1 }]);
  });

  // Spec create-index.yml "create index on a non-existing collection" (4.4+).
  it('creates an index on a new collection inside the transaction, visible only after commit', async () => {
    await db.createCollection('existing');
    const session = startSession();
    session.startTransaction();
    await db.command({ createIndexes: 'indexed', indexes: [{ key: { t: 1 }, name: 't_1' }] }, { session });
    const during = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
    expect(during).not.toContain('indexed');
    await session.commitTransaction();
    const names = (await db.collection('indexed').listIndexes().toArray()).map((index) => index.name).sort();
    expect(names).toEqual(['_id_', 't_1']);
  });

  // jstests/core/txns/kill_transaction_cursors_after_commit.js (the cursor outlives the
  // commit); src/mongo/db/commands/getmore_cmd.cpp validateTxnNumber: uassert 50740
  // "Cannot run getMore on cursor …, which was created in transaction …, without a txnNumber".
  it('continues a cursor inside its transaction, refuses getMore on it after commit (50740)', async () => {
    const coll = items();
    await coll.insertMany([0, 1, 2, 3, 4].map((i) => ({ _id: i })));
    const session = startSession();
    session.startTransaction();
    const first = await db.command({ find: 'items', sort: { _id: 1 }, batchSize: 2 }, { session });
    expect(first.cursor.firstBatch.map((d: Item) => d._id)).toEqual([0, 1]);
    const more = await db.command({ getMore: first.cursor.id, collection: 'items' }, { session });
    expect(more.cursor.nextBatch.map((d: Item) => d._id)).toEqual([2, 3, 4]);

    const open = await db.command({ find: 'items', sort: { _id: 1 }, batchSize: 2 }, { session });
    expect(Long.isLong(open.cursor.id) && !open.cursor.id.isZero()).toBe(true);
    await session.commitTransaction();
    const error = await serverError(
      db.command({ getMore: open.cursor.id, collection: 'items' }, { session }),
    );
    expect(error.code).toBe(50740);
  });
});

describe('commitTransaction and abortTransaction after the fact', () => {
  // Spec commit.yml "multiple commits in a row" (the driver re-sends commit with the same
  // txnNumber) and jstests/core/txns/finished_transaction_error_handling.js ("Retry
  // commitTransaction command on a committed transaction" works; abort of a committed
  // transaction → TransactionCommitted; commit of an aborted one → NoSuchTransaction).
  it('answers ok to a commit retried after a lost reply, with the same txnNumber', async () => {
    const monitored = await target.client({ monitorCommands: true });
    const log = recordCommands(monitored);
    const coll = items(monitored.db(target.dbName));
    await db.createCollection('items');
    const session = startSession(monitored);
    session.startTransaction();
    await coll.insertOne({ _id: 1 }, { session });
    await session.commitTransaction();
    await session.commitTransaction(); // the driver sends commitTransaction again
    // And as a hand-made retry: the driver fills in lsid, the session's txnNumber and autocommit.
    const raw = await monitored.db('admin').command({ commitTransaction: 1 }, { session });
    expect(raw.ok).toBe(1);

    const commits = log.named('commitTransaction');
    expect(commits).toHaveLength(3);
    const txnNumbers = commits.map((event) => String(event.command.txnNumber));
    expect(txnNumbers[0]).toBe(String(log.named('insert')[0].command.txnNumber));
    expect(new Set(txnNumbers).size).toBe(1);
    expect(commits.map((event) => event.command.autocommit)).toEqual([false, false, false]);
    expect(commits[1].command.writeConcern).toMatchObject({ w: 'majority' });
    expect(log.succeeded.filter((event) => event.commandName === 'commitTransaction')).toHaveLength(3);
    expect(await items().find().toArray()).toEqual([{ _id: 1 }]);
  });

  it('refuses abortTransaction after commit with 256 TransactionCommitted', async () => {
    await db.createCollection('items');
    const session = startSession();
    session.startTransaction();
    await items().insertOne({ _id: 1 }, { session });
    await session.commitTransaction();
    // session.abortTransaction() would fail in the driver ("Cannot call abortTransaction after
    // calling commitTransaction") without asking the server, so the command is sent raw.
    const error = await serverError(db.admin().command({ abortTransaction: 1 }, { session }));
    expect(error.code).toBe(256);
    expect(error.codeName).toBe('TransactionCommitted');
    expect(await items().find().toArray()).toEqual([{ _id: 1 }]);
  });

  it('refuses commitTransaction of an aborted transaction with 251 NoSuchTransaction', async () => {
    await db.createCollection('items');
    const session = startSession();
    session.startTransaction();
    await items().insertOne({ _id: 1 }, { session });
    await session.abortTransaction();
    const error = await serverError(db.admin().command({ commitTransaction: 1 }, { session }));
    expect(error.code).toBe(251);
    expect(error.codeName).toBe('NoSuchTransaction');
    expect(await items().countDocuments()).toBe(0);
  });
});

describe('transaction numbers and lifetime', () => {
  // TransactionTooOld (225): src/mongo/db/transaction/transaction_participant_test.cpp
  // OlderTransactionFailsOnSessionWithNewerTransaction / OldRetryableWriteFailsOnSessionWithNewerTransaction;
  // continuing a committed one: finished_transaction_error_handling.js (TransactionCommitted).
  it('refuses a statement with an older txnNumber (225 TransactionTooOld)', async () => {
    const monitored = await target.client({ monitorCommands: true });
    const log = recordCommands(monitored);
    const mdb = monitored.db(target.dbName);
    await db.createCollection('items');
    const session = startSession(monitored, { causalConsistency: false });
    for (const id of [1, 2]) {
      session.startTransaction();
      await items(mdb).insertOne({ _id: id }, { session });
      await session.commitTransaction();
    }
    const [firstTxn, secondTxn] = log.named('insert').map((event) => Long.fromValue(event.command.txnNumber));
    expect(secondTxn.greaterThan(firstTxn)).toBe(true);

    // The session is no longer in a transaction, so the driver keeps our txnNumber as written.
    const asTransaction = await serverError(
      mdb.command(
        {
          insert: 'items',
          documents: [{ _id: 'old' }],
          txnNumber: firstTxn,
          startTransaction: true,
          autocommit: false,
        },
        { session },
      ),
    );
    expect(String(log.named('insert').at(-1)?.command.txnNumber)).toBe(String(firstTxn));
    expect(asTransaction.code).toBe(225);
    expect(asTransaction.codeName).toBe('TransactionTooOld');

    const asRetryableWrite = await serverError(
      mdb.command({ insert: 'items', documents: [{ _id: 'old' }], txnNumber: firstTxn }, { session }),
    );
    expect(asRetryableWrite.code).toBe(225);

    const continuingCommitted = await serverError(
      mdb.command(
        { insert: 'items', documents: [{ _id: 'late' }], txnNumber: secondTxn, autocommit: false },
        { session },
      ),
    );
    expect(continuingCommitted.code).toBe(256);
    expect(continuingCommitted.codeName).toBe('TransactionCommitted');
    expect((await items().find().sort({ _id: 1 }).toArray()).map((d) => d._id)).toEqual([1, 2]);
  });

  // jstests/core/txns/abort_expired_transaction.js; the reaper runs every
  // max(1 s, transactionLifetimeLimitSeconds / 2) (periodic_runner_job_abort_expired_transactions.cpp).
  it(
    'aborts a transaction older than transactionLifetimeLimitSeconds (251 afterwards)',
    { timeout: 30_000 },
    async () => {
      const admin = db.admin();
      const current = await admin.command({ getParameter: 1, transactionLifetimeLimitSeconds: 1 });
      const original =
        typeof current.transactionLifetimeLimitSeconds === 'number'
          ? current.transactionLifetimeLimitSeconds
          : 60;
      const coll = items();
      await coll.insertOne({ _id: 'kept' });
      await admin.command({ setParameter: 1, transactionLifetimeLimitSeconds: 1 });
      try {
        const session = startSession();
        session.startTransaction();
        await coll.insertOne({ _id: 'doomed' }, { session });
        // Each probe waits longer than the limit plus one reaper period, so even a server
        // that counted the lifetime from the last statement would have aborted it by then.
        let aborted: unknown = null;
        for (let probe = 0; probe < 7 && aborted === null; probe++) {
          await sleep(2_500);
          aborted = await coll.findOne({ _id: 'doomed' }, { session }).then(
            () => null,
            (e: unknown) => e,
          );
        }
        expect(aborted).toMatchObject({ code: 251, codeName: 'NoSuchTransaction' });
        const commit = await serverError(session.commitTransaction());
        expect(commit.code).toBe(251);
        expect(await coll.find().toArray()).toEqual([{ _id: 'kept' }]);
      } finally {
        await admin.command({ setParameter: 1, transactionLifetimeLimitSeconds: original });
      }
      const restored = await admin.command({ getParameter: 1, transactionLifetimeLimitSeconds: 1 });
      expect(restored.transactionLifetimeLimitSeconds).toBe(original);
    },
  );
});

/**
 * Conformance of retryable writes on the replica-set primary: a write sent again with the
 * same lsid and txnNumber (a retry after a lost reply) is applied once and answered as the
 * first time, for insert, update, delete and findAndModify; a new txnNumber executes again;
 * an older one is refused with 225 TransactionTooOld; and the driver's own retryable writes
 * are on. Runs on the embedded server, or on a real replica set when MONGODB_URI is set.
 *
 * How the commands are sent: driver 7.8 overwrites any `lsid` written in a command document
 * with its session's id (applySession in lib/sessions.js), so each test uses an explicit
 * session of its own client and writes only `txnNumber` by hand; the driver keeps that as
 * written for a runCommand outside a transaction. Command monitoring checks what went on the
 * wire. A client of its own per test keeps these hand-numbered server sessions out of the
 * pool that other tests' driver-numbered retryable writes draw from.
 */
import { Long, type ClientSession, type Db } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { withTargetDb, type Target } from './target.ts';
import { recordCommands, serverError, type CommandLog } from './session-helpers.ts';

let target: Target;
let db: Db;

withTargetDb('retry', (opened) => {
  ({ target, db } = opened);
});

interface Raw {
  db: Db;
  session: ClientSession;
  log: CommandLog;
  /** Sends `command` with `txnNumber` on this session and checks lsid and txnNumber on the wire. */
  send(command: Record<string, unknown>, txnNumber: number): Promise<Record<string, unknown>>;
}

async function rawSession(): Promise<Raw> {
  const own = await target.client({ monitorCommands: true });
  const log = recordCommands(own);
  const ownDb = own.db(target.dbName);
  const session = own.startSession({ causalConsistency: false });
  return {
    db: ownDb,
    session,
    log,
    async send(command, txnNumber) {
      const name = Object.keys(command)[0];
      const before = log.named(name).length;
      const reply = await ownDb.command({ ...command, txnNumber: Long.fromNumber(txnNumber) }, { session });
      const sent = log.named(name)[before];
      expect(String(sent.command.txnNumber)).toBe(String(txnNumber));
      expect(sent.command.lsid.id.toString('hex')).toBe(session.id?.id.toString('hex'));
      expect(sent.command).not.toHaveProperty('autocommit');
      return reply;
    },
  };
}

// Expected replies: mongo jstests/sharding/internal_txns/retryable_writes_retry_in_different_batches.js
// (run directly against a shard's primary mongod too, requires_fcv_60): the retry of
// insert/update/delete answers with the original n / nModified plus `retriedStmtIds: [stmtId]`
// and the first reply has no `retriedStmtIds`; findAndModify answers the original `value` and
// `lastErrorObject` plus `retriedStmtId`. Without explicit stmtIds the statements are 0, 1, …
describe('a retried write is applied once', () => {
  it('insert', async () => {
    const raw = await rawSession();
    const insert = { insert: 'c', documents: [{ tag: 'once' }] };
    const first = await raw.send(insert, 1);
    const retry = await raw.send(insert, 1);
    expect(first).toMatchObject({ ok: 1, n: 1 });
    expect(first).not.toHaveProperty('writeErrors');
    expect(first).not.toHaveProperty('retriedStmtIds');
    expect(retry).toMatchObject({ ok: 1, n: 1 });
    expect(retry).not.toHaveProperty('writeErrors');
    expect(retry.retriedStmtIds).toEqual([0]);
    expect(await db.collection('c').countDocuments({ tag: 'once' })).toBe(1);
  });

  it('update with $inc', async () => {
    await db.collection('c').insertOne({ _id: 1 as never, n: 0 });
    const raw = await rawSession();
    const update = { update: 'c', updates: [{ q: { _id: 1 }, u: { $inc: { n: 1 } } }] };
    const first = await raw.send(update, 1);
    const retry = await raw.send(update, 1);
    expect(first).toMatchObject({ ok: 1, n: 1, nModified: 1 });
    expect(first).not.toHaveProperty('retriedStmtIds');
    expect(retry).toMatchObject({ ok: 1, n: 1, nModified: 1 });
    expect(retry.retriedStmtIds).toEqual([0]);
    expect(await db.collection('c').findOne({ _id: 1 as never })).toEqual({ _id: 1, n: 1 });
  });

  it('delete of one document among several that match', async () => {
    await db.collection('c').insertMany([
      { _id: 1 as never, k: 'x' },
      { _id: 2 as never, k: 'x' },
    ]);
    const raw = await rawSession();
    // Retryable deletes are single-document (limit: 1); a second execution would remove the other.
    const remove = { delete: 'c', deletes: [{ q: { k: 'x' }, limit: 1 }] };
    const first = await raw.send(remove, 1);
    const retry = await raw.send(remove, 1);
    expect(first).toMatchObject({ ok: 1, n: 1 });
    expect(first).not.toHaveProperty('retriedStmtIds');
    expect(retry).toMatchObject({ ok: 1, n: 1 });
    expect(retry.retriedStmtIds).toEqual([0]);
    expect(await db.collection('c').countDocuments({ k: 'x' })).toBe(1);
  });

  it('findAndModify with $inc returns the first result again, not a second increment', async () => {
    await db.collection('c').insertOne({ _id: 1 as never, n: 0 });
    const raw = await rawSession();
    const fam = { findAndModify: 'c', query: { _id: 1 }, update: { $inc: { n: 1 } }, new: true };
    const first = await raw.send(fam, 1);
    const retry = await raw.send(fam, 1);
    expect(first).toMatchObject({
      ok: 1,
      value: { _id: 1, n: 1 },
      lastErrorObject: { n: 1, updatedExisting: true },
    });
    expect(first).not.toHaveProperty('retriedStmtId');
    expect(retry.ok).toBe(1);
    expect(retry.value).toEqual(first.value);
    expect(retry.lastErrorObject).toEqual(first.lastErrorObject);
    expect(retry.retriedStmtId).toBe(0);
    expect(await db.collection('c').findOne({ _id: 1 as never })).toEqual({ _id: 1, n: 1 });
  });

  it('findAndModify returning the document before the change, retried', async () => {
    await db.collection('c').insertOne({ _id: 1 as never, n: 5 });
    const raw = await rawSession();
    const fam = { findAndModify: 'c', query: { _id: 1 }, update: { $inc: { n: 1 } } };
    const first = await raw.send(fam, 7);
    const retry = await raw.send(fam, 7);
    expect(first.value).toEqual({ _id: 1, n: 5 });
    expect(retry.value).toEqual({ _id: 1, n: 5 });
    expect(await db.collection('c').findOne({ _id: 1 as never })).toEqual({ _id: 1, n: 6 });
  });
});

describe('transaction numbers of retryable writes', () => {
  it('executes again under a new txnNumber on the same session', async () => {
    const raw = await rawSession();
    const insert = { insert: 'c', documents: [{ tag: 'twice' }] };
    const first = await raw.send(insert, 1);
    const second = await raw.send(insert, 2);
    expect(first).toMatchObject({ ok: 1, n: 1 });
    expect(second).toMatchObject({ ok: 1, n: 1 });
    expect(second).not.toHaveProperty('retriedStmtIds');
    expect(await db.collection('c').countDocuments({ tag: 'twice' })).toBe(2);

    await db.collection('c').insertOne({ _id: 'ctr' as never, n: 0 });
    const inc = { update: 'c', updates: [{ q: { _id: 'ctr' }, u: { $inc: { n: 1 } } }] };
    await raw.send(inc, 3);
    await raw.send(inc, 3);
    await raw.send(inc, 4);
    expect(await db.collection('c').findOne({ _id: 'ctr' as never })).toEqual({ _id: 'ctr', n: 2 });
  });

  // TransactionTooOld: mongo src/mongo/db/transaction/transaction_participant_test.cpp
  // OldRetryableWriteFailsOnSessionWithNewerTransaction; error_codes.yml 225.
  it('refuses an older txnNumber with 225 TransactionTooOld and writes nothing', async () => {
    const raw = await rawSession();
    await raw.send({ insert: 'c', documents: [{ tag: 'new' }] }, 5);
    const error = await serverError(raw.send({ insert: 'c', documents: [{ tag: 'old' }] }, 4));
    expect(error.code).toBe(225);
    expect(error.codeName).toBe('TransactionTooOld');
    const again = await serverError(raw.send({ insert: 'c', documents: [{ tag: 'new' }] }, 1));
    expect(again.code).toBe(225);
    expect(await db.collection('c').countDocuments({ tag: 'old' })).toBe(0);
    expect(await db.collection('c').countDocuments({ tag: 'new' })).toBe(1);
    // The session still works at its current number and above.
    const retry = await raw.send({ insert: 'c', documents: [{ tag: 'new' }] }, 5);
    expect(retry.retriedStmtIds).toEqual([0]);
    expect(await db.collection('c').countDocuments({ tag: 'new' })).toBe(1);
  });

  it('keeps sessions apart: the same txnNumber on another session is a new write', async () => {
    const one = await rawSession();
    const two = await rawSession();
    expect(two.session.id?.id.toString('hex')).not.toBe(one.session.id?.id.toString('hex'));
    const insert = { insert: 'c', documents: [{ tag: 'per-session' }] };
    await one.send(insert, 1);
    const other = await two.send(insert, 1);
    expect(other).not.toHaveProperty('retriedStmtIds');
    expect(await db.collection('c').countDocuments({ tag: 'per-session' })).toBe(2);
  });
});

describe("the driver's own retryable writes", () => {
  // Retryable writes spec: the driver adds txnNumber only when the deployment supports them
  // (a replica set or mongos with logicalSessionTimeoutMinutes), and only to single-document
  // writes; updateMany/deleteMany are not retryable and carry none.
  it('sends a txnNumber with insertOne (retryWrites is on by default) and none with updateMany', async () => {
    const monitored = await target.client({ monitorCommands: true });
    const log = recordCommands(monitored);
    const coll = monitored.db(target.dbName).collection('driver');
    const inserted = await coll.insertOne({ a: 1 });
    expect(inserted.acknowledged).toBe(true);
    const insert = log.named('insert');
    expect(insert).toHaveLength(1);
    expect(Long.isLong(insert[0].command.txnNumber)).toBe(true);
    expect(insert[0].command.lsid?.id).toBeDefined();

    await coll.updateOne({ a: 1 }, { $set: { b: 1 } });
    await coll.findOneAndUpdate({ a: 1 }, { $inc: { b: 1 } });
    await coll.updateMany({ a: 1 }, { $set: { c: 1 } });
    const [updateOne, updateMany] = log.named('update');
    expect(Long.isLong(updateOne.command.txnNumber)).toBe(true);
    expect(Long.isLong(log.named('findAndModify')[0].command.txnNumber)).toBe(true);
    expect(updateMany.command).not.toHaveProperty('txnNumber');
    expect(await coll.findOne({ a: 1 }, { projection: { _id: 0 } })).toEqual({ a: 1, b: 2, c: 1 });
  });

  it('numbers each retryable write of a session one above the last', async () => {
    const monitored = await target.client({ monitorCommands: true });
    const log = recordCommands(monitored);
    const coll = monitored.db(target.dbName).collection('driver');
    const session = monitored.startSession();
    try {
      await coll.insertOne({ i: 1 }, { session });
      await coll.insertOne({ i: 2 }, { session });
      await coll.deleteOne({ i: 1 }, { session });
    } finally {
      await session.endSession();
    }
    const numbers = log.started
      .filter((event) => ['insert', 'delete'].includes(event.commandName))
      .map((event) => Long.fromValue(event.command.txnNumber).toNumber());
    expect(numbers).toHaveLength(3);
    expect(numbers[1]).toBe(numbers[0] + 1);
    expect(numbers[2]).toBe(numbers[1] + 1);
    expect(await coll.find({}, { projection: { _id: 0 } }).toArray()).toEqual([{ i: 2 }]);
  });
});

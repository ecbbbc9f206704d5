/**
 * Backup you can trust (issue 19, point 6), end to end: the demo province seeded with
 * 50,000 members (and each member's audit chain) into a data directory served as
 * `npm start` serves it (worker thread, journal), a backup taken through that running
 * server while audited member changes keep committing, then a restore into a fresh data
 * directory and the engine started on it.
 *
 * The audited writes are what makes the snapshot matter: each one raises a member's
 * `__v` and appends its event in one transaction, and the backup reads `auditevents`
 * before `members`. A backup that read each collection at its own moment would hold
 * member versions whose events it missed, and `verifyAudit` would report the gap.
 */
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import { BSON, type Document } from 'mongodb';
import { afterAll, describe, expect, it } from 'vitest';
import { connectDatabase, type DatabaseHandle } from '../connect.server.ts';
import { SERVER_FILE } from '@dvut/embedded-mongo';
import { readBackup } from '../backup/reader.ts';
import { backupToFile, restoreToDataDir } from '../backup/run.ts';
import { openDataDir } from '../backup/source.ts';
import type { CollectionEntry } from '../backup/format.ts';
import { seedDatabase } from '../../seed/seed.server.ts';
import { inTransaction } from '../../app/utils/transaction.server.ts';
import { appendAudit } from '../../app/utils/audit/audit.server.ts';
import { verifyAudit } from '../../app/utils/audit/audit-verify.server.ts';
import { Member } from '../../models/member.ts';

const MEMBERS = 50_000;
const SAMPLE_EVERY = 97;

let root = '';
let handle: DatabaseHandle | undefined;

afterAll(async () => {
  await handle?.close();
  if (root) await fsp.rm(root, { recursive: true, force: true });
});

/** One audited change, as the app makes them: the member's new version and its event commit together. */
async function auditedChange(ids: mongoose.Types.ObjectId[], n: number): Promise<void> {
  const _id = ids[n % ids.length];
  await inTransaction(async (session) => {
    const after = await Member.collection.findOneAndUpdate(
      { _id },
      { $inc: { __v: 1 } },
      { session, returnDocument: 'after', projection: { __v: 1 } },
    );
    await appendAudit({
      action: 'member.update',
      entity: 'Member',
      entityId: _id,
      details: { fields: ['__v'], version: after!.__v as number },
    });
  });
}

/** Comparable index specs: as createIndexes takes them, keys in a stable order. */
const specs = (indexes: Document[]) =>
  indexes
    .map(({ v: _v, ns: _ns, ...rest }) =>
      JSON.stringify(Object.entries(rest).sort(([a], [b]) => a.localeCompare(b))),
    )
    .sort();

describe('db:backup while the app writes, then db:restore into a fresh data directory', () => {
  it('round-trips 50,000 members and their audit chains', { timeout: 170_000 }, async () => {
    const t0 = Date.now();
    const lap = (label: string) =>
      console.log(`[backup-roundtrip] ${label}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    root = await fsp.mkdtemp(path.join(os.tmpdir(), 'dvut-backup-'));
    const live = path.join(root, 'live');
    const restored = path.join(root, 'restored');
    const file = path.join(root, 'province.bak');

    handle = await connectDatabase({ dataDir: live });
    await seedDatabase({ members: MEMBERS, seed: 1, batchSize: 2000 });
    lap('seeded');
    // The running server says where it listens, so the backup reaches it instead of the files.
    expect(JSON.parse(await fsp.readFile(path.join(live, SERVER_FILE), 'utf8')).pid).toBe(process.pid);

    // Spread over the whole collection, so changes land ahead of the backup's cursor too.
    const ids = (await Member.collection.find({}, { projection: { _id: 1 } }).toArray())
      .filter((_, i) => i % 100 === 0)
      .map((m) => m._id as mongoose.Types.ObjectId);
    let writing = true;
    let committed = 0;
    const writer = (async () => {
      for (let n = 0; writing; n++) {
        await auditedChange(ids, n);
        committed++;
      }
    })();
    // Some changes before, the rest during the backup.
    while (committed < 20) await new Promise((r) => setTimeout(r, 10));

    const source = await openDataDir(live);
    expect(source.description).toContain('running server');
    const before = committed;
    const totals = await backupToFile(source, file, { kind: 'embedded', dataDir: live });
    const during = committed - before;
    await source.close();
    writing = false;
    await writer;
    lap(
      `backup taken (${totals.documents} documents, ${totals.bytes} bytes, ${during} audited changes committed meanwhile)`,
    );
    expect(during).toBeGreaterThan(0);
    await handle.close();
    handle = undefined;

    // What the file holds: entries, per-collection counts and a sample of documents.
    const entries: CollectionEntry[] = [];
    const counts = new Map<string, number>();
    const samples: { entry: CollectionEntry; bson: Buffer }[] = [];
    let seen = 0;
    for await (const frame of readBackup(file)) {
      if (frame.kind === 'collection') entries.push(frame.entry);
      else if (frame.kind === 'end') counts.set(entries.at(-1)!.name, frame.documents);
      else if (frame.kind === 'document' && seen++ % SAMPLE_EVERY === 0)
        samples.push({ entry: entries.at(-1)!, bson: Buffer.from(frame.bson) });
    }
    expect(counts.get('members')).toBe(MEMBERS);
    expect(counts.get('auditevents')).toBeGreaterThanOrEqual(MEMBERS + 20);

    const result = await restoreToDataDir(file, restored);
    lap(`restored (${result.documents} documents)`);
    expect(result).toEqual({ collections: totals.collections, documents: totals.documents });

    handle = await connectDatabase({ dataDir: restored });
    const db = mongoose.connection.db!;
    for (const entry of entries) {
      const collection = db.collection(entry.name);
      expect(await collection.countDocuments(), entry.name).toBe(counts.get(entry.name));
      expect(specs(await collection.listIndexes().toArray()), entry.name).toEqual(specs(entry.indexes));
    }
    // Byte for byte: every type (Int32, Double, Long, Date, ObjectId…) and field order kept.
    for (const { entry, bson } of samples) {
      const { _id } = BSON.deserialize(bson, { promoteValues: false });
      const back = await db.collection(entry.name).findOne({ _id }, { raw: true });
      expect(Buffer.from(back as unknown as Uint8Array).equals(bson), `${entry.name} ${String(_id)}`).toBe(
        true,
      );
    }
    expect(samples.length).toBeGreaterThan(1000);
    // Unique indexes are enforced again: a second member with a sampled member's student code is refused.
    const member = await Member.collection.findOne({});
    await expect(
      Member.collection.insertOne({ ...member, _id: new mongoose.Types.ObjectId() }),
    ).rejects.toMatchObject({ code: 11000 });

    const report = await verifyAudit();
    lap('audit verified');
    expect(report.problem).toBeNull();
    expect(report.gaps).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.events).toBe(counts.get('auditevents'));
  });
});

/**
 * Reads every user database of a server at one moment, through the driver, into a
 * BackupWriter.
 *
 * One moment: the collections and their indexes are listed first, then every collection
 * is read inside ONE transaction with read concern `snapshot`, so all of them show the
 * data as it was when its first read ran, while the app keeps writing (MongoDB and the
 * embedded server both keep a transaction's snapshot for every collection). Documents
 * are read `raw`: their bytes go to the file untouched, so every BSON type survives.
 * A transaction lives at most `transactionLifetimeLimitSeconds` (60 by default): a
 * database too large to read in that time fails with NoSuchTransaction rather than
 * giving a mixed backup.
 */
import type { Document, MongoClient } from 'mongodb';
import type { CollectionEntry } from './format.ts';
import type { BackupWriter } from './writer.ts';

/** mongod's own databases, never part of an application backup (mongodump skips them too). */
export const SYSTEM_DATABASES = new Set(['admin', 'local', 'config']);

/** Every collection and view of the user databases, with options and index specs, in name order. */
export async function listCatalog(client: MongoClient): Promise<CollectionEntry[]> {
  const { databases } = await client.db('admin').command({ listDatabases: 1, nameOnly: true });
  const names = (databases as { name: string }[])
    .map((d) => d.name)
    .filter((n) => !SYSTEM_DATABASES.has(n))
    .sort();
  const entries: CollectionEntry[] = [];
  for (const dbName of names) {
    const db = client.db(dbName);
    const collections = (await db.listCollections({}, { nameOnly: false }).toArray()) as Document[];
    collections.sort((a, b) => String(a.name).localeCompare(String(b.name)));
    for (const c of collections) {
      const name = String(c.name);
      if (name.startsWith('system.')) continue;
      const type = String(c.type ?? 'collection');
      const indexes =
        type === 'collection' ? ((await db.collection(name).listIndexes().toArray()) as Document[]) : [];
      entries.push({ db: dbName, name, type, options: (c.options ?? {}) as Document, indexes });
    }
  }
  return entries;
}

export interface SnapshotTotals {
  collections: number;
  documents: number;
}

/** Lists the catalogue, then copies every collection from one snapshot into `writer`. */
export async function writeSnapshot(client: MongoClient, writer: BackupWriter): Promise<SnapshotTotals> {
  const catalog = await listCatalog(client);
  const session = client.startSession();
  let documents = 0;
  try {
    session.startTransaction({ readConcern: { level: 'snapshot' }, readPreference: 'primary' });
    for (const entry of catalog) {
      await writer.beginCollection(entry);
      if (entry.type === 'collection') {
        const cursor = client
          .db(entry.db)
          .collection(entry.name)
          .find({}, { session, raw: true, batchSize: 1000 });
        for await (const bson of cursor) {
          await writer.document(bson as unknown as Uint8Array);
          documents++;
        }
      }
      await writer.endCollection();
    }
    // Read-only: committing or aborting ends it the same way; commit says "all of it was read".
    await session.commitTransaction();
  } catch (error) {
    if (session.inTransaction()) await session.abortTransaction().catch(() => undefined);
    // 251 NoSuchTransaction: the server ended the snapshot (its lifetime limit, most likely).
    if ((error as { code?: unknown }).code === 251)
      throw new Error(
        `the server ended the snapshot before every collection was read (${(error as Error).message}); ` +
          'for a database this large, raise its limit for the backup: ' +
          'db.adminCommand({ setParameter: 1, transactionLifetimeLimitSeconds: 600 })',
        { cause: error },
      );
    throw error;
  } finally {
    await session.endSession();
  }
  return { collections: catalog.length, documents };
}

/**
 * Restores a verified backup file through a driver connected to an empty server:
 * each collection is created with its options, then its indexes (unique ones are
 * enforced while the documents go in), then its documents in batches.
 */
import { BSON, type Document, type MongoClient } from 'mongodb';
import type { CollectionEntry } from './format.ts';
import { readBackup } from './reader.ts';

const BATCH = 1000;

/**
 * Keeps every value as the type it was stored with (Int32, Double, Long stay wrapped)
 * and fields in their order, so the server stores the same bytes again.
 */
const EXACT = { promoteValues: false, promoteLongs: false, promoteBuffers: false, bsonRegExp: true } as const;

/** What createIndexes takes from a listIndexes spec: everything but the version and namespace. */
function indexSpec(spec: Record<string, unknown>): Document {
  const { v: _v, ns: _ns, ...rest } = spec;
  return rest;
}

async function createCollection(client: MongoClient, entry: CollectionEntry): Promise<void> {
  const db = client.db(entry.db);
  await db.command({ create: entry.name, ...entry.options });
  const indexes = entry.indexes.filter((i) => i.name !== '_id_').map(indexSpec);
  if (indexes.length) await db.command({ createIndexes: entry.name, indexes });
}

export async function restoreBackup(
  client: MongoClient,
  file: string,
): Promise<{ collections: number; documents: number }> {
  let current: CollectionEntry | undefined;
  let batch: Document[] = [];
  let collections = 0;
  let documents = 0;
  const flush = async () => {
    if (!batch.length || !current) return;
    await client
      .db(current.db)
      .collection(current.name)
      .insertMany(batch, { ordered: true, forceServerObjectId: false, checkKeys: false });
    documents += batch.length;
    batch = [];
  };
  for await (const frame of readBackup(file)) {
    if (frame.kind === 'collection') {
      current = frame.entry;
      collections++;
      await createCollection(client, current);
    } else if (frame.kind === 'document') {
      batch.push(BSON.deserialize(frame.bson, EXACT));
      if (batch.length >= BATCH) await flush();
    } else if (frame.kind === 'end') await flush();
  }
  return { collections, documents };
}

/**
 * Sizes for collStats, $collStats, dbStats and listDatabases. Data sizes are the
 * documents' BSON sizes (what mongod's `size`/`dataSize` count); there is no page
 * compression here, so `storageSize` is the same figure. Index sizes are estimates
 * from the key strings and ids the index maps hold (our structures, not B-trees).
 * Stored documents are immutable, so a document's size is computed once and kept.
 */
import { bsonSize } from './clone.ts';
import type { Collection } from './collection.ts';
import type { Doc } from './keys.ts';
import { type Index, postingSize } from './indexes.ts';

const sizes = new WeakMap<Doc, number>();

function docSize(d: Doc): number {
  let n = sizes.get(d);
  if (n === undefined) sizes.set(d, (n = bsonSize(d)));
  return n;
}

/** Per index entry beyond its key: the record id it points to and the map's own cost. */
const ENTRY_OVERHEAD = 16;

function indexBytes(ix: Index): number {
  // The map of the longest kept key prefix: one entry per distinct key, each naming its documents.
  const map = ix.maps[ix.maps.length - 1];
  let bytes = 0;
  for (const [key, posting] of map) bytes += key.length + postingSize(posting) * ENTRY_OVERHEAD;
  return bytes;
}

export interface CollectionSizes {
  count: number;
  size: number;
  storageSize: number;
  indexSizes: Record<string, number>;
  totalIndexSize: number;
}

export function collectionSizes(c: Collection): CollectionSizes {
  let size = 0;
  let idIndex = 0;
  for (const [key, d] of c.docs) {
    size += docSize(d);
    idIndex += key.length + ENTRY_OVERHEAD;
  }
  const indexSizes: Record<string, number> = { _id_: idIndex };
  let totalIndexSize = idIndex;
  for (const ix of c.indexes.values()) {
    const n = indexBytes(ix);
    indexSizes[ix.name] = n;
    totalIndexSize += n;
  }
  return { count: c.docs.size, size, storageSize: size, indexSizes, totalIndexSize };
}

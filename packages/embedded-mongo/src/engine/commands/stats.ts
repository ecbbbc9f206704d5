/** collStats, the `$collStats` stage's document, and dbStats, with mongod 7.0's fields. */
import fs from 'node:fs';
import os from 'node:os';
import type { Document } from 'bson';
import { err } from '../errors.ts';
import { isPlainObject } from '../keys.ts';
import { type CollectionSizes, collectionSizes } from '../stats.ts';
import { type Ctx, type Handler, asNumber, collectionArg } from './types.ts';

function scaleOf(v: unknown, field: string): number {
  const scale = Math.trunc(asNumber(v, field, 1));
  if (scale < 1) throw err(2, 'scale has to be >= 1');
  return scale;
}

/** The storage figures of one collection (collStats' body, `$collStats.storageStats`). */
function storageStats(s: CollectionSizes, scale: number, capped: boolean): Document {
  const by = (n: number) => Math.trunc(n / scale);
  const out: Document = { size: by(s.size), count: s.count };
  // mongod leaves the average out of an empty collection's figures.
  if (s.count > 0) out.avgObjSize = Math.trunc(s.size / s.count);
  out.numOrphanDocs = 0;
  out.storageSize = by(s.storageSize);
  out.freeStorageSize = 0;
  out.capped = capped;
  out.nindexes = Object.keys(s.indexSizes).length;
  out.indexBuilds = [];
  out.totalIndexSize = by(s.totalIndexSize);
  out.totalSize = by(s.storageSize + s.totalIndexSize);
  out.indexSizes = Object.fromEntries(Object.entries(s.indexSizes).map(([k, v]) => [k, by(v)]));
  out.scaleFactor = scale;
  return out;
}

const EMPTY: CollectionSizes = { count: 0, size: 0, storageSize: 0, indexSizes: {}, totalIndexSize: 0 };

/** A missing collection answers zeros, as mongod 7.0 does (not an error). */
export const collStats: Handler = (ctx) => {
  const name = collectionArg(ctx);
  const scale = scaleOf(ctx.body.scale, 'collStats.scale');
  const c = ctx.state.get(ctx.db, name);
  return {
    ns: `${ctx.db}.${name}`,
    ...storageStats(c ? collectionSizes(c) : EMPTY, scale, !!c?.options.capped),
    ok: 1,
  };
};

const STAGE_FIELDS = new Set(['latencyStats', 'storageStats', 'count', 'queryExecStats']);

/** The one document `{$collStats: spec}` produces for a collection (an error if it does not exist). */
export function collStatsDocument(ctx: Ctx, collection: string, spec: unknown): Document {
  if (!isPlainObject(spec))
    throw err(5447000, `$collStats must take a nested object but found: $collStats: ${JSON.stringify(spec)}`);
  for (const k of Object.keys(spec)) {
    if (!STAGE_FIELDS.has(k)) throw err(40415, `BSON field '$collStats.${k}' is an unknown field.`);
    if (k === 'latencyStats' || k === 'queryExecStats')
      throw err(115, `$collStats.${k} is not supported by the embedded server (it keeps no such statistics)`);
  }
  const ns = `${ctx.db}.${collection}`;
  const out: Document = { ns, host: `${os.hostname()}`, localTime: new Date() };
  const c = ctx.state.get(ctx.db, collection);
  if (spec.storageStats !== undefined) {
    if (!isPlainObject(spec.storageStats))
      throw err(14, "BSON field '$collStats.storageStats' is the wrong type, expected type 'object'");
    if (!c)
      throw err(
        26,
        `Unable to retrieve storageStats in $collStats stage :: caused by :: Collection [${ns}] not found.`,
      );
    const scale = scaleOf(spec.storageStats.scale, '$collStats.storageStats.scale');
    out.storageStats = storageStats(collectionSizes(c), scale, !!c.options.capped);
  }
  if (spec.count !== undefined) {
    if (!isPlainObject(spec.count))
      throw err(14, "BSON field '$collStats.count' is the wrong type, expected type 'object'");
    if (!c)
      throw err(
        26,
        `Unable to retrieve count in $collStats stage :: caused by :: Collection [${ns}] not found.`,
      );
    out.count = c.docs.size;
  }
  return out;
}

/** The file system holding the data (the working directory's in memory), as mongod reports its dbpath's. */
function fsSizes(dir: string | undefined): { used: number; total: number } {
  try {
    const s = fs.statfsSync(dir ?? process.cwd());
    return { used: (s.blocks - s.bfree) * s.bsize, total: s.blocks * s.bsize };
  } catch {
    return { used: 0, total: 0 };
  }
}

export const dbStats: Handler = (ctx) => {
  const scale = scaleOf(ctx.body.scale, 'dbStats.scale');
  const by = (n: number) => Math.trunc(n / scale);
  const colls = ctx.state.collections(ctx.db);
  let objects = 0;
  let dataSize = 0;
  let storageSize = 0;
  let indexes = 0;
  let indexSize = 0;
  for (const c of colls) {
    const s = collectionSizes(c);
    objects += s.count;
    dataSize += s.size;
    storageSize += s.storageSize;
    indexes += Object.keys(s.indexSizes).length;
    indexSize += s.totalIndexSize;
  }
  const fsz = fsSizes(ctx.dataDir);
  return {
    db: ctx.db,
    collections: colls.length,
    views: 0,
    objects,
    avgObjSize: objects ? dataSize / objects : 0,
    dataSize: by(dataSize),
    storageSize: by(storageSize),
    indexes,
    indexSize: by(indexSize),
    totalSize: by(storageSize + indexSize),
    scaleFactor: scale,
    fsUsedSize: by(fsz.used),
    fsTotalSize: by(fsz.total),
    ok: 1,
  };
};

/** Namespace management and the informational commands drivers and tools call. */
import os from 'node:os';
import { Long, UUID, type Binary, type Document } from 'bson';
import { clone, isPlainObject } from '../bsonutil.ts';
import { err } from '../errors.ts';
import { compileFilter } from '../mingo.ts';
import { type Handler, collectionArg } from './types.ts';

export const VERSION = '7.0.0';

export const ping: Handler = () => ({ ok: 1 });

export const buildInfo: Handler = () => ({
  version: VERSION,
  gitVersion: 'embedded',
  versionArray: [7, 0, 0, 0],
  bits: 64,
  debug: false,
  maxBsonObjectSize: 16 * 1024 * 1024,
  storageEngines: ['embedded'],
  javascriptEngine: 'none',
  modules: [],
  sysInfo: 'deprecated',
  allocator: 'system',
  openssl: { running: 'disabled' },
  ok: 1,
});

/** The wire server answers the handshake; this is the same answer for direct callers. */
export const hello: Handler = (ctx) => ({
  helloOk: true,
  ismaster: true,
  isWritablePrimary: true,
  maxBsonObjectSize: 16777216,
  maxMessageSizeBytes: 48000000,
  maxWriteBatchSize: 100000,
  localTime: new Date(),
  logicalSessionTimeoutMinutes: 30,
  connectionId: ctx.connectionId,
  minWireVersion: 0,
  maxWireVersion: 21,
  readOnly: false,
  ok: 1,
});

export const listCollections: Handler = (ctx) => {
  const { body, store, db } = ctx;
  const nameOnly = !!body.nameOnly;
  let entries: Document[] = store.collections(db).map((c) =>
    nameOnly
      ? { name: c.name, type: 'collection' }
      : {
          name: c.name,
          type: 'collection',
          options: clone(c.options),
          info: { readOnly: false },
          idIndex: { v: 2, key: { _id: 1 }, name: '_id_' },
        },
  );
  if (isPlainObject(body.filter) && Object.keys(body.filter).length) {
    const q = compileFilter(body.filter);
    entries = entries.filter((e) => q.test(e));
  }
  return { cursor: { id: Long.ZERO, ns: `${db}.$cmd.listCollections`, firstBatch: entries }, ok: 1 };
};

export const create: Handler = (ctx) => {
  const { body, store, db } = ctx;
  const name = collectionArg(ctx);
  if (body.viewOn !== undefined || body.pipeline !== undefined)
    throw err(115, 'views are not supported by the embedded server');
  if (body.timeseries !== undefined)
    throw err(115, 'time-series collections are not supported by the embedded server');
  if (store.get(db, name)) throw err(48, `Collection ${db}.${name} already exists.`);
  const options: Document = {};
  for (const [k, v] of Object.entries(body)) {
    if (
      k === 'create' ||
      k.startsWith('$') ||
      [
        'lsid',
        'txnNumber',
        'writeConcern',
        'readConcern',
        'apiVersion',
        'apiStrict',
        'apiDeprecationErrors',
        'comment',
      ].includes(k)
    )
      continue;
    options[k] = v;
  }
  store.create(db, name, clone(options));
  return { ok: 1 };
};

/**
 * mongod 7.0 replies ok:1 to `drop` of a missing collection (earlier versions
 * answered 26 NamespaceNotFound); we follow 7.0.
 */
export const drop: Handler = (ctx) => {
  const { store, db } = ctx;
  const name = collectionArg(ctx);
  const c = store.drop(db, name);
  if (!c) return { ok: 1 };
  return { nIndexesWas: c.indexes.size + 1, ns: `${db}.${name}`, ok: 1 };
};

export const dropDatabase: Handler = (ctx) => {
  ctx.store.dropDatabase(ctx.db);
  return { dropped: ctx.db, ok: 1 };
};

function approxSize(docs: number): number {
  return docs * 1024;
}

export const listDatabases: Handler = (ctx) => {
  const { body, store } = ctx;
  let dbs: Document[] = [...store.dbs.entries()].map(([name, colls]) => {
    const n = [...colls.values()].reduce((s, c) => s + c.docs.size, 0);
    return { name, sizeOnDisk: approxSize(n), empty: n === 0 };
  });
  if (isPlainObject(body.filter) && Object.keys(body.filter).length) {
    const q = compileFilter(body.filter);
    dbs = dbs.filter((d) => q.test(d));
  }
  if (body.nameOnly) return { databases: dbs.map((d) => ({ name: d.name })), ok: 1 };
  const totalSize = dbs.reduce((s, d) => s + (d.sizeOnDisk as number), 0);
  return { databases: dbs, totalSize, totalSizeMb: Math.round(totalSize / 1048576), ok: 1 };
};

export const ok: Handler = () => ({ ok: 1 });

export const startSession: Handler = () => ({
  id: { id: new UUID() as unknown as Binary },
  timeoutMinutes: 30,
  ok: 1,
});

export const serverStatus: Handler = (ctx) => {
  const mem = process.memoryUsage();
  const uptimeMillis = Date.now() - ctx.startedAt;
  return {
    host: os.hostname(),
    version: VERSION,
    process: 'mongod',
    pid: Long.fromNumber(process.pid),
    uptime: Math.floor(uptimeMillis / 1000),
    uptimeMillis: Long.fromNumber(uptimeMillis),
    uptimeEstimate: Long.fromNumber(Math.floor(uptimeMillis / 1000)),
    localTime: new Date(),
    mem: {
      bits: 64,
      resident: Math.round(mem.rss / 1048576),
      virtual: Math.round(mem.rss / 1048576),
      supported: true,
    },
    storageEngine: { name: 'embedded', persistent: ctx.store.persistent },
    metrics: { cursor: { open: { total: Long.fromNumber(ctx.cursors.size) } } },
    ok: 1,
  };
};

export const connectionStatus: Handler = () => ({
  authInfo: { authenticatedUsers: [], authenticatedUserRoles: [] },
  ok: 1,
});

export const getParameter: Handler = (ctx) => {
  const reply: Document = {};
  const known: Document = {
    featureCompatibilityVersion: { version: '7.0' },
    authenticationMechanisms: [],
    maxBSONDepth: 100,
  };
  const all =
    ctx.body.getParameter === '*' ||
    (isPlainObject(ctx.body.getParameter) && ctx.body.getParameter.allParameters);
  for (const [k, v] of Object.entries(known)) if (all || k in ctx.body) reply[k] = v;
  reply.ok = 1;
  return reply;
};

export const hostInfo: Handler = () => ({
  system: {
    currentTime: new Date(),
    hostname: os.hostname(),
    cpuAddrSize: 64,
    memSizeMB: Math.round(os.totalmem() / 1048576),
    numCores: os.cpus().length,
    cpuArch: os.arch(),
  },
  os: { type: os.type(), name: os.type(), version: os.release() },
  extra: {},
  ok: 1,
});

export const getLastError: Handler = () => ({ n: 0, err: null, ok: 1 });

export const whatsmyuri: Handler = () => ({ you: '127.0.0.1:0', ok: 1 });

export const dbStats: Handler = (ctx) => {
  const colls = ctx.store.collections(ctx.db);
  const objects = colls.reduce((s, c) => s + c.docs.size, 0);
  return {
    db: ctx.db,
    collections: colls.length,
    views: 0,
    objects,
    indexes: colls.reduce((s, c) => s + c.indexes.size + 1, 0),
    dataSize: approxSize(objects),
    storageSize: approxSize(objects),
    ok: 1,
  };
};

/**
 * A standalone mongod rejects anything carrying a transaction number; this is
 * the exact reply (the driver surfaces it when someone starts a transaction).
 */
export const noTransactions: Handler = () => {
  throw err(20, 'Transaction numbers are only allowed on a replica set member or mongos');
};

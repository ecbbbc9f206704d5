/** Namespace management and the informational commands drivers and tools call. */
import os from 'node:os';
import { Long, UUID, type Binary, type Document } from 'bson';
import { clone } from '../clone.ts';
import { isGenericField } from '../command-fields.ts';
import { isPlainObject } from '../keys.ts';
import { parseCollation, toDoc } from '../collation.ts';
import { err } from '../errors.ts';
import { compileFilter } from '../mingo.ts';
import { collectionSizes } from '../stats.ts';
import { type Handler, collectionArg } from './types.ts';
import { REPLICA_SET_NAME } from '../../contract.ts';

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

export const listCollections: Handler = (ctx) => {
  const { body, state: store, db } = ctx;
  const nameOnly = !!body.nameOnly;
  let entries: Document[] = store.collections(db).map((c) =>
    nameOnly
      ? { name: c.name, type: 'collection' }
      : {
          name: c.name,
          type: 'collection',
          options: clone(c.options),
          info: { readOnly: false },
          idIndex: c.options.collation
            ? { v: 2, key: { _id: 1 }, name: '_id_', collation: clone(c.options.collation) }
            : { v: 2, key: { _id: 1 }, name: '_id_' },
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
  // A default collation is kept expanded, as listCollections shows it; `simple` is no default.
  if (options.collation !== undefined) {
    const parsed = parseCollation(options.collation, 'create.collation');
    if (parsed) options.collation = toDoc(parsed);
    else delete options.collation;
  }
  store.create(db, name, clone(options));
  return { ok: 1 };
};

/**
 * mongod 7.0 replies ok:1 to `drop` of a missing collection (earlier versions
 * answered 26 NamespaceNotFound); we follow 7.0.
 */
export const drop: Handler = (ctx) => {
  const { state: store, db } = ctx;
  const name = collectionArg(ctx);
  const c = store.drop(db, name);
  if (!c) return { ok: 1 };
  return { nIndexesWas: c.indexes.size + 1, ns: `${db}.${name}`, ok: 1 };
};

export const dropDatabase: Handler = (ctx) => {
  ctx.state.dropDatabase(ctx.db);
  return { dropped: ctx.db, ok: 1 };
};

export const listDatabases: Handler = (ctx) => {
  const { body, state: store } = ctx;
  let dbs: Document[] = [...store.dbs.entries()].map(([name, colls]) => {
    let n = 0;
    let bytes = 0;
    for (const c of colls.values()) {
      const s = collectionSizes(c);
      n += s.count;
      bytes += s.storageSize + s.totalIndexSize;
    }
    return { name, sizeOnDisk: bytes, empty: n === 0 };
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
    storageEngine: { name: 'embedded', persistent: ctx.state.persistent },
    ...ctx.counters.sections(),
    repl: {
      setName: REPLICA_SET_NAME,
      setVersion: 1,
      isWritablePrimary: true,
      secondary: false,
      hosts: [ctx.address],
      primary: ctx.address,
      me: ctx.address,
    },
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
    transactionLifetimeLimitSeconds: ctx.params.transactionLifetimeLimitSeconds,
  };
  const all =
    ctx.body.getParameter === '*' ||
    (isPlainObject(ctx.body.getParameter) && ctx.body.getParameter.allParameters);
  for (const [k, v] of Object.entries(known)) if (all || k in ctx.body) reply[k] = v;
  // mongod answers only when it knows one of the names asked; an empty ok:1 made mongosh's
  // db.getLogComponents() fail with no message at all.
  if (Object.keys(reply).length === 0) throw err(72, 'no option found to get');
  reply.ok = 1;
  return reply;
};

/**
 * The parameters mongod lets a client change at run time that mean something
 * here: `transactionLifetimeLimitSeconds`. Any other is refused (never ignored).
 */
export const setParameter: Handler = (ctx) => {
  if (ctx.db !== 'admin') throw err(13, 'setParameter may only be run against the admin database.');
  const names = Object.keys(ctx.body).filter(
    (k) => k !== 'setParameter' && !isGenericField(k) && k !== 'readPreference',
  );
  if (names.length === 0) throw err(2, 'no option found to set, use help:true to see options ');
  const reply: Document = {};
  for (const name of names) {
    if (name !== 'transactionLifetimeLimitSeconds')
      throw err(72, `attempted to set unrecognized parameter [${name}], use help:true to see options `);
    const v = Number(ctx.body[name]?.valueOf?.() ?? ctx.body[name]);
    if (!Number.isInteger(v) || v < 1)
      throw err(
        2,
        `Bad value for parameter "transactionLifetimeLimitSeconds": must be greater than or equal to 1`,
      );
    reply.was = ctx.params.transactionLifetimeLimitSeconds;
    ctx.params.transactionLifetimeLimitSeconds = v;
  }
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

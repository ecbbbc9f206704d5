/** collMod, validate, currentOp, killOp and the `$currentOp` and `$listLocalSessions` stages' documents. */
import { createHash } from 'node:crypto';
import { Binary, type Document } from 'bson';
import type { Collection } from '../collection.ts';
import { isGenericField } from '../command-fields.ts';
import { err } from '../errors.ts';
import { type Index, postingIds } from '../indexes.ts';
import { isPlainObject, keyOf, sameDoc } from '../keys.ts';
import { bsonTypeName, compileFilter } from '../mingo.ts';
import { type Ctx, type Handler, collectionArg } from './types.ts';

/** collMod fields mongod 7.0 has that change what this server does not keep. */
const COLLMOD_UNSUPPORTED = new Set([
  'viewOn',
  'pipeline',
  'expireAfterSeconds',
  'changeStreamPreAndPostImages',
  'timeseries',
  'cappedSize',
  'cappedMax',
  'recordPreImages',
  'dryRun',
]);

function enumValue(v: unknown, field: string, allowed: string[]): string {
  if (typeof v !== 'string')
    throw err(14, `BSON field 'collMod.${field}' is the wrong type, expected type 'string'`);
  if (!allowed.includes(v))
    throw err(2, `Enumeration value '${v}' for field 'collMod.${field}' is not a valid value.`);
  return v;
}

function findIndex(c: Collection, spec: Document): Index {
  const hasName = spec.name !== undefined;
  const hasKey = spec.keyPattern !== undefined;
  if (hasName === hasKey) throw err(72, 'must specify either index name or key pattern');
  const ns = c.ns;
  if (hasName) {
    const ix = c.indexes.get(String(spec.name));
    if (!ix) {
      if (spec.name === '_id_') throw err(72, 'cannot modify the _id index');
      throw err(27, `cannot find index ${String(spec.name)} for ns ${ns}`);
    }
    return ix;
  }
  const ix = [...c.indexes.values()].find((i) => sameDoc(i.spec.key, spec.keyPattern));
  if (!ix)
    throw err(27, `cannot find index ${JSON.stringify(spec.keyPattern).replace(/"/g, '')} for ns ${ns}`);
  return ix;
}

export const collMod: Handler = (ctx) => {
  const { body, state: store, db } = ctx;
  const name = collectionArg(ctx);
  for (const k of Object.keys(body)) {
    if (k === 'collMod' || isGenericField(k)) continue;
    if (COLLMOD_UNSUPPORTED.has(k)) throw err(115, `collMod '${k}' is not supported by the embedded server`);
    if (!['index', 'validator', 'validationLevel', 'validationAction'].includes(k))
      throw err(40415, `BSON field 'collMod.${k}' is an unknown field.`);
  }
  const c = store.get(db, name);
  if (!c) throw err(26, 'ns does not exist');
  const reply: Document = {};
  // Everything is checked before anything changes.
  let ttl: { ix: Index; secs: number } | undefined;
  if (body.index !== undefined) {
    if (!isPlainObject(body.index))
      throw err(14, "BSON field 'collMod.index' is the wrong type, expected type 'object'");
    for (const k of Object.keys(body.index)) {
      if (k === 'name' || k === 'keyPattern' || k === 'expireAfterSeconds') continue;
      if (['hidden', 'unique', 'prepareUnique', 'forceNonUnique'].includes(k))
        throw err(115, `collMod index option '${k}' is not supported by the embedded server`);
      throw err(40415, `BSON field 'collMod.index.${k}' is an unknown field.`);
    }
    const ix = findIndex(c, body.index);
    if (body.index.expireAfterSeconds === undefined) throw err(72, 'no expireAfterSeconds or hidden field');
    const secs = Number(body.index.expireAfterSeconds?.valueOf?.() ?? body.index.expireAfterSeconds);
    if (!Number.isFinite(secs) || secs < 0 || secs > 2147483647)
      throw err(
        2,
        `TTL index 'expireAfterSeconds' option must be within an acceptable range, try a lower number`,
      );
    if (typeof ix.spec.expireAfterSeconds !== 'number')
      throw err(72, 'no expireAfterSeconds field to update');
    ttl = { ix, secs: Math.trunc(secs) };
  }
  const options: Document = { ...c.options };
  // A validator this server would store but never apply is refused, as at `create`: writes
  // it should reject would pass silently.
  if (body.validator !== undefined)
    throw err(
      115,
      "BSON field 'collMod.validator' is not supported by the embedded server: schema validators are not enforced, so they are refused",
    );
  if (body.validationLevel !== undefined)
    options.validationLevel = enumValue(body.validationLevel, 'validationLevel', [
      'off',
      'strict',
      'moderate',
    ]);
  if (body.validationAction !== undefined)
    options.validationAction = enumValue(body.validationAction, 'validationAction', ['error', 'warn']);
  if (ttl) {
    reply.expireAfterSeconds_old = ttl.ix.spec.expireAfterSeconds;
    reply.expireAfterSeconds_new = ttl.secs;
    store.setIndexSpec(c, ttl.ix.name, { ...ttl.ix.spec, expireAfterSeconds: ttl.secs });
  }
  if (!sameDoc(options, c.options)) store.setOptions(c, options);
  reply.ok = 1;
  return reply;
};

function inPosting(posting: unknown, id: string): boolean {
  if (posting === undefined) return false;
  if (typeof posting === 'string') return posting === id;
  if (Array.isArray(posting)) return posting.includes(id);
  return (posting as Set<string>).has(id);
}

/** One index against the documents: every document's keys present, no entry for anything else. */
function checkIndex(c: Collection, ix: Index, errors: string[]): number {
  const map = ix.maps[ix.maps.length - 1];
  let expected = 0;
  let missing = 0;
  for (const [id, doc] of c.docs) {
    const keys = ix.keysOf(doc);
    if (!keys) continue;
    for (const k of keys.keys[keys.keys.length - 1]) {
      expected++;
      if (!inPosting(map.get(k), id)) missing++;
    }
  }
  let held = 0;
  for (const p of map.values()) for (const _ of postingIds(p)) held++;
  if (missing) errors.push(`Index with name '${ix.name}' has ${missing} missing index entries`);
  const extra = held - (expected - missing);
  if (extra) errors.push(`Index with name '${ix.name}' has ${extra} extra index entries`);
  return held;
}

export const validate: Handler = (ctx) => {
  const { body, state: store, db } = ctx;
  const name = collectionArg(ctx);
  if (body.repair) throw err(115, 'validate with repair is not supported by the embedded server');
  const c = store.get(db, name);
  if (!c) throw err(26, `Collection '${db}.${name}' does not exist to validate.`);
  const errors: string[] = [];
  let badIds = 0;
  for (const [id, doc] of c.docs) if (keyOf(doc._id) !== id) badIds++;
  if (badIds) errors.push(`Index with name '_id_' has ${badIds} inconsistent entries`);
  const keysPerIndex: Document = { _id_: c.docs.size };
  const indexDetails: Document = { _id_: { valid: badIds === 0 } };
  for (const ix of c.indexes.values()) {
    const before = errors.length;
    keysPerIndex[ix.name] = checkIndex(c, ix, errors);
    indexDetails[ix.name] = { valid: errors.length === before };
  }
  return {
    ns: `${db}.${name}`,
    nInvalidDocuments: 0,
    nNonCompliantDocuments: 0,
    nrecords: c.docs.size,
    nIndexes: c.indexes.size + 1,
    keysPerIndex,
    indexDetails,
    valid: errors.length === 0,
    repaired: false,
    warnings: [],
    errors,
    extraIndexEntries: [],
    missingIndexEntries: [],
    corruptRecords: [],
    ok: 1,
  };
};

const CURRENTOP_OWN = new Set(['currentOp', '$all', '$ownOps']);

export const currentOp: Handler = (ctx) => {
  if (ctx.db !== 'admin') throw err(13, 'currentOp may only be run against the admin database.');
  const filter: Document = {};
  for (const [k, v] of Object.entries(ctx.body)) {
    if (CURRENTOP_OWN.has(k) || isGenericField(k)) continue;
    filter[k] = v;
  }
  let inprog = ctx.ops.list();
  if (Object.keys(filter).length) {
    const q = compileFilter(filter);
    inprog = inprog.filter((e) => q.test(e));
  }
  return { inprog, ok: 1 };
};

/**
 * `$currentOp` options as mongod 7.0 parses them. This server keeps no idle connections or
 * cursors to list, so asking for them is refused rather than answered with a list that lacks
 * them. `allUsers` filters nothing (one credential), `localOps` is for mongos, `backtrace` and
 * `truncateOps` change nothing here (commands are listed without their documents anyway), and
 * `idleSessions` has nothing to add: a transaction waiting between statements holds no lock
 * in the listing's sense (statements run one at a time).
 */
const CURRENTOP_STAGE_FLAGS = new Set([
  'allUsers',
  'idleConnections',
  'idleCursors',
  'idleSessions',
  'localOps',
  'backtrace',
  'truncateOps',
]);
const CURRENTOP_STAGE_REFUSED = new Set(['idleConnections', 'idleCursors']);

/** The documents the `$currentOp` stage produces: the same entries as the currentOp command (mongosh's db.currentOp() uses the stage). */
export function currentOpStage(ctx: Ctx, spec: unknown): Document[] {
  if (!isPlainObject(spec))
    throw err(9, `$currentOp options must be specified in an object, but found: ${bsonTypeName(spec)}`);
  for (const [k, v] of Object.entries(spec)) {
    if (!CURRENTOP_STAGE_FLAGS.has(k)) throw err(9, `Unrecognized option '${k}' in $currentOp stage.`);
    if (typeof v !== 'boolean')
      throw err(
        9,
        `The '${k}' parameter of the $currentOp stage must be a boolean value, but found: ${bsonTypeName(v)}`,
      );
    if (v && CURRENTOP_STAGE_REFUSED.has(k))
      throw err(
        115,
        `$currentOp with ${k}: true is not supported by the embedded server (it keeps none to list)`,
      );
  }
  return ctx.ops.list();
}

export const killOp: Handler = (ctx) => {
  if (ctx.db !== 'admin') throw err(13, 'killOp may only be run against the admin database.');
  const op = ctx.body.op;
  if (op === undefined) throw err(4, 'Did not provide "op" field');
  const id = Number(op?.valueOf?.() ?? op);
  if (!Number.isFinite(id)) throw err(14, `"op" field was not of type number: ${String(op)}`);
  ctx.ops.kill(id);
  return { info: 'attempting to kill op', ok: 1 };
};

/**
 * The documents `$listLocalSessions` produces. There are no per-user sessions to
 * tell apart (one credential), so `allUsers` and `users` filter nothing; the `uid` is
 * the one the client sent, or the hash of the empty user name, as mongod without
 * authentication.
 */
export function localSessions(ctx: Ctx, spec: unknown): Document[] {
  if (!isPlainObject(spec))
    throw err(14, "BSON field '$listLocalSessions' is the wrong type, expected type 'object'");
  for (const k of Object.keys(spec))
    if (k !== 'allUsers' && k !== 'users')
      throw err(40415, `BSON field '$listLocalSessions.${k}' is an unknown field.`);
  const anonymous = new Binary(createHash('sha256').update('').digest(), 0);
  return ctx.sessions.list().map((e) => ({
    _id: { id: e.lsid.id, uid: e.lsid.uid ?? anonymous },
    lastUse: new Date(e.lastUse),
  }));
}

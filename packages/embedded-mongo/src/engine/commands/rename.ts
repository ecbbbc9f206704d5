/** renameCollection: an admin command naming full namespaces, as mongod takes it. */
import { err } from '../errors.ts';
import { validateCollectionName } from '../store.ts';
import type { Handler } from './types.ts';

/** `db.coll` split at the first dot; null when it is not a namespace. */
function splitNs(ns: unknown): { db: string; coll: string } | null {
  if (typeof ns !== 'string') return null;
  const dot = ns.indexOf('.');
  if (dot <= 0 || dot === ns.length - 1) return null;
  const db = ns.slice(0, dot);
  if (/[/\\ "$\0]/.test(db)) return null;
  return { db, coll: ns.slice(dot + 1) };
}

function namespace(v: unknown, which: 'source' | 'target'): { db: string; coll: string } {
  const ns = splitNs(v);
  if (!ns) throw err(73, `Invalid ${which} namespace: ${String(v)}`);
  try {
    validateCollectionName(ns.coll);
  } catch {
    throw err(73, `Invalid ${which} namespace: ${String(v)}`);
  }
  return ns;
}

export const renameCollection: Handler = (ctx) => {
  const { body, state: store } = ctx;
  if (ctx.db !== 'admin') throw err(13, 'renameCollection may only be run against the admin database.');
  if (body.to === undefined)
    throw err(40414, "BSON field 'renameCollection.to' is missing but a required field");
  if (typeof body.renameCollection !== 'string')
    throw err(14, "BSON field 'renameCollection.renameCollection' is the wrong type, expected type 'string'");
  if (typeof body.to !== 'string')
    throw err(14, "BSON field 'renameCollection.to' is the wrong type, expected type 'string'");
  const from = namespace(body.renameCollection, 'source');
  const to = namespace(body.to, 'target');
  const source = store.get(from.db, from.coll);
  if (!source) throw err(26, `Source collection ${body.renameCollection} does not exist`);
  if (from.db === to.db && from.coll === to.coll) throw err(20, "Can't rename a collection to itself");
  if (store.get(to.db, to.coll)) {
    if (!body.dropTarget) throw err(48, 'target namespace exists');
    store.drop(to.db, to.coll);
  }
  store.rename(source, to.db, to.coll);
  return { ok: 1 };
};

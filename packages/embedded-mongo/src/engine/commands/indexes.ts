/** createIndexes / listIndexes / dropIndexes. */
import { Long, type Document } from 'bson';
import { clone } from '../clone.ts';
import { isPlainObject } from '../keys.ts';
import { err } from '../errors.ts';
import { parseCollation, toDoc } from '../collation.ts';
import { type IndexSpec, validateIndexSpec } from '../indexes.ts';
import { type Handler, collectionArg } from './types.ts';

/**
 * An index's collation, expanded as listIndexes shows it: its own, else the
 * collection's default; `{locale: 'simple'}` means none.
 */
function withCollation(spec: IndexSpec, defaults: Document | undefined): IndexSpec {
  if (spec.collation === undefined) {
    if (defaults) spec.collation = clone({ defaults }).defaults;
    return spec;
  }
  const parsed = parseCollation(spec.collation, 'collation');
  if (parsed) spec.collation = toDoc(parsed);
  else delete spec.collation;
  return spec;
}

export const createIndexes: Handler = (ctx) => {
  const { body, state: store, db } = ctx;
  const name = collectionArg(ctx);
  if (!Array.isArray(body.indexes) || body.indexes.length === 0)
    throw err(2, 'Must specify at least one index to create');
  const defaults = store.get(db, name)?.options.collation as Document | undefined;
  const specs = body.indexes.map((raw: unknown) =>
    withCollation(validateIndexSpec(clone({ raw }).raw), defaults),
  );
  // Inside a transaction: only on a collection that does not exist outside it (mongod's rule).
  if (ctx.txn) return ctx.txn.createIndexes(db, name, specs);
  const existed = !!store.get(db, name);
  const c = store.ensure(db, name);
  const numIndexesBefore = c.indexes.size + 1;
  let created = 0;
  // Validate all first (conflicts), then build; a build failure (E11000 on existing
  // data) leaves that index out, like mongod.
  for (const spec of specs as IndexSpec[]) if (store.createIndex(c, spec)) created++;
  const reply: Document = {
    numIndexesBefore,
    numIndexesAfter: c.indexes.size + 1,
    createdCollectionAutomatically: !existed,
  };
  if (created === 0) reply.note = 'all indexes already exist';
  reply.ok = 1;
  return reply;
};

export const listIndexes: Handler = (ctx) => {
  const { state: store, db } = ctx;
  const name = collectionArg(ctx);
  const c = store.get(db, name);
  if (!c) throw err(26, `ns does not exist: ${db}.${name}`);
  return {
    cursor: { id: Long.ZERO, ns: `${db}.${name}`, firstBatch: clone({ s: c.indexSpecs() }).s },
    ok: 1,
  };
};

export const dropIndexes: Handler = (ctx) => {
  const { body, state: store, db } = ctx;
  const name = collectionArg(ctx);
  const c = store.get(db, name);
  if (!c) throw err(26, `ns not found ${db}.${name}`);
  const nIndexesWas = c.indexes.size + 1;
  const which = body.index;
  const names: string[] = [];
  if (which === '*') names.push(...c.indexes.keys());
  else if (typeof which === 'string') names.push(which);
  else if (Array.isArray(which)) names.push(...which.map(String));
  else if (isPlainObject(which)) {
    const key = JSON.stringify(which);
    const found = [...c.indexes.values()].find((i) => JSON.stringify(i.spec.key) === key);
    if (!found) {
      if (key === JSON.stringify({ _id: 1 })) throw err(72, 'cannot drop _id index');
      throw err(27, `can't find index with key: ${JSON.stringify(which).replace(/"/g, '')}`);
    }
    names.push(found.name);
  } else throw err(14, "BSON field 'dropIndexes.index' is the wrong type");
  for (const n of names) {
    if (n === '_id_') throw err(72, 'cannot drop _id index');
    if (!c.indexes.has(n)) throw err(27, `index not found with name [${n}]`);
  }
  for (const n of names) store.dropIndex(c, n);
  return which === '*'
    ? { nIndexesWas, msg: 'non-_id indexes dropped for collection', ok: 1 }
    : { nIndexesWas, ok: 1 };
};

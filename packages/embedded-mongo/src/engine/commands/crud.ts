/**
 * find / getMore / killCursors / insert / update / delete / findAndModify /
 * count / distinct, with mongod's reply shapes.
 */
import { Long, type Document } from 'bson';
import { clone, copyDoc, MAX_BSON_SIZE, sizeAfterCopy, serialize } from '../clone.ts';
import { type Doc, isPlainObject, keyOf, newObjectId, normalizeFilter, sameDoc } from '../keys.ts';
import { rawDocuments } from '../../contract.ts';
import type { Collection } from '../collection.ts';
import type { CollectionView } from '../collection.ts';
import { isUnwinding } from '../txn.ts';
import { err, toMongoError } from '../errors.ts';
import { checkHint } from '../hint.ts';
import { extractValues } from '../indexes.ts';
import { collatedEqual, collatedKeyOf } from '../collation.ts';
import { letVariables, normalizeCollation, projectCopies, sortDocs, updateConstants } from '../mingo.ts';
import { RawInsertBatch, prepareDoc } from '../store.ts';
import { applyUpdate, buildUpsert, parseUpdate, type UpdateSpec } from '../update.ts';
import { checkFilter, checkProjection, checkSort } from '../syntax.ts';
import { type Ctx, type Handler, asNumber, asObject, collectionArg } from './types.ts';

/** A command's filter, its operator names checked before any document is read (as mongod parses it). */
function filterArg(value: unknown, field: string): Doc {
  const filter = normalizeFilter(asObject(value, field)) as Doc;
  checkFilter(filter);
  return filter;
}

/** One statement's error, for `writeErrors`; a conflict or lock wait leaves the whole command instead. */
function writeError(index: number, e: unknown): Document {
  if (isUnwinding(e)) throw e;
  const me = toMongoError(e);
  return { index, code: me.code, errmsg: me.message, ...me.extra };
}

/** Matching docs with sort/skip/limit applied (stored references). */
function query(
  c: CollectionView | undefined,
  filter: Doc,
  opts: { sort?: Doc; skip?: number; limit?: number; collation?: Doc; variables?: Doc },
): Doc[] {
  // Parsed before anything else: a bad collation fails even on a missing collection.
  const collation = normalizeCollation(opts.collation, c);
  if (!c) return [];
  const { variables } = opts;
  const skip = opts.skip ?? 0;
  const limit = opts.limit ?? 0;
  if (!opts.sort || Object.keys(opts.sort).length === 0) {
    const docs = c.match(filter, collation, limit ? skip + limit : Infinity, variables);
    return skip || limit ? docs.slice(skip, limit ? skip + limit : undefined) : docs;
  }
  // A page an index walk gives in order (Collection.sortedMatch): its first documents only.
  if (limit) {
    const walked = c.sortedMatch?.(filter, opts.sort, collation, skip + limit, variables);
    if (walked) return walked.slice(skip, skip + limit);
  }
  // Only the first skip + limit in order are needed: a page near the start of a large
  // match is selected rather than sorted.
  const sorted = sortDocs(
    c.match(filter, collation, Infinity, variables),
    opts.sort,
    collation,
    limit ? skip + limit : Infinity,
  );
  return skip || limit ? sorted.slice(skip, limit ? skip + limit : undefined) : sorted;
}

export const find: Handler = (ctx) => {
  const { body, store, db } = ctx;
  const name = collectionArg(ctx);
  const filter = filterArg(body.filter, 'FindCommandRequest.filter');
  const variables = letVariables(body.let, 'find.let');
  const skip = asNumber(body.skip, 'skip', 0);
  if (skip < 0) throw err(51024, `BSON field 'skip' value must be >= 0, actual value '${skip}'`);
  let limit = asNumber(body.limit, 'limit', 0);
  let singleBatch = !!body.singleBatch;
  if (limit < 0) {
    // Legacy negative limit: return at most |limit| in one batch and close.
    limit = -limit;
    singleBatch = true;
  }
  const batchSize = body.batchSize === undefined ? undefined : asNumber(body.batchSize, 'batchSize', 101);
  if (batchSize !== undefined && batchSize < 0)
    throw err(51024, `BSON field 'batchSize' value must be >= 0, actual value '${batchSize}'`);
  const sort = body.sort === undefined ? undefined : asObject(body.sort, 'sort');
  checkSort(sort);
  const projection = body.projection === undefined ? undefined : asObject(body.projection, 'projection');
  checkProjection(projection);
  const c = store.get(db, name);
  checkHint(c, body.hint);
  const docs = query(c, filter, { sort, skip, limit, collation: body.collation, variables });
  // The transform gets the stored documents and returns documents of the reply's own.
  const copy = !ctx.serializesReply;
  const transform =
    projection && Object.keys(projection).length
      ? (batch: Doc[]) => projectCopies(batch, projection, filter, copy, variables)
      : undefined;
  return ctx.cursors.open(`${db}.${name}`, docs, {
    batchSize,
    singleBatch,
    connectionId: ctx.connectionId,
    transform,
    // Stored documents are immutable: a reply serialized at once needs no copies.
    owned: !copy,
    txn: ctx.txn?.cursorTxn,
  });
};

export const getMore: Handler = (ctx) => {
  const { body } = ctx;
  if (typeof body.collection !== 'string')
    throw err(40414, "BSON field 'getMore.collection' is missing but a required field");
  const batchSize = body.batchSize === undefined ? undefined : asNumber(body.batchSize, 'batchSize', 0);
  return ctx.cursors.getMore(body.getMore, body.collection, ctx.db, batchSize, ctx.txn?.cursorTxn);
};

export const killCursors: Handler = (ctx) => {
  collectionArg(ctx);
  if (!Array.isArray(ctx.body.cursors))
    throw err(40414, "BSON field 'killCursors.cursors' is missing but a required field");
  return ctx.cursors.kill(ctx.body.cursors);
};

export const insert: Handler = (ctx) => {
  const { body, store, db } = ctx;
  const name = collectionArg(ctx);
  const docs = body.documents;
  if (!Array.isArray(docs)) throw err(40414, "BSON field 'insert.documents' is missing but a required field");
  const ordered = body.ordered !== false;
  const raw = rawDocuments(docs);
  // Documents left undecoded by the wire are decoded (and validated) first, before
  // anything changes: malformed bytes reject the whole message.
  // In a transaction every document takes the generic path into its overlay.
  const batch =
    raw && docs.includes(undefined)
      ? new RawInsertBatch(ctx.state, db, name, docs, raw, store !== ctx.state)
      : undefined;
  const c = store.ensure(db, name);
  let n = 0;
  const writeErrors: Document[] = [];
  for (let i = 0; i < docs.length; i++) {
    try {
      if (batch?.has(i)) {
        // Only outside a transaction (where `c` is the committed collection itself).
        batch.insert(c as Collection, i);
        n++;
        continue;
      }
      batch?.flush();
      // Decoded by the wire, or by RawInsertBatch through bson (rarer types).
      const { doc, bytes } = prepareDoc(docs[i], newObjectId, store.persistent, raw?.[i]);
      store.insert(c, doc, bytes);
      n++;
    } catch (e) {
      writeErrors.push(writeError(i, e));
      if (ordered) break;
    }
  }
  batch?.flush();
  return writeErrors.length ? { n, writeErrors, ok: 1 } : { n, ok: 1 };
};

/**
 * Applies an update to stored docs one by one (a unique violation stops the
 * statement; earlier documents stay updated, as in mongod). Returns new
 * versions and how many actually changed.
 */
function updateDocs(
  ctx: Ctx,
  c: CollectionView,
  matched: Doc[],
  filter: Doc,
  spec: UpdateSpec,
  arrayFilters: Doc[] | undefined,
  collation: Doc | undefined,
  variables: Doc | undefined,
) {
  const copies = matched.map((d) => copyDoc(d));
  const updated = applyUpdate(
    copies,
    filter,
    spec,
    arrayFilters,
    normalizeCollation(collation, c),
    variables,
  );
  let nModified = 0;
  const results: Doc[] = [];
  for (let i = 0; i < matched.length; i++) {
    // Copy again: mingo may have put values of the command itself into the document.
    const stored = copyDoc(updated[i], true);
    if (sameDoc(stored, matched[i])) {
      results.push(matched[i]);
      continue;
    }
    const bytes = ctx.store.persistent ? serialize(stored) : undefined;
    const size = bytes ? bytes.length : sizeAfterCopy(stored, MAX_BSON_SIZE);
    if (size > MAX_BSON_SIZE)
      throw err(17419, `Resulting document after update is larger than ${MAX_BSON_SIZE}`);
    ctx.store.replace(c, matched[i], stored, bytes);
    nModified++;
    results.push(stored);
  }
  return { nModified, results };
}

function upsertDoc(
  ctx: Ctx,
  name: string,
  filter: Doc,
  spec: UpdateSpec,
  arrayFilters: Doc[] | undefined,
  variables: Doc | undefined,
): Doc {
  const raw = buildUpsert(filter, spec, arrayFilters, variables);
  const { doc, bytes } = prepareDoc(raw, newObjectId, ctx.store.persistent);
  ctx.store.insert(ctx.store.ensure(ctx.db, name), doc, bytes);
  return doc;
}

export const update: Handler = (ctx) => {
  const { body, store, db } = ctx;
  const name = collectionArg(ctx);
  const stmts = body.updates;
  if (!Array.isArray(stmts)) throw err(40414, "BSON field 'update.updates' is missing but a required field");
  const letVars = letVariables(body.let, 'update.let');
  const ordered = body.ordered !== false;
  let n = 0;
  let nModified = 0;
  const upserted: Document[] = [];
  const writeErrors: Document[] = [];
  for (let i = 0; i < stmts.length; i++) {
    try {
      const s = asObject(stmts[i], 'updates');
      const filter = filterArg(s.q, 'q');
      const spec = parseUpdate(s.u);
      if (s.c !== undefined && spec.kind !== 'pipeline')
        throw err(51198, 'Constant values may only be specified for pipeline updates');
      // A statement's constants join the command's variables, for its pipeline only.
      const pipelineVars = updateConstants(s.c, 'update.updates.c', letVars);
      if (s.multi && spec.kind === 'replace')
        throw err(9, 'multi update is not supported for replacement-style update');
      const arrayFilters = s.arrayFilters as Doc[] | undefined;
      const c = store.get(db, name);
      checkHint(c, s.hint);
      const collation = normalizeCollation(s.collation, c);
      const matched = c ? c.match(filter, collation, s.multi ? Infinity : 1, letVars) : [];
      if (matched.length === 0) {
        if (s.upsert) {
          const doc = upsertDoc(ctx, name, filter, spec, arrayFilters, pipelineVars);
          n++;
          upserted.push({ index: i, _id: doc._id });
        }
        continue;
      }
      n += matched.length;
      nModified += updateDocs(
        ctx,
        c!,
        matched,
        filter,
        spec,
        arrayFilters,
        s.collation as Doc | undefined,
        pipelineVars,
      ).nModified;
    } catch (e) {
      writeErrors.push(writeError(i, e));
      if (ordered) break;
    }
  }
  const reply: Document = { n, nModified };
  if (upserted.length) reply.upserted = upserted;
  if (writeErrors.length) reply.writeErrors = writeErrors;
  reply.ok = 1;
  return reply;
};

export const del: Handler = (ctx) => {
  const { body, store, db } = ctx;
  const name = collectionArg(ctx);
  const stmts = body.deletes;
  if (!Array.isArray(stmts)) throw err(40414, "BSON field 'delete.deletes' is missing but a required field");
  const variables = letVariables(body.let, 'delete.let');
  const ordered = body.ordered !== false;
  let n = 0;
  const writeErrors: Document[] = [];
  for (let i = 0; i < stmts.length; i++) {
    try {
      const s = asObject(stmts[i], 'deletes');
      const filter = filterArg(s.q, 'q');
      const limit = asNumber(s.limit, 'limit', 0);
      if (limit !== 0 && limit !== 1)
        throw err(9, `The limit field in delete objects must be 0 or 1. Got ${limit}`);
      const c = store.get(db, name);
      checkHint(c, s.hint);
      const collation = normalizeCollation(s.collation, c);
      if (!c) continue;
      for (const d of c.match(filter, collation, limit === 1 ? 1 : Infinity, variables)) {
        store.remove(c, d);
        n++;
      }
    } catch (e) {
      writeErrors.push(writeError(i, e));
      if (ordered) break;
    }
  }
  return writeErrors.length ? { n, writeErrors, ok: 1 } : { n, ok: 1 };
};

function outDoc(
  d: Doc | null | undefined,
  fields: Doc | undefined,
  filter: Doc,
  variables?: Doc,
): Doc | null {
  if (!d) return null;
  return fields && Object.keys(fields).length
    ? (projectCopies([d], fields, filter, true, variables)[0] ?? null)
    : clone(d);
}

export const findAndModify: Handler = (ctx) => {
  const { body, store, db } = ctx;
  const name = collectionArg(ctx);
  const filter = filterArg(body.query, 'query');
  const variables = letVariables(body.let, 'findAndModify.let');
  const sort = body.sort === undefined ? undefined : asObject(body.sort, 'sort');
  checkSort(sort);
  const fields = body.fields === undefined ? undefined : asObject(body.fields, 'fields');
  checkProjection(fields);
  const remove = !!body.remove;
  const returnNew = !!body.new;
  const upsert = !!body.upsert;
  if (remove && body.update !== undefined) throw err(9, 'Cannot specify both an update and remove=true');
  if (!remove && body.update === undefined) throw err(9, 'Either an update or remove=true must be specified');
  if (remove && returnNew)
    throw err(
      9,
      "Cannot specify both new=true and remove=true; 'remove' always returns the deleted document",
    );
  if (remove && upsert) throw err(9, 'Cannot specify both upsert=true and remove=true');
  const c = store.get(db, name);
  checkHint(c, body.hint);
  const [doc] = query(c, filter, { sort, limit: 1, collation: body.collation, variables });
  if (remove) {
    if (!doc) return { lastErrorObject: { n: 0 }, value: null, ok: 1 };
    const value = outDoc(doc, fields, filter, variables);
    store.remove(c!, doc);
    return { lastErrorObject: { n: 1 }, value, ok: 1 };
  }
  const spec = parseUpdate(body.update);
  const arrayFilters = body.arrayFilters as Doc[] | undefined;
  if (doc) {
    const before = outDoc(doc, fields, filter, variables);
    const { results } = updateDocs(
      ctx,
      c!,
      [doc],
      filter,
      spec,
      arrayFilters,
      body.collation as Doc | undefined,
      variables,
    );
    return {
      lastErrorObject: { n: 1, updatedExisting: true },
      value: returnNew ? outDoc(results[0], fields, filter, variables) : before,
      ok: 1,
    };
  }
  if (!upsert) return { lastErrorObject: { n: 0, updatedExisting: false }, value: null, ok: 1 };
  const created = upsertDoc(ctx, name, filter, spec, arrayFilters, variables);
  return {
    lastErrorObject: { n: 1, updatedExisting: false, upserted: created._id },
    value: returnNew ? outDoc(created, fields, filter, variables) : null,
    ok: 1,
  };
};

export const count: Handler = (ctx) => {
  const { body, store, db } = ctx;
  const name = collectionArg(ctx);
  const filter = filterArg(body.query, 'query');
  const skip = Math.max(0, asNumber(body.skip, 'skip', 0));
  const limit = Math.abs(asNumber(body.limit, 'limit', 0));
  const c = store.get(db, name);
  checkHint(c, body.hint);
  const collation = normalizeCollation(body.collation, c);
  if (!c) return { n: 0, ok: 1 };
  const total =
    Object.keys(filter).length === 0
      ? c.size
      : (c.countIndexed?.(filter, collation) ?? c.match(filter, collation, limit ? skip + limit : Infinity).length);
  let n = Math.max(0, total - skip);
  if (limit) n = Math.min(n, limit);
  return { n, ok: 1 };
};

export const distinct: Handler = (ctx) => {
  const { body, store, db } = ctx;
  const name = collectionArg(ctx);
  if (typeof body.key !== 'string')
    throw err(14, "BSON field 'distinct.key' is the wrong type, expected type 'string'");
  const filter = filterArg(body.query, 'query');
  const c = store.get(db, name);
  const collation = normalizeCollation(body.collation, c);
  // Under a collation, values the collation holds equal are one value (the first seen):
  // same bucket key, then confirmed by the collator.
  const seen = new Map<string, unknown[]>();
  const values: unknown[] = [];
  for (const d of c ? c.match(filter, collation) : []) {
    for (const v of extractValues(d, body.key)) {
      const k = collation ? collatedKeyOf(v, collation) : keyOf(v);
      const same = seen.get(k);
      if (!same) seen.set(k, [v]);
      else if (!collation || same.some((x) => collatedEqual(x, v, collation))) continue;
      else same.push(v);
      values.push(v);
    }
  }
  return { values: clone({ values }).values, ok: 1 };
};

export { isPlainObject, Long };

/**
 * `$out` and `$merge`, the stages that write an aggregation's results to a
 * collection of the same database (mongod 7.0's semantics for the forms below;
 * anything else is refused with 115 rather than done differently):
 * - `$out: 'coll'` or `{db, coll}`: the results replace the collection at the end,
 *   all at once, keeping its indexes and options; a failure (a duplicate key)
 *   leaves it as it was.
 * - `$merge`: `into` a collection, `on: '_id'`, `whenMatched` replace |
 *   keepExisting | merge | fail, `whenNotMatched` insert | discard | fail. Not
 *   atomic, as on mongod: documents written before a failure stay.
 */
import { randomUUID } from 'node:crypto';
import { err } from '../errors.ts';
import { type Doc, isPlainObject, keyOf, newObjectId } from '../keys.ts';
import { prepareDoc, validateCollectionName } from '../store.ts';
import type { Collection } from '../collection.ts';
import type { Ctx } from './types.ts';

export const WRITE_STAGES = new Set(['$out', '$merge']);

/** The pipeline ends with `$out` or `$merge` (the engine treats the aggregate as a write). */
export function endsWithWrite(pipeline: unknown): boolean {
  if (!Array.isArray(pipeline) || pipeline.length === 0) return false;
  const last: unknown = pipeline[pipeline.length - 1];
  return isPlainObject(last) && Object.keys(last).some((k) => WRITE_STAGES.has(k));
}

const unsupported = (stage: string, what: string) =>
  err(115, `${stage} ${what} is not supported by the embedded server`);

/** The target collection of `$out`/`$merge`'s `into`: a name, or `{db, coll}` of this database. */
function targetName(stage: string, spec: unknown, db: string, field: string): string {
  if (typeof spec === 'string') return validateCollectionName(spec);
  if (!isPlainObject(spec))
    throw err(
      stage === '$out' ? 16990 : 51178,
      `${stage} only supports a string or object argument, not ${typeof spec}`,
    );
  for (const k of Object.keys(spec))
    if (k !== 'db' && k !== 'coll')
      throw unsupported(stage, k === 'timeseries' ? 'into a time-series collection' : `with '${k}'`);
  if (typeof spec.coll !== 'string')
    throw err(40414, `BSON field '${field}.coll' is missing but a required field`);
  if (spec.db !== undefined && spec.db !== db) throw unsupported(stage, 'into another database');
  return validateCollectionName(spec.coll);
}

/** A parsed `$out`/`$merge`, checked before anything runs. */
export type WriteStage =
  | { kind: '$out'; coll: string }
  | { kind: '$merge'; coll: string; whenMatched: string; whenNotMatched: string };

const MATCHED = new Set(['replace', 'keepExisting', 'merge', 'fail']);
const NOT_MATCHED = new Set(['insert', 'discard', 'fail']);

export function parseWriteStage(stage: Doc, db: string): WriteStage {
  if ('$out' in stage) return { kind: '$out', coll: targetName('$out', stage.$out, db, '$out') };
  const spec = stage.$merge;
  if (!isPlainObject(spec))
    return {
      kind: '$merge',
      coll: targetName('$merge', spec, db, '$merge'),
      whenMatched: 'merge',
      whenNotMatched: 'insert',
    };
  for (const k of Object.keys(spec))
    if (!['into', 'on', 'whenMatched', 'whenNotMatched'].includes(k))
      throw unsupported('$merge', `with '${k}'`);
  if (spec.into === undefined) throw err(40414, "BSON field '$merge.into' is missing but a required field");
  const coll = targetName('$merge', spec.into, db, '$merge.into');
  const on = spec.on;
  if (on !== undefined && on !== '_id' && !(Array.isArray(on) && on.length === 1 && on[0] === '_id'))
    throw unsupported('$merge', "with 'on' other than _id");
  const whenMatched = spec.whenMatched ?? 'merge';
  if (Array.isArray(whenMatched)) throw unsupported('$merge', 'with a pipeline for whenMatched');
  if (typeof whenMatched !== 'string' || !MATCHED.has(whenMatched))
    throw err(
      2,
      `Enumeration value '${String(whenMatched)}' for field '$merge.whenMatched' is not a valid value.`,
    );
  const whenNotMatched = spec.whenNotMatched ?? 'insert';
  if (typeof whenNotMatched !== 'string' || !NOT_MATCHED.has(whenNotMatched))
    throw err(
      2,
      `Enumeration value '${String(whenNotMatched)}' for field '$merge.whenNotMatched' is not a valid value.`,
    );
  return { kind: '$merge', coll, whenMatched, whenNotMatched };
}

/** Writes the results as `stage` says (never inside a transaction: checked by the caller). */
export function writeResults(ctx: Ctx, stage: WriteStage, results: Doc[]): void {
  if (stage.kind === '$out') out(ctx, stage.coll, results);
  else merge(ctx, stage, results);
}

function out(ctx: Ctx, coll: string, results: Doc[]): void {
  const store = ctx.state;
  const old = store.get(ctx.db, coll);
  // Built aside, then renamed over the target in one step: a failure leaves the target untouched.
  const tmp = store.create(ctx.db, `tmp.agg_out.${randomUUID()}`, { ...(old?.options ?? {}) });
  try {
    for (const spec of old?.indexSpecs() ?? []) if (spec.name !== '_id_') store.createIndex(tmp, spec);
    for (const r of results) {
      const { doc, bytes } = prepareDoc(r, newObjectId, store.persistent);
      store.insert(tmp, doc, bytes);
    }
  } catch (e) {
    store.drop(ctx.db, tmp.name);
    throw e;
  }
  if (old) store.drop(ctx.db, coll);
  store.rename(tmp, ctx.db, coll);
}

function merge(ctx: Ctx, stage: Extract<WriteStage, { kind: '$merge' }>, results: Doc[]): void {
  const store = ctx.state;
  let target: Collection | undefined = store.get(ctx.db, stage.coll);
  for (const r of results) {
    const id = r._id === undefined ? newObjectId() : r._id;
    const existing = target?.docs.get(keyOf(id));
    if (existing && stage.whenMatched !== 'fail') {
      if (stage.whenMatched === 'keepExisting') continue;
      const next = stage.whenMatched === 'merge' ? { ...existing, ...r } : { ...r, _id: id };
      const { doc, bytes } = prepareDoc(next, newObjectId, store.persistent);
      store.replace(target!, existing, doc, bytes);
      continue;
    }
    if (!existing && stage.whenNotMatched === 'discard') continue;
    if (!existing && stage.whenNotMatched === 'fail')
      throw err(
        13113,
        '$merge could not find a matching document in the target collection for at least one document in the source collection',
      );
    // whenMatched 'fail' is an insert, as on mongod: a match is its duplicate key error.
    target ??= store.ensure(ctx.db, stage.coll);
    const { doc, bytes } = prepareDoc(
      r._id === undefined ? { _id: id, ...r } : r,
      newObjectId,
      store.persistent,
    );
    store.insert(target, doc, bytes);
  }
}

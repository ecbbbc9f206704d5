/**
 * aggregate: leading `$match` stages run through the collection (index-assisted,
 * no copying); the rest through mingo. Output documents are cloned per batch by
 * the cursor, so results never alias stored state.
 */
import { checkPipeline } from '../syntax.ts';
import { type Doc, isPlainObject, normalizeFilter } from '../keys.ts';
import { err } from '../errors.ts';
import { refuseUncollated } from '../collated-ops.ts';
import { countOnly, fastGroup } from '../fast-group.ts';
import { checkHint } from '../hint.ts';
import { isAccumulator, isPipelineStage, letVariables, normalizeCollation, runPipeline } from '../mingo.ts';
import { type Handler, asNumber, asObject } from './types.ts';
import { validateCollectionName } from '../store.ts';
import { collStatsDocument } from './stats.ts';
import { currentOpStage, localSessions } from './ops.ts';
import { explainCommand } from './explain.ts';
import { WRITE_STAGES, type WriteStage, parseWriteStage, writeResults } from './aggregate-write.ts';

/** Stages that cannot run here; answered with a clear error instead of a wrong result. */
export const UNSUPPORTED_STAGES: Record<string, string> = {
  $changeStream:
    'Change streams are not supported by the embedded server (it answers as a replica set but keeps no oplog)',
  $search: '$search is not supported by the embedded server',
  $vectorSearch: '$vectorSearch is not supported by the embedded server',
  $geoNear: '$geoNear is not supported by the embedded server',
  $listSessions: '$listSessions is not supported by the embedded server',
  $indexStats: '$indexStats is not supported by the embedded server',
  $planCacheStats: '$planCacheStats is not supported by the embedded server',
};

/** Stages verified (mingo 7.2, deep-frozen inputs) not to mutate their input documents. */
const NON_MUTATING = new Set([
  '$match',
  '$group',
  '$sort',
  '$limit',
  '$skip',
  '$count',
  '$sortByCount',
  '$bucket',
  '$bucketAuto',
  '$project',
  '$unwind',
  '$lookup',
  '$replaceRoot',
  '$replaceWith',
  '$unset',
  '$sample',
  '$densify',
]);

/** `$group`'s fields other than `_id` are `{<accumulator>: expr}`: an unknown one is mongod's 15952. */
function checkAccumulators(group: Doc): void {
  for (const [field, spec] of Object.entries(group)) {
    if (field === '_id' || !isPlainObject(spec)) continue;
    const op = Object.keys(spec)[0];
    if (op !== undefined && op.startsWith('$') && !isAccumulator(op))
      throw err(15952, `unknown group operator '${op}'`);
  }
}

/** Stages that produce the pipeline's input, allowed only first (run here, not by mingo). */
export const FIRST_ONLY = new Set(['$collStats', '$currentOp', '$listLocalSessions']);

function checkStages(pipeline: Doc[], allSafe: { v: boolean }, top = false): void {
  for (const [i, stage] of pipeline.entries()) {
    if (!isPlainObject(stage) || Object.keys(stage).length !== 1)
      throw err(40323, 'A pipeline stage specification object must contain exactly one field.');
    const name = Object.keys(stage)[0];
    if (FIRST_ONLY.has(name) && !(top && i === 0))
      throw err(40602, `${name} is only valid as the first stage in a pipeline`);
    if (UNSUPPORTED_STAGES[name]) throw err(115, UNSUPPORTED_STAGES[name]);
    if (WRITE_STAGES.has(name)) {
      if (!top) throw err(115, `${name} inside a sub-pipeline is not supported by the embedded server`);
      if (i !== pipeline.length - 1) throw err(40601, `${name} can only be the final stage in the pipeline`);
      continue;
    }
    // Before any document flows: mongod parses the whole pipeline first, even over no input.
    if (!isPipelineStage(name) && !FIRST_ONLY.has(name))
      throw err(40324, `Unrecognized pipeline stage name: '${name}'`);
    if (name === '$group' && isPlainObject(stage.$group)) checkAccumulators(stage.$group);
    if (name === '$facet' && isPlainObject(stage.$facet)) {
      for (const sub of Object.values(stage.$facet))
        if (Array.isArray(sub)) checkStages(sub as Doc[], allSafe);
      continue;
    }
    if (name === '$lookup' && isPlainObject(stage.$lookup) && Array.isArray(stage.$lookup.pipeline))
      checkStages(stage.$lookup.pipeline as Doc[], allSafe);
    if (!NON_MUTATING.has(name)) allSafe.v = false;
  }
}

export const aggregate: Handler = (ctx) => {
  const { body, store, db } = ctx;
  const target = body.aggregate;
  if (!Array.isArray(body.pipeline)) throw err(14, "'pipeline' option must be specified as an array");
  const pipeline = normalizeFilter(body.pipeline) as Doc[];
  if (body.explain) return explainCommand(ctx, body, 'queryPlanner');
  if (!isPlainObject(body.cursor))
    throw err(9, "The 'cursor' option is required, except for aggregate with the explain argument");
  const batchSize = asNumber(asObject(body.cursor, 'cursor').batchSize, 'cursor.batchSize', 101);
  const safe = { v: true };
  checkStages(pipeline, safe, true);
  checkPipeline(pipeline);
  // `$out`/`$merge` (last, checked above) write the results instead of returning them.
  let write: WriteStage | undefined;
  const last = pipeline[pipeline.length - 1];
  if (last && ('$out' in last || '$merge' in last)) {
    write = parseWriteStage(last, db);
    if (ctx.txn) throw err(263, `${write.kind} cannot be used in a transaction`);
  }
  const pipelineRead = write ? pipeline.slice(0, -1) : pipeline;
  const collation = normalizeCollation(
    body.collation,
    typeof target === 'string' ? store.get(db, target) : undefined,
  );
  if (collation) refuseUncollated(pipelineRead);
  const variables = letVariables(body.let, 'aggregate.let');

  let source: Doc[];
  let rest = pipelineRead;
  let ns: string;
  const collStats = pipelineRead.length > 0 && '$collStats' in pipelineRead[0];
  if (collStats && target === 1)
    throw err(73, '$collStats cannot be run on the database; a collection is required.');
  if (collStats && ctx.txn)
    throw err(263, 'Operation not permitted in transaction :: caused by :: $collStats');
  if (collStats) {
    if (typeof target !== 'string') throw err(73, 'collection name has invalid type');
    ns = `${db}.${validateCollectionName(target)}`;
    source = [collStatsDocument(ctx, target, pipelineRead[0].$collStats)];
    rest = pipelineRead.slice(1);
  } else if (pipelineRead.length > 0 && '$currentOp' in pipelineRead[0]) {
    if (db !== 'admin' || target !== 1)
      throw err(73, "$currentOp must be run against the 'admin' database with {aggregate: 1}");
    if (ctx.txn) throw err(263, 'Operation not permitted in transaction :: caused by :: $currentOp');
    ns = `${db}.$cmd.aggregate`;
    source = currentOpStage(ctx, pipelineRead[0].$currentOp);
    rest = pipelineRead.slice(1);
  } else if (pipelineRead.length > 0 && '$listLocalSessions' in pipelineRead[0]) {
    if (target !== 1)
      throw err(50936, '$listLocalSessions must be run against the database with {aggregate: 1}');
    ns = `${db}.$cmd.aggregate`;
    source = localSessions(ctx, pipelineRead[0].$listLocalSessions);
    rest = pipelineRead.slice(1);
  } else if (target === 1) {
    ns = `${db}.$cmd.aggregate`;
    const first = pipelineRead[0];
    if (!first || !('$documents' in first))
      throw err(73, "{aggregate: 1} is not valid for '$match'; a collection is required.");
    source = [];
  } else {
    if (typeof target !== 'string') throw err(73, 'collection name has invalid type');
    validateCollectionName(target);
    ns = `${db}.${target}`;
    const c = store.get(db, target);
    checkHint(c, body.hint);
    // Peel leading $match stages: evaluated with indexes and without copies.
    let filter: Doc | undefined;
    while (rest.length && isPlainObject(rest[0]) && '$match' in rest[0]) {
      const m = rest[0].$match as Doc;
      filter = filter ? { $and: [filter, m] } : m;
      rest = rest.slice(1);
    }
    const counted = c && countOnly(rest[0]);
    const n = counted ? c.countIndexed?.(filter ?? {}, collation) : undefined;
    if (counted && typeof n === 'number') {
      // `$match` then a count (`countDocuments`): from the index, no document read. An
      // empty input groups to nothing, as mongod's $group does.
      source = n === 0 ? [] : [Object.fromEntries([['_id', counted.id], ...counted.fields.map((f) => [f, n])])];
      rest = rest.slice(1);
    } else source = !c ? [] : filter ? c.match(filter, collation, Infinity, variables) : [...c.all()];
  }

  // A leading $group (counts per stage/school) natively when its spec and data allow.
  if (
    !collation &&
    !collStats &&
    target !== 1 &&
    rest.length &&
    isPlainObject(rest[0]) &&
    '$group' in rest[0]
  ) {
    const grouped = fastGroup(source, rest[0].$group);
    if (grouped) {
      source = grouped;
      rest = rest.slice(1);
    }
  }

  const resolver = (name: string) => [...(store.get(db, name)?.all() ?? [])];
  const results = rest.length
    ? runPipeline(source, rest, {
        collation,
        collectionResolver: resolver,
        variables,
        clone: !safe.v,
      })
    : source;
  // Written as copies (prepareDoc); the reply is then an empty cursor, as mongod's.
  if (write) writeResults(ctx, write, results);
  // Results may reference stored (immutable) documents: copied unless serialized at once.
  return ctx.cursors.open(ns, write ? [] : results, {
    batchSize,
    connectionId: ctx.connectionId,
    owned: ctx.serializesReply,
    txn: ctx.txn?.cursorTxn,
  });
};

/**
 * explain of find, count, aggregate, update and delete: the plan is the index
 * `Collection.candidates` reads (IXSCAN with its name and key pattern, IDHACK for
 * `_id` equality, or COLLSCAN), and executionStats come from running the filter over
 * those candidates. Nothing is written.
 */
import os from 'node:os';
import type { Document } from 'bson';
import type { Collection } from '../collection.ts';
import { err } from '../errors.ts';
import { type Doc, isPlainObject, normalizeFilter } from '../keys.ts';
import { compileFilter, normalizeCollation } from '../mingo.ts';
import { validateCollectionName } from '../store.ts';
import { VERSION } from './admin.ts';
import { countOnly } from '../fast-group.ts';
import { type Ctx, type Handler, asNumber } from './types.ts';

const VERBOSITIES = ['queryPlanner', 'executionStats', 'allPlansExecution'];

interface Target {
  name: string;
  filter: Doc;
  collation?: Doc;
  /** find: skip and limit; update/delete: at most one (`multi: false`, `limit: 1`). */
  skip: number;
  limit: number;
  /** The write stage over the plan (UPDATE, DELETE), COUNT, or none. */
  top?: 'UPDATE' | 'DELETE' | 'COUNT';
  /** Aggregation stages after the leading $match ones. */
  rest?: Doc[];
  /** find: the sort. */
  sort?: Doc;
}

function targetOf(cmd: Document): Target {
  const name = Object.keys(cmd)[0];
  const coll = cmd[name];
  if (typeof coll !== 'string') throw err(73, 'collection name has invalid type');
  validateCollectionName(coll);
  const obj = (v: unknown) => (isPlainObject(v) ? (normalizeFilter(v) as Doc) : {});
  switch (name) {
    case 'find':
      return {
        name: coll,
        filter: obj(cmd.filter),
        collation: cmd.collation,
        skip: asNumber(cmd.skip, 'skip', 0),
        limit: Math.abs(asNumber(cmd.limit, 'limit', 0)),
        sort: isPlainObject(cmd.sort) ? cmd.sort : undefined,
      };
    case 'count':
      return {
        name: coll,
        filter: obj(cmd.query),
        collation: cmd.collation,
        skip: asNumber(cmd.skip, 'skip', 0),
        limit: Math.abs(asNumber(cmd.limit, 'limit', 0)),
        top: 'COUNT',
      };
    case 'update':
    case 'delete': {
      const list = cmd[name === 'update' ? 'updates' : 'deletes'];
      if (!Array.isArray(list) || list.length !== 1 || !isPlainObject(list[0]))
        throw err(9, `explain of ${name} takes exactly one statement`);
      const st = list[0];
      const one = name === 'update' ? !st.multi : asNumber(st.limit, 'limit', 0) === 1;
      return {
        name: coll,
        filter: obj(st.q),
        collation: st.collation,
        skip: 0,
        limit: one ? 1 : 0,
        top: name === 'update' ? 'UPDATE' : 'DELETE',
      };
    }
    case 'aggregate': {
      if (!Array.isArray(cmd.pipeline)) throw err(14, "'pipeline' option must be specified as an array");
      let filter: Doc = {};
      let i = 0;
      const pipeline = normalizeFilter(cmd.pipeline) as Doc[];
      for (; i < pipeline.length && isPlainObject(pipeline[i]) && '$match' in pipeline[i]; i++)
        filter = Object.keys(filter).length
          ? { $and: [filter, pipeline[i].$match as Doc] }
          : (pipeline[i].$match as Doc);
      return { name: coll, filter, collation: cmd.collation, skip: 0, limit: 0, rest: pipeline.slice(i) };
    }
    default:
      throw err(115, `explain of '${name}' is not supported by the embedded server`);
  }
}

/**
 * The plan tree mongod's classic engine would show for the index the planner chose;
 * a stage's `filter` is what is still tested on each document (the conditions the
 * index lookup guarantees are left out, as mongod leaves its index bounds out).
 */
function planOf(c: Collection | undefined, filter: Doc): Document {
  const choice = c?.lastPlan;
  const plan = choice?.index ?? null;
  if (plan === '_id_') return { stage: 'IDHACK' };
  const residual = choice ? choice.residual : filter;
  const withFilter = Object.keys(residual).length ? { filter: residual } : {};
  if (plan === null) return { stage: 'COLLSCAN', ...withFilter, direction: 'forward' };
  const index = {
    keyPattern: plan.spec.key,
    indexName: plan.name,
    isMultiKey: plan.multikey.some(Boolean),
    isUnique: !!plan.spec.unique,
    isSparse: !!plan.spec.sparse,
    isPartial: !!plan.spec.partialFilterExpression,
  };
  // Counted from the index: no document is fetched (a Date range left is the scan's bounds).
  if (choice?.countScan) return { stage: 'COUNT_SCAN', ...index };
  const walk = choice?.walk;
  return {
    stage: 'FETCH',
    ...withFilter,
    inputStage: {
      stage: 'IXSCAN',
      ...index,
      direction: walk?.dir === -1 ? 'backward' : 'forward',
    },
  };
}

/**
 * find's plan above the scan: an index walk in the sort's order needs no SORT stage
 * when it gives the whole sort, and sorts only its tie groups by the later keys
 * otherwise; a sort no index gives is a blocking SORT of every match.
 */
function sortOf(c: Collection | undefined, t: Target, plan: Document): Document {
  const sort = t.sort;
  if (!sort || Object.keys(sort).length === 0) return plan;
  const walk = c?.lastPlan.walk;
  if (walk && Object.keys(sort).length === 1) return plan;
  const limit = t.limit ? { limitAmount: t.skip + t.limit } : {};
  return {
    stage: 'SORT',
    sortPattern: sort,
    ...(walk ? { sortedByIndex: walk.field } : {}),
    type: 'simple',
    ...limit,
    inputStage: plan,
  };
}

export function explainCommand(ctx: Ctx, cmd: Document, verbosity: string): Document {
  if (!VERBOSITIES.includes(verbosity))
    throw err(2, "verbosity string must be one of {'queryPlanner', 'executionStats', 'allPlansExecution'}");
  const t = targetOf(cmd);
  const c = ctx.state.get(ctx.db, t.name);
  const collation = normalizeCollation(t.collation, c);
  const t0 = performance.now();
  let examined = 0;
  let matched = 0;
  // The plan the command itself would run: a count from the index, a page from an
  // index walk in sort order, or the candidates tested one by one.
  const counts = t.top === 'COUNT' || (t.rest !== undefined && countOnly(t.rest[0]) !== null);
  const counted = c && counts ? c.countIndexed(t.filter, collation) : null;
  const walked =
    c && counted === null && t.sort && t.limit ? c.sortedMatch(t.filter, t.sort, collation, t.skip + t.limit) : null;
  if (counted !== null) matched = counted;
  else if (walked) {
    matched = walked.length;
    examined = c!.lastPlan.walk?.examined ?? 0;
  } else if (c) {
    const q = compileFilter(t.filter, collation);
    const enough = t.limit && !t.sort ? t.skip + t.limit : Infinity;
    for (const d of c.candidates(t.filter, collation)) {
      examined++;
      if (q.test(d) && ++matched >= enough) break;
    }
    if (t.sort && t.limit) matched = Math.min(matched, t.skip + t.limit);
  }
  const ms = Math.round(performance.now() - t0);
  const returned = Math.max(0, matched - t.skip);
  let winningPlan = sortOf(c, t, planOf(c, t.filter));
  if (t.limit && !t.top) winningPlan = { stage: 'LIMIT', limitAmount: t.limit, inputStage: winningPlan };
  if (t.skip && !t.top) winningPlan = { stage: 'SKIP', skipAmount: t.skip, inputStage: winningPlan };
  if (t.top) winningPlan = { stage: t.top, inputStage: winningPlan };
  const keys = c?.lastPlan.countScan ? matched : c?.lastPlan.index ? examined : 0;
  const queryPlanner: Document = {
    namespace: `${ctx.db}.${t.name}`,
    indexFilterSet: false,
    parsedQuery: t.filter,
    // The shape's hashes (mongod: queryHash from the shape, planCacheKey from the shape and
    // the indexes it may use); absent when the filter is not planned (empty, collation, _id).
    ...(c?.lastPlan.shape
      ? { queryHash: c.lastPlan.shape.queryHash, planCacheKey: c.lastPlan.shape.planCacheKey }
      : {}),
    maxIndexedOrSolutionsReached: false,
    maxIndexedAndSolutionsReached: false,
    maxScansToExplodeReached: false,
    winningPlan,
    rejectedPlans: [],
  };
  const stats: Document | undefined =
    verbosity === 'queryPlanner'
      ? undefined
      : {
          executionSuccess: true,
          // Count and writes return no documents; the write stages say how many they would change.
          nReturned: t.top ? 0 : returned,
          executionTimeMillis: ms,
          totalKeysExamined: keys,
          totalDocsExamined: examined,
          executionStages: {
            ...winningPlan,
            ...(t.top === 'UPDATE' ? { nMatched: returned, nWouldModify: returned } : {}),
            ...(t.top === 'DELETE' ? { nWouldDelete: returned } : {}),
            ...(t.top === 'COUNT' ? { nCounted: t.limit ? Math.min(returned, t.limit) : returned } : {}),
          },
          ...(verbosity === 'allPlansExecution' ? { allPlansExecution: [] } : {}),
        };
  const serverInfo = { host: os.hostname(), port: 0, version: VERSION, gitVersion: 'embedded' };
  const reply: Document = { explainVersion: '1' };
  if (t.rest && t.rest.length) {
    reply.stages = [{ $cursor: { queryPlanner, ...(stats ? { executionStats: stats } : {}) } }, ...t.rest];
  } else {
    reply.queryPlanner = queryPlanner;
    if (stats) reply.executionStats = stats;
  }
  return { ...reply, command: cmd, serverInfo, ok: 1 };
}

export const explain: Handler = (ctx) => {
  const cmd = ctx.body.explain;
  if (!isPlainObject(cmd))
    throw err(14, "BSON field 'explain.explain' is the wrong type, expected type 'object'");
  const verbosity = ctx.body.verbosity ?? 'allPlansExecution';
  if (typeof verbosity !== 'string')
    throw err(14, "BSON field 'explain.verbosity' is the wrong type, expected type 'string'");
  return explainCommand(ctx, cmd, verbosity);
};

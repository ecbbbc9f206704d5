/**
 * Index order (ordered.ts, Collection.sortedMatch/countIndexed): a sorted page with a
 * limit read by walking an index's posting in the order of its next field, and counts
 * answered from postings (COUNT_SCAN). Whatever the walk or the count skips, the
 * answers must be the plain path's: every document tested with the same matcher,
 * sorted by the same sort — including missing/null sort keys, arrays, mixed types,
 * ties, collation queries, and documents changed after a view was built.
 */
import fc from 'fast-check';
import type { Document } from 'bson';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../src/engine/index.ts';
import type { Doc } from '../src/engine/keys.ts';
import { compileFilter, sortDocs } from '../src/engine/mingo.ts';

const ctx = { connectionId: 1 };
let engine: Engine;
const run = (cmd: Document): Promise<Document> => engine.run('t', cmd, ctx);
const explain = (cmd: Document, verbosity = 'queryPlanner') => run({ explain: cmd, verbosity });

beforeEach(async () => {
  engine = await createEngine({});
});
afterEach(async () => {
  await engine.close();
});

const D = [0, 1, 2, 3, 4].map((i) => new Date(Date.UTC(2026, 0, 1 + i)));

/** Sort-key values of every kind a walk must order as the plain sort does. */
const dValue = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...D) },
  { weight: 2, arbitrary: fc.constant(null) },
  { weight: 2, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.constantFrom(3, 'x', true) },
);
/** Now and then an array (a view is then not built: the plain sort answers). */
const dOrArray = fc.oneof(
  { weight: 30, arbitrary: dValue },
  { weight: 1, arbitrary: fc.constant([D[1], D[3]]) },
);

const docArb = fc.record({
  anc: fc.constantFrom(['P', 'S1'], ['P', 'S2'], ['Q']),
  s: fc.constantFrom('a', 'b', 'c'),
  d: dOrArray,
  x: fc.integer({ min: 0, max: 3 }),
});

function stored(i: number, r: { anc: readonly string[]; s: string; d: unknown; x: number }): Doc {
  const doc: Doc = { _id: i, anc: [...r.anc], s: r.s, x: r.x };
  if (r.d !== undefined) doc.d = r.d;
  return doc;
}

async function load(docs: Doc[]) {
  await run({ insert: 'm', documents: docs });
  await run({ createIndexes: 'm', indexes: [{ key: { s: 1, anc: 1, d: 1 }, name: 's_anc_d' }] });
}

/** The plain path: every document tested, then sorted (sortDocs is stable). */
function reference(docs: Doc[], filter: Doc, sort?: Doc): Doc[] {
  const q = compileFilter(filter);
  const hits = docs.filter((d) => q.test(d));
  return sort ? sortDocs(hits, sort) : hits;
}

/** Asks of one posting's order before its view is built (Index.orderedView): the plain way until then. */
const ASKS = 4;

/** Runs a read ASKS times: the plain answers first, then the view's; all must be the same. */
async function repeated<T>(read: () => Promise<T>): Promise<T> {
  const first = await read();
  for (let i = 1; i < ASKS; i++) expect(await read()).toEqual(first);
  return first;
}

const find = (filter: Doc, sort: Doc, skip: number, limit: number) =>
  repeated(async () => (await run({ find: 'm', filter, sort, skip, limit })).cursor.firstBatch as Doc[]);
const twice = repeated;
const countCmd = (filter: Doc) => twice(async () => (await run({ count: 'm', query: filter })).n as number);
const countAgg = (filter: Doc) =>
  twice(async () => {
    const batch = (
      await run({
        aggregate: 'm',
        pipeline: [{ $match: filter }, { $group: { _id: 1, n: { $sum: 1 } } }],
        cursor: {},
      })
    ).cursor.firstBatch as Doc[];
    return batch.length ? (batch[0].n as number) : 0;
  });

/** The first stage named `stage` in a plan tree. */
function findStage(plan: Document | undefined, stage: string): Document | undefined {
  if (!plan) return undefined;
  if (plan.stage === stage) return plan;
  return findStage(plan.inputStage, stage);
}

const filterArb = fc.record({
  s: fc.constantFrom('a', 'b'),
  anc: fc.constantFrom('P', 'S1', 'Q'),
  rest: fc.constantFrom<Doc>(
    {},
    { x: { $gte: 2 } },
    { d: { $type: 'date' } },
    { d: { $lt: D[3] } },
    { d: { $gte: D[1], $lt: D[4] } },
    { d: { $type: 'date', $gt: D[0] } },
    { d: null },
  ),
});

describe('a sorted page from an index walk', () => {
  it('answers as the plain path for random documents, filters, sorts, skips and limits', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(docArb, { minLength: 20, maxLength: 80 }),
        filterArb,
        fc.constantFrom(1, -1),
        fc.constantFrom(1, -1),
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 1, max: 6 }),
        async (raw, f, dir, idDir, skip, limit) => {
          await engine.close();
          engine = await createEngine({});
          const docs = raw.map((r, i) => stored(i, r));
          await load(docs);
          const filter = { s: f.s, anc: f.anc, ...f.rest };
          // A total order (the `_id` tie-breaker, as the board sorts): exactly the plain page.
          const sort = { d: dir, _id: idDir };
          const want = reference(docs, filter, sort).slice(skip, skip + limit);
          expect(await find(filter, sort, skip, limit)).toEqual(want);
          // One key: ties may come in any order, but the keys and the matches are the plain ones.
          const one = await find(filter, { d: dir }, skip, limit);
          const plain = reference(docs, filter, { d: dir }).slice(skip, skip + limit);
          expect(one.map((d) => JSON.stringify(d.d ?? null))).toEqual(
            plain.map((d) => JSON.stringify(d.d ?? null)),
          );
          const q = compileFilter(filter);
          for (const d of one) expect(q.test(d)).toBe(true);
        },
      ),
      { numRuns: 120 },
    );
  });

  it('is the chosen plan: IXSCAN in the sort order and LIMIT, no SORT; a tie-breaker sorts only ties', async () => {
    const docs = Array.from({ length: 40 }, (_, i) => ({
      _id: i,
      anc: ['P', i % 2 ? 'S1' : 'S2'],
      s: i % 3 ? 'a' : 'b',
      d: i % 5 ? D[i % 4] : null,
      // A second index with the same (s, anc) prefix: the walk's index must win the tie.
      name: `n${i}`,
    }));
    await run({ insert: 'm', documents: docs });
    await run({
      createIndexes: 'm',
      indexes: [
        { key: { anc: 1, s: 1, name: 1 }, name: 'anc_s_name' },
        { key: { s: 1, anc: 1, d: 1 }, name: 's_anc_d' },
      ],
    });
    const filter = { anc: 'P', s: 'a', d: { $type: 'date' } };
    // The first asks of this order read the plain way (a blocking SORT); then it is walked.
    for (let i = 1; i < ASKS; i++) {
      const before = await explain({ find: 'm', filter, sort: { d: 1 }, limit: 3 });
      expect(findStage(before.queryPlanner.winningPlan, 'SORT')).toBeDefined();
    }
    const plan = await explain({ find: 'm', filter, sort: { d: 1 }, limit: 3 }, 'executionStats');
    const winning = plan.queryPlanner.winningPlan;
    expect(winning.stage).toBe('LIMIT');
    expect(findStage(winning, 'SORT')).toBeUndefined();
    expect(findStage(winning, 'IXSCAN')?.indexName).toBe('s_anc_d');
    // The walk starts at the first date and stops after the third match's tie group.
    const matching = docs.filter((d) => d.s === 'a' && d.d !== null).length;
    expect(plan.executionStats.totalDocsExamined).toBeLessThan(matching);
    expect(plan.executionStats.nReturned).toBe(3);
    const tied = await explain({ find: 'm', filter, sort: { d: 1, _id: 1 }, limit: 3 });
    const sortStage = findStage(tied.queryPlanner.winningPlan, 'SORT');
    expect(sortStage?.sortedByIndex).toBe('d');
    expect(findStage(tied.queryPlanner.winningPlan, 'IXSCAN')?.indexName).toBe('s_anc_d');
    // Sorted by a field the index does not give next: a blocking SORT of every match.
    const other = await explain({ find: 'm', filter, sort: { name: 1 }, limit: 3 });
    expect(findStage(other.queryPlanner.winningPlan, 'SORT')?.sortedByIndex).toBeUndefined();
  });

  it('sees documents inserted, changed and removed after the order was first read', async () => {
    const docs = Array.from({ length: 20 }, (_, i) => ({ _id: i, anc: ['P'], s: 'a', d: D[i % 5], x: 0 }));
    await load(docs);
    const page = () => find({ anc: 'P', s: 'a' }, { d: 1, _id: 1 }, 0, 3);
    expect((await page()).map((d) => d._id)).toEqual([0, 5, 10]);
    // An indexed field (d) changes: the document moves in the order.
    await run({
      update: 'm',
      updates: [{ q: { _id: 15 }, u: { $set: { d: new Date(Date.UTC(2025, 0, 1)) } } }],
    });
    expect((await page()).map((d) => d._id)).toEqual([15, 0, 5]);
    // A field outside the index changes: the page shows the new version.
    await run({ update: 'm', updates: [{ q: { _id: 0 }, u: { $set: { x: 9 } } }] });
    expect((await page())[1]).toMatchObject({ _id: 0, x: 9 });
    await run({ insert: 'm', documents: [{ _id: 100, anc: ['P'], s: 'a', d: null }] });
    expect((await page()).map((d) => d._id)).toEqual([100, 15, 0]);
    await run({ delete: 'm', deletes: [{ q: { _id: 100 }, limit: 1 }] });
    await run({ update: 'm', updates: [{ q: { _id: 15 }, u: { $set: { s: 'b' } } }] });
    expect((await page()).map((d) => d._id)).toEqual([0, 5, 10]);
  });

  it('leaves an array in the sort field, and a collation query, to the plain sort', async () => {
    const docs = [
      { _id: 1, anc: ['P'], s: 'a', d: [D[4], D[0]] },
      { _id: 2, anc: ['P'], s: 'a', d: D[2] },
      { _id: 3, anc: ['P'], s: 'a', d: D[1] },
    ];
    await load(docs);
    // No index walk over an array: the plain sort's answer (ascending by the smallest element).
    for (const dir of [1, -1]) {
      const want = reference(docs, { anc: 'P', s: 'a' }, { d: dir }).slice(0, 2);
      expect(await find({ anc: 'P', s: 'a' }, { d: dir }, 0, 2)).toEqual(want);
    }
    expect((await find({ anc: 'P', s: 'a' }, { d: 1 }, 0, 2)).map((d) => d._id)).toEqual([1, 3]);
    const words = ['b', 'B', 'a', 'A', 'c'].map((w, i) => ({ _id: 10 + i, anc: ['P'], s: 'w', d: w }));
    await run({ insert: 'm', documents: words });
    const collated = (
      await run({
        find: 'm',
        filter: { anc: 'P', s: 'w' },
        sort: { d: 1 },
        limit: 2,
        collation: { locale: 'en', strength: 2 },
      })
    ).cursor.firstBatch as Doc[];
    // Case-insensitive: the two a's first, though 'A' and 'B' come before 'a' in binary order.
    expect(collated.map((d) => String(d.d).toLowerCase())).toEqual(['a', 'a']);
    const plan = await explain({
      find: 'm',
      filter: { anc: 'P', s: 'w' },
      sort: { d: 1 },
      limit: 2,
      collation: { locale: 'en', strength: 2 },
    });
    expect(findStage(plan.queryPlanner.winningPlan, 'SORT')?.sortedByIndex).toBeUndefined();
  });
});

describe('counts from the index (COUNT_SCAN)', () => {
  it('count and countDocuments answer as the plain path for random documents and filters', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(docArb, { minLength: 0, maxLength: 80 }), filterArb, async (raw, f) => {
        await engine.close();
        engine = await createEngine({});
        const docs = raw.map((r, i) => stored(i, r));
        if (docs.length) await load(docs);
        const filter = { s: f.s, anc: f.anc, ...f.rest };
        const want = reference(docs, filter).length;
        expect(await countCmd(filter)).toBe(want);
        expect(await countAgg(filter)).toBe(want);
        const both = { s: { $in: ['a', 'b'] }, anc: f.anc, ...f.rest };
        expect(await countAgg(both)).toBe(reference(docs, both).length);
        // Ancestors are arrays: two of a document's values name it twice, counted once.
        const overlapping = { s: f.s, anc: { $in: ['P', 'S1'] }, ...f.rest };
        expect(await countCmd(overlapping)).toBe(reference(docs, overlapping).length);
      }),
      { numRuns: 120 },
    );
  });

  it('is the chosen plan: COUNT_SCAN, no document read, for an equality prefix and a Date range', async () => {
    const docs = Array.from({ length: 30 }, (_, i) => ({
      _id: i,
      anc: ['P', `S${i % 3}`],
      s: i % 2 ? 'a' : 'b',
      d: i % 4 ? D[i % 5] : null,
    }));
    await load(docs);
    for (const filter of [
      { anc: 'S1', s: 'a' },
      { anc: 'P', s: 'b', d: { $lt: D[3] } },
    ]) {
      for (let i = 1; i < ASKS; i++) await explain({ count: 'm', query: filter });
      const plan = await explain({ count: 'm', query: filter }, 'executionStats');
      expect(plan.queryPlanner.winningPlan.stage).toBe('COUNT');
      expect(plan.queryPlanner.winningPlan.inputStage).toMatchObject({
        stage: 'COUNT_SCAN',
        indexName: 's_anc_d',
      });
      expect(plan.executionStats.totalDocsExamined).toBe(0);
      expect(plan.executionStats.executionStages.nCounted).toBe(reference(docs, filter).length);
      const agg = await explain({
        aggregate: 'm',
        pipeline: [{ $match: filter }, { $group: { _id: 1, n: { $sum: 1 } } }],
        cursor: {},
      });
      expect(agg.stages[0].$cursor.queryPlanner.winningPlan.stage).toBe('COUNT_SCAN');
    }
    // A condition the index does not answer is tested on each document.
    const rest = await explain({ count: 'm', query: { anc: 'P', s: 'a', x: 1 } });
    expect(findStage(rest.queryPlanner.winningPlan, 'COUNT_SCAN')).toBeUndefined();
    expect(findStage(rest.queryPlanner.winningPlan, 'IXSCAN')).toBeDefined();
  });

  it('does not count a collation query from a binary index', async () => {
    await load([
      { _id: 1, anc: ['P'], s: 'a' },
      { _id: 2, anc: ['P'], s: 'A' },
      { _id: 3, anc: ['P'], s: 'b' },
    ]);
    const collation = { locale: 'en', strength: 2 };
    expect((await run({ count: 'm', query: { anc: 'P', s: 'a' }, collation })).n).toBe(2);
    expect((await run({ count: 'm', query: { anc: 'P', s: 'a' } })).n).toBe(1);
    const plan = await explain({ count: 'm', query: { anc: 'P', s: 'a' }, collation });
    expect(findStage(plan.queryPlanner.winningPlan, 'COUNT_SCAN')).toBeUndefined();
  });
});

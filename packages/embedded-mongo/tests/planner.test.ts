/**
 * The query planner: the index is chosen by its key counts for the query's values,
 * equality conditions an index lookup guarantees are not tested again, and plans
 * are cached per query shape until the indexes change. Whatever it drops, a query
 * must return exactly what testing every document with the same matcher returns.
 */
import fc from 'fast-check';
import { Long, ObjectId } from 'bson';
import { describe, expect, it } from 'vitest';
import { Collection } from '../src/engine/collection.ts';
import type { Doc } from '../src/engine/keys.ts';
import { compileFilter } from '../src/engine/mingo.ts';
import { queryShape } from '../src/engine/planner.ts';

const OIDS = [new ObjectId('64b000000000000000000001'), new ObjectId('64b000000000000000000002')];
const DATE = new Date('2026-01-02T00:00:00Z');

function collection(specs: Doc[], docs: Doc[]): Collection {
  const c = new Collection('t', 'c');
  for (const s of specs) c.createIndex({ v: 2, ...s } as never);
  docs.forEach((d, i) => c.insert({ _id: i, ...d }));
  return c;
}

/** fast-check's records may lack a prototype; stored documents are plain objects. */
function plain(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(plain);
  const proto = v && typeof v === 'object' ? Object.getPrototypeOf(v) : undefined;
  if (proto === null || proto === Object.prototype)
    return Object.fromEntries(Object.entries(v as object).map(([k, x]) => [k, plain(x)]));
  return v;
}

const ids = (docs: Doc[]) => docs.map((d) => d._id as number).sort((a, b) => a - b);

describe('index choice by selectivity', () => {
  const docs = Array.from({ length: 100 }, (_, i) => ({
    prov: 'P',
    school: i < 10 ? 's1' : 's2',
    stage: i % 2 ? 'member' : 'candidate',
    name: `n${i}`,
    code: i,
  }));
  const specs = [
    { key: { school: 1, code: 1 }, name: 'school_code', unique: true },
    { key: { prov: 1, stage: 1, name: 1 }, name: 'prov_stage_name' },
    { key: { stage: 1 }, name: 'stage_1' },
  ];

  it('reads the index with the fewest keys for the values asked', () => {
    const c = collection(specs, docs);
    c.match({ prov: 'P', school: 's1', stage: 'member' });
    expect(c.lastPlan.index !== '_id_' && c.lastPlan.index?.name).toBe('school_code');
    // For the other school, the (prov, stage) prefix names fewer documents than the school.
    c.match({ prov: 'P', school: 's2', stage: 'member' });
    expect(c.lastPlan.index !== '_id_' && c.lastPlan.index?.name).toBe('prov_stage_name');
  });

  it('does not test again what the index lookup guarantees, nor an equality every document meets', () => {
    const c = collection(specs, docs);
    const got = c.match({ prov: 'P', school: 's1', stage: 'member', name: { $regex: '^n' } });
    expect(ids(got)).toEqual([1, 3, 5, 7, 9]);
    // school by the index; prov lists every document; stage and the regex stay.
    expect(c.lastPlan.residual).toEqual({ stage: 'member', name: { $regex: '^n' } });
    // One document outside the province: its condition is tested again.
    c.insert({ _id: 1000, prov: 'Q', school: 's1', stage: 'member', name: 'n' });
    const again = c.match({ prov: 'P', school: 's1', stage: 'member' });
    expect(ids(again)).toEqual([1, 3, 5, 7, 9]);
    expect(c.lastPlan.residual).toEqual({ prov: 'P', stage: 'member' });
  });

  it('keeps conditions whose index keys are not exact: numbers, null, a field looked up by an $and term', () => {
    const c = collection([{ key: { n: 1 }, name: 'n_1' }], [{ n: 5 }, { n: new Long(5) }, { n: null }, {}]);
    c.match({ n: 5 });
    expect(c.lastPlan.residual).toEqual({ n: 5 });
    c.match({ n: null });
    expect(c.lastPlan.residual).toEqual({ n: null });
    const s = collection([{ key: { s: 1 }, name: 's_1' }], [{ s: 'a' }, { s: 'b' }, { s: 'c' }]);
    const got = s.match({ $and: [{ s: 'a' }], s: 'b' });
    expect(got).toEqual([]);
    expect(s.lastPlan.residual).toEqual({ $and: [{ s: 'a' }], s: 'b' });
  });
});

describe('plan cache', () => {
  it('keys plans by shape, not values, and forgets them when the indexes change', () => {
    const c = collection(
      [{ key: { a: 1 }, name: 'a_1' }],
      [
        { a: 'x', b: 'y' },
        { a: 'y', b: 'x' },
      ],
    );
    c.match({ a: 'x', b: 'y' });
    expect(c.lastPlan.cached).toBe(false);
    const first = c.lastPlan.shape!;
    c.match({ a: 'y', b: 'q' });
    expect(c.lastPlan.cached).toBe(true);
    expect(c.lastPlan.shape).toBe(first);
    c.createIndex({ v: 2, key: { b: 1 }, name: 'b_1' });
    c.match({ a: 'x', b: 'y' });
    expect(c.lastPlan.cached).toBe(false);
    expect(c.lastPlan.shape!.queryHash).toBe(first.queryHash);
    expect(c.lastPlan.shape!.planCacheKey).not.toBe(first.planCacheKey);
    c.indexes.delete('a_1');
    c.match({ a: 'x', b: 'y' });
    expect(c.lastPlan.cached).toBe(false);
    expect(c.lastPlan.index !== '_id_' && c.lastPlan.index?.name).toBe('b_1');
  });

  it('tells value classes apart that plan differently', () => {
    expect(queryShape({ a: 'x' })).toBe(queryShape({ a: 'y' }));
    expect(queryShape({ a: 'x' })).not.toBe(queryShape({ a: 1 }));
    expect(queryShape({ a: 'x' })).not.toBe(queryShape({ a: null }));
    expect(queryShape({ a: { $in: ['x'] } })).not.toBe(queryShape({ a: { $in: ['x', null] } }));
  });
});

describe('differential: planned queries answer as a scan of every document', () => {
  // Values whose index keys are exact, and values that only look alike (5 and Long 5,
  // null and missing, arrays, nested arrays, documents), at top level and under a
  // path through an array of documents.
  const scalar = fc.constantFrom<unknown>(
    'x',
    'y',
    true,
    false,
    OIDS[0],
    OIDS[1],
    DATE,
    5,
    new Long(5),
    null,
  );
  const value = fc.oneof(
    { weight: 3, arbitrary: scalar },
    fc.array(scalar, { maxLength: 3 }),
    fc.array(fc.array(scalar, { maxLength: 2 }), { maxLength: 2 }),
    fc.record({ s: scalar }),
  );
  // Under a dotted path, no array of arrays: there mingo matches `{'p.s': 5}` on
  // `{p: {s: [[5]]}}` (it flattens by path depth) where mongod and the index do not,
  // with or without the planner (a known difference of the matcher, not of the plan).
  const flat = fc.oneof({ weight: 3, arbitrary: scalar }, fc.array(scalar, { maxLength: 3 }));
  const sub = fc.oneof(
    fc.record({ s: flat }, { requiredKeys: [] }),
    fc.array(fc.record({ s: flat }), { maxLength: 2 }),
  );
  // `prov` is 'P' (or holds it) in most documents, so the whole-collection shortcut is met.
  const prov = fc.oneof({ weight: 8, arbitrary: fc.constant<unknown>('P') }, fc.constant(['Q', 'P']), scalar);
  const docArb = fc.record({ prov, a: value, b: value, p: sub }, { requiredKeys: ['prov'] });
  const cond = fc.oneof(
    { weight: 4, arbitrary: scalar },
    scalar.map((v) => ({ $eq: v })),
    fc.array(scalar, { minLength: 1, maxLength: 3 }).map((vs) => ({ $in: vs })),
    fc.constant({ $ne: 'x' }),
    fc.constant({ $regex: '^x' }),
    fc.constant(['x', 'y']),
  );
  const filterArb = fc
    .record(
      { prov: fc.oneof(fc.constant<unknown>('P'), cond), a: cond, b: cond, 'p.s': cond },
      { requiredKeys: [] },
    )
    .chain((f) =>
      fc.oneof(
        fc.constant<Doc>(f),
        // The same conditions again under $and (the planner may look a field up by either).
        cond.map((c) => ({ ...f, $and: [{ a: c }] }) as Doc),
      ),
    );
  const specs = [
    { key: { prov: 1, a: 1, b: 1 }, name: 'prov_a_b' },
    { key: { a: 1 }, name: 'a_1' },
    { key: { b: 1, a: 1 }, name: 'b_a', unique: false },
    { key: { 'p.s': 1 }, name: 'ps_1' },
    { key: { b: 1 }, name: 'b_sparse', sparse: true },
  ];

  it('returns what testing every document with the same matcher returns', () => {
    fc.assert(
      fc.property(
        fc.array(docArb, { maxLength: 40 }),
        fc.array(filterArb, { maxLength: 8 }),
        (docs, filters) => {
          const c = collection(specs, plain(docs) as Doc[]);
          for (const raw of filters) {
            const filter = plain(raw) as Doc;
            // The engine's own matcher over every document (Long 5 equals 5 there, as in mongod;
            // plain mingo would say otherwise): the plan may change the work, never the answer.
            const q = compileFilter(filter);
            const want = [...c.all()].filter((d) => q.test(d));
            const got = ids(c.match(filter));
            expect(got, JSON.stringify(filter)).toEqual(ids(want));
            // And as the same candidates tested against the whole filter (no condition dropped).
            const full = compileFilter(filter);
            expect(got).toEqual(ids([...c.candidates(filter)].filter((d) => full.test(d))));
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});

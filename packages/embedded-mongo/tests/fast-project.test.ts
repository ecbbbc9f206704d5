/**
 * The native inclusion projection must give exactly what the mingo path gives (values
 * and field order, nested levels included) for every projection it accepts, refuse
 * the shapes it does not cover, and never change the stored document.
 */
import { ObjectId } from 'bson';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { copyDoc } from '../src/engine/clone.ts';
import { compileInclusion } from '../src/engine/fast-project.ts';
import { projectCopies, projectDocs } from '../src/engine/mingo.ts';

type D = Record<string, unknown>;

const isObject = (v: unknown): v is D =>
  v !== null &&
  typeof v === 'object' &&
  !Array.isArray(v) &&
  !(v instanceof Date) &&
  !(v instanceof ObjectId);

/** The value with every object's keys in order, so toEqual also compares field order. */
const withOrder = (v: unknown): unknown => {
  if (Array.isArray(v)) return v.map(withOrder);
  if (isObject(v)) return Object.entries(v).map(([k, x]) => [k, withOrder(x)]);
  return v;
};

const KEYS = ['a', 'b', 'c', '_id'];
const scalar = fc.oneof(
  fc.integer({ min: -3, max: 3 }),
  fc.constantFrom('x', 'Nguyễn', ''),
  fc.constant(null),
  fc.boolean(),
  fc.constant(new Date(Date.UTC(2026, 0, 1))),
  fc.constant(new ObjectId('00000000000000000000000a')),
);
const { value } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    scalar,
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom(...KEYS.slice(0, 3)), tie('value'), { maxKeys: 3 }),
  ),
}));
const docArb = fc
  .tuple(fc.dictionary(fc.constantFrom(...KEYS.slice(0, 3)), value, { maxKeys: 3 }), fc.option(scalar))
  .map(([d, id]) => (id === null ? d : { _id: id, ...d }));
const pathArb = fc
  .array(fc.constantFrom(...KEYS.slice(0, 3)), { minLength: 1, maxLength: 3 })
  .map((parts) => parts.join('.'));
const projectionArb = fc
  .tuple(
    fc.uniqueArray(pathArb, { minLength: 1, maxLength: 4 }),
    fc.constantFrom(undefined, 0, 1, true, false),
  )
  .map(([paths, id]) => {
    const p: D = Object.fromEntries(paths.map((k) => [k, 1]));
    if (id !== undefined) p._id = id;
    return p;
  });

/** `projected` with its fields in the order `source` has them, at every level (mongod's order). */
function inDocumentOrder(projected: unknown, source: unknown): unknown {
  if (Array.isArray(projected) && Array.isArray(source)) {
    // Whole (or nothing dropped): element by element; else the elements a path kept.
    const kept =
      projected.length === source.length ? source : source.filter((e) => Array.isArray(e) || isObject(e));
    return projected.map((p, i) => inDocumentOrder(p, kept[i]));
  }
  if (!isObject(projected)) return projected;
  const src = source as D;
  const out: D = {};
  for (const k of Object.keys(src))
    if (k in (projected as D)) out[k] = inDocumentOrder((projected as D)[k], src[k]);
  return out;
}

describe('native inclusion projection', () => {
  it('gives what mingo gives, in the same field order, for random documents and projections', () => {
    let compared = 0;
    fc.assert(
      fc.property(docArb, projectionArb, (doc, projection) => {
        const project = compileInclusion(projection);
        if (!project) return; // overlapping paths: mingo's
        compared++;
        const before = JSON.stringify(withOrder(doc));
        const ours = project(doc);
        expect(JSON.stringify(withOrder(doc))).toBe(before);
        const theirs = projectDocs([copyDoc(doc)], projection, {})[0];
        // Values as mingo; the order is mongod's (the document's), which mingo's is not always.
        expect(ours).toEqual(theirs);
        expect(withOrder(ours)).toEqual(withOrder(inDocumentOrder(theirs, doc)));
      }),
      { numRuns: 3000 },
    );
    expect(compared).toBeGreaterThan(1500);
  });

  it('refuses what it does not cover, which mingo then does', () => {
    for (const p of [
      { a: 0 },
      { a: 1, b: 0 },
      { a: { $slice: 1 } },
      { 'a.$': 1 },
      { a: '$b' },
      { a: 1, 'a.b': 1 },
      { 'a.b': 1, a: 1 },
      { a: 2 },
      { 'a..b': 1 },
      {},
      { _id: 0 },
    ])
      expect(compileInclusion(p)).toBeNull();
    expect(compileInclusion({ a: 1, _id: 0 })).not.toBeNull();
    const doc = { _id: 1, a: [1, 2, 3], b: 2 };
    expect(projectCopies([doc], { a: { $slice: 1 } }, {})).toEqual([{ _id: 1, a: [1], b: 2 }]);
    expect(doc.a).toEqual([1, 2, 3]);
  });

  it('keeps the fields in document order, as mongod does, with _id first', () => {
    const doc = { _id: 7, b: { y: 1, x: 2 }, a: [{ y: 3, x: 4 }, 5], c: 6 };
    const out = compileInclusion({ c: 1, 'a.x': 1, 'a.y': 1, 'b.x': 1, 'b.y': 1 })!(doc);
    expect(JSON.stringify(out)).toBe('{"_id":7,"b":{"y":1,"x":2},"a":[{"y":3,"x":4}],"c":6}');
  });

  it('copies what it keeps: the stored document is not shared with the result', () => {
    const stored = { _id: 1, terms: [{ year: '2025', gpa: 3.1, extra: 1 }], name: 'An', other: { x: 1 } };
    const [out] = projectCopies([stored], { 'terms.year': 1, 'terms.gpa': 1, name: 1 }, {});
    expect(out).toEqual({ _id: 1, terms: [{ year: '2025', gpa: 3.1 }], name: 'An' });
    (out.terms as D[])[0].year = 'changed';
    expect(stored.terms[0].year).toBe('2025');
    const [whole] = projectCopies([stored], { other: 1 }, {});
    (whole.other as D).x = 2;
    expect(stored.other.x).toBe(1);
  });
});

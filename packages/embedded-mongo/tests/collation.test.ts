/**
 * The collation parser (mongod's codes and messages, the full spec listIndexes shows,
 * refusals of what Intl.Collator cannot do exactly) and the bucket key behind collated
 * indexes: never finer than the collator's equality (two strings it holds equal
 * always share a bucket), checked as a property over strings built from the
 * characters that make collation hard (case, accents, Vietnamese letters, ligatures,
 * full-width and other-script digits, punctuation, ignorable characters).
 */
import fc from 'fast-check';
import type { Document } from 'bson';
import { describe, expect, it } from 'vitest';
import { createEngine } from '../src/engine/index.ts';
import { compileFilter } from '../src/engine/mingo.ts';
import { bucketKey, collatedEqual, parseCollation, resolveCollation } from '../src/engine/collation.ts';

const code = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return { code: (e as { code: number }).code, message: (e as Error).message };
  }
  return null;
};

describe('parseCollation', () => {
  it('expands a collation as mongod lists it', () => {
    expect(parseCollation({ locale: 'vi', strength: 2 })).toEqual({
      locale: 'vi',
      caseLevel: false,
      caseFirst: 'off',
      strength: 2,
      numericOrdering: false,
      alternate: 'non-ignorable',
      maxVariable: 'punct',
      normalization: false,
      backwards: false,
      version: '57.1',
    });
    expect(parseCollation({ locale: 'simple' })).toBeUndefined();
    expect(parseCollation({ locale: 'fr_CA' })?.backwards).toBe(true);
    // The locale's ICU defaults: Danish sorts upper case first, Thai ignores punctuation.
    expect(parseCollation({ locale: 'da' })?.caseFirst).toBe('upper');
    expect(parseCollation({ locale: 'th' })?.alternate).toBe('shifted');
  });

  it('accepts mongod locale ids, including regions and @collation variants', () => {
    for (const locale of [
      'en',
      'en_US',
      'vi',
      'fr',
      'de@collation=phonebook',
      'zh@collation=pinyin',
      'sr_Latn',
    ])
      expect(parseCollation({ locale })?.locale).toBe(locale);
  });

  it('answers mongod codes for bad documents', () => {
    expect(code(() => parseCollation({ locale: 'xx' }))).toEqual({
      code: 2,
      message: `Field 'locale' is invalid in: { locale: "xx" }`,
    });
    expect(code(() => parseCollation({ locale: 'en-US' }))?.code).toBe(2);
    expect(code(() => parseCollation({ locale: '' }))?.code).toBe(2);
    expect(code(() => parseCollation({ locale: 'en', foo: 1 }))).toEqual({
      code: 9,
      message: 'Collation spec contains unknown field. Collation spec: { locale: "en", foo: 1 }',
    });
    expect(code(() => parseCollation({ locale: 'en', strength: 0 }))).toEqual({
      code: 9,
      message: "Field 'strength' must be an integer 1 through 5. Got: 0",
    });
    expect(code(() => parseCollation({ locale: 'en', strength: 1.5 }))?.code).toBe(2);
    expect(code(() => parseCollation({ locale: 'en', caseLevel: 1 }))?.code).toBe(14);
    expect(code(() => parseCollation({ locale: 'en', alternate: 'x' }))?.code).toBe(9);
    expect(code(() => parseCollation({ locale: 'en', maxVariable: 'x' }))?.code).toBe(9);
    expect(code(() => parseCollation({ locale: 'en', strength: 2, caseFirst: 'upper' }))?.code).toBe(2);
    expect(code(() => parseCollation({ locale: 'en', version: '1.0' }))?.code).toBe(95);
    expect(code(() => parseCollation('en'))?.code).toBe(14);
    expect(code(() => parseCollation({}))?.code).toBe(4);
  });

  it('refuses what Intl.Collator cannot reproduce exactly (115), never approximates', () => {
    for (const spec of [
      { locale: 'en', strength: 4 },
      { locale: 'en', strength: 3, caseLevel: true },
      { locale: 'en', strength: 2, backwards: true },
      { locale: 'en', alternate: 'shifted', maxVariable: 'space' },
      { locale: 'en', strength: 5, alternate: 'shifted' },
      { locale: 'de@collation=search' },
    ])
      expect(code(() => parseCollation(spec))?.code).toBe(115);
  });
});

describe('collators', () => {
  it('strength 1 with caseLevel tells case apart but not accents', () => {
    const c = resolveCollation({ locale: 'en', strength: 1, caseLevel: true })!;
    expect(c.compare('a', 'á')).toBe(0);
    expect(c.compare('a', 'A')).not.toBe(0);
  });

  it('strength 5 breaks ties by code point', () => {
    const c = resolveCollation({ locale: 'en', strength: 5 })!;
    expect(c.compare('a', 'a')).toBe(0);
    expect(c.compare('\u00e9', 'e\u0301')).toBe(0);
  });

  it('compares strings inside arrays and documents', () => {
    const c = resolveCollation({ locale: 'en', strength: 2 })!;
    expect(collatedEqual({ a: ['X', { b: 'Y' }] }, { a: ['x', { b: 'y' }] }, c)).toBe(true);
    expect(collatedEqual({ a: 'x' }, { b: 'x' }, c)).toBe(false);
  });
});

const HARD = [
  ...'aAáÁàẠăĂâÂấẤeEéêÊễỄiIıİoOôÔơƠưƯuUdDđĐnNyYzZ',
  ...'ßæÆœŒøØłŁðÐþÞﬁﬀ',
  ...'0123456789０１２٣٤۵१',
  ...' -_.,\'"!?/\u00a0\u3000',
  '\u0301',
  '\u0323',
  '\u200b',
  '\u200d',
  '\u00ad',
  '\u0000',
  '\t',
];

const specs = [
  { locale: 'en', strength: 1 },
  { locale: 'en', strength: 2 },
  { locale: 'en', strength: 3 },
  { locale: 'en', strength: 1, caseLevel: true },
  { locale: 'vi', strength: 1 },
  { locale: 'vi', strength: 2 },
  { locale: 'de', strength: 1 },
  { locale: 'da', strength: 1 },
  { locale: 'fr', strength: 2 },
  { locale: 'en', strength: 1, numericOrdering: true },
  { locale: 'en', strength: 2, alternate: 'shifted' },
  { locale: 'en', strength: 1, alternate: 'shifted', numericOrdering: true },
  { locale: 'en', strength: 3, normalization: true },
  { locale: 'en', strength: 5 },
];

/** Characters some collation may hold equal to each other: the likeliest equal pairs. */
const SIBLINGS = [
  [...'aAáÁàẠăĂâÂấẤ', 'a\u0301', 'æ', 'ae'],
  [...'eEéêÊễỄ', 'e\u0323'],
  [...'dDđĐðÐ'],
  [...'oOôÔơƠøØöÖ', 'œ', 'oe'],
  [...'iIıİ'],
  [...'uUưƯüÜ', 'ue'],
  [...'sSß', 'ss', 'SS'],
  [...'fF', 'ﬁ', 'fi', 'ﬀ', 'ff'],
  [...'0０٠۰०', '00'],
  [...'1１١۱१', '01'],
  ['', ' ', '-', '\u200b', '\u00ad', '\u0000', '.', '\u3000', '\u00a0', '\t'],
];

/** Two strings built side by side from sibling characters. */
const siblingPair = fc
  .array(
    fc
      .nat(SIBLINGS.length - 1)
      .chain((g) => fc.tuple(fc.constantFrom(...SIBLINGS[g]), fc.constantFrom(...SIBLINGS[g]))),
    { maxLength: 6 },
  )
  .map((pairs) => [pairs.map((p) => p[0]).join(''), pairs.map((p) => p[1]).join('')] as const);

describe('bucket key', () => {
  it('is never finer than the collator on sibling strings (and the property can fail)', () => {
    let equalPairs = 0;
    for (const spec of specs) {
      const c = resolveCollation(spec)!;
      fc.assert(
        fc.property(siblingPair, ([a, b]) => {
          if (c.compare(a, b) !== 0) return true;
          equalPairs++;
          return c.bucket(a) === c.bucket(b);
        }),
        { numRuns: 3000 },
      );
    }
    // Enough equal-but-different pairs were met for the property to mean something.
    expect(equalPairs).toBeGreaterThan(5000);
    // A key as fine as the strings themselves fails it.
    const c = resolveCollation({ locale: 'en', strength: 1 })!;
    expect(() =>
      fc.assert(
        fc.property(siblingPair, ([a, b]) => c.compare(a, b) !== 0 || a === b),
        { numRuns: 3000 },
      ),
    ).toThrow();
  });

  it('is never finer than the collator: equal strings share a bucket', () => {
    const str = fc.array(fc.constantFrom(...HARD), { maxLength: 6 }).map((cs) => cs.join(''));
    for (const spec of specs) {
      const c = resolveCollation(spec)!;
      fc.assert(
        fc.property(str, str, (a, b) => c.compare(a, b) !== 0 || c.bucket(a) === c.bucket(b)),
        { numRuns: 3000 },
      );
      // Variants of one string (case, accents, ignorables) are the likeliest equal pairs.
      fc.assert(
        fc.property(str, (a) => {
          for (const b of [
            a.toUpperCase(),
            a.normalize('NFD'),
            a.normalize('NFKC'),
            `${a}\u200b`,
            a.replace(/ /g, ''),
          ])
            if (c.compare(a, b) === 0 && c.bucket(a) !== c.bucket(b)) return false;
          return true;
        }),
        { numRuns: 2000 },
      );
    }
  });

  it('folds case, accents and letters such as đ; keeps different letters apart', () => {
    expect(bucketKey('Nguyễn Đức', false, false)).toBe(bucketKey('nguyen duc', false, false));
    expect(bucketKey('An', false, false)).not.toBe(bucketKey('Binh', false, false));
    expect(bucketKey('a-b c', true, false)).toBe('abc');
    expect(bucketKey('file007', false, true)).toBe(bucketKey('file7', false, true));
  });
});

describe('what the engine refuses under a collation (115, never a binary answer)', () => {
  it('grouping, set membership and min/max of strings in aggregate and $expr', async () => {
    const engine = await createEngine({});
    try {
      const ctx = { connectionId: 1 };
      await engine.run('test', { insert: 'c', documents: [{ a: 'x' }, { a: 'X' }] }, ctx);
      const ci = { locale: 'en', strength: 2 };
      const fails = async (cmd: Document) => {
        const reply = await engine.run('test', cmd, ctx).then(
          (r) => r,
          (e: { code: number }) => ({ ok: 0, code: e.code }),
        );
        return reply.code;
      };
      expect(
        await fails({ aggregate: 'c', pipeline: [{ $group: { _id: '$a' } }], cursor: {}, collation: ci }),
      ).toBe(115);
      expect(await fails({ find: 'c', filter: { $expr: { $in: ['$a', ['x']] } }, collation: ci })).toBe(115);
      // Without a collation, or with a constant group key (countDocuments), they run.
      const plain = await engine.run(
        'test',
        { aggregate: 'c', pipeline: [{ $group: { _id: '$a' } }], cursor: {} },
        ctx,
      );
      expect(plain.cursor.firstBatch).toHaveLength(2);
      const counted = await engine.run(
        'test',
        {
          aggregate: 'c',
          pipeline: [{ $match: { a: 'x' } }, { $group: { _id: 1, n: { $sum: 1 } } }],
          cursor: {},
          collation: ci,
        },
        ctx,
      );
      expect(counted.cursor.firstBatch[0].n).toBe(2);
    } finally {
      await engine.close();
    }
  });
});

describe('collated query operators', () => {
  it('at strength 2 over ASCII letters, answer as binary matching of the lower-cased data', () => {
    const c = resolveCollation({ locale: 'en', strength: 2 })!;
    const word = fc.array(fc.constantFrom('a', 'A', 'b', 'B'), { maxLength: 3 }).map((cs) => cs.join(''));
    const value = fc.oneof(
      word,
      fc.array(word, { maxLength: 3 }),
      fc.constant(null),
      fc.integer({ min: 0, max: 2 }),
    );
    const op = fc.constantFrom('$eq', '$ne', '$gt', '$gte', '$lt', '$lte', '$in', '$nin', '$all');
    const lower = (v: unknown): unknown =>
      typeof v === 'string' ? v.toLowerCase() : Array.isArray(v) ? v.map(lower) : v;
    fc.assert(
      fc.property(value, op, value, (field, o, operand) => {
        const list = o === '$in' || o === '$nin' || o === '$all';
        // An array operand of a range operator: mongod compares the whole array too, the
        // collated operators do, mingo's binary ones do not (a known mingo difference).
        if (!list && o !== '$eq' && o !== '$ne' && Array.isArray(operand)) return true;
        const arg = list ? (Array.isArray(operand) ? operand : [operand]) : operand;
        const collated = compileFilter({ f: { [o]: arg } }, c).test({ f: field });
        const binary = compileFilter({ f: { [o]: lower(arg) } }).test({ f: lower(field) });
        return collated === binary;
      }),
      { numRuns: 4000 },
    );
  });
});

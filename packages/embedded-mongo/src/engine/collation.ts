/**
 * Collations as mongod 7.0 (ICU) parses and applies them, on Node's built-in ICU
 * (Intl.Collator). `parseCollation` validates a collation document with mongod's
 * codes; a parsed `Collation` compares strings, tests collation equality, and gives
 * a coarse bucket key for index maps (Intl has no ICU sort keys). An option
 * Intl.Collator cannot reproduce exactly is refused, never approximated.
 */
import { type Doc, isPlainObject, keyOf } from './keys.ts';
import { err } from './errors.ts';

/** The ICU version mongod 7.0 reports in a collation's `version` field. */
export const ICU_VERSION = '57.1';

/**
 * Locale ids mongod 7.0 accepts (its documented list), without `@collation=` variants,
 * which are checked separately. Each maps to BCP 47 by `_` → `-`.
 */
const LOCALES = new Set(
  (
    'af sq am ar hy as az be bn bs bs_Cyrl bg my ca chr zh zh_Hant hr cs da nl dz en en_US en_US_POSIX eo et ' +
    'ee fo fil fi fi_FI fr fr_CA gl ka de de_AT el gu ha haw he hi hu is ig smn id ga it ja kl kn kk km kok ko ' +
    'ky lkt lo lv ln lt dsb lb mk ms ml mt mr mn ne se nb nn or om ps fa fa_AF pl pt pa ro ru sr sr_Latn si sk ' +
    'sl es sw sv ta te th bo to tr uk hsb ur ug vi wae cy yi yo zu'
  ).split(' '),
);

/** `@collation=` variants mongod lists, per base locale. */
const VARIANTS: Record<string, string[]> = {
  ar: ['compat'],
  bn: ['traditional'],
  ca: ['search'],
  de: ['phonebook', 'search'],
  de_AT: ['phonebook'],
  es: ['search', 'traditional'],
  fi: ['search', 'traditional'],
  fi_FI: ['search', 'traditional'],
  hi: ['direct'],
  ko: ['search', 'searchjl'],
  si: ['dictionary'],
  sv: ['search', 'reformed'],
  zh: ['big5han', 'gb2312han', 'pinyin', 'stroke', 'unihan', 'zhuyin'],
  zh_Hant: ['stroke'],
};

/** Locales whose ICU tailoring turns on French secondary ordering (mongod reports `backwards: true`). */
const BACKWARDS_LOCALES = new Set(['fr_CA']);

export interface CollationSpec {
  locale: string;
  caseLevel: boolean;
  caseFirst: 'upper' | 'lower' | 'off';
  strength: number;
  numericOrdering: boolean;
  alternate: 'non-ignorable' | 'shifted';
  maxVariable: 'punct' | 'space';
  normalization: boolean;
  backwards: boolean;
  version: string;
}

const FIELDS = [
  'locale',
  'caseLevel',
  'caseFirst',
  'strength',
  'numericOrdering',
  'alternate',
  'maxVariable',
  'normalization',
  'backwards',
  'version',
];

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'double';
  if (Array.isArray(v)) return 'array';
  if (isPlainObject(v)) return 'object';
  return String((v as { _bsontype?: string })._bsontype ?? typeof v).toLowerCase();
}

const show = (spec: Doc): string =>
  `{ ${Object.entries(spec)
    .map(([k, v]) => `${k}: ${typeof v === 'string' ? JSON.stringify(v) : String(v)}`)
    .join(', ')} }`;

function bool(spec: Doc, f: string, dflt: boolean): boolean {
  const v = spec[f];
  if (v === undefined) return dflt;
  if (typeof v !== 'boolean') throw err(14, `"${f}" had the wrong type. Expected bool, found ${typeName(v)}`);
  return v;
}

function str<T extends string>(spec: Doc, f: string, allowed: T[], dflt: T): T {
  const v = spec[f];
  if (v === undefined) return dflt;
  if (typeof v !== 'string')
    throw err(14, `"${f}" had the wrong type. Expected string, found ${typeName(v)}`);
  if (!allowed.includes(v as T)) {
    const list =
      allowed.length === 2
        ? `'${allowed[0]}' or '${allowed[1]}'`
        : `${allowed
            .slice(0, -1)
            .map((a) => `'${a}'`)
            .join(', ')}, or '${allowed[allowed.length - 1]}'`;
    throw err(9, `Field '${f}' must be ${list}. Got: ${v}`);
  }
  return v as T;
}

function int(spec: Doc, f: string, dflt: number): number {
  let v = spec[f];
  if (v === undefined) return dflt;
  const t = (v as { _bsontype?: string } | null)?._bsontype;
  if (t === 'Int32' || t === 'Double' || t === 'Long') v = Number(v);
  if (typeof v === 'bigint') v = Number(v);
  if (typeof v !== 'number')
    throw err(14, `Expected field "${f}" to have numeric type, but found ${typeName(v)}`);
  if (!Number.isInteger(v))
    throw err(
      2,
      `Expected field "${f}" to have a value exactly representable as a 64-bit integer, but found ${f}: ${v}`,
    );
  return v;
}

/** mongod's locale id → BCP 47 for Intl (`de@collation=phonebook` → `de-u-co-phonebk`). */
function bcp47(locale: string): string | undefined {
  const [base, variant] = locale.split('@collation=');
  if (!LOCALES.has(base)) return undefined;
  const tag = base === 'en_US_POSIX' ? 'en-US-u-va-posix' : base.replace(/_/g, '-');
  if (variant === undefined) return locale.includes('@') ? undefined : tag;
  if (!VARIANTS[base]?.includes(variant)) return undefined;
  // Unicode's `co` keys are at most 8 letters.
  const co = { phonebook: 'phonebk', traditional: 'trad', dictionary: 'dict', gb2312han: 'gb2312' }[variant];
  return `${tag}-u-co-${co ?? variant}`;
}

/**
 * A collation document → its full spec, as mongod expands it (listIndexes and
 * listCollections show every field). `undefined` for `{locale: 'simple'}`.
 */
export function parseCollation(raw: unknown, field = 'collation'): CollationSpec | undefined {
  if (!isPlainObject(raw))
    throw err(14, `BSON field '${field}' is the wrong type '${typeName(raw)}', expected type 'object'`);
  const spec = raw;
  const locale = spec.locale;
  if (locale === undefined) throw err(4, 'Missing expected field "locale"');
  if (typeof locale !== 'string')
    throw err(14, `"locale" had the wrong type. Expected string, found ${typeName(locale)}`);
  if (locale === 'simple') {
    if (Object.keys(spec).length > 1)
      throw err(9, `If locale=simple, no other fields should be present in: ${show(spec)}`);
    return undefined;
  }
  if (locale === '') throw err(2, `Field 'locale' cannot be the empty string in: ${show(spec)}`);
  const tag = bcp47(locale);
  if (!tag || Intl.Collator.supportedLocalesOf([tag]).length === 0)
    throw err(2, `Field 'locale' is invalid in: ${show(spec)}`);
  const base = locale.split('@')[0];
  const strength = int(spec, 'strength', 3);
  // The locale's own defaults (Danish upper case first, Thai shifted), as ICU gives mongod.
  const icu = new Intl.Collator(tag).resolvedOptions();
  refuseVariant(locale, icu.collation);
  const out: CollationSpec = {
    locale,
    caseLevel: bool(spec, 'caseLevel', false),
    caseFirst: str(
      spec,
      'caseFirst',
      ['upper', 'lower', 'off'],
      icu.caseFirst === 'upper' || icu.caseFirst === 'lower' ? icu.caseFirst : 'off',
    ),
    strength,
    numericOrdering: bool(spec, 'numericOrdering', false),
    alternate: str(
      spec,
      'alternate',
      ['non-ignorable', 'shifted'],
      icu.ignorePunctuation ? 'shifted' : 'non-ignorable',
    ),
    maxVariable: str(spec, 'maxVariable', ['punct', 'space'], 'punct'),
    normalization: bool(spec, 'normalization', false),
    backwards: bool(spec, 'backwards', BACKWARDS_LOCALES.has(base)),
    version: ICU_VERSION,
  };
  if (strength < 1 || strength > 5)
    throw err(9, `Field 'strength' must be an integer 1 through 5. Got: ${strength}`);
  if (spec.version !== undefined) {
    if (typeof spec.version !== 'string')
      throw err(14, `"version" had the wrong type. Expected string, found ${typeName(spec.version)}`);
    if (spec.version !== ICU_VERSION)
      throw err(
        95,
        `Requested collation version ${spec.version} but the only available collator version was ${ICU_VERSION}. Requested collation spec: ${show(spec)}`,
      );
  }
  if (Object.keys(spec).some((k) => !FIELDS.includes(k)))
    throw err(9, `Collation spec contains unknown field. Collation spec: ${show(spec)}`);
  if (out.backwards && strength === 1)
    throw err(2, `'backwards' is invalid with 'strength' of 1 in: ${show(toDoc(out))}`);
  // Only a caseFirst asked for: a locale's own default (Danish 'upper') has no effect at
  // strengths 1-2 and is not held against the request.
  if (spec.caseFirst !== undefined && out.caseFirst !== 'off' && !out.caseLevel && strength <= 2)
    throw err(
      2,
      `'caseFirst' is invalid unless 'caseLevel' is on or 'strength' is greater than 2 in: ${show(toDoc(out))}`,
    );
  refuseInexact(out);
  return out;
}

/** Variants that are their locale's default collation (so Intl resolves them as 'default'). */
const DEFAULT_VARIANTS = new Set([
  'zh@collation=pinyin',
  'zh_Hant@collation=stroke',
  'sv@collation=reformed',
]);

/** An `@collation=` variant Node's ICU does not carry (search tailorings, big5han…): refused. */
function refuseVariant(locale: string, resolved: string): void {
  if (!locale.includes('@') || resolved !== 'default' || DEFAULT_VARIANTS.has(locale)) return;
  throw err(115, `collation locale '${locale}' is not supported by the embedded server`);
}

/**
 * Options Intl.Collator has no switch for. ICU's levels map onto Intl's sensitivity
 * only for strength 1–3 (caseLevel only with strength 1, as 'case'); identical
 * (5) is tertiary then code points of the NFD form, which is exact.
 */
function refuseInexact(c: CollationSpec): void {
  const no = (what: string) => {
    throw err(115, `collation ${what} is not supported by the embedded server`);
  };
  if (c.strength === 4) no(`strength 4 (quaternary)`);
  if (c.strength === 5 && c.alternate === 'shifted') no(`strength 5 with alternate 'shifted'`);
  if (c.caseLevel && c.strength > 1) no(`caseLevel with strength ${c.strength}`);
  if (c.backwards !== BACKWARDS_LOCALES.has(c.locale.split('@')[0]))
    no(`backwards: ${c.backwards} for locale '${c.locale}'`);
  if (c.alternate === 'shifted' && c.maxVariable === 'space') no(`maxVariable 'space'`);
}

/** The spec as a document, fields in mongod's order. */
export function toDoc(c: CollationSpec): Doc {
  return { ...c };
}

export interface Collation {
  readonly spec: CollationSpec;
  /** Orders two strings. */
  compare(a: string, b: string): number;
  /**
   * A key equal for any two strings the collation holds equal (it may also be equal
   * for some it holds different: callers confirm with `compare`).
   */
  bucket(s: string): string;
}

const cache = new Map<string, Collation>();

/** The Collation of a parsed spec (one collator per distinct spec). */
export function collationOf(spec: CollationSpec): Collation {
  const id = JSON.stringify(spec);
  let c = cache.get(id);
  if (!c) {
    c = build(spec);
    cache.set(id, c);
  }
  return c;
}

/** A raw collation document → Collation, or undefined for none/simple. */
export function resolveCollation(raw: unknown, field?: string): Collation | undefined {
  if (raw === undefined || raw === null) return undefined;
  const spec = parseCollation(raw, field);
  return spec && collationOf(spec);
}

function build(spec: CollationSpec): Collation {
  const tag = bcp47(spec.locale) as string;
  const sensitivity =
    spec.strength === 1 ? (spec.caseLevel ? 'case' : 'base') : spec.strength === 2 ? 'accent' : 'variant';
  const icu = new Intl.Collator(tag, {
    usage: 'sort',
    sensitivity,
    caseFirst: spec.caseFirst === 'off' ? 'false' : spec.caseFirst,
    numeric: spec.numericOrdering,
    ignorePunctuation: spec.alternate === 'shifted',
  });
  const norm = spec.normalization ? (s: string) => s.normalize('NFD') : (s: string) => s;
  const base = (a: string, b: string) => icu.compare(norm(a), norm(b));
  const compare =
    spec.strength === 5
      ? (a: string, b: string) => {
          const r = base(a, b);
          if (r !== 0) return r;
          const x = a.normalize('NFD');
          const y = b.normalize('NFD');
          return x < y ? -1 : x > y ? 1 : 0;
        }
      : base;
  const bucket =
    spec.strength === 5
      ? (s: string) => s.normalize('NFD')
      : (s: string) => bucketKey(s, spec.alternate === 'shifted', spec.numericOrdering);
  return { spec, compare, bucket };
}

/** Letters without a decomposition that root collation gives the primary weight of another. */
const FOLD: Record<string, string> = {
  đ: 'd',
  ð: 'd',
  ø: 'o',
  ł: 'l',
  ŀ: 'l',
  ı: 'i',
  ħ: 'h',
  ŧ: 't',
  ƀ: 'b',
  ƶ: 'z',
  ǥ: 'g',
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  þ: 'th',
  ĸ: 'q',
  ŉ: 'n',
};
const FOLD_RE = new RegExp(`[${Object.keys(FOLD).join('')}]`, 'g');
/** Marks and default-ignorable code points (format and control characters). */
const IGNORED = /[\p{M}\p{Cf}\p{Cc}]/gu;
/** With alternate 'shifted' spaces and punctuation are ignorable; symbols dropped too (coarser is safe). */
const VARIABLE = /[\p{P}\p{Z}\p{S}]/gu;
const DIGITS = /\p{Nd}+/gu;

/**
 * The coarse key: compatibility decomposition, no marks, lower case, letters folded
 * to a base letter, ignorables dropped; digit runs by value with numeric ordering.
 * Every tailoring only splits what root merges or merges letters this also merges.
 */
export function bucketKey(s: string, shifted: boolean, numeric: boolean): string {
  // Every script's digits weigh as the ASCII ones; with numeric ordering a run weighs
  // by its value, and an ignorable character still ends a run: digits come first.
  let k = s.normalize('NFKD').replace(DIGITS, (run) => digitValue(run, numeric));
  k = k.replace(IGNORED, '').toLowerCase().normalize('NFKD').replace(IGNORED, '');
  k = k.replace(FOLD_RE, (ch) => FOLD[ch]);
  if (shifted) k = k.replace(VARIABLE, '');
  return k;
}

/** A run of decimal digits (any script) in ASCII; by value (no leading zeros) when numeric. */
function digitValue(run: string, numeric: boolean): string {
  let out = '';
  for (const ch of run) {
    const cp = ch.codePointAt(0) as number;
    out += String(cp - zeroOf(cp));
  }
  return numeric ? out.replace(/^0+(?=.)/, '') : out;
}

/** The zero of a decimal digit's block (Unicode keeps each script's ten digits contiguous). */
function zeroOf(cp: number): number {
  let z = cp;
  while (z > 0 && /\p{Nd}/u.test(String.fromCodePoint(z - 1)) && cp - z < 9) z--;
  return z;
}

/**
 * A value's index key under a collation: strings by bucket (so a lookup finds a
 * superset of the collation-equal values), nested ones too; others as `keyOf`.
 */
export function collatedKeyOf(v: unknown, c: Collation): string {
  if (typeof v === 'string') return 's' + c.bucket(v);
  if (Array.isArray(v)) return 'a' + JSON.stringify(v.map((x) => collatedKeyOf(x, c)));
  if (isPlainObject(v)) {
    const parts: string[] = [];
    for (const k of Object.keys(v)) if (v[k] !== undefined) parts.push(k, collatedKeyOf(v[k], c));
    return 'O' + JSON.stringify(parts);
  }
  return keyOf(v);
}

/** Whether the collation holds two values equal (strings by the collator, also inside arrays and documents). */
export function collatedEqual(a: unknown, b: unknown, c: Collation): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a === b || c.compare(a, b) === 0;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => collatedEqual(x, b[i], c));
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k, i) => k === kb[i] && collatedEqual(a[k], b[k], c));
  }
  return keyOf(a) === keyOf(b);
}

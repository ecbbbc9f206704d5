/**
 * BSON numbers as mongod keeps them. Stored values are plain JS numbers for the
 * common cases (int32: an integer in int32 range; double: anything else bson would
 * serialize as a double) and explicit wrappers only where a number would lose the
 * type: `Long` for every int64, `Double` for an integral double in int32 range,
 * `Decimal128` as is. Arithmetic follows mongod's promotion rules: int32 → int64 on
 * overflow, int64 exact (BigInt), any double → double, any decimal → decimal
 * (decimal.js at 34 digits, half-even, keeping mongod's exponent where it is exact).
 */
import { Decimal128, Double, type Int32, Long } from 'bson';
import Decimal from 'decimal.js';
import { err } from './errors.ts';
import { isInt32 } from '../bson-numbers.ts';

export { isInt32, storedNumbers } from '../bson-numbers.ts';

/** decimal128: 34 significant digits, rounding half-even, its exponent range. */
export const Dec = Decimal.clone({
  precision: 34,
  rounding: Decimal.ROUND_HALF_EVEN,
  toExpNeg: -7000,
  toExpPos: 7000,
  minE: -6176,
  maxE: 6144,
});
/** Exact intermediate results (no rounding) before one final rounding to 34 digits. */
const Exact = Dec.clone({ precision: 1000 });

export type NumKind = 'int' | 'long' | 'double' | 'decimal';

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

const tag = (v: object): string | undefined => (v as { _bsontype?: string })._bsontype;

/** The BSON numeric type of a value, or null for a non-number. */
export function numKind(v: unknown): NumKind | null {
  if (typeof v === 'number') return isInt32(v) ? 'int' : 'double';
  if (v === null || typeof v !== 'object') return null;
  switch (tag(v)) {
    case 'Long':
      return 'long';
    case 'Double':
      return 'double';
    case 'Decimal128':
      return 'decimal';
    case 'Int32':
      return 'int';
    default:
      return null;
  }
}

/** A numeric wrapper object (Long, Double, Decimal128, Int32). */
export function isNumWrapper(v: unknown): boolean {
  if (v === null || typeof v !== 'object') return false;
  const t = tag(v);
  return t === 'Long' || t === 'Double' || t === 'Decimal128' || t === 'Int32';
}

// ---------------------------------------------------------------------------------------------
// Stored form.

/** A double as stored: a number unless bson would write that number as an int32. */
export const makeDouble = (x: number): unknown => (isInt32(x) ? new Double(x) : x);
export const makeLong = (b: bigint): Long => Long.fromBigInt(b);

// ---------------------------------------------------------------------------------------------
// Conversions.

/** The value of an int or long as a BigInt. */
export function toBig(v: unknown): bigint {
  if (typeof v === 'number') return BigInt(v);
  if (tag(v as object) === 'Long') return (v as Long).toBigInt();
  return BigInt((v as Int32).value);
}

/** The value as a JS number (a long past 2^53 rounds; a decimal rounds to nearest). */
export function toDouble(v: unknown): number {
  if (typeof v === 'number') return v;
  switch (tag(v as object)) {
    case 'Long':
      return Number((v as Long).toBigInt());
    case 'Decimal128':
      return Number(decimalString(v as Decimal128));
    default:
      return (v as { value: number }).value;
  }
}

function decimalString(d: Decimal128): string {
  const s = d.toString();
  return s === 'Infinity' || s === '-Infinity' || s === 'NaN' ? s : s;
}

/** A decimal.js value with the exponent mongod's Decimal128 carries (cohort). */
export interface DecVal {
  d: Decimal;
  /** Exponent of the least significant digit (0 for integers, -2 for "1.50"). */
  e: number;
}

function parseDecimal128(v: Decimal128): DecVal {
  const s = v.toString();
  if (s === 'NaN' || s === 'Infinity' || s === '-Infinity') return { d: new Dec(s), e: 0 };
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:E([+-]\d+))?$/.exec(s);
  if (!m) return { d: new Dec(s), e: 0 };
  const frac = m[3] ?? '';
  const exp = Number(m[4] ?? 0) - frac.length;
  return { d: new Dec(s), e: exp };
}

/**
 * Any number as a decimal: exact for int and long; a double as mongod converts it
 * for arithmetic (15 significant digits, kept as digits: 0.1 → 0.100000000000000).
 */
export function toDec(v: unknown): DecVal {
  const k = numKind(v);
  if (k === 'decimal') return parseDecimal128(v as Decimal128);
  if (k === 'int' || k === 'long') return { d: new Dec(toBig(v).toString()), e: 0 };
  const x = toDouble(v);
  if (!Number.isFinite(x)) return { d: new Dec(x), e: 0 };
  if (x === 0) return { d: new Dec(x), e: 0 };
  const s = x.toExponential(14); // 15 significant digits
  const [, exp] = s.split('e');
  return { d: new Dec(s), e: Number(exp) - 14 };
}

/** A double converted exactly enough to compare with a decimal (34 digits, as mongod compares). */
function toDecForCompare(v: unknown): Decimal {
  const k = numKind(v);
  if (k === 'decimal') return parseDecimal128(v as Decimal128).d;
  if (k === 'int' || k === 'long') return new Exact(toBig(v).toString());
  const x = toDouble(v);
  return Number.isFinite(x) ? new Dec(x.toPrecision(34)) : new Dec(x);
}

/**
 * A Decimal128 for `d` with the exponent nearest to `preferred` that holds it
 * exactly (IEEE 754-2008's ideal exponent), or its 34-digit rounding.
 */
export function makeDecimal(d: Decimal, preferred = 0): Decimal128 {
  if (d.isNaN()) return Decimal128.fromString('NaN');
  if (!d.isFinite()) return Decimal128.fromString(d.isNeg() ? '-Infinity' : 'Infinity');
  const r = new Dec(d); // rounds to 34 digits
  if (r.isZero()) {
    const e = Math.max(-6176, Math.min(6111, preferred));
    return Decimal128.fromString(`${r.isNeg() ? '-' : ''}0E${e}`);
  }
  // r = c × 10^es with c free of trailing zeros.
  const digits = r.abs().toFixed().replace('.', '');
  const pointShift = r.decimalPlaces();
  const stripped = digits.replace(/^0+/, '');
  const trailing = stripped.length - stripped.replace(/0+$/, '').length;
  const c = stripped.slice(0, stripped.length - trailing);
  const es = -pointShift + trailing;
  let e = es;
  if (preferred < es) e = Math.max(preferred, es - (34 - c.length));
  const coef = c + '0'.repeat(es - e);
  return Decimal128.fromString(`${r.isNeg() ? '-' : ''}${coef}E${e}`);
}

// ---------------------------------------------------------------------------------------------
// Comparison.

/** MongoDB's numeric order (NaN below every number, equal to NaN); a and b are numbers of any kind. */
export function numCmp(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return plainCmp(a, b);
  const ka = numKind(a);
  const kb = numKind(b);
  if (ka !== 'decimal' && kb !== 'decimal') {
    if (ka !== 'double' && kb !== 'double') {
      const x = toBig(a);
      const y = toBig(b);
      return x < y ? -1 : x > y ? 1 : 0;
    }
    if (ka === 'double' && kb === 'double') return plainCmp(toDouble(a), toDouble(b));
    // A long against a double: exact through decimals (a long may not fit a double).
  }
  const x = toDecForCompare(a);
  const y = toDecForCompare(b);
  if (x.isNaN() || y.isNaN()) return x.isNaN() ? (y.isNaN() ? 0 : -1) : 1;
  return x.cmp(y);
}

function plainCmp(a: number, b: number): number {
  if (a < b) return -1;
  if (a > b) return 1;
  if (a === b) return 0;
  return Number.isNaN(a) ? (Number.isNaN(b) ? 0 : -1) : 1;
}

/** A canonical text of a decimal's value (cohort members alike: "1.50" and "1.5"). */
export function decimalKey(v: unknown): string {
  const d = parseDecimal128(v as Decimal128).d;
  // An integer by its digits (as an int64 of that value); otherwise marked: no double equals it.
  return d.isFinite() && d.isInteger() ? d.toFixed() : 'm' + d.toString();
}

/** Numeric equality of two numbers of any kind. */
export const numEq = (a: unknown, b: unknown): boolean => numCmp(a, b) === 0;

/**
 * A query value as a plain number when that is exact (Long within 2^53, Double,
 * Int32, a decimal equal to its nearest double); otherwise the value itself.
 */
export function plainQueryNumber(v: unknown): unknown {
  switch (numKind(v)) {
    case 'int':
    case 'double':
      return toDouble(v);
    case 'long': {
      const n = toDouble(v);
      return Number.isSafeInteger(n) ? n : v;
    }
    case 'decimal': {
      const n = toDouble(v);
      return Number.isFinite(n) && numCmp(n, v) === 0 ? n : v;
    }
    default:
      return v;
  }
}

/**
 * A filter with its number wrappers replaced by plain numbers where that is exact
 * (see plainQueryNumber); the same object when there are none.
 */
export function plainQueryNumbers(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const n = plainQueryNumbers(v[i]);
      if (n !== v[i]) (out ??= v.slice())[i] = n;
    }
    return out ?? v;
  }
  if (tag(v) !== undefined) return plainQueryNumber(v);
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return v;
  let out: Record<string, unknown> | undefined;
  const o = v as Record<string, unknown>;
  for (const k in o) {
    const n = plainQueryNumbers(o[k]);
    if (n !== o[k]) (out ??= { ...o })[k] = n;
  }
  return out ?? v;
}

// ---------------------------------------------------------------------------------------------
// Arithmetic.

/** Which kind a binary operation of `a` and `b` yields before overflow (mongod's widening). */
function widest(ka: NumKind, kb: NumKind): NumKind {
  if (ka === 'decimal' || kb === 'decimal') return 'decimal';
  if (ka === 'double' || kb === 'double') return 'double';
  if (ka === 'long' || kb === 'long') return 'long';
  return 'int';
}

export type Overflow = 'error' | 'double';

/** Thrown by add/mul when an int64 result overflows and the caller asked for 'error'. */
export class LongOverflow extends Error {}

function intResult(r: bigint, kind: NumKind, overflow: Overflow): unknown {
  if (kind === 'int' && r >= BigInt(INT32_MIN) && r <= BigInt(INT32_MAX)) return Number(r);
  if (r >= LONG_MIN && r <= LONG_MAX) return makeLong(r);
  if (overflow === 'error') throw new LongOverflow();
  return Number(r);
}

/** a + b with mongod's types ($inc; $add/$sum use overflow 'double'). */
export function add(a: unknown, b: unknown, overflow: Overflow): unknown {
  if (typeof a === 'number' && typeof b === 'number') {
    // Plain numbers: int32 + int32 stays a number while it fits; a double stays a double.
    const r = a + b;
    if (isInt32(a) && isInt32(b)) return isInt32(r) ? r : makeLong(BigInt(r));
    return makeDouble(r);
  }
  const k = widest(numKind(a)!, numKind(b)!);
  if (k === 'decimal') {
    const x = toDec(a);
    const y = toDec(b);
    return makeDecimal(new Exact(x.d).plus(y.d), Math.min(x.e, y.e));
  }
  if (k === 'double') return makeDouble(toDouble(a) + toDouble(b));
  return intResult(toBig(a) + toBig(b), k, overflow);
}

/** a × b with mongod's types ($mul; $multiply uses overflow 'double'). */
export function mul(a: unknown, b: unknown, overflow: Overflow): unknown {
  if (typeof a === 'number' && typeof b === 'number' && !(isInt32(a) && isInt32(b))) return makeDouble(a * b);
  const k = widest(numKind(a)!, numKind(b)!);
  if (k === 'decimal') {
    const x = toDec(a);
    const y = toDec(b);
    return makeDecimal(new Exact(x.d).times(y.d), x.e + y.e);
  }
  if (k === 'double') return makeDouble(toDouble(a) * toDouble(b));
  return intResult(toBig(a) * toBig(b), k, overflow);
}

/** a − b ($subtract of numbers). */
export function sub(a: unknown, b: unknown): unknown {
  return add(a, negate(b), 'double');
}

export function negate(v: unknown): unknown {
  switch (numKind(v)) {
    case 'int':
      return v === INT32_MIN ? makeLong(2147483648n) : -(v as number);
    case 'long': {
      const b = toBig(v);
      return b === LONG_MIN ? -Number(b) : makeLong(-b);
    }
    case 'double':
      return makeDouble(-toDouble(v));
    default: {
      const s = (v as Decimal128).toString();
      return Decimal128.fromString(s.startsWith('-') ? s.slice(1) : '-' + s);
    }
  }
}

/** $divide: a double unless either side is a decimal; division by zero is mongod's 2. */
export function divide(a: unknown, b: unknown): unknown {
  if (numCmp(b, 0) === 0 && !Number.isNaN(toDouble(b))) throw err(2, "can't $divide by zero");
  const k = widest(numKind(a)!, numKind(b)!);
  if (k === 'decimal') {
    const x = toDec(a);
    const y = toDec(b);
    return makeDecimal(new Dec(x.d).dividedBy(y.d), x.e - y.e);
  }
  return makeDouble(toDouble(a) / toDouble(b));
}

/** $abs keeping the type (int32 min → long, long min → error as mongod). */
export function abs(v: unknown): unknown {
  if (numCmp(v, 0) >= 0 || Number.isNaN(toDouble(v))) return v;
  if (numKind(v) === 'long' && toBig(v) === LONG_MIN) throw err(28680, "can't take $abs of long long min");
  return negate(v);
}

/**
 * `$sum`/`$avg` of numbers: ints widen to long, then to double on long overflow;
 * any double makes the sum a double; any decimal a decimal. Non-numbers are skipped.
 */
export class Summer {
  private kind: NumKind = 'int';
  /** Integer sum: `small` (exact below 2^52) plus `big`. */
  private small = 0;
  private big = 0n;
  private sum = 0;
  private comp = 0;
  private dec: Decimal = new Exact(0);
  private decExp = 0;
  count = 0;

  push(v: unknown): void {
    // The common case first: an int32 while the sum is still an integer.
    if (typeof v === 'number' && (this.kind === 'int' || this.kind === 'long') && isInt32(v)) {
      this.count++;
      const r = this.small + v;
      this.small = r;
      if (this.kind === 'int' && this.big === 0n) {
        if (r > INT32_MAX || r < INT32_MIN) this.kind = 'long';
      } else if (r > 2 ** 52 || r < -(2 ** 52)) this.flush();
      return;
    }
    const k = numKind(v);
    if (k === null) return;
    this.count++;
    if (k === 'decimal' || this.kind === 'decimal') {
      const x = toDec(v);
      if (this.kind !== 'decimal') {
        // Switching to decimal: what was summed so far, exactly.
        const y = toDec(this.current());
        this.dec = new Exact(y.d);
        this.decExp = y.e;
        this.kind = 'decimal';
      }
      this.dec = this.dec.plus(x.d);
      this.decExp = Math.min(this.decExp, x.e);
      return;
    }
    if (k === 'double' || this.kind === 'double') {
      if (this.kind !== 'double') {
        this.flush();
        this.sum = Number(this.big);
        this.comp = Number(this.big - BigInt(this.sum));
        this.kind = 'double';
      }
      this.addDouble(toDouble(v));
      return;
    }
    this.flush();
    const next = this.big + toBig(v);
    if (k === 'long' && this.kind === 'int') this.kind = 'long';
    if (this.kind === 'int' && (next < BigInt(INT32_MIN) || next > BigInt(INT32_MAX))) this.kind = 'long';
    if (next < LONG_MIN || next > LONG_MAX) {
      // Long overflow: the sum goes on as a double (mongod's $sum).
      this.kind = 'double';
      this.sum = Number(next);
      this.comp = Number(next - BigInt(this.sum));
      return;
    }
    this.big = next;
  }

  private flush(): void {
    if (this.small === 0) return;
    this.big += BigInt(this.small);
    this.small = 0;
    if (this.kind === 'long' && (this.big < LONG_MIN || this.big > LONG_MAX)) {
      this.kind = 'double';
      this.sum = Number(this.big);
      this.comp = Number(this.big - BigInt(this.sum));
    }
  }

  /** Compensated (Neumaier) summation: mongod sums doubles in double-double precision. */
  private addDouble(x: number): void {
    const t = this.sum + x;
    if (Number.isFinite(t)) {
      if (Math.abs(this.sum) >= Math.abs(x)) this.comp += this.sum - t + x;
      else this.comp += x - t + this.sum;
    } else this.comp = 0;
    this.sum = t;
  }

  /** The sum as its BSON type. */
  current(): unknown {
    switch (this.kind) {
      case 'decimal':
        return makeDecimal(this.dec, this.decExp);
      case 'double':
        return makeDouble(Number.isFinite(this.sum) ? this.sum + this.comp : this.sum);
      default:
        return this.big === 0n && this.kind === 'int'
          ? this.small
          : intResult(this.big + BigInt(this.small), this.kind, 'double');
    }
  }

  /** The average: a double, or a decimal if any value was one; null without numbers. */
  average(): unknown {
    if (this.count === 0) return null;
    if (this.kind === 'decimal') return makeDecimal(new Dec(this.dec).dividedBy(this.count), 0);
    if (this.kind === 'double') return makeDouble((this.sum + this.comp) / this.count);
    return makeDouble(Number(this.big + BigInt(this.small)) / this.count);
  }
}

// ---------------------------------------------------------------------------------------------
// Conversions of $convert ($toInt, $toLong, $toDouble, $toDecimal) for numbers and strings.

const conversionError = (msg: string) => err(241, msg);

export function convertNumber(v: unknown, to: NumKind): unknown {
  if (v === null || v === undefined) return null;
  const k = numKind(v);
  if (k === null) {
    if (typeof v === 'boolean') return convertNumber(v ? 1 : 0, to);
    if (v instanceof Date)
      return to === 'int' ? badType('date', to) : convertNumber(v.getTime(), to === 'long' ? 'long' : to);
    if (typeof v === 'string') return fromString(v, to);
    return badType(typeof v === 'object' ? 'object' : typeof v, to);
  }
  if (to === 'decimal') {
    if (k === 'decimal') return v;
    if (k === 'double') {
      // mongod converts a double to decimal with 15 significant digits, kept (2.5 → 2.50000000000000).
      const x = toDec(v);
      return makeDecimal(x.d, x.e);
    }
    return makeDecimal(new Dec(toBig(v).toString()), 0);
  }
  if (to === 'double') return makeDouble(toDouble(v));
  // int / long: truncation toward zero; out of range or non-finite is an error.
  let b: bigint;
  if (k === 'int' || k === 'long') b = toBig(v);
  else {
    const d = k === 'decimal' ? toDec(v).d : new Exact(toDouble(v));
    if (!d.isFinite())
      throw conversionError(
        `Attempt to convert ${d.isNaN() ? 'NaN' : 'infinity'} value to integer type in $convert with no onError value`,
      );
    b = BigInt(d.trunc().toFixed());
  }
  const [lo, hi] = to === 'int' ? [BigInt(INT32_MIN), BigInt(INT32_MAX)] : [LONG_MIN, LONG_MAX];
  if (b < lo || b > hi)
    throw conversionError(
      `Conversion would overflow target type in $convert with no onError value: ${String(v)}`,
    );
  return to === 'int' ? Number(b) : makeLong(b);
}

function badType(from: string, to: NumKind): never {
  throw conversionError(`Unsupported conversion from ${from} to ${to} in $convert with no onError value`);
}

function fromString(s: string, to: NumKind): unknown {
  const fail = () =>
    conversionError(
      `Failed to parse number '${s}' in $convert with no onError value: Did not consume whole string.`,
    );
  if (to === 'int' || to === 'long') {
    if (!/^[+-]?\d+$/.test(s)) throw fail();
    return convertNumber(makeLong(BigInt(s)), to);
  }
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$|^[+-]?(Infinity|NaN|inf|nan)$/i.test(s)) throw fail();
  if (to === 'double') return makeDouble(Number(s));
  const d = new Dec(s);
  const m = /(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(s);
  return makeDecimal(d, Number(m?.[2] ?? 0) - (m?.[1]?.length ?? 0));
}

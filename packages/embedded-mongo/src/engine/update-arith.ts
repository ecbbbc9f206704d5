/**
 * `$inc`, `$mul`, `$min` and `$max` with mongod's numeric types (numbers.ts):
 * mingo's would add JS numbers, losing int64/decimal values and their types. Per
 * document, each such field becomes a `$set` of the value mongod computes; a
 * `$min`/`$max` between non-numbers stays mingo's (BSON order of other types).
 */
import { type Doc, formatValue, isPlainObject } from './keys.ts';
import { err } from './errors.ts';
import { LongOverflow, add, mul, numCmp, numKind } from './numbers.ts';

const ARITH = ['$inc', '$mul', '$min', '$max'] as const;

export const hasArith = (ops: Record<string, Doc>): boolean => ARITH.some((op) => op in ops);

/** mongod refuses a non-numeric `$inc`/`$mul` operand before touching any document (14). */
export function checkArithOperands(ops: Record<string, Doc>): void {
  for (const [op, verb] of [
    ['$inc', 'increment'],
    ['$mul', 'multiply'],
  ] as const) {
    const fields = ops[op];
    if (!fields) continue;
    for (const [f, v] of Object.entries(fields))
      if (numKind(v) === null)
        throw err(14, `Cannot ${verb} with non-numeric argument: {${f}: ${formatValue(v)}}`);
  }
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (v instanceof Date) return 'date';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'object') {
    const t = (v as { _bsontype?: string })._bsontype;
    if (t === 'ObjectId') return 'objectId';
    if (t === 'Binary') return 'binData';
    return t ? t.toLowerCase() : 'object';
  }
  return typeof v;
}

/** The value at a concrete dotted path (array elements by index), or undefined. */
function readPath(doc: Doc, path: string): unknown {
  let cur: unknown = doc;
  for (const p of path.split('.')) {
    if (Array.isArray(cur)) cur = /^\d+$/.test(p) ? cur[Number(p)] : undefined;
    else if (isPlainObject(cur)) cur = cur[p];
    else return undefined;
  }
  return cur;
}

const isPositional = (path: string) =>
  path.split('.').some((p) => p === '$' || (p.startsWith('$[') && p.endsWith(']')));

/**
 * The operators for one document with `$inc`/`$mul` (and numeric `$min`/`$max`)
 * turned into `$set`s of their results. `concrete` resolves positional paths
 * for the document (null: nothing to apply).
 */
export function resolveArith(
  doc: Doc,
  ops: Record<string, Doc>,
  concrete: (doc: Doc, ops: Record<string, Doc>) => Record<string, Doc> | null,
): Record<string, Doc> {
  let arith: Record<string, Doc> = {};
  const out: Record<string, Doc> = {};
  let positional = false;
  for (const [op, fields] of Object.entries(ops)) {
    if ((ARITH as readonly string[]).includes(op)) {
      arith[op] = fields;
      if (Object.keys(fields).some(isPositional)) positional = true;
    } else out[op] = fields;
  }
  if (positional) arith = concrete(doc, arith) ?? {};
  const set: Doc = {};
  for (const [op, fields] of Object.entries(arith)) {
    for (const [path, operand] of Object.entries(fields)) {
      const cur = readPath(doc, path);
      if (cur === undefined) {
        set[path] = op === '$mul' ? mul(0, operand, 'error') : operand;
        continue;
      }
      if (op === '$min' || op === '$max') {
        if (numKind(cur) === null || numKind(operand) === null) {
          (out[op] ??= {})[path] = operand;
          continue;
        }
        const c = numCmp(operand, cur);
        if (op === '$min' ? c < 0 : c > 0) set[path] = operand;
        continue;
      }
      if (numKind(cur) === null)
        throw err(
          14,
          `Cannot apply ${op} to a value of non-numeric type. {_id: ${formatValue(doc._id)}} has the field '${path.split('.').pop()}' of non-numeric type ${typeName(cur)}`,
        );
      try {
        set[path] = op === '$inc' ? add(cur, operand, 'error') : mul(cur, operand, 'error');
      } catch (e) {
        if (!(e instanceof LongOverflow)) throw e;
        throw err(
          2,
          `Failed to apply ${op} operations to current value ((NumberLong)${String(cur)}) for document {_id: ${formatValue(doc._id)}}`,
        );
      }
    }
  }
  if (Object.keys(set).length) out.$set = { ...out.$set, ...set };
  return out;
}

/**
 * `$bit` is mingo's, on JS numbers: on an int64 (stored or as the operand) it
 * would not be exact, so that is refused rather than answered wrong.
 */
export function checkBit(doc: Doc, ops: Record<string, Doc>): void {
  const fields = ops.$bit;
  if (!fields) return;
  for (const [path, spec] of Object.entries(fields)) {
    const operands = isPlainObject(spec) ? Object.values(spec) : [];
    const cur = isPositional(path) ? undefined : readPath(doc, path);
    if ([cur, ...operands].some((v) => numKind(v) === 'long' || numKind(v) === 'decimal'))
      throw err(2, `$bit on a long value is not supported by this server (it would not be exact)`);
  }
}

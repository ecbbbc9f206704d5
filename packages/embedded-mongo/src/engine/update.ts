/**
 * Update semantics on top of mingo's updater: validation MongoDB does before
 * touching anything (unknown/conflicting operators, mixed documents), `_id`
 * immutability, `$setOnInsert`, and the upsert seeding rules.
 */
import { checkPipeline } from './syntax.ts';
import { type Doc, isPlainObject, keyOf, newObjectId, setPath } from './keys.ts';
import { err } from './errors.ts';
import { applyOperators, compileFilter, runPipeline } from './mingo.ts';
import {
  checkArithOperands,
  checkBit,
  hasArith,
  hasPushSort,
  resolveArith,
  resolvePushSort,
} from './update-arith.ts';
import type { Collation } from './collation.ts';

const OPERATORS = new Set([
  '$set',
  '$unset',
  '$inc',
  '$mul',
  '$rename',
  '$min',
  '$max',
  '$currentDate',
  '$push',
  '$addToSet',
  '$pop',
  '$pull',
  '$pullAll',
  '$bit',
  '$setOnInsert',
]);
const PIPELINE_STAGES = new Set(['$addFields', '$set', '$project', '$unset', '$replaceRoot', '$replaceWith']);

export type UpdateSpec =
  | { kind: 'replace'; doc: Doc }
  | { kind: 'ops'; ops: Record<string, Doc> }
  | { kind: 'pipeline'; stages: Doc[] };

function checkConflicts(ops: Record<string, Doc>): void {
  const paths: string[] = [];
  for (const [op, fields] of Object.entries(ops)) {
    for (const [f, v] of Object.entries(fields)) {
      if (f === '' || f.split('.').some((p) => p === '')) throw err(56, `An empty update path is not valid.`);
      paths.push(f);
      if (op === '$rename') {
        if (typeof v !== 'string')
          throw err(2, `The 'to' field for $rename must be a string: ${f}: ${String(v)}`);
        paths.push(v);
      }
    }
  }
  const seen = new Set<string>();
  for (const p of paths) {
    if (seen.has(p)) throw err(40, `Updating the path '${p}' would create a conflict at '${p}'`);
    seen.add(p);
  }
  // A path conflicts with any path that extends it ('a' vs 'a.b').
  for (const p of paths) {
    const parts = p.split('.');
    for (let i = 1; i < parts.length; i++) {
      const prefix = parts.slice(0, i).join('.');
      if (seen.has(prefix)) throw err(40, `Updating the path '${p}' would create a conflict at '${prefix}'`);
    }
  }
}

/** Classifies and validates the `u` of an update statement. */
export function parseUpdate(u: unknown): UpdateSpec {
  if (Array.isArray(u)) {
    for (const stage of u) {
      if (!isPlainObject(stage) || Object.keys(stage).length !== 1)
        throw err(9, 'A pipeline stage specification object must contain exactly one field.');
      const name = Object.keys(stage)[0];
      if (!PIPELINE_STAGES.has(name)) throw err(72, `${name} is not allowed to be used within an update`);
    }
    checkPipeline(u);
    return { kind: 'pipeline', stages: u as Doc[] };
  }
  if (!isPlainObject(u)) throw err(9, 'Update argument must be either an object or an array');
  const keys = Object.keys(u);
  if (keys.length === 0 || !keys[0].startsWith('$')) {
    for (const k of keys) {
      if (k.startsWith('$'))
        throw err(
          52,
          `The dollar ($) prefixed field '${k}' in '${k}' is not allowed in the context of an update's replacement document. Consider using an aggregation pipeline with $replaceWith.`,
        );
    }
    return { kind: 'replace', doc: u };
  }
  const ops: Record<string, Doc> = {};
  for (const k of keys) {
    if (!k.startsWith('$') || !OPERATORS.has(k))
      throw err(
        9,
        `Unknown modifier: ${k}. Expected a valid update modifier or pipeline-style update specified as an array`,
      );
    const v = u[k];
    if (!isPlainObject(v))
      throw err(
        9,
        `Modifiers operate on fields but we found type ${Array.isArray(v) ? 'array' : typeof v} instead. For example: {$mod: {<field>: ...}} not {${k}: ${JSON.stringify(v)}}`,
      );
    if (Object.keys(v).length) ops[k] = v;
  }
  checkConflicts(ops);
  checkArithOperands(ops);
  return { kind: 'ops', ops };
}

const touchesId = (path: string) => path === '_id' || path.startsWith('_id.');

/**
 * Removes `_id` from `$set`-like operators when it would not change the value
 * (allowed by MongoDB, refused by mingo); any real change is code 66.
 */
function stripIdOps(ops: Record<string, Doc>, currentId: unknown): Record<string, Doc> {
  let out = ops;
  for (const [op, fields] of Object.entries(ops)) {
    for (const f of Object.keys(fields)) {
      if (!touchesId(f)) continue;
      if (
        (op === '$set' || op === '$setOnInsert' || op === '$min' || op === '$max') &&
        f === '_id' &&
        keyOf(fields[f]) === keyOf(currentId)
      ) {
        if (out === ops) out = { ...ops };
        const rest = { ...out[op] };
        delete rest[f];
        out[op] = rest;
        continue;
      }
      throw err(66, `Performing an update on the path '_id' would modify the immutable field '_id'`);
    }
  }
  return out;
}

/**
 * Applies `spec` to private copies of matched documents (mutated or replaced);
 * returns the new versions in the same order.
 */
export function applyUpdate(
  copies: Doc[],
  filter: Doc,
  spec: UpdateSpec,
  arrayFilters?: Doc[],
  collation?: Collation,
  variables?: Doc,
): Doc[] {
  if (copies.length === 0) return copies;
  let out: Doc[];
  if (spec.kind === 'replace') {
    out = copies.map((d) => {
      if (spec.doc._id !== undefined && keyOf(spec.doc._id) !== keyOf(d._id))
        throw err(
          66,
          `After applying the update, the (immutable) field '_id' was found to have been altered to _id: ${String(spec.doc._id)}`,
        );
      const { _id: _ignored, ...rest } = spec.doc;
      return { _id: d._id, ...rest };
    });
  } else if (spec.kind === 'pipeline') {
    // Taken first: stages may drop `_id` from the (private) copies they run on.
    const ids = copies.map((d) => d._id);
    out = keepIds(runPipeline(copies, spec.stages, { variables }), ids);
  } else {
    const { $setOnInsert: _soi, ...ops } = spec.ops;
    if (Object.keys(ops).length === 0) return copies;
    if (ops.$bit) for (const d of copies) checkBit(d, ops);
    if (hasArith(ops) || hasPushSort(ops)) {
      // $inc/$mul/$min/$max and $push with $sort become per-document $sets of mongod's results.
      for (const d of copies) {
        let o = hasPushSort(ops) ? resolvePushSort(d, ops, collation) : ops;
        if (hasArith(o))
          o = resolveArith(d, o, (doc, a) => concretePaths(doc, a, filter, arrayFilters ?? []), collation);
        if (Object.keys(o).length) applyOps([d], filter, o, arrayFilters, collation);
      }
    } else applyOps(copies, filter, ops, arrayFilters, collation);
    out = copies;
  }
  for (let i = 0; i < out.length; i++) {
    if (keyOf(out[i]._id) !== keyOf(copies[i]?._id) || out[i]._id === undefined)
      throw err(66, `Performing an update on the path '_id' would modify the immutable field '_id'`);
  }
  return out;
}

/** Applies update operators (no `$setOnInsert`) to private copies, natively where it can. */
function applyOps(
  copies: Doc[],
  filter: Doc,
  ops: Record<string, Doc>,
  arrayFilters?: Doc[],
  collation?: Collation,
): void {
  const hasId = Object.values(ops).some((f) => Object.keys(f).some(touchesId));
  if (!hasId && setOnly(ops) && copies.every((d) => setPaths(d, ops.$set, true))) {
    for (const d of copies) setPaths(d, ops.$set, false);
  } else if (!hasId && positionalSiblings(ops)) {
    // mingo refuses two positional paths under the same array (`a.$.x` and
    // `a.$.y`) although MongoDB accepts them: resolve the positions per
    // document, then hand mingo the concrete paths (`a.3.x`, `a.3.y`).
    for (const d of copies) {
      const concrete = concretePaths(d, ops, filter, arrayFilters ?? []);
      if (concrete) applyOperators([d], filter, concrete, undefined, collation);
    }
  } else if (hasId) {
    // Rare: handle per document since the allowed no-op depends on each _id.
    for (const d of copies) {
      const o = stripIdOps(ops, d._id);
      if (Object.values(o).some((f) => Object.keys(f).length))
        applyOperators([d], filter, o, arrayFilters, collation);
    }
  } else {
    applyOperators(copies, filter, ops, arrayFilters, collation);
  }
}

/**
 * A pipeline's result without `_id` keeps the document's own, first, as mongod
 * does (it replaces the document but for `_id`): `[{$replaceWith: {a: 1}}]`
 * is a replacement, not a removal of `_id`. A different `_id` stays, to be refused.
 */
function keepIds(out: Doc[], ids: unknown[]): Doc[] {
  return out.map((d, i) => (d._id === undefined && ids[i] !== undefined ? { _id: ids[i], ...d } : d));
}

/** The update is only `$set` (the common case: mongoose saves, timestamps). */
function setOnly(ops: Record<string, Doc>): boolean {
  const names = Object.keys(ops);
  return names.length === 1 && names[0] === '$set';
}

/**
 * `$set` without mingo, for paths that go through plain subdocuments only (no
 * `$`, no array or scalar on the way, no numeric part): what mingo does for
 * those, at a fraction of the cost (mingo builds a context per call). With
 * `check`, only says whether every path qualifies; `doc` must be private.
 */
function setPaths(doc: Doc, fields: Doc, check: boolean): boolean {
  for (const path of Object.keys(fields)) {
    if (path.includes('$') || path === '__proto__') return false;
    if (!path.includes('.')) {
      if (!check) doc[path] = fields[path];
      continue;
    }
    const parts = path.split('.');
    let cur: Doc = doc;
    for (let i = 0; i < parts.length - 1; i++) {
      const p = parts[i];
      if (p === '__proto__' || /^\d+$/.test(p)) return false;
      const next = cur[p];
      if (next === undefined) {
        if (check) break;
        cur = cur[p] = {};
      } else if (isPlainObject(next)) cur = next;
      else return false;
    }
    const last = parts[parts.length - 1];
    if (last === '__proto__') return false;
    if (!check) cur[last] = fields[path];
  }
  return true;
}

const isPositional = (part: string) => part === '$' || (part.startsWith('$[') && part.endsWith(']'));

/** mingo's path of an update field: the dotted path up to its first positional part. */
function mingoSelector(path: string): string | null {
  const parts = path.split('.');
  const i = parts.findIndex(isPositional);
  return i < 0 ? null : parts.slice(0, i).join('.');
}

/** Two positional paths share their array (which mingo wrongly calls a conflict). */
function positionalSiblings(ops: Record<string, Doc>): boolean {
  const seen = new Set<string>();
  for (const fields of Object.values(ops)) {
    for (const f of Object.keys(fields)) {
      const sel = mingoSelector(f);
      if (sel === null) continue;
      if (seen.has(sel)) return true;
      seen.add(sel);
    }
  }
  return false;
}

/**
 * The operators with every positional path (`$`, `$[]`, `$[id]`) replaced by
 * the concrete paths it designates in `doc`, as MongoDB resolves them: `$` is
 * the first element matching the query's condition on that array, `$[id]` the
 * elements matching the array filter `id`. Null when nothing is left to apply.
 */
function concretePaths(
  doc: Doc,
  ops: Record<string, Doc>,
  filter: Doc,
  arrayFilters: Doc[],
): Record<string, Doc> | null {
  const out: Record<string, Doc> = {};
  let any = false;
  for (const [op, fields] of Object.entries(ops)) {
    const o: Doc = {};
    for (const [f, v] of Object.entries(fields)) {
      if (mingoSelector(f) === null) {
        o[f] = v;
        continue;
      }
      const paths: string[] = [];
      expandPath(doc, f.split('.'), 0, [], filter, arrayFilters, paths);
      for (const p of paths) o[p] = v;
    }
    if (Object.keys(o).length) {
      out[op] = o;
      any = true;
    }
  }
  return any ? out : null;
}

function expandPath(
  value: unknown,
  parts: string[],
  i: number,
  prefix: string[],
  filter: Doc,
  arrayFilters: Doc[],
  out: string[],
): void {
  if (i === parts.length) {
    out.push(prefix.join('.'));
    return;
  }
  const part = parts[i];
  if (!isPositional(part)) {
    const next =
      value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
    expandPath(next, parts, i + 1, [...prefix, part], filter, arrayFilters, out);
    return;
  }
  if (!Array.isArray(value) || value.length === 0) return;
  const selector = prefix.join('.');
  if (part === '$') {
    const keys = Object.keys(filter).filter((k) => k === selector || k.startsWith(selector + '.'));
    if (keys.length !== 1)
      throw err(2, `The positional operator did not find the match needed from the query.`);
    const q = compileFilter({ [keys[0]]: filter[keys[0]] });
    const at = value.findIndex((e) => q.test({ [selector]: [e] }));
    if (at < 0) throw err(2, `The positional operator did not find the match needed from the query.`);
    expandPath(value[at], parts, i + 1, [...prefix, String(at)], filter, arrayFilters, out);
    return;
  }
  let test: ((e: unknown) => boolean) | null = null;
  if (part !== '$[]') {
    const id = part.slice(2, -1);
    const f: Doc = {};
    for (const af of arrayFilters)
      for (const k of Object.keys(af)) if ((k.split('.')[0] ?? k) === id) f[k] = af[k];
    if (Object.keys(f).length === 0)
      throw err(2, `No array filter found for identifier '${id}' in path '${parts.join('.')}'`);
    const q = compileFilter(f);
    test = (e) => q.test({ [id]: [e] });
  }
  for (let at = 0; at < value.length; at++) {
    if (test && !test(value[at])) continue;
    expandPath(value[at], parts, i + 1, [...prefix, String(at)], filter, arrayFilters, out);
  }
}

/** Fields of the filter that fix a value: `{a: 1}`, `{a: {$eq: 1}}`, inside `$and`. */
function seedFromFilter(filter: Doc, into: Doc): void {
  for (const [k, v] of Object.entries(filter)) {
    if (k === '$and' && Array.isArray(v)) {
      for (const sub of v) if (isPlainObject(sub)) seedFromFilter(sub, into);
      continue;
    }
    if (k.startsWith('$')) continue;
    if (v instanceof RegExp || (v && (v as Doc)._bsontype === 'BSONRegExp')) continue;
    if (isPlainObject(v)) {
      const ks = Object.keys(v);
      if (ks.length && ks[0].startsWith('$')) {
        if ('$eq' in v) setPath(into, k, v.$eq);
        continue;
      }
    }
    setPath(into, k, v);
  }
}

/** Builds the document an upsert inserts (not yet validated or stored). */
export function buildUpsert(filter: Doc, spec: UpdateSpec, arrayFilters?: Doc[], variables?: Doc): Doc {
  let doc: Doc;
  if (spec.kind === 'replace') {
    doc = { ...spec.doc };
    if (doc._id === undefined) {
      const idFromFilter = equalityId(filter);
      if (idFromFilter !== undefined) doc = { _id: idFromFilter, ...doc };
    }
  } else {
    const base: Doc = {};
    seedFromFilter(filter, base);
    if (spec.kind === 'pipeline') {
      if (base._id === undefined) base._id = newObjectId();
      doc = keepIds(runPipeline([base], spec.stages, { variables }), [base._id])[0];
    } else {
      // $setOnInsert applies only here, as part of $set.
      const ops: Record<string, Doc> = { ...spec.ops };
      if (ops.$setOnInsert) {
        ops.$set = { ...(ops.$set ?? {}), ...ops.$setOnInsert };
        delete ops.$setOnInsert;
      }
      // An _id set by the update decides the new document's _id (mingo refuses _id paths).
      if (ops.$set && '_id' in ops.$set) {
        const { _id, ...rest } = ops.$set;
        base._id = _id;
        ops.$set = rest;
      }
      for (const f of Object.values(ops))
        for (const p of Object.keys(f))
          if (touchesId(p))
            throw err(66, `Performing an update on the path '_id' would modify the immutable field '_id'`);
      let live = Object.fromEntries(Object.entries(ops).filter(([, f]) => Object.keys(f).length));
      if (hasPushSort(live)) live = resolvePushSort(base, live);
      if (hasArith(live))
        live = resolveArith(base, live, (doc, a) => concretePaths(doc, a, {}, arrayFilters ?? []));
      if (setOnly(live) && setPaths(base, live.$set, true)) setPaths(base, live.$set, false);
      else if (Object.keys(live).length) applyOperators([base], {}, live, arrayFilters);
      doc = base;
    }
  }
  if (doc._id === undefined) doc = { _id: newObjectId(), ...doc };
  return doc;
}

function equalityId(filter: Doc): unknown {
  const seed: Doc = {};
  seedFromFilter(filter, seed);
  return seed._id;
}

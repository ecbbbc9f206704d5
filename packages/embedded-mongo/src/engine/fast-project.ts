/**
 * Inclusion projections (`{fullName: 1, 'academicTerms.gpa': 1, _id: 0}`), the kind
 * the app's lists send, without mingo: mingo builds a query and a generic `$project`
 * per call, which made the projection of a page of 50 cost more than finding it.
 * Anything else (exclusions, `$slice`, `$elemMatch`, positional `$`, expressions,
 * overlapping paths) returns null and goes to mingo, whose results this matches
 * (differential test in tests/fast-project.test.ts).
 *
 * MongoDB's rules, as mingo applies them: `_id` is included unless excluded; fields
 * come out in the document's order; a dotted path descends into subdocuments and
 * into every subdocument of an array (nested arrays too), dropping the array's other
 * elements; a path through a value that is neither keeps nothing of it.
 */
import { type Doc, isPlainObject } from './keys.ts';

/** A path's remaining parts: `true` ends there (the whole value), else the next level. */
type Tree = Map<string, Tree | true>;

/** A function projecting one stored document, or null for a projection mingo must do. */
export function compileInclusion(projection: Doc): ((doc: Doc) => Doc) | null {
  const tree: Tree = new Map();
  let withId = true;
  let fields = 0;
  for (const [path, value] of Object.entries(projection)) {
    if (path === '_id' && (value === 0 || value === false)) {
      withId = false;
      continue;
    }
    if (value !== 1 && value !== true) return null;
    if (path === '' || path.includes('$')) return null;
    const parts = path.split('.');
    if (parts.some((p) => p === '')) return null;
    let node = tree;
    for (let i = 0; i < parts.length; i++) {
      const cur = node.get(parts[i]);
      const last = i === parts.length - 1;
      // Two paths where one is a prefix of the other: mingo's (and mongod's) business.
      if (cur === true || (last && cur !== undefined)) return null;
      if (last) node.set(parts[i], true);
      else {
        const next: Tree = cur ?? new Map();
        node.set(parts[i], next);
        node = next;
      }
    }
    fields++;
  }
  if (fields === 0) return null;
  if (withId && !tree.has('_id')) tree.set('_id', true);
  else if (!withId) tree.delete('_id');
  return (doc) => projectObject(doc, tree);
}

function projectObject(doc: Doc, tree: Tree): Doc {
  const out: Doc = {};
  for (const key in doc) {
    const sub = tree.get(key);
    if (sub === undefined) continue;
    const value = doc[key];
    if (sub === true) {
      if (value !== undefined) out[key] = value;
      continue;
    }
    const kept = projectValue(value, sub);
    if (kept !== undefined) out[key] = kept;
  }
  return out;
}

/** The part of `value` a subtree keeps; undefined for none (a scalar on the path). */
function projectValue(value: unknown, tree: Tree): unknown {
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const e of value) {
      if (Array.isArray(e) || isPlainObject(e)) out.push(projectValue(e, tree));
    }
    return out;
  }
  return isPlainObject(value) ? projectObject(value, tree) : undefined;
}

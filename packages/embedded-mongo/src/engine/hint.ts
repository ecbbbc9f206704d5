/**
 * `hint`: mongod plans with the named index, and refuses a name or key pattern
 * that is no index. Results do not depend on the plan unless the index leaves
 * documents out (sparse, partial), so such a hint, and a reverse natural
 * order, are refused rather than answered with more documents than mongod's.
 */
import type { CollectionView } from './collection.ts';
import { err } from './errors.ts';
import { isPlainObject } from './keys.ts';

export function checkHint(c: CollectionView | undefined, hint: unknown): void {
  if (hint === undefined || hint === null) return;
  if (typeof hint !== 'string' && !isPlainObject(hint))
    throw err(9, 'hint must be either a string or nested object');
  if (isPlainObject(hint) && Object.keys(hint).length === 0) return;
  if (isPlainObject(hint) && '$natural' in hint) {
    if (Number(hint.$natural) < 0)
      throw err(115, 'a hint of {$natural: -1} is not supported by the embedded server');
    return;
  }
  // A missing collection has nothing to plan: mongod answers as without a hint.
  if (!c) return;
  const key = typeof hint === 'string' ? null : JSON.stringify(hint);
  const spec = c.indexSpecs().find((s) => (key === null ? s.name === hint : JSON.stringify(s.key) === key));
  if (!spec) throw err(2, 'hint provided does not correspond to an existing index');
  if (spec.sparse || spec.partialFilterExpression)
    throw err(
      115,
      `a hint of the sparse or partial index '${spec.name}' is not supported by the embedded server (it would leave documents out)`,
    );
}

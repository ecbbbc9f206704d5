/**
 * Optimistic concurrency: the `__v` a form was rendered with comes back as `version`,
 * and a write filters on it, so a stale form is a 409 instead of a lost update.
 */

/** Version as the form sent it: a non-negative integer, or null. */
export function parseVersion(value: FormDataEntryValue | null): number | null {
  return typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : null;
}

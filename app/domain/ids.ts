/**
 * The one MongoDB ObjectId check, as 24 hex digits. Pure, so the browser (form
 * schemas) and the server (params, form fields) agree on what an id looks like.
 */
export const OBJECT_ID_PATTERN = /^[0-9a-f]{24}$/i;

export const isObjectId = (value: unknown): value is string =>
  typeof value === 'string' && OBJECT_ID_PATTERN.test(value);

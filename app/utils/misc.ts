/** Throws a Response (caught by the nearest ErrorBoundary) when `condition` is falsy. */
export function invariantResponse(
  condition: unknown,
  message: string | (() => string),
  init?: ResponseInit,
): asserts condition {
  if (!condition) {
    throw new Response(typeof message === 'function' ? message() : message, {
      status: 400,
      ...init,
    });
  }
}

const OBJECT_ID = /^[0-9a-f]{24}$/i;
export const isObjectIdString = (value: unknown): value is string =>
  typeof value === 'string' && OBJECT_ID.test(value);

/** Turns FormData into a plain object for zod, keeping only the first value of each name. */
export function formDataToObject(formData: FormData): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of formData) {
    if (typeof value === 'string' && !(key in out)) out[key] = value;
  }
  return out;
}

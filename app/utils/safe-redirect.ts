const DEFAULT_REDIRECT = '/';

/**
 * Returns `to` only when it is a path on this site, else `fallback`. Guards every
 * user-supplied `redirectTo` against open redirects: `//evil.com` and `/\evil.com`
 * are protocol-relative in browsers, and anything with a scheme is absolute.
 */
export function safeRedirect(
  to: FormDataEntryValue | string | null | undefined,
  fallback: string = DEFAULT_REDIRECT,
): string {
  if (!to || typeof to !== 'string') return fallback;
  const value = to.trim();
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return fallback;
  // Control characters and backslashes can be normalised by browsers into `//`.
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  if (/[\u0000-\u001f\\]/.test(value)) return fallback;
  try {
    const url = new URL(value, 'http://local.invalid');
    if (url.origin !== 'http://local.invalid') return fallback;
  } catch {
    return fallback;
  }
  return value;
}

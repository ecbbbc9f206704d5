/**
 * Sensitive personal data (Law 91/2025: ethnicity, religion, citizen ID) in lists and
 * files. Pure and isomorphic: the rules the member table, its export and the JSON API
 * apply before any row leaves the server (docs/decisions/023-sensitive-data-exits.md).
 *
 * - Filtering by a sensitive field reveals it for every row listed, so it is allowed only
 *   to roles that may reveal sensitive data (`sensitive:read`); any other caller is
 *   refused, never silently shown the unfiltered list.
 * - A list or file filtered by a sensitive field that holds fewer than
 *   `SMALL_GROUP_UNDER` people is refused: small groups identify people, the same rule as
 *   the dashboard's hidden cells. An empty result reveals no one and is shown.
 * - Every list or file filtered by a sensitive field is logged like a reveal.
 */

/**
 * Sensitive fields the member table (and its export) can filter by; each is also the URL
 * parameter. The citizen ID is never a filter (the search matches names and codes only).
 */
export const SENSITIVE_FILTERS = ['ethnicity', 'religion'] as const;
export type SensitiveFilter = (typeof SENSITIVE_FILTERS)[number];

/** Groups under this many people are not shown by name (and hidden on the dashboard). */
export const SMALL_GROUP_UNDER = 5;

/** Sensitive fields a query string filters by: present with a non-blank value, in table order. */
export function sensitiveFiltersIn(params: URLSearchParams): SensitiveFilter[] {
  return SENSITIVE_FILTERS.filter((f) => params.getAll(f).some((v) => v.trim() !== ''));
}

export type SensitiveRefusal = 'forbidden' | 'smallGroup';

/**
 * Whether a caller may see a list filtered by `filters` that matched `count` records:
 * null when it may, otherwise why not. `count` is not needed to refuse a role.
 */
export function sensitiveListRefusal(
  canReveal: boolean,
  filters: readonly SensitiveFilter[],
  count?: number,
): SensitiveRefusal | null {
  if (!filters.length) return null;
  if (!canReveal) return 'forbidden';
  if (count !== undefined && count > 0 && count < SMALL_GROUP_UNDER) return 'smallGroup';
  return null;
}

/** Why a list or file was refused: each is a `sensitive.<kind>` catalogue message. */
export type SensitiveRefusalKind = 'filterForbidden' | 'exportForbidden' | 'smallGroup';

/** The JSON body of a refused page: the page's error boundary shows `message` as it is. */
export interface SensitiveRefusalBody {
  refusal: SensitiveRefusalKind;
  message: string;
}

export function isSensitiveRefusal(data: unknown): data is SensitiveRefusalBody {
  return (
    typeof data === 'object' &&
    data !== null &&
    typeof (data as { refusal?: unknown }).refusal === 'string' &&
    typeof (data as { message?: unknown }).message === 'string'
  );
}

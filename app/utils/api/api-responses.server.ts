/**
 * The JSON API's envelope: every answer is JSON with `no-store`, every error
 * `{ error: { code, message, details? } }`, and nothing thrown becomes an HTML 500.
 */

const JSON_HEADERS = {
  'Content-Type': 'application/json; charset=utf-8',
  'Cache-Control': 'no-store',
} as const;

export function apiJson(body: unknown, init: { status?: number; headers?: Record<string, string> } = {}) {
  return new Response(JSON.stringify(body), {
    status: init.status ?? 200,
    headers: { ...JSON_HEADERS, ...init.headers },
  });
}

export interface ApiErrorDetail {
  param: string;
  message: string;
}

export function apiError(
  status: number,
  code: string,
  message: string,
  options: { details?: ApiErrorDetail[]; headers?: Record<string, string> } = {},
): Response {
  const error = options.details ? { code, message, details: options.details } : { code, message };
  return apiJson({ error }, { status, headers: options.headers });
}

/** Same body for an unknown id, a malformed one and one outside the token's scope. */
export const apiNotFound = () => apiError(404, 'not_found', 'No such resource.');

/** Every API route's `action`: the API is read-only. */
export const apiMethodNotAllowed = () =>
  apiError(405, 'method_not_allowed', 'The API is read-only: use GET.', {
    headers: { Allow: 'GET, HEAD' },
  });

/** Runs a loader body and turns whatever it throws into a JSON response (never an HTML 500). */
export async function apiResponse(run: () => Promise<Response>): Promise<Response> {
  try {
    return await run();
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    console.error('[api] request failed', thrown);
    return apiError(500, 'internal_error', 'Internal error.');
  }
}

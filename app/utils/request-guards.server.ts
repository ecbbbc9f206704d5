/**
 * Checks every state-changing request passes before any route sees it, in one place
 * (server.ts installs them as Express middleware ahead of the Remix handler, so resource
 * routes such as `/settings/locale` and `/logout` are covered as well as pages):
 *
 * - **Origin**: a POST (PUT, PATCH, DELETE) sent by a page of another site is refused with
 *   403 and a page saying why, in Vietnamese. Browsers say where a request comes from in
 *   `Sec-Fetch-Site` (all current ones) and `Origin`; a request carrying neither is not
 *   from a browser page (curl, the API's clients) and has no ambient cookies to abuse.
 * - **Body type**: the app's forms send `application/x-www-form-urlencoded` or
 *   `multipart/form-data` and nothing else. Any other body type (JSON, text/plain, XML…) is
 *   refused with 415 before a route tries to read it; a multipart body without its boundary
 *   is malformed (400). The JSON API (`/api/v1/`) is read-only and answers other methods
 *   itself (405), so it is left to do so.
 * - **Cache-Control**: every response of the app's handler (pages, exports, downloads, the
 *   API) is `private, no-store` unless the route chose its own: pages show personal data
 *   and must not stay in a shared or back-forward cache. Fingerprinted assets and public/
 *   are served before this and keep their long caching.
 *
 * The decisions are pure functions (tested in tests/unit/request-guards.test.ts); the
 * whole chain is tested over HTTP against the production server in
 * tests/integration/request-guards.test.ts.
 */
import { translate, type MessageKey } from '../i18n/index.ts';
import { badRequest, invariantResponse } from './responses.server';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
export const FORM_TYPES = new Set(['application/x-www-form-urlencoded', 'multipart/form-data']);
export const NO_STORE = 'private, no-store';

export const isStateChanging = (method: string) => !SAFE_METHODS.has(method.toUpperCase());

/** The JSON API: bearer tokens, no cookies, answers non-GET methods itself. */
export const isApiPath = (pathname: string) => pathname === '/api/v1' || pathname.startsWith('/api/v1/');

type HeaderValue = string | string[] | undefined;
const one = (value: HeaderValue) => (Array.isArray(value) ? value[0] : value)?.trim() || undefined;

export interface RequestFacts {
  method: string;
  pathname: string;
  headers: Record<string, HeaderValue>;
}

export type Refusal = {
  status: 400 | 403 | 415;
  reason: 'cross_origin' | 'unsupported_media_type' | 'malformed_body';
};

/**
 * 403 when a browser says the request comes from another site. `Sec-Fetch-Site` first
 * (`same-origin` and `none`, a user's own navigation, pass; `same-site` and `cross-site`
 * do not); without it the `Origin` must name this host (`Host`, or the `X-Forwarded-Host`
 * a proxy set: a page cannot add that header to a cross-site form post).
 */
export function originRefusal({ method, headers }: RequestFacts): Refusal | null {
  if (!isStateChanging(method)) return null;
  const site = one(headers['sec-fetch-site'])?.toLowerCase();
  if (site) {
    return site === 'same-origin' || site === 'none' ? null : { status: 403, reason: 'cross_origin' };
  }
  const origin = one(headers.origin);
  if (!origin) return null;
  let originHost: string;
  try {
    originHost = new URL(origin).host.toLowerCase();
  } catch {
    return { status: 403, reason: 'cross_origin' }; // `null` (sandboxed frames, some redirects)
  }
  const hosts = [one(headers.host), ...(one(headers['x-forwarded-host'])?.split(',') ?? [])]
    .map((h) => h?.trim().toLowerCase())
    .filter(Boolean);
  return hosts.includes(originHost) ? null : { status: 403, reason: 'cross_origin' };
}

/** The media type of a Content-Type header, lower case, without parameters. */
export function mediaType(contentType: string | undefined): string | undefined {
  const type = contentType?.split(';')[0].trim().toLowerCase();
  return type || undefined;
}

function hasBody(headers: Record<string, HeaderValue>): boolean {
  const length = one(headers['content-length']);
  if (length !== undefined) return Number(length) > 0;
  return one(headers['transfer-encoding']) !== undefined;
}

/**
 * 415 for a body the app's actions do not take, 400 for a multipart body that cannot be
 * parsed (no boundary). A state-changing request with no body at all passes (logout).
 */
export function bodyRefusal({ method, pathname, headers }: RequestFacts): Refusal | null {
  if (!isStateChanging(method) || isApiPath(pathname)) return null;
  const contentType = one(headers['content-type']);
  const type = mediaType(contentType);
  if (!type) return hasBody(headers) ? { status: 415, reason: 'unsupported_media_type' } : null;
  if (!FORM_TYPES.has(type)) return { status: 415, reason: 'unsupported_media_type' };
  if (type === 'multipart/form-data' && !/;\s*boundary=("[^"]+"|[^;\s]+)/i.test(contentType ?? ''))
    return { status: 400, reason: 'malformed_body' };
  return null;
}

const REFUSAL_TEXT: Record<Refusal['reason'], { title: MessageKey; body: MessageKey }> = {
  cross_origin: { title: 'guard.crossOrigin.title', body: 'guard.crossOrigin.body' },
  unsupported_media_type: { title: 'guard.unsupportedBody.title', body: 'guard.unsupportedBody.body' },
  malformed_body: { title: 'guard.malformedBody.title', body: 'guard.malformedBody.body' },
};

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The refusal as the client can read it: JSON for the API, a small Vietnamese page otherwise. */
export function refusalResponse(refusal: Refusal, pathname: string) {
  const text = REFUSAL_TEXT[refusal.reason];
  const title = translate('vi', text.title);
  const body = translate('vi', text.body);
  if (isApiPath(pathname)) {
    return {
      status: refusal.status,
      contentType: 'application/json; charset=utf-8',
      body: JSON.stringify({ error: { code: refusal.reason, message: `${title} ${body}` } }),
    };
  }
  const html = `<!doctype html>
<html lang="vi">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title></head>
<body>
<main>
<h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(body)}</p>
<p>${escapeHtml(translate('vi', 'error.status', { status: refusal.status }))}</p>
<p><a href="/">${escapeHtml(translate('vi', 'error.backHome'))}</a></p>
</main>
</body>
</html>
`;
  return { status: refusal.status, contentType: 'text/html; charset=utf-8', body: html };
}

/**
 * An action's form, or a clear refusal: 415 for a body that is not a form (server.ts
 * refuses those first; this keeps a route safe when it is called some other way), 400 for
 * a form body that cannot be parsed (a truncated multipart body, a bad boundary) instead of
 * the TypeError that used to become a 500.
 */
const PLAIN_TEXT = { 'Content-Type': 'text/plain; charset=utf-8' };

export async function readForm(request: Request): Promise<FormData> {
  const type = mediaType(request.headers.get('Content-Type') ?? undefined);
  invariantResponse(type && FORM_TYPES.has(type), translate('vi', 'guard.unsupportedBody.body'), {
    status: 415,
    headers: PLAIN_TEXT,
  });
  try {
    return await request.formData();
  } catch (error) {
    if (error instanceof Response) throw error;
    throw badRequest(translate('vi', 'guard.malformedBody.body'), PLAIN_TEXT);
  }
}

/** The body went past what the route takes (readBoundedForm). */
export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`request body over ${limit} bytes`);
  }
}

/**
 * readForm with the body bounded while it is read: past `maxBytes` the read stops with
 * BodyTooLargeError (a declared Content-Length over it is refused before reading). The
 * platform's parser reads file names as browsers send them, `;`, `=` and any Unicode
 * included (Remix's multipart parser refused a quoted name holding `;` or `=`).
 */
export async function readBoundedForm(request: Request, maxBytes: number): Promise<FormData> {
  const declared = Number(request.headers.get('Content-Length') ?? NaN);
  if (declared > maxBytes) throw new BodyTooLargeError(maxBytes);
  if (!request.body) return readForm(request);
  let seen = 0;
  const bounded = request.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        seen += chunk.byteLength;
        if (seen > maxBytes) controller.error(new BodyTooLargeError(maxBytes));
        else controller.enqueue(chunk);
      },
    }),
  );
  const copy = new Request(request.url, {
    method: request.method,
    headers: request.headers,
    body: bounded,
    duplex: 'half',
  } as RequestInit);
  try {
    return await readForm(copy);
  } catch (error) {
    if (seen > maxBytes) throw new BodyTooLargeError(maxBytes);
    throw error;
  }
}

/**
 * Limits of the HTTP side (issue 17): how large a request body each route takes, and
 * the server's timeouts and connection cap. Every figure is here, in one place, and in
 * docs/operations.md ("Limits").
 *
 * A body over its route's limit is answered 413 before it is read: a declared
 * Content-Length is checked up front; a body without one (chunked) is counted as it
 * arrives and refused the moment it passes the limit. Either way the connection is then
 * closed, so the rest of the body is never read. Without this, six 500 MB POSTs to
 * /login (no account needed) pushed the app to 5.4 GB and blocked it for 42 s.
 */
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import http from 'node:http';
import type { Socket } from 'node:net';
import { EVIDENCE_MAX_BYTES } from '../../models/evidence-file';
import { MAX_FILE_BYTES } from '../domain/member-import/types';
import { SCAN_MAX_BYTES } from '../domain/pipeline/scans';
import { translate, type MessageKey } from '../i18n';

const KB = 1024;
const MB = 1024 * 1024;

/** Evidence uploads (`/me/submissions`): each file at most this large (5 MB)… */
export const EVIDENCE_PART_BYTES = EVIDENCE_MAX_BYTES;
/** …and at most this many files in one request. */
export const EVIDENCE_MAX_FILES = 3;
/** Imports (`/members/import`): the spreadsheet at most this large (10 MB). */
export const IMPORT_FILE_BYTES = MAX_FILE_BYTES;
/** A signed scan (`/members/:id/scans`): one file of at most 10 MB, with its form's few fields. */
export const SCAN_UPLOAD_BYTES = SCAN_MAX_BYTES + 64 * KB;
/** Form fields beside the files, in any multipart request (the largest form has ~12). */
export const MULTIPART_MAX_FIELDS = 30;
/** Room for the form fields and the multipart framing beside the files. */
const MULTIPART_OVERHEAD = 64 * KB;

/**
 * The largest body each route takes, first match wins. Paths are matched without
 * Remix's `.data` suffix (single fetch), so a fetcher post has its page's limit.
 */
/** The largest PDF /verify/<code> checks: a public, unauthenticated upload, so kept small (an issued PDF is ~50 KB). */
export const VERIFY_PDF_BYTES = 2 * MB;

export const BODY_LIMITS: ReadonlyArray<{ path: RegExp; bytes: number; what: string }> = [
  { path: /^\/login$/, bytes: 8 * KB, what: 'sign-in' },
  {
    path: /^\/me\/submissions$/,
    bytes: EVIDENCE_MAX_FILES * EVIDENCE_PART_BYTES + MULTIPART_OVERHEAD,
    what: 'evidence upload',
  },
  { path: /^\/members\/[^/]+\/scans$/, bytes: SCAN_UPLOAD_BYTES, what: 'scan upload' },
  { path: /^\/verify\/[^/]+$/, bytes: VERIFY_PDF_BYTES + MULTIPART_OVERHEAD, what: 'PDF check' },
  { path: /^\/members\/import$/, bytes: IMPORT_FILE_BYTES + MULTIPART_OVERHEAD, what: 'import' },
  // The API is read-only: a body there is never needed.
  { path: /^\/api\//, bytes: 16 * KB, what: 'API' },
  { path: /^/, bytes: 1 * MB, what: 'form' },
];

export function bodyLimitFor(pathname: string): number {
  const path = pathname.replace(/\.data$/, '').replace(/\/+$/, '') || '/';
  return BODY_LIMITS.find((l) => l.path.test(path))!.bytes;
}

/** Timeouts and the connection cap of the app's HTTP server (all explicit, none Node's default). */
export const HTTP_LIMITS = {
  /** All request headers must arrive within this (slowloris). */
  headersTimeoutMs: 20_000,
  /**
   * A whole request, body included, must arrive within this: the largest upload
   * (15 MB of evidence) still fits at 1 Mbit/s.
   */
  requestTimeoutMs: 120_000,
  /** A kept-alive connection with no new request is closed after this. */
  keepAliveTimeoutMs: 5_000,
  /**
   * A connection with no traffic either way for this long is closed, whatever it is
   * waiting for (a client that connects and sends nothing; one that stops mid-body).
   */
  idleTimeoutMs: 60_000,
  /** How often Node checks the headers and request timeouts. */
  connectionsCheckingIntervalMs: 5_000,
  /** Connections beyond this are closed at once (~20,000 idle sockets locked clients out). */
  maxConnections: 1_000,
} as const;

export type HttpLimits = { -readonly [K in keyof typeof HTTP_LIMITS]: number };

/** The app's HTTP server with {@link HTTP_LIMITS} (or the given ones, in tests). */
export function createLimitedServer(handler: RequestListener, limits: Partial<HttpLimits> = {}): Server {
  const l = { ...HTTP_LIMITS, ...limits };
  const server = http.createServer(
    {
      headersTimeout: l.headersTimeoutMs,
      requestTimeout: l.requestTimeoutMs,
      keepAliveTimeout: l.keepAliveTimeoutMs,
      connectionsCheckingInterval: l.connectionsCheckingIntervalMs,
    },
    handler,
  );
  server.headersTimeout = l.headersTimeoutMs;
  server.requestTimeout = l.requestTimeoutMs;
  server.keepAliveTimeout = l.keepAliveTimeoutMs;
  server.timeout = l.idleTimeoutMs;
  server.maxConnections = l.maxConnections;
  return server;
}

function formatBytes(bytes: number): string {
  return bytes >= MB ? `${Math.round((bytes / MB) * 10) / 10} MB` : `${Math.ceil(bytes / KB)} KB`;
}

/** Set on a request refused here, so the error the cut-off body causes downstream is not logged. */
const REFUSED = Symbol('bodyTooLarge');

function refuse(req: IncomingMessage, res: ServerResponse, limit: number) {
  (req as unknown as Record<symbol, boolean>)[REFUSED] = true;
  if (res.headersSent) {
    req.socket.destroy();
    return;
  }
  const key: MessageKey = 'limits.tooLarge';
  const message = translate('vi', key, { limit: formatBytes(limit) });
  const wantsHtml = (req.headers.accept ?? '').includes('text/html');
  const body = wantsHtml
    ? `<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>${translate('vi', 'limits.tooLargeTitle')}</title></head>` +
      `<body><h1>${translate('vi', 'limits.tooLargeTitle')}</h1><p>${message}</p>` +
      `<p><a href="/">${translate('vi', 'error.backHome')}</a></p></body></html>`
    : JSON.stringify({ error: { code: 'payload_too_large', message } });
  res.statusCode = 413;
  res.setHeader('Content-Type', wantsHtml ? 'text/html; charset=utf-8' : 'application/json; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  // The rest of the body is not read: the connection ends with this answer.
  res.setHeader('Connection', 'close');
  res.end(body);
  lingerUnread(req.socket);
}

/** How long a refused connection stays open, unread, so its client can read the 413. */
export const REFUSAL_LINGER_MS = 2_000;

/**
 * Stops reading the connection and closes it a little later. Node would destroy it as
 * soon as the answer is flushed; with the client's bytes still unread,
 * the kernel then answers RST at once and a client still sending may lose the 413
 * (nginx's "lingering close" solves the same problem). Here: the answer, then FIN,
 * nothing more read (the client's sending stalls on a full window), destroyed after
 * {@link REFUSAL_LINGER_MS}.
 */
function lingerUnread(socket: Socket) {
  socket.pause();
  // Node's parser and a body reader downstream would resume it: nothing reads it again.
  socket.resume = () => socket;
  socket.destroySoon = () => socket.end();
  setTimeout(() => socket.destroy(), REFUSAL_LINGER_MS).unref();
}

export function wasRefusedForSize(req: IncomingMessage): boolean {
  return (req as unknown as Record<symbol, boolean>)[REFUSED] === true;
}

/**
 * Middleware (Express or plain Node) refusing a body over its route's limit with 413.
 * Put it before anything that reads the body.
 */
export function limitRequestBodies() {
  return (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => {
    const pathname = new URL(req.url ?? '/', 'http://x').pathname;
    const limit = bodyLimitFor(pathname);
    const declared = req.headers['content-length'];
    if (declared !== undefined) {
      // Node has checked it is one non-negative integer.
      if (Number(declared) > limit) return refuse(req, res, limit);
      return next();
    }
    if (req.headers['transfer-encoding'] === undefined) return next();
    // Chunked: counted as whoever reads it receives it, without starting the flow
    // ourselves (a 'data' listener would, and lose what arrives before Remix reads).
    let seen = 0;
    const emit = req.emit.bind(req) as (event: string | symbol, ...args: unknown[]) => boolean;
    req.emit = ((event: string | symbol, ...args: unknown[]) => {
      if (event === 'data') {
        // Past the limit nothing more is handed on.
        if (wasRefusedForSize(req)) return false;
        seen += (args[0] as Buffer).length;
        if (seen > limit) {
          refuse(req, res, limit);
          return false;
        }
      }
      return emit(event, ...args);
    }) as typeof req.emit;
    next();
  };
}

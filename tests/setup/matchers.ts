/**
 * Custom matchers for route results (tests/fixtures/remix.ts `call`), registered for
 * the unit and integration projects in vitest.config.ts:
 *
 *   expect(res).toRedirectTo(`/members/${id}`, { toast: 'memberSaved' });
 *   expect(res).toHaveStatus(400);
 *
 * The app's flash toasts travel as `?ok=<catalogue key>` on the redirect target
 * (app/root.tsx reads it), so `toast` is that parameter. Without `toast` the target
 * must carry no `ok` parameter at all, and with it the rest of the target must match
 * exactly — as strict as comparing `location` with the whole string.
 */
import { expect } from 'vitest';

interface RedirectOptions {
  /** The `?ok=` catalogue key the redirect carries (the success toast). */
  toast?: string;
  /** The exact redirect status; Remix's `redirect()` answers 302. */
  status?: 302 | 303;
}

interface RouteMatchers<R = unknown> {
  toRedirectTo(path: string, options?: RedirectOptions): R;
  toHaveStatus(status: number): R;
}

declare module 'vitest' {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any, @typescript-eslint/no-empty-object-type
  interface Assertion<T = any> extends RouteMatchers<T> {}
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface AsymmetricMatchersContaining extends RouteMatchers {}
}

interface ResultLike {
  status?: unknown;
  location?: unknown;
  data?: unknown;
  headers?: unknown;
}

const ORIGIN = 'http://test.invalid';

function locationOf(received: ResultLike): string | null {
  if (typeof received.location === 'string') return received.location;
  if (received.headers instanceof Headers) return received.headers.get('Location');
  return null;
}

/** Path, query (as sorted pairs, so parameter order does not matter) and hash of a target. */
function parts(target: string) {
  const url = new URL(target, ORIGIN);
  const params = [...url.searchParams.entries()].sort(([a, x], [b, y]) =>
    a === b ? x.localeCompare(y) : a.localeCompare(b),
  );
  return { origin: url.origin, pathname: url.pathname, params, hash: url.hash };
}

function bodyOf(received: ResultLike): string {
  const { data } = received;
  if (data === undefined) return '(no body)';
  const text = typeof data === 'string' ? data : JSON.stringify(data, null, 2);
  return text.length > 2000 ? `${text.slice(0, 2000)}… (${text.length} characters)` : text;
}

expect.extend({
  toRedirectTo(received: ResultLike, path: string, options: RedirectOptions = {}) {
    const { printExpected, printReceived } = this.utils;
    const wantStatus = options.status ?? 302;
    const location = locationOf(received);
    let expectedTarget = path;
    if (options.toast !== undefined) {
      const url = new URL(path, ORIGIN);
      url.searchParams.append('ok', options.toast);
      expectedTarget = url.origin === ORIGIN ? url.pathname + url.search + url.hash : url.href;
    }
    const statusOk = received.status === wantStatus;
    const locationOk = location !== null && this.equals(parts(location), parts(expectedTarget));
    const pass = statusOk && locationOk;
    return {
      pass,
      message: () =>
        pass
          ? `expected the result not to redirect (${wantStatus}) to ${printExpected(expectedTarget)}`
          : [
              `expected a ${wantStatus} redirect to ${printExpected(expectedTarget)}`,
              `received status ${printReceived(received.status)}, location ${printReceived(location)}`,
              ...(statusOk ? [] : ['body:', bodyOf(received)]),
            ].join('\n'),
      actual: { status: received.status, location },
      expected: { status: wantStatus, location: expectedTarget },
    };
  },

  toHaveStatus(received: ResultLike, status: number) {
    const { printExpected, printReceived } = this.utils;
    const pass = received.status === status;
    const location = locationOf(received);
    return {
      pass,
      message: () =>
        pass
          ? `expected status not to be ${printExpected(status)}`
          : [
              `expected status ${printExpected(status)}, received ${printReceived(received.status)}`,
              ...(location ? [`location: ${location}`] : []),
              'body:',
              bodyOf(received),
            ].join('\n'),
      actual: received.status,
      expected: status,
    };
  },
});

/**
 * Security headers and sessions of the real server (server.ts: helmet, the per-request
 * CSP nonce, the session cookie), over HTTP: the production build on a throw-away
 * database, as `npm start` runs it (tests/fixtures/production-server.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  START_TIMEOUT_MS,
  startProductionServer,
  type RunningServer,
} from '../fixtures/production-server.ts';

let server: RunningServer | undefined;
let base = '';

beforeAll(async () => {
  server = await startProductionServer('dvut-headers-', {
    HOST: '127.0.0.1',
    SESSION_SECRET: 'security-headers-test-secret-0123456789',
    // As behind a TLS reverse proxy on the same machine (docs/operations.md, section 3.3).
    TRUST_PROXY: 'loopback',
  });
  base = server.base;
}, START_TIMEOUT_MS + 30_000);

afterAll(async () => {
  await server?.stop();
}, 30_000);

// ---------------------------------------------------------------- helpers

const cookieOf = (res: Response) => (res.headers.get('set-cookie') ?? '').split(';')[0];

function get(pathname: string, cookie?: string, headers: Record<string, string> = {}) {
  return fetch(base + pathname, {
    redirect: 'manual',
    headers: { ...(cookie ? { Cookie: cookie } : {}), ...headers },
  });
}

function post(
  pathname: string,
  fields: Record<string, string>,
  cookie?: string,
  headers: Record<string, string> = {},
) {
  return fetch(base + pathname, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      Origin: base,
      ...(cookie ? { Cookie: cookie } : {}),
      ...headers,
    },
    body: new URLSearchParams(fields),
  });
}

async function signIn(
  email: string,
  password = 'demo1234',
  cookie?: string,
  headers: Record<string, string> = {},
) {
  const res = await post('/login', { email, password }, cookie, headers);
  expect(res.status, `sign-in of ${email}`).toBe(302);
  return res;
}

/** Whether a session cookie still signs anyone in: /members answers, or sends to /login. */
async function signedIn(cookie: string): Promise<boolean> {
  const res = await get('/members', cookie);
  await res.arrayBuffer();
  if (res.status === 200) return true;
  expect(res).toHaveStatus(302);
  expect(new URL(res.headers.get('location')!, base).pathname).toBe('/login');
  return false;
}

function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...values]) => [name.toLowerCase(), values]),
  );
}

// ---------------------------------------------------------------- headers

describe('content security policy', () => {
  it('carries a fresh nonce per request, the one on every script of the page', async () => {
    const pages = await Promise.all([get('/login'), get('/login')]);
    const nonces: string[] = [];
    for (const res of pages) {
      expect(res).toHaveStatus(200);
      const csp = res.headers.get('content-security-policy');
      expect(csp).toBeTruthy();
      const script = directives(csp!).get('script-src') ?? [];
      const nonce = script.map((v) => /^'nonce-([A-Za-z0-9+/=_-]{16,})'$/.exec(v)?.[1]).find(Boolean);
      expect(nonce, `script-src: ${script.join(' ')}`).toBeTruthy();
      // Scripts run only with the nonce: no inline or eval escape hatch.
      expect(script).not.toContain("'unsafe-inline'");
      expect(script).not.toContain("'unsafe-eval'");
      nonces.push(nonce!);

      const html = await res.text();
      const tags = html.match(/<script\b[^>]*>/g) ?? [];
      expect(tags.length).toBeGreaterThan(0);
      for (const tag of tags) expect(tag, tag).toContain(`nonce="${nonce}"`);
    }
    expect(nonces[0]).not.toBe(nonces[1]);
  });

  it('forbids framing and foreign objects, forms and bases', async () => {
    const res = await get('/login');
    const d = directives(res.headers.get('content-security-policy')!);
    expect(d.get('frame-ancestors')).toEqual(["'none'"]);
    expect(d.get('default-src')).toEqual(["'self'"]);
    expect(d.get('object-src')).toEqual(["'none'"]);
    expect(d.get('base-uri')).toEqual(["'self'"]);
    expect(d.get('form-action')).toEqual(["'self'"]);
    expect(res.headers.get('x-frame-options')).toBe('DENY');
  });
});

describe('other headers', () => {
  // Pages, JSON, files and errors alike: the headers come from the server, not a route.
  const PATHS = ['/login', '/healthz', '/api/v1/openapi.json', '/no-such-page', '/api/v1/members'];

  it.each(PATHS)('%s: Referrer-Policy, HSTS, nosniff, no X-Powered-By', async (pathname) => {
    const res = await get(pathname);
    await res.arrayBuffer();
    expect(['no-referrer', 'same-origin', 'strict-origin', 'strict-origin-when-cross-origin']).toContain(
      res.headers.get('referrer-policy'),
    );
    // Production: two years, subdomains included.
    const hsts = res.headers.get('strict-transport-security') ?? '';
    expect(Number(/max-age=(\d+)/.exec(hsts)?.[1] ?? 0)).toBeGreaterThanOrEqual(31_536_000);
    expect(hsts).toMatch(/includeSubDomains/i);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-powered-by')).toBeNull();
  });
});

// ---------------------------------------------------------------- sessions

describe('the session cookie', () => {
  it('is HttpOnly, SameSite, on the whole site, and carries only an id', async () => {
    const res = await signIn('doantruong.pvd@demo.vn');
    const setCookie = res.headers.get('set-cookie')!;
    const attrs = setCookie.split(';').map((a) => a.trim().toLowerCase());
    expect(attrs[0]).toMatch(/^__session=/);
    expect(attrs).toContain('httponly');
    expect(attrs).toContain('path=/');
    expect(attrs.some((a) => a === 'samesite=lax' || a === 'samesite=strict')).toBe(true);
    // At most the session's 30 days.
    const maxAge = Number(attrs.find((a) => a.startsWith('max-age='))?.split('=')[1] ?? 0);
    expect(maxAge).toBeGreaterThan(0);
    expect(maxAge).toBeLessThanOrEqual(30 * 24 * 60 * 60);
    // Nothing about the user in the cookie: a signed opaque id.
    expect(decodeURIComponent(setCookie)).not.toMatch(/doantruong|school_union|@demo\.vn/);
  });

  // Served on 127.0.0.1, the cookie cannot be Secure (a browser would never send it
  // back over plain http). Behind a TLS reverse proxy on the same machine (HOST stays
  // 127.0.0.1; TRUST_PROXY=loopback names that proxy) the request is https, and the cookie
  // must then be Secure.
  it('is Secure when the request came over HTTPS through the trusted proxy', async () => {
    const plain = await signIn('danguy.pvd@demo.vn');
    expect(plain.headers.get('set-cookie')!.toLowerCase()).not.toMatch(/;\s*secure/);
    const https = await signIn('danguy.pvd@demo.vn', 'demo1234', undefined, {
      'X-Forwarded-Proto': 'https',
      Origin: base.replace('http:', 'https:'),
    });
    expect(https.headers.get('set-cookie')!.toLowerCase()).toMatch(/;\s*secure/);
  });
});

describe('session lifetime', () => {
  it('issues a new session id at sign-in, never the cookie the browser sent', async () => {
    const first = cookieOf(await signIn('tinhdoan@demo.vn'));
    expect(await signedIn(first)).toBe(true);
    // A forged value is not adopted.
    const forged = cookieOf(await signIn('tinhdoan@demo.vn', 'demo1234', '__session=forged-value'));
    expect(forged).not.toBe('__session=forged-value');
    // Signing in again with a live session: a different id.
    const second = cookieOf(await signIn('tinhdoan@demo.vn', 'demo1234', first));
    expect(second).toMatch(/^__session=./);
    expect(second).not.toBe(first);
    expect(await signedIn(second)).toBe(true);
  });

  it('ends the session the browser came in with when someone signs in over it', async () => {
    const before = cookieOf(await signIn('tinhdoan@demo.vn'));
    const after = cookieOf(await signIn('doantruong.pvd@demo.vn', 'demo1234', before));
    expect(after).not.toBe(before);
    expect(await signedIn(after)).toBe(true);
    // The earlier session (someone else's, on a shared computer) must not live on.
    expect(await signedIn(before)).toBe(false);
  });

  it('revokes the session at sign-out, not on a GET', async () => {
    const cookie = cookieOf(await signIn('danguy.pvd@demo.vn'));
    expect(await signedIn(cookie)).toBe(true);
    // A link or an <img src="/logout"> signs no one out.
    const viaGet = await get('/logout', cookie);
    expect(viaGet).toHaveStatus(302);
    expect(await signedIn(cookie)).toBe(true);

    const out = await post('/logout', {}, cookie);
    expect(out).toHaveStatus(302);
    expect(new URL(out.headers.get('location')!, base).pathname).toBe('/login');
    // The browser is told to drop the cookie…
    const cleared = out.headers.get('set-cookie') ?? '';
    expect(cleared).toMatch(/^__session=;|^__session=""|Max-Age=0|Expires=Thu, 01 Jan 1970/i);
    // …and the old cookie, replayed, no longer works.
    expect(await signedIn(cookie)).toBe(false);
  });

  it('revokes every session of a user whose password is changed, and only theirs', async () => {
    const admin = cookieOf(await signIn('admin@demo.vn'));
    const victimA = cookieOf(await signIn('bithu.pvd@demo.vn'));
    const victimB = cookieOf(await signIn('bithu.pvd@demo.vn'));
    const bystander = cookieOf(await signIn('danguy.pvd@demo.vn'));
    expect(await signedIn(victimA)).toBe(true);

    // The account's id, from the admin's user list.
    const list = await get('/admin/users?q=bithu.pvd', admin);
    expect(list).toHaveStatus(200);
    const id = /\/admin\/users\/([0-9a-f]{24})/.exec(await list.text())?.[1];
    expect(id).toBeTruthy();

    const reset = await post(
      `/admin/users/${id}`,
      { intent: 'resetPassword', newPassword: 'doi-mat-khau-2026' },
      admin,
    );
    expect(reset).toHaveStatus(302);

    expect(await signedIn(victimA)).toBe(false);
    expect(await signedIn(victimB)).toBe(false);
    expect(await signedIn(bystander)).toBe(true);
    expect(await signedIn(admin)).toBe(true);
    // The old password is gone; the new one signs in to a working session.
    expect((await post('/login', { email: 'bithu.pvd@demo.vn', password: 'demo1234' })).status).toBe(400);
    const fresh = cookieOf(await signIn('bithu.pvd@demo.vn', 'doi-mat-khau-2026'));
    expect(await signedIn(fresh)).toBe(true);
  });
});

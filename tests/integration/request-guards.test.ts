/**
 * The checks every request passes in server.ts (app/utils/request-guards.server.ts) and
 * the deployment defaults, over HTTP against the production server as `npm start` runs it:
 *
 * - every route module with an `action` (found by reading app/routes, resource routes
 *   included) refuses a JSON or text/plain body with 415, never 500;
 * - every one of them refuses a post from another site with 403 and a Vietnamese page, and
 *   `/settings/locale` no longer changes the saved language from another site;
 * - signed-in pages and personal resources are `Cache-Control: private, no-store`;
 * - a start on a non-loopback HOST with an empty database seeds no demo accounts and says
 *   how to create the first administrator.
 *
 * Like security-headers.test.ts the servers run under `flock /tmp/e2e.lock` (build/ is
 * rebuilt when older than the sources), each on a free port and a throw-away DATA_DIR.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ROOT,
  START_TIMEOUT_MS,
  startProductionServer,
  type RunningServer as Running,
} from '../fixtures/production-server.ts';

/** `npm start` (production build) with the given HOST/SEED_DEMO on a free port and its own data. */
function startServer(host: string, extra: Record<string, string> = {}): Promise<Running> {
  return startProductionServer('dvut-guards-', {
    HOST: host,
    SESSION_SECRET: 'request-guards-test-secret-0123456789',
    ...extra,
  });
}

// ---------------------------------------------------------------- the routes with an action

const ANY_ID = '0123456789abcdef01234567';

/** A flat-routes file name as a URL: `members.$id.edit.tsx` → `/members/<id>/edit`. */
function routeUrl(file: string): string {
  const name = file.replace(/\.tsx?$/, '');
  if (name === '$') return '/no-such-page';
  const segments = name
    .split(/(?<!\[)\.(?!\])/)
    .filter((s) => s !== '_index')
    .map((s) => (s.startsWith('$') ? ANY_ID : s.replace(/\[\.\]/g, '.')));
  return '/' + segments.join('/');
}

const ACTION_ROUTES = readdirSync(path.join(ROOT, 'app/routes'))
  .filter((file) =>
    /export\s+(async\s+)?function\s+action\b|export\s+const\s+action\b/.test(
      readFileSync(path.join(ROOT, 'app/routes', file), 'utf8'),
    ),
  )
  .map((file) => ({ file, url: routeUrl(file), api: file.startsWith('api.') }));

// ---------------------------------------------------------------- loopback, demo seeded

describe('every state-changing request on a loopback start', () => {
  let app: Running;
  let admin = '';

  const post = (pathname: string, init: { headers?: Record<string, string>; body?: BodyInit } = {}) =>
    fetch(app.base + pathname, { method: 'POST', redirect: 'manual', ...init });

  beforeAll(async () => {
    app = await startServer('127.0.0.1');
    const res = await post('/login', {
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Sec-Fetch-Site': 'same-origin' },
      body: new URLSearchParams({ email: 'admin@demo.vn', password: 'demo1234' }),
    });
    expect(res.status, 'the demo admin signs in on loopback').toBe(302);
    admin = (res.headers.get('set-cookie') ?? '').split(';')[0];
  }, START_TIMEOUT_MS + 30_000);

  afterAll(async () => {
    await app?.stop();
  }, 30_000);

  it('finds the routes with an action, resource routes included', () => {
    const urls = ACTION_ROUTES.map((r) => r.url);
    expect(urls.length).toBeGreaterThanOrEqual(28);
    expect(urls).toEqual(expect.arrayContaining(['/login', '/logout', '/settings/locale', '/members/new']));
    expect(urls).toContain(`/members/${ANY_ID}/pipeline`);
  });

  it('answers 415, never 500, to a JSON or text/plain body on every form action', async () => {
    const wrong: string[] = [];
    for (const route of ACTION_ROUTES.filter((r) => !r.api)) {
      for (const [type, body] of [
        ['application/json', JSON.stringify({ intent: 'save', email: 'a@b.vn' })],
        ['text/plain', 'intent=save'],
      ]) {
        const res = await post(route.url, {
          headers: { 'Content-Type': type, 'Sec-Fetch-Site': 'same-origin', Cookie: admin },
          body,
        });
        const text = await res.text();
        if (res.status !== 415) wrong.push(`${route.url} ${type}: ${res.status}`);
        else expect(text).toContain('Định dạng dữ liệu không được hỗ trợ');
      }
    }
    expect(wrong).toEqual([]);
  });

  it('leaves the read-only JSON API to answer other methods itself (405 JSON)', async () => {
    for (const route of ACTION_ROUTES.filter((r) => r.api)) {
      const res = await post(route.url, { headers: { 'Content-Type': 'application/json' }, body: '{}' });
      expect(res.status, route.url).toBe(405);
      expect(res.headers.get('content-type')).toMatch(/application\/json/);
      expect(res.headers.get('cache-control')).toMatch(/no-store/);
    }
  });

  it('answers 400 to a form body that cannot be read', async () => {
    // multipart without a boundary: refused before any route reads it
    const noBoundary = await post('/login', {
      headers: { 'Content-Type': 'multipart/form-data', 'Sec-Fetch-Site': 'same-origin' },
      body: 'email=a',
    });
    expect(noBoundary).toHaveStatus(400);
    // a boundary the body never uses: the route's read fails, answered 400 (readForm)
    for (const url of ['/login', '/settings/locale']) {
      const truncated = await post(url, {
        headers: { 'Content-Type': 'multipart/form-data; boundary=XYZ', 'Sec-Fetch-Site': 'same-origin' },
        body: '--XYZ\r\nContent-Disposition: form-data; name="email"\r\n\r\nab',
      });
      expect(truncated.status, url).toBe(400);
    }
  });

  it('refuses a post from another site with 403 and a Vietnamese page on every route with an action', async () => {
    const wrong: string[] = [];
    expect(ACTION_ROUTES.length).toBeGreaterThan(10);
    for (const route of ACTION_ROUTES) {
      for (const headers of [
        { 'Sec-Fetch-Site': 'cross-site', Origin: 'https://evil.example' },
        { 'Sec-Fetch-Site': 'same-site', Origin: 'https://other.localhost' },
        { Origin: 'https://evil.example' }, // an older browser: Origin only
        { Origin: 'null' },
      ] as Record<string, string>[]) {
        const res = await post(route.url, {
          headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: admin, ...headers },
          body: new URLSearchParams({ locale: 'en', intent: 'save' }),
        });
        const text = await res.text();
        if (res.status !== 403) wrong.push(`${route.url} ${JSON.stringify(headers)}: ${res.status}`);
        else if (!route.api) {
          expect(text).toContain('<html lang="vi">');
          expect(text).toContain('Yêu cầu bị từ chối');
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('keeps the saved language when another site posts to /settings/locale, and changes it from our own page', async () => {
    const langOf = async () =>
      /<html lang="(\w+)"/.exec(
        await (await fetch(app.base + '/', { headers: { Cookie: admin } })).text(),
      )?.[1];
    expect(await langOf()).toBe('vi');
    const forged = await post('/settings/locale', {
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        'Sec-Fetch-Site': 'cross-site',
        Origin: 'https://evil.example',
        Cookie: admin,
      },
      body: new URLSearchParams({ locale: 'en', redirectTo: '/' }),
    });
    expect(forged).toHaveStatus(403);
    expect(forged.headers.get('set-cookie')).toBeNull();
    expect(await langOf()).toBe('vi');

    const own = await post('/settings/locale', {
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        'Sec-Fetch-Site': 'same-origin',
        Origin: app.base,
        Cookie: admin,
      },
      body: new URLSearchParams({ locale: 'en', redirectTo: '/' }),
    });
    expect(own).toHaveStatus(302);
    expect(await langOf()).toBe('en');
    // A client that sends neither header (curl, scripts) is not a browser page of another site.
    const plain = await post('/settings/locale', {
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: admin },
      body: new URLSearchParams({ locale: 'vi', redirectTo: '/' }),
    });
    expect(plain).toHaveStatus(302);
    expect(await langOf()).toBe('vi');
  });

  it('marks signed-in pages and personal resources Cache-Control: private, no-store', async () => {
    const memberId = /href="\/members\/([0-9a-f]{24})"/.exec(
      await (await fetch(app.base + '/members', { headers: { Cookie: admin } })).text(),
    )?.[1];
    expect(memberId).toBeTruthy();
    for (const url of [
      '/',
      '/members',
      `/members/${memberId}`,
      `/members/${memberId}/edit`,
      '/pipeline',
      '/reports',
      '/admin/users',
      '/members/export',
      `/members/${memberId}/history.csv`,
      '/reports.xlsx',
      '/login',
    ]) {
      const res = await fetch(app.base + url, { headers: { Cookie: admin }, redirect: 'manual' });
      await res.arrayBuffer();
      expect(res.status, url).toBeLessThan(400);
      expect(res.headers.get('cache-control'), url).toBe('private, no-store');
    }
    const api = await fetch(app.base + '/api/v1/units');
    await api.arrayBuffer();
    expect(api.headers.get('cache-control')).toBe('private, no-store');
    // Fingerprinted assets keep their long caching.
    const asset = /\/assets\/[^"]+\.js/.exec(await (await fetch(app.base + '/login')).text())?.[0];
    expect(asset).toBeTruthy();
    const assetRes = await fetch(app.base + asset!);
    await assetRes.arrayBuffer();
    expect(assetRes.headers.get('cache-control')).toMatch(/immutable/);
  });
});

// ---------------------------------------------------------------- a reachable HOST

describe('a start on a non-loopback HOST with an empty database', () => {
  let app: Running;

  beforeAll(async () => {
    app = await startServer('0.0.0.0');
  }, START_TIMEOUT_MS + 30_000);

  afterAll(async () => {
    await app?.stop();
  }, 30_000);

  it('seeds no demo data and no demo accounts, and says how to create the first administrator', async () => {
    const out = app.output();
    expect(out).toContain('no demo data and no demo accounts are seeded');
    expect(out).toContain('npm run bootstrap');
    expect(out).not.toContain('Demo logins');
    expect(out).not.toMatch(/\[seed\] empty database: seeding/);
    for (const email of ['admin@demo.vn', 'tinhdoan@demo.vn', 'sinhvien@demo.vn']) {
      const res = await fetch(app.base + '/login', {
        method: 'POST',
        redirect: 'manual',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Sec-Fetch-Site': 'same-origin' },
        body: new URLSearchParams({ email, password: 'demo1234' }),
      });
      await res.arrayBuffer();
      expect(res.status, email).not.toBe(302);
      expect(res.headers.get('set-cookie') ?? '', email).not.toMatch(/session/i);
    }
  });
});

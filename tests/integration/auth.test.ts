import { Types } from 'mongoose';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Session } from '../../models/session.ts';
import { User } from '../../models/user.ts';
import { seedDatabase } from '../../seed/seed.server.ts';
import { action as loginAction, loader as loginLoader } from '~/routes/login';
import { action as logoutAction, loader as logoutLoader } from '~/routes/logout';
import { loader as adminLoader } from '~/routes/admin._index';
import { getOptionalUser } from '~/utils/auth/auth.server';
import { resetLoginRateLimit } from '~/utils/auth/rate-limit.server';
import { call, context, cookieFrom, get, post } from '../fixtures/remix.ts';

const PASSWORD = 'demo1234';

beforeAll(async () => {
  await seedDatabase({ members: 20, seed: 1, reset: true });
});

beforeEach(() => resetLoginRateLimit());

const login = (fields: Record<string, string>, ip = '203.0.113.7') =>
  call(loginAction, post('/login', fields), {}, context({ clientIp: ip }));

describe('sign-in', () => {
  it('signs in, sets an httpOnly session cookie holding only the id, and stores the session', async () => {
    const res = await login({ email: 'Admin@Demo.vn', password: PASSWORD });
    expect(res).toRedirectTo('/admin');
    const setCookie = res.headers.get('Set-Cookie') ?? '';
    expect(setCookie).toMatch(/^__session=/);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);

    const cookie = cookieFrom(res);
    const user = await getOptionalUser(get('/admin', cookie));
    expect(user?.email).toBe('admin@demo.vn');

    const admin = await User.findOne({ email: 'admin@demo.vn' }).lean();
    const sessions = await Session.find({ userId: admin!._id }).lean();
    expect(sessions.length).toBeGreaterThan(0);
    const latest = sessions.at(-1)!;
    expect(latest.ip).toBe('203.0.113.7');
    expect(latest.userAgent).toBe('vitest');
    expect(latest.expiresAt.getTime()).toBeGreaterThan(Date.now());
    // The signed cookie carries the session id and nothing else.
    const raw = decodeURIComponent(cookie.split('=').slice(1).join('='));
    expect(atob(raw.split('.')[0])).toBe(JSON.stringify(String(latest._id)));
  });

  it('issues a new session id at every sign-in', async () => {
    const a = cookieFrom(await login({ email: 'tinhdoan@demo.vn', password: PASSWORD }));
    const b = cookieFrom(await login({ email: 'tinhdoan@demo.vn', password: PASSWORD }));
    expect(a).not.toBe(b);
  });

  it('lands each role on its own home', async () => {
    const homes: Record<string, string> = {
      'admin@demo.vn': '/admin',
      'tinhdoan@demo.vn': '/province',
      'doantruong.pvd@demo.vn': '/school',
      'danguy.pvd@demo.vn': '/school',
      'sinhvien@demo.vn': '/me',
    };
    for (const [email, home] of Object.entries(homes)) {
      expect((await login({ email, password: PASSWORD })).location, email).toBe(home);
    }
  });

  it('gives the same message for a wrong password and an unknown user', async () => {
    const wrong = await login({ email: 'admin@demo.vn', password: 'wrong-password' });
    const unknown = await login({ email: 'nobody@demo.vn', password: 'wrong-password' });
    expect(wrong).toHaveStatus(400);
    expect(unknown).toHaveStatus(400);
    expect(wrong.data).toEqual(unknown.data);
    expect(wrong.data.formError).toBe('login.invalidCredentials');
    expect(wrong.headers.get('Set-Cookie')).toBeNull();
  });

  it('returns field errors for malformed input', async () => {
    const res = await login({ email: 'not-an-email', password: '' });
    expect(res).toHaveStatus(400);
    expect(res.data.fieldErrors.email).toEqual(['validation.email']);
    expect(res.data.fieldErrors.password).toEqual(['validation.passwordRequired']);
  });

  it('rate-limits repeated failures per email and IP with a 429', async () => {
    for (let i = 0; i < 5; i++) {
      expect((await login({ email: 'admin@demo.vn', password: `bad-${i}` })).status).toBe(400);
    }
    const blocked = await login({ email: 'admin@demo.vn', password: PASSWORD });
    expect(blocked).toHaveStatus(429);
    expect(blocked.data.formError).toBe('login.rateLimited');
    expect(Number(blocked.headers.get('Retry-After'))).toBeGreaterThan(0);
    // Another IP (or another account) is not locked out by these failures.
    expect((await login({ email: 'admin@demo.vn', password: PASSWORD }, '198.51.100.1')).status).toBe(302);
    expect((await login({ email: 'tinhdoan@demo.vn', password: PASSWORD })).status).toBe(302);
  });

  it('follows a local redirectTo and ignores external ones', async () => {
    const local = await login({
      email: 'admin@demo.vn',
      password: PASSWORD,
      redirectTo: '/admin/units?kind=school',
    });
    expect(local.location).toBe('/admin/units?kind=school');
    for (const evil of ['https://evil.example', '//evil.example', '/\\evil.example']) {
      const res = await login({ email: 'admin@demo.vn', password: PASSWORD, redirectTo: evil });
      expect(res.location, evil).toBe('/admin');
    }
  });

  it('rejects deactivated accounts with the same message', async () => {
    await User.updateOne({ email: 'danguy.pvd@demo.vn' }, { $set: { active: false } });
    try {
      const res = await login({ email: 'danguy.pvd@demo.vn', password: PASSWORD });
      expect(res).toHaveStatus(400);
      expect(res.data.formError).toBe('login.invalidCredentials');
    } finally {
      await User.updateOne({ email: 'danguy.pvd@demo.vn' }, { $set: { active: true } });
    }
  });

  it('sends a signed-in visitor of /login to their home', async () => {
    const cookie = cookieFrom(await login({ email: 'sinhvien@demo.vn', password: PASSWORD }));
    expect((await call(loginLoader, get('/login', cookie))).location).toBe('/me');
    expect((await call(loginLoader, get('/login'))).status).toBe(200);
  });

  it('redirects an anonymous visitor of a protected page to /login with redirectTo', async () => {
    const res = await call(adminLoader, get('/admin?x=1'));
    expect(res).toRedirectTo(`/login?redirectTo=${encodeURIComponent('/admin?x=1')}`);
  });

  it('rejects a forged cookie', async () => {
    const forged = `__session=${encodeURIComponent(btoa(JSON.stringify(String(new Types.ObjectId()))))}.bad`;
    expect(await getOptionalUser(get('/', forged))).toBeNull();
  });
});

describe('sign-out', () => {
  it('POST /logout deletes the session document and clears the cookie', async () => {
    const cookie = cookieFrom(await login({ email: 'tinhdoan@demo.vn', password: PASSWORD }));
    const before = await Session.countDocuments();
    const res = await call(logoutAction, post('/logout', {}, cookie));
    expect(res).toRedirectTo('/login');
    expect(res.headers.get('Set-Cookie')).toMatch(/__session=;.*(Max-Age=0|Expires=Thu, 01 Jan 1970)/i);
    expect(await Session.countDocuments()).toBe(before - 1);
    expect(await getOptionalUser(get('/province', cookie))).toBeNull();
  });

  it('GET /logout redirects home and keeps the session', async () => {
    const cookie = cookieFrom(await login({ email: 'tinhdoan@demo.vn', password: PASSWORD }));
    const before = await Session.countDocuments();
    const res = await call(logoutLoader, get('/logout', cookie));
    expect(res).toRedirectTo('/');
    expect(res.headers.get('Set-Cookie')).toBeNull();
    expect(await Session.countDocuments()).toBe(before);
    expect((await getOptionalUser(get('/', cookie)))?.email).toBe('tinhdoan@demo.vn');
  });

  it('a password change revokes older sessions', async () => {
    const cookie = cookieFrom(await login({ email: 'doantruong.pvd@demo.vn', password: PASSWORD }));
    await User.updateOne(
      { email: 'doantruong.pvd@demo.vn' },
      { $set: { passwordChangedAt: new Date(Date.now() + 1000) } },
    );
    try {
      expect(await getOptionalUser(get('/', cookie))).toBeNull();
    } finally {
      await User.updateOne({ email: 'doantruong.pvd@demo.vn' }, { $unset: { passwordChangedAt: 1 } });
    }
  });
});

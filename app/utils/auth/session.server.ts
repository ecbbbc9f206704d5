/**
 * Database-backed sessions. The signed `__session` cookie carries only the session
 * document's id; everything else stays on the server, so logout and password resets
 * revoke a session immediately.
 *
 * Queries here and elsewhere wrap operator objects in `mongoose.trusted()`: the
 * connection turns on `sanitizeFilter`, which would otherwise neutralise them.
 */
import { createCookie, redirect } from '@remix-run/node';
import mongoose, { Types } from 'mongoose';
import { Session } from '../../../models/session';
import { getEnv } from '../env.server';
import { isObjectId } from '~/domain/ids';

export const SESSION_TTL_MS = 30 * 24 * 60 * 60 * 1000;

let cookie: ReturnType<typeof createCookie> | undefined;

/** Created lazily so the secret is read after the environment is final. */
export function sessionCookie() {
  const env = getEnv();
  cookie ??= createCookie('__session', {
    httpOnly: true,
    sameSite: 'lax',
    secure: env.NODE_ENV === 'production' && !isLoopback(env.HOST),
    path: '/',
    secrets: [env.SESSION_SECRET],
    maxAge: SESSION_TTL_MS / 1000,
  });
  return cookie;
}

/**
 * A `secure` cookie is never sent back over plain http, so a production build served
 * on 127.0.0.1 (the demo and the e2e suite) could not keep anyone signed in. Behind a
 * real host name the cookie is always secure.
 */
function isLoopback(host: string) {
  return host === '127.0.0.1' || host === 'localhost' || host === '::1';
}

export async function getSessionId(request: Request): Promise<string | null> {
  const value: unknown = await sessionCookie().parse(request.headers.get('Cookie'));
  return isObjectId(value) ? value : null;
}

export interface SessionRecord {
  id: string;
  userId: string;
  createdAt: Date;
}

export async function getSession(request: Request): Promise<SessionRecord | null> {
  const id = await getSessionId(request);
  if (!id) return null;
  const session = await Session.findOne({
    _id: new Types.ObjectId(id),
    expiresAt: mongoose.trusted({ $gt: new Date() }),
  })
    .select({ userId: 1, createdAt: 1 })
    .lean();
  if (!session) return null;
  return { id, userId: String(session.userId), createdAt: session.createdAt };
}

/** A fresh session id at every sign-in (no fixation); returns the Set-Cookie value. */
/**
 * Secure whenever the request came over HTTPS (Remix builds the URL from the protocol a
 * trusted proxy forwards, so an app on 127.0.0.1 behind a TLS proxy counts), and always in
 * production on a non-loopback host.
 */
function secureFor(request: Request | undefined): boolean {
  const env = getEnv();
  const https = !!request && new URL(request.url).protocol === 'https:';
  return https || (env.NODE_ENV === 'production' && !isLoopback(env.HOST));
}

export async function createSession(
  userId: string | Types.ObjectId,
  meta: { ip?: string; userAgent?: string | null; request?: Request },
): Promise<string> {
  const now = new Date();
  const doc = await Session.create({
    userId,
    createdAt: now,
    expiresAt: new Date(now.getTime() + SESSION_TTL_MS),
    ip: meta.ip ?? '',
    userAgent: (meta.userAgent ?? '').slice(0, 300),
  });
  return sessionCookie().serialize(String(doc._id), { secure: secureFor(meta.request) });
}

export async function destroySession(request: Request): Promise<string> {
  const id = await getSessionId(request);
  if (id) await Session.deleteOne({ _id: new Types.ObjectId(id) });
  return sessionCookie().serialize('', { maxAge: 0, expires: new Date(0) });
}

export async function destroyUserSessions(userId: string | Types.ObjectId) {
  await Session.deleteMany({ userId: new Types.ObjectId(String(userId)) });
}

export async function logout(request: Request, to = '/') {
  throw redirect(to, { headers: { 'Set-Cookie': await destroySession(request) } });
}

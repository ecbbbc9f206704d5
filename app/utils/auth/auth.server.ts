/**
 * Who is asking. `getX` returns null, `requireX` throws (a redirect to /login or a
 * 403/404 Response). Every protected loader and action starts with one of these;
 * `requireUser`, the gate with a permission and a unit, is in permissions.server.ts.
 */
import { redirect } from '@remix-run/node';
import { Types } from 'mongoose';
import { User } from '../../../models/user';
import { DEFAULT_LOCALE, isLocale, type Locale } from '~/i18n';
import { isRole, type Role } from '~/domain/permissions';
import { getSession } from './session.server';

export interface AuthUser {
  id: string;
  email: string;
  name: string;
  role: Role;
  unitId: string;
  memberId: string | null;
  locale: Locale;
}

// Root and route loaders of one request share the lookup instead of querying twice.
const perRequest = new WeakMap<Request, Promise<AuthUser | null>>();

async function loadUser(request: Request): Promise<AuthUser | null> {
  const session = await getSession(request);
  if (!session) return null;
  const user = await User.findOne({ _id: new Types.ObjectId(session.userId), active: true })
    .select({ email: 1, name: 1, role: 1, unitId: 1, memberId: 1, locale: 1, passwordChangedAt: 1 })
    .lean();
  if (!user || !isRole(user.role)) return null;
  // A password reset revokes every session issued before it.
  if (user.passwordChangedAt && user.passwordChangedAt > session.createdAt) return null;
  return {
    id: String(user._id),
    email: user.email,
    name: user.name,
    role: user.role,
    unitId: String(user.unitId),
    memberId: user.memberId ? String(user.memberId) : null,
    locale: isLocale(user.locale) ? user.locale : DEFAULT_LOCALE,
  };
}

export function getOptionalUser(request: Request): Promise<AuthUser | null> {
  let pending = perRequest.get(request);
  if (!pending) {
    pending = loadUser(request);
    perRequest.set(request, pending);
  }
  return pending;
}

export async function getUserId(request: Request): Promise<string | null> {
  return (await getOptionalUser(request))?.id ?? null;
}

/** To /login, coming back here after signing in. */
export function loginRedirect(request: Request) {
  const url = new URL(request.url);
  const here = url.pathname + url.search;
  const params = here === '/' ? '' : `?${new URLSearchParams({ redirectTo: here })}`;
  return redirect(`/login${params}`);
}

export async function requireUserId(request: Request): Promise<string> {
  const id = await getUserId(request);
  if (!id) throw loginRedirect(request);
  return id;
}

export async function requireAnonymous(request: Request, to = '/') {
  if (await getUserId(request)) throw redirect(to);
}

/**
 * Who is asking. `getX` returns null, `requireX` throws (a redirect to /login or a
 * 403/404 Response). Every protected loader and action starts with one of these.
 */
import { redirect } from '@remix-run/node';
import { Types } from 'mongoose';
import { Unit } from '../../models/unit';
import { User } from '../../models/user';
import { DEFAULT_LOCALE, isLocale, type Locale } from '~/i18n';
import { can, isRole, type Permission, type Role } from './permissions';
import { unitScopeFilter } from './permissions.server';
import { getSession } from './session.server';
import { isObjectId } from '~/domain/ids';
import { forbidden, notFound } from './responses.server';

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

function loginRedirect(request: Request) {
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

/**
 * The one gate: signed in, the role has `permission`, and (when `unitId` is given)
 * the unit lies in the user's scope. A unit outside the scope is a 404, so a
 * request cannot learn that it exists.
 */
export async function requireUser(
  request: Request,
  options: { permission?: Permission; unitId?: string | Types.ObjectId } = {},
): Promise<AuthUser> {
  const user = await getOptionalUser(request);
  if (!user) throw loginRedirect(request);
  if (options.permission && !can(user.role, options.permission)) throw forbidden();
  if (options.unitId !== undefined) {
    const id = String(options.unitId);
    if (!isObjectId(id)) throw notFound();
    const found = await Unit.exists({ _id: new Types.ObjectId(id), ...unitScopeFilter(user) });
    if (!found) throw notFound();
  }
  return user;
}

import { createCookie } from '@remix-run/node';
import { createT, DEFAULT_LOCALE, isLocale, type Locale } from '~/i18n';
import { getOptionalUser } from './auth/auth.server';

/** Not signed: the value is only a display preference, validated on read. */
export const localeCookie = createCookie('locale', {
  path: '/',
  sameSite: 'lax',
  httpOnly: true,
  maxAge: 365 * 24 * 60 * 60,
});

/** Cookie first (the latest explicit choice), then the signed-in user's setting, then Vietnamese. */
export async function getLocale(request: Request): Promise<Locale> {
  const fromCookie: unknown = await localeCookie.parse(request.headers.get('Cookie'));
  if (isLocale(fromCookie)) return fromCookie;
  const user = await getOptionalUser(request);
  return user?.locale ?? DEFAULT_LOCALE;
}

export async function getT(request: Request) {
  return createT(await getLocale(request));
}

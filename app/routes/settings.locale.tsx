import { redirect, type ActionFunctionArgs } from '@remix-run/node';
import { Types } from 'mongoose';
import { isLocale } from '~/i18n';
import { setUserLocale } from '~/utils/auth/account.server';
import { getOptionalUser } from '~/utils/auth/auth.server';
import { localeCookie } from '~/utils/locale.server';
import { safeRedirect } from '~/utils/safe-redirect';
import { readForm } from '~/utils/request-guards.server';
import { invariantResponse } from '~/utils/responses.server';

export async function loader() {
  throw redirect('/');
}

export async function action({ request }: ActionFunctionArgs) {
  const form = await readForm(request);
  const locale = form.get('locale');
  invariantResponse(isLocale(locale), 'Bad locale');
  const user = await getOptionalUser(request);
  if (user) await setUserLocale(new Types.ObjectId(user.id), locale);
  throw redirect(safeRedirect(form.get('redirectTo'), '/'), {
    headers: { 'Set-Cookie': await localeCookie.serialize(locale) },
  });
}

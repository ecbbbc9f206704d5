import { redirect, type LoaderFunctionArgs } from '@remix-run/node';
import { getOptionalUser } from '~/utils/auth/auth.server';
import { ROLE_HOME } from '~/domain/permissions';

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await getOptionalUser(request);
  throw redirect(user ? ROLE_HOME[user.role] : '/login');
}

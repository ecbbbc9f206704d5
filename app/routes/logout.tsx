import { redirect, type ActionFunctionArgs } from '@remix-run/node';
import { logout } from '~/utils/auth/session.server';

// No state change on GET: a link or an <img src="/logout"> must not sign anyone out.
export async function loader() {
  throw redirect('/');
}

export async function action({ request }: ActionFunctionArgs) {
  return logout(request, '/login');
}

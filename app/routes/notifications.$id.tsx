import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node';
import { requireUserId } from '~/utils/auth/auth.server';
import { markRead } from '~/utils/notifications/centre.server';
import { requireId } from '~/utils/params.server';
import { safeRedirect } from '~/utils/safe-redirect';

/**
 * Following a notice: a POST marks it read, then goes to its record (no state change on a
 * GET, which only leads back to the list). Another user's notice is a 404 like a missing one.
 */
export async function loader({ request }: LoaderFunctionArgs) {
  await requireUserId(request);
  throw redirect('/notifications');
}

export async function action({ request, params }: ActionFunctionArgs) {
  const userId = await requireUserId(request);
  const link = await markRead(userId, requireId(params));
  // Links are paths inside the app; anything else goes to the list rather than away.
  throw redirect(safeRedirect(link, '/notifications'));
}

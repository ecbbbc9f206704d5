import type { LoaderFunctionArgs } from '@remix-run/node';
import { requireUser } from '~/utils/auth/permissions.server';
import { evidenceDownload } from '~/utils/student/submissions.server';

/** An evidence file in the school Union's scope; outside it, a 404. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request, { permission: 'pipeline:union' });
  return evidenceDownload(user, params.id);
}

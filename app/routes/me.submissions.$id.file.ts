import type { LoaderFunctionArgs } from '@remix-run/node';
import { requireStudent } from '~/utils/student/me.server';
import { evidenceDownload } from '~/utils/student/submissions.server';

/** The student's own evidence file; another member's is a 404. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireStudent(request);
  return evidenceDownload(user, params.id);
}

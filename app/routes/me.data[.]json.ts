import type { LoaderFunctionArgs } from '@remix-run/node';
import { ownRecord, requireStudent } from '~/utils/student/me.server';

/** The student's own full record as a JSON download (their right to a copy, Law 91/2025). */
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireStudent(request);
  const record = await ownRecord(user);
  const body = JSON.stringify({ exportedAt: new Date().toISOString(), ...record }, null, 2);
  return new Response(body, {
    headers: {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Disposition': 'attachment; filename="du-lieu-cua-toi.json"',
      'Cache-Control': 'no-store',
    },
  });
}

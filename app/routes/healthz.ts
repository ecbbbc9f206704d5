import type { LoaderFunctionArgs } from '@remix-run/node';
import { pingDatabase } from '~/utils/health.server';
import { version } from '../../package.json';

export async function loader({ context }: LoaderFunctionArgs) {
  const db = context?.dbKind ?? (process.env.MONGODB_URI ? 'external' : 'embedded');
  const ok = await pingDatabase();
  return Response.json(
    { status: ok ? 'ok' : 'error', db, version },
    { status: ok ? 200 : 503, headers: { 'Cache-Control': 'no-store' } },
  );
}

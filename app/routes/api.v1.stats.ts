import type { LoaderFunctionArgs } from '@remix-run/node';
import { withApiToken } from '~/utils/api/api-auth.server';
import { apiStats } from '~/utils/api/api.server';
import { apiMethodNotAllowed } from '~/utils/api/api-responses.server';

/** `GET /api/v1/stats?school=`: members per stage, per school × stage, and overdue, in scope. */
export function loader({ request }: LoaderFunctionArgs) {
  return withApiToken(request, (token) => apiStats(token, new URL(request.url)));
}

export const action = apiMethodNotAllowed;

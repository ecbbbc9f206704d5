import type { LoaderFunctionArgs } from '@remix-run/node';
import { withApiToken } from '~/utils/api-auth.server';
import { apiListMembers, apiMethodNotAllowed } from '~/utils/api.server';

/** `GET /api/v1/members?school=&stage=&schoolYear=&q=&updatedSince=&cursor=&size=`: whitelisted fields only. */
export function loader({ request }: LoaderFunctionArgs) {
  return withApiToken(request, (token) => apiListMembers(token, new URL(request.url)));
}

export const action = apiMethodNotAllowed;

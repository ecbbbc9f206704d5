import type { LoaderFunctionArgs } from '@remix-run/node';
import { withApiToken } from '~/utils/api/api-auth.server';
import { apiListMembers } from '~/utils/api/api.server';
import { apiMethodNotAllowed } from '~/utils/api/api-responses.server';

/** `GET /api/v1/members?school=&stage=&schoolYear=&q=&updatedSince=&cursor=&size=`: whitelisted fields only. */
export function loader({ request }: LoaderFunctionArgs) {
  return withApiToken(request, (token) => apiListMembers(token, new URL(request.url)));
}

export const action = apiMethodNotAllowed;

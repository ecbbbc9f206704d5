import type { LoaderFunctionArgs } from '@remix-run/node';
import { withApiToken } from '~/utils/api/api-auth.server';
import { apiGetMember } from '~/utils/api/api.server';
import { apiMethodNotAllowed } from '~/utils/api/api-responses.server';

/** `GET /api/v1/members/:id`: one member in the token's scope (outside it: the unknown-id 404). */
export function loader({ request, params }: LoaderFunctionArgs) {
  return withApiToken(request, (token) => apiGetMember(token, params.id));
}

export const action = apiMethodNotAllowed;

import type { LoaderFunctionArgs } from '@remix-run/node';
import { withApiToken } from '~/utils/api/api-auth.server';
import { apiGetUnit } from '~/utils/api/api.server';
import { apiMethodNotAllowed } from '~/utils/api/api-responses.server';

/** `GET /api/v1/units/:id`: one unit in the token's scope, else 404. */
export function loader({ request, params }: LoaderFunctionArgs) {
  return withApiToken(request, (token) => apiGetUnit(token, params.id));
}

export const action = apiMethodNotAllowed;

import type { LoaderFunctionArgs } from '@remix-run/node';
import { withApiToken } from '~/utils/api/api-auth.server';
import { apiListUnits } from '~/utils/api/api.server';
import { apiMethodNotAllowed } from '~/utils/api/api-responses.server';

/** `GET /api/v1/units?kind=&page=&size=`: units in the token's scope, in id order. */
export function loader({ request }: LoaderFunctionArgs) {
  return withApiToken(request, (token) => apiListUnits(token, new URL(request.url)));
}

export const action = apiMethodNotAllowed;

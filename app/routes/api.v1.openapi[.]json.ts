import { apiJson, apiMethodNotAllowed } from '~/utils/api/api-responses.server';
import { OPENAPI_DOCUMENT } from '~/utils/api/api-openapi';

/** `GET /api/v1/openapi.json`: the API's description. Public: it holds no data. */
export function loader() {
  return apiJson(OPENAPI_DOCUMENT);
}

export const action = apiMethodNotAllowed;

/**
 * `/members/:id/history.csv`: every audit event about one member, oldest first,
 * with each event's seq and hash so the file can be checked against the chain.
 * Same scoped lookup as the profile (another school's member is a 404); a student
 * may download their own. The export is itself an audit event.
 */
import type { LoaderFunctionArgs } from '@remix-run/node';
import { memberHistoryExport } from '~/utils/audit/audit-log.server';
import { CSV_CONTENT_TYPE } from '~/utils/content-types';
import { getLocale } from '~/utils/locale.server';
import { can } from '~/domain/permissions';
import { requireUser } from '~/utils/auth/permissions.server';
import { requireId } from '~/utils/params.server';
import { forbidden } from '~/utils/responses.server';

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  if (!can(user.role, 'member:read') && !can(user.role, 'self:read')) throw forbidden();
  const id = requireId(params);
  const file = await memberHistoryExport(user, id, await getLocale(request));
  return new Response(file.body, {
    status: 200,
    headers: {
      'Content-Type': CSV_CONTENT_TYPE,
      'Content-Disposition': `attachment; filename="${file.filename}"; filename*=UTF-8''${encodeURIComponent(file.filename)}`,
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    },
  });
}

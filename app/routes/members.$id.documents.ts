/**
 * POST /members/:id/documents (form=<n-KNĐ>, format=docx|pdf): issue one form of a member's
 * record and download it, with the QR code of its /verify page. The school roles that record
 * steps (and admins) issue; the member is looked up inside the caller's scope (another
 * school's is a 404). Issuing twice the same unchanged content re-uses its record and code
 * (docs/decisions/029-issued-documents.md). The form travels in the body, not the path, so no
 * "Đ" has to be percent-encoded in a URL.
 */
import type { ActionFunctionArgs } from '@remix-run/node';
import { isFormCode } from '~/domain/documents';
import { canEditDossier } from '~/domain/pipeline/tab-permissions';
import { requireUser } from '~/utils/auth/permissions.server';
import { issuedDownload } from '~/utils/documents/download.server';
import { memberFilter } from '~/utils/members/member-access.server';
import { requireId } from '~/utils/params.server';
import { readForm } from '~/utils/request-guards.server';
import { badRequest, forbidden } from '~/utils/responses.server';

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireUser(request, { permission: 'member:read' });
  if (!canEditDossier(user)) throw forbidden();
  const id = requireId(params);
  const body = await readForm(request);
  const form = String(body.get('form') ?? '').normalize('NFC');
  if (!isFormCode(form)) throw badRequest('form');
  return issuedDownload(user, request, body, {
    form,
    memberIds: [id],
    batch: false,
    scope: memberFilter(user, id),
  });
}

/**
 * POST /pipeline/batch-document (batch=<bulk step id>, format=docx|pdf): the one document
 * of a batch the ready queue recorded under one number (4, 8 or 9-KNĐ listing every
 * candidate), issued with its code and QR. The school roles that record steps (and admins);
 * every member of the batch must be in the caller's scope, or it is a 404.
 */
import type { ActionFunctionArgs } from '@remix-run/node';
import { canEditDossier } from '~/domain/pipeline/tab-permissions';
import { requireUser, scopeFilter } from '~/utils/auth/permissions.server';
import { bulkBatch } from '~/utils/documents/batch.server';
import { issuedDownload } from '~/utils/documents/download.server';
import { readForm } from '~/utils/request-guards.server';
import { forbidden, notFound } from '~/utils/responses.server';

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request, { permission: 'member:read' });
  if (!canEditDossier(user)) throw forbidden();
  const form = await readForm(request);
  const batch = await bulkBatch(form.get('batch'));
  if (!batch) throw notFound();
  return issuedDownload(user, request, form, {
    form: batch.form,
    memberIds: batch.memberIds,
    batch: true,
    scope: scopeFilter(user),
  });
}

/**
 * Signed scans of a member's paper forms (pipeline-scans.server.ts): GET `?scan=<id>`
 * downloads one (staff reading the member in scope), POST attaches (`intent=scan_attach`,
 * multipart: `form`, `file`) or removes (`intent=scan_remove`, `scanId`) one. The Quy trình
 * tab posts here through a fetcher and shows the answer beside its fields.
 */
import { data, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node';
import { requireUser } from '~/utils/auth/permissions.server';
import { SCAN_UPLOAD_BYTES } from '~/utils/http-limits.server';
import { assertPartCounts, TooManyPartsError } from '~/utils/multipart.server';
import { requireId } from '~/utils/params.server';
import {
  attachScan,
  removeScan,
  scanDownload,
  type ScanFailure,
} from '~/utils/pipeline/pipeline-scans.server';
import { BodyTooLargeError, readBoundedForm } from '~/utils/request-guards.server';
import { badRequest, unknownIntent } from '~/utils/responses.server';

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request, { permission: 'member:read' });
  const id = requireId(params);
  return scanDownload(user, id, new URL(request.url).searchParams.get('scan'));
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireUser(request, { permission: 'member:read' });
  const id = requireId(params);
  let form: FormData;
  try {
    // Bounded while it is read: a file past the limit is refused before it is all in memory.
    form = await readBoundedForm(request, SCAN_UPLOAD_BYTES);
    assertPartCounts(form, 1);
  } catch (error) {
    if (error instanceof BodyTooLargeError || error instanceof TooManyPartsError) {
      const errors: ScanFailure['errors'] = {
        file: error instanceof BodyTooLargeError ? 'pipeline.scans.v.tooBig' : 'limits.tooManyFiles',
      };
      return data<ScanFailure>({ intent: 'scan_attach', errors }, { status: 413 });
    }
    if (error instanceof Response) throw error;
    throw badRequest();
  }
  const intent = form.get('intent');
  if (intent === 'scan_attach') return attachScan(user, id, form);
  if (intent === 'scan_remove') return removeScan(user, id, form);
  throw unknownIntent();
}

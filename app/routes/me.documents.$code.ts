/**
 * GET /me/documents/:code?format=pdf|docx: the student's own admission decision (9-KNĐ),
 * once the school has issued it for her alone, while it is current. A batch decision lists
 * other candidates, and a superseded one no longer matches its code: neither is served here
 * (the portal says why). Another student's code is a 404 like an unknown one.
 */
import type { LoaderFunctionArgs } from '@remix-run/node';
import { Types } from 'mongoose';
import { documentStatus, issuedFor, renderIssued } from '~/utils/documents/issued.server';
import { isDocumentFormat } from '~/utils/documents/render.server';
import { requireStudent } from '~/utils/student/me.server';
import { badRequest, notFound } from '~/utils/responses.server';
import { studentMayDownload } from '~/domain/documents';

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireStudent(request);
  if (!user.memberId) throw notFound();
  const record = await issuedFor(params.code ?? '', new Types.ObjectId(user.memberId));
  if (!record) throw notFound();
  const url = new URL(request.url);
  const format = url.searchParams.get('format') ?? 'pdf';
  if (!isDocumentFormat(format)) throw badRequest('format');
  const { status, doc } = await documentStatus(record);
  if (!doc || !studentMayDownload({ form: record.form, batch: record.batch, status })) throw notFound();
  const file = await renderIssued(record, doc, format, url.origin);
  return new Response(new Uint8Array(file.body), { headers: file.headers });
}

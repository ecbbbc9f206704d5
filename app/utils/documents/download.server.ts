/**
 * The HTTP side of issuing: read the format, issue (or re-use) the record, answer the file.
 * A refusal of the builder (the step is not recorded, the batch does not share one number)
 * is a 400 whose body is the refusal's message in the user's language; a member outside the
 * caller's scope is a 404, like a missing one.
 */
import mongoose, { type Types } from 'mongoose';
import { Member } from '../../../models/member';
import type { FormCode } from '~/domain/documents';
import type { AuthUser } from '../auth/auth.server';
import { badRequest, notFound } from '../responses.server';
import { issueDocument, renderIssued } from './issued.server';
import { isDocumentFormat } from './render.server';

export async function issuedDownload(
  user: AuthUser,
  request: Request,
  form: FormData,
  what: { form: FormCode; memberIds: Types.ObjectId[]; batch: boolean; scope: Record<string, unknown> },
): Promise<Response> {
  // Scope first: a record outside it is a 404 whatever else the request says.
  const inScope = await Member.countDocuments({
    ...what.scope,
    _id: mongoose.trusted({ $in: what.memberIds }),
  });
  if (inScope !== what.memberIds.length) throw notFound();
  const format = form.get('format');
  if (!isDocumentFormat(format)) throw badRequest('format');
  const issued = await issueDocument(user, what);
  if (!issued.ok) {
    if ('notFound' in issued) throw notFound();
    throw badRequest(issued.refusal.message[user.locale]);
  }
  const origin = new URL(request.url).origin;
  const file = await renderIssued(issued.record, issued.doc, format, origin);
  return new Response(new Uint8Array(file.body), { headers: file.headers });
}

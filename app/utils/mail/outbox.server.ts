/**
 * /admin/outbox (decision 033): every mail message, newest first, paged; one message's text
 * and HTML. Admin only (the route checks); messages are not scoped to a unit.
 */
import type { Types } from 'mongoose';
import { MailMessage, type MailMessageFields } from '../../../models/mail-message';
import { isObjectId } from '~/domain/ids';

export const OUTBOX_PAGE_SIZE = 50;

export interface OutboxRow {
  id: string;
  to: string;
  subject: string;
  kind: string;
  state: string;
  transport: string | null;
  createdAt: string;
  sentAt: string | null;
}

type Stored = MailMessageFields & { _id: Types.ObjectId; createdAt: Date; updatedAt: Date };

const row = (m: Stored): OutboxRow => ({
  id: String(m._id),
  to: m.to,
  subject: m.subject,
  kind: m.kind,
  state: m.state,
  transport: m.transport ?? null,
  createdAt: m.createdAt.toISOString(),
  sentAt: m.sentAt ? m.sentAt.toISOString() : null,
});

/** `?page=` as a page number ≥ 1; anything else is the first page. */
export function outboxPage(url: URL): number {
  const n = Number(url.searchParams.get('page'));
  return Number.isInteger(n) && n >= 1 && n <= 100_000 ? n : 1;
}

export async function listOutbox(page: number) {
  const rowCount = await MailMessage.estimatedDocumentCount();
  const pages = Math.max(1, Math.ceil(rowCount / OUTBOX_PAGE_SIZE));
  const current = Math.min(page, pages);
  const docs = await MailMessage.find()
    .select({ html: 0, text: 0, headers: 0 })
    .sort({ createdAt: -1, _id: -1 })
    .skip((current - 1) * OUTBOX_PAGE_SIZE)
    .limit(OUTBOX_PAGE_SIZE)
    .lean<Stored[]>();
  return { rows: docs.map(row), rowCount, page: current, pages };
}

/** One message with its bodies, or null (a malformed or unknown id). */
export async function outboxMessage(id: string | null) {
  if (!isObjectId(id)) return null;
  const m = await MailMessage.findById(id).lean<Stored>();
  if (!m) return null;
  return {
    ...row(m),
    text: m.text,
    html: m.html,
    messageId: m.messageId,
    headers: (m.headers ?? {}) as Record<string, string>,
    notBefore: m.notBefore.toISOString(),
    attempts: m.attempts,
    lastError: m.lastError ?? null,
  };
}

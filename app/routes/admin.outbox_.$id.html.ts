/**
 * /admin/outbox/:id/html, admin only: one outbox message's HTML body as its own document,
 * for the sandboxed frame on /admin/outbox?id=…. Served apart from the page so that it can
 * carry its own Content-Security-Policy: the mail's inline styles apply (the app's pages
 * allow no inline style), and still no script, no request anywhere, nothing but this
 * origin may frame it, and the `sandbox` directive makes it an opaque origin even when
 * opened directly (server.ts lets this response's policy replace the app's).
 */
import type { LoaderFunctionArgs } from '@remix-run/node';
import { requireUser } from '~/utils/auth/permissions.server';
import { outboxMessage } from '~/utils/mail/outbox.server';
import { notFound } from '~/utils/responses.server';

export const MAIL_HTML_POLICY =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; form-action 'none'; base-uri 'none'; sandbox";

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireUser(request, { permission: 'user:manage' });
  const message = await outboxMessage(params.id ?? null);
  if (!message) throw notFound();
  return new Response(message.html, {
    headers: {
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Security-Policy': MAIL_HTML_POLICY,
      'X-Frame-Options': 'SAMEORIGIN',
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-store',
    },
  });
}

/**
 * /admin/outbox (decision 033), admin only: every mail the app composed, newest first, with
 * where it went (the SMTP server or, with no SMTP_URL, this outbox). `?id=` shows one
 * message: its plain text, and its HTML in a sandboxed frame (no scripts, no same-origin
 * access; served by admin.outbox_.$id.html.ts), never inserted into this page.
 */
import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { AdminTable, SimplePager } from '~/components/admin-list';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { isMessageKey, type MessageKey } from '~/i18n';
import { useFormatters, useT } from '~/i18n/use-t';
import { requireUser } from '~/utils/auth/permissions.server';
import { mailSettings, smtpHost } from '~/utils/mail/mail-settings.server';
import { listOutbox, outboxMessage, outboxPage } from '~/utils/mail/outbox.server';
import { pageTitle } from '~/utils/meta';
import { notFound } from '~/utils/responses.server';

export async function loader({ request }: LoaderFunctionArgs) {
  // Admin only, like /admin/audit: `user:manage` is the admin's.
  await requireUser(request, { permission: 'user:manage' });
  const url = new URL(request.url);
  const host = smtpHost(mailSettings().smtpUrl);
  if (url.searchParams.has('id')) {
    const message = await outboxMessage(url.searchParams.get('id'));
    if (!message) throw notFound();
    return { host, message, list: null };
  }
  return { host, message: null, list: await listOutbox(outboxPage(url)) };
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, 'mail.outbox.title');

function useLabels() {
  const t = useT();
  const label = (key: string, fallback: string) => (isMessageKey(key) ? t(key as MessageKey) : fallback);
  return {
    kind: (kind: string) => label(`notifications.kind.${kind}`, kind),
    state: (state: string) => label(`mail.outbox.state.${state}`, state),
    transport: (transport: string | null) =>
      transport ? label(`mail.outbox.transport.${transport}`, transport) : '',
  };
}

export default function OutboxPage() {
  const { host, message, list } = useLoaderData<typeof loader>();
  const t = useT();
  const fmt = useFormatters();
  const labels = useLabels();
  return (
    <>
      <h1>{t('mail.outbox.title')}</h1>
      <p className="muted" data-testid="outbox-mode">
        {host ? t('mail.outbox.modeSmtp', { host }) : t('mail.outbox.modeOutbox')}
      </p>
      {message ? (
        <article data-testid="outbox-message">
          <p>
            <Link to="/admin/outbox">{t('mail.outbox.back')}</Link>
          </p>
          <h2>{message.subject}</h2>
          <dl className="facts card">
            <dt>{t('mail.outbox.to')}</dt>
            <dd>{message.to}</dd>
            <dt>{t('mail.outbox.kind')}</dt>
            <dd>{labels.kind(message.kind)}</dd>
            <dt>{t('mail.outbox.state')}</dt>
            <dd>{labels.state(message.state)}</dd>
            <dt>{t('mail.outbox.transport')}</dt>
            <dd>{labels.transport(message.transport)}</dd>
            <dt>{t('mail.outbox.created')}</dt>
            <dd>{fmt.dateTime(message.createdAt)}</dd>
            <dt>{t('mail.outbox.notBefore')}</dt>
            <dd>{fmt.dateTime(message.notBefore)}</dd>
            <dt>{t('mail.outbox.sent')}</dt>
            <dd>{message.sentAt ? fmt.dateTime(message.sentAt) : ''}</dd>
            <dt>{t('mail.outbox.attempts')}</dt>
            <dd>{message.attempts}</dd>
            {message.lastError ? (
              <>
                <dt>{t('mail.outbox.lastError')}</dt>
                <dd>{message.lastError}</dd>
              </>
            ) : null}
            <dt>{t('mail.outbox.messageId')}</dt>
            <dd>
              <code>{message.messageId}</code>
            </dd>
          </dl>
          <h3>{t('mail.outbox.textBody')}</h3>
          <pre className="mail-text" data-testid="outbox-text">
            {message.text}
          </pre>
          <h3>{t('mail.outbox.htmlBody')}</h3>
          {/* Its own document with its own policy (admin.outbox_.$id.html.ts), in an empty
              sandbox: the mail's HTML keeps its styles, runs no script and cannot reach this
              page or its cookies. */}
          <iframe
            title={t('mail.outbox.htmlBody')}
            sandbox=""
            src={`/admin/outbox/${message.id}/html`}
            data-testid="outbox-html"
            className="mail-html"
          />
        </article>
      ) : list ? (
        <div className="outbox-table">
          <AdminTable
            count={t('mail.outbox.count', { count: fmt.number(list.rowCount) })}
            countTestId="outbox-count"
            columns={[
              t('mail.outbox.to'),
              t('mail.outbox.subject'),
              t('mail.outbox.kind'),
              t('mail.outbox.state'),
              t('mail.outbox.created'),
              t('mail.outbox.sent'),
              t('mail.outbox.transport'),
            ]}
            empty={t('mail.outbox.empty')}
          >
            {list.rows.map((r) => (
              <tr key={r.id}>
                <td className="mail-to">{r.to}</td>
                <td>
                  <Link to={`?id=${r.id}`}>{r.subject}</Link>
                </td>
                <td>{labels.kind(r.kind)}</td>
                <td>{labels.state(r.state)}</td>
                <td>
                  <time dateTime={r.createdAt}>{fmt.dateTime(r.createdAt)}</time>
                </td>
                <td>{r.sentAt ? <time dateTime={r.sentAt}>{fmt.dateTime(r.sentAt)}</time> : null}</td>
                <td>{labels.transport(r.transport)}</td>
              </tr>
            ))}
          </AdminTable>
          <SimplePager page={list.page} pages={list.pages} />
        </div>
      ) : null}
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}

import { isRouteErrorResponse, Link, useRouteError, type ErrorResponse } from '@remix-run/react';
import type { ReactNode } from 'react';
import type { MessageKey } from '~/i18n';
import { useT } from '~/i18n/use-t';

type StatusHandler = (info: { error: ErrorResponse }) => ReactNode;

const KNOWN: Record<number, MessageKey> = {
  400: 'error.400',
  403: 'error.403',
  404: 'error.404',
  405: 'error.405',
  429: 'error.429',
  500: 'error.500',
};

/**
 * The one error boundary every route re-exports. Shows a friendly, translated text
 * per status and never the server's message, so a 403/404 leaks nothing.
 */
export function GeneralErrorBoundary({
  statusHandlers,
  unexpectedErrorHandler,
}: {
  statusHandlers?: Record<number, StatusHandler>;
  unexpectedErrorHandler?: (error: unknown) => ReactNode;
}) {
  const error = useRouteError();
  const t = useT();
  if (typeof document !== 'undefined' && !isRouteErrorResponse(error)) console.error(error);

  let status = 500;
  let body: ReactNode;
  if (isRouteErrorResponse(error)) {
    status = error.status;
    body = statusHandlers?.[status]?.({ error }) ?? <p>{t(KNOWN[status] ?? 'error.unknown')}</p>;
  } else {
    body = unexpectedErrorHandler?.(error) ?? <p>{t('error.500')}</p>;
  }

  return (
    <section className="error-page" aria-labelledby="error-title">
      <p className="error-status">{t('error.status', { status })}</p>
      <h1 id="error-title">{t('error.title')}</h1>
      {body}
      <p>
        <Link to="/">{t('error.backHome')}</Link>
      </p>
    </section>
  );
}

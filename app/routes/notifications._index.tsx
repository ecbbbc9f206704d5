import {
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from '@remix-run/node';
import { Types } from 'mongoose';
import { Form, Link, useLoaderData, useNavigation, useRouteLoaderData } from '@remix-run/react';
import { SimplePager } from '~/components/admin-list';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { NotificationTime } from '~/components/notification-time';
import { NOTIFICATION_KINDS } from '~/domain/notifications/kinds';
import { isObjectId } from '~/domain/ids';
import { isMessageKey } from '~/i18n';
import { useFormatters, useT } from '~/i18n/use-t';
import notificationStyles from '~/styles/notifications.css?url';
import { requireUserId } from '~/utils/auth/auth.server';
import { pageTitle } from '~/utils/meta';
import {
  listNotifications,
  markAllRead,
  markRead,
  parseCentreQuery,
} from '~/utils/notifications/centre.server';
import { readForm } from '~/utils/request-guards.server';
import { notFound, unknownIntent } from '~/utils/responses.server';
import type { loader as rootLoader } from '~/root';

export const links = () => [{ rel: 'stylesheet', href: notificationStyles }];

export async function loader({ request }: LoaderFunctionArgs) {
  const userId = await requireUserId(request);
  const query = parseCentreQuery(new URL(request.url));
  const list = await listNotifications(userId, query);
  return { query, ...list, now: new Date().toISOString() };
}

export async function action({ request }: ActionFunctionArgs) {
  const userId = await requireUserId(request);
  const form = await readForm(request);
  switch (form.get('intent')) {
    case 'read': {
      const id = form.get('id');
      if (!isObjectId(id)) throw notFound();
      await markRead(userId, new Types.ObjectId(id));
      return { ok: true };
    }
    case 'readAll': {
      await markAllRead(userId);
      // Back to the same filter, with the confirmation.
      const url = new URL(request.url);
      const next = new URLSearchParams(url.searchParams);
      next.delete('index');
      next.delete('page');
      next.set('ok', 'notificationsAllRead');
      throw redirect(`/notifications?${next}`);
    }
    default:
      throw unknownIntent();
  }
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, 'notifications.title');

export default function NotificationsPage() {
  const { query, rows, total, page, pages, now } = useLoaderData<typeof loader>();
  const root = useRouteLoaderData<typeof rootLoader>('root');
  const t = useT();
  const fmt = useFormatters();
  const busy = useNavigation().state === 'submitting';
  const text = (x: { key: string; params: Record<string, string | number> }) =>
    isMessageKey(x.key) ? t(x.key, x.params) : t('notifications.unknownText');

  return (
    <>
      <h1>{t('notifications.title')}</h1>
      <p>
        <Link to="/settings/notifications">{t('notifications.settingsLink')}</Link>
      </p>
      <div className="notifications-tools">
        <Form method="get" className="filters" role="search">
          <div className="field">
            <label htmlFor="notifications-status">{t('notifications.filter.status')}</label>
            <select id="notifications-status" name="status" defaultValue={query.status}>
              <option value="all">{t('notifications.filter.all')}</option>
              <option value="unread">{t('notifications.filter.unread')}</option>
            </select>
          </div>
          <div className="field">
            <label htmlFor="notifications-kind">{t('notifications.filter.kind')}</label>
            <select id="notifications-kind" name="kind" defaultValue={query.kind ?? ''}>
              <option value="">{t('notifications.filter.allKinds')}</option>
              {NOTIFICATION_KINDS.map((k) => (
                <option key={k} value={k}>
                  {t(`notifications.kind.${k}`)}
                </option>
              ))}
            </select>
          </div>
          <button type="submit">{t('notifications.filter.submit')}</button>
        </Form>
        {root?.unread ? (
          <Form method="post">
            <input type="hidden" name="intent" value="readAll" />
            <button type="submit" className="button-secondary" disabled={busy}>
              {t('notifications.readAll')}
            </button>
          </Form>
        ) : null}
      </div>
      <p aria-live="polite" data-testid="notifications-count">
        {t('notifications.count', { count: fmt.number(total) })}
      </p>
      {rows.length ? (
        <ul className="notification-list">
          {rows.map((n) => (
            <li
              key={n.id}
              className="notification"
              data-unread={!n.read || undefined}
              data-testid="notification"
            >
              <div className="notification-meta">
                <span className="notification-kind">{t(`notifications.kind.${n.kind}`)}</span>
                {n.read ? null : (
                  <span className="badge notification-unread">{t('notifications.unread')}</span>
                )}
                <NotificationTime at={n.createdAt} now={now} />
              </div>
              {/* Following the notice marks it read: a post, then the record (notifications.$id.tsx). */}
              <Form method="post" action={`/notifications/${n.id}`} className="notification-open">
                <button type="submit" className="button-link notification-title">
                  {text(n.title)}
                </button>
              </Form>
              {n.body ? <p className="notification-body">{text(n.body)}</p> : null}
              {n.lines.length ? (
                <ul className="notification-lines">
                  {n.lines.map((l, i) => (
                    <li key={i}>{l.link ? <Link to={l.link}>{text(l.text)}</Link> : text(l.text)}</li>
                  ))}
                </ul>
              ) : null}
              {n.read ? null : (
                <Form method="post" className="notification-mark">
                  <input type="hidden" name="intent" value="read" />
                  <input type="hidden" name="id" value={n.id} />
                  <button type="submit" className="button-secondary" disabled={busy}>
                    {t('notifications.markRead')}
                  </button>
                </Form>
              )}
            </li>
          ))}
        </ul>
      ) : (
        <p className="panel">
          {query.status === 'unread' || query.kind
            ? t('notifications.emptyFiltered')
            : t('notifications.empty')}
        </p>
      )}
      <SimplePager page={page} pages={pages} />
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}

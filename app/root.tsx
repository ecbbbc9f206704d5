// First: before any module builds a zod schema (see the file).
import '~/zod-jitless.client';
import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Links, Meta, Outlet, Scripts, ScrollRestoration, useRouteLoaderData } from '@remix-run/react';
import { useEffect, type ReactNode } from 'react';
import { AppShell } from '~/components/app-shell';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import {
  catalogue,
  DEFAULT_LOCALE,
  isMessageKey,
  registerCatalogue,
  translate,
  usableLocale,
  type MessageKey,
  type Messages,
} from '~/i18n';
import appStyles from '~/styles/app.css?url';
import { getOptionalUser } from '~/utils/auth/auth.server';
import { isBrokeRedirect } from '~/utils/pipeline/conflict-flash.server';
import { getLocale } from '~/utils/locale.server';
import { unreadCount } from '~/utils/notifications/centre.server';
import { useNonce } from '~/utils/nonce-provider';

export const links: LinksFunction = () => [
  { rel: 'stylesheet', href: appStyles },
  // No icon yet; an empty data URL stops the browser's /favicon.ico request (a 404).
  { rel: 'icon', href: 'data:,' },
];

export async function loader({ request }: LoaderFunctionArgs) {
  const [user, locale] = await Promise.all([getOptionalUser(request), getLocale(request)]);
  // The bell: one indexed count per page, capped (centre.server.ts).
  const unread = user ? await unreadCount(user.id) : 0;
  // Success messages arrive as `?ok=<name>` after a redirect; only catalogue keys are shown.
  const params = new URL(request.url).searchParams;
  const ok = params.get('ok');
  // A save that broke a recorded step: the member header says what it broke (conflict-flash.server.ts).
  const toastKey = ok && !isBrokeRedirect(params) ? `toast.${ok}` : null;
  return {
    locale,
    // Only the active language's messages reach the browser (app/i18n/index.ts), as one JSON
    // string: a plain object costs single fetch an index per key (~8 KB more gzipped). Only with
    // the page itself: the app's own data requests (fetch, `Sec-Fetch-Dest: empty`) come from a
    // page that already holds them, and the root revalidates after every action and filter change.
    messages: pageAlreadyHasCatalogue(request) ? null : JSON.stringify(catalogue(locale)),
    user: user ? { name: user.name, role: user.role } : null,
    unread,
    toast: isMessageKey(toastKey) ? (toastKey as MessageKey) : null,
  };
}

/** A fetch from the app's own page; anything else (a page load, an old browser) gets the catalogue. */
function pageAlreadyHasCatalogue(request: Request) {
  return request.headers.get('Sec-Fetch-Dest') === 'empty';
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: translate(usableLocale(data?.locale ?? DEFAULT_LOCALE), 'app.name') },
];

let lastMessages: { json: string; messages: Messages } | undefined;
function parseMessages(json: string): Messages {
  if (lastMessages?.json !== json) lastMessages = { json, messages: JSON.parse(json) as Messages };
  return lastMessages.messages;
}

export function Layout({ children }: { children: ReactNode }) {
  const data = useRouteLoaderData<typeof loader>('root');
  const nonce = useNonce();
  // In the browser, before anything below translates (`meta` included).
  if (data?.messages && typeof document !== 'undefined')
    registerCatalogue(data.locale, parseMessages(data.messages));
  // The language changed without a page load (signing in restores the user's language, signing
  // out drops it): this page has only the other catalogue, so it loads again in the new one.
  const missingCatalogue = data ? usableLocale(data.locale) !== data.locale : false;
  useEffect(() => {
    if (missingCatalogue) window.location.reload();
  }, [missingCatalogue]);
  return (
    <html lang={usableLocale(data?.locale ?? DEFAULT_LOCALE)}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light" />
        <Meta />
        <Links />
      </head>
      <body>
        <AppShell user={data?.user ?? null} unread={data?.unread ?? 0} toast={data?.toast ?? null}>
          {children}
        </AppShell>
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  );
}

export default function App() {
  return <Outlet />;
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}

/**
 * /unsubscribe/:token, public (no sign-in): the link in every mail (decision 033). GET shows
 * what the link stops and a button; POST stops it: the mail client's one-click button
 * (RFC 8058, `List-Unsubscribe=One-Click`) and the button here post the same. Those kinds
 * then reach the person in the app only. A token that is not genuine is a 404.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { useT } from '~/i18n/use-t';
import { requireUnsubscribeClaim, unsubscribe } from '~/utils/mail/unsubscribe.server';
import { pageTitle } from '~/utils/meta';

export async function loader({ params }: LoaderFunctionArgs) {
  const claim = await requireUnsubscribeClaim(params.token);
  return { kinds: claim.kinds };
}

export async function action({ params }: ActionFunctionArgs) {
  const claim = await requireUnsubscribeClaim(params.token);
  await unsubscribe(claim);
  return { done: true as const };
}

export const meta: MetaFunction = ({ matches }) => [
  ...pageTitle(matches, 'mail.unsubscribe.title'),
  { name: 'robots', content: 'noindex' },
];

export default function Unsubscribe() {
  const { kinds } = useLoaderData<typeof loader>();
  const done = useActionData<typeof action>()?.done;
  const busy = useNavigation().state !== 'idle';
  const t = useT();
  return (
    <div className="card">
      <h1>{t('mail.unsubscribe.title')}</h1>
      <p>{t('mail.unsubscribe.intro')}</p>
      <ul>
        {kinds.map((kind) => (
          <li key={kind}>{t(`notifications.kind.${kind}`)}</li>
        ))}
      </ul>
      <p className="muted">{t('mail.unsubscribe.inApp')}</p>
      {done ? (
        <p role="status" data-testid="unsubscribe-done">
          {t('mail.unsubscribe.done')}
        </p>
      ) : (
        <Form method="post">
          <input type="hidden" name="List-Unsubscribe" value="One-Click" />
          <button type="submit" disabled={busy}>
            {t('mail.unsubscribe.confirm')}
          </button>
        </Form>
      )}
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}

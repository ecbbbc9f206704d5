import { Link } from '@remix-run/react';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { useT } from '~/i18n/use-t';

// Any URL no other route matches: a real 404 status with the friendly page.
export async function loader() {
  throw new Response('Not found', { status: 404 });
}

export async function action() {
  throw new Response('Not found', { status: 404 });
}

export default function NotFound() {
  const t = useT();
  return (
    <p>
      <Link to="/">{t('error.backHome')}</Link>
    </p>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}

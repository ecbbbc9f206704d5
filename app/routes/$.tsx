import { Link } from '@remix-run/react';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { useT } from '~/i18n/use-t';
import { notFound } from '~/utils/responses.server';

// Any URL no other route matches: a real 404 status with the friendly page.
export async function loader() {
  throw notFound();
}

export async function action() {
  throw notFound();
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

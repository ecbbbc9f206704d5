import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { useLoaderData } from '@remix-run/react';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { STAGE_LABELS } from '~/domain/stages';
import { useLocale, useT } from '~/i18n/use-t';
import { studentRecord } from '~/utils/home.server';
import { pageTitle } from '~/utils/meta';
import { requireUser } from '~/utils/permissions.server';

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request, { permission: 'self:read' });
  return { userName: user.name, record: await studentRecord(user) };
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, 'me.title');

export default function MyRecord() {
  const { userName, record } = useLoaderData<typeof loader>();
  const t = useT();
  const locale = useLocale();
  return (
    <>
      <h1>{t('me.title')}</h1>
      <p>{t('home.welcome', { name: record?.fullName ?? userName })}</p>
      {record ? (
        <dl className="facts card">
          <dt>{t('me.name')}</dt>
          <dd>{record.fullName}</dd>
          <dt>{t('me.studentCode')}</dt>
          <dd>{record.studentCode}</dd>
          <dt>{t('me.school')}</dt>
          <dd>{record.school ?? '—'}</dd>
          <dt>{t('me.branch')}</dt>
          <dd>{record.branch ?? '—'}</dd>
          <dt>{t('me.stage')}</dt>
          <dd data-testid="current-stage">
            {record.stage ? STAGE_LABELS[record.stage][locale] : t('me.unknownStage')}
          </dd>
        </dl>
      ) : (
        <p className="panel">{t('me.noRecord')}</p>
      )}
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}

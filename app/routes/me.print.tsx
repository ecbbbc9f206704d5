import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import {
  CriteriaVerdict,
  DecisionTimeline,
  Deadlines,
  DossierChecklist,
  StageProgress,
} from '~/components/student-portal';
import { STAGE_LABELS } from '~/domain/stages';
import { useFormatters, useLocale, useT } from '~/i18n/use-t';
import meStyles from '~/styles/me.css?url';
import { portalData, requireStudent } from '~/utils/me.server';
import { pageTitle } from '~/utils/meta';

export const links = () => [{ rel: 'stylesheet', href: meStyles }];

// A copy of one's own data is a right of the data subject: not gated on consent.
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireStudent(request);
  return { record: await portalData(user), printedAt: new Date().toISOString() };
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, 'me.print.title');

export default function PrintRecord() {
  const { record, printedAt } = useLoaderData<typeof loader>();
  const t = useT();
  const locale = useLocale();
  const f = useFormatters();
  return (
    <div className="me-print">
      <p className="no-print">
        <Link to="/me">{t('me.print.back')}</Link>{' '}
        <button type="button" className="button-secondary" onClick={() => window.print()}>
          {t('me.print.button')}
        </button>
      </p>
      <h1>{t('me.print.title')}</h1>
      {record ? (
        <>
          <p className="muted">{t('me.print.printedOn', { date: f.date(printedAt) })}</p>
          <dl className="facts card">
            <dt>{t('me.name')}</dt>
            <dd>{record.fullName}</dd>
            <dt>{t('member.dateOfBirth')}</dt>
            <dd>{f.date(record.dateOfBirth) || '—'}</dd>
            <dt>{t('me.studentCode')}</dt>
            <dd>{record.studentCode}</dd>
            <dt>{t('member.email')}</dt>
            <dd>{record.email ?? '—'}</dd>
            <dt>{t('member.phone')}</dt>
            <dd>{record.phone ?? '—'}</dd>
            <dt>{t('me.school')}</dt>
            <dd>{record.school ?? '—'}</dd>
            <dt>{t('me.branch')}</dt>
            <dd>{record.branch ?? '—'}</dd>
            <dt>{t('me.stage')}</dt>
            <dd>{record.stage ? STAGE_LABELS[record.stage][locale] : t('me.unknownStage')}</dd>
          </dl>
          <p className="field-hint">{t('me.print.sensitiveNote')}</p>
          <StageProgress record={record} />
          <CriteriaVerdict record={record} />
          <Deadlines record={record} />
          <DossierChecklist record={record} />
          <DecisionTimeline record={record} />
        </>
      ) : (
        <p className="panel">{t('me.noRecord')}</p>
      )}
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}

import { getFormProps } from '@conform-to/react';
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useSearchParams } from '@remix-run/react';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { Field, SelectField } from '~/components/forms';
import { useCheckedForm } from '~/components/checked-form';
import {
  CriteriaVerdict,
  DecisionTimeline,
  Deadlines,
  DossierChecklist,
  NextSteps,
  StageProgress,
} from '~/components/student-portal';
import { CORRECTION_FIELDS, CorrectionSchema } from '~/domain/corrections';
import { STAGE_LABELS } from '~/domain/stages';
import type { MessageKey } from '~/i18n';
import { useFormatters, useLocale, useT } from '~/i18n/use-t';
import meStyles from '~/styles/me.css?url';
import { correctionAction, portalData, requireConsent, requireStudent } from '~/utils/student/me.server';
import { ownSubmissions } from '~/utils/student/submissions.server';
import { studentDocuments } from '~/utils/documents/member-documents.server';
import { MyDocuments } from '~/components/issued-documents';
import { pageTitle } from '~/utils/meta';
import { readForm } from '~/utils/request-guards.server';
import { badRequest } from '~/utils/responses.server';

export const links = () => [{ rel: 'stylesheet', href: meStyles }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireStudent(request);
  await requireConsent(user);
  const [record, submissions, documents] = await Promise.all([
    portalData(user),
    ownSubmissions(user),
    studentDocuments(user),
  ]);
  // Returned evidence is news the student must act on: it is on the home page, not only on
  // /me/submissions.
  const returned = submissions
    .filter((s) => s.status === 'returned')
    .map((s) => ({ id: s.id, title: s.title, reason: s.reason, reviewedAt: s.reviewedAt }));
  return { userName: user.name, record, returned, documents };
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireStudent(request);
  const form = await readForm(request);
  if (form.get('intent') !== 'correction') throw badRequest();
  return correctionAction(user, form);
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, 'me.title');

export default function MyRecord() {
  const { userName, record, returned, documents } = useLoaderData<typeof loader>();
  const t = useT();
  const f = useFormatters();
  const locale = useLocale();
  return (
    <>
      <h1>{t('me.title')}</h1>
      <p>{t('home.welcome', { name: record?.fullName ?? userName })}</p>
      {returned.length > 0 ? (
        <section className="panel" aria-labelledby="returned-title" data-testid="returned-evidence">
          <h2 id="returned-title">{t('me.returned.title', { count: returned.length })}</h2>
          <ul className="me-list">
            {returned.map((s) => (
              <li key={s.id}>
                <strong>{s.title}</strong>
                {s.reviewedAt ? <> · {t('me.returned.on', { date: f.date(s.reviewedAt) })}</> : null}
                {s.reason ? (
                  <>
                    <br />
                    {t('me.submissions.reason', { reason: s.reason })}
                  </>
                ) : null}
              </li>
            ))}
          </ul>
          <p>
            <Link to="/me/submissions">{t('me.returned.resubmit')}</Link>
          </p>
        </section>
      ) : null}
      {record ? (
        <>
          <p>{t('me.intro')}</p>
          <dl className="facts card">
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
          <div className="me-grid">
            <StageProgress record={record} />
            <NextSteps record={record} />
            <CriteriaVerdict record={record} />
            <Deadlines record={record} />
            <DossierChecklist record={record} />
            <DecisionTimeline record={record} />
          </div>
          <MyDocuments documents={documents} />
          <MyData record={record} />
        </>
      ) : (
        <p className="panel">{t('me.noRecord')}</p>
      )}
    </>
  );
}

function MyData({
  record,
}: {
  record: NonNullable<ReturnType<typeof useLoaderData<typeof loader>>['record']>;
}) {
  const t = useT();
  const f = useFormatters();
  const actionData = useActionData<typeof action>();
  // The browser checks the request as the action does (CorrectionSchema through conform).
  const { form, fields, blurCheck } = useCheckedForm({
    id: 'correction',
    lastResult: actionData?.result,
    schema: CorrectionSchema,
  });
  const values: Record<string, string | undefined> = actionData?.values ?? {};
  const [params] = useSearchParams();
  return (
    <section aria-labelledby="data-title" className="card me-section" id="corrections">
      <h2 id="data-title">{t('me.myData')}</h2>
      <p>{t('me.myDataIntro')}</p>
      <ul className="me-links">
        <li>
          <a href="/me/data.json" download>
            {t('me.download')}
          </a>
        </li>
        <li>
          <a href="/me/data.xlsx" download>
            {t('me.downloadXlsx')}
          </a>
        </li>
        <li>
          <Link to="/me/submissions">{t('me.submissions.link')}</Link>
        </li>
        <li>
          <Link to="/me/print">{t('me.printLink')}</Link>
        </li>
        <li>
          <Link to="/me/consent">{t('me.consentLink')}</Link>
        </li>
      </ul>
      <h3>{t('me.correction.title')}</h3>
      <p>{t('me.correction.intro')}</p>
      {params.get('sent') ? (
        <p className="me-ok" role="status">
          {t('me.correction.sentNow')}
        </p>
      ) : null}
      <Form method="post" {...getFormProps(form)} {...blurCheck}>
        <input type="hidden" name="intent" value="correction" />
        <SelectField
          label={t('me.correction.field')}
          errors={fields.field.errors}
          selectProps={{ name: 'field', defaultValue: values.field ?? '', required: true }}
        >
          <option value="">{t('me.correction.choose')}</option>
          {CORRECTION_FIELDS.map((field) => (
            <option key={field} value={field}>
              {t(`me.field.${field}` as MessageKey)}
            </option>
          ))}
        </SelectField>
        <Field
          label={t('me.correction.message')}
          errors={fields.message.errors}
          inputProps={{
            name: 'message',
            defaultValue: values.message ?? '',
            required: true,
            maxLength: 1000,
          }}
        />
        <Field
          label={t('me.correction.correctValue')}
          errors={fields.correctValue.errors}
          inputProps={{ name: 'correctValue', defaultValue: values.correctValue ?? '', maxLength: 500 }}
        />
        <button type="submit">{t('me.correction.submit')}</button>
      </Form>
      {record.corrections.length ? (
        <>
          <h3>{t('me.correction.list')}</h3>
          <ul className="me-list" data-testid="corrections">
            {record.corrections.map((c) => (
              <li key={c.id}>
                {t(`me.field.${c.field}` as MessageKey)}:{' '}
                {t('me.correction.sent', { date: f.date(c.createdAt) })} ·{' '}
                {t(`me.correction.status.${c.status}` as MessageKey)}
                {c.due ? (
                  <>
                    {' '}
                    ·{' '}
                    {c.due.overdue ? (
                      <strong>{t('me.correction.overdue', { date: f.date(c.due.dueDate) })}</strong>
                    ) : (
                      t('me.correction.due', { date: f.date(c.due.dueDate) })
                    )}
                  </>
                ) : null}
                {c.reply ? (
                  <p className="me-reply" data-testid="correction-reply">
                    {t('me.correction.reply', {
                      date: c.reply.at ? f.date(c.reply.at) : '—',
                      reason: c.reply.reason,
                    })}
                  </p>
                ) : null}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}

import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, useActionData, useLoaderData, useSearchParams } from '@remix-run/react';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { Field } from '~/components/forms';
import type { MessageKey } from '~/i18n';
import { useFormatters, useT } from '~/i18n/use-t';
import meStyles from '~/styles/me.css?url';
import { pageTitle } from '~/utils/meta';
import { formDataToObject } from '~/utils/misc';
import { requireUser } from '~/utils/permissions.server';
import { reviewSubmission, submissionQueue } from '~/utils/submissions.server';
import type { FieldErrors } from '~/utils/validation';

export const links = () => [{ rel: 'stylesheet', href: meStyles }];

// Verifying student submissions is the school Union's job (design.md roles): pipeline:union.
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request, { permission: 'pipeline:union' });
  return { queue: await submissionQueue(user) };
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request, { permission: 'pipeline:union' });
  return reviewSubmission(user, formDataToObject(await request.formData()));
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, 'me.queue.title');

export default function SubmissionQueue() {
  const { queue } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>() as { fieldErrors?: FieldErrors; id?: string } | undefined;
  const [params] = useSearchParams();
  const t = useT();
  const f = useFormatters();
  const done = params.get('done');
  return (
    <>
      <h1>{t('me.queue.title')}</h1>
      <p>{t('me.queue.intro')}</p>
      {done === 'approved' || done === 'returned' ? (
        <p className="panel" role="status">
          {t(done === 'approved' ? 'me.queue.approved' : 'me.queue.returned')}
        </p>
      ) : null}
      {queue.length === 0 ? (
        <p>{t('me.queue.empty')}</p>
      ) : (
        <ul className="me-queue" data-testid="queue">
          {queue.map((s) => (
            <li key={s.id} className="card">
              <p>
                <strong>{s.member}</strong> · {t(`me.submissions.kind.${s.kind}` as MessageKey)} ·{' '}
                {t('me.submissions.sentOn', { date: f.date(s.createdAt) })}
              </p>
              <p>
                {s.title} ({f.date(s.date)}
                {s.kind === 'activity' ? `, ${t('me.queue.days', { days: s.days ?? 0 })}` : ''}
                {s.kind === 'award' && s.awardKind && s.level
                  ? `, ${t(`member.awardKind.${s.awardKind}` as MessageKey)} ${t(`member.awardLevel.${s.level}` as MessageKey)}`
                  : ''}
                )
              </p>
              <p>{s.evidence}</p>
              {s.file ? (
                <p>
                  <a href={`/school/submissions/${s.id}/file`}>
                    {t('me.submissions.fileLink', { name: s.file.name })}
                  </a>
                </p>
              ) : null}
              <Form method="post">
                <input type="hidden" name="id" value={s.id} />
                <button type="submit" name="intent" value="approve">
                  {t('me.queue.approve')}
                </button>
              </Form>
              <Form method="post">
                <input type="hidden" name="id" value={s.id} />
                <Field
                  label={t('me.queue.reason')}
                  errors={actionData?.id === s.id ? actionData.fieldErrors?.reason : undefined}
                  inputProps={{ name: 'reason', id: `reason-${s.id}`, maxLength: 500 }}
                />
                <button type="submit" name="intent" value="return" className="button-secondary">
                  {t('me.queue.return')}
                </button>
              </Form>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}

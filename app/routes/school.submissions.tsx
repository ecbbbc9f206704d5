import { getFormProps, useForm } from '@conform-to/react';
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useSearchParams } from '@remix-run/react';
import { z } from 'zod';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { Field } from '~/components/forms';
import { useCheckedForm } from '~/components/checked-form';
import { CorrectionReplySchema } from '~/domain/corrections';
import { ReturnSchema } from '~/domain/submissions';
import type { MessageKey } from '~/i18n';
import { useFormatters, useT } from '~/i18n/use-t';
import meStyles from '~/styles/me.css?url';
import { pageTitle } from '~/utils/meta';
import { requireUser } from '~/utils/auth/permissions.server';
import { openCorrections, replyCorrection } from '~/utils/student/corrections.server';
import { reviewMany, reviewSubmission, submissionQueue } from '~/utils/student/submissions.server';
import { parseForm, type FormResult } from '~/utils/forms/conform';
import { readForm } from '~/utils/request-guards.server';

export const links = () => [{ rel: 'stylesheet', href: meStyles }];

// Verifying student submissions is the school Union's job (design.md roles): pipeline:union.
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request, { permission: 'pipeline:union' });
  const [queue, corrections] = await Promise.all([submissionQueue(user), openCorrections(user)]);
  return { queue, corrections };
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request, { permission: 'pipeline:union' });
  const form = await readForm(request);
  const intent = form.get('intent');
  if (intent === 'correction-done') return replyCorrection(user, form, 'resolved');
  if (intent === 'correction-refuse') return replyCorrection(user, form, 'rejected');
  if (intent === 'approve-many' || intent === 'return-many') {
    const ids = form.getAll('ids').filter((v): v is string => typeof v === 'string');
    return reviewMany(user, form, ids);
  }
  return reviewSubmission(user, form);
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, 'me.queue.title');

export default function SubmissionQueue() {
  const { queue, corrections } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  // conform's reply for the one form it answers: that item's, that request's, or the bulk form.
  const lastResult = (form: 'return' | 'correction' | 'bulk', id?: string) =>
    actionData &&
    'result' in actionData &&
    actionData.form === form &&
    (!id || ('id' in actionData && actionData.id === id))
      ? actionData.result
      : undefined;
  const [params] = useSearchParams();
  const t = useT();
  const f = useFormatters();
  const done = params.get('done');
  const count = params.get('count');
  const paused = params.get('paused');
  return (
    <>
      <h1>{t('me.queue.title')}</h1>
      <p>{t('me.queue.intro')}</p>
      {done === 'approved' || done === 'returned' ? (
        <p className="panel" role="status">
          {count !== null && /^\d+$/.test(count)
            ? t('queue.bulkDone', { count: Number(count) })
            : t(done === 'approved' ? 'me.queue.approved' : 'me.queue.returned')}
        </p>
      ) : null}
      {paused !== null && /^\d+$/.test(paused) ? (
        <p className="form-error" role="status" data-testid="queue-paused-skipped">
          {t('consent.queueSkipped', { count: Number(paused) })}
        </p>
      ) : null}
      {done === 'correction' || done === 'correction-refused' ? (
        <p className="panel" role="status">
          {t(done === 'correction' ? 'queue.correctionResolved' : 'queue.correctionRefused')}
        </p>
      ) : null}
      {queue.length === 0 ? (
        <p>{t('me.queue.empty')}</p>
      ) : (
        <>
          <ul className="me-queue" data-testid="queue">
            {queue.map((s) => (
              <li key={s.id} className="card" data-stale={s.stale || undefined}>
                {s.stale ? (
                  <p>
                    <strong className="badge">{t('queue.stale')}</strong>
                  </p>
                ) : null}
                {s.pausedSince !== null ? (
                  <p className="form-error" data-testid="queue-paused">
                    {t('consent.queuePaused', { date: s.pausedSince ? f.date(s.pausedSince) : '—' })}
                  </p>
                ) : null}
                {actionData?.form === 'decide' && actionData.id === s.id ? (
                  <p className="form-error" role="alert">
                    {actionData.formError}
                  </p>
                ) : null}
                <p>
                  {/* A paused member's item cannot be decided: no box to pick it for a bulk decision. */}
                  {s.pausedSince === null ? (
                    <input
                      type="checkbox"
                      name="ids"
                      value={s.id}
                      form="bulk-decide"
                      id={`select-${s.id}`}
                      aria-label={t('queue.select', { name: s.member })}
                    />
                  ) : null}{' '}
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
                    {/* Images are shown right in the queue (their type was read from the content on upload). */}
                    {s.file.type.startsWith('image/') ? (
                      <img
                        className="evidence-preview"
                        src={`/school/submissions/${s.id}/file`}
                        alt={t('me.submissions.fileLink', { name: s.file.name })}
                        loading="lazy"
                      />
                    ) : null}
                    <a href={`/school/submissions/${s.id}/file`}>
                      {t('me.submissions.fileLink', { name: s.file.name })}
                    </a>
                  </p>
                ) : null}
                {s.pausedSince === null ? (
                  <>
                    <Form method="post">
                      <input type="hidden" name="id" value={s.id} />
                      <button type="submit" name="intent" value="approve">
                        {t('me.queue.approve')}
                      </button>
                    </Form>
                    <ReturnForm id={s.id} lastResult={lastResult('return', s.id)} />
                  </>
                ) : null}
              </li>
            ))}
          </ul>
          <BulkForm lastResult={lastResult('bulk')} />
        </>
      )}
      <h2 id="corrections">{t('queue.corrections')}</h2>
      <p className="muted">{t('queue.correctionsIntro')}</p>
      {corrections.some((c) => c.overdue) ? (
        <p>
          <strong className="badge" data-testid="corrections-overdue">
            {t('queue.correctionsOverdue', { count: corrections.filter((c) => c.overdue).length })}
          </strong>
        </p>
      ) : null}
      {corrections.length === 0 ? (
        <p>{t('queue.correctionsEmpty')}</p>
      ) : (
        <ul className="me-queue" data-testid="corrections">
          {corrections.map((c) => (
            <li key={c.id} className="card" data-overdue={c.overdue || undefined}>
              <p>
                <strong>{c.member}</strong> · {t(`me.field.${c.field}` as MessageKey)} ·{' '}
                {t('me.correction.sent', { date: f.date(c.createdAt) })} ·{' '}
                {c.overdue ? (
                  <strong className="badge">
                    {t('queue.correctionOverdue', { date: f.date(c.dueDate) })}
                  </strong>
                ) : (
                  t('queue.correctionDue', { date: f.date(c.dueDate) })
                )}
              </p>
              <p>{c.message}</p>
              {c.correctValue ? <p>{t('queue.correctionValue', { value: c.correctValue })}</p> : null}
              <p>
                <Link to={`/members/${c.memberId}`}>{t('queue.correctionRecord', { name: c.member })}</Link>
              </p>
              <CorrectionReplyForm id={c.id} lastResult={lastResult('correction', c.id)} />
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

/** One item's return, with its reason checked in the browser as the action checks it. */
function ReturnForm({ id, lastResult }: { id: string; lastResult: FormResult | undefined }) {
  const t = useT();
  const { form, fields, blurCheck } = useCheckedForm({
    id: `return-${id}`,
    lastResult,
    schema: ReturnSchema,
  });
  return (
    <Form method="post" {...getFormProps(form)} {...blurCheck}>
      <input type="hidden" name="id" value={id} />
      <Field
        label={t('me.queue.reason')}
        errors={fields.reason.errors}
        inputProps={{ name: 'reason', id: `reason-${id}`, maxLength: 500 }}
      />
      <button type="submit" name="intent" value="return" className="button-secondary">
        {t('me.queue.return')}
      </button>
    </Form>
  );
}

/** An approval needs no field; returning needs the reason (the chosen items the server checks). */
const bulkSchema = (intent: FormDataEntryValue | null) =>
  intent === 'return-many' ? ReturnSchema : z.object({});

/**
 * The decision on the chosen items. Its reason is needed by one of its two buttons only, so
 * it is checked when a button is pressed (the submit carries which), not when left or typed.
 */
function BulkForm({ lastResult }: { lastResult: FormResult | undefined }) {
  const t = useT();
  const [form, fields] = useForm({
    id: 'bulk-decide',
    lastResult,
    shouldValidate: 'onSubmit',
    shouldRevalidate: 'onSubmit',
    onValidate: ({ formData }) => parseForm(formData, bulkSchema(formData.get('intent'))),
  });
  return (
    <Form method="post" className="panel" {...getFormProps(form)}>
      <h2>{t('queue.bulkTitle')}</h2>
      {fields.ids.errors?.length ? (
        <p className="field-error" role="alert">
          {t(fields.ids.errors[0] as MessageKey)}
        </p>
      ) : null}
      <button type="submit" name="intent" value="approve-many">
        {t('queue.bulkApprove')}
      </button>
      <Field
        label={t('queue.bulkReason')}
        errors={fields.reason.errors}
        inputProps={{ name: 'reason', id: 'bulk-reason', maxLength: 500 }}
      />
      <button type="submit" name="intent" value="return-many" className="button-secondary">
        {t('queue.bulkReturn')}
      </button>
    </Form>
  );
}

/** The answer to one correction request: corrected or refused, always with its reason. */
function CorrectionReplyForm({ id, lastResult }: { id: string; lastResult: FormResult | undefined }) {
  const t = useT();
  const { form, fields, blurCheck } = useCheckedForm({
    id: `correction-${id}`,
    lastResult,
    schema: CorrectionReplySchema,
  });
  return (
    <Form method="post" {...getFormProps(form)} {...blurCheck}>
      <input type="hidden" name="id" value={id} />
      <Field
        label={t('queue.correctionReason')}
        errors={fields.reason.errors}
        inputProps={{ name: 'reason', id: `correction-reason-${id}`, maxLength: 1000, required: true }}
      />
      <button type="submit" name="intent" value="correction-done">
        {t('queue.correctionDone')}
      </button>{' '}
      <button type="submit" name="intent" value="correction-refuse" className="button-secondary">
        {t('queue.correctionRefuse')}
      </button>
    </Form>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}

import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react';
import { useState } from 'react';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { Field, SelectField } from '~/components/forms';
import { AWARD_KINDS, AWARD_LEVELS } from '~/domain/criteria/types';
import { SUBMISSION_KINDS, SubmissionSchema } from '~/domain/submissions';
import type { MessageKey } from '~/i18n';
import { useFormatters, useT } from '~/i18n/use-t';
import meStyles from '~/styles/me.css?url';
import { requireConsent, requireStudent } from '~/utils/student/me.server';
import { pageTitle } from '~/utils/meta';
import { formDataToObject } from '~/utils/misc';
import { EVIDENCE_QUOTA, evidenceQuotaLeft } from '~/utils/student/evidence-quota.server';
import { EVIDENCE_MAX_FILES } from '~/utils/http-limits.server';
import { assertPartCounts, TooManyPartsError } from '~/utils/multipart.server';
import { EVIDENCE_MAX_BYTES, ownSubmissions, submitEvidence } from '~/utils/student/submissions.server';
import { fieldErrorsOf, type FieldErrors } from '~/utils/validation';
import { BodyTooLargeError, readBoundedForm } from '~/utils/request-guards.server';
import { badRequest } from '~/utils/responses.server';

/** The form's other fields and multipart framing, beside the file itself. */
const EVIDENCE_FORM_OVERHEAD = 64 * 1024;

export const links = () => [{ rel: 'stylesheet', href: meStyles }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireStudent(request);
  await requireConsent(user);
  const [submissions, quota] = await Promise.all([ownSubmissions(user), evidenceQuotaLeft(user.memberId!)]);
  return { submissions, quota, quotaMax: EVIDENCE_QUOTA, maxBytes: EVIDENCE_MAX_BYTES };
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireStudent(request);
  // A paused record (consent withdrawn) gets its reason from submitEvidence, not a bare redirect.
  await requireConsent(user, { pausedPasses: true });
  // The upload is bounded while it is read: past the limit the read stops. The platform's
  // parser takes any file name (`;`, `=`, Vietnamese); url-encoded posts (no file part) too.
  let form: FormData;
  try {
    form = await readBoundedForm(request, EVIDENCE_MAX_BYTES + EVIDENCE_FORM_OVERHEAD);
    // Bounded in bytes above; in parts here (the body is already capped, so counting after
    // the parse holds at most that much in memory).
    assertPartCounts(form, EVIDENCE_MAX_FILES);
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      return data({ fieldErrors: { file: ['me.v.file'] }, values: {} }, { status: 413 });
    }
    if (error instanceof TooManyPartsError) {
      return data({ fieldErrors: { file: ['limits.tooManyFiles'] }, values: {} }, { status: 413 });
    }
    if (error instanceof Response) throw error; // readForm's 415 or 400
    throw badRequest();
  }
  const upload = form.get('file');
  if (upload instanceof File && upload.size > EVIDENCE_MAX_BYTES)
    return data({ fieldErrors: { file: ['me.v.file'] }, values: {} }, { status: 413 });
  const file = form.get('file');
  return submitEvidence(user, formDataToObject(form), file instanceof File ? file : null);
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, 'me.submissions.title');

export default function MySubmissions() {
  const { submissions, quota, quotaMax, maxBytes } = useLoaderData<typeof loader>();
  const sending = useNavigation().state === 'submitting';
  const actionData = useActionData<typeof action>() as
    { fieldErrors?: FieldErrors; values?: Record<string, string>; formError?: string } | undefined;
  const [clientErrors, setClientErrors] = useState<FieldErrors | null>(null);
  const [params] = useSearchParams();
  const t = useT();
  const f = useFormatters();
  const errors = clientErrors ?? actionData?.fieldErrors ?? {};
  const values = actionData?.values ?? {};
  return (
    <>
      <p>
        <Link to="/me">{t('me.print.back')}</Link>
      </p>
      <h1>{t('me.submissions.title')}</h1>
      <p>{t('me.submissions.intro')}</p>
      {params.get('sent') ? (
        <p className="panel" role="status">
          {t(params.get('sameFile') ? 'me.submissions.sentSameFile' : 'me.submissions.sentNow')}
        </p>
      ) : null}
      <Form
        method="post"
        encType="multipart/form-data"
        noValidate
        className="card"
        onSubmit={(event) => {
          const parsed = SubmissionSchema.safeParse(formDataToObject(new FormData(event.currentTarget)));
          let found = parsed.success ? null : fieldErrorsOf(parsed.error);
          // Over the limit is refused here, before a byte is sent (the server checks again).
          const file = new FormData(event.currentTarget).get('file');
          if (file instanceof File && file.size > maxBytes) found = { ...found, file: ['me.v.fileTooBig'] };
          setClientErrors(found);
          if (found) event.preventDefault();
        }}
      >
        <SelectField
          label={t('me.submissions.kind')}
          errors={errors.kind}
          selectProps={{ name: 'kind', defaultValue: values.kind ?? 'award' }}
        >
          {SUBMISSION_KINDS.map((k) => (
            <option key={k} value={k}>
              {t(`me.submissions.kind.${k}` as MessageKey)}
            </option>
          ))}
        </SelectField>
        <Field
          label={t('me.submissions.titleField')}
          errors={errors.title}
          inputProps={{ name: 'title', defaultValue: values.title ?? '', maxLength: 200, required: true }}
        />
        <Field
          label={t('me.submissions.date')}
          errors={errors.date}
          inputProps={{ name: 'date', type: 'date', defaultValue: values.date ?? '', required: true }}
        />
        <fieldset>
          <legend>{t('me.submissions.awardOnly')}</legend>
          <SelectField
            label={t('member.awardKind')}
            errors={errors.awardKind}
            selectProps={{ name: 'awardKind', defaultValue: values.awardKind ?? 'giay_khen' }}
          >
            {AWARD_KINDS.map((k) => (
              <option key={k} value={k}>
                {t(`member.awardKind.${k}` as MessageKey)}
              </option>
            ))}
          </SelectField>
          <SelectField
            label={t('member.awardLevel')}
            errors={errors.level}
            selectProps={{ name: 'level', defaultValue: values.level ?? 'school' }}
          >
            {AWARD_LEVELS.map((k) => (
              <option key={k} value={k}>
                {t(`member.awardLevel.${k}` as MessageKey)}
              </option>
            ))}
          </SelectField>
        </fieldset>
        <fieldset>
          <legend>{t('me.submissions.activityOnly')}</legend>
          <Field
            label={t('me.submissions.days')}
            errors={errors.days}
            inputProps={{ name: 'days', inputMode: 'numeric', defaultValue: values.days ?? '' }}
          />
        </fieldset>
        <Field
          label={t('me.submissions.evidence')}
          errors={errors.evidence}
          inputProps={{
            name: 'evidence',
            defaultValue: values.evidence ?? '',
            maxLength: 500,
            required: true,
          }}
        />
        <Field
          label={t('me.submissions.file')}
          errors={errors.file}
          inputProps={{ name: 'file', type: 'file', accept: 'image/jpeg,image/png,application/pdf' }}
        />
        <p className="field-hint" data-testid="evidence-quota">
          {t('me.quota.left', {
            files: quota.files,
            mb: f.decimal(quota.bytes / 1024 / 1024, 1),
            maxFiles: quotaMax.files,
            maxMb: quotaMax.bytes / 1024 / 1024,
          })}
        </p>
        {actionData?.formError ? (
          // Beside the button just pressed: the page keeps its scroll position after the post.
          <p className="form-error" role="alert" data-testid="submission-refused">
            {actionData.formError}
          </p>
        ) : null}
        <button type="submit" disabled={sending} aria-busy={sending}>
          {t(sending ? 'me.submissions.sending' : 'me.submissions.submit')}
        </button>
      </Form>
      <section aria-labelledby="sub-list" className="me-section">
        <h2 id="sub-list">{t('me.submissions.list')}</h2>
        {submissions.length === 0 ? (
          <p>{t('me.submissions.empty')}</p>
        ) : (
          <ul className="me-list" data-testid="submissions">
            {submissions.map((s) => (
              <li key={s.id}>
                <strong>{s.title}</strong> ({t(`me.submissions.kind.${s.kind}` as MessageKey)}) ·{' '}
                {t('me.submissions.sentOn', { date: f.date(s.createdAt) })} ·{' '}
                <span data-status={s.status}>{t(`me.submissions.status.${s.status}` as MessageKey)}</span>
                {s.file ? (
                  <>
                    <br />
                    <a href={`/me/submissions/${s.id}/file`}>
                      {t('me.submissions.fileLink', { name: s.file.name })}
                    </a>
                  </>
                ) : null}
                {s.sameFileAs ? (
                  <>
                    <br />
                    <span data-testid="same-file">
                      {t('me.v.duplicateFile', {
                        title: s.sameFileAs.title,
                        date: f.date(s.sameFileAs.createdAt),
                      })}
                    </span>
                  </>
                ) : null}
                {s.status === 'returned' && s.reason ? (
                  <>
                    <br />
                    {t('me.submissions.reason', { reason: s.reason })}
                  </>
                ) : null}
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}

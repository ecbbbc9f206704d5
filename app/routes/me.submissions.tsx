import { getFormProps } from '@conform-to/react';
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react';
import { z } from 'zod';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { Field, SelectField } from '~/components/forms';
import { useCheckedForm } from '~/components/checked-form';
import { AWARD_KINDS, AWARD_LEVELS } from '~/domain/criteria/types';
import { SUBMISSION_KINDS, SubmissionSchema } from '~/domain/submissions';
import type { MessageKey } from '~/i18n';
import { useFormatters, useT } from '~/i18n/use-t';
import meStyles from '~/styles/me.css?url';
import { requireConsent, requireStudent } from '~/utils/student/me.server';
import { pageTitle } from '~/utils/meta';
import { EVIDENCE_QUOTA, evidenceQuotaLeft } from '~/utils/student/evidence-quota.server';
import { EVIDENCE_MAX_FILES } from '~/utils/http-limits.server';
import { assertPartCounts, TooManyPartsError } from '~/utils/multipart.server';
import { EVIDENCE_MAX_BYTES, ownSubmissions, submitEvidence } from '~/utils/student/submissions.server';
import { errorsOf, type FormResult } from '~/utils/forms/conform';
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

/** The file part refused before it is read to its end (too big, too many parts). */
function fileRefused(message: MessageKey) {
  const result: FormResult = { status: 'error', error: { file: [message] } };
  return data({ result, fieldErrors: errorsOf(result), formError: null, values: {} }, { status: 413 });
}

/**
 * The browser's check: the server's schema, and a file over the limit refused before a
 * byte of it is sent (the server reads the limit again, and the type from the content).
 */
const browserSchema = (maxBytes: number) =>
  z.intersection(
    SubmissionSchema,
    z.object({
      file: z.unknown().refine((f) => !(f instanceof File) || f.size <= maxBytes, 'me.v.fileTooBig'),
    }),
  );

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
      return fileRefused('me.v.file');
    }
    if (error instanceof TooManyPartsError) return fileRefused('limits.tooManyFiles');
    if (error instanceof Response) throw error; // readForm's 415 or 400
    throw badRequest();
  }
  const upload = form.get('file');
  if (upload instanceof File && upload.size > EVIDENCE_MAX_BYTES) return fileRefused('me.v.file');
  return submitEvidence(user, form);
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, 'me.submissions.title');

export default function MySubmissions() {
  const { submissions, quota, quotaMax, maxBytes } = useLoaderData<typeof loader>();
  const sending = useNavigation().state === 'submitting';
  const actionData = useActionData<typeof action>();
  const { form, fields, blurCheck } = useCheckedForm({
    id: 'evidence',
    lastResult: actionData?.result,
    schema: browserSchema(maxBytes),
  });
  const [params] = useSearchParams();
  const t = useT();
  const f = useFormatters();
  const values: Record<string, string | undefined> = actionData?.values ?? {};
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
        className="card"
        {...getFormProps(form)}
        {...blurCheck}
      >
        <SelectField
          label={t('me.submissions.kind')}
          errors={fields.kind.errors}
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
          errors={fields.title.errors}
          inputProps={{ name: 'title', defaultValue: values.title ?? '', maxLength: 200, required: true }}
        />
        <Field
          label={t('me.submissions.date')}
          errors={fields.date.errors}
          inputProps={{ name: 'date', type: 'date', defaultValue: values.date ?? '', required: true }}
        />
        <fieldset>
          <legend>{t('me.submissions.awardOnly')}</legend>
          <SelectField
            label={t('member.awardKind')}
            errors={fields.awardKind.errors}
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
            errors={fields.level.errors}
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
            errors={fields.days.errors}
            inputProps={{ name: 'days', inputMode: 'numeric', defaultValue: values.days ?? '' }}
          />
        </fieldset>
        <Field
          label={t('me.submissions.evidence')}
          errors={fields.evidence.errors}
          inputProps={{
            name: 'evidence',
            defaultValue: values.evidence ?? '',
            maxLength: 500,
            required: true,
          }}
        />
        <Field
          label={t('me.submissions.file')}
          errors={fields.file.errors}
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

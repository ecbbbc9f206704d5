import { getFormProps } from '@conform-to/react';
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useSearchParams } from '@remix-run/react';
import { ErrorList, Field } from '~/components/forms';
import { useCheckedForm } from '~/components/checked-form';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { CONSENT_TEXT, CONSENT_VERSION, consentSchema, WithdrawSchema } from '~/domain/consent';
import { useFormatters, useLocale, useT } from '~/i18n/use-t';
import meStyles from '~/styles/me.css?url';
import { consentAction, consentPage, requireStudent } from '~/utils/student/me.server';
import { pageTitle } from '~/utils/meta';
import { readForm } from '~/utils/request-guards.server';

export const links = () => [{ rel: 'stylesheet', href: meStyles }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireStudent(request);
  return { consent: await consentPage(user) };
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireStudent(request);
  return consentAction(user, await readForm(request));
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, 'consent.title');

/** What withdrawing does, in the order the student needs it (Law 91/2025, Decree 356/2025). */
const WITHDRAW_EFFECTS = [
  'consent.withdrawEffect.pause',
  'consent.withdrawEffect.staff',
  'consent.withdrawEffect.refused',
  'consent.withdrawEffect.kept',
  'consent.withdrawEffect.again',
] as const;

export default function ConsentPage() {
  const { consent } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const [params] = useSearchParams();
  const t = useT();
  const locale = useLocale();
  const f = useFormatters();
  const minor = !!consent?.minor;
  // Each form checks its schema in the browser as the action does: a box or name checked
  // when left, every message and the first field focused on submit, nothing sent.
  const {
    form: giveForm,
    fields: give,
    blurCheck: giveBlur,
  } = useCheckedForm({
    id: 'consent-give',
    lastResult: actionData?.intent === 'give' ? actionData.result : undefined,
    schema: consentSchema(minor),
  });
  const {
    form: withdrawForm,
    fields: withdraw,
    blurCheck: withdrawBlur,
  } = useCheckedForm({
    id: 'consent-withdraw',
    lastResult: actionData?.intent === 'withdraw' ? actionData.result : undefined,
    schema: WithdrawSchema,
  });
  if (!consent) {
    return (
      <>
        <h1>{t('consent.title')}</h1>
        <p className="panel">{t('me.noRecord')}</p>
      </>
    );
  }
  return (
    <>
      <h1>{t('consent.title')}</h1>
      {consent.paused ? (
        // Withdrawn and not given again: paused, since when, and how to go on.
        <p className="panel" role="status" data-testid="consent-paused">
          {consent.withdrawnAt
            ? t('consent.pausedStudent', { date: f.date(consent.withdrawnAt) })
            : t('consent.withdrawn')}
        </p>
      ) : params.get('withdrawn') ? (
        <p className="panel" role="status">
          {t('consent.withdrawn')}
        </p>
      ) : null}
      {consent.current ? (
        <>
          <div className="card">
            <p data-testid="consent-given">
              {t('consent.given', { date: f.date(consent.givenAt), version: consent.version ?? '' })}
            </p>
            {consent.guardianName ? (
              <p>{t('consent.guardianGiven', { name: consent.guardianName })}</p>
            ) : null}
            <p>
              <Link to="/me">{t('consent.goToRecord')}</Link>
            </p>
          </div>
          <section className="card me-withdraw" aria-labelledby="withdraw-title">
            <h2 id="withdraw-title">{t('consent.withdrawTitle')}</h2>
            <p>{t('consent.withdrawIntro')}</p>
            <ul>
              {WITHDRAW_EFFECTS.map((key) => (
                <li key={key}>{t(key)}</li>
              ))}
            </ul>
            <Form method="post" {...getFormProps(withdrawForm)} {...withdrawBlur}>
              <input type="hidden" name="intent" value="withdraw" />
              <ConsentBox
                id="consent-withdraw-confirm"
                name="confirm"
                label={t('consent.withdrawConfirm')}
                errors={withdraw.confirm.errors}
              />
              <button type="submit" className="button-danger">
                {t('consent.withdraw')}
              </button>
            </Form>
          </section>
        </>
      ) : (
        <>
          <p>{t('consent.needed')}</p>
          <div className="card me-consent-text">
            <p className="muted">{t('consent.version', { version: CONSENT_VERSION })}</p>
            {CONSENT_TEXT[locale].map((paragraph, i) => (
              <p key={i}>{paragraph}</p>
            ))}
          </div>
          <Form method="post" {...getFormProps(giveForm)} {...giveBlur}>
            <input type="hidden" name="intent" value="give" />
            {consent.minor ? (
              <>
                <p className="panel">{t('consent.minorNote')}</p>
                <Field
                  label={t('consent.guardian')}
                  errors={give.guardianName.errors}
                  inputProps={{
                    name: 'guardianName',
                    required: true,
                    maxLength: 120,
                    autoComplete: 'off',
                    defaultValue: actionData?.intent === 'give' ? (actionData.values.guardianName ?? '') : '',
                  }}
                />
              </>
            ) : null}
            <ConsentBox
              id="consent-agree"
              name="agree"
              label={t('consent.agree')}
              errors={give.agree.errors}
            />
            <button type="submit">{t('consent.submit')}</button>
          </Form>
        </>
      )}
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}

/** The box the student ticks to give or to withdraw consent, with its message beside it. */
function ConsentBox({
  id,
  name,
  label,
  errors,
}: {
  id: string;
  name: string;
  label: string;
  errors: readonly string[] | undefined;
}) {
  const invalid = !!errors?.length;
  return (
    <div className="field me-consent-box">
      <div className="checkbox">
        <input
          id={id}
          type="checkbox"
          name={name}
          value="on"
          aria-invalid={invalid || undefined}
          aria-describedby={invalid ? `${id}-error` : undefined}
        />
        <label htmlFor={id}>{label}</label>
      </div>
      <ErrorList id={`${id}-error`} errors={errors?.slice(0, 1)} />
    </div>
  );
}

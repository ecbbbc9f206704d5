import { getFormProps } from '@conform-to/react';
import {
  data,
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react';
import { useCheckedForm } from '~/components/checked-form';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { ErrorList, Field } from '~/components/forms';
import type { KindChoice } from '~/utils/notifications/preferences.server';
import { useFormatters, useT } from '~/i18n/use-t';
import notificationStyles from '~/styles/notifications.css?url';
import { requireUser } from '~/utils/auth/permissions.server';
import { typedValues } from '~/utils/forms/conform';
import { NotifyEmailSchema, preferencesSchema } from '~/utils/forms/notifications';
import { pageTitle } from '~/utils/meta';
import { preferencesPage, saveNotifyEmail, savePreferences } from '~/utils/notifications/preferences.server';
import { readForm } from '~/utils/request-guards.server';
import { forbidden, unknownIntent } from '~/utils/responses.server';

export const links = () => [{ rel: 'stylesheet', href: notificationStyles }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  return preferencesPage(user);
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const form = await readForm(request);
  switch (form.get('intent')) {
    case 'preferences': {
      const saved = await savePreferences(user, form);
      if (!saved.ok)
        return data(
          { intent: 'preferences' as const, result: saved.submission.reply(), values: {} },
          { status: 400 },
        );
      throw redirect('/settings/notifications?ok=notificationPreferencesSaved');
    }
    case 'email': {
      // Only students give a separate address; staff are mailed at their sign-in address.
      if (user.role !== 'student') throw forbidden();
      const saved = await saveNotifyEmail(user, form);
      if (!saved.ok) {
        const values = typedValues(saved.submission.payload);
        return data({ intent: 'email' as const, result: saved.submission.reply(), values }, { status: 400 });
      }
      const ok = saved.outcome === 'withdrawn' ? 'notifyEmailWithdrawn' : 'notifyEmailSaved';
      throw redirect(`/settings/notifications?ok=${ok}`);
    }
    default:
      throw unknownIntent();
  }
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, 'notifications.settings.title');

export default function NotificationSettingsPage() {
  const { kinds, email } = useLoaderData<typeof loader>();
  const t = useT();
  return (
    <>
      <p>
        <Link to="/notifications">{t('notifications.backToList')}</Link>
      </p>
      <h1>{t('notifications.settings.title')}</h1>
      {kinds.length ? (
        <PreferencesForm kinds={kinds} />
      ) : (
        <p className="panel">{t('notifications.settings.noKinds')}</p>
      )}
      {email ? <NotifyEmailForm email={email} /> : null}
    </>
  );
}

function PreferencesForm({ kinds }: { kinds: KindChoice[] }) {
  const actionData = useActionData<typeof action>();
  const t = useT();
  const { form, fields, blurCheck } = useCheckedForm({
    id: 'notification-preferences',
    schema: preferencesSchema(kinds.map((k) => k.kind)),
    lastResult: actionData?.intent === 'preferences' ? actionData.result : undefined,
  });
  return (
    <Form method="post" {...getFormProps(form)} {...blurCheck} className="notification-preferences">
      <input type="hidden" name="intent" value="preferences" />
      <p className="muted">{t('notifications.settings.intro')}</p>
      {kinds.map((k) => {
        const errors = fields[k.kind]?.errors;
        const errorId = `pref-${k.kind}-error`;
        return (
          <fieldset
            key={k.kind}
            className="card notification-kind-choice"
            aria-describedby={errors?.length ? errorId : undefined}
          >
            <legend>{t(`notifications.kind.${k.kind}`)}</legend>
            <p className="field-hint">{t(`notifications.kind.${k.kind}.hint`)}</p>
            {k.mandatory ? <p className="field-hint">{t('notifications.settings.mandatory')}</p> : null}
            <div className="delivery-choices">
              {k.choices.map((d) => (
                <div className="radio" key={d}>
                  <input
                    type="radio"
                    id={`pref-${k.kind}-${d}`}
                    name={k.kind}
                    value={d}
                    defaultChecked={k.current === d}
                  />
                  <label htmlFor={`pref-${k.kind}-${d}`}>
                    {t(`notifications.delivery.${d}`)}
                    <span className="delivery-hint">{t(`notifications.delivery.${d}.hint`)}</span>
                  </label>
                </div>
              ))}
            </div>
            <ErrorList id={errorId} errors={errors} />
          </fieldset>
        );
      })}
      <button type="submit">{t('notifications.settings.save')}</button>
    </Form>
  );
}

function NotifyEmailForm({ email }: { email: { notifyEmail: string | null; consentAt: string | null } }) {
  const actionData = useActionData<typeof action>();
  const t = useT();
  const fmt = useFormatters();
  const refused = actionData?.intent === 'email' ? actionData : undefined;
  const { form, fields, blurCheck } = useCheckedForm({
    id: 'notify-email',
    schema: NotifyEmailSchema,
    lastResult: refused?.result,
  });
  const consentErrors = fields.consent.errors;
  return (
    <section className="card notify-email" aria-labelledby="notify-email-title">
      <h2 id="notify-email-title">{t('notifications.email.title')}</h2>
      <p>{t('notifications.email.intro')}</p>
      {email.notifyEmail && email.consentAt ? (
        <p data-testid="notify-email-current">
          {t('notifications.email.current', {
            email: email.notifyEmail,
            date: fmt.dateTime(email.consentAt, { seconds: false }),
          })}
        </p>
      ) : null}
      <Form method="post" {...getFormProps(form)} {...blurCheck}>
        <input type="hidden" name="intent" value="email" />
        <Field
          label={t('notifications.email.label')}
          errors={fields.notifyEmail.errors}
          hint={t('notifications.email.hint')}
          inputProps={{
            name: 'notifyEmail',
            type: 'email',
            maxLength: 254,
            autoComplete: 'email',
            defaultValue: refused?.values.notifyEmail ?? email.notifyEmail ?? '',
          }}
        />
        <div className="field">
          <div className="checkbox">
            <input
              id="notify-email-consent"
              type="checkbox"
              name="consent"
              value="on"
              aria-invalid={consentErrors?.length ? true : undefined}
              aria-describedby={consentErrors?.length ? 'notify-email-consent-error' : undefined}
            />
            <label htmlFor="notify-email-consent">{t('notifications.email.consent')}</label>
          </div>
          <ErrorList id="notify-email-consent-error" errors={consentErrors} />
        </div>
        <button type="submit">{t('notifications.email.save')}</button>
      </Form>
      {email.notifyEmail ? (
        <Form method="post" className="notify-email-withdraw">
          <input type="hidden" name="intent" value="email" />
          <input type="hidden" name="notifyEmail" value="" />
          <button type="submit" className="button-secondary">
            {t('notifications.email.withdraw')}
          </button>
        </Form>
      ) : null}
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}

import {
  data,
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from '@remix-run/node';
import { Form, useActionData, useNavigation, useSearchParams } from '@remix-run/react';
import { useState } from 'react';
import { z } from 'zod';
import { Field, FormError } from '~/components/forms';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { useT } from '~/i18n/use-t';
import { getOptionalUser } from '~/utils/auth.server';
import { verifyLogin } from '~/utils/login.server';
import { pageTitle } from '~/utils/meta';
import { formDataToObject } from '~/utils/misc';
import { ROLE_HOME } from '~/domain/permissions';
import { PasswordBusyError } from '~/utils/password.server';
import { consumeLoginAttempt, loginSucceeded } from '~/utils/rate-limit.server';
import { safeRedirect } from '~/utils/safe-redirect';
import { createSession, destroySession } from '~/utils/session.server';
import { checkOnSubmit, fieldErrorsOf, type FieldErrors } from '~/utils/validation';
import { readForm } from '~/utils/request-guards.server';

const LoginSchema = z.object({
  email: z
    .string()
    .trim()
    .min(1, 'validation.required')
    .max(254, 'validation.tooLong')
    .pipe(z.email('validation.email')),
  password: z.string().min(1, 'validation.passwordRequired').max(200, 'validation.tooLong'),
  redirectTo: z.string().optional(),
});

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await getOptionalUser(request);
  if (user) {
    const redirectTo = new URL(request.url).searchParams.get('redirectTo');
    throw redirect(safeRedirect(redirectTo, ROLE_HOME[user.role]));
  }
  return null;
}

export async function action({ request, context }: ActionFunctionArgs) {
  const parsed = LoginSchema.safeParse(formDataToObject(await readForm(request)));
  if (!parsed.success) {
    return data(
      { fieldErrors: fieldErrorsOf(parsed.error), formError: null, retryMinutes: 0 },
      { status: 400 },
    );
  }
  const { email, password, redirectTo } = parsed.data;
  const ip = context?.clientIp || 'unknown';

  // Counted before the password is hashed (docs/decisions/024-sign-in-limits.md): guesses
  // sent in parallel each take a point first, so only the first few are ever checked.
  const retryAfter = await consumeLoginAttempt(email, ip);
  if (retryAfter > 0) return tooMany('login.rateLimited', retryAfter);

  let user: Awaited<ReturnType<typeof verifyLogin>>;
  try {
    user = await verifyLogin(email, password);
  } catch (error) {
    // The hashing queue is full: refused at once rather than waiting behind a flood.
    if (error instanceof PasswordBusyError) return tooMany('login.busy', error.retryAfter);
    throw error;
  }
  if (!user) {
    // One message for an unknown email and a wrong password: no account enumeration.
    return data(
      { fieldErrors: {} as FieldErrors, formError: 'login.invalidCredentials' as const, retryMinutes: 0 },
      { status: 400 },
    );
  }

  await loginSucceeded(email, ip);
  // A session the browser still carries (another user on a shared computer) ends here.
  await destroySession(request);
  const cookie = await createSession(user.id, { ip, userAgent: request.headers.get('User-Agent'), request });
  throw redirect(safeRedirect(redirectTo, ROLE_HOME[user.role]), { headers: { 'Set-Cookie': cookie } });
}

function tooMany(formError: 'login.rateLimited' | 'login.busy', retryAfter: number) {
  return data(
    { fieldErrors: {} as FieldErrors, formError, retryMinutes: Math.ceil(retryAfter / 60) },
    { status: 429, headers: { 'Retry-After': String(retryAfter) } },
  );
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, 'login.title');

export default function LoginPage() {
  const t = useT();
  const actionData = useActionData<typeof action>();
  const [searchParams] = useSearchParams();
  const navigation = useNavigation();
  const [clientErrors, setClientErrors] = useState<FieldErrors | null>(null);
  const errors = clientErrors ?? actionData?.fieldErrors ?? {};
  const submitting = navigation.state === 'submitting';

  return (
    <section className="login" aria-labelledby="login-title">
      <h1 id="login-title">{t('login.title')}</h1>
      <p className="muted">{t('login.intro')}</p>
      {!clientErrors ? (
        <FormError message={actionData?.formError} params={{ minutes: actionData?.retryMinutes ?? 0 }} />
      ) : null}
      <Form
        method="post"
        className="form"
        noValidate
        onSubmit={(event) => setClientErrors(checkOnSubmit(event, LoginSchema))}
      >
        <input type="hidden" name="redirectTo" value={searchParams.get('redirectTo') ?? ''} />
        <Field
          label={t('login.email')}
          errors={errors.email}
          inputProps={{
            name: 'email',
            type: 'email',
            autoComplete: 'username',
            required: true,
            autoFocus: true,
          }}
        />
        <Field
          label={t('login.password')}
          errors={errors.password}
          inputProps={{
            name: 'password',
            type: 'password',
            autoComplete: 'current-password',
            required: true,
          }}
        />
        <div className="form-actions">
          <button type="submit" disabled={submitting}>
            {submitting ? t('login.submitting') : t('login.submit')}
          </button>
        </div>
      </Form>
      <p className="field-hint">{t('login.demoHint')}</p>
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}

import {
  data,
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from '@remix-run/node';
import { getFormProps, getInputProps, useForm } from '@conform-to/react';
import { parseWithZod } from '@conform-to/zod/v4';
import { Form, useActionData, useNavigation, useSearchParams } from '@remix-run/react';
import { z } from 'zod';
import { Field, FormError } from '~/components/forms';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { useT } from '~/i18n/use-t';
import { getOptionalUser } from '~/utils/auth/auth.server';
import { verifyLogin } from '~/utils/auth/login.server';
import { pageTitle } from '~/utils/meta';
import { ROLE_HOME } from '~/domain/permissions';
import { PasswordBusyError } from '~/utils/auth/password.server';
import { consumeLoginAttempt, loginSucceeded } from '~/utils/auth/rate-limit.server';
import { safeRedirect } from '~/utils/safe-redirect';
import { createSession, destroySession } from '~/utils/auth/session.server';
import { readForm } from '~/utils/request-guards.server';

// conform reads a blank field as missing: `error` is then the message.
const LoginSchema = z.object({
  email: z
    .string({ error: 'validation.required' })
    .trim()
    .min(1, 'validation.required')
    .max(254, 'validation.tooLong')
    .pipe(z.email('validation.email')),
  password: z
    .string({ error: 'validation.passwordRequired' })
    .min(1, 'validation.passwordRequired')
    .max(200, 'validation.tooLong'),
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
  const submission = parseWithZod(await readForm(request), { schema: LoginSchema });
  if (submission.status !== 'success') {
    // `result` for the form (the password is never sent back); `fieldErrors`: the same by field.
    const result = submission.reply({ hideFields: ['password'] });
    const fieldErrors = Object.fromEntries(
      Object.entries(result.error ?? {}).flatMap(([name, list]) => (list?.length ? [[name, list]] : [])),
    ) as FieldErrors;
    return data({ result, fieldErrors, formError: null, retryMinutes: 0 }, { status: 400 });
  }
  const { email, password, redirectTo } = submission.value;
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

type FieldErrors = Partial<Record<'email' | 'password', string[]>>;

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
  const [form, fields] = useForm({
    id: 'login',
    lastResult: actionData && 'result' in actionData ? actionData.result : undefined,
    // Checked by the server only: two fields need no schema in the browser, and leaving zod
    // out keeps the first page anyone opens ~23 KB gzipped lighter (docs/benchmarks.md).
    shouldValidate: 'onSubmit',
    shouldRevalidate: 'onInput',
  });
  const fieldInvalid = !!(fields.email.errors?.length || fields.password.errors?.length);
  const submitting = navigation.state === 'submitting';
  const input = (field: typeof fields.email, type: 'email' | 'password') => {
    const { key: _key, ...props } = getInputProps(field, { type, ariaAttributes: false });
    return { ...props, required: true };
  };

  return (
    <section className="login" aria-labelledby="login-title">
      <h1 id="login-title">{t('login.title')}</h1>
      <p className="muted">{t('login.intro')}</p>
      {!fieldInvalid ? (
        <FormError message={actionData?.formError} params={{ minutes: actionData?.retryMinutes ?? 0 }} />
      ) : null}
      <Form method="post" className="form" {...getFormProps(form)}>
        <input type="hidden" name="redirectTo" value={searchParams.get('redirectTo') ?? ''} />
        <Field
          label={t('login.email')}
          errors={fields.email.errors}
          inputProps={{ ...input(fields.email, 'email'), autoComplete: 'username', autoFocus: true }}
        />
        <Field
          label={t('login.password')}
          errors={fields.password.errors}
          inputProps={{ ...input(fields.password, 'password'), autoComplete: 'current-password' }}
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

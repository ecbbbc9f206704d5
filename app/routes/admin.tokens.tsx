import {
  data,
  type ActionFunctionArgs,
  type HeadersFunction,
  type LoaderFunctionArgs,
  type MetaFunction,
} from '@remix-run/node';
import { Form, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { AdminTable, ConfirmAction, StatusBadge } from '~/components/admin-list';
import { useState } from 'react';
import { z } from 'zod';
import { CopySecret } from '~/components/copy-secret';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { Field, FormError, SelectField } from '~/components/forms';
import { vietnamDay } from '~/domain/calendar';
import { isHolidayRangeDay } from '~/domain/holidays';
import { useFormatters, useT } from '~/i18n/use-t';
import {
  createApiToken,
  listApiTokens,
  revokeApiToken,
  scopeUnitOf,
  tokenScopeOptions,
} from '~/utils/api/api-auth.server';
import { pageTitle } from '~/utils/meta';
import { formDataToObject } from '~/utils/misc';
import { requireUser } from '~/utils/auth/permissions.server';
import { checkOnSubmit, fieldErrorsOf, type FieldErrors } from '~/utils/validation';
import { readForm } from '~/utils/request-guards.server';
import { isObjectId, OBJECT_ID_PATTERN } from '~/domain/ids';
import { notFound, unknownIntent } from '~/utils/responses.server';

/** Today in Vietnam (UTC+7, no daylight saving), YYYY-MM-DD: the browser and the server agree. */
const vietnamToday = () => vietnamDay(new Date());

const TokenCreateSchema = z.object({
  name: z
    .string({ error: 'tokens.v.nameRequired' })
    .trim()
    .min(1, 'tokens.v.nameRequired')
    .max(100, 'tokens.v.nameTooLong'),
  unitId: z.string({ error: 'tokens.v.unitRequired' }).regex(OBJECT_ID_PATTERN, 'tokens.v.unitRequired'),
  // The last day the token works (Vietnam time); empty: no expiry.
  expiresOn: z
    .string()
    .optional()
    .transform((v) => v?.trim() || undefined)
    .pipe(
      z
        .string()
        .refine(isHolidayRangeDay, 'tokens.v.expiryInvalid')
        .refine((v) => v >= vietnamToday(), 'tokens.v.expiryPast')
        .optional(),
    ),
});

type Values = { name?: string; unitId?: string; expiresOn?: string };

const NO_STORE = { 'Cache-Control': 'no-store' };

export async function loader({ request }: LoaderFunctionArgs) {
  await requireUser(request, { permission: 'user:manage' });
  const [tokens, units] = await Promise.all([listApiTokens(), tokenScopeOptions()]);
  return { tokens, units, today: vietnamToday() };
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request, { permission: 'user:manage' });
  const values = formDataToObject(await readForm(request));
  const echo: Values = { name: values.name, unitId: values.unitId, expiresOn: values.expiresOn };
  switch (values.intent) {
    case 'create': {
      const parsed = TokenCreateSchema.safeParse(values);
      if (!parsed.success) {
        return data(
          {
            intent: 'create' as const,
            fieldErrors: fieldErrorsOf(parsed.error),
            values: echo,
            created: null,
          },
          { status: 400 },
        );
      }
      if (!(await scopeUnitOf(parsed.data.unitId))) {
        const fieldErrors: FieldErrors = { unitId: ['tokens.v.unitInvalid'] };
        return data({ intent: 'create' as const, fieldErrors, values: echo, created: null }, { status: 400 });
      }
      const { secret, prefix } = await createApiToken(user, parsed.data);
      // The one response that carries the secret: never cached anywhere.
      return data(
        {
          intent: 'create' as const,
          fieldErrors: {} as FieldErrors,
          values: {} as Values,
          created: { name: parsed.data.name, secret, prefix },
        },
        { headers: NO_STORE },
      );
    }
    case 'revoke': {
      if (!isObjectId(values.id) || !(await revokeApiToken(user, values.id))) {
        throw notFound();
      }
      return data({
        intent: 'revoke' as const,
        fieldErrors: {} as FieldErrors,
        values: {} as Values,
        created: null,
      });
    }
    default:
      throw unknownIntent();
  }
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, 'tokens.title');

// The page right after a creation holds the secret: no cache keeps it.
export const headers: HeadersFunction = () => NO_STORE;

export default function TokensPage() {
  const { tokens, units, today } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const t = useT();
  const fmt = useFormatters();
  const busy = useNavigation().state === 'submitting';
  const [clientErrors, setClientErrors] = useState<FieldErrors | null>(null);
  const serverCreate = actionData?.intent === 'create' ? actionData : null;
  const errors = clientErrors ?? serverCreate?.fieldErrors ?? {};
  const values = serverCreate?.values ?? {};
  const created = serverCreate?.created ?? null;

  return (
    <>
      <h1>{t('tokens.title')}</h1>
      <p className="muted">{t('tokens.intro')}</p>
      <p>
        <a href="/api/v1/openapi.json">{t('tokens.docsLink')}</a>
      </p>

      {created ? (
        <section className="panel" role="status" aria-labelledby="token-created-title">
          <h2 id="token-created-title">{t('tokens.createdTitle', { name: created.name })}</h2>
          <p>
            <strong>{t('tokens.copyHint')}</strong>
          </p>
          <CopySecret id="token-secret" label={t('tokens.secretLabel')} value={created.secret} />
          <p className="field-hint">
            {t('tokens.usage')} <code>Authorization: Bearer {created.prefix}…</code>
          </p>
        </section>
      ) : null}
      {actionData?.intent === 'revoke' ? (
        <p role="status" className="muted">
          {t('tokens.revoked')}
        </p>
      ) : null}

      <section className="panel" aria-labelledby="token-create-title">
        <h2 id="token-create-title">{t('tokens.create')}</h2>
        {/* A new token remounts the form: its fields start empty again. */}
        <Form
          key={created?.prefix ?? 'create'}
          method="post"
          noValidate
          onSubmit={(e) => setClientErrors(checkOnSubmit(e, TokenCreateSchema))}
        >
          <input type="hidden" name="intent" value="create" />
          <FormError message={errors._form?.[0]} />
          <Field
            label={t('tokens.name')}
            errors={errors.name}
            inputProps={{
              id: 'token-name',
              name: 'name',
              required: true,
              maxLength: 100,
              defaultValue: values.name ?? '',
            }}
          />
          <SelectField
            label={t('tokens.unit')}
            errors={errors.unitId}
            selectProps={{
              id: 'token-unit',
              name: 'unitId',
              required: true,
              defaultValue: values.unitId ?? '',
            }}
          >
            <option value="">{t('tokens.unitPlaceholder')}</option>
            {units.map((u) => (
              <option key={u.id} value={u.id}>
                {u.label}
              </option>
            ))}
          </SelectField>
          <Field
            label={t('tokens.expiresOn')}
            hint={t('tokens.expiresHint')}
            errors={errors.expiresOn}
            inputProps={{
              id: 'token-expires',
              name: 'expiresOn',
              type: 'date',
              min: today,
              defaultValue: values.expiresOn ?? '',
            }}
          />
          <button type="submit" disabled={busy}>
            {t('tokens.createSubmit')}
          </button>
        </Form>
      </section>

      <AdminTable
        count={t('tokens.count', { count: fmt.number(tokens.length) })}
        columns={[
          t('tokens.col.name'),
          t('tokens.col.prefix'),
          t('tokens.col.unit'),
          t('tokens.col.created'),
          t('tokens.col.lastUsed'),
          t('tokens.col.validThrough'),
          t('tokens.col.status'),
          t('tokens.col.actions'),
        ]}
        empty={t('tokens.empty')}
      >
        {tokens.map((row) => (
          <tr key={row.id}>
            <td>{row.name}</td>
            <td>
              <code>{row.prefix}…</code>
            </td>
            <td>{row.unit}</td>
            <td>
              {fmt.date(row.createdAt)}
              {row.createdBy ? ` · ${row.createdBy}` : ''}
            </td>
            <td>{row.lastUsedAt ? fmt.date(row.lastUsedAt) : t('tokens.never')}</td>
            <td>{row.validThrough ? fmt.date(`${row.validThrough}T12:00:00Z`) : t('tokens.noExpiry')}</td>
            <td>
              <StatusBadge active={row.status === 'active'}>{t(`tokens.status.${row.status}`)}</StatusBadge>
            </td>
            <td>
              {row.status === 'revoked' ? null : (
                <ConfirmAction
                  label={t('tokens.revoke')}
                  confirm={t('tokens.revokeConfirm', { name: row.name })}
                  intent="revoke"
                  id={row.id}
                  busy={busy}
                />
              )}
            </td>
          </tr>
        ))}
      </AdminTable>
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}

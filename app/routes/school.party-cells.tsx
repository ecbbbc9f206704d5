import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, useActionData, useLoaderData, useSearchParams } from '@remix-run/react';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { BrokeMembers } from '~/components/broke-members';
import { Field } from '~/components/forms';
import { useFormatters, useT } from '~/i18n/use-t';
import { brokeMembersOfParams } from '~/utils/members/broke-members.server';
import { pageTitle } from '~/utils/meta';
import { partyCellRegisters, recordRegister } from '~/utils/pipeline/party-register.server';
import { requireUser, scopeFilter } from '~/utils/auth/permissions.server';
import { readForm } from '~/utils/request-guards.server';

// The chi bộ registers are the Party side's (the school Party committee, and admins).
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request, { permission: 'pipeline:party' });
  // After a change that broke recorded votes: those members, looked up in the user's scope.
  const params = new URL(request.url).searchParams;
  return {
    cells: await partyCellRegisters(user),
    broke: await brokeMembersOfParams(params, scopeFilter(user), user.id),
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request, { permission: 'pipeline:party' });
  return recordRegister(user, await readForm(request));
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, 'register.title');

export default function PartyCellRegisters() {
  const { cells, broke } = useLoaderData<typeof loader>();
  const failure = useActionData<typeof action>();
  const [params] = useSearchParams();
  const t = useT();
  const f = useFormatters();
  const saved = params.get('ok');
  return (
    <>
      <h1>{t('register.title')}</h1>
      <p>{t('register.intro')}</p>
      {cells.length === 0 ? <p>{t('register.empty')}</p> : null}
      {cells.map((cell) => {
        const errors = failure?.cellId === cell.id ? failure.fieldErrors : {};
        const values = failure?.cellId === cell.id ? failure.values : undefined;
        return (
          <section key={cell.id} className="panel" aria-labelledby={`cell-${cell.id}`}>
            <h2 id={`cell-${cell.id}`}>
              {cell.name} ({cell.code})
            </h2>
            {saved === cell.id ? (
              broke ? (
                <BrokeMembers view={broke} lead="register.broke" />
              ) : (
                <p role="status" className="form-success">
                  {t('register.saved')}
                </p>
              )
            ) : null}
            <p>
              {cell.today === null ? t('register.todayUnknown') : t('register.today', { count: cell.today })}
            </p>
            {cell.entries.length ? (
              <table className="data-table">
                <caption>{t('register.history')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('register.from')}</th>
                    <th scope="col">{t('register.count')}</th>
                    <th scope="col">{t('register.reason')}</th>
                    <th scope="col">{t('register.by')}</th>
                  </tr>
                </thead>
                <tbody>
                  {cell.entries.map((e, i) => (
                    <tr key={i}>
                      <td>{f.date(e.from)}</td>
                      <td>{e.count}</td>
                      <td>{e.reason}</td>
                      <td>
                        {e.by ?? '—'}
                        {e.at ? `, ${f.dateTime(e.at)}` : ''}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : null}
            <Form method="post" className="form-row" noValidate>
              <input type="hidden" name="cellId" value={cell.id} />
              <Field
                label={t('register.count')}
                errors={errors.count}
                inputProps={{
                  name: 'count',
                  inputMode: 'numeric',
                  required: true,
                  defaultValue: values?.count ?? '',
                }}
              />
              <Field
                label={t('register.from')}
                errors={errors.from}
                inputProps={{ name: 'from', type: 'date', required: true, defaultValue: values?.from ?? '' }}
              />
              <Field
                label={t('register.reason')}
                errors={errors.reason}
                inputProps={{
                  name: 'reason',
                  required: true,
                  maxLength: 500,
                  defaultValue: values?.reason ?? '',
                }}
              />
              <button type="submit" className="button">
                {t('register.record')}
              </button>
            </Form>
          </section>
        );
      })}
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}

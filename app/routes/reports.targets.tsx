import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { FormError, SelectField } from '~/components/forms';
import { TargetProgress } from '~/components/target-progress';
import { vietnamYear } from '~/domain/calendar';
import { useFormatters, useT } from '~/i18n/use-t';
import printStyles from '~/styles/print.css?url';
import { pageTitle } from '~/utils/meta';
import { requireUser } from '~/utils/auth/permissions.server';
import {
  loadTargets,
  originalField,
  parseTargetYear,
  saveTargets,
  TARGET_MAX,
  targetField,
  targetYears,
} from '~/utils/reports/targets.server';
import { readForm } from '~/utils/request-guards.server';
import { invariantResponse } from '~/utils/responses.server';

// Progress bar and print rules.
export const links = () => [{ rel: 'stylesheet', href: printStyles }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request, { permission: 'target:manage' });
  const year = parseTargetYear(new URL(request.url).searchParams.get('year'));
  const rows = await loadTargets(user, year);
  return {
    year,
    years: targetYears(),
    currentYear: vietnamYear(),
    // A server constant: the component may not import the .server module's values.
    max: TARGET_MAX,
    rows: rows.map((r) => ({ ...r, field: targetField(r.id), origField: originalField(r.id) })),
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request, { permission: 'target:manage' });
  const form = await readForm(request);
  const year = Number(form.get('year'));
  invariantResponse(targetYears().includes(year), 'Bad year');
  return saveTargets(user, year, form);
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, 'targets.title');

export default function TargetsPage() {
  const { year, years, currentYear, max, rows } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const t = useT();
  const f = useFormatters();
  const busy = useNavigation().state === 'submitting';
  const errors = actionData?.fieldErrors ?? {};
  const values = actionData?.values ?? {};
  const totals = rows.reduce(
    (sum, r) => ({
      target: sum.target + (r.target ?? 0),
      admitted: sum.admitted + r.admitted,
      withTarget: sum.withTarget + (r.target === null ? 0 : 1),
    }),
    { target: 0, admitted: 0, withTarget: 0 },
  );

  return (
    <>
      <h1>{t('targets.title')}</h1>
      <p className="muted">{t('targets.intro', { max: f.number(max) })}</p>

      <Form method="get" className="filters">
        <SelectField
          label={t('targets.year')}
          selectProps={{ id: 'targets-year', name: 'year', defaultValue: String(year) }}
        >
          {years.map((y) => (
            <option key={y} value={y}>
              {y === currentYear ? t('targets.yearCurrent', { year: y }) : y}
            </option>
          ))}
        </SelectField>
        <button type="submit">{t('targets.show')}</button>
      </Form>

      <p data-testid="targets-summary">
        {t('targets.summary', {
          year,
          schools: f.number(rows.length),
          withTarget: f.number(totals.withTarget),
          target: f.number(totals.target),
          admitted: f.number(totals.admitted),
        })}
      </p>

      {rows.length ? (
        // Browser checks (number, min, max, step) give instant feedback; the server repeats them with zod.
        <Form method="post" key={year}>
          <FormError message={actionData?.formError} />
          <input type="hidden" name="year" value={year} />
          <div className="table-wrap">
            <table>
              <caption className="muted">{t('targets.caption', { year })}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('targets.col.school')}</th>
                  <th scope="col">{t('targets.col.target')}</th>
                  <th scope="col" className="num">
                    {t('targets.col.admitted')}
                  </th>
                  <th scope="col">{t('targets.col.progress')}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => {
                  const fieldErrors = errors[r.field];
                  const errorId = `${r.field}-error`;
                  return (
                    <tr key={r.id}>
                      <th scope="row" id={`${r.field}-name`}>
                        {r.name}
                      </th>
                      <td>
                        <input type="hidden" name={r.origField} value={r.target ?? ''} />
                        <input
                          id={r.field}
                          name={r.field}
                          type="number"
                          inputMode="numeric"
                          min={0}
                          max={max}
                          step={1}
                          size={6}
                          defaultValue={values[r.field] ?? (r.target === null ? '' : String(r.target))}
                          aria-label={t('targets.inputLabel', { school: r.name, year })}
                          aria-invalid={fieldErrors?.length ? true : undefined}
                          aria-describedby={fieldErrors?.length ? errorId : undefined}
                        />
                        {fieldErrors?.length ? (
                          <div id={errorId}>
                            {fieldErrors.map((e) => (
                              <p key={e} className="field-error">
                                {t(e)}
                              </p>
                            ))}
                          </div>
                        ) : null}
                      </td>
                      <td className="num">{f.number(r.admitted)}</td>
                      <td>
                        <TargetProgress admitted={r.admitted} target={r.target} label={r.name} />
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <p className="field-hint">{t('targets.emptyHint')}</p>
          <div className="form-actions">
            <button type="submit" disabled={busy}>
              {t('targets.save')}
            </button>
            <Link to="/reports">{t('targets.backToReports')}</Link>
          </div>
        </Form>
      ) : (
        <p>{t('targets.noSchools')}</p>
      )}
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}

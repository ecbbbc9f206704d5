import { getFormProps } from '@conform-to/react';
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { AdminTable, ConfirmAction } from '~/components/admin-list';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { Field, SelectField } from '~/components/forms';
import { useCheckedForm } from '~/components/checked-form';
import { HOLIDAY_KINDS, HolidayRenameSchema, HolidaySchema } from '~/domain/holidays';
import { useFormatters, useLocale, useT } from '~/i18n/use-t';
import { holidayAction, holidayYears, listHolidays, parseYear } from '~/utils/admin/holidays.server';
import { pageTitle } from '~/utils/meta';
import { requireUser } from '~/utils/auth/permissions.server';
import type { HolidayActionData } from '~/utils/admin/holidays.server';
import { readForm } from '~/utils/request-guards.server';

export async function loader({ request }: LoaderFunctionArgs) {
  await requireUser(request, { permission: 'holiday:manage' });
  const years = await holidayYears();
  const year = parseYear(new URL(request.url), years);
  return {
    year,
    years: years.includes(year) ? years : [...years, year].sort((a, b) => a - b),
    rows: await listHolidays(year),
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request, { permission: 'holiday:manage' });
  return holidayAction(user, await readForm(request));
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, 'holidays.title');

const WEEKDAY: Record<string, Intl.DateTimeFormat> = {};
const weekday = (isoDay: string, locale: string) =>
  (WEEKDAY[locale] ??= new Intl.DateTimeFormat(locale === 'vi' ? 'vi-VN' : 'en-GB', {
    weekday: 'long',
    timeZone: 'UTC',
  })).format(new Date(`${isoDay}T00:00:00Z`));

/**
 * The add form: conform with the domain's schema in the browser as in the action (each field
 * checked when left, every message and the first field focused on submit, nothing sent).
 */
function AddHolidayForm({ server, busy }: { server: HolidayActionData | null; busy: boolean }) {
  const t = useT();
  const { form, fields, blurCheck } = useCheckedForm({
    id: 'holiday-add',
    schema: HolidaySchema,
    lastResult: server?.result,
  });
  return (
    <Form method="post" className="filters" {...getFormProps(form)} {...blurCheck}>
      <input type="hidden" name="intent" value="add" />
      <Field
        label={t('holidays.date')}
        errors={fields.date.errors}
        inputProps={{
          id: 'holiday-date',
          name: 'date',
          type: 'date',
          required: true,
          defaultValue: server?.values.date ?? '',
        }}
      />
      <SelectField
        label={t('holidays.kind')}
        errors={fields.kind.errors}
        selectProps={{ id: 'holiday-kind', name: 'kind', defaultValue: server?.values.kind ?? 'holiday' }}
      >
        {HOLIDAY_KINDS.map((k) => (
          <option key={k} value={k}>
            {t(`holidays.kind.${k}`)}
          </option>
        ))}
      </SelectField>
      <Field
        label={t('holidays.name')}
        errors={fields.name.errors}
        inputProps={{
          id: 'holiday-name',
          name: 'name',
          required: true,
          maxLength: 200,
          defaultValue: server?.values.name ?? '',
        }}
      />
      <button type="submit" disabled={busy}>
        {t('holidays.addSubmit')}
      </button>
    </Form>
  );
}

/** One row's rename form; the server's refusal is shown only in the row it names. */
function RenameHolidayForm({
  id,
  name,
  date,
  server,
  busy,
}: {
  id: string;
  name: string;
  date: string;
  server: HolidayActionData | null;
  busy: boolean;
}) {
  const t = useT();
  const mine = server?.id === id ? server : null;
  const { form, fields, blurCheck } = useCheckedForm({
    id: `holiday-rename-${id}`,
    lastResult: mine?.result,
    schema: HolidayRenameSchema,
  });
  return (
    <Form method="post" className="filters" {...getFormProps(form)} {...blurCheck}>
      <input type="hidden" name="intent" value="rename" />
      <input type="hidden" name="id" value={id} />
      <Field
        label={t('holidays.renameLabel', { date })}
        errors={fields.name.errors}
        inputProps={{
          id: `holiday-name-${id}`,
          name: 'name',
          required: true,
          maxLength: 200,
          defaultValue: mine ? mine.values.name : name,
        }}
      />
      <button type="submit" className="button-secondary" disabled={busy}>
        {t('holidays.rename')}
      </button>
    </Form>
  );
}

export default function HolidaysPage() {
  const { year, years, rows } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const t = useT();
  const fmt = useFormatters();
  const locale = useLocale();
  const busy = useNavigation().state === 'submitting';

  const serverAdd = actionData?.intent === 'add' ? actionData : null;
  const serverRename = actionData?.intent === 'rename' ? actionData : null;

  return (
    <>
      <h1>{t('holidays.title')}</h1>
      <p className="muted">{t('holidays.intro')}</p>

      <Form method="get" className="filters">
        <SelectField
          label={t('holidays.year')}
          selectProps={{ id: 'holidays-year', name: 'year', defaultValue: String(year) }}
        >
          {years.map((y) => (
            <option key={y} value={y}>
              {y}
            </option>
          ))}
        </SelectField>
        <button type="submit">{t('holidays.show')}</button>
      </Form>

      <section className="panel" aria-labelledby="holiday-add-title">
        <h2 id="holiday-add-title">{t('holidays.add')}</h2>
        <AddHolidayForm server={serverAdd} busy={busy} />
      </section>

      <AdminTable
        count={t('holidays.count', {
          count: fmt.number(rows.filter((r) => r.kind === 'holiday').length),
          workdays: fmt.number(rows.filter((r) => r.kind === 'workday').length),
          year,
        })}
        countTestId="holiday-count"
        columns={[
          t('holidays.col.date'),
          t('holidays.col.weekday'),
          t('holidays.col.kind'),
          t('holidays.col.name'),
          t('holidays.col.actions'),
        ]}
        empty={t('holidays.empty')}
      >
        {rows.map((h) => {
          const date = fmt.date(`${h.date}T00:00:00Z`);
          return (
            <tr key={h.id} data-kind={h.kind}>
              <td>
                <time dateTime={h.date}>{date}</time>
              </td>
              <td>{weekday(h.date, locale)}</td>
              <td>
                {h.kind === 'workday' ? (
                  <strong>{t('holidays.kind.workday')}</strong>
                ) : (
                  t('holidays.kind.holiday')
                )}
              </td>
              <td>
                <RenameHolidayForm id={h.id} name={h.name} date={date} server={serverRename} busy={busy} />
              </td>
              <td>
                <ConfirmAction
                  label={t('holidays.delete')}
                  confirm={t('holidays.deleteConfirm', { date })}
                  intent="delete"
                  id={h.id}
                  busy={busy}
                />
              </td>
            </tr>
          );
        })}
      </AdminTable>
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}

import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { OptionSelect } from '~/components/option-select';
import { BrokeMembers } from '~/components/broke-members';
import { BulkNotice } from '~/components/pipeline-board';
import { BulkFieldInput, BulkProblems } from '~/components/pipeline-bulk';
import { BatchDocument } from '~/components/issued-documents';
import { useLocale, useT } from '~/i18n/use-t';
import boardStyles from '~/styles/board.css?url';
import { pageTitle } from '~/utils/meta';
import { requireUser } from '~/utils/auth/permissions.server';
import { isProvinceWide, unitsOf } from '~/utils/members/members-list.server';
import { scopeFilter, unitScopeFilter } from '~/utils/auth/permissions.server';
import { brokeMembersOfParams } from '~/utils/members/broke-members.server';
import { BULK_FIELDS, bulkStepsFor, isBulkStep, stepLabel } from '~/domain/pipeline/bulk-steps';
import { bulkAdvance } from '~/utils/pipeline/pipeline-bulk.server';
import { loadReadyQueue } from '~/utils/pipeline/pipeline-ready.server';
import { batchDownload } from '~/utils/documents/batch.server';
import { canEditDossier } from '~/domain/pipeline/tab-permissions';
import { readForm } from '~/utils/request-guards.server';
import { forbidden } from '~/utils/responses.server';
import { PageHeading } from '~/components/page-heading';

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: boardStyles }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request, { permission: 'member:read' });
  const steps = bulkStepsFor(user);
  if (!steps.length) throw forbidden();
  const params = new URL(request.url).searchParams;
  const asked = params.get('step');
  const step = isBulkStep(asked) && steps.includes(asked) ? asked : steps[0];
  const wide = isProvinceWide(user);
  const schools = wide ? await unitsOf({ kind: 'school', ...unitScopeFilter(user) }) : [];
  const askedSchool = params.get('school') ?? '';
  const school = schools.some((s) => s.id === askedSchool) ? askedSchool : undefined;
  const queue = await loadReadyQueue(user, step, school);
  return {
    // After a bulk step that broke an earlier step of some records: those, in the user's scope.
    broke: await brokeMembersOfParams(params, scopeFilter(user), user.id),
    // After a bulk step: its one batch document (4, 8 or 9-KNĐ), when every record is in scope.
    batch: canEditDossier(user) ? await batchDownload(params.get('batch'), scopeFilter(user)) : null,
    step,
    steps: steps.map((s) => ({ id: s, label: stepLabel(s) })),
    fields: BULK_FIELDS[step],
    schools,
    school: school ?? '',
    ...queue,
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request, { permission: 'member:read' });
  return bulkAdvance(user, await readForm(request));
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, 'board.ready.title');

export default function ReadyQueue() {
  const data = useLoaderData<typeof loader>();
  const failure = useActionData<typeof action>();
  const t = useT();
  const locale = useLocale();
  const busy = useNavigation().state === 'submitting';
  return (
    <>
      <PageHeading title={t('board.ready.title')} back={{ to: '/pipeline', label: t('board.back') }} />
      <p>{t('board.ready.intro')}</p>
      <Form method="get" className="board-filters">
        <div className="field">
          <label htmlFor="ready-step">{t('board.ready.step')}</label>
          <select id="ready-step" name="step" defaultValue={data.step}>
            {data.steps.map((s) => (
              <option key={s.id} value={s.id}>
                {s.label[locale]}
              </option>
            ))}
          </select>
        </div>
        {data.schools.length ? (
          <OptionSelect
            name="school"
            label={t('board.school')}
            allLabel={t('board.school.all')}
            options={data.schools}
            value={data.school}
          />
        ) : null}
        <div className="board-filter-actions">
          <button type="submit">{t('board.apply')}</button>
        </div>
      </Form>
      <BulkNotice doneKey="board.ready.done" />
      {data.batch ? <BatchDocument batch={data.batch} /> : null}
      {data.broke ? <BrokeMembers view={data.broke} lead="pipeline.bulkBroke" /> : null}
      {data.step === 'select_outstanding' ? <p className="muted">{t('board.ready.eligibleOnly')}</p> : null}
      {data.needsSchool ? (
        <p>{t('board.ready.pickSchool')}</p>
      ) : data.ready.length === 0 ? (
        <p>{t('board.ready.none')}</p>
      ) : (
        <Form method="post" className="ready-form">
          <input type="hidden" name="step" value={data.step} />
          <input type="hidden" name="school" value={data.school} />
          <h2>{t('board.ready.count', { count: data.ready.length })}</h2>
          {data.truncated ? (
            <p className="muted">{t('board.ready.truncated', { shown: data.ready.length })}</p>
          ) : null}
          {/* Nothing ticked in advance: one click must not write one resolution to everyone. */}
          <p className="muted">{t('board.ready.pick')}</p>
          <ul className="ready-list">
            {data.ready.map((r) => (
              <li key={r.id}>
                <input
                  type="checkbox"
                  name="ids"
                  value={r.id}
                  aria-label={t('board.select', { name: r.fullName })}
                />{' '}
                <Link to={`/members/${r.id}/pipeline`}>{r.fullName}</Link>{' '}
                <span className="muted">
                  {r.studentCode}
                  {data.schools.length ? ` · ${r.school}` : ''}
                </span>
              </li>
            ))}
          </ul>
          <fieldset className="panel">
            <legend>{t('board.ready.document')}</legend>
            <BulkProblems failure={failure} />
            {data.fields.map((f) => (
              <BulkFieldInput key={f.name} field={f} failure={failure} />
            ))}
            <button type="submit" disabled={busy}>
              {t('board.ready.submit')}
            </button>
          </fieldset>
        </Form>
      )}
      {data.blocked.length ? (
        <details className="blocked">
          <summary>{t('board.ready.blocked', { count: data.blocked.length })}</summary>
          <ul>
            {data.blocked.map((r) => (
              <li key={r.id}>
                <Link to={`/members/${r.id}/pipeline`}>{r.fullName}</Link>{' '}
                <span className="muted">{r.studentCode}</span>: {r.reasons.map((x) => x[locale]).join('; ')}
              </li>
            ))}
          </ul>
        </details>
      ) : null}
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}

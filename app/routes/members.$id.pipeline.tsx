/**
 * "Quy trình": where the candidate stands in the admission pipeline (stages, timeline,
 * legal deadlines, who acts next, the paper dossier) and one form per step the signed-in
 * user may take now. The rules live in app/domain/pipeline; the write in pipeline.server.ts.
 */
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { STAGE_LABELS, isExitStage, type Stage } from '~/domain/stages';
import type { MessageKey } from '~/i18n';
import { useFormatters, useLocale, useT } from '~/i18n/use-t';
import pipelineStyles from '~/styles/pipeline.css?url';
import { parseMemberId } from '~/utils/member-profile.server';
import { pageTitle } from '~/utils/meta';
import { requireUser } from '~/utils/permissions.server';
import {
  canActOnPipeline,
  getMemberPipeline,
  pipelineAction,
  type FieldView,
  type TransitionFailure,
  type TransitionView,
} from '~/utils/pipeline.server';

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: pipelineStyles }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request, { permission: 'member:read' });
  return getMemberPipeline(user, parseMemberId(params.id));
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireUser(request, { permission: 'member:read' });
  if (!canActOnPipeline(user)) throw new Response('Forbidden', { status: 403 });
  return pipelineAction(user, parseMemberId(params.id), await request.formData());
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, 'pipeline.tab');

type Failure = TransitionFailure | undefined;

function StageProgress({ stages, current, stage }: { stages: Stage[]; current: Stage; stage: Stage }) {
  const t = useT();
  const locale = useLocale();
  const at = stages.indexOf(current);
  return (
    <section aria-labelledby="progress-title" className="profile-section">
      <h2 id="progress-title">{t('pipeline.progress')}</h2>
      <ol className="stage-progress">
        {stages.map((s, i) => {
          const state = i < at ? 'done' : i === at ? 'current' : 'todo';
          return (
            <li key={s} className={`stage-${state}`} aria-current={state === 'current' ? 'step' : undefined}>
              <span aria-hidden="true">{state === 'done' ? '✓ ' : state === 'current' ? '● ' : '○ '}</span>
              {STAGE_LABELS[s][locale]}
              <span className="visually-hidden"> ({t(`pipeline.state.${state}`)})</span>
            </li>
          );
        })}
      </ol>
      {stage !== current ? (
        <p className="stage-exit" data-testid="stage-exit">
          <strong>{t('pipeline.exit', { stage: STAGE_LABELS[stage][locale] })}</strong>
        </p>
      ) : null}
    </section>
  );
}

function FieldInput({
  field,
  name,
  idPrefix,
  values,
  errors,
}: {
  field: FieldView;
  name: string;
  idPrefix: string;
  values: Record<string, string>;
  errors: string[];
}) {
  const t = useT();
  const locale = useLocale();
  const id = `${idPrefix}-${name.replace(/\./g, '-')}`;
  const errorId = `${id}-error`;
  const invalid = errors.length > 0;
  const common = {
    id,
    name,
    'aria-invalid': invalid || undefined,
    'aria-describedby': invalid ? errorId : undefined,
  };
  const value = values[name];
  let control;
  if (field.kind === 'textarea') {
    control = <textarea {...common} rows={2} defaultValue={value ?? ''} required={field.required} />;
  } else if (field.kind === 'checkbox') {
    control = <input {...common} type="checkbox" defaultChecked={value === 'on'} />;
  } else if (field.kind === 'select') {
    control = (
      <select {...common} defaultValue={value ?? ''}>
        {field.required ? null : <option value="">{t('pipeline.option.none')}</option>}
        {(field.options ?? []).map((o) => (
          <option key={o} value={o}>
            {t(`pipeline.option.${o}` as MessageKey)}
          </option>
        ))}
      </select>
    );
  } else {
    control = (
      <input
        {...common}
        type={field.kind}
        defaultValue={value ?? ''}
        required={field.required}
        {...(field.kind === 'number' ? { min: 0, step: 1, inputMode: 'numeric' as const } : {})}
      />
    );
  }
  return (
    <div className={field.kind === 'checkbox' ? 'field checkbox' : 'field'}>
      <label htmlFor={id}>
        {field.label[locale]}
        {field.required ? <span className="muted"> {t('pipeline.required')}</span> : null}
      </label>
      {control}
      {invalid ? (
        <div id={errorId}>
          {errors.map((e) => (
            <p key={e} className="field-error">
              {e}
            </p>
          ))}
        </div>
      ) : null}
    </div>
  );
}

function TransitionForm({ tr, version, failure }: { tr: TransitionView; version: number; failure: Failure }) {
  const t = useT();
  const locale = useLocale();
  const navigation = useNavigation();
  const mine = failure?.intent === tr.id ? failure : undefined;
  const values = mine?.values ?? {};
  const errorsFor = (name: string) =>
    (mine?.reasons ?? []).filter((r) => r.field === name).map((r) => r.message[locale]);
  const busy = navigation.state === 'submitting' && navigation.formData?.get('intent') === tr.id;
  const titleId = `form-${tr.id}-title`;
  return (
    <section aria-labelledby={titleId} className="card transition-form" data-testid={`transition-${tr.id}`}>
      <h3 id={titleId}>{tr.label[locale]}</h3>
      <p className="muted">{t('pipeline.to', { stage: STAGE_LABELS[tr.to][locale] })}</p>
      {mine ? (
        <div className="form-error" role="alert" data-testid="pipeline-reasons">
          <p>{mine.conflict ? t('pipeline.conflict') : t('pipeline.errors')}</p>
          <ul>
            {mine.reasons.map((r, i) => (
              <li key={`${r.code}-${i}`}>{r.message[locale]}</li>
            ))}
          </ul>
        </div>
      ) : null}
      <Form method="post" className="form" noValidate>
        <input type="hidden" name="intent" value={tr.id} />
        <input type="hidden" name="version" value={version} />
        {tr.fields
          .filter((f) => f.name !== 'note')
          .map((f) => (
            <FieldInput
              key={f.name}
              field={f}
              name={f.name}
              idPrefix={tr.id}
              values={values}
              errors={errorsFor(f.name)}
            />
          ))}
        {tr.rows
          ? Array.from({ length: tr.rows.count }, (_, i) => (
              <fieldset key={i} className="fieldset-plain">
                <legend>{t('pipeline.introducer', { n: i + 1 })}</legend>
                {tr.rows!.fields.map((f) => {
                  const name = `${tr.rows!.name}.${i}.${f.name}`;
                  return (
                    <FieldInput
                      key={name}
                      field={{ ...f, required: false }}
                      name={name}
                      idPrefix={tr.id}
                      values={values}
                      errors={errorsFor(name)}
                    />
                  );
                })}
              </fieldset>
            ))
          : null}
        {tr.fields
          .filter((f) => f.name === 'note')
          .map((f) => (
            <FieldInput key={f.name} field={f} name={f.name} idPrefix={tr.id} values={values} errors={[]} />
          ))}
        <div className="form-actions">
          <button type="submit" className="button" disabled={busy}>
            {t('pipeline.submit')}
          </button>
        </div>
      </Form>
    </section>
  );
}

export default function MemberPipeline() {
  const d = useLoaderData<typeof loader>();
  const failure = useActionData<typeof action>() as Failure;
  const t = useT();
  const locale = useLocale();
  const { date } = useFormatters();
  const orDash = (v: string | null) => (v ? v : '—');
  const transitions = d.transitions as TransitionView[];
  const forward = transitions.filter((tr) => !isExitStage(tr.to));
  const exits = transitions.filter((tr) => isExitStage(tr.to));
  return (
    <div className="member-pipeline">
      <StageProgress stages={d.stages as Stage[]} current={d.progressStage} stage={d.stage} />
      {d.returnReason ? (
        <p className="form-error" data-testid="return-reason">
          {t('pipeline.returnReason')}: {d.returnReason}
        </p>
      ) : null}

      <section aria-labelledby="next-title" className="profile-section">
        <h2 id="next-title">{t('pipeline.nextActor')}</h2>
        <p data-testid="next-actor">
          {d.nextActor ? t(`role.${d.nextActor}`) : t('pipeline.nextActor.none')}
        </p>
      </section>

      <section aria-labelledby="deadlines-title" className="profile-section">
        <h2 id="deadlines-title">{t('pipeline.deadlines')}</h2>
        {d.deadlines.length === 0 ? (
          <p className="muted">{t('pipeline.deadlines.empty')}</p>
        ) : (
          <ul className="deadline-list">
            {d.deadlines.map((x) => (
              <li key={x.kind} className={`deadline deadline-${x.status}`} data-testid="deadline">
                <div>{x.label[locale]}</div>
                <div>
                  {t('pipeline.deadline.due', { date: date(x.dueDate) })}
                  {' · '}
                  {x.status === 'met' ? (
                    <>
                      {t('pipeline.deadline.met', { date: date(x.metOn ?? '') })}
                      {x.late ? <strong> {t('pipeline.deadline.late')}</strong> : null}
                    </>
                  ) : x.status === 'overdue' ? (
                    <strong className="overdue">
                      {t('pipeline.deadline.overdue', { days: x.daysOverdue ?? 0 })}
                    </strong>
                  ) : x.workingDaysLeft !== undefined ? (
                    <span className={x.status === 'due_soon' ? 'due-soon' : undefined}>
                      {t(x.status === 'due_soon' ? 'pipeline.deadline.dueSoon' : 'pipeline.deadline.left', {
                        days: x.workingDaysLeft,
                      })}
                    </span>
                  ) : (
                    t(x.status === 'due_soon' ? 'pipeline.deadline.soon' : 'pipeline.deadline.upcoming')
                  )}
                </div>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="actions-title" className="profile-section">
        <h2 id="actions-title">{t('pipeline.actions')}</h2>
        {d.transitions.length === 0 ? (
          <p className="muted">{t('pipeline.actions.none')}</p>
        ) : (
          <>
            <div className="transition-forms">
              {forward.map((tr) => (
                <TransitionForm key={tr.id} tr={tr} version={d.version} failure={failure} />
              ))}
            </div>
            {exits.length ? (
              // Exits stay folded: they are rare and must not crowd the next step.
              <details className="exit-forms" open={exits.some((tr) => tr.id === failure?.intent)}>
                <summary>{t('pipeline.exits')}</summary>
                <div className="transition-forms">
                  {exits.map((tr) => (
                    <TransitionForm key={tr.id} tr={tr} version={d.version} failure={failure} />
                  ))}
                </div>
              </details>
            ) : null}
          </>
        )}
      </section>

      <section aria-labelledby="timeline-title" className="profile-section">
        <h2 id="timeline-title">{t('pipeline.timeline')}</h2>
        {d.history.length === 0 ? (
          <p className="muted">{t('pipeline.timeline.empty')}</p>
        ) : (
          <ol className="timeline" data-testid="timeline">
            {d.history.map((h) => (
              <li key={h.key} data-testid="timeline-entry">
                <strong>{STAGE_LABELS[h.stage as Stage]?.[locale] ?? h.stage}</strong> ·{' '}
                {date(h.refDate ?? h.at)}
                {h.refDate && h.refDate !== h.at ? (
                  <span className="muted"> ({t('pipeline.recordedOn', { date: date(h.at) })})</span>
                ) : null}
                <dl className="timeline-facts">
                  <dt>{t('pipeline.col.by')}</dt>
                  <dd>{h.by ?? t('pipeline.byUnknown')}</dd>
                  {h.note ? (
                    <>
                      <dt>{t('pipeline.col.note')}</dt>
                      <dd>{h.note}</dd>
                    </>
                  ) : null}
                  {h.refNo || h.refDate ? (
                    <>
                      <dt>{t('pipeline.col.ref')}</dt>
                      <dd>
                        {orDash(h.refNo)}
                        {h.refDate ? ` · ${date(h.refDate)}` : ''}
                      </dd>
                    </>
                  ) : null}
                </dl>
              </li>
            ))}
          </ol>
        )}
      </section>

      <section aria-labelledby="dossier-title" className="profile-section">
        <h2 id="dossier-title">{t('pipeline.dossier')}</h2>
        <div className="table-wrap">
          <table data-testid="dossier">
            <thead>
              <tr>
                <th scope="col">{t('pipeline.dossier.form')}</th>
                <th scope="col">{t('pipeline.dossier.received')}</th>
                <th scope="col">{t('pipeline.dossier.verified')}</th>
              </tr>
            </thead>
            <tbody>
              {d.dossier.map((row) => (
                <tr key={row.form}>
                  <th scope="row">{row.form}</th>
                  <td>{row.receivedAt ? date(row.receivedAt) : t('pipeline.dossier.missing')}</td>
                  <td>{row.verifiedAt ? date(row.verifiedAt) : t('pipeline.dossier.missing')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}

/**
 * The read-only parts of the Quy trình tab: where the candidate stands, the legal
 * deadlines and the timeline of recorded steps (who, when, reference document).
 */
import { deadlineHorizon } from '~/domain/deadline-horizon';
import { STAGE_LABELS, type Stage } from '~/domain/stages';
import type { Text } from '~/domain/criteria/types';
import { useFormatters, useLocale, useT } from '~/i18n/use-t';

export function StageProgress({ stages, current, stage }: { stages: Stage[]; current: Stage; stage: Stage }) {
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

export interface DeadlineView {
  kind: string;
  dueDate: string;
  status: 'upcoming' | 'due_soon' | 'overdue' | 'met';
  metOn?: string;
  late?: boolean;
  workingDaysLeft?: number;
  daysOverdue: number | null;
  label: Text;
}

export function DeadlineList({ deadlines }: { deadlines: DeadlineView[] }) {
  const t = useT();
  const locale = useLocale();
  const { date, number } = useFormatters();
  const horizonText = (days: number) => {
    const h = deadlineHorizon(days);
    return h.unit === 'months'
      ? t('pipeline.deadline.leftMonths', { months: number(h.count) })
      : t('pipeline.deadline.left', { days: number(h.count) });
  };
  return (
    <section aria-labelledby="deadlines-title" className="profile-section">
      <h2 id="deadlines-title">{t('pipeline.deadlines')}</h2>
      {deadlines.length === 0 ? (
        <p className="muted">{t('pipeline.deadlines.empty')}</p>
      ) : (
        <ul className="deadline-list">
          {deadlines.map((x) => (
            <li
              key={x.kind}
              className={`deadline deadline-${x.status}`}
              data-testid="deadline"
              data-kind={x.kind}
              data-status={x.status}
            >
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
                    {x.status === 'due_soon'
                      ? t('pipeline.deadline.dueSoon', { days: x.workingDaysLeft })
                      : horizonText(x.workingDaysLeft)}
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
  );
}

export interface HistoryView {
  key: string;
  stage: string;
  at: string;
  by: string | null;
  note: string | null;
  refNo: string | null;
  refDate: string | null;
}

export function Timeline({ history }: { history: HistoryView[] }) {
  const t = useT();
  const locale = useLocale();
  const { date } = useFormatters();
  return (
    <section aria-labelledby="timeline-title" className="profile-section">
      <h2 id="timeline-title">{t('pipeline.timeline')}</h2>
      {history.length === 0 ? (
        <p className="muted">{t('pipeline.timeline.empty')}</p>
      ) : (
        <ol className="timeline" data-testid="timeline">
          {history.map((h) => (
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
                      {h.refNo || '—'}
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
  );
}

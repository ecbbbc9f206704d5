/**
 * Sections of the student portal (/me). Plain components over the loader's data:
 * every text comes from the catalogue or from the engine's bilingual explanations.
 * State is never shown by colour alone: each step and rule carries a symbol and a word.
 */
import { Link } from '@remix-run/react';
import { GraduationWarningNotice } from '~/components/graduation-warning';
import { deadlineHorizon } from '~/domain/deadline-horizon';
import type { MessageKey } from '~/i18n';
import { STAGE_LABELS } from '~/domain/stages';
import { useFormatters, useLocale, useT } from '~/i18n/use-t';
import type { PortalData } from '~/utils/student/me.server';

const STATE_MARK = { done: '✓', current: '●', stopped: '■', todo: '○' } as const;
const STATE_KEY: Record<keyof typeof STATE_MARK, MessageKey> = {
  done: 'me.state.done',
  current: 'me.state.current',
  stopped: 'me.state.stopped',
  todo: 'me.state.todo',
};

export function StageProgress({ record }: { record: PortalData }) {
  const t = useT();
  const locale = useLocale();
  const f = useFormatters();
  return (
    <section aria-labelledby="progress-title" className="card me-section">
      <h2 id="progress-title">{t('me.progress')}</h2>
      <ol className="me-steps" data-testid="stage-progress">
        {record.progress.map((s, i) => (
          <li
            key={s.stage}
            className={`me-step me-step-${s.state}`}
            aria-current={s.state === 'current' ? 'step' : undefined}
          >
            <span className="me-step-mark" aria-hidden="true">
              {STATE_MARK[s.state]}
            </span>
            <span className="me-step-body">
              <span className="me-step-name">
                {i + 1}. {STAGE_LABELS[s.stage][locale]}
              </span>
              <span className="me-step-state">
                {t(STATE_KEY[s.state])}
                {s.at ? ` · ${t('me.reachedOn', { date: f.date(s.at) })}` : ''}
              </span>
            </span>
          </li>
        ))}
      </ol>
      {record.exit ? (
        <div className="me-exit" role="status">
          <p>
            <strong>{t('me.exit.title', { stage: STAGE_LABELS[record.exit][locale] })}</strong>
          </p>
          <p>{t(`me.exit.${record.exit}` as MessageKey)}</p>
          {record.exit === 'returned' ? (
            <p data-testid="return-reason">
              <strong>{t('me.returnReason')}:</strong> {record.returnReason ?? t('me.returnReasonNone')}
            </p>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}

export function NextSteps({ record }: { record: PortalData }) {
  const t = useT();
  const locale = useLocale();
  return (
    <section aria-labelledby="next-title" className="card me-section">
      <h2 id="next-title">{t('me.nextSteps')}</h2>
      <p>
        <strong>{t('me.nextActor')}:</strong>{' '}
        <span data-testid="next-actor">
          {record.nextActor ? t(`me.actor.${record.nextActor}` as MessageKey) : t('me.actor.none')}
        </span>
      </p>
      {record.graduationWarning ? <GraduationWarningNotice warning={record.graduationWarning} /> : null}
      <ul className="me-list" data-testid="next-steps">
        {record.steps.map((s, i) => (
          <li key={i}>
            {t(s.key)}
            {s.rule ? <> {s.rule[locale]}</> : null}
          </li>
        ))}
      </ul>
      {record.steps.some((s) => s.rule) && !record.exit ? (
        <p>
          <Link to="/me/submissions">{t('me.submissions.link')}</Link>
        </p>
      ) : null}
    </section>
  );
}

export function CriteriaVerdict({ record }: { record: PortalData }) {
  const t = useT();
  const locale = useLocale();
  const f = useFormatters();
  const v = record.verdict;
  return (
    <section aria-labelledby="criteria-title" className="card me-section">
      <h2 id="criteria-title">{t('me.criteria')}</h2>
      {v.set ? (
        <>
          <p className="muted">
            {t('me.criteria.set', { name: v.set.name, year: v.set.schoolYear, version: v.set.version })}
          </p>
          <p className={v.eligible ? 'me-ok' : 'me-bad'}>
            <strong>
              <span aria-hidden="true">{v.eligible ? '✓ ' : '✗ '}</span>
              {v.eligible ? t('me.criteria.eligible') : t('me.criteria.notEligible')}
            </strong>
          </p>
          {v.score !== null && v.passMark !== null ? (
            <p>{t('me.criteria.score', { score: f.number(v.score), passMark: f.number(v.passMark) })}</p>
          ) : null}
          <ul className="me-rules" data-testid="criteria-rules">
            {v.results.map((r) => {
              const word = r.passed
                ? 'me.criteria.passed'
                : r.missing
                  ? 'me.criteria.missing'
                  : 'me.criteria.failed';
              return (
                <li key={r.ruleId} className={r.passed ? 'me-rule me-rule-pass' : 'me-rule me-rule-fail'}>
                  <span className="me-rule-mark" aria-hidden="true">
                    {r.passed ? '✓' : '✗'}
                  </span>
                  <span>
                    <strong>{t(word)}</strong>
                    {r.required ? '' : ` (${t('me.criteria.optional')})`}: {r.explanation[locale]}
                  </span>
                </li>
              );
            })}
          </ul>
        </>
      ) : (
        <p>{t('me.criteria.none')}</p>
      )}
    </section>
  );
}

export function Deadlines({ record }: { record: PortalData }) {
  const t = useT();
  const locale = useLocale();
  const f = useFormatters();
  const leftText = (days: number) => {
    const h = deadlineHorizon(days);
    return h.unit === 'months'
      ? t('me.deadline.leftMonths', { months: f.number(h.count) })
      : t('me.deadline.left', { days: f.number(h.count) });
  };
  return (
    <section aria-labelledby="deadlines-title" className="card me-section">
      <h2 id="deadlines-title">{t('me.deadlines')}</h2>
      {record.deadlines.length === 0 ? (
        <p>{t('me.deadlines.empty')}</p>
      ) : (
        <ul className="me-list" data-testid="deadlines">
          {record.deadlines.map((d) => (
            <li key={d.kind} className={d.status === 'overdue' ? 'me-bad' : undefined}>
              <strong>{d.label[locale]}</strong>
              <br />
              {t('me.deadline.due', { date: f.date(d.dueDate) })} ·{' '}
              {d.workingDaysLeft < 0
                ? t('me.deadline.overdue', { days: -d.workingDaysLeft })
                : leftText(d.workingDaysLeft)}
              {d.status === 'due_soon' ? ` · ${t('me.deadline.dueSoon')}` : ''}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

const CHECK_KEY: Record<PortalData['checklist'][number]['id'], MessageKey> = {
  certificate: 'me.checklist.certificate',
  '1-KNĐ': 'me.checklist.application',
  '2-KNĐ': 'me.checklist.personalHistory',
  '2-KNĐ-verified': 'me.checklist.verified',
  introduction: 'me.checklist.introduction',
  '5-KNĐ': 'me.checklist.opinions',
};

export function DossierChecklist({ record }: { record: PortalData }) {
  const t = useT();
  const f = useFormatters();
  return (
    <section aria-labelledby="checklist-title" className="card me-section">
      <h2 id="checklist-title">{t('me.checklist')}</h2>
      <ul className="me-rules" data-testid="checklist">
        {record.checklist.map((c) => (
          <li key={c.id} className={c.done ? 'me-rule me-rule-pass' : 'me-rule me-rule-fail'}>
            <span className="me-rule-mark" aria-hidden="true">
              {c.done ? '✓' : '✗'}
            </span>
            <span>
              {t(CHECK_KEY[c.id])}:{' '}
              <strong>
                {c.done
                  ? c.receivedAt
                    ? t(c.id === '2-KNĐ-verified' ? 'me.checklist.doneOn' : 'me.checklist.received', {
                        date: f.date(c.receivedAt),
                      })
                    : t('me.checklist.done')
                  : t('me.checklist.missing')}
              </strong>
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function DecisionTimeline({ record }: { record: PortalData }) {
  const t = useT();
  const locale = useLocale();
  const f = useFormatters();
  return (
    <section aria-labelledby="timeline-title" className="card me-section">
      <h2 id="timeline-title">{t('me.timeline')}</h2>
      {record.history.length === 0 ? (
        <p>{t('me.timeline.empty')}</p>
      ) : (
        <div className="table-wrap">
          <table className="me-table" data-testid="timeline">
            <thead>
              <tr>
                <th scope="col">{t('me.col.stage')}</th>
                <th scope="col">{t('me.col.date')}</th>
                <th scope="col">{t('me.col.ref')}</th>
              </tr>
            </thead>
            <tbody>
              {record.history.map((h, i) => (
                <tr key={i}>
                  <td>{STAGE_LABELS[h.stage][locale]}</td>
                  <td>{f.date(h.at)}</td>
                  <td>
                    {h.refNo ?? '—'}
                    {h.refDate ? ` (${f.date(h.refDate)})` : ''}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

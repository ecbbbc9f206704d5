/**
 * Pieces of `/pipeline`: the filter form, a lane with its cards, and a card. Cards say
 * how long the record has waited, its next legal deadline and who must act next, so
 * "what is stuck and on whom" reads at a glance (users-expect.md).
 */
import { Form, Link, useSearchParams } from '@remix-run/react';
import { useId, type ReactNode } from 'react';
import { DEADLINE_LABELS } from '~/domain/deadlines';
import { STAGE_LABELS } from '~/domain/stages';
import { OptionSelect } from './option-select';
import type { MessageKey } from '~/i18n';
import { useFormatters, useLocale, useT } from '~/i18n/use-t';
import type {
  BoardCard,
  BoardFilters,
  BoardLaneView,
  BoardQuery,
} from '~/utils/pipeline/pipeline-board.server';

export function boardHref(params: URLSearchParams, overrides: Record<string, string | undefined>): string {
  const next = new URLSearchParams(params);
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined || v === '') next.delete(k);
    else next.set(k, v);
  }
  for (const k of ['returned', 'conflicts', 'ok']) if (!(k in overrides)) next.delete(k);
  const s = next.toString();
  return s ? `?${s}` : '?';
}

export function BoardFilterForm({
  query,
  filters,
  wide,
  stages,
}: {
  query: BoardQuery;
  filters: BoardFilters;
  wide: boolean;
  stages: readonly string[];
}) {
  const t = useT();
  const locale = useLocale();
  const id = useId();
  return (
    <Form method="get" className="board-filters" aria-label={t('board.filters')}>
      {wide ? (
        <OptionSelect
          name="school"
          label={t('board.school')}
          allLabel={t('board.school.all')}
          options={filters.schools}
          value={query.school}
        />
      ) : null}
      {filters.cells.length ? (
        <OptionSelect
          name="cell"
          label={t('board.cell')}
          allLabel={t('board.cell.all')}
          options={filters.cells}
          value={query.cell}
        />
      ) : null}
      <div className="field">
        <label htmlFor={`${id}-stage`}>{t('board.stage')}</label>
        <select id={`${id}-stage`} name="stage" defaultValue={query.stage ?? ''}>
          <option value="">{t('board.stage.all')}</option>
          {stages.map((s) => (
            <option key={s} value={s}>
              {STAGE_LABELS[s as keyof typeof STAGE_LABELS][locale]}
            </option>
          ))}
        </select>
      </div>
      <label className="check">
        <input type="checkbox" name="overdue" value="1" defaultChecked={query.overdue} /> {t('board.overdue')}
      </label>
      <label className="check">
        <input type="checkbox" name="flagged" value="1" defaultChecked={query.flagged} /> {t('board.flagged')}
      </label>
      <div className="board-filter-actions">
        <button type="submit">{t('board.apply')}</button>
        <Link to="/pipeline">{t('board.clear')}</Link>
      </div>
    </Form>
  );
}

const FAR_MS = 180 * 24 * 60 * 60 * 1000;

function DueLine({ due }: { due: NonNullable<BoardCard['due']> }) {
  const t = useT();
  const locale = useLocale();
  const fmt = useFormatters();
  const label = DEADLINE_LABELS[due.kind][locale];
  if (due.status === 'overdue') {
    return <p className="card-due overdue">{t('board.card.overdue', { days: due.days, label })}</p>;
  }
  if (due.status === 'due_soon') {
    return <p className="card-due due-soon">{t('board.card.dueSoon', { days: due.days, label })}</p>;
  }
  // A deadline years away (turning 30, a fresh certificate) is noise on a work board.
  if (Date.parse(due.date) - Date.now() > FAR_MS) return null;
  return <p className="card-due">{t('board.card.upcoming', { date: fmt.date(due.date), label })}</p>;
}

export function BoardCardView({
  card,
  showSchool,
  select,
}: {
  card: BoardCard;
  showSchool: boolean;
  /** Renders the card's checkbox (bulk return). */
  select?: boolean;
}) {
  const t = useT();
  const fmt = useFormatters();
  return (
    <li
      className="board-card"
      data-status={card.due?.status ?? 'none'}
      data-paused={card.pausedSince !== null || undefined}
      data-conflict={card.openConflicts > 0 || undefined}
    >
      <p className="card-name">
        {select ? (
          <input
            type="checkbox"
            name="ids"
            value={card.id}
            aria-label={t('board.select', { name: card.fullName })}
          />
        ) : null}{' '}
        <Link to={`/members/${card.id}/pipeline`}>{card.fullName}</Link>{' '}
        <span className="muted">{card.studentCode}</span>
      </p>
      {card.pausedSince !== null ? (
        // Consent withdrawn: the record is paused, whatever its deadlines say.
        <p className="badge badge-flag card-paused" data-testid="card-paused">
          {card.pausedSince
            ? t('consent.pausedCard', { date: fmt.date(card.pausedSince) })
            : t('consent.pausedCardUndated')}
        </p>
      ) : null}
      {card.openConflicts > 0 ? (
        // A recorded step no longer holds: the next step waits for a correction or an override.
        <p className="badge badge-flag card-paused" data-testid="card-conflict">
          {t('conflict.card')}
        </p>
      ) : null}
      {showSchool ? <p className="muted card-school">{card.school}</p> : null}
      {card.due ? <DueLine due={card.due} /> : null}
      {card.daysInStage !== null ? (
        <p className="muted">{t('board.card.days', { days: card.daysInStage })}</p>
      ) : null}
      {card.nextActor ? (
        <p>{t('board.card.next', { actor: t(`board.actor.${card.nextActor}` as MessageKey) })}</p>
      ) : null}
      {card.openFlags > 0 ? (
        <p className="badge badge-flag">{t('board.card.flags', { count: card.openFlags })}</p>
      ) : null}
      {card.returnReason ? (
        <p className="card-reason">{t('board.card.returnReason', { reason: card.returnReason })}</p>
      ) : null}
    </li>
  );
}

export function LaneView({
  lane,
  showSchool,
  moreHref,
  select,
  children,
}: {
  lane: BoardLaneView;
  showSchool: boolean;
  /** Link to the whole lane, when the overview shows only its first cards. */
  moreHref?: string;
  select?: boolean;
  children?: ReactNode;
}) {
  const t = useT();
  const locale = useLocale();
  const headingId = useId();
  return (
    <section className="board-lane" aria-labelledby={headingId} data-stage={lane.stage}>
      <h2 id={headingId}>
        {STAGE_LABELS[lane.stage][locale]}{' '}
        <span className="lane-count">{t('board.lane.count', { count: lane.count })}</span>
      </h2>
      {lane.overdue > 0 ? (
        <p className="overdue">{t('board.lane.overdue', { count: lane.overdue })}</p>
      ) : null}
      {lane.cards.length === 0 ? (
        <p className="muted">{t('board.lane.empty')}</p>
      ) : (
        <ul className="board-cards">
          {lane.cards.map((c) => (
            <BoardCardView key={c.id} card={c} showSchool={showSchool} select={select} />
          ))}
        </ul>
      )}
      {moreHref && lane.count > lane.cards.length ? (
        <p>
          <Link to={moreHref}>{t('board.lane.more', { count: lane.count })}</Link>
        </p>
      ) : null}
      {children}
    </section>
  );
}

/** Success and skipped-record notices after a bulk action (counts come back in the URL). */
export function BulkNotice({ doneKey }: { doneKey: MessageKey }) {
  const t = useT();
  const [params] = useSearchParams();
  const count = (name: string) => {
    const v = params.get(name);
    return v !== null && /^\d{1,4}$/.test(v) ? Number(v) : null;
  };
  const done = count(doneKey === 'board.return.done' ? 'returned' : 'done');
  const conflicts = count('conflicts');
  if (done === null && conflicts === null) return null;
  return (
    <div className="panel" role="status">
      {done !== null ? <p>{t(doneKey, { count: done })}</p> : null}
      {conflicts ? <p className="overdue">{t('board.conflicts', { count: conflicts })}</p> : null}
    </div>
  );
}

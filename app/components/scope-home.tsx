import { Link } from '@remix-run/react';
import { STAGE_LABELS } from '~/domain/stages';
import type { MessageKey } from '~/i18n';
import { useFormatters, useLocale, useT } from '~/i18n/use-t';
import type { ScopeSummary } from '~/utils/reports/home.server';
import { memberListHref } from '~/utils/members/members-query';

export interface HomeLink {
  to: string;
  label: MessageKey;
}

/** The staff home pages share this: welcome, scope, figures, links. */
export function ScopeHome({
  title,
  userName,
  summary,
  intro,
  links,
}: {
  title: MessageKey;
  userName: string;
  summary: ScopeSummary;
  intro?: MessageKey;
  links: HomeLink[];
}) {
  const t = useT();
  const locale = useLocale();
  const fmt = useFormatters();
  const units = summary.unitsByKind;
  const total = Object.values(units).reduce((a, b) => a + b, 0);
  return (
    <>
      <h1>{t(title)}</h1>
      <p>{t('home.welcome', { name: userName })}</p>
      <p className="muted" data-testid="scope-name">
        {summary.scopeName ? t('home.scope', { unit: summary.scopeName }) : t('home.scopeAll')}
      </p>
      {intro ? <p>{t(intro)}</p> : null}

      <h2>{t('home.stats')}</h2>
      <ul className="stats">
        <li>
          <span className="stat-value">{fmt.number(total)}</span> {t('home.units')}
        </li>
        <li>
          <span className="stat-value">{fmt.number(units.school ?? 0)}</span> {t('home.schools')}
        </li>
        <li>
          <span className="stat-value">{fmt.number(units.branch ?? 0)}</span> {t('home.branches')}
        </li>
        <li>
          <span className="stat-value">{fmt.number(units.party_cell ?? 0)}</span> {t('home.partyCells')}
        </li>
        <li>
          <span className="stat-value" data-testid="member-total">
            {fmt.number(summary.memberTotal)}
          </span>{' '}
          {t('home.members')}
        </li>
      </ul>

      <h2>{t('home.membersByStage')}</h2>
      {summary.membersByStage.length ? (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('home.stage')}</th>
                <th scope="col" className="num">
                  {t('home.stageCount')}
                </th>
              </tr>
            </thead>
            <tbody>
              {summary.membersByStage.map((row) => (
                <tr key={row.stage}>
                  <td>{STAGE_LABELS[row.stage][locale]}</td>
                  <td className="num">
                    {/* Drills down like the report's funnel: the table applies the user's scope. */}
                    <Link to={memberListHref({ stage: row.stage })} data-testid={`stage-count-${row.stage}`}>
                      {fmt.number(row.count)}
                    </Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p>{t('home.noMembers')}</p>
      )}

      {links.length ? (
        <>
          <h2>{t('home.links')}</h2>
          <ul className="link-list">
            {links.map((l) => (
              <li key={l.to}>
                <Link to={l.to}>{t(l.label)}</Link>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </>
  );
}

/**
 * After a write that touched many records (a chi bộ register change, an import, a bulk step)
 * and broke a recorded step of some of them: how many, each member's name linked to its
 * Quy trình tab, and each conflict in the rule's own words (step, date, numbers). The data is
 * app/utils/members/broke-members.server.ts.
 */
import { Link } from '@remix-run/react';
import type { MessageKey } from '~/i18n';
import { useLocale, useT } from '~/i18n/use-t';
import type { BrokeMembersView } from '~/utils/members/broke-members.server';

export function BrokeMembers({
  view,
  lead,
  live = true,
}: {
  view: BrokeMembersView;
  lead: MessageKey;
  /** False inside a panel that is already a live region (the import's report). */
  live?: boolean;
}) {
  const t = useT();
  const locale = useLocale();
  const more = view.count - view.members.length;
  return (
    <div className="form-error broke-members" role={live ? 'status' : undefined} data-testid="broke-members">
      <p>{t(lead, { count: view.count })}</p>
      <ul>
        {view.members.map((m) => (
          <li key={m.id}>
            <Link to={`/members/${m.id}/pipeline`}>
              {m.fullName} ({m.studentCode})
            </Link>
            {m.conflicts.length === 1 ? (
              <>: {m.conflicts[0][locale]}</>
            ) : (
              <ul>
                {m.conflicts.map((c) => (
                  <li key={c.vi}>{c[locale]}</li>
                ))}
              </ul>
            )}
          </li>
        ))}
      </ul>
      {more > 0 ? (
        <p>
          {t('broke.more', { count: more })} <Link to="/members?due=conflict">{t('broke.moreLink')}</Link>
        </p>
      ) : null}
    </div>
  );
}

/**
 * Says which dashboard figure the member table is filtered by (the `due`, `group`,
 * `selected`, `admitted`, `official` and `ethnicity` parameters a report link sets),
 * with a link that removes just those.
 */
import { Link, useSearchParams } from '@remix-run/react';
import type { MessageKey } from '~/i18n';
import { useT } from '~/i18n/use-t';
import { DRILL_PARAMS, tableSearch, type MemberListQuery } from '~/utils/members/members-query';

export function MemberDrillNotice({ query }: { query: MemberListQuery }) {
  const t = useT();
  const [params] = useSearchParams();
  const parts: string[] = [];
  if (query.due) parts.push(t(`members.drill.due.${query.due}` as MessageKey));
  if (query.group) parts.push(t(`members.drill.group.${query.group}` as MessageKey));
  if (query.selected) parts.push(t('members.drill.selected', { year: query.selected }));
  if (query.admitted) parts.push(t('members.drill.admitted', { year: query.admitted }));
  if (query.official) parts.push(t('members.drill.official', { year: query.official }));
  if (query.ethnicity) parts.push(t('members.drill.ethnicity', { value: query.ethnicity }));
  if (query.religion) parts.push(t('members.drill.religion', { value: query.religion }));
  if (!parts.length) return null;
  const clear = Object.fromEntries(DRILL_PARAMS.map((p) => [p, undefined]));
  return (
    <p className="panel" role="status">
      {t('members.drill', { what: parts.join(', ') })}{' '}
      <Link to={tableSearch(params, { ...clear, page: undefined })}>{t('members.drill.clear')}</Link>
    </p>
  );
}

import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { STATUS_BADGE } from '~/components/criteria-rules';
import { CRITERIA_PURPOSES, SCHOOL_KINDS, type SchoolKind } from '~/domain/criteria';
import { useFormatters, useT } from '~/i18n/use-t';
import criteriaStyles from '~/styles/criteria.css?url';
import { listSets, requireCriteriaAccess, type CriteriaSetSummary } from '~/utils/criteria/criteria.server';
import { pageTitle } from '~/utils/meta';

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: criteriaStyles }];

export async function loader({ request }: LoaderFunctionArgs) {
  const access = await requireCriteriaAccess(request);
  return { sets: await listSets(access), canManage: access.canManage };
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, 'criteria.title');

/** Sets grouped by school kind (university first), then school year (newest first); selection before admission. */
function group(sets: CriteriaSetSummary[]) {
  const out: { kind: SchoolKind; years: { year: string; sets: CriteriaSetSummary[] }[] }[] = [];
  const ordered = [...sets].sort(
    (a, b) =>
      SCHOOL_KINDS.indexOf(a.schoolKind) - SCHOOL_KINDS.indexOf(b.schoolKind) ||
      b.schoolYear.localeCompare(a.schoolYear) ||
      CRITERIA_PURPOSES.indexOf(a.purpose) - CRITERIA_PURPOSES.indexOf(b.purpose) ||
      b.version - a.version,
  );
  for (const s of ordered) {
    let k = out.find((g) => g.kind === s.schoolKind);
    if (!k) out.push((k = { kind: s.schoolKind, years: [] }));
    let y = k.years.find((g) => g.year === s.schoolYear);
    if (!y) k.years.push((y = { year: s.schoolYear, sets: [] }));
    y.sets.push(s);
  }
  return out;
}

export default function CriteriaList() {
  const { sets, canManage } = useLoaderData<typeof loader>();
  const t = useT();
  const { date } = useFormatters();
  const groups = group(sets);
  return (
    <>
      <h1>{t('criteria.title')}</h1>
      <p className="muted">{canManage ? t('criteria.intro') : t('criteria.introReadOnly')}</p>
      {groups.length === 0 ? <p className="panel">{t('criteria.none')}</p> : null}
      {groups.map((g) => (
        <section key={g.kind} aria-labelledby={`kind-${g.kind}`} className="criteria-group">
          <h2 id={`kind-${g.kind}`}>{t(`schoolKind.${g.kind}`)}</h2>
          {g.years.map((y) => (
            <div key={y.year}>
              <h3>{t('criteria.schoolYear', { year: y.year })}</h3>
              <ul className="criteria-sets">
                {y.sets.map((s) => (
                  <li key={s.id} data-testid="criteria-set-item">
                    <Link to={`/criteria/${s.id}`}>{s.name}</Link>{' '}
                    <span className={`badge ${STATUS_BADGE[s.status].className}`}>
                      {t(STATUS_BADGE[s.status].key)}
                    </span>
                    <span className="muted">
                      {' '}
                      · {t(`criteria.purpose.${s.purpose}`)} · {t('criteria.version', { version: s.version })}{' '}
                      · {t('criteria.ruleCount', { count: s.ruleCount })}
                      {s.activatedAt ? ` · ${t('criteria.activatedOn', { date: date(s.activatedAt) })}` : ''}
                    </span>
                  </li>
                ))}
              </ul>
            </div>
          ))}
        </section>
      ))}
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}

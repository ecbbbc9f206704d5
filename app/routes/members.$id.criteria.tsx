/**
 * "Tiêu chí": the member's rule-by-rule verdict, evaluated live from the current
 * record against the active sets of the member's school kind (selection, and the
 * Party admission conditions), so a corrected GPA shows at once.
 */
import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { describeRule } from '~/components/criteria-rules';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { formatNumber, type Rule, type RuleResult } from '~/domain/criteria';
import { useFormatters, useLocale, useT } from '~/i18n/use-t';
import criteriaStyles from '~/styles/criteria.css?url';
import { getMemberCriteria } from '~/utils/criteria/criteria.server';
import { pageTitle } from '~/utils/meta';
import { requireUser } from '~/utils/auth/permissions.server';
import { requireId } from '~/utils/params.server';

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: criteriaStyles }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request, { permission: 'member:read' });
  const criteria = await getMemberCriteria(user, requireId(params));
  return { ...criteria, canOpenSets: user.role !== 'student' };
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, 'criteria.memberTab');

type Block = ReturnType<typeof useLoaderData<typeof loader>>['selection'];

function VerdictBlock({
  id,
  title,
  block,
  canOpen,
}: {
  id: string;
  title: string;
  block: Block;
  canOpen: boolean;
}) {
  const t = useT();
  const locale = useLocale();
  const rules = new Map((block.rules as Rule[]).map((r) => [r.id, r]));
  if (!block.set || !block.verdict) {
    return (
      <section aria-labelledby={`${id}-title`} className="profile-section">
        <h2 id={`${id}-title`}>{title}</h2>
        <p className="muted">{t('criteria.noActiveSet')}</p>
      </section>
    );
  }
  const v = block.verdict;
  return (
    <section aria-labelledby={`${id}-title`} className="profile-section" data-testid={`verdict-${id}`}>
      <h2 id={`${id}-title`}>{title}</h2>
      <p>
        <strong
          className={`verdict ${v.eligible ? 'verdict-yes' : 'verdict-no'}`}
          data-testid={`verdict-${id}-eligible`}
        >
          {v.eligible ? t('criteria.eligibleYes') : t('criteria.eligibleNo')}
        </strong>
        {v.score !== undefined ? (
          <span className="muted">
            {' '}
            ·{' '}
            {t('criteria.scoreText', {
              score: formatNumber(v.score, locale),
              max: formatNumber(v.maxScore ?? 0, locale),
              passMark: formatNumber(v.passMark ?? 0, locale),
            })}
          </span>
        ) : null}
      </p>
      <p className="muted">
        {t('criteria.judgedBy')}{' '}
        {canOpen ? <Link to={`/criteria/${block.set.id}`}>{block.set.name}</Link> : block.set.name} (
        {t('criteria.version', { version: block.set.version })})
      </p>
      <ul className="verdict-rules">
        {(v.results as RuleResult[]).map((r) => {
          const rule = rules.get(r.ruleId);
          return (
            <li key={r.ruleId} className={r.passed ? 'rule-pass' : 'rule-fail'} data-testid="verdict-rule">
              <span className="rule-mark" aria-hidden="true">
                {r.passed ? '✓' : '✗'}
              </span>
              <div>
                <div>
                  {rule ? describeRule(rule, t, locale) : r.ruleId}{' '}
                  <span className="badge">
                    {r.required
                      ? t('criteria.requiredBadge')
                      : t('criteria.scoredBadge', { weight: formatNumber(r.weight ?? 0, locale) })}
                  </span>
                  <span className="visually-hidden">
                    {r.passed ? t('criteria.rulePassed') : t('criteria.ruleFailed')}
                  </span>
                </div>
                <div className="muted" data-testid="verdict-explanation">
                  {r.explanation[locale]}
                </div>
              </div>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

export default function MemberCriteria() {
  const { selection, admission, canOpenSets } = useLoaderData<typeof loader>();
  const t = useT();
  const { date } = useFormatters();
  return (
    <div className="member-criteria">
      <p className="muted">{t('criteria.liveNote', { date: date(selection.asOf) })}</p>
      <VerdictBlock
        id="selection"
        title={t('criteria.purpose.selection')}
        block={selection}
        canOpen={canOpenSets}
      />
      <VerdictBlock
        id="admission"
        title={t('criteria.purpose.admission')}
        block={admission}
        canOpen={canOpenSets}
      />
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}

import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { RuleDescriptions, STATUS_BADGE } from '~/components/criteria-rules';
import type { MessageKey } from '~/i18n';
import { useFormatters, useT } from '~/i18n/use-t';
import criteriaStyles from '~/styles/criteria.css?url';
import {
  activateSet,
  getSet,
  newDraftFrom,
  requireCriteriaAccess,
  requireCriteriaManager,
} from '~/utils/criteria/criteria.server';
import { pageTitle } from '~/utils/meta';
import { readForm } from '~/utils/request-guards.server';
import { requireId } from '~/utils/params.server';
import { unknownIntent } from '~/utils/responses.server';

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: criteriaStyles }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const access = await requireCriteriaAccess(request);
  const set = await getSet(access, requireId(params));
  return { set, canManage: access.canManage };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const access = await requireCriteriaManager(request);
  const id = requireId(params);
  const formData = await readForm(request);
  switch (formData.get('intent')) {
    case 'activate':
      return activateSet(access, id);
    case 'new-draft':
      return newDraftFrom(access, id);
    default:
      throw unknownIntent();
  }
}

export const meta: MetaFunction<typeof loader> = ({ matches, data }) =>
  pageTitle(matches, 'criteria.setTitle', { name: data?.set.name ?? '' });

const DONE: Record<string, MessageKey> = {
  'criteria-saved': 'criteria.toast.saved',
  'criteria-activated': 'criteria.toast.activated',
  'criteria-draft': 'criteria.toast.draft',
};

export default function CriteriaSetPage() {
  const { set, canManage } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const [searchParams] = useSearchParams();
  const navigation = useNavigation();
  const t = useT();
  const { date } = useFormatters();
  const done = DONE[searchParams.get('ok') ?? ''];
  const busy = navigation.state === 'submitting';
  const badge = STATUS_BADGE[set.status];
  return (
    <>
      <p>
        <Link to="/criteria">{t('criteria.back')}</Link>
      </p>
      {done ? (
        <p className="toast" role="status" data-testid="criteria-toast">
          {t(done)}
        </p>
      ) : null}
      <h1>{set.name}</h1>
      <p className="muted">
        {t(`schoolKind.${set.schoolKind}`)} · {t('criteria.schoolYear', { year: set.schoolYear })} ·{' '}
        {t(`criteria.purpose.${set.purpose}`)} · {t('criteria.version', { version: set.version })}{' '}
        <span className={`badge ${badge.className}`} data-testid="criteria-status">
          {t(badge.key)}
        </span>
      </p>
      {set.status === 'draft' && set.activeVersion ? (
        <p className="panel">
          {t('criteria.draftReplaces', { version: set.activeVersion.version })}{' '}
          <Link to={`/criteria/${set.activeVersion.id}`}>{t('criteria.viewActive')}</Link>
        </p>
      ) : null}
      {actionData && 'activateFailed' in actionData ? (
        <div className="form-error" role="alert">
          {t('criteria.activateInvalid')}
        </div>
      ) : null}

      <section aria-labelledby="rules-title">
        <h2 id="rules-title">{t('criteria.rules')}</h2>
        <RuleDescriptions rules={set.rules} passMark={set.passMark} />
      </section>

      {canManage ? (
        <section aria-labelledby="actions-title" className="panel criteria-actions">
          <h2 id="actions-title">{t('criteria.actions')}</h2>
          {set.status === 'draft' ? (
            <>
              <p className="field-hint">{t('criteria.activateHint')}</p>
              <div className="button-row">
                <Link className="button button-secondary" to={`/criteria/${set.id}/edit`}>
                  {t('criteria.edit')}
                </Link>
                <Link className="button button-secondary" to={`/criteria/${set.id}/simulate`}>
                  {t('criteria.simulate')}
                </Link>
                <Form method="post">
                  <button type="submit" name="intent" value="activate" disabled={busy}>
                    {t('criteria.activate')}
                  </button>
                </Form>
              </div>
            </>
          ) : (
            <>
              <p className="field-hint">{t('criteria.readOnlyHint')}</p>
              <Form method="post">
                <button type="submit" name="intent" value="new-draft" disabled={busy}>
                  {t('criteria.newDraft')}
                </button>
              </Form>
            </>
          )}
        </section>
      ) : null}

      {set.history.length ? (
        <section aria-labelledby="history-title">
          <h2 id="history-title">{t('criteria.history')}</h2>
          <ul className="criteria-history">
            {set.history.map((h, i) => (
              <li key={i}>
                {date(h.at)} · {t(`criteria.historyAction.${h.action}` as MessageKey)}
                {h.note ? ` (${h.note})` : ''}
                {h.by ? ` · ${h.by}` : ''}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}

import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, useActionData, useLoaderData } from '@remix-run/react';
import { CriteriaEditor } from '~/components/criteria-editor/criteria-editor';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { useT } from '~/i18n/use-t';
import criteriaStyles from '~/styles/criteria.css?url';
import { getDraftForEdit, requireCriteriaManager, saveDraft } from '~/utils/criteria/criteria.server';
import { pageTitle } from '~/utils/meta';
import { readForm } from '~/utils/request-guards.server';
import { requireId } from '~/utils/params.server';
import { unknownIntent } from '~/utils/responses.server';

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: criteriaStyles }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const access = await requireCriteriaManager(request);
  return { draft: await getDraftForEdit(access, requireId(params)) };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const access = await requireCriteriaManager(request);
  const id = requireId(params);
  const formData = await readForm(request);
  if (formData.get('intent') !== 'save') throw unknownIntent();
  return saveDraft(access, id, formData);
}

export const meta: MetaFunction<typeof loader> = ({ matches, data }) =>
  pageTitle(matches, 'criteria.editTitle', { name: data?.draft.name ?? '' });

export default function EditCriteriaSet() {
  const { draft } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const t = useT();
  const values = actionData?.values;
  return (
    <>
      <p>
        <Link to={`/criteria/${draft.id}`}>{t('criteria.backToSet')}</Link>
      </p>
      <h1>{t('criteria.editTitle', { name: draft.name })}</h1>
      <p className="muted">
        {t(`schoolKind.${draft.schoolKind}`)} · {t('criteria.schoolYear', { year: draft.schoolYear })} ·{' '}
        {t(`criteria.purpose.${draft.purpose}`)} · {t('criteria.version', { version: draft.version })}
      </p>
      <CriteriaEditor
        // A failed save remounts the editor with what was posted.
        key={values ? JSON.stringify(values).length : 'loaded'}
        set={values ? { ...draft, ...values } : draft}
        errors={actionData?.errors}
      />
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}

import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { ConductBandsSection } from '~/components/conduct-bands';
import { DocumentSettingsSection } from '~/components/document-settings';
import { UnitEditor } from '~/components/unit-editor';
import { useT } from '~/i18n/use-t';
import { pageTitle } from '~/utils/meta';
import { can } from '~/domain/permissions';
import { requireUser } from '~/utils/auth/permissions.server';
import {
  getUnit,
  parentOptions,
  saveConductBands,
  saveUnit,
  setUnitActive,
} from '~/utils/admin/units.server';
import { documentSettingsView, saveDocumentSettings } from '~/utils/documents/settings.server';
import { readForm } from '~/utils/request-guards.server';
import { requireId } from '~/utils/params.server';
import { unknownIntent } from '~/utils/responses.server';

export async function loader({ request, params }: LoaderFunctionArgs) {
  const id = requireId(params);
  const user = await requireUser(request, { permission: 'unit:read', unitId: id });
  const canManage = can(user.role, 'unit:manage');
  const [unit, parents, documentBodies] = await Promise.all([
    getUnit(user, id),
    canManage ? parentOptions(user) : [],
    documentSettingsView(user, id),
  ]);
  // Read-only viewers still see the current parent's name in the picker.
  const parentList =
    canManage || !unit.values.parentId
      ? parents
      : [{ id: unit.values.parentId, label: unit.path[unit.path.length - 1] ?? '', depth: 0 }];
  return { unit, parents: parentList, canManage, documentBodies };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const id = requireId(params);
  await requireUser(request); // signed in before the body is read
  const formData = await readForm(request);
  const intent = formData.get('intent');
  // A school's document settings are also its own committees' (settings.ts: editableBodies),
  // so that intent needs only unit:read and the scope here; the service checks the role.
  if (intent === 'documentBodies')
    return saveDocumentSettings(
      await requireUser(request, { permission: 'unit:read', unitId: id }),
      id,
      formData,
    );
  const user = await requireUser(request, { permission: 'unit:manage', unitId: id });
  switch (intent) {
    case 'save':
      return saveUnit(user, formData, id);
    case 'deactivate':
      return setUnitActive(user, id, false);
    case 'activate':
      return setUnitActive(user, id, true);
    case 'conductBands':
      return saveConductBands(user, id, formData);
    default:
      throw unknownIntent();
  }
}

export const meta: MetaFunction<typeof loader> = ({ matches, data }) =>
  pageTitle(matches, 'units.editTitle', { name: data?.unit.name ?? '' });

export default function UnitPage() {
  const { unit, parents, canManage, documentBodies } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  // The bands' and the document settings' forms answer with their intent; the unit editor's without one.
  const bandsFailure = result && 'intent' in result && result.intent === 'conductBands' ? result : undefined;
  const bodiesFailure =
    result && 'intent' in result && result.intent === 'documentBodies' ? result : undefined;
  const actionData = result && !('intent' in result) ? result : undefined;
  const t = useT();
  return (
    <>
      <p>
        <Link to="/admin/units">{t('units.back')}</Link>
      </p>
      <h1>{t('units.editTitle', { name: unit.name })}</h1>
      {unit.path.length ? (
        <p className="muted">
          {t('units.path')}: {unit.path.join(' › ')}
        </p>
      ) : null}
      <p>
        <span
          className={`badge ${unit.active ? 'badge-active' : 'badge-inactive'}`}
          data-testid="unit-status"
        >
          {unit.active ? t('units.active') : t('units.inactive')}
        </span>
      </p>
      {canManage ? null : <p className="panel">{t('units.readOnly')}</p>}
      {canManage ? (
        <p>
          <Link to={`/admin/units/${unit.id}/signing`}>{t('signing.link')}</Link>
        </p>
      ) : null}
      <UnitEditor
        key={unit.id}
        mode="edit"
        readOnly={!canManage}
        values={actionData?.values ?? unit.values}
        parents={parents}
        result={actionData?.result}
      />
      {unit.conductBands ? (
        <ConductBandsSection
          bands={unit.conductBands}
          isSet={unit.conductBandsSet}
          canEdit={canManage}
          failure={bandsFailure}
        />
      ) : null}
      {documentBodies ? <DocumentSettingsSection view={documentBodies} failure={bodiesFailure} /> : null}
      {canManage ? (
        <section className="panel" aria-labelledby="unit-status-title">
          <h2 id="unit-status-title">{t('units.status')}</h2>
          <p className="field-hint">{t('units.deactivateHint')}</p>
          <Form method="post">
            {unit.active ? (
              <button type="submit" name="intent" value="deactivate" className="button-danger">
                {t('units.deactivate')}
              </button>
            ) : (
              <button type="submit" name="intent" value="activate" className="button-secondary">
                {t('units.activate')}
              </button>
            )}
          </Form>
        </section>
      ) : null}
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}

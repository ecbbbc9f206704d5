/**
 * A unit's document-signing certificate (issue 20): the administrator installs, replaces or
 * removes the PKCS#12 file; the page shows the certificate's subject, issuer and validity.
 * Admin only, like every other change to a unit; another scope's unit is a 404.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { data, redirect } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { Field } from '~/components/forms';
import { useFormatters, useT } from '~/i18n/use-t';
import { requireUser } from '~/utils/auth/permissions.server';
import {
  INSTALL_MESSAGES,
  installCertificate,
  removeCertificate,
  signingStatus,
} from '~/utils/documents/signing/unit-signing.server';
import { pageTitle } from '~/utils/meta';
import { requireId } from '~/utils/params.server';
import { readForm } from '~/utils/request-guards.server';
import { unknownIntent } from '~/utils/responses.server';

export async function loader({ request, params }: LoaderFunctionArgs) {
  const id = requireId(params);
  const user = await requireUser(request, { permission: 'unit:manage', unitId: id });
  return signingStatus(user, id);
}

export async function action({ request, params }: ActionFunctionArgs) {
  const id = requireId(params);
  const user = await requireUser(request, { permission: 'unit:manage', unitId: id });
  const formData = await readForm(request);
  switch (formData.get('intent')) {
    case 'install': {
      const result = await installCertificate(user, id, formData.get('certificate'));
      if (!result.ok) return data({ error: INSTALL_MESSAGES[result.problem] }, { status: 400 });
      throw redirect(`/admin/units/${id}/signing?ok=signingInstalled`);
    }
    case 'remove':
      await removeCertificate(user, id);
      throw redirect(`/admin/units/${id}/signing?ok=signingRemoved`);
    default:
      throw unknownIntent();
  }
}

export const meta: MetaFunction<typeof loader> = ({ matches, data }) =>
  pageTitle(matches, 'signing.title', { name: data?.unit.name ?? '' });

export default function UnitSigningPage() {
  const { unit, variable, passphraseSet, certificate } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const t = useT();
  const f = useFormatters();
  const expired = certificate ? new Date(certificate.notAfter) < new Date() : false;
  return (
    <>
      <p>
        <Link to={`/admin/units/${unit.id}`}>{t('signing.back', { name: unit.name })}</Link>
      </p>
      <h1>{t('signing.title', { name: unit.name })}</h1>
      <p>{t('signing.intro', { variable })}</p>
      <p className={passphraseSet ? 'muted' : 'panel'} data-testid="signing-passphrase">
        {t(passphraseSet ? 'signing.passphraseSet' : 'signing.passphraseMissing', { variable })}
      </p>
      {certificate ? (
        <section className="panel" aria-labelledby="signing-current" data-testid="signing-certificate">
          <h2 id="signing-current">
            {t('signing.current')}{' '}
            {expired ? <span className="badge badge-inactive">{t('signing.expiredBadge')}</span> : null}
          </h2>
          <dl className="facts">
            <dt>{t('signing.subject')}</dt>
            <dd>{certificate.subject}</dd>
            <dt>{t('signing.issuer')}</dt>
            <dd>{certificate.issuer}</dd>
            <dt>{t('signing.validity')}</dt>
            <dd>
              {t('signing.validityRange', {
                from: f.date(certificate.notBefore),
                to: f.date(certificate.notAfter),
              })}
            </dd>
            <dt>{t('signing.serial')}</dt>
            <dd>
              <code>{certificate.serialNumber}</code>
            </dd>
            <dt>{t('signing.fingerprint')}</dt>
            <dd>
              <code style={{ overflowWrap: 'anywhere' }}>{certificate.fingerprint}</code>
            </dd>
            <dt>{t('signing.installedAt')}</dt>
            <dd>{f.date(certificate.installedAt)}</dd>
          </dl>
          <p className="field-hint">{t('signing.removeHint')}</p>
          <Form method="post">
            <button type="submit" name="intent" value="remove" className="button-danger">
              {t('signing.remove')}
            </button>
          </Form>
        </section>
      ) : (
        <p className="panel" data-testid="signing-none">
          {t('signing.none')}
        </p>
      )}
      <Form method="post" encType="multipart/form-data" className="card">
        <Field
          label={t('signing.file')}
          hint={t('signing.fileHint')}
          errors={result?.error ? [result.error] : undefined}
          inputProps={{
            name: 'certificate',
            type: 'file',
            accept: '.p12,.pfx,application/x-pkcs12',
            required: true,
          }}
        />
        <button type="submit" name="intent" value="install">
          {t(certificate ? 'signing.replace' : 'signing.install')}
        </button>
      </Form>
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}

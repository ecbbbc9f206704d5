/**
 * /verify/:code, public (no sign-in): the page a document's QR code opens. It says which
 * unit issued which form with which number and date, whether the document is still current
 * (rebuilt from today's record, its content hash unchanged) or superseded, and the hash
 * printed at the foot of the paper. No names: nothing more personal than the paper itself
 * prints, and less. An unknown code is a 404. The signature line names the certificate its
 * PDF was signed with (the issuing school's, when one is installed) and whether that
 * certificate is still installed; a PDF reader checks the signature on the file itself.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { StatusBadge } from '~/components/issued-documents';
import { FORM_TITLES } from '~/domain/documents';
import { useFormatters, useT } from '~/i18n/use-t';
import { checkPdfFor, verifyView } from '~/utils/documents/issued.server';
import { pageTitle } from '~/utils/meta';
import { notFound } from '~/utils/responses.server';

export async function loader({ params }: LoaderFunctionArgs) {
  const view = await verifyView(params.code ?? '');
  if (!view) throw notFound();
  return { ...view, title: FORM_TITLES[view.form] };
}

/** A PDF someone holds, checked against this document's signature; nothing is stored. */
export async function action({ request, params }: ActionFunctionArgs) {
  const form = await request.formData();
  const check = await checkPdfFor(params.code ?? '', form.get('pdf'));
  if (!check) throw notFound();
  return check;
}

export const meta: MetaFunction = ({ matches }) => [
  ...pageTitle(matches, 'verify.title'),
  { name: 'robots', content: 'noindex' },
];

export default function VerifyDocument() {
  const d = useLoaderData<typeof loader>();
  const t = useT();
  const f = useFormatters();
  return (
    <div className="verify-page">
      <h1>{t('verify.title')}</h1>
      <p>{t('verify.intro')}</p>
      <p className={`verify-status verify-${d.status}`} role="status" data-testid="verify-status">
        {t(d.status === 'current' ? 'verify.current' : 'verify.superseded')}
      </p>
      <dl className="facts card">
        <dt>{t('verify.form')}</dt>
        <dd data-testid="verify-form">
          {d.form} · {d.title}
        </dd>
        <dt>{t('verify.status')}</dt>
        <dd>
          <StatusBadge status={d.status} />
        </dd>
        <dt>{t('verify.issuer')}</dt>
        <dd>{d.issuer ?? t('verify.none')}</dd>
        <dt>{t('verify.number')}</dt>
        <dd data-testid="verify-number">{d.number ?? t('verify.none')}</dd>
        <dt>{t('verify.date')}</dt>
        <dd>{d.refDay ? f.date(d.refDay) : t('verify.none')}</dd>
        <dt>{t('verify.issuedAt')}</dt>
        <dd>{f.date(d.issuedAt)}</dd>
        <dt>{t('verify.code')}</dt>
        <dd>
          <code>{d.code}</code>
        </dd>
        <dt>{t('verify.hash')}</dt>
        <dd>
          <code className="verify-hash" data-testid="verify-hash">
            {d.contentHash}
          </code>
          <br />
          <span className="field-hint">{t('verify.hashHint')}</span>
        </dd>
        <dt>{t('verify.signature')}</dt>
        <dd data-testid="verify-signature">
          {d.signature
            ? t(d.signature.unit ? 'verify.signature.signedBy' : 'verify.signature.signedRemoved', {
                subject: d.signature.subject,
                unit: d.signature.unit ?? '',
              })
            : t('verify.signature.none')}
        </dd>
      </dl>
      <PdfCheckForm />
    </div>
  );
}

function PdfCheckForm() {
  const t = useT();
  const f = useFormatters();
  const check = useActionData<typeof action>();
  const busy = useNavigation().state === 'submitting';
  const problem = check && (check.result === 'missing' || check.result === 'notPdf');
  return (
    <section className="card" aria-labelledby="verify-check-title">
      <h2 id="verify-check-title">{t('verify.check.title')}</h2>
      <p className="field-hint">{t('verify.check.intro')}</p>
      <Form method="post" encType="multipart/form-data" noValidate>
        <div className="field">
          <label htmlFor="verify-pdf">{t('verify.check.file')}</label>
          <input
            id="verify-pdf"
            name="pdf"
            type="file"
            accept="application/pdf,.pdf"
            aria-invalid={problem || undefined}
            aria-describedby={problem ? 'verify-pdf-error' : undefined}
          />
          {problem ? (
            <p id="verify-pdf-error" className="field-error" role="alert">
              {t(`verify.check.${check.result}`)}
            </p>
          ) : null}
        </div>
        <button type="submit" className="button" disabled={busy}>
          {t('verify.check.submit')}
        </button>
      </Form>
      {check && !problem ? (
        <p role="status" data-testid="verify-check" className={`verify-check verify-check-${check.result}`}>
          {'subject' in check
            ? t(`verify.check.${check.result}`, {
                subject: check.subject,
                time: check.signedAt ? f.dateTime(check.signedAt) : '',
              })
            : t(`verify.check.${check.result}`)}
        </p>
      ) : null}
    </section>
  );
}

function UnknownCode() {
  const t = useT();
  return (
    <>
      <h1>{t('verify.title')}</h1>
      <p data-testid="verify-unknown">{t('verify.notFound')}</p>
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary statusHandlers={{ 404: () => <UnknownCode /> }} />;
}

/**
 * Issued official documents in the UI (issue 20): the pipeline tab's "Văn bản" section (for
 * each recorded step its forms, download buttons, issue history, verify links), the ready
 * queue's batch download, and the student's list of documents about her. Downloads are
 * POSTs with `reloadDocument`: issuing writes a record, and the browser saves the file.
 */
import { Form } from '@remix-run/react';
import type { FormCode, IssuedStatus } from '~/domain/documents';
import { studentMayDownload } from '~/domain/documents';
import { useFormatters, useLocale, useT } from '~/i18n/use-t';
import type { DocumentsPanel, FormRow } from '~/utils/documents/member-documents.server';
import type { IssuedView } from '~/utils/documents/issued.server';

export function StatusBadge({ status }: { status: IssuedStatus }) {
  const t = useT();
  return (
    <span className={`badge doc-status-${status}`} data-testid="doc-status">
      {t(`documents.status.${status}`)}
    </span>
  );
}

function DownloadButtons({
  action,
  form,
  hidden,
}: {
  action: string;
  form: string;
  hidden?: Record<string, string>;
}) {
  const t = useT();
  return (
    <Form method="post" action={action} reloadDocument className="doc-downloads">
      {Object.entries(hidden ?? {}).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <button
        type="submit"
        name="format"
        value="pdf"
        aria-label={t('documents.downloadLabel', { form, format: 'PDF' })}
      >
        {t('documents.pdf')}
      </button>
      <button
        type="submit"
        name="format"
        value="docx"
        className="button-secondary"
        aria-label={t('documents.downloadLabel', { form, format: '.docx' })}
      >
        {t('documents.docx')}
      </button>
    </Form>
  );
}

function IssueHistory({ issued }: { issued: IssuedView[] }) {
  const t = useT();
  const f = useFormatters();
  if (!issued.length) return <p className="muted">{t('documents.historyNone')}</p>;
  return (
    <details className="doc-history">
      <summary>{t('documents.history', { count: issued.length })}</summary>
      <ul>
        {issued.map((d) => (
          <li key={d.code} data-testid="doc-issue">
            {t('documents.issuedOn', { date: f.date(d.issuedAt) })}
            {d.number ? ` · ${d.number}` : ''}
            {d.batch ? ` · ${t('documents.batch')}` : ''} <StatusBadge status={d.status} />{' '}
            <a href={`/verify/${d.code}`} target="_blank" rel="noreferrer">
              {t('documents.verifyLink')}
            </a>
          </li>
        ))}
      </ul>
    </details>
  );
}

function FormItem({ row, memberId, canIssue }: { row: FormRow; memberId: string; canIssue: boolean }) {
  const t = useT();
  const locale = useLocale();
  return (
    <li className="doc-form" data-testid={`doc-${row.form}`}>
      <p>
        <strong>{row.form}</strong> {row.title}
        {row.filled ? null : <span className="muted"> · {t('documents.template')}</span>}
      </p>
      {row.refusal ? (
        <p className="field-hint" data-testid="doc-refusal">
          {row.refusal[locale]}
        </p>
      ) : canIssue ? (
        <DownloadButtons
          action={`/members/${memberId}/documents`}
          form={row.form}
          hidden={{ form: row.form }}
        />
      ) : null}
      <IssueHistory issued={row.issued} />
    </li>
  );
}

export function DocumentsSection({ panel, memberId }: { panel: DocumentsPanel; memberId: string }) {
  const t = useT();
  const locale = useLocale();
  return (
    <section aria-labelledby="documents-title" className="profile-section issued-documents">
      <h2 id="documents-title">{t('documents.title')}</h2>
      <p className="field-hint">{t('documents.intro')}</p>
      {panel.canIssue ? null : <p className="muted">{t('documents.readOnly')}</p>}
      {panel.steps.length === 0 ? (
        <p className="muted">{t('documents.none')}</p>
      ) : (
        panel.steps.map((s) => (
          <div key={s.step} className="doc-step">
            <h3>{t('documents.step', { step: s.label[locale] })}</h3>
            <ul className="doc-forms">
              {s.forms.map((row) => (
                <FormItem key={row.form} row={row} memberId={memberId} canIssue={panel.canIssue} />
              ))}
            </ul>
          </div>
        ))
      )}
    </section>
  );
}

/** The ready queue, after a bulk step: its one batch document. */
export function BatchDocument({
  batch,
}: {
  batch: { id: string; form: FormCode; title: string; count: number };
}) {
  const t = useT();
  return (
    <section
      className="panel issued-documents"
      aria-labelledby="batch-doc-title"
      data-testid="batch-document"
    >
      <h2 id="batch-doc-title">{t('documents.batchTitle')}</h2>
      <p>{t('documents.batchIntro', { form: `${batch.form} ${batch.title}`, count: batch.count })}</p>
      <DownloadButtons action="/pipeline/batch-document" form={batch.form} hidden={{ batch: batch.id }} />
    </section>
  );
}

/** The student portal: documents that name her, and her own decision to download. */
export function MyDocuments({ documents }: { documents: (IssuedView & { title: string })[] }) {
  const t = useT();
  const f = useFormatters();
  return (
    <section aria-labelledby="my-docs-title" className="card me-section" id="documents">
      <h2 id="my-docs-title">{t('documents.mine')}</h2>
      <p className="field-hint">{t('documents.mineIntro')}</p>
      {documents.length === 0 ? (
        <p className="muted">{t('documents.mineNone')}</p>
      ) : (
        <ul className="doc-forms" data-testid="my-documents">
          {documents.map((d) => (
            <li key={d.code} className="doc-form">
              <p>
                <strong>{d.form}</strong> {d.title}
                {d.number ? ` · ${d.number}` : ''} · {t('documents.issuedOn', { date: f.date(d.issuedAt) })}{' '}
                <StatusBadge status={d.status} />
              </p>
              {studentMayDownload(d) ? (
                <p className="doc-downloads">
                  <a className="button" href={`/me/documents/${d.code}?format=pdf`} download>
                    {t('documents.pdf')}
                  </a>{' '}
                  <a
                    className="button button-secondary"
                    href={`/me/documents/${d.code}?format=docx`}
                    download
                  >
                    {t('documents.docx')}
                  </a>
                </p>
              ) : d.form === '9-KNĐ' ? (
                <p className="muted">
                  {d.batch ? t('documents.mineBatchOnly') : t('documents.mineSuperseded')}
                </p>
              ) : null}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

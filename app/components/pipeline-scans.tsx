/**
 * Signed scans on the Quy trình tab: the list (download, who and when, remove) and, for
 * the school, the attach form. Both post to /members/:id/scans through a fetcher, so a
 * refusal comes back beside its field without leaving the tab; a file over the limit is
 * refused here before a byte of it is sent (the server checks size and type again).
 */
import { useFetcher } from '@remix-run/react';
import { useState, type FormEvent } from 'react';
import type { MessageKey } from '~/i18n';
import type { Text } from '~/domain/criteria/types';
import { useFormatters, useLocale, useT } from '~/i18n/use-t';
import { Field, SelectField } from './forms';
import type { ScanDone, ScanFailure, ScanView } from '~/utils/pipeline/pipeline-scans.server';

type Answer = ScanFailure | ScanDone;
const failed = (a: Answer | undefined) => (a && 'errors' in a ? a.errors : undefined);

function RemoveScan({ memberId, scan }: { memberId: string; scan: ScanView }) {
  const t = useT();
  const fetcher = useFetcher<Answer>();
  return (
    <fetcher.Form
      method="post"
      action={`/members/${memberId}/scans`}
      onSubmit={(e) => {
        if (!window.confirm(t('pipeline.scans.removeConfirm'))) e.preventDefault();
      }}
    >
      <input type="hidden" name="intent" value="scan_remove" />
      <input type="hidden" name="scanId" value={scan.id} />
      <button type="submit" className="button-link" disabled={fetcher.state !== 'idle'}>
        {t('pipeline.scans.remove')}
      </button>
    </fetcher.Form>
  );
}

function AttachScan({
  memberId,
  forms,
  names,
  maxBytes,
}: {
  memberId: string;
  forms: string[];
  names: Record<string, Text>;
  maxBytes: number;
}) {
  const t = useT();
  const locale = useLocale();
  const fetcher = useFetcher<Answer>();
  const [tooBig, setTooBig] = useState(false);
  const server = fetcher.state === 'idle' ? failed(fetcher.data) : undefined;
  const busy = fetcher.state !== 'idle';
  const fileErrors: MessageKey[] = tooBig ? ['pipeline.scans.v.tooBig'] : server?.file ? [server.file] : [];
  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    const file = new FormData(e.currentTarget).get('file');
    const over = file instanceof File && file.size > maxBytes;
    setTooBig(over);
    if (over) e.preventDefault();
  };
  const done = fetcher.state === 'idle' && fetcher.data && 'done' in fetcher.data;
  return (
    <fetcher.Form
      method="post"
      action={`/members/${memberId}/scans`}
      encType="multipart/form-data"
      onSubmit={onSubmit}
      data-testid="scan-attach"
      // A new form after each success: the chosen file is cleared.
      key={done ? String(Date.now()) : 'scan-attach'}
    >
      <input type="hidden" name="intent" value="scan_attach" />
      <SelectField
        label={t('pipeline.scans.form')}
        errors={server?.form ? [server.form] : undefined}
        selectProps={{ name: 'form', required: true, id: 'scan-form' }}
      >
        {forms.map((f) => (
          <option key={f} value={f}>
            {names[f] ? `${f} — ${names[f][locale]}` : f}
          </option>
        ))}
      </SelectField>
      <Field
        label={t('pipeline.scans.file')}
        errors={fileErrors}
        inputProps={{
          name: 'file',
          type: 'file',
          id: 'scan-file',
          required: true,
          accept: 'application/pdf,image/jpeg',
          onChange: () => setTooBig(false),
        }}
      />
      {done ? (
        <p className="form-success" role="status">
          {t('pipeline.scans.attached')}
        </p>
      ) : null}
      <div className="form-actions">
        <button type="submit" className="button" disabled={busy} aria-busy={busy}>
          {t(busy ? 'pipeline.scans.attaching' : 'pipeline.scans.attach')}
        </button>
      </div>
    </fetcher.Form>
  );
}

export function ScanSection({
  memberId,
  scans,
  scannable,
  canEdit,
  maxBytes,
  names,
}: {
  memberId: string;
  scans: ScanView[];
  scannable: string[];
  canEdit: boolean;
  maxBytes: number;
  /** Each form's name, for the form picker. */
  names: Record<string, Text>;
}) {
  const t = useT();
  const { date, decimal } = useFormatters();
  return (
    <section aria-labelledby="scans-title" className="profile-section" data-testid="scans">
      <h2 id="scans-title">{t('pipeline.scans')}</h2>
      <p className="field-hint">{t('pipeline.scans.intro', { mb: maxBytes / 1024 / 1024 })}</p>
      {scans.length === 0 ? (
        <p className="muted">{t('pipeline.scans.none')}</p>
      ) : (
        <ul className="scan-list">
          {scans.map((s) => (
            <li key={s.id} data-testid="scan" data-form={s.form}>
              <strong>{s.form}</strong>{' '}
              <a href={s.href} download>
                {s.name}
              </a>{' '}
              <span className="muted">
                (
                {s.size < 1024 * 1024
                  ? `${Math.max(1, Math.round(s.size / 1024))} KB`
                  : `${decimal(s.size / 1024 / 1024, 1)} MB`}
                ) ·{' '}
                {s.by
                  ? t('pipeline.scans.by', { name: s.by, date: date(s.at) })
                  : t('pipeline.scans.byUnknown', { date: date(s.at) })}
              </span>
              {canEdit ? <RemoveScan memberId={memberId} scan={s} /> : null}
            </li>
          ))}
        </ul>
      )}
      {canEdit ? (
        scannable.length ? (
          <AttachScan memberId={memberId} forms={scannable} names={names} maxBytes={maxBytes} />
        ) : (
          <p className="muted">{t('pipeline.scans.noStep')}</p>
        )
      ) : null}
    </section>
  );
}

/**
 * The import page's report of one upload: the dry run's summary and problems, the
 * commit button, and the job's state as it goes (docs/decisions/020-import-in-one-transaction.md):
 * re-checking, writing n / total, done, failed or interrupted, each saying plainly
 * whether anything was written. While the commit runs, the page's own loader is
 * polled once a second through a fetcher. Before the commit, the preview of the rows
 * (app/components/member-import-preview.tsx); a file that changes nothing says so and
 * offers no commit. Also the problems of a refused file (`FileProblems`).
 */
import { Form, Link, useFetcher, useNavigation } from '@remix-run/react';
import { useEffect, useRef } from 'react';
import { BrokeMembers } from '~/components/broke-members';
import { ImportPreviewView } from '~/components/member-import-preview';
import { isRunning, type ImportJobView, type ImportUploadView } from '~/domain/import-job';
import { formatImportProblem, importProblemMessage } from '~/domain/import-messages';
import type { ImportProblem } from '~/domain/member-import/types';
import { useFormatters, useLocale, useT } from '~/i18n/use-t';

const POLL_MS = 1000;

/** The report as the server last described it: the first render's, then each poll's. */
export function useJobProgress(initial: ImportUploadView): ImportUploadView {
  const fetcher = useFetcher<{ upload: ImportUploadView | null }>();
  const polled = fetcher.data?.upload;
  // A poll of another token (the user moved on) or of an expired job keeps what we had.
  const upload = polled && polled.token === initial.token ? polled : initial;
  const running = isRunning(upload.job);
  // The fetcher object changes every render; the interval reads the current one.
  const latest = useRef(fetcher);
  latest.current = fetcher;
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => {
      if (latest.current.state === 'idle')
        latest.current.load(`/members/import?token=${initial.token}&page=${initial.page}`);
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [running, initial.token, initial.page]);
  return upload;
}

export function ImportReport({ upload: initial }: { upload: ImportUploadView }) {
  const t = useT();
  const { number } = useFormatters();
  const navigation = useNavigation();
  const committing = navigation.state === 'submitting' && navigation.formData?.get('intent') === 'commit';
  const upload = useJobProgress(initial);
  const s = upload.summary;
  return (
    <section aria-labelledby="import-report-title">
      <h2 id="import-report-title">{t('import.reportTitle')}</h2>
      <p>
        {t('import.reportFor', { file: upload.filename, school: upload.schoolName })} ·{' '}
        {t(upload.kind === 'members' ? 'import.kind.members' : 'import.kind.results')}
      </p>
      <ul className="stats" data-testid="import-summary">
        <li>
          <span className="stat-value">{number(s.rows)}</span> {t('import.rows')}
        </li>
        <li>
          <span className="stat-value">{number(s.toCreate)}</span> {t('import.toCreate')}
        </li>
        <li>
          <span className="stat-value">{number(s.toUpdate)}</span> {t('import.toUpdate')}
        </li>
        <li>
          <span className="stat-value">{number(s.unchanged)}</span> {t('import.unchanged')}
        </li>
      </ul>

      {upload.state === 'checked' && upload.problemCount ? (
        <>
          <div className="form-error" role="alert">
            {t('import.problemsIntro', { count: number(upload.problemCount) })}
          </div>
          <ProblemTable upload={upload} />
        </>
      ) : null}

      {upload.nothingToDo ? (
        <div className="panel" role="status" data-testid="import-nothing">
          <p>{t('import.nothingToDo')}</p>
        </div>
      ) : null}

      {upload.preview ? <ImportPreviewView preview={upload.preview} /> : null}

      {upload.canCommit ? (
        <div className="panel">
          <p>{t('import.readyToCommit')}</p>
          <p className="muted">{t('import.allOrNothing')}</p>
          <Form method="post">
            <input type="hidden" name="intent" value="commit" />
            <input type="hidden" name="token" value={upload.token} />
            <button type="submit" disabled={committing}>
              {t('import.commit')}
            </button>
          </Form>
        </div>
      ) : null}

      {upload.fileGone ? (
        <div className="form-error" role="alert" data-testid="import-file-gone">
          <p>{t('import.fileGone')}</p>
        </div>
      ) : null}

      {upload.job ? <JobStatus job={upload.job} upload={upload} /> : null}

      <p>
        <Link to="/members/import">{t('import.another')}</Link>
      </p>
    </section>
  );
}

function ProblemTable({ upload }: { upload: ImportUploadView }) {
  const t = useT();
  const locale = useLocale();
  const { number } = useFormatters();
  return (
    <>
      {upload.problemsKept < upload.problemCount ? (
        <p className="muted">{t('import.problemsKept', { kept: number(upload.problemsKept) })}</p>
      ) : null}
      <div className="table-wrap">
        <table data-testid="import-problems">
          <caption className="visually-hidden">{t('import.problems')}</caption>
          <thead>
            <tr>
              <th scope="col" className="num">
                {t('import.row')}
              </th>
              <th scope="col">{t('import.column')}</th>
              <th scope="col">{t('import.value')}</th>
              <th scope="col">{t('import.message')}</th>
            </tr>
          </thead>
          <tbody>
            {upload.problems.map((p, i) => (
              <tr key={i}>
                <td className="num">{p.row ?? '—'}</td>
                <td>{p.column ?? '—'}</td>
                <td>{p.value ?? ''}</td>
                <td>{importProblemMessage(p, locale)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pager upload={upload} />
    </>
  );
}

function Pager({ upload }: { upload: ImportUploadView }) {
  const t = useT();
  if (upload.pages <= 1) return null;
  return (
    <nav className="pager" aria-label={t('import.problemPages')}>
      {upload.page > 1 ? (
        <Link to={`?token=${upload.token}&page=${upload.page - 1}`}>{t('units.previous')}</Link>
      ) : null}
      <span>{t('units.page', { page: upload.page, pages: upload.pages })}</span>
      {upload.page < upload.pages ? (
        <Link to={`?token=${upload.token}&page=${upload.page + 1}`}>{t('units.next')}</Link>
      ) : null}
    </nav>
  );
}

export function JobStatus({ job, upload }: { job: ImportJobView; upload: ImportUploadView }) {
  const t = useT();
  const locale = useLocale();
  const { number } = useFormatters();
  if (job.state === 'committing') {
    return (
      <div className="panel" role="status" aria-live="polite" data-testid="import-progress">
        <p>
          {job.phase === 'writing'
            ? t('import.writing', { done: number(job.done), total: number(job.total) })
            : job.phase === 'elsewhere'
              ? t('import.committing')
              : t('import.rechecking')}
        </p>
        <progress
          max={job.total || 1}
          value={job.phase === 'writing' ? job.done : undefined}
          aria-label={t('import.progress')}
        />
        <p className="muted">{t('import.allOrNothing')}</p>
      </div>
    );
  }
  if (job.state === 'interrupted') {
    return (
      <div className="form-error" role="alert" data-testid="import-interrupted">
        <p>{t('import.interrupted')}</p>
      </div>
    );
  }
  if (job.state === 'failed') {
    return (
      <div className="form-error" role="alert" data-testid="import-failed">
        <p>{t('import.failed')}</p>
        <ul>
          {upload.problems.map((p, i) => (
            <li key={i}>{formatImportProblem(p, locale)}</li>
          ))}
        </ul>
        <Pager upload={upload} />
      </div>
    );
  }
  return (
    <div className="panel" role="status" data-testid="import-done">
      <p className="import-done">{t('import.done', { written: number(job.written) })}</p>
      {job.broke ? <BrokeMembers view={job.broke} lead="import.broke" live={false} /> : null}
      {job.members.length ? (
        <>
          <h3>{t('import.importedMembers')}</h3>
          <ul className="link-list">
            {job.members.map((m) => (
              <li key={m.id}>
                <Link to={`/members/${m.id}`}>
                  {m.fullName} ({m.studentCode})
                </Link>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </div>
  );
}

/** A file refused whole (not a spreadsheet, columns missing, too large): nothing to review. */
export function FileProblems({ problems }: { problems: ImportProblem[] }) {
  const locale = useLocale();
  const t = useT();
  return (
    <div className="form-error" role="alert" data-testid="file-problems">
      <p>{t('import.fileRefused')}</p>
      <ul>
        {problems.map((p, i) => (
          <li key={i}>{importProblemMessage(p, locale)}</li>
        ))}
      </ul>
    </div>
  );
}

/**
 * Spreadsheet import of members or academic results, in two steps: upload → dry run
 * (summary and every problem by row and column, nothing written) → commit of the same
 * file, kept server-side under a token (app/utils/member-import-jobs.server.ts), as a
 * background job whose progress and end (done, failed, interrupted: decision 020) this
 * page polls through its own loader (app/components/import-report.tsx).
 */
import {
  data,
  redirect,
  type ActionFunctionArgs,
  type LinksFunction,
  type LoaderFunctionArgs,
  type MetaFunction,
} from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { useState } from 'react';
import { z } from 'zod';
import { FormError, SelectField } from '~/components/forms';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { ImportReport } from '~/components/import-report';
import type { ImportUploadView } from '~/domain/import-job';
import { importProblemMessage } from '~/domain/import-messages';
import {
  FILE_PROBLEM_CODES,
  IMPORT_KINDS,
  MAX_FILE_BYTES,
  type ImportKind,
  type ImportProblem,
} from '~/domain/member-import';
import { useLocale, useT } from '~/i18n/use-t';
import memberStyles from '~/styles/members.css?url';
import { MaxPartSizeExceededError, parseBoundedMultipart, TooManyPartsError } from '~/utils/multipart.server';
import { editorOptions } from '~/utils/member-edit.server';
import { getJob, putUpload, startCommit, type JobRead } from '~/utils/member-import-jobs.server';
import { dryRun } from '~/utils/member-import.server';
import { pageTitle } from '~/utils/meta';
import { requireUser } from '~/utils/permissions.server';
import { readForm } from '~/utils/request-guards.server';
import { badRequest, unknownIntent } from '~/utils/responses.server';

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: memberStyles }];

const PROBLEMS_PER_PAGE = 200;

const QuerySchema = z.object({
  token: z.string().max(64).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(100_000).catch(1),
  expired: z.string().optional().catch(undefined),
});

function uploadView(job: JobRead, page: number): ImportUploadView {
  const pages = Math.max(1, Math.ceil(job.problems.length / PROBLEMS_PER_PAGE));
  const current = Math.min(page, pages);
  const clean = job.state === 'checked' && job.ok;
  return {
    token: job.token,
    kind: job.kind,
    filename: job.filename,
    schoolName: job.schoolName,
    ok: job.ok,
    state: job.state,
    summary: job.summary,
    problemCount: job.problemCount,
    problems: job.problems.slice((current - 1) * PROBLEMS_PER_PAGE, current * PROBLEMS_PER_PAGE),
    problemsKept: job.problems.length,
    page: current,
    pages,
    canCommit: clean && job.fileHere,
    fileGone: clean && !job.fileHere,
    job: job.job,
  };
}

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request, { permission: 'member:import' });
  const query = QuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const { schools } = await editorOptions(user);
  const job = query.token ? await getJob(query.token, user) : null;
  return {
    schools,
    maxMb: MAX_FILE_BYTES / 1024 / 1024,
    upload: job ? uploadView(job, query.page) : null,
    expired: (!!query.token && !job) || !!query.expired,
  };
}

type FileFailure = {
  problems: ImportProblem[];
  kind: ImportKind | null;
  formError: 'import.noFile' | 'import.noSchool' | 'limits.tooManyFiles' | null;
};

function fileFailure(
  problems: ImportProblem[],
  kind: ImportKind | null,
  status: number,
  formError: FileFailure['formError'] = null,
) {
  return data({ problems, kind, formError } satisfies FileFailure, { status });
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request, { permission: 'member:import' });
  const contentType = request.headers.get('Content-Type') ?? '';
  if (!contentType.startsWith('multipart/form-data')) {
    const formData = await readForm(request);
    if (formData.get('intent') !== 'commit') throw unknownIntent();
    const token = String(formData.get('token') ?? '');
    // Started, already running or ended, or the file gone: the page says which.
    if ((await startCommit(token, user)) === 'not_found') throw redirect('/members/import?expired=1');
    throw redirect(`/members/import?token=${token}`);
  }

  // A body far larger than the limit is refused before reading it.
  const tooLarge = () =>
    fileFailure([{ code: 'file_too_large', params: { maxMb: MAX_FILE_BYTES / 1024 / 1024 } }], null, 413);
  const length = Number(request.headers.get('Content-Length') ?? 0);
  if (length > MAX_FILE_BYTES + 1024 * 1024) return tooLarge();
  let formData: FormData;
  try {
    formData = await parseBoundedMultipart(request, { maxPartSize: MAX_FILE_BYTES, maxFiles: 1 });
  } catch (error) {
    if (error instanceof MaxPartSizeExceededError) return tooLarge();
    if (error instanceof TooManyPartsError) return fileFailure([], null, 413, 'limits.tooManyFiles');
    // A truncated or malformed multipart body is the client's problem, not a 500.
    throw badRequest();
  }
  if (formData.get('intent') !== 'upload') throw unknownIntent();
  const kindValue = formData.get('kind');
  const kind = (IMPORT_KINDS as readonly unknown[]).includes(kindValue) ? (kindValue as ImportKind) : null;
  if (!kind) throw badRequest();

  const { schools } = await editorOptions(user);
  const schoolValue = String(formData.get('schoolId') ?? '') || (schools.length === 1 ? schools[0].id : '');
  const school = schools.find((s) => s.id === schoolValue);
  if (!school) return fileFailure([], kind, 400, 'import.noSchool');

  const file = formData.get('file');
  if (!(file instanceof Blob) || file.size === 0) {
    return fileFailure([], kind, 400, 'import.noFile');
  }
  const filename = (file as File).name || 'upload';
  const buffer = Buffer.from(await file.arrayBuffer());
  const report = await dryRun({ kind, schoolId: school.id, buffer, filename });
  // Problems with the whole file (not a spreadsheet, wrong headers): nothing to review.
  const fileLevel = (p: ImportProblem) => (FILE_PROBLEM_CODES as readonly string[]).includes(p.code);
  if (!report.ok && report.problems.every(fileLevel)) {
    return fileFailure(report.problems, kind, 400);
  }
  const token = await putUpload({
    userId: user.id,
    schoolId: school.id,
    schoolName: school.label,
    kind,
    filename,
    buffer,
    ok: report.ok,
    summary: report.summary,
    problems: report.problems,
  });
  throw redirect(`/members/import?token=${token}`);
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, 'import.title');

export default function ImportPage() {
  const { schools, maxMb, upload, expired } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const t = useT();
  const navigation = useNavigation();
  const uploading = navigation.state === 'submitting' && navigation.formData?.get('intent') === 'upload';
  const [kind, setKind] = useState<ImportKind>(actionData?.kind ?? upload?.kind ?? 'members');

  return (
    <>
      <p>
        <Link to="/members">{t('member.backToList')}</Link>
      </p>
      <h1>{t('import.title')}</h1>
      <p className="muted">{t('import.intro')}</p>

      {upload ? (
        <ImportReport upload={upload} />
      ) : (
        <>
          {expired ? <FormError message="import.expired" /> : null}
          <Form
            method="post"
            encType="multipart/form-data"
            className="form"
            aria-labelledby="import-upload-title"
          >
            <h2 id="import-upload-title">{t('import.step1')}</h2>
            <input type="hidden" name="intent" value="upload" />
            <fieldset className="fieldset-plain">
              <legend className="field-legend">{t('import.kind')}</legend>
              {IMPORT_KINDS.map((k) => (
                <label key={k} className="checkbox">
                  <input
                    type="radio"
                    name="kind"
                    value={k}
                    checked={kind === k}
                    onChange={() => setKind(k)}
                  />
                  {t(`import.kind.${k}`)}
                </label>
              ))}
            </fieldset>
            {schools.length > 1 ? (
              <SelectField
                label={t('member.school')}
                selectProps={{ name: 'schoolId', required: true, defaultValue: '' }}
              >
                <option value="">{t('member.choose')}</option>
                {schools.map((s) => (
                  <option key={s.id} value={s.id}>
                    {s.label}
                  </option>
                ))}
              </SelectField>
            ) : (
              <p className="muted">
                {t('member.school')}: {schools[0]?.label ?? '—'}
              </p>
            )}
            <div className="field">
              <label htmlFor="import-file">{t('import.file')}</label>
              <p id="import-file-hint" className="field-hint">
                {t('import.fileHint', { maxMb })}
              </p>
              <input
                id="import-file"
                type="file"
                name="file"
                required
                accept=".xlsx,.csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,text/csv"
                aria-describedby="import-file-hint"
              />
            </div>
            <div aria-live="polite">
              {actionData?.formError ? <FormError message={actionData.formError} /> : null}
              {actionData?.problems.length ? <FileProblems problems={actionData.problems} /> : null}
            </div>
            <div className="form-actions">
              <button type="submit" disabled={uploading}>
                {uploading ? t('import.checking') : t('import.check')}
              </button>
            </div>
          </Form>
          <section aria-labelledby="import-templates-title" className="panel">
            <h2 id="import-templates-title">{t('import.templates')}</h2>
            <ul className="link-list">
              {IMPORT_KINDS.map((k) => (
                <li key={k}>
                  <a href={`/members/import/template?kind=${k}`} download>
                    {t(`import.template.${k}`)}
                  </a>
                </li>
              ))}
            </ul>
          </section>
        </>
      )}
    </>
  );
}

function FileProblems({ problems }: { problems: ImportProblem[] }) {
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

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}

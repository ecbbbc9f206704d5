/**
 * Spreadsheet import of members or academic results, in two steps: upload → dry run
 * (the rows as they will be written, the column mapping, every problem by row and
 * column; nothing written) → commit of the same file, kept server-side under a token
 * (app/utils/members/member-import-jobs.server.ts), as a background job whose progress and end
 * (done, failed, interrupted: decision 020) this page polls through its own loader.
 * The page's parts: app/components/member-import-{upload,report,preview}.tsx.
 */
import {
  data,
  redirect,
  type ActionFunctionArgs,
  type LinksFunction,
  type LoaderFunctionArgs,
  type MetaFunction,
} from '@remix-run/node';
import { useActionData, useLoaderData } from '@remix-run/react';
import { z } from 'zod';
import { FormError } from '~/components/forms';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { ImportReport } from '~/components/member-import-report';
import { ImportUploadForm, type UploadFailure } from '~/components/member-import-upload';
import {
  FILE_PROBLEM_CODES,
  IMPORT_KINDS,
  MAX_FILE_BYTES,
  type ImportKind,
  type ImportProblem,
} from '~/domain/member-import/types';
import { useT } from '~/i18n/use-t';
import memberStyles from '~/styles/members.css?url';
import { MaxPartSizeExceededError, parseBoundedMultipart, TooManyPartsError } from '~/utils/multipart.server';
import { editorOptions } from '~/utils/members/member-edit.server';
import { startCommit } from '~/utils/members/member-import-job-commit.server';
import { uploadView } from '~/utils/members/member-import-job-view.server';
import { getJob, putUpload } from '~/utils/members/member-import-jobs.server';
import { dryRunPreview } from '~/utils/members/member-import-dry-run.server';
import { pageTitle } from '~/utils/meta';
import { requireUser } from '~/utils/auth/permissions.server';
import { readForm } from '~/utils/request-guards.server';
import { badRequest, unknownIntent } from '~/utils/responses.server';
import { PageHeading } from '~/components/page-heading';

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: memberStyles }];

const QuerySchema = z.object({
  token: z.string().max(64).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(100_000).catch(1),
  expired: z.string().optional().catch(undefined),
});

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

function fileFailure(
  problems: ImportProblem[],
  kind: ImportKind | null,
  status: number,
  formError: 'import.noFile' | 'import.noSchool' | 'limits.tooManyFiles' | null = null,
) {
  return data({ problems, kind, formError } satisfies UploadFailure, { status });
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
  const report = await dryRunPreview({ kind, schoolId: school.id, buffer, filename });
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
    preview: report.preview,
  });
  throw redirect(`/members/import?token=${token}`);
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, 'import.title');

export default function ImportPage() {
  const { schools, maxMb, upload, expired } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const t = useT();
  return (
    <>
      <PageHeading title={t('import.title')} back={{ to: '/members', label: t('member.backToList') }} />
      <p className="muted">{t('import.intro')}</p>
      {upload ? (
        <ImportReport upload={upload} />
      ) : (
        <>
          {expired ? <FormError message="import.expired" /> : null}
          <ImportUploadForm
            schools={schools}
            maxMb={maxMb}
            initialKind={actionData?.kind ?? 'members'}
            failure={actionData}
          />
        </>
      )}
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}

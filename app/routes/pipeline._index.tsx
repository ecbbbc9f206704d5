import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation, useSearchParams } from '@remix-run/react';
import { Pager } from '~/components/data-table';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { BoardFilterForm, BulkNotice, LaneView, boardHref } from '~/components/pipeline-board';
import { BulkProblems } from '~/components/pipeline-bulk';
import { OPEN_STAGES } from '~/domain/stages';
import { useLocale, useT } from '~/i18n/use-t';
import boardStyles from '~/styles/board.css?url';
import { pageTitle } from '~/utils/meta';
import { requireUser } from '~/utils/auth/permissions.server';
import { canActOnPipeline } from '~/domain/pipeline/tab-permissions';
import { loadBoard, parseBoardQuery, PAGE_CARDS } from '~/utils/pipeline/pipeline-board.server';
import { bulkStepsFor } from '~/domain/pipeline/bulk-steps';
import { bulkReturn } from '~/utils/pipeline/pipeline-bulk.server';
import { readForm } from '~/utils/request-guards.server';
import { badRequest, forbidden } from '~/utils/responses.server';

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: boardStyles }];

// Every staff role reads the pipeline of its scope; students have their own page.
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request, { permission: 'member:read' });
  const board = await loadBoard(user, parseBoardQuery(new URL(request.url).searchParams));
  return {
    ...board,
    pageSize: PAGE_CARDS,
    // Returning is a pipeline right of every staff side (the machine checks each record's stage).
    canReturn: canActOnPipeline(user),
    hasReadyQueue: bulkStepsFor(user).length > 0,
  };
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request, { permission: 'member:read' });
  if (!canActOnPipeline(user)) {
    throw forbidden();
  }
  const form = await readForm(request);
  if (form.get('intent') !== 'return') throw badRequest();
  return bulkReturn(user, form, new URL(request.url).searchParams);
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, 'board.title');

export default function PipelineBoard() {
  const data = useLoaderData<typeof loader>();
  const failure = useActionData<typeof action>();
  const t = useT();
  const locale = useLocale();
  const [params] = useSearchParams();
  const busy = useNavigation().state === 'submitting';
  const single = data.query.stage ? data.lanes[0] : null;
  const selectable = !!single && data.canReturn && single.cards.length > 0;
  return (
    <>
      <h1>{t('board.title')}</h1>
      <p>{t('board.intro')}</p>
      <BoardFilterForm query={data.query} filters={data.filters} wide={data.wide} stages={OPEN_STAGES} />
      <p className="board-totals">
        {t('board.totals', data.totals)}
        {data.hasReadyQueue ? (
          <>
            {' · '}
            <Link to={`/pipeline/ready${data.query.school ? `?school=${data.query.school}` : ''}`}>
              {t('board.ready')}
            </Link>
          </>
        ) : null}
      </p>
      <BulkNotice doneKey="board.return.done" />
      {single ? (
        <>
          <p>
            <Link to={boardHref(params, { stage: undefined, page: undefined })}>{t('board.back')}</Link>
          </p>
          {selectable ? (
            <Form method="post" className="board-single">
              <input type="hidden" name="intent" value="return" />
              <LaneView lane={single} showSchool={data.wide} select />
              <fieldset className="panel bulk-return">
                <legend>{t('board.return.title')}</legend>
                <p className="field-hint">{t('board.return.hint')}</p>
                <BulkProblems failure={failure} />
                <div className="field">
                  <label htmlFor="return-reason">{t('board.return.reason')}</label>
                  <textarea
                    id="return-reason"
                    name="reason"
                    rows={3}
                    maxLength={2000}
                    required
                    defaultValue={failure?.values.reason ?? ''}
                    aria-invalid={failure?.fieldErrors?.reason ? true : undefined}
                    aria-describedby={failure?.fieldErrors?.reason ? 'return-reason-error' : undefined}
                  />
                  {failure?.fieldErrors?.reason ? (
                    <p id="return-reason-error" className="field-error">
                      {failure.fieldErrors.reason[locale]}
                    </p>
                  ) : null}
                </div>
                <button type="submit" disabled={busy}>
                  {t('board.return.submit')}
                </button>
              </fieldset>
            </Form>
          ) : (
            <LaneView lane={single} showSchool={data.wide} />
          )}
          {data.pageCount > 1 ? (
            <Pager
              page={data.query.page}
              pages={data.pageCount}
              size={data.pageSize}
              sizes={[data.pageSize]}
              pageHref={(p) => boardHref(params, { page: p === 1 ? undefined : String(p) })}
              hidden={[...params.entries()].filter(([k]) => k !== 'page')}
            />
          ) : null}
        </>
      ) : (
        <div className="board" role="region" aria-label={t('board.lanes')} tabIndex={0}>
          {data.lanes.map((lane) => (
            <LaneView
              key={lane.stage}
              lane={lane}
              showSchool={data.wide}
              moreHref={boardHref(params, { stage: lane.stage, page: undefined })}
            />
          ))}
        </div>
      )}
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}

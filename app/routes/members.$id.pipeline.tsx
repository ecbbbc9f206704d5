/**
 * "Quy trình": where the candidate stands in the admission pipeline (stages, timeline,
 * legal deadlines, who acts next, the paper dossier, the province's flags and comments)
 * and one form per step the signed-in user may take now. The rules live in
 * app/domain/pipeline; the writes in app/utils/pipeline (pipeline-action.server.ts
 * dispatches them); the parts in pipeline-*.tsx.
 */
import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { useActionData, useLoaderData } from '@remix-run/react';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { DossierSection } from '~/components/pipeline-dossier';
import { DocumentsSection } from '~/components/issued-documents';
import { ScanSection } from '~/components/pipeline-scans';
import { DeadlineList, StageProgress, Timeline } from '~/components/pipeline-overview';
import { ReviewNotes } from '~/components/pipeline-review-notes';
import { ConflictSection } from '~/components/rule-conflicts';
import { SelectionOverrideNotice } from '~/components/selection-verdict';
import { GraduationWarningNotice } from '~/components/graduation-warning';
import { NotOfferedFailure, TransitionForm, notOffered } from '~/components/pipeline-transition-form';
import { isExitStage, type Stage } from '~/domain/stages';
import { useT } from '~/i18n/use-t';
import pipelineTabStyles from '~/styles/pipeline-tab.css?url';
import pipelineStyles from '~/styles/pipeline.css?url';
import { memberFilter } from '~/utils/members/member-access.server';
import { pageTitle } from '~/utils/meta';
import { memberConflicts } from '~/utils/pipeline/pipeline-conflicts.server';
import { requireUser } from '~/utils/auth/permissions.server';
import { withSelection } from '~/utils/pipeline/selection.server';
import { graduationWarningOf } from '~/utils/members/graduation.server';
import { canActOnPipeline } from '~/domain/pipeline/tab-permissions';
import { SCAN_MAX_BYTES } from '~/domain/pipeline/scans';
import { pipelineAction } from '~/utils/pipeline/pipeline-action.server';
import { documentsPanel } from '~/utils/documents/member-documents.server';
import { getMemberPipeline, type TransitionView } from '~/utils/pipeline/pipeline-view.server';
import { readForm } from '~/utils/request-guards.server';
import { requireId } from '~/utils/params.server';
import { forbidden } from '~/utils/responses.server';

export const links: LinksFunction = () => [
  { rel: 'stylesheet', href: pipelineStyles },
  { rel: 'stylesheet', href: pipelineTabStyles },
];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request, { permission: 'member:read' });
  const id = requireId(params);
  // The selection form's criteria verdict and any override on file (selection.server.ts).
  const page = {
    ...(await withSelection(id, memberFilter(user, id), await getMemberPipeline(user, id))),
    // Expected graduation before the expected admission decision (app/domain/graduation.ts).
    graduationWarning: await graduationWarningOf(memberFilter(user, id)),
  };
  // The rule conflicts of recorded steps, with the override form (pipeline-conflicts.server.ts).
  // Each recorded step's documents, with their issue history (member-documents.server.ts).
  return {
    ...page,
    conflicts: await memberConflicts(user, id),
    documents: await documentsPanel(user, id, memberFilter(user, id)),
    memberId: String(id),
    scanMaxBytes: SCAN_MAX_BYTES,
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireUser(request, { permission: 'member:read' });
  if (!canActOnPipeline(user)) throw forbidden();
  return pipelineAction(user, requireId(params), await readForm(request));
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, 'pipeline.tab');

export default function MemberPipeline() {
  const d = useLoaderData<typeof loader>();
  // Every refusal names its form by `intent`: the tab's own forms, the override, or a step.
  const result = useActionData<typeof action>();
  const tabFailure =
    result?.intent === 'dossier' || result?.intent === 'note' || result?.intent === 'resolve_flag'
      ? result
      : undefined;
  const overrideFailure = result?.intent === 'conflict_override' ? result : undefined;
  const failure = result && 'reasons' in result ? result : undefined;
  const t = useT();
  const transitions = d.transitions as TransitionView[];
  const forward = transitions.filter((tr) => !isExitStage(tr.to));
  const exits = transitions.filter((tr) => isExitStage(tr.to));
  // A refusal of a step whose form is not on the page is shown above the forms, never swallowed.
  const orphan = notOffered(failure, transitions);
  return (
    <div className="member-pipeline">
      <StageProgress stages={d.stages as Stage[]} current={d.progressStage} stage={d.stage} />
      {d.returnReason ? (
        <p className="form-error" data-testid="return-reason">
          {t('pipeline.returnReason')}: {d.returnReason}
        </p>
      ) : null}
      {d.selectionOverride ? <SelectionOverrideNotice override={d.selectionOverride} /> : null}
      {d.graduationWarning ? <GraduationWarningNotice warning={d.graduationWarning} /> : null}
      <ConflictSection conflicts={d.conflicts} version={d.version} failure={overrideFailure} />

      <section aria-labelledby="next-title" className="profile-section">
        <h2 id="next-title">{t('pipeline.nextActor')}</h2>
        <p data-testid="next-actor">
          {d.nextActor ? t(`role.${d.nextActor}`) : t('pipeline.nextActor.none')}
        </p>
      </section>

      <DeadlineList deadlines={d.deadlines} />

      <section aria-labelledby="actions-title" className="profile-section">
        <h2 id="actions-title">{t('pipeline.actions')}</h2>
        {d.can.addNote && !d.can.editDossier ? (
          <p className="field-hint">{t('pipeline.reviewHint')}</p>
        ) : null}
        {orphan ? <NotOfferedFailure failure={orphan} /> : null}
        {transitions.length === 0 ? (
          <p className="muted">{t('pipeline.actions.none')}</p>
        ) : (
          <>
            <div className="transition-forms">
              {forward.map((tr) => (
                <TransitionForm key={tr.id} tr={tr} version={d.version} failure={failure} />
              ))}
            </div>
            {exits.length ? (
              // Exits stay folded unless they are all this user can do (the province's return).
              <details
                className="exit-forms"
                open={forward.length === 0 || exits.some((tr) => tr.id === failure?.intent)}
              >
                <summary>{t('pipeline.exits')}</summary>
                <div className="transition-forms">
                  {exits.map((tr) => (
                    <TransitionForm key={tr.id} tr={tr} version={d.version} failure={failure} />
                  ))}
                </div>
              </details>
            ) : null}
          </>
        )}
      </section>

      <ReviewNotes
        notes={d.notes}
        openFlags={d.openFlags}
        version={d.version}
        canAdd={d.can.addNote}
        canResolve={d.can.resolveFlag}
        failure={tabFailure}
      />

      {d.documents ? <DocumentsSection panel={d.documents} memberId={d.memberId} /> : null}

      <Timeline history={d.history} />

      <ScanSection
        memberId={d.memberId}
        scans={d.scans}
        scannable={d.scannable}
        canEdit={d.can.editDossier}
        maxBytes={d.scanMaxBytes}
        names={Object.fromEntries(d.dossier.map((row) => [row.form, row.name]))}
      />

      <DossierSection
        rows={d.dossier}
        version={d.version}
        today={d.today}
        canEdit={d.can.editDossier}
        failure={tabFailure}
      />
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}

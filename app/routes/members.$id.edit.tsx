import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { useActionData, useLoaderData } from '@remix-run/react';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { MemberEditor } from '~/components/member-editor';
import { ActivitiesSection } from '~/components/member-records/activities';
import { AwardsSection } from '~/components/member-records/awards';
import { RatingsSection } from '~/components/member-records/ratings';
import { TermsSection } from '~/components/member-records/terms';
import { RECORD_KINDS, type RecordKind } from '~/utils/forms/member-records';
import { useT } from '~/i18n/use-t';
import { can } from '~/domain/permissions';
import { pageTitle } from '~/utils/meta';
import { editorOptions, getMemberForEdit, saveMember } from '~/utils/members/member-edit.server';
import { changeRecord } from '~/utils/members/member-records.server';
import { requireUser } from '~/utils/auth/permissions.server';
import { readForm } from '~/utils/request-guards.server';
import { requireId } from '~/utils/params.server';
import { unknownIntent } from '~/utils/responses.server';

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request, { permission: 'member:write' });
  const member = await getMemberForEdit(user, requireId(params));
  const options = await editorOptions(user, member.schoolId);
  return {
    member: { ...member, schoolId: String(member.schoolId) },
    ...options,
    canSensitive: can(user.role, 'sensitive:read'),
  };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireUser(request, { permission: 'member:write' });
  const id = requireId(params);
  const formData = await readForm(request);
  const intent = String(formData.get('intent') ?? '');
  if (intent === 'save') return saveMember(user, formData, id);
  // Sub-records: "<kind>.save" or "<kind>.remove".
  const [kind, op] = intent.split('.');
  if ((RECORD_KINDS as readonly string[]).includes(kind) && (op === 'save' || op === 'remove')) {
    return changeRecord(user, id, kind as RecordKind, op, formData);
  }
  throw unknownIntent();
}

export const meta: MetaFunction<typeof loader> = ({ matches, data }) =>
  pageTitle(matches, 'member.editTitle', { name: data?.member.values.fullName ?? '' });

export default function EditMember() {
  const { member, schools, branches, canSensitive } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const t = useT();
  // One action for the identity form and the sub-record forms: a sub-record's failure names its kind.
  const recordFailure = actionData && 'record' in actionData ? actionData : null;
  const identity = actionData && !('record' in actionData) ? actionData : null;
  return (
    <>
      <h2 className="visually-hidden">{t('member.editTitle', { name: member.values.fullName ?? '' })}</h2>
      <MemberEditor
        mode="edit"
        // The form always carries the version now stored: after a conflict, saving again
        // deliberately replaces the other person's change with the values still shown.
        version={member.version}
        values={identity?.values ?? member.values}
        schools={schools}
        branches={branches}
        canSensitive={canSensitive}
        sensitiveHints={member.sensitiveHints}
        result={identity?.result}
        formError={identity?.formError}
      />
      <TermsSection
        items={member.terms}
        version={member.version}
        failure={recordFailure}
        highSchool={member.highSchool}
      />
      <AwardsSection items={member.awards} version={member.version} failure={recordFailure} />
      <ActivitiesSection items={member.activities} version={member.version} failure={recordFailure} />
      <RatingsSection items={member.ratings} version={member.version} failure={recordFailure} />
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}

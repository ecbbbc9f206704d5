import type { ActionFunctionArgs, LinksFunction, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, useActionData, useLoaderData } from '@remix-run/react';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { MemberEditor } from '~/components/member-editor';
import { useT } from '~/i18n/use-t';
import memberStyles from '~/styles/members.css?url';
import { editorOptions, saveMember } from '~/utils/members/member-edit.server';
import { pageTitle } from '~/utils/meta';
import { can } from '~/domain/permissions';
import { requireUser } from '~/utils/auth/permissions.server';
import { readForm } from '~/utils/request-guards.server';
import { unknownIntent } from '~/utils/responses.server';

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: memberStyles }];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request, { permission: 'member:write' });
  return { ...(await editorOptions(user)), canSensitive: can(user.role, 'sensitive:read') };
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request, { permission: 'member:write' });
  const formData = await readForm(request);
  if (formData.get('intent') !== 'save') throw unknownIntent();
  return saveMember(user, formData);
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, 'member.newTitle');

export default function NewMember() {
  const { schools, branches, canSensitive } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const t = useT();
  return (
    <>
      <p>
        <Link to="/members">{t('member.backToList')}</Link>
      </p>
      <h1>{t('member.newTitle')}</h1>
      <MemberEditor
        mode="create"
        values={actionData?.values ?? {}}
        schools={schools}
        branches={branches}
        canSensitive={canSensitive}
        result={actionData?.result}
        formError={actionData?.formError}
      />
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}

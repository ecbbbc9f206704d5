/**
 * The frame of every /members/:id page: who the member is, and the section tabs.
 * Later issues add sections (criteria, pipeline, audit log) as child routes and one
 * entry each in MEMBER_SECTIONS; a section is listed only once it exists.
 */
import type { LinksFunction, LoaderFunctionArgs } from '@remix-run/node';
import { NavLink, Outlet, useLoaderData } from '@remix-run/react';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { BrokeFlash, ConflictBanner } from '~/components/rule-conflicts';
import { STAGE_LABELS } from '~/domain/stages';
import type { MessageKey } from '~/i18n';
import { useFormatters, useLocale, useT } from '~/i18n/use-t';
import memberStyles from '~/styles/members.css?url';
import { can, type Permission } from '~/domain/permissions';
import { brokeFlash } from '~/utils/pipeline/conflict-flash.server';
import { memberFilter } from '~/utils/members/member-access.server';
import { getMemberHeader } from '~/utils/members/member-profile.server';
import { conductBandsOfMember } from '~/utils/admin/units.server';
import { memberConflicts } from '~/utils/pipeline/pipeline-conflicts.server';
import { requireUser } from '~/utils/auth/permissions.server';
import { requireId } from '~/utils/params.server';

export const links: LinksFunction = () => [{ rel: 'stylesheet', href: memberStyles }];

interface MemberSection {
  /** Relative to /members/:id; '' is the profile. */
  to: string;
  label: MessageKey;
  permission: Permission;
}

const MEMBER_SECTIONS: MemberSection[] = [
  { to: '', label: 'member.tab.profile', permission: 'member:read' },
  { to: 'criteria', label: 'criteria.memberTab', permission: 'member:read' },
  { to: 'pipeline', label: 'pipeline.tab', permission: 'member:read' },
  { to: 'edit', label: 'member.tab.edit', permission: 'member:write' },
];

export async function loader({ request, params }: LoaderFunctionArgs) {
  // Students have their own record at /me; member:read keeps them out of here.
  const user = await requireUser(request, { permission: 'member:read' });
  const id = requireId(params);
  const member = await getMemberHeader(user, id);
  // Rule conflicts of recorded steps on every tab, and what a save just broke (?broke=).
  const conflicts = await memberConflicts(user, id);
  return {
    member,
    // The school's conduct-score bands, for the band shown beside each score on every tab.
    conductBands: await conductBandsOfMember(memberFilter(user, id)),
    conflicts,
    broke: brokeFlash(new URL(request.url).searchParams, conflicts),
    sections: MEMBER_SECTIONS.filter((s) => can(user.role, s.permission)).map(({ to, label }) => ({
      to,
      label,
    })),
  };
}

export default function MemberLayout() {
  const { member, sections, conflicts, broke } = useLoaderData<typeof loader>();
  const t = useT();
  const locale = useLocale();
  const fmt = useFormatters();
  return (
    <>
      <header className="member-header">
        <h1>{member.fullName}</h1>
        <p className="muted">
          {member.studentCode} · {member.school}
          {member.stage ? (
            <>
              {' · '}
              <span className="badge badge-stage">{STAGE_LABELS[member.stage][locale]}</span>
            </>
          ) : null}
        </p>
        {member.pausedSince !== null ? (
          <p className="form-error consent-paused" role="note" data-testid="consent-paused">
            {member.pausedSince
              ? t('consent.paused', { date: fmt.date(member.pausedSince) })
              : t('consent.pausedUndated')}
          </p>
        ) : null}
        {broke ? <BrokeFlash flash={broke} /> : null}
        <ConflictBanner conflicts={conflicts} />
        {sections.length > 1 ? (
          <nav aria-label={t('member.sections')} className="member-tabs">
            <ul>
              {sections.map((s) => (
                <li key={s.to}>
                  <NavLink to={s.to ? `/members/${member.id}/${s.to}` : `/members/${member.id}`} end>
                    {t(s.label)}
                  </NavLink>
                </li>
              ))}
            </ul>
          </nav>
        ) : null}
      </header>
      <Outlet />
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}

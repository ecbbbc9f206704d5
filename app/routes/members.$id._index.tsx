import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import type { ReactNode } from 'react';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import { formatMonth } from '~/domain/graduation';
import { isGender } from '~/domain/member-vocabulary';
import { activityFacts, useRecordLabels, VerifiedBadge } from '~/components/member-records/labels';
import { STAGE_LABELS } from '~/domain/stages';
import { useFormatters, useLocale, useT } from '~/i18n/use-t';
import { pageTitle } from '~/utils/meta';
import { getMemberProfile, revealSensitive } from '~/utils/members/member-profile.server';
import { requireUser } from '~/utils/auth/permissions.server';
import { readForm } from '~/utils/request-guards.server';
import { requireId } from '~/utils/params.server';
import { unknownIntent } from '~/utils/responses.server';

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request, { permission: 'member:read' });
  return { member: await getMemberProfile(user, requireId(params)) };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireUser(request, { permission: 'member:read' });
  const id = requireId(params);
  const formData = await readForm(request);
  switch (formData.get('intent')) {
    case 'reveal':
      await requireUser(request, { permission: 'sensitive:read' });
      return { revealed: await revealSensitive(user, id) };
    default:
      throw unknownIntent();
  }
}

export const meta: MetaFunction<typeof loader> = ({ matches, data }) =>
  pageTitle(matches, 'member.profileTitle', { name: data?.member.fullName ?? '' });

// Sections on the page, in order; later issues add theirs here (criteria, pipeline, audit).
const ON_THIS_PAGE = [
  ['identity', 'member.section.identity'],
  ['union', 'member.section.union'],
  ['stage', 'member.section.stage'],
  ['academic', 'member.section.academic'],
  ['awards', 'member.section.awards'],
  ['activities', 'member.section.activities'],
  ['ratings', 'member.section.ratings'],
] as const;

export default function MemberProfile() {
  const { member } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const revealed = actionData && 'revealed' in actionData ? actionData.revealed : null;
  const t = useT();
  const locale = useLocale();
  const fmt = useFormatters();
  const { date } = fmt;
  const labels = useRecordLabels();
  const navigation = useNavigation();
  const revealing = navigation.state === 'submitting' && navigation.formData?.get('intent') === 'reveal';
  const dash = '—';

  return (
    <div className="member-profile">
      <nav aria-label={t('member.onThisPage')} className="on-this-page">
        <ul>
          {ON_THIS_PAGE.map(([id, label]) => (
            <li key={id}>
              <a href={`#${id}`}>{t(label)}</a>
            </li>
          ))}
        </ul>
      </nav>

      <Section id="identity" title={t('member.section.identity')}>
        <dl className="facts">
          <dt>{t('member.fullName')}</dt>
          <dd data-testid="member-fullName">{member.fullName}</dd>
          <dt>{t('member.studentCode')}</dt>
          <dd>{member.studentCode}</dd>
          <dt>{t('member.dateOfBirth')}</dt>
          <dd>{date(member.dateOfBirth) || dash}</dd>
          <dt>{t('member.gender')}</dt>
          <dd>{isGender(member.gender) ? t(`member.genderValue.${member.gender}`) : dash}</dd>
          <dt>{t('member.email')}</dt>
          <dd>{member.email || dash}</dd>
          <dt>{t('member.phone')}</dt>
          <dd data-testid="member-phone">{member.phone || dash}</dd>
          <dt>{t('member.school')}</dt>
          <dd>{member.school}</dd>
          <dt>{t('member.branch')}</dt>
          <dd>{member.branch ?? dash}</dd>
          {member.expectedGraduation ? (
            <>
              <dt>{t('member.expectedGraduation')}</dt>
              <dd data-testid="member-expectedGraduation">{formatMonth(member.expectedGraduation)}</dd>
            </>
          ) : null}
          {member.partyCell ? (
            <>
              <dt>{t('member.partyCell')}</dt>
              <dd>{member.partyCell}</dd>
            </>
          ) : null}
        </dl>
        <h3 id="sensitive-title">{t('member.section.sensitive')}</h3>
        <dl className="facts" aria-labelledby="sensitive-title" data-testid="sensitive">
          <dt>{t('member.ethnicity')}</dt>
          <dd data-testid="sensitive-ethnicity">
            {revealed ? revealed.ethnicity || dash : member.sensitive.ethnicity ? t('member.hidden') : dash}
          </dd>
          <dt>{t('member.religion')}</dt>
          <dd data-testid="sensitive-religion">
            {revealed ? revealed.religion || dash : member.sensitive.religion ? t('member.hidden') : dash}
          </dd>
          <dt>{t('member.citizenId')}</dt>
          <dd data-testid="sensitive-citizenId">
            {revealed ? revealed.citizenId || dash : (member.sensitive.citizenId ?? dash)}
          </dd>
        </dl>
        {member.canReveal && !revealed ? (
          <Form method="post" preventScrollReset>
            <p className="field-hint">{t('member.revealHint')}</p>
            <button
              type="submit"
              name="intent"
              value="reveal"
              className="button-secondary"
              disabled={revealing}
            >
              {t('member.reveal')}
            </button>
          </Form>
        ) : null}
        {revealed ? (
          <p className="field-hint" role="status">
            {t('member.revealedLogged')}
          </p>
        ) : null}
      </Section>

      <Section id="union" title={t('member.section.union')}>
        <dl className="facts">
          <dt>{t('member.unionJoinedAt')}</dt>
          <dd>{date(member.unionJoinedAt) || dash}</dd>
          <dt>{t('member.unionCardNumber')}</dt>
          <dd>{member.unionCardNumber || dash}</dd>
        </dl>
      </Section>

      <Section id="stage" title={t('member.section.stage')}>
        <dl className="facts">
          <dt>{t('member.stage')}</dt>
          <dd data-testid="member-stage">{member.stage ? STAGE_LABELS[member.stage][locale] : dash}</dd>
          <dt>{t('member.stageSince')}</dt>
          <dd>{member.stageSince ? date(member.stageSince) : dash}</dd>
          <dt>{t('member.daysInStage')}</dt>
          <dd data-testid="days-in-stage">
            {member.daysInStage !== null ? t('member.daysValue', { days: member.daysInStage }) : dash}
          </dd>
        </dl>
      </Section>

      <Section id="academic" title={t('member.section.academic')}>
        {member.terms.length ? (
          <div className="table-wrap">
            <table>
              <caption className="visually-hidden">{t('member.section.academic')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('member.schoolYear')}</th>
                  <th scope="col">{t('member.term')}</th>
                  <th scope="col" className="num">
                    {t('member.gpa')}
                  </th>
                  <th scope="col">{t('member.rank')}</th>
                  <th scope="col">{t('member.conduct')}</th>
                </tr>
              </thead>
              <tbody>
                {member.terms.map((term) => (
                  <tr key={term.key}>
                    <td>{term.year}</td>
                    <td>{term.term}</td>
                    <td className="num">
                      {term.gpa !== null ? `${fmt.gpa(term.gpa, term.scale)}/${term.scale}` : dash}
                    </td>
                    <td data-testid="term-rank">
                      {labels.rank(term.gpa, term.scale) ?? labels.thpt(term.studyRating) ?? dash}
                    </td>
                    <td>
                      {term.conductScore !== null
                        ? `${fmt.number(term.conductScore)} (${labels.conduct(term.conductScore) ?? ''})`
                        : (labels.thpt(term.conductRating) ?? dash)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p className="muted">{t('member.noTerms')}</p>
        )}
      </Section>

      <Section id="awards" title={t('member.section.awards')}>
        {member.awards.length ? (
          <ul className="record-list">
            {member.awards.map((a) => (
              <li key={a.key} className="record-item" data-testid="award-item">
                <div className="record-summary">
                  <strong>{a.title}</strong> <VerifiedBadge verified={a.verified} />
                  <span>
                    {labels.awardKind(a.kind)} · {labels.awardLevel(a.level)}
                    {a.date ? ` · ${date(a.date)}` : ''}
                  </span>
                  {a.decisionNo || a.issuer ? (
                    <span className="muted">
                      {[a.decisionNo && `${t('member.decisionNo')}: ${a.decisionNo}`, a.issuer]
                        .filter(Boolean)
                        .join(' · ')}
                    </span>
                  ) : null}
                </div>
              </li>
            ))}
          </ul>
        ) : (
          <p className="muted">{t('member.noAwards')}</p>
        )}
      </Section>

      <Section id="activities" title={t('member.section.activities')}>
        {member.activities.length ? (
          <ul className="record-list">
            {member.activities.map((a) => (
              <li key={a.key} className="record-item" data-testid="activity-item">
                <div className="record-summary">
                  <strong>{a.campaign}</strong> <VerifiedBadge verified={a.verified} />
                  <span>{activityFacts(a, t, date)}</span>
                </div>
              </li>
            ))}
          </ul>
        ) : (
          <p className="muted">{t('member.noActivities')}</p>
        )}
      </Section>

      <Section id="ratings" title={t('member.section.ratings')}>
        {member.ratings.length ? (
          <dl className="facts">
            {member.ratings.map((r) => (
              <div key={r.key} className="facts-row">
                <dt>{r.year}</dt>
                <dd>{labels.ratingLevel(r.level)}</dd>
              </div>
            ))}
          </dl>
        ) : (
          <p className="muted">{t('member.noRatings')}</p>
        )}
      </Section>
    </div>
  );
}

function Section({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section id={id} aria-labelledby={`${id}-title`} className="profile-section">
      <h2 id={`${id}-title`}>{title}</h2>
      {children}
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}

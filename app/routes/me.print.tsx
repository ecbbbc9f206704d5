import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Link, useLoaderData } from '@remix-run/react';
import { GeneralErrorBoundary } from '~/components/error-boundary';
import {
  CriteriaVerdict,
  DecisionTimeline,
  Deadlines,
  DossierChecklist,
  StageProgress,
} from '~/components/student-portal';
import { useFormatters, useT } from '~/i18n/use-t';
import meStyles from '~/styles/me.css?url';
import { getLocale } from '~/utils/locale.server';
import { portalData, requireStudent } from '~/utils/student/me.server';
import { ownDataSections } from '~/utils/my-data.server';
import { pageTitle } from '~/utils/meta';

export const links = () => [{ rel: 'stylesheet', href: meStyles }];

// A copy of one's own data is a right of the data subject: not gated on consent.
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireStudent(request);
  const record = await portalData(user);
  // The readable copy's sections (my-data.server), without the sensitive fields on paper.
  const sections = record ? await ownDataSections(user, await getLocale(request), { sensitive: false }) : [];
  return { record, sections, printedAt: new Date().toISOString() };
}

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, 'me.print.title');

export default function PrintRecord() {
  const { record, sections, printedAt } = useLoaderData<typeof loader>();
  const t = useT();
  const f = useFormatters();
  return (
    <div className="me-print">
      <p className="no-print">
        <Link to="/me">{t('me.print.back')}</Link>{' '}
        <button type="button" className="button-secondary" onClick={() => window.print()}>
          {t('me.print.button')}
        </button>
      </p>
      <h1>{t('me.print.title')}</h1>
      {record ? (
        <>
          <p className="muted">{t('me.print.printedOn', { date: f.date(printedAt) })}</p>
          <p className="field-hint">{t('me.print.sensitiveNote')}</p>
          <StageProgress record={record} />
          <CriteriaVerdict record={record} />
          <Deadlines record={record} />
          <DossierChecklist record={record} />
          <DecisionTimeline record={record} />
          {sections.map((s) => (
            <section
              key={s.id}
              className="card me-section"
              aria-labelledby={`data-${s.id}`}
              data-testid={`data-${s.id}`}
            >
              <h2 id={`data-${s.id}`}>{s.title}</h2>
              {s.rows.length === 0 ? (
                <p className="muted">{t('mydata.empty')}</p>
              ) : (
                // Wide tables scroll on a phone: the region takes the focus so a keyboard can scroll it.
                <div className="table-wrap" tabIndex={0} role="region" aria-labelledby={`data-${s.id}`}>
                  <table>
                    <thead>
                      <tr>
                        {s.columns.map((c) => (
                          <th key={c} scope="col">
                            {c}
                          </th>
                        ))}
                      </tr>
                    </thead>
                    <tbody>
                      {s.rows.map((row, i) => (
                        <tr key={i}>
                          {row.map((cell, j) => (
                            <td key={j}>{cell || '—'}</td>
                          ))}
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
            </section>
          ))}
        </>
      ) : (
        <p className="panel">{t('me.noRecord')}</p>
      )}
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}

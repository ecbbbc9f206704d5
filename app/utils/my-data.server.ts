/**
 * The student's own data in readable form, for the .xlsx download and the printable page:
 * one section per part of the record (identity, Union, records, pipeline steps,
 * submissions, consent), labels from the catalogue and dates as dd/mm/yyyy. Read with the
 * same own-member filter as the JSON export (ownRecord): another student's data cannot be
 * in it. With `sensitive` (the downloads) the sensitive fields are included and the read
 * is logged, as the JSON export does; the printable page leaves them out.
 */
import ExcelJS from 'exceljs';
import mongoose, { type Types } from 'mongoose';
import { Member } from '../../models/member';
import { Submission } from '../../models/submission';
import { Unit } from '../../models/unit';
import { isStage, STAGE_LABELS } from '~/domain/stages';
import { createT, formatDate, isMessageKey, type Locale } from '~/i18n';
import type { AuthUser } from './auth/auth.server';
import { ownRecord } from './student/me.server';
import { scopeFilter } from './auth/permissions.server';
import { notFound } from './responses.server';

export interface DataSection {
  id: 'identity' | 'union' | 'records' | 'pipeline' | 'submissions' | 'consent';
  title: string;
  columns: string[];
  rows: string[][];
}

type Lean = Record<string, unknown> & { _id: Types.ObjectId };

export async function ownDataSections(
  user: AuthUser,
  locale: Locale,
  { sensitive }: { sensitive: boolean },
): Promise<DataSection[]> {
  const t = createT(locale);
  const label = (key: string, fallback: unknown = '') =>
    isMessageKey(key) ? t(key) : fallback == null ? '' : String(fallback);
  const day = (v: unknown) => (v ? formatDate(v as Date, locale) : '');

  let m: Lean;
  let unitNames: Map<string, string>;
  if (sensitive) {
    // The JSON export's own read: sensitive fields included, and the read logged.
    const record = await ownRecord(user);
    m = record.member as unknown as Lean;
    unitNames = new Map(record.units.map((u) => [String(u._id), u.name]));
  } else {
    if (!user.memberId) throw notFound();
    const found = await Member.findOne(scopeFilter(user))
      .select('-citizenId -ethnicity -religion -searchKey -nameSortKey -eligibility -__v')
      .lean<Lean>();
    if (!found) throw notFound();
    m = found;
    const units = await Unit.find({
      _id: mongoose.trusted({ $in: [m.schoolId, m.branchId].filter(Boolean) }),
    })
      .select({ name: 1 })
      .lean();
    unitNames = new Map(units.map((u) => [String(u._id), u.name]));
  }
  const submissions = await Submission.find({ memberId: m._id })
    .select({ kind: 1, title: 1, date: 1, status: 1, reason: 1, createdAt: 1 })
    .sort({ createdAt: 1 })
    .lean();

  const pair = (key: string, value: unknown): string[] => [label(key), value == null ? '' : String(value)];
  const facts = [t('mydata.col.item'), t('mydata.col.value')];
  const union = (m.union ?? {}) as { joinedAt?: Date; cardNumber?: string };
  const consent = (m.consent ?? {}) as {
    version?: string;
    givenAt?: Date;
    withdrawnAt?: Date;
    guardianName?: string;
  };
  const pipeline = (m.pipeline ?? {}) as {
    stage?: string;
    history?: { stage: string; at: Date; refNo?: string; refDate?: Date; note?: string }[];
  };
  const stageName = (s?: string) => (s && isStage(s) ? STAGE_LABELS[s][locale] : (s ?? ''));

  const identity: string[][] = [
    pair('member.fullName', m.fullName),
    pair('member.dateOfBirth', day(m.dateOfBirth)),
    pair('member.gender', label(`member.genderValue.${String(m.gender)}`, m.gender)),
    pair('member.studentCode', m.studentCode),
    pair('member.email', m.email),
    pair('member.phone', m.phone),
    pair('member.school', unitNames.get(String(m.schoolId))),
    pair('member.branch', m.branchId ? unitNames.get(String(m.branchId)) : ''),
  ];
  if (sensitive)
    identity.push(
      pair('member.ethnicity', m.ethnicity),
      pair('member.religion', m.religion),
      pair('member.citizenId', m.citizenId),
    );

  const ratings = (m.unionRatings ?? []) as { year: string; level: string; participation?: number }[];
  const terms = (m.academicTerms ?? []) as {
    year: string;
    term: number;
    scale: number;
    gpa?: number;
    conductScore?: number;
    conductRating?: string;
    studyRating?: string;
  }[];
  const awards = (m.awards ?? []) as {
    title: string;
    kind: string;
    level: string;
    date?: Date;
    decisionNo?: string;
    issuer?: string;
  }[];
  const activities = (m.activities ?? []) as {
    campaign: string;
    role?: string;
    days?: number;
    startDate?: Date;
    endDate?: Date;
  }[];

  return [
    { id: 'identity', title: t('mydata.identity'), columns: facts, rows: identity },
    {
      id: 'union',
      title: t('mydata.union'),
      columns: facts,
      rows: [
        pair('member.unionJoinedAt', day(union.joinedAt)),
        pair('member.unionCardNumber', union.cardNumber),
        ...ratings.map((r) => [
          t('mydata.rating', { year: r.year }),
          [
            label(`member.ratingLevel.${r.level}`, r.level),
            r.participation != null ? t('member.participationShown', { pct: r.participation }) : '',
          ]
            .filter(Boolean)
            .join(', '),
        ]),
      ],
    },
    {
      id: 'records',
      title: t('mydata.records'),
      columns: [t('mydata.col.kind'), t('mydata.col.content'), t('mydata.col.date'), t('mydata.col.details')],
      rows: [
        ...terms.map((r) => [
          t('member.section.academic'),
          t('member.termLabel', { year: r.year, term: r.term }),
          '',
          [
            r.gpa != null ? `${t('member.gpa')}: ${r.gpa}/${r.scale}` : '',
            r.conductScore != null ? `${t('member.conductScore')}: ${r.conductScore}` : '',
            r.conductRating ? `${t('member.conductRating')}: ${label(`member.thpt.${r.conductRating}`)}` : '',
            r.studyRating ? `${t('member.studyRating')}: ${label(`member.thpt.${r.studyRating}`)}` : '',
          ]
            .filter(Boolean)
            .join('; '),
        ]),
        ...awards.map((a) => [
          t('member.section.awards'),
          a.title,
          day(a.date),
          [
            label(`member.awardKind.${a.kind}`, a.kind),
            label(`member.awardLevel.${a.level}`, a.level),
            a.decisionNo ? `${t('member.decisionNo')}: ${a.decisionNo}` : '',
            a.issuer ?? '',
          ]
            .filter(Boolean)
            .join('; '),
        ]),
        ...activities.map((a) => [
          t('member.section.activities'),
          a.campaign,
          [day(a.startDate), day(a.endDate)].filter(Boolean).join(' – '),
          [a.role ?? '', a.days != null ? t('member.daysValue', { days: a.days }) : '']
            .filter(Boolean)
            .join('; '),
        ]),
      ],
    },
    {
      id: 'pipeline',
      title: t('mydata.pipeline'),
      columns: [t('member.stage'), t('mydata.col.date'), t('mydata.col.refNo'), t('mydata.col.refDate')],
      rows: [...(pipeline.history ?? [])]
        .sort((a, b) => new Date(a.at).getTime() - new Date(b.at).getTime())
        .map((h) => [stageName(h.stage), day(h.at), h.refNo ?? '', day(h.refDate)]),
    },
    {
      id: 'submissions',
      title: t('mydata.submissions'),
      columns: [
        t('mydata.col.kind'),
        t('mydata.col.content'),
        t('mydata.col.date'),
        t('mydata.col.status'),
        t('mydata.col.sentOn'),
      ],
      rows: submissions.map((s) => [
        label(`me.submissions.kind.${s.kind}`, s.kind),
        s.title,
        day(s.date),
        [label(`me.submissions.status.${s.status}`, s.status), s.reason ?? ''].filter(Boolean).join(': '),
        day(s.createdAt),
      ]),
    },
    {
      id: 'consent',
      title: t('mydata.consent'),
      columns: facts,
      rows: [
        pair('mydata.consentVersion', consent.version),
        pair('mydata.consentGiven', day(consent.givenAt)),
        pair('mydata.consentWithdrawn', day(consent.withdrawnAt)),
        pair('consent.guardian', consent.guardianName),
      ],
    },
  ];
}

export async function sectionsToXlsx(sections: DataSection[], title: string): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.title = title;
  wb.created = new Date();
  for (const s of sections) {
    // Excel sheet names: at most 31 characters, none of : \ / ? * [ ].
    const ws = wb.addWorksheet(s.title.replace(/[:\\/?*[\]]/g, ' ').slice(0, 31));
    ws.addRow(s.columns).font = { bold: true };
    for (const row of s.rows) ws.addRow(row);
    ws.columns.forEach((c, i) => {
      c.width = Math.min(
        60,
        Math.max(12, ...[s.columns[i], ...s.rows.map((r) => r[i] ?? '')].map((v) => v.length + 2)),
      );
    });
    ws.views = [{ state: 'frozen', ySplit: 1 }];
  }
  return Buffer.from((await wb.xlsx.writeBuffer()) as ArrayBuffer);
}

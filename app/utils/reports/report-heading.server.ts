/**
 * The official heading and signature block of the printed report (/reports/print), as
 * on the Youth Union's and the Party's own documents: top left the superior body and,
 * in bold, the body that issues the report; top right "ĐOÀN TNCS HỒ CHÍ MINH" (or
 * "ĐẢNG CỘNG SẢN VIỆT NAM" for a Party committee) and, under it, the place and date in
 * italics; at the end, who signs on behalf of whom, with room for the signature.
 *
 * The issuing body is the signed-in user's own (their school, else the province), not
 * the scope picked in the filter: a province report about one school is still the
 * province's report.
 */
import mongoose, { Types } from 'mongoose';
import { Unit } from '../../../models/unit';
import { calendarDay } from '~/domain/calendar';
import type { TFunction } from '~/i18n';
import type { AuthUser } from '../auth/auth.server';

export interface OfficialHeading {
  superior: string;
  issuer: string;
  motto: string;
  placeDate: string;
  onBehalf: string;
  signerTitle: string;
}

const upper = (s: string) => s.toLocaleUpperCase('vi');
const two = (n: number) => String(n).padStart(2, '0');

export async function officialHeading(user: AuthUser, t: TFunction, now: Date): Promise<OfficialHeading> {
  const unit = Types.ObjectId.isValid(user.unitId)
    ? await Unit.findOne({ _id: new Types.ObjectId(user.unitId) })
        .select({ kind: 1, name: 1, shortName: 1, ancestors: 1, schoolId: 1 })
        .lean()
    : null;
  // The user's school (when below province level) and the province above it, in one query.
  const wanted = [unit?.schoolId, unit?.kind === 'province' ? unit._id : unit?.ancestors[0]].filter(
    (id): id is Types.ObjectId => !!id,
  );
  const units = wanted.length
    ? await Unit.find({ _id: mongoose.trusted({ $in: wanted }) })
        .select({ kind: 1, name: 1, shortName: 1 })
        .lean()
    : [];
  const school = units.find((u) => u.kind === 'school');
  const province =
    units.find((u) => u.kind === 'province') ??
    (await Unit.findOne({ kind: 'province', active: true }).select({ name: 1, shortName: 1 }).lean());
  const place = province?.shortName || province?.name || '';
  const day = calendarDay(now)!;
  const placeDate = t('reportHeading.placeDate', { place, d: two(day.d), m: two(day.m), y: String(day.y) });

  if (user.role === 'school_party' && school) {
    return {
      superior: upper(t('reportHeading.partyProvince', { place })),
      issuer: upper(t('reportHeading.partyCommittee', { name: school.name })),
      motto: t('reportHeading.partyMotto'),
      placeDate,
      onBehalf: t('reportHeading.partyOnBehalf'),
      signerTitle: t('reportHeading.secretary'),
    };
  }
  return {
    superior: upper(school ? (province?.name ?? '') : t('reportHeading.centralUnion')),
    issuer: upper(
      school
        ? t('reportHeading.unionCommittee', { name: school.name })
        : t('reportHeading.provinceCommittee', { name: province?.name ?? '' }),
    ),
    motto: t('reportHeading.unionMotto'),
    placeDate,
    onBehalf: t('reportHeading.unionOnBehalf'),
    signerTitle: t('reportHeading.secretary'),
  };
}

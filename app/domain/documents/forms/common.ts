/**
 * The frame every form shares: header, number, date line, signature and the refusals.
 * Form files only say what differs (title, body, recipients, which body issues it).
 */
import { dayNumber, isoDay, type DateLike } from '../../calendar.ts';
import type { Text } from '../../criteria/types.ts';
import type { DocumentCandidate, DocumentInput, IssuingBody } from '../input.ts';
import { documentNumber, nfc, personName, placeDateLine, shortDate } from '../format.ts';
import type { BuildResult, DocumentRefusal, FormCode, OfficialDocument, Paragraph } from '../types.ts';

export const PARTY_MOTTO = 'ĐẢNG CỘNG SẢN VIỆT NAM';
export const UNION_MOTTO = 'ĐOÀN TNCS HỒ CHÍ MINH';

export interface Frame {
  form: FormCode;
  family?: 'party' | 'union';
  body: IssuingBody;
  /** Kind in the number ("NQ", "QĐ", "BC"); null for papers without a number. */
  numberKind: string | null;
  recordedNumber?: string | null;
  day: DateLike | null | undefined;
  place: string;
  title: string;
  summary: string | null;
  paragraphs: Paragraph[];
  recipients: string[];
  candidates: DocumentCandidate[];
  filled: boolean;
}

/** An issuing body's document: the shape of every resolution, decision and report. */
export function issued(f: Frame): OfficialDocument {
  const family = f.family ?? 'party';
  return {
    form: f.form,
    family,
    formLabel: `Mẫu ${f.form}`,
    issuer: { superior: nfc(f.body.superior) || null, name: nfc(f.body.heading) },
    motto: family === 'union' ? UNION_MOTTO : PARTY_MOTTO,
    number: f.numberKind ? documentNumber(f.recordedNumber, f.numberKind, f.body.symbol) : null,
    placeDate: placeDateLine(f.place, f.day),
    title: f.title,
    summary: f.summary,
    body: f.paragraphs,
    recipients: f.recipients,
    signature: {
      authority: nfc(f.body.authority) || null,
      position: nfc(f.body.position),
      name: nfc(f.body.signer) || null,
    },
    filled: f.filled,
    source: {
      memberIds: f.candidates.map((c) => c.id),
      refNo: nfc(f.recordedNumber) || null,
      refDay: f.day && f.filled ? isoOrNull(f.day) : null,
    },
  };
}

function isoOrNull(day: DateLike): string | null {
  const n = dayNumber(day);
  return Number.isNaN(n) ? null : isoDay(n);
}

/** "quần chúng Nguyễn Thị Hồng Nhung, sinh ngày 12/03/2006, Chi đoàn …". */
export function describe(c: DocumentCandidate, address: 'quần chúng' | 'đồng chí' | 'đoàn viên'): string {
  const branch = nfc(c.branchName);
  return `${address} ${personName(c.fullName)}, sinh ngày ${shortDate(c.dateOfBirth)}${branch ? `, ${branch}` : ''}`;
}

export function refuse(code: DocumentRefusal['code'], message: Text): BuildResult {
  return { ok: false, refusal: { code, message } };
}

export const notRecorded = (form: FormCode, vi: string, en: string): BuildResult =>
  refuse('step_not_recorded', {
    vi: `Chưa thể lập mẫu ${form}: ${vi} chưa được ghi nhận.`,
    en: `Form ${form} cannot be produced yet: ${en} is not recorded.`,
  });

export const ok = (doc: OfficialDocument): BuildResult => ({ ok: true, doc });

export type { DocumentInput };

/**
 * Official documents (issue 20, part 1): the content of each admission form, built from
 * the record. Pure: the renderers in app/utils/documents/ turn an `OfficialDocument`
 * into .docx or PDF.
 *
 *   buildDocument(form, input)   one candidate's form; refuses when its step is not recorded
 *   buildBatch(form, inputs)     4, 8 or 9-KNĐ for several candidates recorded under one
 *                                number and day by a bulk step of the ready queue
 *   BATCH_FORMS, FORM_TITLES     which forms batch; each form's name for lists and menus
 *   buildAnnualReport(figures, issuer, day)  the province's (or a school's) annual report
 */
import type { DocumentInput } from './input.ts';
import type { BuildResult, FormCode } from './types.ts';
import { refuse } from './forms/common.ts';
import { nfcDeep } from './format.ts';
import {
  admissionDecision,
  cellAdmission,
  cellOfficial,
  committeeAdmission,
  officialDecision,
  partialAppraisal,
  unionIntroduction,
} from './forms/filled.ts';
import {
  applicationTemplate,
  helperReviewTemplate,
  introducerTemplate,
  opinionsTemplate,
  personalHistoryTemplate,
  probationOpinionsTemplate,
  selfReviewTemplate,
} from './forms/templates.ts';
import type { BulkStep } from '../pipeline/bulk-steps.ts';

export * from './types.ts';
export * from './input.ts';
export { vietnameseDate, placeDateLine, documentNumber, personName } from './format.ts';
export { passingOfficialVote } from './forms/filled.ts';
export * from './issued.ts';
export {
  buildAnnualReport,
  annualReportFileName,
  type AnnualReportDocument,
  type ReportIssuer,
} from './annual-report.ts';
export * from './settings.ts';

/** Each form's name as the guidance titles it (document body text: Vietnamese by nature). */
export const FORM_TITLES: Record<FormCode, string> = {
  '1-KNĐ': 'Đơn xin vào Đảng',
  '2-KNĐ': 'Lý lịch của người xin vào Đảng',
  '3-KNĐ': 'Giấy giới thiệu người vào Đảng',
  '4-KNĐ': 'Nghị quyết giới thiệu đoàn viên ưu tú vào Đảng',
  '5-KNĐ': 'Tổng hợp ý kiến nhận xét đối với người vào Đảng',
  '6-KNĐ': 'Nghị quyết của chi bộ đề nghị kết nạp đảng viên',
  '7-KNĐ': 'Báo cáo thẩm định của đảng ủy bộ phận',
  '8-KNĐ': 'Nghị quyết của đảng ủy đề nghị kết nạp đảng viên',
  '9-KNĐ': 'Quyết định kết nạp đảng viên',
  '10-KNĐ': 'Bản tự kiểm điểm của đảng viên dự bị',
  '11-KNĐ': 'Bản nhận xét đảng viên dự bị',
  '12-KNĐ': 'Tổng hợp ý kiến nhận xét đối với đảng viên dự bị',
  '13-KNĐ': 'Nghị quyết của chi bộ đề nghị công nhận đảng viên chính thức',
  '15-KNĐ': 'Quyết định công nhận đảng viên chính thức',
};

/** The forms one bulk step's shared number stands for, and the step that records it. */
export const BATCH_FORMS = {
  '4-KNĐ': 'select_outstanding',
  '8-KNĐ': 'record_committee_review',
  '9-KNĐ': 'record_decision',
} as const satisfies Partial<Record<FormCode, BulkStep>>;
export type BatchForm = keyof typeof BATCH_FORMS;

export function isBatchForm(form: string): form is BatchForm {
  return Object.hasOwn(BATCH_FORMS, form);
}

/** The form a bulk step's document is (the ceremony has none). */
export function batchFormOf(step: BulkStep): BatchForm | null {
  const found = Object.entries(BATCH_FORMS).find(([, s]) => s === step);
  return found ? (found[0] as BatchForm) : null;
}

/** Filled forms: their content is the recorded step's; templates: always printable. */
export const FILLED_FORMS: readonly FormCode[] = [
  '4-KNĐ',
  '6-KNĐ',
  '7-KNĐ',
  '8-KNĐ',
  '9-KNĐ',
  '13-KNĐ',
  '15-KNĐ',
];

const ok = <T>(doc: T) => ({ ok: true as const, doc });
const normalized = (r: BuildResult): BuildResult => (r.ok ? { ok: true, doc: nfcDeep(r.doc) } : r);

/** One candidate's form. */
export function buildDocument(form: FormCode, input: DocumentInput): BuildResult {
  return normalized(buildOne(form, input));
}

function buildOne(form: FormCode, input: DocumentInput): BuildResult {
  switch (form) {
    case '1-KNĐ':
      return ok(applicationTemplate());
    case '2-KNĐ':
      return ok(personalHistoryTemplate());
    case '3-KNĐ':
      return ok(introducerTemplate(input));
    case '4-KNĐ':
      return unionIntroduction([input]);
    case '5-KNĐ':
      return ok(opinionsTemplate(input));
    case '6-KNĐ':
      return cellAdmission(input);
    case '7-KNĐ':
      return partialAppraisal(input);
    case '8-KNĐ':
      return committeeAdmission([input]);
    case '9-KNĐ':
      return admissionDecision([input]);
    case '10-KNĐ':
      return ok(selfReviewTemplate(input));
    case '11-KNĐ':
      return ok(helperReviewTemplate(input));
    case '12-KNĐ':
      return ok(probationOpinionsTemplate(input));
    case '13-KNĐ':
      return cellOfficial(input);
    case '15-KNĐ':
      return officialDecision(input);
  }
}

/**
 * One document for several candidates recorded by one bulk step (same number and day).
 * The caller gives them in the order to print (the service sorts by name, as lists do).
 */
export function buildBatch(form: FormCode, inputs: DocumentInput[]): BuildResult {
  if (!isBatchForm(form))
    return refuse('not_a_batch_form', {
      vi: `Mẫu ${form} không lập chung cho nhiều hồ sơ.`,
      en: `Form ${form} is not issued for several records at once.`,
    });
  if (form === '4-KNĐ') return normalized(unionIntroduction(inputs));
  if (form === '8-KNĐ') return normalized(committeeAdmission(inputs));
  return normalized(admissionDecision(inputs));
}

/**
 * One zod schema per transition: the data the step records. Shared by the
 * browser (instant field errors) and the action (the real check). Values from
 * a form arrive as strings, so numbers, booleans and days are read from
 * strings too; days become Vietnam calendar day numbers (calendar.ts).
 */
import { z } from 'zod';
import { dayNumber, isoDay } from '../calendar.ts';

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:?\d{2})$/;

/** A calendar day: `YYYY-MM-DD`, an ISO instant or a Date; out: day number. */
export const DayField = z.union([z.date(), z.string().trim()]).transform((value, ctx) => {
  const ok =
    value instanceof Date
      ? !Number.isNaN(value.getTime())
      : (ISO_DAY.test(value) && isoDay(dayNumber(value)) === value) || ISO_INSTANT.test(value);
  const day = ok ? dayNumber(value) : NaN;
  if (Number.isNaN(day)) {
    // No message of its own: the machine words its reasons, a form's error map its keys.
    ctx.addIssue({ code: 'custom', input: value });
    return z.NEVER;
  }
  return day;
});

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

const Count = z.preprocess(
  (v) => (typeof blankToUndefined(v) === 'string' ? Number(v) : blankToUndefined(v)),
  z.number().int().min(0),
);
const Flag = z.preprocess(
  (v) => (v === 'on' || v === 'true' ? true : v === 'false' ? false : v),
  z.boolean(),
);
const Required = z.string().trim().min(1).max(200);
const Optional = z.preprocess(blankToUndefined, z.string().trim().max(200).optional());
const LongText = z.string().trim().min(1).max(2000);
const OptionalDay = z.preprocess(blankToUndefined, DayField.optional());

/** Free note for the history entry of any step. */
const note = z.preprocess(blankToUndefined, z.string().trim().max(2000).optional());

export const SelectOutstandingSchema = z.object({
  resolutionNo: Required,
  resolutionDate: DayField,
  helperName: Optional,
  /**
   * Why a member outside the criteria is selected all the same: required (≥ 20 characters)
   * only then, which the machine judges from the verdict the server computes (selection.ts).
   */
  overrideReason: z.preprocess(blankToUndefined, z.string().trim().max(2000).optional()),
  note,
});

export const AwarenessClassSchema = z.object({
  certificateNo: Required,
  issuer: Required,
  issuedAt: DayField,
  note,
});

export const DossierSchema = z.object({
  applicationReceivedAt: DayField,
  personalHistoryReceivedAt: OptionalDay,
  verification: z.preprocess(blankToUndefined, z.enum(['pending', 'verified', 'issues']).optional()),
  verifiedAt: OptionalDay,
  note,
});

export const IntroducerSchema = z.object({
  name: Required,
  kind: z.enum(['party_member', 'union']).default('party_member'),
  official: Flag.default(false),
  monthsTogether: z.preprocess(blankToUndefined, Count.optional()),
  refNo: Optional,
});

/**
 * Form rows as a list: a form names them `introducers[0].name` (a list) or
 * `introducers.0.name` (an object keyed by the row's number, in that order); a row left
 * wholly blank is no row.
 */
function rowList(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  const rows = Array.isArray(value)
    ? value
    : Object.keys(value)
        .filter((k) => /^\d+$/.test(k))
        .sort((a, b) => Number(a) - Number(b))
        .map((k) => (value as Record<string, unknown>)[k]);
  const blank = (v: unknown) => v === undefined || (typeof v === 'string' && v.trim() === '');
  const blankRow = (row: unknown) =>
    row === undefined || (row !== null && typeof row === 'object' && Object.values(row).every(blank));
  return rows.filter((row) => !blankRow(row));
}

export const IntroductionSchema = z.object({
  introducedAt: DayField,
  introducers: z.preprocess(rowList, z.array(IntroducerSchema).min(1).max(4)),
  note,
});

/**
 * A chi bộ vote. The official-member count is the chi bộ's register on the meeting day
 * (`effectiveVote` in rules.ts; the server passes the chosen cell's register): a typed
 * count is optional and, when given, must agree with the register. Without a cell (pure
 * callers) the typed count is the one judged, and then required.
 */
export const VoteSchema = z.object({
  meetingDate: DayField,
  yes: Count,
  no: Count.default(0),
  officialMemberCount: z.preprocess(blankToUndefined, Count.pipe(z.number().min(1)).optional()),
  /** The chi bộ the meeting was held in (default: the member's); the server checks it is the school's. */
  partyCellId: Optional,
  resolutionNo: Optional,
  note,
});

export const ResolutionSchema = z.object({
  resolutionNo: Required,
  resolutionDate: DayField,
  note,
});

export const DecisionSchema = z.object({
  decisionNo: Required,
  decisionDate: DayField,
  issuer: Required,
  /** Day the chi bộ received it, when later than its date (starts the ceremony clock). */
  receivedAt: OptionalDay,
  /** Needed when the decision comes after the ordinary 30/60 working days. */
  extensionReason: z.preprocess(blankToUndefined, LongText.optional()),
  note,
});

export const CeremonySchema = z.object({ ceremonyDate: DayField, note });

export const ExtensionSchema = z.object({ reason: LongText, note });

/** Exits: a reason is always required (the student sees it when returned). */
export const ExitSchema = z.object({
  reason: LongText,
  refNo: Optional,
  refDate: OptionalDay,
  note,
});

export const NotAdmittedSchema = ExitSchema.extend({
  /** The failed chi bộ vote, when that is why: kept for drop-off reports. */
  vote: VoteSchema.omit({ note: true }).optional(),
});

export const ResumeSchema = z.object({ note });

export type SelectOutstandingInput = z.output<typeof SelectOutstandingSchema>;
export type AwarenessClassInput = z.output<typeof AwarenessClassSchema>;
export type DossierInput = z.output<typeof DossierSchema>;
export type IntroductionInput = z.output<typeof IntroductionSchema>;
export type VoteInput = z.output<typeof VoteSchema>;
export type ResolutionInput = z.output<typeof ResolutionSchema>;
export type DecisionInput = z.output<typeof DecisionSchema>;
export type CeremonyInput = z.output<typeof CeremonySchema>;
export type ExtensionInput = z.output<typeof ExtensionSchema>;
export type ExitInput = z.output<typeof ExitSchema>;
export type NotAdmittedInput = z.output<typeof NotAdmittedSchema>;
export type ResumeInput = z.output<typeof ResumeSchema>;

/** Labels of input fields, for "missing or invalid" messages. */
export const FIELD_LABELS: Record<string, { vi: string; en: string }> = {
  resolutionNo: { vi: 'Số nghị quyết', en: 'Resolution number' },
  resolutionDate: { vi: 'Ngày nghị quyết', en: 'Resolution date' },
  helperName: { vi: 'Đảng viên giúp đỡ', en: 'Helper' },
  certificateNo: { vi: 'Số giấy chứng nhận', en: 'Certificate number' },
  issuer: { vi: 'Nơi cấp / cơ quan ban hành', en: 'Issuer' },
  issuedAt: { vi: 'Ngày cấp', en: 'Issue date' },
  applicationReceivedAt: { vi: 'Ngày nhận đơn', en: 'Application received' },
  personalHistoryReceivedAt: { vi: 'Ngày nhận lý lịch', en: 'Personal history received' },
  verification: { vi: 'Kết quả thẩm tra', en: 'Verification' },
  verifiedAt: { vi: 'Ngày thẩm tra', en: 'Verification date' },
  introducedAt: { vi: 'Ngày giới thiệu', en: 'Introduction date' },
  introducers: { vi: 'Người giới thiệu', en: 'Introducers' },
  meetingDate: { vi: 'Ngày họp chi bộ', en: 'Meeting date' },
  yes: { vi: 'Số tán thành', en: 'Yes votes' },
  no: { vi: 'Số không tán thành', en: 'No votes' },
  officialMemberCount: { vi: 'Số đảng viên chính thức', en: 'Official members' },
  partyCellId: { vi: 'Chi bộ họp xét', en: 'Chi bộ that voted' },
  decisionNo: { vi: 'Số quyết định', en: 'Decision number' },
  decisionDate: { vi: 'Ngày quyết định', en: 'Decision date' },
  receivedAt: { vi: 'Ngày nhận quyết định', en: 'Decision received' },
  extensionReason: { vi: 'Lý do gia hạn', en: 'Extension reason' },
  ceremonyDate: { vi: 'Ngày lễ kết nạp', en: 'Ceremony date' },
  reason: { vi: 'Lý do', en: 'Reason' },
  refNo: { vi: 'Số văn bản', en: 'Document number' },
  refDate: { vi: 'Ngày văn bản', en: 'Document date' },
  note: { vi: 'Ghi chú', en: 'Note' },
  name: { vi: 'Họ tên', en: 'Name' },
  kind: { vi: 'Loại', en: 'Kind' },
  official: { vi: 'Đảng viên chính thức', en: 'Official member' },
  monthsTogether: { vi: 'Số tháng cùng công tác', en: 'Months together' },
  vote: { vi: 'Kết quả biểu quyết', en: 'Vote' },
  overrideReason: { vi: 'Lý do chọn ngoài tiêu chí', en: 'Reason for selecting outside the criteria' },
};

/** Label of an input field from its dotted path (`introducers.1.monthsTogether` → "Số tháng cùng công tác"). */
export function fieldLabel(path: string): { vi: string; en: string } {
  const key =
    path
      .split('.')
      .filter((s) => !/^\d+$/.test(s))
      .pop() ?? path;
  return FIELD_LABELS[key] ?? { vi: path, en: path };
}

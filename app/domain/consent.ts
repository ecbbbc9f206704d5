/**
 * Consent to personal-data processing (Law 91/2025, Decree 356/2025; domain.md §7):
 * explicit, versioned, never pre-ticked, withdrawable; a guardian takes part for a
 * member under 18. The text lives here with its version so a stored consent names
 * exactly what was agreed to; a new version asks every student again.
 * Pure and isomorphic: the consent page and its action share the schema.
 */
import { z } from 'zod';
import { dayNumber, type DateLike } from './calendar.ts';
import { ageMonthsOn } from './pipeline/rules.ts';

export const CONSENT_VERSION = '2026-01';

/** Paragraphs of the consent text, version CONSENT_VERSION. */
export const CONSENT_TEXT: { vi: readonly string[]; en: readonly string[] } = {
  vi: [
    'Đoàn trường và Đảng ủy trường xử lý dữ liệu cá nhân của bạn (họ tên, ngày sinh, mã sinh viên, kết quả học tập, rèn luyện, khen thưởng, hoạt động tình nguyện và các mốc hồ sơ kết nạp Đảng) chỉ để theo dõi, bồi dưỡng và xét giới thiệu đoàn viên ưu tú cho Đảng.',
    'Dữ liệu nhạy cảm (dân tộc, tôn giáo, số CCCD) chỉ được thu thập khi quy trình cần, chỉ người có thẩm quyền được xem và mỗi lần xem đều được ghi nhật ký. Hệ thống không lưu ảnh CCCD và không lưu nội dung lý lịch về người thân.',
    'Bạn có quyền xem, tải về, yêu cầu sửa hoặc xóa dữ liệu của mình; yêu cầu được trả lời trong 2 ngày làm việc. Bạn có thể rút lại đồng ý bất cứ lúc nào; khi đó hồ sơ tạm dừng xử lý cho đến khi bạn đồng ý lại.',
    'Nếu bạn chưa đủ 18 tuổi, cha, mẹ hoặc người giám hộ cùng tham gia việc đồng ý này.',
  ],
  en: [
    'The school Youth Union and the school Party committee process your personal data (name, date of birth, student code, study and conduct results, awards, volunteering and the milestones of your Party admission dossier) only to follow, train and recommend outstanding Union members to the Party.',
    'Sensitive data (ethnicity, religion, citizen ID number) is collected only when the process needs it, only authorised staff may see it, and every view is logged. ID-card images and the personal-history content about relatives are never stored.',
    'You may view, download, ask to correct or delete your data; requests are answered within 2 working days. You may withdraw this consent at any time; your record is then paused until you consent again.',
    'If you are under 18, a parent or guardian takes part in this consent.',
  ],
};

export interface ConsentRecord {
  version?: string | null;
  givenAt?: DateLike | null;
  withdrawnAt?: DateLike | null;
  guardianName?: string | null;
}

/** Consent is current when given for this version and not withdrawn since. */
export function hasCurrentConsent(consent: ConsentRecord | null | undefined): boolean {
  return !!consent?.givenAt && !consent.withdrawnAt && consent.version === CONSENT_VERSION;
}

/** Under 18 on `asOf` (whole months, Vietnam calendar day); unknown birth date counts as adult. */
export function isMinorOn(dateOfBirth: DateLike | null | undefined, asOf: DateLike): boolean {
  const months = ageMonthsOn({ dateOfBirth }, dayNumber(asOf));
  return Number.isFinite(months) && months < 18 * 12;
}

/** One schema for the browser and the action; the guardian's name is required for a minor. */
export function consentSchema(minor: boolean) {
  return z
    .object({
      agree: z.literal('on', 'consent.v.agree'),
      guardianName: z.string().trim().max(120, 'validation.tooLong').optional().default(''),
    })
    .superRefine((value, ctx) => {
      if (minor && value.guardianName.length < 2) {
        ctx.addIssue({ code: 'custom', path: ['guardianName'], message: 'consent.v.guardian' });
      }
    });
}

/**
 * Withdrawing pauses the record (issue 16), so it asks for an explicit confirmation, like
 * giving does: the box must be ticked, never pre-ticked.
 */
export const WithdrawSchema = z.object({ confirm: z.literal('on', 'consent.v.confirm') });

const instant = (value: DateLike | null | undefined): number =>
  value === null || value === undefined ? NaN : new Date(value).getTime();

/**
 * The record is paused by the student (issue 16): consent was withdrawn and not given
 * again since. A consent never given is NOT withdrawn: the school keeps a record before
 * the student first signs in and works on it as before. Giving again replaces the whole
 * consent (me.server.ts), but a `givenAt` strictly after `withdrawnAt` lifts it too; at
 * the same instant, or with a date that cannot be read, the withdrawal stands (the
 * student's choice wins when in doubt).
 */
export function consentWithdrawn(consent: ConsentRecord | null | undefined): boolean {
  if (consent?.withdrawnAt === null || consent?.withdrawnAt === undefined) return false;
  return !(instant(consent.givenAt) > instant(consent.withdrawnAt));
}

/** When the consent in force was withdrawn (for the banner and the refusals), or null. */
export function consentWithdrawnAt(consent: ConsentRecord | null | undefined): Date | null {
  if (!consentWithdrawn(consent)) return null;
  const at = new Date(consent!.withdrawnAt!);
  return Number.isNaN(at.getTime()) ? null : at;
}

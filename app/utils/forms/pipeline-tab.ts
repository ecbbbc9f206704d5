/**
 * The Quy trình tab's own forms that are not state-machine steps: the paper dossier
 * checklist (forms 1-KNĐ … 15-KNĐ) and the province's review notes. Isomorphic: the
 * browser runs the same zod schemas for instant messages, the action for the real check.
 * Zod messages are catalogue keys, so both sides show them in the page's language.
 */
import { z } from 'zod';
import { dayNumber, isoDay } from '~/domain/calendar';
import type { Text } from '~/domain/criteria/types';
import type { MessageKey } from '~/i18n';
import type { FormResult } from './conform';

/** The forms of Hướng dẫn 12-HD/BTCTW, in order (domain.md §3). */
export const DOSSIER_FORMS: readonly { form: string; name: Text }[] = [
  { form: '1-KNĐ', name: { vi: 'Đơn xin vào Đảng', en: 'Application to join the Party' } },
  { form: '2-KNĐ', name: { vi: 'Lý lịch của người xin vào Đảng', en: 'Personal history of the applicant' } },
  { form: '3-KNĐ', name: { vi: 'Giấy giới thiệu người vào Đảng', en: 'Introduction by a Party member' } },
  {
    form: '4-KNĐ',
    name: {
      vi: 'Nghị quyết giới thiệu đoàn viên ưu tú vào Đảng',
      en: 'Union resolution introducing the outstanding member',
    },
  },
  {
    form: '5-KNĐ',
    name: {
      vi: 'Tổng hợp ý kiến nhận xét của tổ chức đoàn thể và chi ủy nơi cư trú',
      en: 'Opinions of mass organisations and the residence Party cell',
    },
  },
  {
    form: '6-KNĐ',
    name: {
      vi: 'Nghị quyết đề nghị kết nạp đảng viên của chi bộ',
      en: 'Chi bộ resolution proposing admission',
    },
  },
  {
    form: '7-KNĐ',
    name: { vi: 'Báo cáo thẩm định của đảng ủy bộ phận', en: 'Appraisal report of the partial committee' },
  },
  {
    form: '8-KNĐ',
    name: {
      vi: 'Nghị quyết của đảng ủy cơ sở về việc đề nghị kết nạp đảng viên',
      en: 'Grassroots committee resolution proposing admission',
    },
  },
  { form: '9-KNĐ', name: { vi: 'Quyết định kết nạp đảng viên', en: 'Admission decision' } },
  {
    form: '10-KNĐ',
    name: { vi: 'Bản tự kiểm điểm của đảng viên dự bị', en: 'Self-assessment of the probationary member' },
  },
  {
    form: '11-KNĐ',
    name: {
      vi: 'Bản nhận xét đảng viên dự bị của đảng viên chính thức giúp đỡ',
      en: "Helper's review of the probationary member",
    },
  },
  {
    form: '12-KNĐ',
    name: {
      vi: 'Tổng hợp ý kiến nhận xét của tổ chức đoàn thể nơi làm việc và chi ủy nơi cư trú đối với đảng viên dự bị',
      en: 'Opinions of mass organisations and the residence Party cell on the probationary member',
    },
  },
  {
    form: '13-KNĐ',
    name: {
      vi: 'Nghị quyết đề nghị công nhận đảng viên chính thức của chi bộ',
      en: 'Chi bộ resolution proposing official membership',
    },
  },
  {
    form: '14-KNĐ',
    name: {
      vi: 'Nghị quyết của đảng ủy bộ phận về việc đề nghị công nhận đảng viên chính thức',
      en: 'Partial committee resolution proposing official membership',
    },
  },
  {
    form: '15-KNĐ',
    name: { vi: 'Quyết định công nhận đảng viên chính thức', en: 'Official membership decision' },
  },
];

export type DossierDateKind = 'receivedAt' | 'verifiedAt';
export const DOSSIER_DATE_KINDS: readonly DossierDateKind[] = ['receivedAt', 'verifiedAt'];

/** Field name of one date: `receivedAt.1` … `verifiedAt.15` (ASCII, usable in ids). */
export const dossierField = (index: number, kind: DossierDateKind) => `${kind}.${index + 1}`;

export interface DossierDates {
  receivedAt: string;
  verifiedAt: string;
}

/** One form as the editor needs it: what is stored, and what the recorded steps imply. */
export interface DossierRowState {
  form: string;
  stored: DossierDates;
  derived: DossierDates;
}

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;
const isDay = (v: string) => ISO_DAY.test(v) && isoDay(dayNumber(v)) === v;

const DateOrBlank = z
  .string()
  .trim()
  .max(10, { message: 'pipeline.dossier.error.date' satisfies MessageKey })
  .refine((v) => v === '' || isDay(v), { message: 'pipeline.dossier.error.date' satisfies MessageKey });

/**
 * `today` is the Vietnam calendar day (`YYYY-MM-DD`); `rows` the dossier as loaded. The
 * form's fields are `receivedAt.1` … `verifiedAt.15`, which conform reads as the objects
 * `receivedAt` and `verifiedAt` keyed by form number; a date left out stays as it is, a
 * blank one clears it (parse with `disableAutoCoercion`, so '' stays ''). Rules: valid
 * dates, none after today, and for a form whose dates change, a verification date needs a
 * receipt date (stored or derived) on or before it.
 */
export function dossierEditSchema(today: string, rows: readonly DossierRowState[]) {
  const dates = () =>
    z.object(Object.fromEntries(rows.map((_, i) => [String(i + 1), DateOrBlank.optional()]))).optional();
  return z.object({ receivedAt: dates(), verifiedAt: dates() }).superRefine((v, ctx) => {
    rows.forEach((row, i) => {
      const n = String(i + 1);
      const received = v.receivedAt?.[n];
      const verified = v.verifiedAt?.[n];
      for (const [kind, val] of [
        ['receivedAt', received],
        ['verifiedAt', verified],
      ] as const) {
        if (val && isDay(val) && val > today) {
          ctx.addIssue({ code: 'custom', path: [kind, n], message: 'pipeline.dossier.error.future' });
        }
      }
      const r = received ?? row.stored.receivedAt;
      const f = verified ?? row.stored.verifiedAt;
      const changed = r !== row.stored.receivedAt || f !== row.stored.verifiedAt;
      if (!changed || !f || !isDay(f)) return;
      const effective = r || row.derived.receivedAt;
      if (!effective) {
        ctx.addIssue({
          code: 'custom',
          path: ['verifiedAt', n],
          message: 'pipeline.dossier.error.notReceived',
        });
      } else if (isDay(effective) && f < effective) {
        ctx.addIssue({ code: 'custom', path: ['verifiedAt', n], message: 'pipeline.dossier.error.order' });
      }
    });
  });
}

/** The dates a parsed dossier form sets (blank: cleared); absent: unchanged. */
export type DossierEdit = z.output<ReturnType<typeof dossierEditSchema>>;

export const REVIEW_NOTE_KINDS = ['flag', 'comment'] as const;
export type ReviewNoteKind = (typeof REVIEW_NOTE_KINDS)[number];
export const REVIEW_NOTE_MAX = 2000;

export const ReviewNoteSchema = z.object({
  kind: z.enum(REVIEW_NOTE_KINDS, { message: 'pipeline.notes.error.kind' satisfies MessageKey }),
  text: z
    .string({ message: 'pipeline.notes.error.required' satisfies MessageKey })
    .trim()
    .min(1, { message: 'pipeline.notes.error.required' satisfies MessageKey })
    .max(REVIEW_NOTE_MAX, { message: 'pipeline.notes.error.tooLong' satisfies MessageKey }),
});

/**
 * What the tab's non-step forms return when refused: conform's `result` (the dossier and
 * note forms' `lastResult`) and, for callers without conform, the same messages by field
 * name (`form`: the whole form's) and the fields as posted.
 */
export interface TabFormFailure {
  intent: 'dossier' | 'note' | 'resolve_flag';
  result?: FormResult;
  errors: Record<string, MessageKey[]>;
  values: Record<string, string>;
  conflict?: boolean;
}

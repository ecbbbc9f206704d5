/**
 * The content model of an official document (a resolution, a decision, a letter, a
 * blank template): what is printed and where, with no notion of a file format. The
 * renderers (app/utils/documents/) lay it out as .docx or PDF following the same
 * regions HD 36-HD/VPTW (2018) names: the issuing body top left with its superior above
 * it, the motto top right, the number under the issuing body, the place and date under
 * the motto, the title, the body, "Nơi nhận" bottom left and the signature bottom right
 * (docs/decisions/028-official-documents.md).
 *
 * Every string here is NFC and is printed as is: the body text is Vietnamese legal text
 * by nature, so it lives in the form definitions (forms/*.ts), not in the UI catalogue.
 */
import type { Text } from '../criteria/types.ts';

/** The forms of Hướng dẫn 12-HD/BTCTW the app produces. */
export const FORM_CODES = [
  '1-KNĐ',
  '2-KNĐ',
  '3-KNĐ',
  '4-KNĐ',
  '5-KNĐ',
  '6-KNĐ',
  '7-KNĐ',
  '8-KNĐ',
  '9-KNĐ',
  '10-KNĐ',
  '11-KNĐ',
  '12-KNĐ',
  '13-KNĐ',
  '15-KNĐ',
] as const;
export type FormCode = (typeof FORM_CODES)[number];

export function isFormCode(value: unknown): value is FormCode {
  return typeof value === 'string' && (FORM_CODES as readonly string[]).includes(value);
}

export type Align = 'left' | 'center' | 'right' | 'justify';

export interface Run {
  text: string;
  bold?: boolean;
  italic?: boolean;
  underline?: boolean;
}

export interface Paragraph {
  runs: Run[];
  align?: Align;
  /** First-line indent (body paragraphs of the rules: 1–1.27 cm). */
  indent?: boolean;
  /** Space before, in points (the renderers add a small default after every paragraph). */
  spaceBefore?: number;
  /**
   * A dotted line across the text width for hand-written text (the guidance's "……"): the
   * renderers draw it to fit (a dot-leader tab in Word), so it never wraps; `runs` may
   * hold a label printed before the dots.
   */
  leader?: boolean;
}

/** Who issues the document: the header's left column. */
export interface IssuerHeading {
  /** The superior body, printed above in regular capitals ("ĐẢNG BỘ TỈNH QUẢNG NGÃI"). */
  superior: string | null;
  /** The issuing body, in bold capitals ("ĐẢNG ỦY TRƯỜNG ĐẠI HỌC PHẠM VĂN ĐỒNG"). */
  name: string;
}

export interface SignatureBlock {
  /** "T/M ĐẢNG ỦY" (on behalf of a collective body), or null for a person signing for themself. */
  authority: string | null;
  /** "BÍ THƯ", "NGƯỜI LÀM ĐƠN"… */
  position: string;
  /** The signer's full name; null leaves the line blank for a hand-written one. */
  name: string | null;
}

/** The record a filled document was built from: what later storage, hashing and /verify name. */
export interface DocumentSource {
  /** Member ids in the order the document lists them (one for a single document). */
  memberIds: string[];
  /** The recorded number and day the document carries, when it carries one. */
  refNo: string | null;
  refDay: string | null;
}

/**
 * A table in the body (the annual report's figures): a header row, rows of text cells and
 * an optional totals row, printed with ruled cells across the text width. Widths are
 * relative weights (a 1 beside a 4 is a fifth of the whole), so a table fits any page.
 * Cells are strings: the builder formats numbers (Vietnamese commas, percentages).
 */
export interface TableColumn {
  header: string;
  width: number;
  /** Numbers read best right-aligned; text left; short codes centred. Default left. */
  align?: 'left' | 'center' | 'right';
}

export interface TableBlock {
  kind: 'table';
  columns: TableColumn[];
  rows: string[][];
  /** Printed bold after the rows ("Tổng cộng"), or null. */
  totals: string[] | null;
}

/** One block of a document's body: a paragraph (no `kind`) or a table. */
export type BodyBlock = Paragraph | TableBlock;

export const isTableBlock = (b: BodyBlock): b is TableBlock => 'kind' in b && b.kind === 'table';

/**
 * What the renderers lay out: the regions of HD 36, nothing about where the content came
 * from. A filled form is an `OfficialDocument`; a report (the province's annual report) is
 * a layout of its own kind, with tables in its body.
 */
export interface DocumentLayout {
  /** Party documents and Union documents differ in motto, symbols and signature wording. */
  family: 'party' | 'union';
  /** "Mẫu 6-KNĐ", printed small top right above everything; null prints nothing there. */
  formLabel: string | null;
  /** Null for a personal paper (application, letter, self-review): the motto is then centred. */
  issuer: IssuerHeading | null;
  /** "ĐẢNG CỘNG SẢN VIỆT NAM" or "ĐOÀN TNCS HỒ CHÍ MINH". */
  motto: string;
  /** "Số 12-NQ/ĐU", or null for papers without a number. */
  number: string | null;
  /** "Quảng Ngãi, ngày 05 tháng 12 năm 2026" (italic). */
  placeDate: string;
  /** "NGHỊ QUYẾT". */
  title: string;
  /** The summary under the title ("đề nghị kết nạp đảng viên"), bold, or null. */
  summary: string | null;
  body: BodyBlock[];
  /** "Nơi nhận" entries ("- Đảng ủy …,"), empty for papers without one. */
  recipients: string[];
  signature: SignatureBlock | null;
}

/** A form of Hướng dẫn 12-HD/BTCTW, built from the record (forms print no tables). */
export interface OfficialDocument extends DocumentLayout {
  form: FormCode;
  formLabel: string;
  body: Paragraph[];
  /** True when the builder filled it from a recorded step; false for a template with blanks. */
  filled: boolean;
  source: DocumentSource;
}

/** Why a document cannot be built. */
export interface DocumentRefusal {
  code: 'step_not_recorded' | 'batch_mismatch' | 'batch_empty' | 'not_a_batch_form';
  message: Text;
}

export type BuildResult = { ok: true; doc: OfficialDocument } | { ok: false; refusal: DocumentRefusal };

/**
 * Official documents as files (issue 20). One entry point:
 *
 *   renderDocument(doc, 'docx' | 'pdf', options?) => Promise<Buffer>
 *
 * `doc` is an `OfficialDocument` from `buildDocument` / `buildBatch`, or any `DocumentLayout`
 * (the annual report: `buildAnnualReport`), app/domain/documents; tables in its body are ruled.
 * Options (layout.ts `RenderOptions`):
 *   qr        { url }: a QR code of that URL (the /verify page) under "Nơi nhận";
 *   footer    one small line at the foot of every page (verify URL, content hash);
 *   createdAt the PDF's creation date: with it the same input renders the same bytes.
 * `DOCUMENT_FORMATS` gives each format's content type and file extension for a download.
 * Layout: A4, HD 36-HD/VPTW margins, Times New Roman / Tinos 13–14 pt
 * (docs/decisions/028-official-documents.md).
 */
import type { DocumentLayout, OfficialDocument } from '~/domain/documents';
import { renderDocx } from './docx.server';
import type { RenderOptions } from './layout';
import { renderPdf } from './pdf.server';

export type { RenderOptions };
export type DocumentFormat = 'docx' | 'pdf';

export const DOCUMENT_FORMATS: Record<DocumentFormat, { contentType: string; extension: string }> = {
  docx: {
    contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    extension: '.docx',
  },
  pdf: { contentType: 'application/pdf', extension: '.pdf' },
};

export function isDocumentFormat(value: unknown): value is DocumentFormat {
  return value === 'docx' || value === 'pdf';
}

export function renderDocument(
  doc: DocumentLayout,
  format: DocumentFormat,
  options: RenderOptions = {},
): Promise<Buffer> {
  return format === 'pdf' ? renderPdf(doc, options) : renderDocx(doc, options);
}

/** A download name without diacritics or separators: "9-KND-245-QD-DU.pdf". */
export function documentFileName(doc: OfficialDocument, format: DocumentFormat): string {
  const base = [doc.form, doc.number?.replace(/^Số\s*/, '')]
    .filter(Boolean)
    .join('-')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[đĐ]/g, (c) => (c === 'đ' ? 'd' : 'D'))
    .replace(/[^A-Za-z0-9.-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '');
  return `${base}${DOCUMENT_FORMATS[format].extension}`;
}

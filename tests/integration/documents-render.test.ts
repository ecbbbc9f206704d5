/**
 * The official documents as files (issue 20): open the .docx (its XML) and the PDF (its
 * text layer, read by pdf.js as a viewer would) and check the fields, the diacritics
 * (NFC, no replacement characters, every character in a font that has its glyph) and
 * the page setup.
 */
import JSZip from 'jszip';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { describe, expect, it } from 'vitest';
import {
  FORM_CODES,
  buildBatch,
  buildDocument,
  type FormCode,
  type OfficialDocument,
} from '../../app/domain/documents/index.ts';
import { fontObject, subsetOf } from '../../app/utils/documents/fonts.server.ts';
import { documentFileName, renderDocument } from '../../app/utils/documents/render.server.ts';
import { batchInputs, documentInput } from '../fixtures/documents.ts';

const squeeze = (s: string) => s.replace(/\s+/g, ' ').trim();

/** Each page's text, and the strings drawn in its top margin (above 15 mm from the top). */
async function pdfRead(buf: Buffer): Promise<{ text: string; top: string[] }[]> {
  const pdf = await getDocument({ data: new Uint8Array(buf), verbosity: 0 }).promise;
  const pages: { text: string; top: string[] }[] = [];
  for (let i = 1; i <= pdf.numPages; i++) {
    const page = await pdf.getPage(i);
    const height = page.view[3];
    const items = (await page.getTextContent()).items.filter((it) => 'str' in it);
    pages.push({
      text: squeeze(items.map((it) => it.str + (it.hasEOL ? ' ' : '')).join('')),
      top: items.filter((it) => it.transform[5] > height - 15 * (72 / 25.4)).map((it) => it.str.trim()),
    });
  }
  await pdf.destroy();
  return pages;
}

const pdfPages = async (buf: Buffer) => (await pdfRead(buf)).map((p) => p.text);

async function docxParts(buf: Buffer) {
  const zip = await JSZip.loadAsync(buf);
  const read = (name: string) => zip.file(name)?.async('string') ?? Promise.resolve('');
  const xml = await read('word/document.xml');
  // The text of each paragraph, its runs joined; paragraphs on their own lines.
  const text = xml
    .split('</w:p>')
    .map((p) => [...p.matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map((m) => m[1]).join(''))
    .join('\n');
  const footers = (
    await Promise.all(
      Object.keys(zip.files)
        .filter((n) => /^word\/footer\d+\.xml$/.test(n))
        .map(read),
    )
  ).join('');
  const media = Object.keys(zip.files).filter((n) => n.startsWith('word/media/'));
  return { xml, text: text.replace(/&amp;/g, '&'), footers, media };
}

function built(form: FormCode): OfficialDocument {
  const r = buildDocument(form, documentInput());
  if (!r.ok) throw new Error(r.refusal.message.en);
  return r.doc;
}

/** What every rendering of `doc` must show: its own fields, as the content model holds them. */
function expectedFields(doc: OfficialDocument): string[] {
  return [
    doc.title,
    doc.placeDate,
    doc.formLabel,
    ...(doc.number ? [doc.number] : []),
    ...(doc.issuer ? [doc.issuer.name] : []),
    doc.motto,
  ].map(squeeze);
}

describe('every form, in both formats', () => {
  for (const form of FORM_CODES) {
    it(`${form}: fields and diacritics in the PDF text and the .docx XML`, async () => {
      const doc = built(form);
      const [pdf, docx] = await Promise.all([renderDocument(doc, 'pdf'), renderDocument(doc, 'docx')]);
      expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
      const text = (await pdfPages(pdf)).join(' ');
      const word = await docxParts(docx);
      for (const s of [text, word.text]) {
        expect(s).toBe(s.normalize('NFC'));
        expect(s).not.toContain('\uFFFD');
      }
      for (const field of expectedFields(doc)) {
        expect(text, `PDF ${form}`).toContain(field);
        expect(squeeze(word.text), `docx ${form}`).toContain(field);
      }
      if (doc.filled || !['1-KNĐ', '2-KNĐ'].includes(form)) {
        expect(text).toContain('Nguyễn Thị Hồng Nhung');
        expect(word.text).toContain('Nguyễn Thị Hồng Nhung');
      }
    });
  }

  it('6-KNĐ: the sentences with the vote read back whole', async () => {
    const doc = built('6-KNĐ');
    const text = (await pdfPages(await renderDocument(doc, 'pdf'))).join(' ');
    expect(text).toContain('Nghị quyết số 05-NQ/ĐTN');
    expect(text).toContain('Đảng ủy Trường Đại học Phạm Văn Đồng');
    expect(text).toContain('tán thành việc kết nạp: 14 đồng chí, đạt 77,8%');
    expect(text).toContain('T/M CHI BỘ');
  });
});

describe('glyphs', () => {
  it('every character of every form is in a Tinos file that has its glyph (no boxes)', () => {
    const chars = new Set<string>();
    const walk = (v: unknown): void => {
      if (typeof v === 'string') for (const ch of v) chars.add(ch);
      else if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') Object.values(v).forEach(walk);
    };
    for (const form of FORM_CODES) walk(built(form));
    walk(buildBatch('9-KNĐ', batchInputs(12)));
    // Every Vietnamese letter, lower and upper case, with every tone.
    for (const ch of 'aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ')
      [ch, ch.toUpperCase()].forEach((c) => chars.add(c));
    const regular = { bold: false, italic: false };
    const missing = [...chars].filter((ch) => {
      const cp = ch.codePointAt(0)!;
      const subset = subsetOf(cp);
      return ch !== '\n' && (!subset || !fontObject(subset, regular).hasGlyphForCodePoint(cp));
    });
    expect(missing).toEqual([]);
  });

  it('a letter another document pulled in as a component keeps its text (Ý then Y)', async () => {
    // 2-KNĐ's "LÝ LỊCH" embeds "Y" inside "Ý"; the next document must still read "ỦY".
    await renderDocument(built('2-KNĐ'), 'pdf');
    const text = (await pdfPages(await renderDocument(built('6-KNĐ'), 'pdf'))).join(' ');
    expect(text).toContain('ĐẢNG ỦY TRƯỜNG ĐẠI HỌC');
  });
});

describe('page, QR code and footer', () => {
  const qr = { url: 'https://dvut.example/verify/Xk3p9QwErTy7' };
  const footer = 'Xác thực tại https://dvut.example/verify/Xk3p9QwErTy7 · SHA-256 3f2a9c';

  it('.docx: A4, HD 36 margins, Times New Roman 14 pt, the QR image and the footer', async () => {
    const word = await docxParts(await renderDocument(built('9-KNĐ'), 'docx', { qr, footer }));
    expect(word.xml).toMatch(/<w:pgSz w:w="11906" w:h="16838"/);
    expect(word.xml).toMatch(/<w:pgMar w:top="1134" w:right="850" w:bottom="1134" w:left="1701"/);
    expect(word.xml).toContain('w:ascii="Times New Roman"');
    expect(word.xml).toContain('<w:sz w:val="28"/>');
    expect(word.media.some((n) => n.endsWith('.png'))).toBe(true);
    expect(word.xml).toContain(qr.url);
    expect(word.footers).toContain('Xác thực tại https://dvut.example/verify/Xk3p9QwErTy7');
  });

  it('PDF: the footer on every page, page numbers from page 2, every name of a long batch', async () => {
    const r = buildBatch('9-KNĐ', batchInputs(30));
    if (!r.ok) throw new Error(r.refusal.message.en);
    const read = await pdfRead(await renderDocument(r.doc, 'pdf', { qr, footer }));
    expect(read.length).toBeGreaterThan(1);
    for (const page of read)
      expect(page.text).toContain('Xác thực tại https://dvut.example/verify/Xk3p9QwErTy7');
    expect(read[0].top).not.toContain('1');
    expect(read[1].top).toContain('2');
    const all = read.map((p) => p.text).join(' ');
    for (const i of batchInputs(30)) expect(all).toContain(i.candidate.fullName);
  });

  it('PDF: the same input and creation date give the same bytes', async () => {
    const createdAt = new Date('2026-12-07T00:00:00Z');
    const a = await renderDocument(built('8-KNĐ'), 'pdf', { createdAt, qr });
    const b = await renderDocument(built('8-KNĐ'), 'pdf', { createdAt, qr });
    expect(a.equals(b)).toBe(true);
  });

  it('names the file without diacritics', () => {
    expect(documentFileName(built('9-KNĐ'), 'pdf')).toBe('9-KND-245-QD-DU.pdf');
    expect(documentFileName(built('1-KNĐ'), 'docx')).toBe('1-KND.docx');
  });
});

/**
 * The table block of the content model, in both renderers: a ruled grid with the header
 * row repeated where a long table continues on the next page (PDF: drawn again; Word:
 * marked as a header row), cells wrapping inside their column, the totals row bold; and
 * every character of the annual report in a Tinos file that has its glyph.
 */
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { annualFigures } from '../../app/domain/annual-report.ts';
import { buildAnnualReport, type DocumentLayout, type TableBlock } from '../../app/domain/documents/index.ts';
import { fontObject, subsetOf } from '../../app/utils/documents/fonts.server.ts';
import { renderDocument } from '../../app/utils/documents/render.server.ts';
import { docxText, pdfPageTexts } from '../fixtures/document-files.ts';

const table = (rows: number): TableBlock => ({
  kind: 'table',
  columns: [
    { header: 'TT', width: 1, align: 'center' },
    { header: 'Tên đơn vị', width: 5 },
    { header: 'Số lượng', width: 2, align: 'right' },
  ],
  rows: Array.from({ length: rows }, (_, i) => [
    String(i + 1),
    `Trường Trung học phổ thông số ${i + 1} huyện Nghĩa Hành, tỉnh Quảng Ngãi`,
    String(i * 3),
  ]),
  totals: ['', 'Tổng cộng', 'TỔNG-ĐÚNG'],
});

const layout = (body: DocumentLayout['body']): DocumentLayout => ({
  family: 'union',
  formLabel: null,
  issuer: { superior: null, name: 'BCH ĐOÀN TỈNH QUẢNG NGÃI' },
  motto: 'ĐOÀN TNCS HỒ CHÍ MINH',
  number: 'Số ……-BC/TĐTN',
  placeDate: 'Quảng Ngãi, ngày 07 tháng 12 năm 2026',
  title: 'BÁO CÁO',
  summary: null,
  body,
  recipients: ['- Lưu VP.'],
  signature: { authority: 'TM. BAN THƯỜNG VỤ', position: 'BÍ THƯ', name: null },
});

describe('table block', () => {
  it('PDF: a long table continues on the next pages with its header row drawn again; totals last', async () => {
    const doc = layout([{ runs: [{ text: 'Danh sách các trường:' }] }, table(60)]);
    const pages = await pdfPageTexts(await renderDocument(doc, 'pdf'));
    expect(pages.length).toBeGreaterThan(2);
    for (const page of pages.slice(0, -1)) expect(page).toContain('TT Tên đơn vị Số lượng');
    const all = pages.join(' ');
    // Every row once, its long name whole (wrapped inside its cell, read back in order).
    for (const n of [1, 30, 60]) expect(all).toContain(`Trường Trung học phổ thông số ${n} huyện`);
    expect(all.indexOf('TỔNG-ĐÚNG')).toBeGreaterThan(all.indexOf('số 60 huyện'));
    expect(all).not.toContain('Mẫu');
  });

  it(".docx: a fixed grid of the columns' shares, the header row repeated, ruled cells, bold totals", async () => {
    const buf = await renderDocument(layout([table(3)]), 'docx');
    const xml = (await (await JSZip.loadAsync(buf)).file('word/document.xml')!.async('string')) ?? '';
    // Weights 1, 5, 2: an eighth, five eighths and a quarter of the text width (165 mm).
    const ruled = xml.slice(xml.lastIndexOf('<w:tbl>', xml.indexOf('Tên đơn vị')));
    const grid = [...ruled.split('</w:tblGrid>')[0].matchAll(/<w:gridCol w:w="(\d+)"\/>/g)].map((m) =>
      Number(m[1]),
    );
    const width = grid.reduce((a, w) => a + w, 0);
    expect(width).toBeGreaterThan(9300);
    expect(width).toBeLessThan(9400);
    expect(grid.map((w) => Math.round((w * 8) / width))).toEqual([1, 5, 2]);
    expect(ruled).toContain('<w:tblLayout w:type="fixed"/>');
    expect(ruled).toContain('<w:tblHeader/>');
    expect(ruled).toMatch(/<w:tblBorders><w:top w:val="single"/);
    const text = await docxText(buf);
    expect(text.split('\n')).toEqual(expect.arrayContaining(['TT', 'Tên đơn vị', 'Tổng cộng', 'TỔNG-ĐÚNG']));
    expect(xml).toMatch(/<w:b\/>.{0,200}TỔNG-ĐÚNG/s);
  });
});

describe('annual report glyphs', () => {
  it('every character of the report is in a Tinos file that has its glyph (no boxes)', () => {
    const doc = buildAnnualReport(
      annualFigures(
        2026,
        [
          {
            id: 'a',
            name: 'Trường Cao đẳng Việt Nam – Hàn Quốc – Quảng Ngãi',
            kind: 'college',
            members: 1234,
            selected: 5,
            admitted: 3,
            official: 1,
            open: 9,
            overdue: 2,
            target: 4,
          },
        ],
        [{ schoolId: 'a', stage: 'branch_vote', open: 9, overdue: 2, oldestDue: '2026-03-02' }],
      ),
      {
        level: 'province',
        heading: { superior: null, name: 'BCH ĐOÀN TỈNH QUẢNG NGÃI' },
        symbol: 'TĐTN',
        authority: 'TM. BAN THƯỜNG VỤ',
        position: 'BÍ THƯ',
        signer: null,
        place: 'Quảng Ngãi',
        scopeName: 'tỉnh Quảng Ngãi',
      },
      '2026-12-07',
    );
    const chars = new Set<string>();
    const walk = (v: unknown): void => {
      if (typeof v === 'string') for (const ch of v) chars.add(ch);
      else if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') Object.values(v).forEach(walk);
    };
    walk(doc);
    const regular = { bold: false, italic: false };
    const missing = [...chars].filter((ch) => {
      const cp = ch.codePointAt(0)!;
      const subset = subsetOf(cp);
      return !subset || !fontObject(subset, regular).hasGlyphForCodePoint(cp);
    });
    expect(missing).toEqual([]);
  });
});

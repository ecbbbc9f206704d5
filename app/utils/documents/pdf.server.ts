/**
 * An `DocumentLayout` as PDF (pdfkit). pdfkit's own line wrapper cannot change font
 * inside a word, and Tinos' Vietnamese glyphs sit in another file than its Latin ones
 * (fonts.server.ts), so this module lays out the text itself: words are measured piece
 * by piece (each piece in the subset that holds its characters), broken into lines
 * greedily, justified by widening the spaces, and each piece is drawn at its place.
 */
import PDFDocument from 'pdfkit';
import {
  isTableBlock,
  type Align,
  type DocumentLayout,
  type Paragraph,
  type Run,
  type TableBlock,
} from '~/domain/documents';
import { fontFile, fontName, subsetOf, type FontStyle, type Subset } from './fonts.server';
import {
  CELL_PADDING,
  CLOSING_LEFT,
  CONTENT_WIDTH,
  HEADER_LEFT,
  INDENT,
  MM,
  PAGE,
  QR_SIDE,
  SIGNATURE_SPACE,
  SIZE,
  type RenderOptions,
} from './layout';
import { qrMatrix } from './qr.server';

/** Line height as a multiple of the font size (between the guidance's single and 1.5 lines). */
const LEADING = 1.25;
/** Tinos' ascent (as Times New Roman's): the baseline sits this far below a line's top. */
const ASCENT = 0.891;
const PARAGRAPH_AFTER = 4;

interface Style extends FontStyle {
  size: number;
  underline: boolean;
}
interface Piece {
  text: string;
  font: string;
  style: Style;
  width: number;
}
interface Word {
  pieces: Piece[];
  width: number;
}
interface Block {
  runs: Run[];
  size: number;
  align: Align;
  indent?: boolean;
  leader?: boolean;
  spaceBefore?: number;
  after?: number;
}

class PdfWriter {
  readonly doc: PDFKit.PDFDocument;
  y = PAGE.top;
  private registered = new Set<string>();
  private widths = new Map<string, number>();

  constructor(doc: PDFKit.PDFDocument) {
    this.doc = doc;
  }

  private font(subset: Subset, style: FontStyle): string {
    const name = fontName(subset, style);
    if (!this.registered.has(name)) {
      this.doc.registerFont(name, fontFile(subset, style));
      this.registered.add(name);
    }
    return name;
  }

  private measure(text: string, font: string, size: number): number {
    const key = `${font}|${size}|${text}`;
    let w = this.widths.get(key);
    if (w === undefined) {
      w = this.doc.font(font).fontSize(size).widthOfString(text);
      this.widths.set(key, w);
    }
    return w;
  }

  /** Text cut where the font file changes; characters no subset holds fall to latin (.notdef). */
  private pieces(text: string, style: Style): Piece[] {
    const out: Piece[] = [];
    let current = '';
    let subset: Subset | null = null;
    const flush = () => {
      if (!current || !subset) return;
      const font = this.font(subset, style);
      out.push({ text: current, font, style, width: this.measure(current, font, style.size) });
      current = '';
    };
    for (const ch of text.normalize('NFC')) {
      const s = subsetOf(ch.codePointAt(0)!) ?? 'latin';
      if (s !== subset) {
        flush();
        subset = s;
      }
      current += ch;
    }
    flush();
    return out;
  }

  spaceWidth(size: number): number {
    return this.measure(' ', this.font('latin', { bold: false, italic: false }), size);
  }

  private words(runs: Run[], size: number): Word[] {
    const words: Word[] = [];
    let current: Piece[] = [];
    const flush = () => {
      if (current.length) words.push({ pieces: current, width: current.reduce((a, p) => a + p.width, 0) });
      current = [];
    };
    for (const r of runs) {
      const style: Style = { size, bold: !!r.bold, italic: !!r.italic, underline: !!r.underline };
      r.text.split(/[ \t\n]/).forEach((part, i) => {
        if (i > 0) flush();
        if (part) current.push(...this.pieces(part, style));
      });
    }
    flush();
    return words;
  }

  /** A word wider than the line (a long dotted blank) is cut into pieces that fit. */
  private split(word: Word, width: number): Word[] {
    if (word.width <= width) return [word];
    const out: Word[] = [];
    let pieces: Piece[] = [];
    let used = 0;
    for (const p of word.pieces) {
      let chunk = '';
      for (const ch of p.text) {
        const w = this.measure(ch, p.font, p.style.size);
        if (used + w > width && (chunk || pieces.length)) {
          if (chunk) pieces.push({ ...p, text: chunk, width: this.measure(chunk, p.font, p.style.size) });
          out.push({ pieces, width: used });
          pieces = [];
          chunk = '';
          used = 0;
        }
        chunk += ch;
        used += w;
      }
      if (chunk) pieces.push({ ...p, text: chunk, width: this.measure(chunk, p.font, p.style.size) });
    }
    if (pieces.length) out.push({ pieces, width: used });
    return out;
  }

  private lines(words: Word[], width: number, firstIndent: number, space: number): Word[][] {
    const lines: Word[][] = [];
    let line: Word[] = [];
    let used = 0;
    for (const whole of words) {
      for (const word of this.split(whole, width - (lines.length === 0 ? firstIndent : 0))) {
        const limit = width - (lines.length === 0 ? firstIndent : 0);
        const next = line.length ? used + space + word.width : word.width;
        if (line.length && next > limit) {
          lines.push(line);
          line = [word];
          used = word.width;
        } else {
          line.push(word);
          used = next;
        }
      }
    }
    if (line.length) lines.push(line);
    return lines;
  }

  /** Page break when a line of `height` would cross the bottom margin. */
  room(height: number) {
    if (this.y + height > PAGE.height - PAGE.bottom) this.newPage();
  }

  newPage() {
    this.doc.addPage();
    this.y = PAGE.top;
  }

  /**
   * Lays a block in the column [x, x+width) from this.y (or only measures it when
   * `draw` is false); returns its height. `breakPages` lets body text flow to the next page.
   */
  block(b: Block, x: number, width: number, draw = true, breakPages = true): number {
    const start = this.y;
    const lineHeight = b.size * LEADING;
    const space = this.spaceWidth(b.size);
    this.y += b.spaceBefore ?? 0;
    const firstIndent = b.indent ? INDENT : 0;
    const words = this.words(b.runs, b.size);
    if (b.leader) {
      if (draw && breakPages) this.room(lineHeight);
      const label = words.reduce((a, w) => a + w.width + space, 0);
      const dot = this.font('latin', { bold: false, italic: false });
      const dots = '.'.repeat(Math.max(0, Math.floor((width - label) / this.measure('.', dot, b.size))));
      if (draw) {
        this.drawLine(words, x, space);
        this.doc
          .font(dot)
          .fontSize(b.size)
          .text(dots, x + label, this.y, { lineBreak: false });
      }
      this.y += lineHeight + (b.after ?? PARAGRAPH_AFTER);
      return this.y - start;
    }
    const lines = this.lines(words, width, firstIndent, space);
    lines.forEach((line, i) => {
      if (draw && breakPages) this.room(lineHeight);
      const indent = i === 0 ? firstIndent : 0;
      const natural = line.reduce((a, w) => a + w.width, 0) + space * (line.length - 1);
      const free = width - indent - natural;
      let lx = x + indent;
      let gap = space;
      if (b.align === 'center') lx += free / 2;
      else if (b.align === 'right') lx += free;
      else if (b.align === 'justify' && i < lines.length - 1 && line.length > 1)
        gap = space + free / (line.length - 1);
      if (draw) this.drawLine(line, lx, gap);
      this.y += lineHeight;
    });
    this.y += b.after ?? PARAGRAPH_AFTER;
    return this.y - start;
  }

  private drawLine(line: Word[], x: number, gap: number) {
    let px = x;
    line.forEach((word, wi) => {
      for (const p of word.pieces) {
        this.doc.font(p.font).fontSize(p.style.size).text(p.text, px, this.y, { lineBreak: false });
        if (p.style.underline) this.underline(px, p.width, p.style.size);
        px += p.width;
      }
      const next = line[wi + 1];
      // Underlined text keeps its line across the spaces between its words.
      if (next && word.pieces.at(-1)!.style.underline && next.pieces[0].style.underline)
        this.underline(px, gap, word.pieces.at(-1)!.style.size);
      px += gap;
    });
  }

  private underline(x: number, width: number, size: number) {
    const y = this.y + size * (ASCENT + 0.12);
    this.doc
      .save()
      .lineWidth(size / 20)
      .moveTo(x, y)
      .lineTo(x + width, y)
      .stroke()
      .restore();
  }

  rule(width: number) {
    const x = PAGE.left + (CONTENT_WIDTH - width) / 2;
    this.doc
      .save()
      .lineWidth(0.6)
      .moveTo(x, this.y)
      .lineTo(x + width, this.y)
      .stroke()
      .restore();
  }

  qr(url: string, x: number, y: number) {
    const { size, dark } = qrMatrix(url);
    const cell = QR_SIDE / size;
    this.doc.save().fillColor('black');
    for (let r = 0; r < size; r++) {
      // One rectangle per horizontal run of dark modules.
      for (let c = 0; c < size; c++) {
        if (!dark(r, c)) continue;
        let end = c;
        while (end + 1 < size && dark(r, end + 1)) end++;
        this.doc.rect(x + c * cell, y + r * cell, (end - c + 1) * cell, cell);
        c = end;
      }
    }
    this.doc.fill().restore();
  }
}

const runsOf = (text: string, style: Omit<Run, 'text'> = {}): Run[] => [{ text, ...style }];

function header(w: PdfWriter, doc: DocumentLayout) {
  const top = w.y;
  const size = SIZE.header;
  if (!doc.issuer) {
    w.block(
      { runs: runsOf(doc.motto, { bold: true, underline: true }), size: SIZE.body, align: 'center' },
      PAGE.left,
      CONTENT_WIDTH,
    );
    w.y += 6;
    w.block(
      { runs: runsOf(doc.placeDate, { italic: true }), size: SIZE.body, align: 'right' },
      PAGE.left,
      CONTENT_WIDTH,
    );
    return;
  }
  const left = PAGE.left;
  const right = PAGE.left + HEADER_LEFT;
  const rightWidth = CONTENT_WIDTH - HEADER_LEFT;
  if (doc.issuer.superior)
    w.block({ runs: runsOf(doc.issuer.superior), size, align: 'center', after: 0 }, left, HEADER_LEFT);
  w.block(
    { runs: runsOf(doc.issuer.name, { bold: true }), size, align: 'center', after: 0 },
    left,
    HEADER_LEFT,
  );
  w.block(
    { runs: runsOf(doc.family === 'union' ? '***' : '*'), size, align: 'center', after: 2 },
    left,
    HEADER_LEFT,
  );
  const numberLine = w.y;
  if (doc.number) w.block({ runs: runsOf(doc.number), size, align: 'center', after: 0 }, left, HEADER_LEFT);
  const leftEnd = w.y;
  w.y = top;
  w.block(
    { runs: runsOf(doc.motto, { bold: true, underline: true }), size: SIZE.body, align: 'center', after: 0 },
    right,
    rightWidth,
  );
  w.y = Math.max(w.y + 8, numberLine);
  w.block(
    { runs: runsOf(doc.placeDate, { italic: true }), size: SIZE.body, align: 'center', after: 0 },
    right,
    rightWidth,
  );
  w.y = Math.max(w.y, leftEnd);
}

function title(w: PdfWriter, doc: DocumentLayout) {
  w.y += 18;
  w.block(
    { runs: runsOf(doc.title, { bold: true }), size: SIZE.body + 1, align: 'center', after: 0 },
    PAGE.left,
    CONTENT_WIDTH,
  );
  if (doc.summary)
    w.block(
      { runs: runsOf(doc.summary, { bold: true }), size: SIZE.body, align: 'center', after: 0 },
      PAGE.left + 20 * MM,
      CONTENT_WIDTH - 40 * MM,
    );
  w.y += 4;
  w.rule(30 * MM);
  w.y += 12;
}

const bodyBlock = (p: Paragraph): Block => ({
  runs: p.runs,
  size: SIZE.body,
  align: p.align ?? 'justify',
  indent: p.indent,
  leader: p.leader,
  spaceBefore: p.spaceBefore,
});

/** Space above and below a cell's text. */
const CELL_V = 2;

/**
 * A ruled table across the text width: each row as tall as its tallest cell (text wraps
 * inside its column), a row never split across pages, the header row repeated on top of
 * every page the table continues on.
 */
function table(w: PdfWriter, t: TableBlock) {
  const weight = t.columns.reduce((a, c) => a + c.width, 0);
  const widths = t.columns.map((c) => (CONTENT_WIDTH * c.width) / weight);
  const size = SIZE.table;
  const cellBlock = (text: string, i: number, bold: boolean, header: boolean): Block => ({
    runs: runsOf(text, { bold }),
    size,
    align: header ? 'center' : (t.columns[i].align ?? 'left'),
    after: 0,
  });
  const rowHeight = (blocks: Block[]) => {
    const y0 = w.y;
    const h = Math.max(
      ...blocks.map((b, i) => {
        w.y = y0;
        return w.block(b, 0, widths[i] - 2 * CELL_PADDING, false, false);
      }),
    );
    w.y = y0;
    return h + 2 * CELL_V;
  };
  const draw = (blocks: Block[], height: number) => {
    const top = w.y;
    let x = PAGE.left;
    blocks.forEach((b, i) => {
      w.y = top + CELL_V;
      w.block(b, x + CELL_PADDING, widths[i] - 2 * CELL_PADDING, true, false);
      w.doc.save().lineWidth(0.5).rect(x, top, widths[i], height).stroke().restore();
      x += widths[i];
    });
    w.y = top + height;
  };
  const header = t.columns.map((c, i) => cellBlock(c.header, i, true, true));
  const headerHeight = rowHeight(header);
  const rows = [
    ...t.rows.map((r) => t.columns.map((_, i) => cellBlock(r[i] ?? '', i, false, false))),
    ...(t.totals ? [t.columns.map((_, i) => cellBlock(t.totals![i] ?? '', i, true, false))] : []),
  ];
  w.y += 4;
  // The header never sits alone at the foot of a page: it goes with the first row.
  w.room(headerHeight + (rows.length ? rowHeight(rows[0]) : 0));
  draw(header, headerHeight);
  for (const r of rows) {
    const h = rowHeight(r);
    if (w.y + h > PAGE.height - PAGE.bottom) {
      w.newPage();
      draw(header, headerHeight);
    }
    draw(r, h);
  }
  w.y += 8;
}

/** "Nơi nhận" and the QR code on the left, the signature on the right, kept on one page. */
function closing(w: PdfWriter, doc: DocumentLayout, options: RenderOptions) {
  const left = PAGE.left;
  const right = PAGE.left + CLOSING_LEFT;
  const rightWidth = CONTENT_WIDTH - CLOSING_LEFT;
  const leftBlocks: Block[] = doc.recipients.length
    ? [
        {
          runs: runsOf('Nơi nhận:', { underline: true }),
          size: SIZE.recipientsLabel,
          align: 'left',
          after: 0,
        },
        ...doc.recipients.map((r): Block => ({
          runs: runsOf(r),
          size: SIZE.recipients,
          align: 'left',
          after: 0,
        })),
      ]
    : [];
  const sig = doc.signature;
  const rightBlocks: Block[] = sig
    ? [
        ...(sig.authority
          ? [
              {
                runs: runsOf(sig.authority, { bold: true }),
                size: SIZE.body,
                align: 'center' as const,
                after: 0,
              },
            ]
          : []),
        { runs: runsOf(sig.position, { bold: !!sig.authority }), size: SIZE.body, align: 'center', after: 0 },
        ...(sig.authority
          ? []
          : [
              {
                runs: runsOf('(Ký, ghi rõ họ tên)', { italic: true }),
                size: SIZE.recipients,
                align: 'center' as const,
                after: 0,
              },
            ]),
        { runs: [], size: SIZE.body, align: 'center', spaceBefore: SIGNATURE_SPACE, after: 0 },
        { runs: runsOf(sig.name ?? '', { bold: true }), size: SIZE.body, align: 'center', after: 0 },
      ]
    : [];
  const measure = (blocks: Block[], x: number, width: number) => {
    const y0 = w.y;
    for (const b of blocks) w.block(b, x, width, false);
    const h = w.y - y0;
    w.y = y0;
    return h;
  };
  const qrHeight = options.qr ? QR_SIDE + 10 : 0;
  const height = Math.max(
    measure(leftBlocks, left, CLOSING_LEFT) + qrHeight,
    measure(rightBlocks, right, rightWidth),
  );
  w.y += 8;
  if (w.y + height > PAGE.height - PAGE.bottom) {
    w.doc.addPage();
    w.y = PAGE.top;
  }
  const top = w.y;
  for (const b of leftBlocks) w.block(b, left, CLOSING_LEFT, true, false);
  if (options.qr) w.qr(options.qr.url, left, w.y + 8);
  w.y = top;
  for (const b of rightBlocks) w.block(b, right, rightWidth, true, false);
}

/** Page numbers from the second page, top centre (HD 36), and the footer line on every page. */
function decorate(w: PdfWriter, footerText: string | undefined) {
  const range = w.doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    w.doc.switchToPage(i);
    if (i > range.start) {
      w.y = PAGE.top / 2;
      w.block(
        { runs: runsOf(String(i - range.start + 1)), size: SIZE.header, align: 'center', after: 0 },
        PAGE.left,
        CONTENT_WIDTH,
        true,
        false,
      );
    }
    if (footerText) {
      w.y = PAGE.height - PAGE.bottom + 10;
      w.block(
        { runs: runsOf(footerText), size: SIZE.footer, align: 'center', after: 0 },
        PAGE.left,
        CONTENT_WIDTH,
        true,
        false,
      );
    }
  }
}

/** The document as PDF bytes. */
export function renderPdf(doc: DocumentLayout, options: RenderOptions = {}): Promise<Buffer> {
  const pdf = new PDFDocument({
    size: 'A4',
    margins: { top: PAGE.top, bottom: 0, left: PAGE.left, right: PAGE.right },
    bufferPages: true,
    autoFirstPage: true,
    info: {
      Title: [doc.title, doc.summary].filter(Boolean).join(' ').normalize('NFC'),
      // pdfkit writes every key it is given: an undefined Subject would throw.
      ...(doc.formLabel ? { Subject: doc.formLabel } : {}),
      Creator: 'doan-vien-uu-tu',
      CreationDate: options.createdAt ?? new Date(),
    },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    pdf.on('data', (c: Buffer) => chunks.push(c));
    pdf.on('end', () => resolve(Buffer.concat(chunks)));
    pdf.on('error', reject);
  });
  const w = new PdfWriter(pdf);
  w.y = PAGE.top / 2;
  if (doc.formLabel)
    w.block(
      { runs: runsOf(doc.formLabel, { italic: true }), size: SIZE.formLabel, align: 'right', after: 0 },
      PAGE.left,
      CONTENT_WIDTH,
      true,
      false,
    );
  w.y = PAGE.top;
  header(w, doc);
  title(w, doc);
  for (const b of doc.body)
    if (isTableBlock(b)) table(w, b);
    else w.block(bodyBlock(b), PAGE.left, CONTENT_WIDTH);
  closing(w, doc, options);
  decorate(w, options.footer);
  pdf.end();
  return done;
}

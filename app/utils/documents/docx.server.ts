/**
 * An `DocumentLayout` as Word (.docx, the `docx` package): the same regions as the PDF
 * (layout.ts), built from paragraphs and two borderless tables (header columns, closing
 * columns) so a clerk can still edit every line. The font is named Times New Roman, the
 * font the rules prescribe; Word substitutes a metric twin where it is missing.
 */
import {
  AlignmentType,
  BorderStyle,
  Document,
  Footer,
  Header,
  ImageRun,
  LeaderType,
  Packer,
  PageNumber,
  Paragraph as DocxParagraph,
  Tab,
  TabStopType,
  Table,
  TableCell,
  TableLayoutType,
  TableRow,
  TextRun,
  WidthType,
} from 'docx';
import {
  isTableBlock,
  type Align,
  type BodyBlock,
  type DocumentLayout,
  type Run,
  type TableBlock,
} from '~/domain/documents';
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
import { qrPng } from './qr.server';

const FONT = 'Times New Roman';
/** Points to twentieths of a point (Word's unit for page geometry and spacing). */
const twip = (pt: number) => Math.round(pt * 20);
/** 1.25 lines, as the PDF (Word: 240 = single). */
const LINE = 300;

const ALIGN = {
  left: AlignmentType.LEFT,
  center: AlignmentType.CENTER,
  right: AlignmentType.RIGHT,
  justify: AlignmentType.JUSTIFIED,
} as const;

function textRuns(runs: Run[], size: number): TextRun[] {
  return runs.map(
    (r) =>
      new TextRun({
        text: r.text.normalize('NFC'),
        bold: r.bold,
        italics: r.italic,
        underline: r.underline ? {} : undefined,
        size: size * 2,
        font: FONT,
      }),
  );
}

interface ParaOptions {
  align?: Align;
  size?: number;
  indent?: boolean;
  before?: number;
  after?: number;
  leader?: boolean;
}

function para(runs: Run[], o: ParaOptions = {}): DocxParagraph {
  const size = o.size ?? SIZE.body;
  const children = textRuns(runs, size);
  if (o.leader) children.push(new TextRun({ children: [new Tab()], size: size * 2, font: FONT }));
  return new DocxParagraph({
    children,
    alignment: ALIGN[o.align ?? 'left'],
    indent: o.indent ? { firstLine: twip(INDENT) } : undefined,
    spacing: { before: twip(o.before ?? 0), after: twip(o.after ?? 0), line: LINE },
    tabStops: o.leader
      ? [{ type: TabStopType.RIGHT, position: twip(CONTENT_WIDTH), leader: LeaderType.DOT }]
      : undefined,
  });
}

const line = (text: string, o: ParaOptions & Omit<Run, 'text'> = {}) =>
  para([{ text, bold: o.bold, italic: o.italic, underline: o.underline }], o);

const NONE = { style: BorderStyle.NONE, size: 0, color: 'FFFFFF' };
const NO_BORDERS = {
  top: NONE,
  bottom: NONE,
  left: NONE,
  right: NONE,
  insideHorizontal: NONE,
  insideVertical: NONE,
};

/** Two borderless columns of `left` points and the rest of the text width. */
function columns(left: number, leftCells: DocxParagraph[], rightCells: DocxParagraph[]): Table {
  const widths = [twip(left), twip(CONTENT_WIDTH - left)];
  const cell = (children: DocxParagraph[], w: number) =>
    new TableCell({
      children: children.length ? children : [para([])],
      width: { size: w, type: WidthType.DXA },
      borders: { top: NONE, bottom: NONE, left: NONE, right: NONE },
    });
  return new Table({
    rows: [new TableRow({ children: [cell(leftCells, widths[0]), cell(rightCells, widths[1])] })],
    width: { size: twip(CONTENT_WIDTH), type: WidthType.DXA },
    columnWidths: widths,
    layout: TableLayoutType.FIXED,
    borders: NO_BORDERS,
  });
}

const RULE = { style: BorderStyle.SINGLE, size: 4, color: '000000' };
const RULED = { top: RULE, bottom: RULE, left: RULE, right: RULE };

/**
 * A ruled table across the text width: widths from the columns' weights, the header row
 * bold and repeated on every page Word breaks the table across, the totals row bold.
 */
function ruledTable(t: TableBlock): Table {
  const weight = t.columns.reduce((a, c) => a + c.width, 0);
  const widths = t.columns.map((c) => twip((CONTENT_WIDTH * c.width) / weight));
  const size = SIZE.table;
  const cell = (text: string, i: number, bold: boolean, align: Align) =>
    new TableCell({
      width: { size: widths[i], type: WidthType.DXA },
      borders: RULED,
      margins: { left: twip(CELL_PADDING), right: twip(CELL_PADDING) },
      children: [
        new DocxParagraph({
          alignment: ALIGN[align],
          spacing: { before: twip(2), after: twip(2) },
          children: textRuns([{ text, bold }], size),
        }),
      ],
    });
  const row = (cells: string[], bold: boolean, header = false) =>
    new TableRow({
      tableHeader: header,
      cantSplit: true,
      children: t.columns.map((c, i) =>
        cell(cells[i] ?? '', i, bold, header ? 'center' : (c.align ?? 'left')),
      ),
    });
  return new Table({
    width: { size: widths.reduce((a, w) => a + w, 0), type: WidthType.DXA },
    columnWidths: widths,
    layout: TableLayoutType.FIXED,
    borders: { ...RULED, insideHorizontal: RULE, insideVertical: RULE },
    rows: [
      row(
        t.columns.map((c) => c.header),
        true,
        true,
      ),
      ...t.rows.map((r) => row(r, false)),
      ...(t.totals ? [row(t.totals, true)] : []),
    ],
  });
}

function header(doc: DocumentLayout): (DocxParagraph | Table)[] {
  const size = SIZE.header;
  if (!doc.issuer)
    return [
      line(doc.motto, { bold: true, underline: true, align: 'center' }),
      line(doc.placeDate, { italic: true, align: 'right', before: 6 }),
    ];
  const left = [
    ...(doc.issuer.superior ? [line(doc.issuer.superior, { size, align: 'center' })] : []),
    line(doc.issuer.name, { size, bold: true, align: 'center' }),
    line(doc.family === 'union' ? '***' : '*', { size, align: 'center' }),
    ...(doc.number ? [line(doc.number, { size, align: 'center' })] : []),
  ];
  const right = [
    line(doc.motto, { bold: true, underline: true, align: 'center' }),
    line(doc.placeDate, { italic: true, align: 'center', before: 24 }),
  ];
  return [columns(HEADER_LEFT, left, right)];
}

function title(doc: DocumentLayout): DocxParagraph[] {
  const side = twip((CONTENT_WIDTH - 30 * MM) / 2);
  return [
    line(doc.title, { bold: true, size: SIZE.body + 1, align: 'center', before: 18 }),
    ...(doc.summary ? [line(doc.summary, { bold: true, align: 'center' })] : []),
    // The short rule under the title: a bottom border on an empty, indented paragraph.
    new DocxParagraph({
      children: [],
      indent: { left: side, right: side },
      border: { bottom: { style: BorderStyle.SINGLE, size: 4, color: '000000', space: 1 } },
      spacing: { after: twip(12) },
    }),
  ];
}

const body = (b: BodyBlock): DocxParagraph | Table =>
  isTableBlock(b)
    ? ruledTable(b)
    : para(b.runs, {
        align: b.align ?? 'justify',
        indent: b.indent,
        before: b.spaceBefore,
        after: 4,
        leader: b.leader,
      });

async function closing(doc: DocumentLayout, options: RenderOptions): Promise<Table> {
  const left: DocxParagraph[] = doc.recipients.length
    ? [
        line('Nơi nhận:', { underline: true, size: SIZE.recipientsLabel, before: 8 }),
        ...doc.recipients.map((r) => line(r, { size: SIZE.recipients })),
      ]
    : [];
  if (options.qr) {
    const px = Math.round((QR_SIDE * 96) / 72);
    left.push(
      new DocxParagraph({
        spacing: { before: twip(8) },
        children: [
          new ImageRun({
            type: 'png',
            data: await qrPng(options.qr.url),
            transformation: { width: px, height: px },
            altText: { name: 'QR', title: 'QR', description: options.qr.url },
          }),
        ],
      }),
    );
  }
  const sig = doc.signature;
  const right: DocxParagraph[] = sig
    ? [
        ...(sig.authority ? [line(sig.authority, { bold: true, align: 'center', before: 8 })] : []),
        line(sig.position, { bold: !!sig.authority, align: 'center', before: sig.authority ? 0 : 8 }),
        ...(sig.authority
          ? []
          : [line('(Ký, ghi rõ họ tên)', { italic: true, size: SIZE.recipients, align: 'center' })]),
        line(sig.name ?? '', { bold: true, align: 'center', before: SIGNATURE_SPACE }),
      ]
    : [];
  return columns(CLOSING_LEFT, left, right);
}

/** The document as .docx bytes. */
export async function renderDocx(doc: DocumentLayout, options: RenderOptions = {}): Promise<Buffer> {
  const footer = options.footer
    ? new Footer({ children: [line(options.footer, { size: SIZE.footer, align: 'center' })] })
    : undefined;
  const word = new Document({
    creator: 'doan-vien-uu-tu',
    title: [doc.title, doc.summary].filter(Boolean).join(' '),
    subject: doc.formLabel ?? undefined,
    styles: { default: { document: { run: { font: FONT, size: SIZE.body * 2 } } } },
    sections: [
      {
        properties: {
          // Page numbers from the second page (HD 36): the first page has its own, empty header.
          titlePage: true,
          page: {
            size: { width: twip(PAGE.width), height: twip(PAGE.height) },
            margin: {
              top: twip(PAGE.top),
              bottom: twip(PAGE.bottom),
              left: twip(PAGE.left),
              right: twip(PAGE.right),
              header: twip(PAGE.top / 2),
              footer: twip(PAGE.bottom / 3),
            },
          },
        },
        headers: {
          first: new Header({ children: [para([])] }),
          default: new Header({
            children: [
              new DocxParagraph({
                alignment: AlignmentType.CENTER,
                children: [
                  new TextRun({ children: [PageNumber.CURRENT], size: SIZE.header * 2, font: FONT }),
                ],
              }),
            ],
          }),
        },
        footers: footer ? { first: footer, default: footer } : undefined,
        children: [
          ...(doc.formLabel
            ? [line(doc.formLabel, { italic: true, size: SIZE.formLabel, align: 'right' })]
            : []),
          ...header(doc),
          ...title(doc),
          ...doc.body.map(body),
          await closing(doc, options),
        ],
      },
    ],
  });
  return Packer.toBuffer(word);
}

/**
 * The page geometry both renderers share, per HD 36-HD/VPTW (2018): A4 portrait, margins
 * top and bottom 20 mm, left 30 mm, right 15 mm (the guidance allows 20–25, 20–25, 30–35
 * and 15–20: the smallest keep a one-candidate resolution on one page), Times New Roman
 * (Tinos in PDF) 14 pt for the body and 13 pt for the header columns.
 */
export const MM = 72 / 25.4;

export const PAGE = {
  width: 595.28,
  height: 841.89,
  top: 20 * MM,
  bottom: 20 * MM,
  left: 30 * MM,
  right: 15 * MM,
};
export const CONTENT_WIDTH = PAGE.width - PAGE.left - PAGE.right;

export const SIZE = {
  body: 14,
  header: 13,
  formLabel: 11,
  recipientsLabel: 13,
  recipients: 12,
  footer: 8,
  /** Table cells: 12 pt keeps a per-school table of eight columns readable on A4 portrait. */
  table: 12,
};

/** Space between a table cell's rule and its text, left and right. */
export const CELL_PADDING = 4;

/** Header columns: the issuing body's 75 mm on the left, the motto's on the right. */
export const HEADER_LEFT = 75 * MM;
/** Closing columns: "Nơi nhận" on the left, the signature on the right. */
export const CLOSING_LEFT = 80 * MM;
/** First-line indent of body paragraphs (1.27 cm). */
export const INDENT = 12.7 * MM;
/** The QR code's side (22 mm): large enough for a phone at arm's length. */
export const QR_SIDE = 22 * MM;
/** Room left blank above the signer's name for the signature and seal. */
export const SIGNATURE_SPACE = 25 * MM;

/** Options every renderer takes. */
export interface RenderOptions {
  /** A QR code linking to this URL (the /verify page): drawn under "Nơi nhận". */
  qr?: { url: string };
  /** One small line at the foot of every page (the verify URL and content hash). */
  footer?: string;
  /** The PDF's creation date (pins the bytes: the same input renders the same file). */
  createdAt?: Date;
}

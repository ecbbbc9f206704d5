/**
 * QR codes for the /verify link: the module matrix for the PDF (drawn as vector squares,
 * sharp at any zoom) and a PNG for Word, both from the `qrcode` package.
 */
import QRCode from 'qrcode';

/** The dark modules of the code, row by row, with a quiet zone of `margin` modules counted in `size`. */
export function qrMatrix(url: string): { size: number; dark: (row: number, col: number) => boolean } {
  const code = QRCode.create(url, { errorCorrectionLevel: 'M' });
  const { size, data } = code.modules;
  return { size, dark: (row, col) => data[row * size + col] === 1 };
}

export function qrPng(url: string): Promise<Buffer> {
  return QRCode.toBuffer(url, { type: 'png', errorCorrectionLevel: 'M', margin: 1, scale: 6 });
}

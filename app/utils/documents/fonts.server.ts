/**
 * Tinos, the Times New Roman–metric font, from the npm registry (`@fontsource/tinos`).
 * Fontsource ships each script as its own subset file (latin, latin-ext, vietnamese), so
 * one Vietnamese word needs glyphs from two files ("Nguyễn": latin + vietnamese). The
 * PDF writer therefore registers every subset and picks, for each character, the first
 * subset whose published unicode-range (the package's unicode.json) holds it.
 */
import { create, type Font } from 'fontkit';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { inflateSync } from 'node:zlib';

export const SUBSETS = ['latin', 'vietnamese', 'latin-ext'] as const;
export type Subset = (typeof SUBSETS)[number];
export type FontStyle = { bold: boolean; italic: boolean };

const dir = path.dirname(createRequire(import.meta.url).resolve('@fontsource/tinos/package.json'));

function parseRanges(spec: string): [number, number][] {
  return spec.split(',').map((part) => {
    const [from, to] = part.trim().replace(/^U\+/i, '').split('-');
    const a = parseInt(from, 16);
    return [a, to ? parseInt(to, 16) : a];
  });
}

let ranges: Record<Subset, [number, number][]> | null = null;
function subsetRanges(): Record<Subset, [number, number][]> {
  if (!ranges) {
    const table = JSON.parse(readFileSync(path.join(dir, 'unicode.json'), 'utf8')) as Record<string, string>;
    ranges = Object.fromEntries(SUBSETS.map((s) => [s, parseRanges(table[s])])) as Record<
      Subset,
      [number, number][]
    >;
  }
  return ranges;
}

/** The subset holding a code point, or null when Tinos' Latin/Vietnamese files do not. */
export function subsetOf(codePoint: number): Subset | null {
  const table = subsetRanges();
  for (const s of SUBSETS) if (table[s].some(([a, b]) => codePoint >= a && codePoint <= b)) return s;
  return null;
}

export const fontName = (subset: Subset, style: FontStyle) =>
  `Tinos-${subset}-${style.bold ? 700 : 400}-${style.italic ? 'italic' : 'normal'}`;

/**
 * WOFF 1.0 to the plain TrueType (sfnt) it wraps: the table directory rewritten and each
 * table inflated. Done once per file: each document then parses the flat bytes cheaply.
 */
export function woffToSfnt(woff: Buffer): Buffer {
  if (woff.readUInt32BE(0) !== 0x774f4646) throw new Error('not a WOFF file');
  const numTables = woff.readUInt16BE(12);
  const tables = Array.from({ length: numTables }, (_, i) => {
    const at = 44 + i * 20;
    const offset = woff.readUInt32BE(at + 4);
    const compLength = woff.readUInt32BE(at + 8);
    const origLength = woff.readUInt32BE(at + 12);
    const raw = woff.subarray(offset, offset + compLength);
    return {
      tag: woff.readUInt32BE(at),
      checksum: woff.readUInt32BE(at + 16),
      data: compLength < origLength ? inflateSync(raw) : raw,
    };
  });
  const pow2 = 2 ** Math.floor(Math.log2(numTables));
  const head = Buffer.alloc(12 + numTables * 16);
  head.writeUInt32BE(woff.readUInt32BE(4), 0);
  head.writeUInt16BE(numTables, 4);
  head.writeUInt16BE(pow2 * 16, 6);
  head.writeUInt16BE(Math.log2(pow2), 8);
  head.writeUInt16BE(numTables * 16 - pow2 * 16, 10);
  const body: Buffer[] = [];
  let offset = head.length;
  tables.forEach((t, i) => {
    head.writeUInt32BE(t.tag, 12 + i * 16);
    head.writeUInt32BE(t.checksum, 16 + i * 16);
    head.writeUInt32BE(offset, 20 + i * 16);
    head.writeUInt32BE(t.data.length, 24 + i * 16);
    const padded = Buffer.alloc((t.data.length + 3) & ~3);
    t.data.copy(padded);
    body.push(padded);
    offset += padded.length;
  });
  return Buffer.concat([head, ...body]);
}

const files = new Map<string, Buffer>();
/**
 * The font's TrueType bytes, decoded once per process. Each document parses its own font
 * object from them: fontkit caches glyphs on the font object with the characters of their
 * first use, and a subset that pulls "Y" in as a component of "Ý" caches it with none, so
 * a font object shared between documents loses letters from the next document's text layer.
 */
export function fontFile(subset: Subset, style: FontStyle): Buffer {
  const name = fontName(subset, style);
  let bytes = files.get(name);
  if (!bytes) {
    const file = `tinos-${subset}-${style.bold ? 700 : 400}-${style.italic ? 'italic' : 'normal'}.woff`;
    bytes = woffToSfnt(readFileSync(path.join(dir, 'files', file)));
    files.set(name, bytes);
  }
  return bytes;
}

/** A parsed font for checks (which code points it holds); rendering parses its own. */
export function fontObject(subset: Subset, style: FontStyle): Font {
  return create(fontFile(subset, style));
}

export const ALL_STYLES: FontStyle[] = [
  { bold: false, italic: false },
  { bold: true, italic: false },
  { bold: false, italic: true },
  { bold: true, italic: true },
];

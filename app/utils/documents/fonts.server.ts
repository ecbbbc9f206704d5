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

const fonts = new Map<string, Font>();
/**
 * The parsed font, one per process: fontkit inflates a WOFF table the first time a
 * document needs it and keeps it on the font object, so sharing the object across
 * documents saves ~25 ms per font and document (each document still embeds its own
 * subset). WOFF, not WOFF2: fontkit's WOFF2 path fails to subset Tinos' composite glyphs.
 */
export function fontObject(subset: Subset, style: FontStyle): Font {
  const name = fontName(subset, style);
  let font = fonts.get(name);
  if (!font) {
    const file = `tinos-${subset}-${style.bold ? 700 : 400}-${style.italic ? 'italic' : 'normal'}.woff`;
    font = create(readFileSync(path.join(dir, 'files', file)));
    fonts.set(name, font);
  }
  return font;
}

export const ALL_STYLES: FontStyle[] = [
  { bold: false, italic: false },
  { bold: true, italic: false },
  { bold: false, italic: true },
  { bold: true, italic: true },
];

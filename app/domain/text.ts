/**
 * Vietnamese text helpers shared by the browser, the server and the seed.
 * Pure: no I/O, no locale data beyond `Intl.Collator`.
 *
 * Why a hand-made sort key: MongoDB (and our embedded server) compares strings
 * byte by byte, and the app must not depend on collation support in the
 * database. `nameSortKey` therefore encodes a name into plain ASCII whose byte
 * order equals Vietnamese alphabetical order (the order `Intl.Collator('vi')`
 * gives for one word), so an ordinary index on it sorts lists the way schools
 * print them: given name, then family name, then middle name.
 */

// Combining marks, as they appear after NFD normalisation.
const GRAVE = '\u0300'; // huyền
const ACUTE = '\u0301'; // sắc
const CIRCUMFLEX = '\u0302'; // â ê ô
const TILDE = '\u0303'; // ngã
const BREVE = '\u0306'; // ă
const HOOK = '\u0309'; // hỏi
const HORN = '\u031B'; // ơ ư
const DOT_BELOW = '\u0323'; // nặng

/**
 * Tone ranks in dictionary order: none, huyền, hỏi, ngã, sắc, nặng.
 * U+0340/U+0341 are deprecated aliases of grave/acute that some old fonts emit.
 */
const TONE_RANK: Record<string, number> = {
  [GRAVE]: 1,
  '\u0340': 1,
  [HOOK]: 2,
  [TILDE]: 3,
  [ACUTE]: 4,
  '\u0341': 4,
  [DOT_BELOW]: 5,
};

/** Diacritic-free, lowercase, whitespace-collapsed key for searching names. */
export function searchKey(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[đĐ\u00D0\u00F0]/g, 'd')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

/** Search key stored on a member: name key plus student code, so one prefix search finds either. */
export function memberSearchKey(fullName: string, studentCode: string): string {
  return `${searchKey(fullName)} ${searchKey(studentCode)}`.trim();
}

const collator = new Intl.Collator('vi');

/** Locale-aware comparison for in-memory sorting (tables, selects, exports). */
export function compareVietnamese(a: string, b: string): number {
  return collator.compare(a.normalize('NFC'), b.normalize('NFC'));
}

export interface VietnameseName {
  familyName: string;
  middleName: string;
  givenName: string;
}

/**
 * Vietnamese names are written family, middle…, given. One word is treated as a
 * given name only, since that is what the list order uses.
 */
export function splitVietnameseName(fullName: string): VietnameseName {
  const words = fullName.normalize('NFC').trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return { familyName: '', middleName: '', givenName: '' };
  if (words.length === 1) return { familyName: '', middleName: '', givenName: words[0] };
  return {
    familyName: words[0],
    middleName: words.slice(1, -1).join(' '),
    givenName: words[words.length - 1],
  };
}

/**
 * Primary code of a base letter plus its vowel/đ modifier: two ASCII bytes,
 * Latin letter then a variant digit, so a0 < ă=a1 < â=a2 < b0 and d0 < đ=d1 < e0.
 * Letters outside the Vietnamese alphabet (f, j, w, z) fall in Latin order,
 * as the collator puts them.
 */
function letterCode(base: string, marks: string): string | null {
  if (base === 'đ' || base === '\u00f0') return 'd1';
  if (!/^[a-z]$/.test(base)) return null;
  let variant = 0;
  if (base === 'a') variant = marks.includes(BREVE) ? 1 : marks.includes(CIRCUMFLEX) ? 2 : 0;
  else if (base === 'e') variant = marks.includes(CIRCUMFLEX) ? 1 : 0;
  else if (base === 'o') variant = marks.includes(CIRCUMFLEX) ? 1 : marks.includes(HORN) ? 2 : 0;
  else if (base === 'u') variant = marks.includes(HORN) ? 1 : 0;
  return base + String(variant);
}

/**
 * Key of one name part (one or more words). Layout: primary letters of every
 * word joined by '_', then ' ' as terminator, then one tone digit per word.
 * - ' ' (0x20) < '_' (0x5F) < 'a'..'z', so a shorter name sorts before a longer
 *   one that extends it ("An" < "Anh", "Thị" < "Thị Ngọc"), as in the collator.
 * - Tones compare only when the letters are equal: that is the secondary
 *   level of Vietnamese collation ("bà" < "bác" although "á" > "à").
 * Characters that are neither letters nor spaces (hyphen, apostrophe, digits)
 * are ignored: they carry no order in a person's name.
 */
function partKey(part: string): string {
  const words = part.normalize('NFD').toLowerCase().split(/\s+/).filter(Boolean);
  const primaries: string[] = [];
  let tones = '';
  for (const word of words) {
    let primary = '';
    let tone = 0;
    const chars = Array.from(word);
    for (let i = 0; i < chars.length; i++) {
      const base = chars[i];
      let marks = '';
      while (i + 1 < chars.length && /[\u0300-\u036f]/.test(chars[i + 1])) marks += chars[++i];
      for (const mark of marks) if (TONE_RANK[mark] && !tone) tone = TONE_RANK[mark];
      const code = letterCode(base, marks);
      if (code) primary += code;
    }
    if (primary) {
      primaries.push(primary);
      tones += String(tone);
    }
  }
  return primaries.join('_') + ' ' + tones;
}

/**
 * ASCII key whose byte order is the order Vietnamese class lists use:
 * given name, then family name, then middle name. `|` (0x7C) separates the
 * parts; it is only reached when the previous parts are equal, and then the
 * tone digits before it have the same length, so it never decides the order.
 */
export function nameSortKey(fullName: string): string {
  const { familyName, middleName, givenName } = splitVietnameseName(fullName);
  return [partKey(givenName), partKey(familyName), partKey(middleName)].join('|');
}

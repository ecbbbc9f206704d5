import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compareVietnamese, nameSortKey, searchKey, splitVietnameseName } from '../../app/domain/text.ts';

const byteCompare = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
const sortByKey = (names: string[]) => [...names].sort((a, b) => byteCompare(nameSortKey(a), nameSortKey(b)));

describe('searchKey', () => {
  it('strips diacritics and lowercases', () => {
    expect(searchKey('Nguyễn Thị Ánh')).toBe('nguyen thi anh');
    expect(searchKey('ĐẶNG Đức Đạt')).toBe('dang duc dat');
    expect(searchKey('Ðỗ')).toBe('do'); // Icelandic eth, a common typo for Đ
  });
  it('is insensitive to composed or decomposed input', () => {
    const nfc = 'Nguyễn Thị Ánh'.normalize('NFC');
    const nfd = nfc.normalize('NFD');
    expect(nfc).not.toBe(nfd);
    expect(searchKey(nfd)).toBe(searchKey(nfc));
  });
  it('collapses and trims whitespace', () => {
    expect(searchKey('  Lê \t Văn\n\nTám  ')).toBe('le van tam');
  });
  it('keeps the empty string empty', () => {
    expect(searchKey('   ')).toBe('');
  });
});

describe('compareVietnamese', () => {
  it('orders Vietnamese letters', () => {
    expect(['Đ', 'E', 'D'].sort(compareVietnamese)).toEqual(['D', 'Đ', 'E']);
    expect(['Ân', 'Ăn', 'An'].sort(compareVietnamese)).toEqual(['An', 'Ăn', 'Ân']);
  });
  it('treats NFC and NFD alike', () => {
    expect(compareVietnamese('Ánh'.normalize('NFD'), 'Ánh')).toBe(0);
  });
});

describe('splitVietnameseName', () => {
  it('splits family, middle and given names', () => {
    expect(splitVietnameseName('Nguyễn Thị Ngọc Ánh')).toEqual({
      familyName: 'Nguyễn',
      middleName: 'Thị Ngọc',
      givenName: 'Ánh',
    });
  });
  it('handles two words, one word and extra spaces', () => {
    expect(splitVietnameseName(' Lê   Na ')).toEqual({ familyName: 'Lê', middleName: '', givenName: 'Na' });
    expect(splitVietnameseName('Y')).toEqual({ familyName: '', middleName: '', givenName: 'Y' });
    expect(splitVietnameseName('')).toEqual({ familyName: '', middleName: '', givenName: '' });
  });
  it('returns NFC parts for NFD input', () => {
    expect(splitVietnameseName('Trần Thị Bình'.normalize('NFD')).givenName).toBe('Bình'.normalize('NFC'));
  });
});

describe('nameSortKey', () => {
  it('is plain ASCII', () => {
    expect(nameSortKey('Nguyễn Thị Ánh')).toMatch(/^[\x20-\x7e]*$/);
  });
  it('sorts by given name first', () => {
    expect(sortByKey(['Trần Thị Bình', 'Nguyễn Văn An'])).toEqual(['Nguyễn Văn An', 'Trần Thị Bình']);
    expect(sortByKey(['Lê Văn Bình', 'Trần An'])).toEqual(['Trần An', 'Lê Văn Bình']);
  });
  it('then by family name, then by middle name', () => {
    expect(sortByKey(['Trần Văn An', 'Nguyễn Văn An', 'Nguyễn Thị An', 'Nguyễn An'])).toEqual([
      'Nguyễn An',
      'Nguyễn Thị An',
      'Nguyễn Văn An',
      'Trần Văn An',
    ]);
  });
  it('puts Đ after D and before E, Ă/Â after A', () => {
    expect(sortByKey(['A Em', 'A Đông', 'A Dũng'])).toEqual(['A Dũng', 'A Đông', 'A Em']);
    expect(sortByKey(['A Ân', 'A Ăn', 'A An', 'A Bảo'])).toEqual(['A An', 'A Ăn', 'A Ân', 'A Bảo']);
    expect(sortByKey(['A Ơn', 'A Ôn', 'A On', 'A Ưng', 'A Ung'])).toEqual([
      'A On',
      'A Ôn',
      'A Ơn',
      'A Ung',
      'A Ưng',
    ]);
  });
  it('orders tones none, huyền, hỏi, ngã, sắc, nặng', () => {
    const names = ['X Mạ', 'X Má', 'X Mã', 'X Mả', 'X Mà', 'X Ma'];
    expect(sortByKey(names)).toEqual(['X Ma', 'X Mà', 'X Mả', 'X Mã', 'X Má', 'X Mạ']);
  });
  it('compares letters before tones, and shorter names first', () => {
    expect(sortByKey(['X Bác', 'X Bà', 'X Bạc', 'X Ba'])).toEqual(['X Ba', 'X Bà', 'X Bác', 'X Bạc']);
    expect(sortByKey(['X Anh', 'X An'])).toEqual(['X An', 'X Anh']);
    expect(sortByKey(['Lê Thị Ngọc Hà', 'Lê Thị Hà'])).toEqual(['Lê Thị Hà', 'Lê Thị Ngọc Hà']);
  });
  it('gives the same key for composed and decomposed input, any case', () => {
    const name = 'Huỳnh Thị Ngọc Ánh';
    expect(nameSortKey(name.normalize('NFD'))).toBe(nameSortKey(name.normalize('NFC')));
    expect(nameSortKey(name.toUpperCase())).toBe(nameSortKey(name));
    expect(nameSortKey('  Huỳnh  Thị Ngọc   Ánh ')).toBe(nameSortKey(name));
  });
  it('agrees with Intl.Collator("vi") on single Vietnamese words', () => {
    const initials = [
      '',
      'b',
      'c',
      'ch',
      'd',
      'đ',
      'g',
      'gi',
      'h',
      'kh',
      'l',
      'm',
      'n',
      'ng',
      'nh',
      'ph',
      'qu',
      'r',
      's',
      't',
      'th',
      'tr',
      'v',
      'x',
    ];
    const vowels = ['a', 'ă', 'â', 'e', 'ê', 'i', 'o', 'ô', 'ơ', 'u', 'ư', 'y', 'oa', 'uy', 'ươ', 'iê', 'uô'];
    const finals = ['', 'c', 'ch', 'm', 'n', 'ng', 'nh', 'p', 't', 'i', 'o', 'u'];
    const toneMarks = ['', '\u0300', '\u0309', '\u0303', '\u0301', '\u0323'];
    const syllable = fc
      .tuple(
        fc.constantFrom(...initials),
        fc.constantFrom(...vowels),
        fc.constantFrom(...finals),
        fc.constantFrom(...toneMarks),
        fc.boolean(),
      )
      .map(([i, v, f, t, nfd]) => {
        // Tone goes on the last vowel letter; placement does not change the order.
        const chars = Array.from(v);
        chars[chars.length - 1] = (chars[chars.length - 1] + t).normalize('NFC');
        const word = i + chars.join('') + f;
        return nfd ? word.normalize('NFD') : word.normalize('NFC');
      });
    fc.assert(
      fc.property(syllable, syllable, (a, b) => {
        const expected = Math.sign(compareVietnamese(a, b));
        const actual = Math.sign(byteCompare(nameSortKey(a), nameSortKey(b)));
        return expected === actual;
      }),
      { numRuns: 3000 },
    );
  });
});

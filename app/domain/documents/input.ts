/**
 * What a form builder reads: the candidate, their pipeline record, and the issuing
 * bodies of the school (names, symbols, signers). The bodies are settings, not derived
 * text, because a school adjusts its own header wording and signers (issue 20):
 * `defaultBodies` makes a first version from the unit tree's names, and the unit
 * settings (a later step) override any field of it.
 */
import type { DateLike } from '../calendar.ts';
import type { PipelineRecord } from '../pipeline/types.ts';
import type { Gender } from '../member-vocabulary.ts';

export interface DocumentCandidate {
  id: string;
  fullName: string;
  dateOfBirth?: DateLike | null;
  gender?: Gender | null;
  /** The chi đoàn (class branch) the candidate belongs to, as printed ("Chi đoàn lớp K45 Kinh tế"). */
  branchName?: string | null;
  pipeline?: PipelineRecord | null;
}

/** One issuing body of the school, as its documents print it. */
export interface IssuingBody {
  /** Header line above the body, regular capitals ("ĐẢNG BỘ TỈNH QUẢNG NGÃI"). */
  superior: string;
  /** Header name, capitals ("ĐẢNG ỦY TRƯỜNG ĐẠI HỌC PHẠM VĂN ĐỒNG"). */
  heading: string;
  /** The body as the text names it ("Đảng ủy Trường Đại học Phạm Văn Đồng"). */
  name: string;
  /** The symbol after the slash in numbers ("ĐU", "CB", "ĐTN"). */
  symbol: string;
  /** Signature authority line ("T/M ĐẢNG ỦY"). */
  authority: string;
  /** Signer's position ("BÍ THƯ"). */
  position: string;
  /** Signer's name; null leaves the line for a hand-written name. */
  signer: string | null;
}

export interface DocumentBodies {
  /** The school Union executive (issues 4-KNĐ). */
  union: IssuingBody;
  /** The candidate's chi bộ (6-KNĐ, 13-KNĐ); its name comes from the cell that voted. */
  cell: IssuingBody;
  /** The partial committee (7-KNĐ), where the school has one. */
  partial: IssuingBody;
  /** The grassroots Party committee (8-KNĐ). */
  committee: IssuingBody;
  /** The committee that decides admission and official membership (9-KNĐ, 15-KNĐ). */
  deciding: IssuingBody;
}

export interface DocumentInput {
  candidate: DocumentCandidate;
  bodies: DocumentBodies;
  /** The place in the date line ("Quảng Ngãi"). */
  place: string;
}

/** Capitals as headers print them, Vietnamese-aware (NFC). */
export const upper = (s: string) => s.normalize('NFC').toLocaleUpperCase('vi');

/**
 * First settings from the unit tree: province, school and chi bộ names. A school whose
 * committee may itself admit (được ủy quyền) or whose deciding body has another name
 * edits `deciding`.
 */
export function defaultBodies(units: {
  province: string;
  school: string;
  cell: string | null;
}): DocumentBodies {
  const province = units.province.normalize('NFC').trim();
  const school = units.school.normalize('NFC').trim();
  const cell = (units.cell ?? 'Chi bộ ……………………').normalize('NFC').trim();
  const partyProvince = `ĐẢNG BỘ ${upper(province)}`;
  const committee = `Đảng ủy ${school}`;
  return {
    union: {
      superior: `BCH ĐOÀN ${upper(province)}`,
      heading: `BCH ĐOÀN ${upper(school)}`,
      name: `Ban Chấp hành Đoàn ${school}`,
      symbol: 'ĐTN',
      authority: 'TM. BAN CHẤP HÀNH',
      position: 'BÍ THƯ',
      signer: null,
    },
    cell: {
      superior: upper(committee),
      heading: upper(cell),
      name: cell,
      symbol: 'CB',
      authority: 'T/M CHI BỘ',
      position: 'BÍ THƯ',
      signer: null,
    },
    partial: {
      superior: upper(committee),
      heading: 'ĐẢNG ỦY BỘ PHẬN ……………',
      name: 'Đảng ủy bộ phận ……………',
      symbol: 'ĐUBP',
      authority: 'T/M ĐẢNG ỦY',
      position: 'BÍ THƯ',
      signer: null,
    },
    committee: {
      superior: partyProvince,
      heading: upper(committee),
      name: committee,
      symbol: 'ĐU',
      authority: 'T/M ĐẢNG ỦY',
      position: 'BÍ THƯ',
      signer: null,
    },
    deciding: {
      superior: partyProvince,
      heading: upper(committee),
      name: `Ban Thường vụ ${committee}`,
      symbol: 'ĐU',
      authority: 'T/M BAN THƯỜNG VỤ',
      position: 'BÍ THƯ',
      signer: null,
    },
  };
}

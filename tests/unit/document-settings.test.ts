/** A school's document settings over the defaults (app/domain/documents/settings.ts). */
import { describe, expect, it } from 'vitest';
import {
  applyDocumentSettings,
  defaultBodies,
  documentSettingsSchema,
  editableBodies,
} from '~/domain/documents';

const defaults = defaultBodies({
  province: 'tỉnh Quảng Ngãi',
  school: 'Trường Cao đẳng Y tế',
  cell: 'Chi bộ Khoa Dược',
});

describe('applyDocumentSettings', () => {
  it('replaces the fields set, keeps the others, and NFC-normalises', () => {
    const decomposed = 'Nguyê\u0303n Văn A'; // ễ as e + circumflex + tilde
    const bodies = applyDocumentSettings(defaults, {
      committee: { position: 'PHÓ BÍ THƯ', signer: decomposed },
    });
    expect(bodies.committee.position).toBe('PHÓ BÍ THƯ');
    expect(bodies.committee.signer).toBe('Nguyễn Văn A');
    expect(bodies.committee.heading).toBe(defaults.committee.heading);
    expect(bodies.deciding).toEqual(defaults.deciding);
  });
  it("never takes the chi bộ's name, heading or signer from the school", () => {
    const bodies = applyDocumentSettings(defaults, {
      cell: { name: 'Chi bộ khác', heading: 'CHI BỘ KHÁC', signer: 'X', symbol: 'CB1' },
    });
    expect(bodies.cell.name).toBe('Chi bộ Khoa Dược');
    expect(bodies.cell.signer).toBeNull();
    expect(bodies.cell.symbol).toBe('CB1');
  });
  it('a blank signer is a line for a hand-written name; nothing stored is the defaults', () => {
    expect(applyDocumentSettings(defaults, { union: { signer: null } }).union.signer).toBeNull();
    expect(applyDocumentSettings(defaults, null)).toEqual(defaults);
  });
});

describe('who edits which body', () => {
  it('follows the roles: admin all, Party its bodies, Union its executive, others none', () => {
    expect(editableBodies('admin')).toHaveLength(5);
    expect(editableBodies('school_party')).toEqual(['cell', 'partial', 'committee', 'deciding']);
    expect(editableBodies('school_union')).toEqual(['union']);
    expect(editableBodies('province_union')).toEqual([]);
    expect(editableBodies('student')).toEqual([]);
  });
  it('checks only the bodies given', () => {
    const schema = documentSettingsSchema(['union']);
    const ok = schema.safeParse({
      union: {
        superior: 'BCH ĐOÀN TỈNH',
        heading: 'BCH ĐOÀN TRƯỜNG',
        name: 'Ban Chấp hành',
        symbol: 'ĐTN',
        authority: 'TM. BCH',
        position: 'BÍ THƯ',
        signer: '',
      },
      committee: { symbol: 'bad' },
    });
    expect(ok.success).toBe(true);
    expect(ok.data).toEqual({ union: expect.objectContaining({ signer: null }) });
  });
});

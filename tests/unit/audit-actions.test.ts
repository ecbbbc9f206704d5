import { ObjectId } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { AUDIT_ACTIONS, displayValue, summarizeDetails, summaryText } from '~/domain/audit-actions';
import { en } from '~/i18n/en';
import { vi } from '~/i18n/vi';

describe('audit action labels', () => {
  it('has a Vietnamese and an English label for every known action', () => {
    for (const a of AUDIT_ACTIONS) {
      expect(vi, a).toHaveProperty([`audit.action.${a}`]);
      expect(en, a).toHaveProperty([`audit.action.${a}`]);
    }
    expect(new Set(AUDIT_ACTIONS).size).toBe(AUDIT_ACTIONS.length);
  });
});

describe('summarizeDetails', () => {
  it('lists changed fields before → after and leaves equal ones out', () => {
    const s = summarizeDetails({
      fields: ['phone', 'email'],
      before: { phone: '0901', email: 'a@x.vn', same: 1 },
      after: { phone: '0902', email: null, same: 1 },
      version: 4,
    });
    expect(s.changes).toEqual([
      { field: 'phone', before: '0901', after: '0902' },
      { field: 'email', before: 'a@x.vn', after: '—' },
    ]);
    expect(s.other).toEqual(['fields: phone, email', 'version: 4']);
    expect(summaryText(s, 'Lý do')).toBe(
      'phone: 0901 → 0902; email: a@x.vn → —; fields: phone, email; version: 4',
    );
  });

  it('shows a whole added or removed record on one line, and stage moves and reasons', () => {
    const added = summarizeDetails({
      after: { title: 'Sinh viên 5 tốt', date: new Date('2025-05-01T00:00:00Z') },
    });
    expect(added.changes).toEqual([
      { field: '', before: '—', after: 'title: Sinh viên 5 tốt; date: 2025-05-01' },
    ]);
    const moved = summarizeDetails({ from: 'dossier', to: 'introduced', reason: 'Thiếu lý lịch' });
    expect(moved.changes).toEqual([{ field: 'stage', before: 'dossier', after: 'introduced' }]);
    expect(moved.reason).toBe('Thiếu lý lịch');
    expect(summaryText(moved, 'Reason')).toBe('stage: dossier → introduced; Reason: Thiếu lý lịch');
  });

  it('copes with missing or odd details', () => {
    expect(summarizeDetails(null)).toEqual({ changes: [], reason: null, other: [] });
    expect(summarizeDetails('x')).toEqual({ changes: [], reason: null, other: [] });
    expect(displayValue(new ObjectId('65a000000000000000000001'))).toBe('65a000000000000000000001');
    expect(displayValue('x'.repeat(500)).length).toBe(120);
  });
});

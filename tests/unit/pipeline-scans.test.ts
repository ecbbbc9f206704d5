/** Signed scans (app/domain/pipeline/scans.ts): type from content, which step a form needs, what the dossier counts. */
import { describe, expect, it } from 'vitest';
import { derivedDossierDays, dossierDay, applicationDay } from '~/domain/pipeline/dossier';
import { scanAllowed, scanDay, scannableForms, sniffScanType } from '~/domain/pipeline/scans';
import { dayNumber } from '~/domain/calendar';
import type { PipelineRecord } from '~/domain/pipeline/types';

const at = (iso: string) => new Date(`${iso}T03:00:00Z`);

describe('sniffScanType', () => {
  it('reads PDF and JPEG from their first bytes and nothing else', () => {
    expect(sniffScanType(new Uint8Array([0x25, 0x50, 0x44, 0x46, 0x2d, 0x31]))).toBe('application/pdf');
    expect(sniffScanType(new Uint8Array([0xff, 0xd8, 0xff, 0xe1]))).toBe('image/jpeg');
    expect(sniffScanType(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBeNull();
    expect(sniffScanType(new Uint8Array([0x25, 0x50]))).toBeNull();
    expect(sniffScanType(new TextEncoder().encode('<html>%PDF-'))).toBeNull();
  });
});

describe('scanAllowed', () => {
  const p: PipelineRecord = {
    stage: 'introduced',
    history: [
      { stage: 'dossier', at: at('2026-03-01') },
      { stage: 'introduced', at: at('2026-04-01') },
    ],
  };
  it('allows the forms of recorded steps only', () => {
    expect(scanAllowed(p, '1-KNĐ')).toBe(true);
    expect(scanAllowed(p, '4-KNĐ')).toBe(true);
    expect(scanAllowed(p, '6-KNĐ')).toBe(false);
    expect(scanAllowed(p, '14-KNĐ')).toBe(false);
    expect(scanAllowed(null, '1-KNĐ')).toBe(false);
    expect(scannableForms(p)).toEqual(['1-KNĐ', '2-KNĐ', '3-KNĐ', '4-KNĐ', '5-KNĐ']);
  });
  it('keeps a step recorded before a return', () => {
    const returned = {
      ...p,
      stage: 'returned',
      history: [...p.history!, { stage: 'returned', at: at('2026-05-01') }],
    };
    expect(scanAllowed(returned, '3-KNĐ')).toBe(true);
  });
});

describe('a scanned form in the dossier', () => {
  const base: PipelineRecord = {
    stage: 'official',
    history: [{ stage: 'official', at: at('2027-06-01') }],
    scans: [
      { form: '13-KNĐ', at: at('2027-06-10') },
      { form: '13-KNĐ', at: at('2027-06-05') },
      { form: '1-KNĐ', at: at('2027-06-07') },
    ],
    application: { receivedAt: at('2026-02-01') },
  };
  it('counts as received on the day of its first scan where nothing else dates it', () => {
    expect(scanDay(base, '13-KNĐ')).toBe(dayNumber(at('2027-06-05')));
    expect(derivedDossierDays(base)['13-KNĐ'].receivedAt).toBe(dayNumber(at('2027-06-05')));
    expect(dossierDay(base, '13-KNĐ', 'receivedAt')).toBe(dayNumber(at('2027-06-05')));
    // Received only: a scan verifies nothing.
    expect(dossierDay(base, '13-KNĐ', 'verifiedAt')).toBeNaN();
  });
  it('never moves a date a recorded step or the checklist gives', () => {
    expect(applicationDay(base)).toBe(dayNumber(at('2026-02-01')));
    const stored = { ...base, dossier: [{ form: '13-KNĐ', receivedAt: at('2027-06-02') }] };
    expect(dossierDay(stored, '13-KNĐ', 'receivedAt')).toBe(dayNumber(at('2027-06-02')));
  });
  it('counts for nothing without a scan', () => {
    expect(dossierDay({ ...base, scans: [] }, '13-KNĐ', 'receivedAt')).toBeNaN();
  });
});

import { describe, expect, it } from 'vitest';
import { dayNumber } from '../../app/domain/calendar.ts';
import { countOn, registerEntrySchema, registerOf } from '../../app/domain/party-register.ts';

const d = (s: string) => new Date(`${s}T00:00:00Z`);

describe('countOn: the count in force on a day', () => {
  const register = [
    { count: 12, from: d('2024-01-10') },
    { count: 16, from: d('2025-09-01') },
    { count: 15, from: d('2026-02-03') },
  ];

  it('is the last entry from on or before the day, the first day included', () => {
    expect(countOn(register, '2024-01-09')).toBeNull();
    expect(countOn(register, '2024-01-10')).toBe(12);
    expect(countOn(register, '2025-08-31')).toBe(12);
    expect(countOn(register, '2025-09-01')).toBe(16);
    expect(countOn(register, '2026-02-02')).toBe(16);
    expect(countOn(register, '2026-12-31')).toBe(15);
    expect(countOn(register, dayNumber('2025-09-01'))).toBe(16);
  });

  it('takes a later entry for the same first day as a correction, whatever order the days come in', () => {
    expect(countOn([...register, { count: 17, from: d('2025-09-01') }], '2025-10-01')).toBe(17);
    expect(countOn([register[2], register[0], register[1]], '2025-10-01')).toBe(16);
  });

  it('reads an instant as its day in Vietnam (a meeting at 06:30 in Hà Nội is that day)', () => {
    expect(countOn(register, new Date('2025-08-31T23:30:00Z'))).toBe(16);
    expect(countOn(register, 'not a day')).toBeNull();
  });
});

describe('registerOf', () => {
  it('keeps the dated entries, or takes the single count of a cell from before the register as always in force', () => {
    expect(
      registerOf({ officialMembers: [{ count: 9, from: d('2025-01-01') }], officialMemberCount: 40 }),
    ).toEqual([{ count: 9, from: d('2025-01-01') }]);
    const legacy = registerOf({ officialMemberCount: 21 });
    expect(countOn(legacy, '1990-01-01')).toBe(21);
    expect(registerOf({})).toEqual([]);
  });
});

describe('the form that records a count', () => {
  const schema = registerEntrySchema(dayNumber('2026-03-10'));
  it('takes a whole count from 1, a real day not after today, and a reason', () => {
    expect(schema.parse({ count: ' 16 ', from: '2026-03-10', reason: 'Kết nạp 2 đảng viên' })).toEqual({
      count: 16,
      from: '2026-03-10',
      reason: 'Kết nạp 2 đảng viên',
    });
    const issues = (v: Record<string, string>) =>
      (schema.safeParse(v).error?.issues ?? []).map((i) => `${String(i.path[0])}:${i.message}`);
    expect(issues({ count: '0', from: '2026-03-10', reason: 'x' })).toEqual(['count:register.v.count']);
    expect(issues({ count: '2.5', from: '2026-02-30', reason: '' })).toEqual([
      'count:register.v.count',
      'from:register.v.from',
      'reason:register.v.reason',
    ]);
    expect(issues({ count: '16', from: '2026-03-11', reason: 'x' })).toEqual(['from:register.v.fromFuture']);
  });
});

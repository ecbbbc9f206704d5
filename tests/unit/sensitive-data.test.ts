import { describe, expect, it } from 'vitest';
import {
  SMALL_GROUP_UNDER,
  isSensitiveRefusal,
  sensitiveFiltersIn,
  sensitiveListRefusal,
} from '~/domain/sensitive-data';
import { SUPPRESS_UNDER } from '~/utils/reports/reports.server';

describe('sensitive filters', () => {
  it('finds ethnicity and religion given with a value, not blank ones or other names', () => {
    expect(sensitiveFiltersIn(new URLSearchParams('ethnicity=Kinh&religion=&q=a'))).toEqual(['ethnicity']);
    expect(sensitiveFiltersIn(new URLSearchParams('religion=%20&religion=Ph%E1%BA%ADt'))).toEqual([
      'religion',
    ]);
    expect(sensitiveFiltersIn(new URLSearchParams('stage=dossier&ethnicity='))).toEqual([]);
  });

  it('refuses a role that may not reveal, whatever the count', () => {
    expect(sensitiveListRefusal(false, ['ethnicity'])).toBe('forbidden');
    expect(sensitiveListRefusal(false, ['religion'], 500)).toBe('forbidden');
    expect(sensitiveListRefusal(false, [], 2)).toBeNull();
  });

  it('refuses 1 to 4 people to the others; 0 and 5 or more are shown', () => {
    expect(SMALL_GROUP_UNDER).toBe(5);
    expect(SUPPRESS_UNDER).toBe(SMALL_GROUP_UNDER);
    expect([0, 1, 4, 5, 900].map((n) => sensitiveListRefusal(true, ['ethnicity'], n))).toEqual([
      null,
      'smallGroup',
      'smallGroup',
      null,
      null,
    ]);
    expect(sensitiveListRefusal(true, [], 1)).toBeNull();
  });

  it('recognises a refusal body', () => {
    expect(isSensitiveRefusal({ refusal: 'smallGroup', message: 'x' })).toBe(true);
    expect(isSensitiveRefusal('Forbidden')).toBe(false);
    expect(isSensitiveRefusal(null)).toBe(false);
  });
});

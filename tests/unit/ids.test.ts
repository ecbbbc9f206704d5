import { describe, expect, it } from 'vitest';
import { isObjectId } from '~/domain/ids';

describe('isObjectId', () => {
  it.each(['65a1b2c3d4e5f60718293a4b', '65A1B2C3D4E5F60718293A4B', '000000000000000000000000'])(
    'accepts 24 hex digits: %s',
    (value) => expect(isObjectId(value)).toBe(true),
  );

  it.each([
    ['23 digits', '65a1b2c3d4e5f60718293a4'],
    ['25 digits', '65a1b2c3d4e5f60718293a4bc'],
    ['a non-hex letter', '65a1b2c3d4e5f60718293a4g'],
    ['padding', ' 65a1b2c3d4e5f60718293a4b'],
    ['empty', ''],
    ['an operator object', { $ne: null }],
    ['a number', 123],
    ['undefined', undefined],
  ])('refuses %s', (_, value) => expect(isObjectId(value)).toBe(false));
});

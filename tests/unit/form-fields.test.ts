/** The shared form fields (app/utils/forms/fields.ts) and a schema built on them. */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  checkbox,
  choice,
  isoDay,
  objectId,
  optionalObjectId,
  optionalText,
  schoolYear,
} from '~/utils/forms/fields';
import { parseForm } from '~/utils/forms/conform';
import { UnitSchema } from '~/utils/forms/unit';

describe('form fields', () => {
  it('isoDay takes a real day and empty, and refuses a day that does not exist', () => {
    expect(isoDay.parse('2024-02-29')).toBe('2024-02-29');
    expect(isoDay.parse('')).toBeUndefined();
    expect(isoDay.safeParse('2005-02-31').error?.issues[0]?.message).toBe('validation.date');
    expect(isoDay.safeParse('31/01/2005').success).toBe(false);
  });

  it('objectId needs 24 hex digits; optionalObjectId also takes empty', () => {
    const id = '0123456789abcdef01234567';
    expect(objectId('validation.unitRequired').parse(` ${id} `)).toBe(id);
    expect(objectId('validation.unitRequired').safeParse('').error?.issues[0]?.message).toBe(
      'validation.unitRequired',
    );
    expect(optionalObjectId().parse('')).toBeUndefined();
    expect(optionalObjectId().safeParse('xyz').error?.issues[0]?.message).toBe('validation.invalidChoice');
  });

  it('optionalText, checkbox and schoolYear', () => {
    expect(optionalText(3).parse('  ')).toBeUndefined();
    expect(optionalText(3).safeParse('abcd').error?.issues[0]?.message).toBe('validation.tooLong');
    expect([checkbox.parse('on'), checkbox.parse(undefined)]).toEqual([true, false]);
    expect(schoolYear.parse('2024-2025')).toBe('2024-2025');
    expect(schoolYear.safeParse('2024-2026').success).toBe(false);
  });
});

describe('UnitSchema dates', () => {
  const unit = {
    name: 'Chi đoàn 12A1',
    code: 'CD12A1',
    kind: 'branch',
    parentId: '0123456789abcdef01234567',
  };

  it('refuses 31 February instead of rolling it over to March', () => {
    const result = UnitSchema.safeParse({ ...unit, validFrom: '2005-02-31' });
    expect(result.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['validFrom', 'validation.date'],
    ]);
  });

  it('takes a real day', () => {
    expect(UnitSchema.parse({ ...unit, validFrom: '2005-02-28' }).validFrom).toBe('2005-02-28');
  });
});

describe('parseForm: the words of a rule that names none', () => {
  const Schema = z.object({ kind: z.enum(['school', 'province']), name: z.string() });
  const errorsOf = (fields: Record<string, string>) =>
    parseForm(new URLSearchParams(fields), Schema).reply().error;

  it('asks for a choice when a list is left on its placeholder line', () => {
    expect(errorsOf({ kind: '', name: 'A' })).toEqual({ kind: ['validation.choose'] });
  });

  it('calls a value outside the list an invalid choice', () => {
    expect(errorsOf({ kind: 'king', name: 'A' })).toEqual({ kind: ['validation.invalidChoice'] });
  });

  it('calls a field left out of the post missing', () => {
    expect(errorsOf({ kind: 'school' })).toEqual({ name: ['validation.required'] });
  });
});

describe('choice: a required list', () => {
  it('asks for a choice when left blank, and calls a tampered value invalid', () => {
    const kind = choice(['a', 'b'] as const);
    expect(kind.safeParse('').error?.issues[0]?.message).toBe('validation.choose');
    expect(kind.safeParse('z').error?.issues[0]?.message).toBe('validation.invalidChoice');
    expect(kind.parse('b')).toBe('b');
  });
});

/**
 * The step forms' shared pieces: the rows of a step read from conform's list names
 * (`introducers[0].name`) and from the dotted names posted so far (`introducers.0.name`),
 * the machine's paths as conform's names, and the browser's messages as catalogue keys.
 */
import { parse } from '@conform-to/react';
import { describe, expect, it } from 'vitest';
import { IntroductionSchema, VoteSchema } from '~/domain/pipeline';
import { parseForm } from '~/utils/forms/conform';
import { stepFieldName, stepIssueMessage } from '~/utils/forms/pipeline-step';

const form = (fields: Record<string, string>) => {
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) fd.set(k, v);
  return fd;
};
const payload = (fields: Record<string, string>) =>
  parse(form(fields), { resolve: (value) => ({ value }) }).payload;

describe('introducer rows', () => {
  it('reads dotted names (an object keyed by row) and list names alike, in row order', () => {
    for (const name of [
      (i: number, f: string) => `introducers.${i}.${f}`,
      (i: number, f: string) => `introducers[${i}].${f}`,
    ]) {
      const parsed = IntroductionSchema.safeParse(
        payload({
          introducedAt: '2026-11-16',
          [name(1, 'name')]: 'Trần Văn Minh',
          [name(1, 'official')]: 'on',
          [name(1, 'monthsTogether')]: '14',
          [name(0, 'name')]: 'Ban Chấp hành Đoàn trường',
          [name(0, 'kind')]: 'union',
        }),
      );
      expect(parsed.success).toBe(true);
      expect(parsed.data?.introducers).toEqual([
        expect.objectContaining({ name: 'Ban Chấp hành Đoàn trường', kind: 'union', official: false }),
        expect.objectContaining({
          name: 'Trần Văn Minh',
          kind: 'party_member',
          official: true,
          monthsTogether: 14,
        }),
      ]);
    }
  });

  it('drops a row left wholly blank, and refuses a form with no row filled in', () => {
    const one = IntroductionSchema.parse(
      payload({
        introducedAt: '2026-11-16',
        'introducers[0].name': 'A',
        'introducers[1].name': ' ',
        'introducers[1].kind': '',
      }),
    );
    expect(one.introducers).toHaveLength(1);
    const none = IntroductionSchema.safeParse(
      payload({ introducedAt: '2026-11-16', 'introducers[0].name': '', 'introducers[0].kind': '' }),
    );
    expect(none.success).toBe(false);
    expect(none.error?.issues.map((i) => i.path.join('.'))).toEqual(['introducers']);
  });
});

describe('the browser check of a step', () => {
  it('names fields as conform does', () => {
    expect(stepFieldName('introducers.1.monthsTogether')).toBe('introducers[1].monthsTogether');
    expect(stepFieldName('meetingDate')).toBe('meetingDate');
  });

  it('gives catalogue keys: a blank field is missing, a count a whole number, a day a real day', () => {
    const result = parseForm(
      form({ meetingDate: '2026-02-30', yes: '', no: '-1', resolutionNo: '' }),
      VoteSchema,
      stepIssueMessage,
    ).reply();
    expect(result.error).toEqual({
      meetingDate: ['validation.date'],
      yes: ['validation.required'],
      no: ['validation.number'],
    });
  });

  it('reports a row by its conform name', () => {
    const result = parseForm(
      form({ introducedAt: '', 'introducers[0].name': 'A', 'introducers[0].monthsTogether': 'x' }),
      IntroductionSchema,
      stepIssueMessage,
    ).reply();
    expect(result.error).toEqual({
      introducedAt: ['validation.required'],
      'introducers[0].monthsTogether': ['validation.number'],
    });
  });
});

/**
 * Every form's fields (app/components/forms.tsx): a required field says so, in its
 * label and to assistive technology, and a required select's empty choice asks the
 * user to choose (issue 18). Rendered to markup as the server sends it.
 */
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it, vi } from 'vitest';
import { createT } from '~/i18n';

vi.mock('~/i18n/use-t', () => ({ useT: () => createT('vi'), useLocale: () => 'vi' }));

const { Field, SelectField } = await import('~/components/forms');

describe('Field', () => {
  it('marks a required input in its label and with aria-required', () => {
    const html = renderToStaticMarkup(
      <Field label="Số không tán thành" inputProps={{ name: 'no', type: 'number', required: true }} />,
    );
    expect(html).toContain(
      'Số không tán thành<span class="required-mark" aria-hidden="true"> (bắt buộc)</span>',
    );
    expect(html).toMatch(/<input[^>]* aria-required="true"[^>]* required=""/);
  });

  it('leaves an optional input unmarked', () => {
    const html = renderToStaticMarkup(<Field label="Ghi chú" inputProps={{ name: 'note' }} />);
    expect(html).not.toContain('bắt buộc');
    expect(html).not.toContain('aria-required');
  });
});

describe('SelectField', () => {
  it('asks to choose in the empty option of a required select, naming the field', () => {
    const html = renderToStaticMarkup(
      <SelectField label="Giới tính" selectProps={{ name: 'gender', required: true, defaultValue: '' }}>
        <option value="">— Chọn —</option>
        <option value="female">Nữ</option>
      </SelectField>,
    );
    expect(html).toContain('<option value="" selected="">— Vui lòng chọn giới tính —</option>');
    expect(html).toContain('<option value="female">Nữ</option>');
    expect(html).toContain('aria-required="true"');
    expect(html).toContain('Giới tính<span class="required-mark" aria-hidden="true"> (bắt buộc)</span>');
  });

  it('keeps the empty option of an optional select as the form wrote it', () => {
    const html = renderToStaticMarkup(
      <SelectField label="Chi đoàn" selectProps={{ name: 'branchId' }}>
        <option value="">— Chưa xếp chi đoàn —</option>
      </SelectField>,
    );
    expect(html).toContain('<option value="">— Chưa xếp chi đoàn —</option>');
    expect(html).not.toContain('aria-required');
  });

  it('shows the server’s message beside the field', () => {
    const html = renderToStaticMarkup(
      <SelectField
        label="Giới tính"
        errors={['validation.required']}
        selectProps={{ name: 'gender', id: 'g', required: true }}
      >
        <option value="">— Chọn —</option>
      </SelectField>,
    );
    expect(html).toMatch(/<select[^>]*aria-invalid="true"[^>]*aria-describedby="g-error"/);
    expect(html).toContain('<div id="g-error"><p class="field-error">Vui lòng nhập thông tin này.</p></div>');
  });
});

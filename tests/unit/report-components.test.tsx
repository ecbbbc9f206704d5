import { renderToStaticMarkup } from 'react-dom/server';
import { StaticRouter } from 'react-router-dom/server';
import { describe, expect, it, vi } from 'vitest';
import { createT, formatDate, formatNumber } from '~/i18n';
import type { ReportTable } from '~/utils/reports/report-tables';

// The components read the locale from the root loader; here it is fixed to Vietnamese.
vi.mock('~/i18n/use-t', () => ({
  useLocale: () => 'vi',
  useT: () => createT('vi'),
  useFormatters: () => ({
    date: (v: Date | string | number | null | undefined) => formatDate(v, 'vi'),
    number: (v: number) => formatNumber(v, 'vi'),
  }),
}));

const { ReportTables } = await import('~/components/report-tables');
const { TargetProgress, progressPercent } = await import('~/components/target-progress');
const { wrapLabel } = await import('~/components/report-charts');

const TABLE: ReportTable = {
  id: 'schools',
  sheet: 'Theo trường',
  title: 'Theo trường (năm 2026)',
  columns: ['Trường', 'Đang trong quy trình', 'Ghi chú'],
  rows: [
    [{ value: 'Trường Đại học Phạm Văn Đồng' }, { value: 1234, href: '/members?school=1' }, { value: null }],
    [{ value: 'Trường THPT Lê Khiết' }, { value: 0 }, { value: 'mới' }],
  ],
  note: 'Ô dưới 5 người được ẩn.',
};

const render = (node: React.ReactNode) =>
  renderToStaticMarkup(<StaticRouter location="/reports">{node}</StaticRouter>);

describe('ReportTables', () => {
  it('captions each table with its title, heads columns, right-aligns numbers and links drill-downs', () => {
    const html = render(<ReportTables tables={[TABLE]} />);
    expect(html).toContain('<section class="report-table" id="schools" aria-labelledby="schools-title">');
    expect(html).toMatch(
      /<caption class="report-caption"><h2 id="schools-title">Theo trường \(năm 2026\)<\/h2><\/caption>/,
    );
    expect(html).toContain('<th scope="col">Trường</th>');
    expect(html).toContain('<th scope="col" class="num">Đang trong quy trình</th>');
    expect(html).toMatch(/<td class="num"><a [^>]*href="\/members\?school=1"/);
    expect(html).toContain('>1.234</a></td>');
    expect(html).toContain('<td class="num">0</td>');
    expect(html).toContain('<td>—</td>');
    expect(html).toContain('<p id="schools-note" class="field-hint report-note">Ô dưới 5 người được ẩn.</p>');
    expect(html).toContain('aria-describedby="schools-note"');
  });

  it('prints values without links when asked, and says when a table is empty', () => {
    expect(render(<ReportTables tables={[TABLE]} links={false} />)).not.toContain('<a ');
    const empty = render(
      <ReportTables tables={[{ ...TABLE, rows: [], note: undefined }]} headingLevel={3} />,
    );
    expect(empty).toContain('<h3 id="schools-title">');
    expect(empty).toContain('Không có số liệu.');
    expect(empty).not.toContain('<table');
  });
});

describe('TargetProgress', () => {
  it('shows a progress bar with its figures as text', () => {
    const html = render(<TargetProgress admitted={12} target={20} label="Trường A" />);
    expect(html).toMatch(
      /<progress max="20" value="12" aria-label="Trường A" aria-valuetext="12\/20 \(60%\)">/,
    );
    expect(html).toContain('<span class="target-progress-text">12/20 (60%)</span>');
  });

  it('says when no target is set, and caps the bar past the target', () => {
    expect(render(<TargetProgress admitted={3} target={null} label="x" />)).toContain('chưa giao chỉ tiêu');
    const over = render(<TargetProgress admitted={30} target={20} label="x" />);
    expect(over).toContain('max="20" value="20"');
    expect(over).toContain('30/20 (150%)');
  });

  it('computes percentages', () => {
    expect(progressPercent(12, 20)).toBe(60);
    expect(progressPercent(199, 200)).toBe(99);
    expect(progressPercent(0, 0)).toBe(0);
    expect(progressPercent(2, 0)).toBe(100);
    expect(progressPercent(5, null)).toBeNull();
  });
});

describe('wrapLabel (funnel chart ticks on a narrow screen)', () => {
  it('breaks at spaces into lines no longer than the limit', () => {
    expect(wrapLabel('Học lớp nhận thức về Đảng (152)', 16)).toEqual([
      'Học lớp nhận',
      'thức về Đảng',
      '(152)',
    ]);
    expect(wrapLabel('Đoàn viên (742)', 16)).toEqual(['Đoàn viên (742)']);
  });
  it('keeps a word longer than the limit whole, on its own line', () => {
    expect(wrapLabel('a verylongwordindeed b', 5)).toEqual(['a', 'verylongwordindeed', 'b']);
  });
  it('gives an empty label one empty line', () => {
    expect(wrapLabel('', 16)).toEqual(['']);
  });
});

/**
 * The member table as a school Union secretary uses it: search without accents,
 * sort, page, page size, columns, a reload that keeps the view, exports read
 * back from the downloaded files, row selection, small and wide screens.
 */
import { readFileSync } from 'node:fs';
import { type Page } from '@playwright/test';
import ExcelJS from 'exceljs';
import { compareVietnamese, searchKey, splitVietnameseName } from '../../app/domain/text.ts';
import { expect, expectAccessible, test } from './fixtures.ts';

const listOrder = (a: string, b: string) => {
  const x = splitVietnameseName(a);
  const y = splitVietnameseName(b);
  return (
    compareVietnamese(x.givenName, y.givenName) ||
    compareVietnamese(x.familyName, y.familyName) ||
    compareVietnamese(x.middleName, y.middleName)
  );
};

async function names(page: Page) {
  return page.locator('table.data-table tbody th[scope="row"]').allInnerTexts();
}

async function rowCount(page: Page) {
  return Number(await page.getByTestId('member-count').getAttribute('data-count'));
}

function csvDataRows(text: string): number {
  // No field of the export holds a line break, so records are lines.
  return (
    text
      .replace(/^\uFEFF/, '')
      .split('\r\n')
      .filter(Boolean).length - 1
  );
}

async function xlsxDataRows(path: string): Promise<number> {
  const workbook = new ExcelJS.Workbook();
  const bytes = readFileSync(path);
  await workbook.xlsx.load(
    bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
  );
  return workbook.worksheets[0].actualRowCount - 1;
}

async function openMembers(page: Page, search = '') {
  await page.goto(`/members${search}`);
  await page.waitForLoadState('networkidle');
  await expect(page.getByRole('heading', { level: 1, name: 'Đoàn viên' })).toBeVisible();
}

test.beforeEach(async ({ page, login }) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  await login('school_union');
  await page.goto('/school');
  await expect(page).toHaveURL(/\/school$/);
});

test('search, sort, page, page size, columns and reload keep the view in the URL', async ({ page }) => {
  await page.getByRole('link', { name: 'Đoàn viên', exact: true }).first().click();
  await expect(page).toHaveURL(/\/members$/);
  await page.waitForLoadState('networkidle');
  const total = await rowCount(page);
  expect(total).toBeGreaterThan(50);

  // Name order is the class-list order; the header says so.
  const asc = await names(page);
  expect(asc).toEqual([...asc].sort(listOrder));
  await expect(page.locator('th[aria-sort="ascending"]')).toContainText('Họ và tên');

  // Search without diacritics.
  const search = page.getByLabel('Tìm theo tên hoặc mã sinh viên (không cần dấu)');
  await search.fill('nguyen thi');
  await search.press('Enter');
  await expect(page).toHaveURL(/q=nguyen\+thi/);
  await expect(page.getByTestId('member-count')).not.toHaveAttribute('data-count', String(total));
  const found = await names(page);
  expect(found.length).toBeGreaterThan(0);
  // "nguyen thi" matches "Nguyễn Thị …" (and any name with those words in a row).
  expect(found.filter((n) => !` ${searchKey(n)}`.includes(' nguyen thi'))).toEqual([]);
  expect(found.some((n) => n.normalize('NFC').startsWith('Nguyễn Thị'))).toBe(true);
  expect(await rowCount(page)).toBeLessThan(total);
  await page.getByRole('link', { name: 'Xóa bộ lọc' }).click();
  await expect(page).not.toHaveURL(/q=/);
  await expect(page.getByTestId('member-count')).toHaveAttribute('data-count', String(total));

  // Sort by name descending.
  await page.getByTestId('sort-name').click();
  await expect(page).toHaveURL(/sort=name\.desc/);
  await expect(page.locator('th[aria-sort="descending"]')).toContainText('Họ và tên');
  const desc = await names(page);
  expect(desc).toEqual([...desc].sort(listOrder).reverse());

  // Page 2.
  await page.getByRole('link', { name: 'Trang sau' }).click();
  await expect(page).toHaveURL(/page=2/);
  await expect(page.getByTestId('page-indicator')).toContainText('Trang 2 /');
  const page2 = await names(page);
  expect(page2.some((n) => desc.includes(n) && desc.indexOf(n) === page2.indexOf(n))).toBe(false);

  // Page size 25: back to page 1, 25 rows.
  await page.getByLabel('Số dòng mỗi trang').selectOption('25');
  await expect(page).toHaveURL(/size=25/);
  await expect(page).not.toHaveURL(/page=2/);
  await expect(page.locator('table.data-table tbody tr')).toHaveCount(25);

  // Hide the date of birth column.
  await page.locator('summary', { hasText: 'Cột hiển thị' }).click();
  await expect(page.getByRole('columnheader', { name: /Ngày sinh/ })).toBeVisible();
  await page.getByRole('checkbox', { name: 'Ngày sinh' }).uncheck();
  await expect(page).toHaveURL(/cols=/);
  await expect(page.getByRole('columnheader', { name: /Ngày sinh/ })).toHaveCount(0);

  // A reload (or a bookmark) shows the same view.
  const url = page.url();
  await page.reload();
  await page.waitForLoadState('networkidle');
  expect(page.url()).toBe(url);
  await expect(page.getByRole('columnheader', { name: /Ngày sinh/ })).toHaveCount(0);
  await expect(page.locator('th[aria-sort="descending"]')).toContainText('Họ và tên');
  await expect(page.getByLabel('Số dòng mỗi trang')).toHaveValue('25');
  await expect(page.locator('table.data-table tbody tr')).toHaveCount(25);

  await page.screenshot({ path: 'test-results/members-list-1280.png', fullPage: true });
  await expectAccessible(page);
});

test('exports xlsx and CSV with as many rows as the table counts, and exports a selection', async ({
  page,
}) => {
  await openMembers(page, '?stage=member');
  const count = await rowCount(page);
  expect(count).toBeGreaterThan(0);

  const [xlsx] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Xuất Excel (.xlsx)' }).click(),
  ]);
  expect(xlsx.suggestedFilename()).toMatch(/^doan-vien-\d{4}-\d{2}-\d{2}\.xlsx$/);
  const xlsxPath = 'test-results/members-export.xlsx';
  await xlsx.saveAs(xlsxPath);
  expect(await xlsxDataRows(xlsxPath)).toBe(count);

  const [csv] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Xuất CSV' }).click(),
  ]);
  const csvPath = 'test-results/members-export.csv';
  await csv.saveAs(csvPath);
  const text = readFileSync(csvPath, 'utf8');
  expect(csvDataRows(text)).toBe(count);
  expect(text).toContain('Trường Đại học Phạm Văn Đồng');

  // Select two rows: the bulk bar counts them and exports just those.
  const boxes = page.locator('table.data-table tbody input[type="checkbox"]');
  await boxes.nth(0).check();
  await boxes.nth(1).check();
  await expect(page.getByTestId('bulk-bar')).toContainText('Đã chọn 2 đoàn viên');
  const [selected] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Xuất các dòng đã chọn (Excel)' }).click(),
  ]);
  const selectedPath = 'test-results/members-selected.xlsx';
  await selected.saveAs(selectedPath);
  expect(await xlsxDataRows(selectedPath)).toBe(2);
  await page.getByRole('button', { name: 'Bỏ chọn' }).click();
  await expect(page.getByTestId('bulk-bar')).toHaveCount(0);
});

test('at 360 px the filters fold away and the table scrolls inside its box', async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 780 });
  await openMembers(page);
  const filters = page.locator('details.filters-panel');
  await expect(filters).not.toHaveAttribute('open', '');
  await filters.locator('summary').click();
  const stage = page.getByRole('combobox', { name: 'Giai đoạn' });
  await expect(stage).toBeVisible();

  // The page itself never scrolls sideways; the table box does.
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
  const box = page.locator('.data-table-wrap');
  expect(await box.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);

  await stage.selectOption('outstanding');
  await expect(page).toHaveURL(/stage=outstanding/);
  await page.screenshot({ path: 'test-results/members-list-360.png', fullPage: true });
  await expectAccessible(page);
});

test('at 1280 px the stage and days columns are in view without scrolling; narrower, less important columns give way', async ({
  page,
}) => {
  await openMembers(page);
  const box = page.locator('.data-table-wrap');
  expect(await box.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
  for (const col of ['stage', 'days']) {
    const header = page.locator(`.data-table thead th[data-col="${col}"]`);
    await expect(header).toBeVisible();
    const b = (await header.boundingBox())!;
    expect(b.x).toBeGreaterThanOrEqual(0);
    expect(b.x + b.width).toBeLessThanOrEqual(1280);
  }
  // The badge is short; its full name is the tooltip and what a screen reader reads.
  const badge = page.locator('.data-table .stage-badge').first();
  const full = (await badge.getAttribute('title'))!;
  expect(full.length).toBeGreaterThan(0);
  await expect(badge.locator('.visually-hidden')).toHaveText(full);
  await expect(page.getByTestId('fit-hint')).toHaveCount(0);
  await page.screenshot({ path: 'test-results/members-list-1280.png' });

  // Narrower, the birth date gives way first; the hint names it, the column chooser brings it back.
  await page.setViewportSize({ width: 1000, height: 900 });
  await expect(page.locator('.data-table thead th[data-col="dob"]')).toBeHidden();
  await expect(page.locator('.data-table thead th[data-col="days"]')).toBeVisible();
  await expect(page.getByTestId('fit-hint')).toContainText('Ngày sinh');
  await page.locator('summary', { hasText: 'Cột hiển thị' }).click();
  const dob = page.getByRole('checkbox', { name: 'Ngày sinh' });
  await expect(dob).not.toBeChecked();
  await dob.check();
  await expect(page).toHaveURL(/cols=[^&]*dob/);
  await expect(page.locator('.data-table thead th[data-col="dob"]')).toBeVisible();
});

test('a table wider than its box shows a hint and a shadow at the edge with more columns', async ({
  page,
}) => {
  await page.setViewportSize({ width: 360, height: 780 });
  await openMembers(page);
  const frame = page.locator('.data-table-frame');
  await expect(frame).toHaveAttribute('data-more-right', '');
  await expect(frame.locator('.scroll-hint')).toBeVisible();
  await page.locator('.data-table-wrap').evaluate((el) => el.scrollTo({ left: el.scrollWidth }));
  await expect(frame).not.toHaveAttribute('data-more-right', '');
  await expect(frame).toHaveAttribute('data-more-left', '');
});

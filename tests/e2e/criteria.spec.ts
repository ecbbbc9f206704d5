/**
 * The provincial Union changes a criterion the safe way: opens the university
 * selection set, makes a draft from it, raises the conduct minimum, simulates
 * (sees who would become ineligible), activates; the affected member's criteria
 * tab shows the new verdict and the member table's eligible count drops by exactly
 * the simulated number. Screenshots at 1280 and 360 px.
 */
import { type Page } from '@playwright/test';
import { expect, expectAccessible, test } from './fixtures';

const shot = (page: Page, name: string) =>
  page.screenshot({ path: `test-results/criteria-${name}.png`, fullPage: true });

test('draft, simulate and activate a stricter conduct minimum', async ({ page, login }) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1280, height: 900 });
  await login('province_union');
  await page.goto('/province');
  await expect(page).toHaveURL(/\/province/);

  // The member table's eligible count before the change.
  const eligibleCount = async () => {
    await page.goto('/members?eligible=yes');
    return Number(await page.getByTestId('member-count').getAttribute('data-count'));
  };
  const eligibleBeforeChange = await eligibleCount();
  expect(eligibleBeforeChange).toBeGreaterThan(0);

  await page
    .getByRole('navigation', { name: 'Điều hướng chính' })
    .getByRole('link', { name: 'Tiêu chí' })
    .click();
  await expect(page.getByRole('heading', { level: 1, name: 'Bộ tiêu chí' })).toBeVisible();
  await expectAccessible(page);
  await shot(page, 'list-1280');

  const university = page.getByRole('region', { name: 'Đại học' });
  await university
    .getByRole('link', { name: /^Tiêu chí đoàn viên ưu tú – đại học/ })
    .first()
    .click();
  await expect(page.getByTestId('criteria-status')).toHaveText('Đang áp dụng');
  await expect(page.getByTestId('rule-descriptions')).toContainText(
    'Điểm rèn luyện trung bình năm học gần nhất từ 80 trở lên',
  );
  const activeUrl = page.url();
  await expectAccessible(page);

  // Active sets are read-only: the way to change one is a new draft.
  await page.getByRole('button', { name: 'Tạo bản nháp từ phiên bản này' }).click();
  await expect(page).toHaveURL(/\/criteria\/[0-9a-f]{24}\/edit/);
  const draftUrl = page.url().replace(/\/edit.*$/, '');
  const conduct = page.getByLabel('Điểm rèn luyện tối thiểu (0-100)');

  // The browser runs the engine's schema: the message appears beside the field.
  await conduct.fill('150');
  await page.getByRole('button', { name: 'Lưu bản nháp' }).click();
  await expect(page.getByText('Điểm rèn luyện phải từ 0 đến 100.')).toBeVisible();
  await expect(conduct).toHaveAttribute('aria-invalid', 'true');
  await expectAccessible(page);
  await shot(page, 'edit-1280');

  await conduct.fill('90');
  await page.getByRole('button', { name: 'Lưu bản nháp' }).click();
  await expect(page.getByTestId('criteria-toast')).toHaveText('Đã lưu bản nháp.');
  await expect(page.getByTestId('criteria-status')).toHaveText('Bản nháp');
  await expect(page.getByTestId('rule-descriptions')).toContainText('từ 90 trở lên');

  await page.getByRole('link', { name: 'Mô phỏng' }).click();
  await expect(page).toHaveURL(/\/simulate/);
  const becameIneligible = Number(
    (await page.getByTestId('sim-became-ineligible').innerText()).replace(/\D/g, ''),
  );
  expect(becameIneligible).toBeGreaterThan(0);
  await expect(page.getByTestId('sim-became-eligible')).toHaveText('0');
  const eligibleBefore = Number(
    (await page.getByTestId('sim-eligible-before').innerText()).replace(/\D/g, ''),
  );
  const eligibleAfter = Number((await page.getByTestId('sim-eligible-after').innerText()).replace(/\D/g, ''));
  expect(eligibleBefore - eligibleAfter).toBe(becameIneligible);

  await page.getByLabel('Thay đổi').selectOption('became_ineligible');
  await page.getByRole('button', { name: 'Lọc' }).click();
  await expect(page).toHaveURL(/change=became_ineligible/);
  await expect(page.getByTestId('sim-row-count')).toContainText(
    `${becameIneligible.toLocaleString('vi-VN')} đoàn viên`,
  );
  await expect(page.getByTestId('sim-row').first()).toContainText('Điểm rèn luyện');
  await expectAccessible(page);
  await shot(page, 'simulate-1280');

  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: 'CSV' }).click();
  expect((await download).suggestedFilename()).toMatch(/\.csv$/);

  // Someone who would lose eligibility: open their criteria tab before and after.
  const firstRow = page.getByTestId('sim-row').first().getByRole('link');
  const memberName = (await firstRow.innerText()).trim();
  const memberHref = await firstRow.getAttribute('href');
  await page.goto(memberHref!);
  await expect(page.getByRole('heading', { level: 1, name: memberName })).toBeVisible();
  await expect(page.getByTestId('verdict-selection-eligible')).toHaveText('Đủ tiêu chuẩn');

  await page.goto(draftUrl);
  await page.getByRole('button', { name: 'Áp dụng bộ tiêu chí này' }).click();
  await expect(page.getByTestId('criteria-toast')).toHaveText('Đã áp dụng bộ tiêu chí.');
  await expect(page.getByTestId('criteria-status')).toHaveText('Đang áp dụng');
  await page.goto(activeUrl);
  await expect(page.getByTestId('criteria-status')).toHaveText('Đã thay thế');

  // The member table's "Đủ tiêu chuẩn" filter follows the activation at once.
  expect(await eligibleCount()).toBe(eligibleBeforeChange - becameIneligible);
  await expect(page.getByRole('columnheader', { name: 'Đủ tiêu chuẩn' })).toBeVisible();
  await expect(page.locator('[data-eligible="no"]')).toHaveCount(0);
  await shot(page, 'members-eligible-1280');
  await page.goto('/members?eligible=no');
  await expect(page.locator('[data-eligible="no"]').first()).toBeVisible();
  await expectAccessible(page);

  await page.goto(memberHref!);
  await expect(page.getByTestId('verdict-selection-eligible')).toHaveText('Chưa đủ tiêu chuẩn');
  await expect(page.getByTestId('verdict-selection')).toContainText('< 90 ✗');
  await expectAccessible(page);
  await shot(page, 'member-1280');

  await page.setViewportSize({ width: 360, height: 800 });
  await shot(page, 'member-360');
  await page.goto(`${draftUrl}/simulate?change=became_ineligible`);
  // Activated: the set now compares with itself, so nothing changes any more.
  await expect(page.getByTestId('sim-became-ineligible')).toHaveText('0');
  await page.goto('/criteria');
  await expectAccessible(page);
  await shot(page, 'list-360');
  const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(scrollWidth).toBeLessThanOrEqual(360);
});

test('a school Union reads the active sets of its school kind only', async ({ page, login }) => {
  await page.setViewportSize({ width: 360, height: 800 });
  await login('school_union');
  await page.goto('/school');
  await expect(page).toHaveURL(/\/school/);
  await page.goto('/criteria');
  await expect(page.getByRole('region', { name: 'Đại học' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'THPT' })).toHaveCount(0);
  await expect(page.getByText('Bản nháp')).toHaveCount(0);
  await page
    .getByRole('link', { name: /^Tiêu chí đoàn viên ưu tú – đại học/ })
    .first()
    .click();
  await expect(page.getByRole('button', { name: 'Tạo bản nháp từ phiên bản này' })).toHaveCount(0);
  await expectAccessible(page);
  await shot(page, 'school-view-360');
});

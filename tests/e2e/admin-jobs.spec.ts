import { expect, expectAccessible, test } from './fixtures.ts';

/**
 * /admin/jobs in a real browser: reached from the admin's home, the nightly refresh (run at
 * start) is listed with its label, schedule and result; "Chạy ngay" is confirmed and the
 * job runs again; on a phone the table scrolls inside its frame, not the page.
 */
test('the admin sees the scheduled jobs and runs one now', async ({ page, login }, testInfo) => {
  await login('admin');
  await page.goto('/admin');
  // The home page's link (the menu has one too).
  await page.getByRole('link', { name: /^Xem các tác vụ định kỳ/ }).click();
  await page.waitForURL('**/admin/jobs');
  await expect(page.getByRole('heading', { level: 1, name: 'Tác vụ định kỳ' })).toBeVisible();

  const row = page.locator('tr[data-job="pipeline-due-refresh"]');
  await expect(row).toContainText('Cập nhật điều kiện và thời hạn hằng đêm');
  await expect(row).toContainText('Hằng ngày lúc 00:05');
  // The run at start-up has finished (it takes well under a second on the e2e data).
  await expect(async () => {
    await page.reload();
    await expect(row).toContainText('Hồ sơ đã xét');
  }).toPass({ timeout: 20_000 });
  const runsBefore = await row.locator('td').nth(2).innerText();
  await expectAccessible(page);
  await page.screenshot({ path: testInfo.outputPath('admin-jobs-desktop.png'), fullPage: true });

  await row.getByRole('button', { name: 'Chạy ngay: Cập nhật điều kiện và thời hạn hằng đêm' }).click();
  await expect(page.getByText('Đã yêu cầu chạy ngay.')).toBeVisible();
  // Nudged, it runs within moments: the last run's time moves on.
  await expect(async () => {
    await page.reload();
    expect(await row.locator('td').nth(2).innerText()).not.toBe(runsBefore);
    await expect(row).toContainText('Không');
  }).toPass({ timeout: 20_000 });

  await page.setViewportSize({ width: 360, height: 780 });
  await page.reload();
  await expect(row).toBeVisible();
  // The table scrolls in its own frame: the page itself is no wider than the phone.
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
  await page.screenshot({ path: testInfo.outputPath('admin-jobs-360.png'), fullPage: true });
});

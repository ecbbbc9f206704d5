/**
 * The provincial Union opens the dashboard, follows two figures (a funnel stage and the
 * overdue bottleneck) to the member table and finds the same number of members there;
 * downloads the Excel report; the page at 360 px scrolls only inside its wide table.
 */
import { type Page } from '@playwright/test';
import { expect, expectAccessible, test } from './fixtures';

async function followFigure(page: Page, tableId: string, rowName: RegExp) {
  const row = page.locator(`#${tableId} tr`, { hasText: rowName }).first();
  const link = row.getByRole('link').first();
  const figure = Number((await link.innerText()).replace(/\D/g, ''));
  expect(figure).toBeGreaterThan(0);
  await link.click();
  await expect(page).toHaveURL(/\/members\?/);
  await expect(page.getByTestId('member-count')).toHaveAttribute('data-count', String(figure));
  await page.goBack();
  await expect(page).toHaveURL(/\/reports/);
}

/**
 * Collects the page's Content Security Policy violations: the `securitypolicyviolation`
 * event of every document, and Chromium's console errors about the policy.
 */
function watchCsp(page: Page): string[] {
  const violations: string[] = [];
  void page.addInitScript(() =>
    document.addEventListener('securitypolicyviolation', (e) =>
      console.error(`[csp] ${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`),
    ),
  );
  page.on('console', (message) => {
    if (message.type() === 'error' && /\[csp\]|Content Security Policy/.test(message.text()))
      violations.push(message.text());
  });
  return violations;
}

test('dashboard figures lead to exactly their members', async ({ page, login }) => {
  test.setTimeout(120_000);
  const csp = watchCsp(page);
  await page.setViewportSize({ width: 1280, height: 900 });
  await login('province_union');
  await page.goto('/province');
  await expect(page).toHaveURL(/\/province/);
  await page
    .getByRole('navigation', { name: 'Điều hướng chính' })
    .getByRole('link', { name: 'Báo cáo' })
    .click();
  await expect(page.getByRole('heading', { level: 1, name: 'Báo cáo kết nạp Đảng' })).toBeVisible();
  // Loaded whole as well: inline style in the server's HTML is what a client-side render hides.
  await page.reload();
  await expect(page.locator('#funnel')).toContainText('Đảng viên dự bị');
  // The charts are drawn (Chart.js sized its canvases) without breaking the policy.
  await expect(page.locator('figure.report-chart canvas[style*="height"]')).toHaveCount(2);
  expect(csp, 'CSP violations on /reports').toEqual([]);
  await expectAccessible(page);

  await followFigure(page, 'funnel', /Lập hồ sơ/);
  await followFigure(page, 'bottlenecks', /Quá hạn theo quy định/);

  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Tải Excel' }).click();
  expect((await download).suggestedFilename()).toMatch(/\.xlsx$/);

  await page.setViewportSize({ width: 360, height: 800 });
  await page.reload();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await page.screenshot({ path: 'test-results/reports-360.png', fullPage: true });
  expect(csp, 'CSP violations on /reports at 360 px').toEqual([]);
});

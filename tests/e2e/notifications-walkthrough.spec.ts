/**
 * Issue 21 walked through as each demo account, at 360 px and 1280 px, with screenshots in
 * test-results/i21-walkthrough/ for a person to look at: the bell in the header,
 * /notifications with the notices the daily scan and the weekly digest wrote, the
 * preferences; for the admin also /admin/jobs, the outbox (list and one mail) and an
 * unsubscribe page from a mail's link. Every page must fit the phone's width.
 */
import { type Page } from '@playwright/test';
import { DEMO_ACCOUNTS, expect, openPortal, test } from './fixtures';
import { findInOutbox, JOB, runJobNow } from './notification-flows';

const DIR = 'test-results/i21-walkthrough';
const WIDTHS = [360, 1280] as const;

async function fitsWidth(page: Page, width: number) {
  expect(await page.evaluate(() => document.documentElement.scrollWidth), page.url()).toBeLessThanOrEqual(
    width,
  );
}

async function shoot(page: Page, name: string, width: number) {
  await fitsWidth(page, width);
  // No message key may reach the page untranslated (they look like `notifications.kind.x`).
  expect(await page.locator('main').innerText()).not.toMatch(
    /\b(notifications|notify|mail|jobs)\.[a-z_]+\.[a-z_.-]+/,
  );
  await page.screenshot({ path: `${DIR}/${name}-${width}.png`, fullPage: true });
}

test('every demo account: the bell, the centre, the preferences; the admin’s jobs and outbox', async ({
  page,
  login,
  memberAt,
}) => {
  test.setTimeout(420_000);
  await login('admin');
  await runJobNow(page, JOB.dueScan.name, JOB.dueScan.label);
  await runJobNow(page, JOB.weeklyDigest.name, JOB.weeklyDigest.label);
  await runJobNow(page, JOB.mail.name, JOB.mail.label);

  for (const account of DEMO_ACCOUNTS) {
    const who = account.email.split('@')[0];
    // The student is one of its own: the demo student's first sign-in is sign-in.spec.ts's.
    await login(account.role === 'student' ? await memberAt('member') : account.role);
    if (account.role === 'student') await openPortal(page);
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: width === 360 ? 780 : 900 });
      await page.goto(account.home);
      const bell = page.getByRole('link', { name: /thông báo chưa đọc/ });
      await expect(bell).toBeVisible();
      await page.screenshot({
        path: `${DIR}/${who}-header-${width}.png`,
        clip: { x: 0, y: 0, width, height: 160 },
      });
      await page.goto('/notifications');
      await expect(page.getByRole('heading', { level: 1, name: 'Thông báo' })).toBeVisible();
      await shoot(page, `${who}-notifications`, width);
      await page.goto('/settings/notifications');
      await expect(page.getByRole('heading', { level: 1, name: 'Cài đặt nhận thông báo' })).toBeVisible();
      await shoot(page, `${who}-settings`, width);
    }
  }

  // The school staff and the province have notices of their own after the scan and the digest.
  for (const role of ['province_union', 'school_union', 'school_party'] as const) {
    await login(role);
    await page.goto('/notifications');
    await expect(page.getByTestId('notification').first()).toBeVisible();
  }

  await login('admin');
  const mail = await findInOutbox(page, 'tinhdoan@demo.vn', 'Tổng hợp tuần');
  let unsubscribe = '';
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: width === 360 ? 780 : 900 });
    await page.goto('/admin/jobs');
    await shoot(page, 'admin-jobs', width);
    await page.goto('/admin/outbox');
    await expect(page.getByTestId('outbox-count')).toBeVisible();
    // Each mail a few lines high, not a letter per line: the table scrolls in its frame.
    const row = page.locator('tbody tr').first();
    expect((await row.boundingBox())!.height).toBeLessThan(120);
    await shoot(page, 'admin-outbox', width);
    await page.goto(mail);
    await expect(page.getByTestId('outbox-message')).toBeVisible();
    // The text body in the page's own font: monospace fonts often lack Vietnamese letters.
    const fonts = await page.evaluate(() => [
      getComputedStyle(document.body).fontFamily,
      getComputedStyle(document.querySelector('[data-testid="outbox-text"]')!).fontFamily,
    ]);
    expect(fonts[1]).toBe(fonts[0]);
    await shoot(page, 'admin-outbox-message', width);
    unsubscribe = (await page.getByTestId('outbox-text').innerText()).match(/\/unsubscribe\/\S+/)![0];
  }

  // The unsubscribe link works without signing in; shown, not confirmed (tinhdoan keeps her mail).
  await page.context().clearCookies();
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: width === 360 ? 780 : 900 });
    const res = await page.goto(unsubscribe);
    expect(res?.status()).toBe(200);
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    await shoot(page, 'unsubscribe', width);
  }
});

/**
 * Steps the issue 21 end-to-end specs share: running a scheduled job from /admin/jobs
 * and waiting for the scheduler to finish it, and finding a mail in the outbox.
 */
import { type Page } from '@playwright/test';
import mongoose from 'mongoose';
import { findRunningServer } from '@dvut/embedded-mongo';
import { expect, test } from './fixtures';

/**
 * Connects this spec's mongoose to the app's own embedded database (its server.json and
 * credential in the data directory), so a spec can write notices through notify() itself.
 */
export function connectToAppDatabase(dataDir = process.env.E2E_DATA_DIR ?? '.data/e2e') {
  test.beforeAll(async () => {
    const server = await findRunningServer(dataDir);
    if (!server) throw new Error(`no app database running in ${dataDir}`);
    await mongoose.connect(server.uri, { dbName: 'doanvien' });
  });
  test.afterAll(async () => {
    await mongoose.disconnect();
  });
}

/**
 * Presses "Chạy ngay" for `name` (the admin must be signed in) and waits until the job's
 * last run has moved on: the scheduler ticks every 15 s, so this can take a while.
 */
export async function runJobNow(page: Page, name: string, label: string) {
  await page.goto('/admin/jobs');
  const row = page.locator(`tr[data-job="${name}"]`);
  await expect(row).toContainText(label);
  const lastRun = row.locator('td').nth(2);
  const before = await lastRun.innerText();
  await row.getByRole('button', { name: `Chạy ngay: ${label}` }).click();
  await expect(page.getByText('Đã yêu cầu chạy ngay.')).toBeVisible();
  await expect(async () => {
    await page.reload();
    expect(await lastRun.innerText()).not.toBe(before);
    // Finished, without an error: the failures column says "Không".
    await expect(row.locator('td').nth(6)).toHaveText('Không');
  }).toPass({ timeout: 90_000, intervals: [2_000, 5_000] });
}

export const JOB = {
  dueScan: {
    name: 'notifications.due-scan',
    label: 'Quét thời hạn hằng ngày (nhắc hạn, quá hạn, báo cáo lên Tỉnh đoàn)',
  },
  weeklyDigest: { name: 'notifications.weekly-digest', label: 'Bản tin tổng hợp hằng tuần' },
  mail: { name: 'mail', label: 'Soạn và gửi email thông báo' },
} as const;

/**
 * The outbox's link to the first message to `to` whose subject contains `subject`, looked
 * for page by page (newest first); waits for the mail job to have composed it.
 */
export async function findInOutbox(page: Page, to: string, subject: string) {
  let href: string | null = null;
  await expect(async () => {
    await page.goto('/admin/outbox');
    for (;;) {
      const row = page.locator('tbody tr', { has: page.locator('td.mail-to', { hasText: to }) }).filter({
        hasText: subject,
      });
      if ((await row.count()) > 0) {
        // Resolved against the page: the link is written relative (`?id=…`).
        href = await row
          .first()
          .getByRole('link')
          .evaluate((a) => (a as HTMLAnchorElement).href);
        return;
      }
      const next = page.getByRole('link', { name: 'Trang sau' });
      if ((await next.count()) === 0) break;
      await next.click();
      await page.waitForLoadState();
    }
    throw new Error(`no mail to ${to} about “${subject}” in the outbox yet`);
  }).toPass({ timeout: 90_000, intervals: [3_000, 5_000] });
  return href!;
}

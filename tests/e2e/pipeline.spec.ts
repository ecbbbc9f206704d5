/**
 * The Party committee records the introduction of a candidate at 'dossier' (its own, from
 * `memberAt`; dated relative to today, after the fixture's dossier): a first try with an introducer who has known her only 6 months is
 * refused with the reason beside the field; fixed to 14 months it is recorded, the toast
 * shows and the timeline grows by one entry. Screenshots at 360 and 1280 px.
 */
import { type Page } from '@playwright/test';
import { expect, expectAccessible, test } from './fixtures';
import { daysAgo, openMemberPipeline, vnDate } from './pipeline-steps';

const shot = (page: Page, name: string) =>
  page.screenshot({ path: `test-results/pipeline-${name}.png`, fullPage: true });

test('record an introduction on the Quy trình tab', async ({ page, login, memberAt }) => {
  test.setTimeout(120_000);
  const candidate = await memberAt('dossier');
  const introduced = daysAgo(20);
  await page.setViewportSize({ width: 1280, height: 900 });
  await login('school_party');

  await openMemberPipeline(page, candidate);
  await expect(page.getByRole('heading', { level: 2, name: 'Các bước kết nạp' })).toBeVisible();
  await expect(page.locator('[aria-current="step"]')).toContainText('Lập hồ sơ');
  const entries = page.getByTestId('timeline-entry');
  const before = await entries.count();
  await expectAccessible(page);
  await shot(page, 'before-1280');

  const form = page.getByTestId('transition-record_introduction');
  await form.getByLabel('Ngày giới thiệu').fill(introduced);
  const first = form.getByRole('group', { name: 'Người giới thiệu 1' });
  await first.getByLabel('Họ tên').fill('Ban Chấp hành Đoàn trường');
  await first.getByLabel('Loại').selectOption('union');
  await first.getByLabel('Số văn bản').fill('45-NQ/ĐTN');
  const second = form.getByRole('group', { name: 'Người giới thiệu 2' });
  await second.getByLabel('Họ tên').fill('Trần Văn Minh');
  await second.getByLabel('Loại').selectOption('party_member');
  await second.getByLabel('Đảng viên chính thức').check();
  await second.getByLabel('Số tháng cùng công tác').fill('6');
  await form.getByRole('button', { name: 'Ghi nhận' }).click();

  const reasons = page.getByTestId('pipeline-reasons');
  await expect(reasons).toContainText('Chưa ghi nhận được, vì:');
  await expect(reasons).toContainText('Trần Văn Minh mới công tác/học tập cùng 6 tháng (cần ít nhất 12)');
  const months = page
    .getByTestId('transition-record_introduction')
    .getByRole('group', { name: 'Người giới thiệu 2' })
    .getByLabel('Số tháng cùng công tác');
  await expect(months).toHaveAttribute('aria-invalid', 'true');
  await expect(months).toHaveValue('6');
  await expectAccessible(page);
  await page.setViewportSize({ width: 360, height: 800 });
  await shot(page, 'refused-360');
  await page.setViewportSize({ width: 1280, height: 900 });

  await months.fill('14');
  await page.getByTestId('transition-record_introduction').getByRole('button', { name: 'Ghi nhận' }).click();
  await expect(page.getByTestId('toast')).toContainText('Đã ghi nhận bước của quy trình.');
  await expect(page.locator('[aria-current="step"]')).toContainText('Được giới thiệu');
  await expect(entries).toHaveCount(before + 1);
  await expect(entries.first()).toContainText('Được giới thiệu');
  await expect(entries.first()).toContainText('45-NQ/ĐTN');
  await expect(entries.first()).toContainText(vnDate(introduced));
  await expectAccessible(page);
  await shot(page, 'after-1280');
  await page.setViewportSize({ width: 360, height: 800 });
  await shot(page, 'after-360');
});

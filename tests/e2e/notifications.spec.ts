/**
 * The notification centre in a browser (issue 21): a notice written by notify() for the demo
 * student shows in the bell's count on every page; the list shows it unread, marking one read
 * and following another lower the count, "mark all as read" empties it; the preferences page
 * saves a choice and refuses an email address without the consent box, beside the box.
 *
 * The notices go in through notify() itself, connected to the app's own embedded database
 * (its server.json and credential in the data directory): no trigger writes them yet.
 */
import { randomUUID } from 'node:crypto';
import { Notification } from '../../models/notification';
import { User } from '../../models/user';
import { notify } from '../../app/utils/notifications/notify.server';
import { expect, expectAccessible, openPortal, test } from './fixtures';
import { connectToAppDatabase } from './notification-flows';

connectToAppDatabase();

/** Three new notices for the demo student, everything older read first so the count is known. */
async function threeNotices(email: string) {
  const student = (await User.findOne({ email }).lean())!;
  await Notification.updateMany({ userId: student._id, readAt: null }, { $set: { readAt: new Date() } });
  const run = randomUUID().slice(0, 8);
  const created = await notify(
    [1, 2, 3].map((n) => ({
      kind: 'step_recorded' as const,
      eventKey: `e2e:${run}:${n}`,
      audience: { type: 'users' as const, userIds: [String(student._id)] },
      title: { key: 'notifications.sample.title' as const, params: { n } },
      body: { key: 'notifications.sample.body' as const },
      link: '/me',
    })),
    { now: new Date(Date.now() - 3 * 60_000) },
  );
  expect(created).toBe(3);
}

// A student of its own (not the demo student, whose first sign-in sign-in.spec.ts checks).
test('the bell counts the unread, the list marks them read', async ({ page, login, memberAt }) => {
  const student = await memberAt('member');
  await threeNotices(student.email);
  await login(student);
  await openPortal(page);
  const bell = page.getByRole('link', { name: '3 thông báo chưa đọc' });
  await expect(bell).toBeVisible();
  await expect(bell.getByTestId('bell-count')).toHaveText('3');

  await bell.click();
  await expect(page).toHaveURL(/\/notifications$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Thông báo' })).toBeVisible();
  const items = page.getByTestId('notification');
  await expect(items.filter({ hasText: 'Chưa đọc' })).toHaveCount(3);
  // Not the list's first: these are dated 3 minutes back, so a newer notice of another spec
  // (notifications-flows.spec.ts) may lead the list.
  await expect(items.filter({ hasText: 'Thông báo thử nghiệm số 1' })).toContainText(
    'Đây là thông báo thử nghiệm của trung tâm thông báo.',
  );
  await expectAccessible(page);

  // Mark one read.
  await items
    .filter({ hasText: 'Thông báo thử nghiệm số 3' })
    .getByRole('button', { name: 'Đánh dấu đã đọc' })
    .click();
  await expect(page.getByRole('link', { name: '2 thông báo chưa đọc' })).toBeVisible();

  // Follow another: read, and on to its record.
  await page.getByRole('button', { name: 'Thông báo thử nghiệm số 2' }).click();
  await expect(page).toHaveURL(/\/me$/);
  await expect(page.getByRole('link', { name: '1 thông báo chưa đọc' })).toBeVisible();

  // Only the unread, then all read.
  await page.goto('/notifications?status=unread');
  await expect(page.getByTestId('notification')).toHaveCount(1);
  await page.getByRole('button', { name: 'Đánh dấu tất cả là đã đọc' }).click();
  await expect(page.getByTestId('toast')).toContainText('Đã đánh dấu tất cả thông báo là đã đọc.');
  await expect(page.getByRole('link', { name: 'Thông báo, không có thông báo chưa đọc' })).toBeVisible();
  await expect(page.getByText('Không có thông báo nào khớp với bộ lọc.')).toBeVisible();
});

// A notice written while the page is open shows on the next page reached by a link, without
// a reload or an action: with single fetch, a navigation loads the root's data again too.
test('the bell follows the person from page to page', async ({ page, login, memberAt }) => {
  const student = await memberAt('member');
  const user = (await User.findOne({ email: student.email }).lean())!;
  await Notification.updateMany({ userId: user._id, readAt: null }, { $set: { readAt: new Date() } });
  await login(student);
  await openPortal(page);
  await expect(page.getByRole('link', { name: 'Thông báo, không có thông báo chưa đọc' })).toBeVisible();
  const run = randomUUID().slice(0, 8);
  expect(
    await notify([
      {
        kind: 'step_recorded',
        eventKey: `e2e:${run}:nav`,
        audience: { type: 'users', userIds: [String(user._id)] },
        title: { key: 'notifications.sample.title', params: { n: 9 } },
        body: { key: 'notifications.sample.body' },
        link: '/me',
      },
    ]),
  ).toBe(1);
  // A client-side navigation (the document stays: no full page load).
  await page.evaluate(() => ((window as unknown as { loadedOnce: boolean }).loadedOnce = true));
  await page.getByRole('link', { name: 'Nộp minh chứng khen thưởng, hoạt động tình nguyện' }).first().click();
  await expect(page).toHaveURL(/\/me\/submissions$/);
  await expect(page.getByRole('link', { name: '1 thông báo chưa đọc' })).toBeVisible();
  expect(await page.evaluate(() => (window as unknown as { loadedOnce?: boolean }).loadedOnce)).toBe(true);
});

test('preferences: a choice is saved; an email without consent is refused beside the box', async ({
  page,
  login,
  memberAt,
}) => {
  await login(await memberAt('member'));
  await openPortal(page);
  await page.goto('/settings/notifications');
  await expect(page.getByRole('heading', { level: 1, name: 'Cài đặt nhận thông báo' })).toBeVisible();
  const group = page.getByRole('group', { name: 'Kết quả duyệt minh chứng' });
  await group.getByLabel('Email tổng hợp hằng ngày').check();
  await page.getByRole('button', { name: 'Lưu cài đặt' }).click();
  await expect(page.getByTestId('toast')).toContainText('Đã lưu cài đặt nhận thông báo.');
  await expect(
    page.getByRole('group', { name: 'Kết quả duyệt minh chứng' }).getByLabel('Email tổng hợp hằng ngày'),
  ).toBeChecked();

  await page.getByRole('textbox', { name: 'Địa chỉ email' }).fill('truc.e2e@gmail.com');
  await page.getByRole('button', { name: 'Lưu email' }).click();
  const box = page.locator('#notify-email-consent');
  await expect(box).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByText('Vui lòng đánh dấu ô đồng ý để lưu địa chỉ email.')).toBeVisible();
  await box.check();
  await page.getByRole('button', { name: 'Lưu email' }).click();
  await expect(page.getByTestId('toast')).toContainText('Đã lưu email nhận thông báo.');
  await expect(page.getByTestId('notify-email-current')).toContainText('truc.e2e@gmail.com');
  await expectAccessible(page);

  await page.getByRole('button', { name: 'Rút lại đồng ý và xóa email' }).click();
  await expect(page.getByTestId('toast')).toContainText('Đã rút lại đồng ý và xóa email nhận thông báo.');
  await expect(page.getByTestId('notify-email-current')).toHaveCount(0);
});

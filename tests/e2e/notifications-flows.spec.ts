/**
 * Issue 21 end to end, as people use it:
 * 1. the school Union returns a piece of evidence with a reason; the demo student sees the
 *    bell's count go up, reads the notice with the reason and follows it to her submissions;
 * 2. the admin runs the weekly digest from /admin/jobs; the province's digest mail in the
 *    outbox lists a case that the board's "overdue only" filter shows;
 * 3. a school user who switched "Quá hạn" off does not get that kind of notice (a colleague
 *    who did not, does).
 */
import { randomUUID } from 'node:crypto';
import { Notification } from '../../models/notification';
import { User } from '../../models/user';
import { notify } from '../../app/utils/notifications/notify.server';
import { expect, expectAccessible, openPortal, test } from './fixtures';
import { findInOutbox, JOB, runJobNow, connectToAppDatabase } from './notification-flows';

connectToAppDatabase();

test('a returned evidence item appears in the student’s notification centre', async ({
  page,
  login,
  memberAt,
}) => {
  test.setTimeout(120_000);
  const title = `Hiến máu tình nguyện (e2e ${randomUUID().slice(0, 8)})`;
  const reason = 'Ảnh minh chứng bị mờ, vui lòng nộp bản rõ hơn';

  // A student of the demo school of its own (the demo student's first sign-in is sign-in.spec.ts's)
  // submits evidence, having read everything older (so the count is known).
  const student = await memberAt('member');
  await login(student);
  await openPortal(page);
  await page.goto('/notifications');
  await expect(page.getByRole('heading', { level: 1, name: 'Thông báo' })).toBeVisible();
  // The button is there only while something is unread.
  const readAll = page.getByRole('button', { name: 'Đánh dấu tất cả là đã đọc' });
  if ((await readAll.count()) > 0) await readAll.click();
  await expect(page.getByRole('link', { name: 'Thông báo, không có thông báo chưa đọc' })).toBeVisible();
  await page.goto('/me/submissions');
  await page.getByLabel('Loại minh chứng').selectOption('activity');
  await page.getByLabel('Tên khen thưởng hoặc chiến dịch').fill(title);
  await page.getByLabel('Ngày (ngày quyết định hoặc ngày tham gia)').fill('2026-09-02');
  await page.getByLabel('Số ngày tham gia').fill('1');
  await page
    .getByLabel('Minh chứng (số quyết định, đơn vị cấp, người xác nhận…)')
    .fill('Giấy chứng nhận hiến máu');
  await page
    .getByLabel('Tệp minh chứng (JPG, PNG hoặc PDF, tối đa 5 MB). Không tải ảnh CCCD.')
    .setInputFiles({
      name: 'hien-mau.pdf',
      mimeType: 'application/pdf',
      buffer: Buffer.from('%PDF-1.4 e2e'),
    });
  await page.getByRole('button', { name: 'Gửi minh chứng' }).click();
  await expect(page.getByText('Đã gửi minh chứng. Đoàn trường sẽ xác minh.')).toBeVisible();

  // The school Union returns it with a reason, through its queue.
  await login('school_union');
  await page.goto('/school/submissions');
  const item = page.getByTestId('queue').locator('li', { hasText: title });
  await item.getByLabel('Lý do trả lại').fill(reason);
  await item.getByRole('button', { name: 'Trả lại', exact: true }).click();
  await expect(page.getByText('Đã trả lại kèm lý do.')).toBeVisible();

  // The student: the bell counts it on any page, the centre shows it with the reason.
  await login(student);
  await page.goto('/me');
  const bell = page.getByRole('link', { name: '1 thông báo chưa đọc' });
  await expect(bell).toBeVisible();
  await expect(bell.getByTestId('bell-count')).toHaveText('1');
  await bell.click();
  await expect(page).toHaveURL(/\/notifications$/);
  const notice = page.getByTestId('notification').filter({ hasText: title });
  await expect(notice).toContainText(`Minh chứng “${title}” bị trả lại`);
  await expect(notice).toContainText(`Lý do: ${reason}`);
  await expect(notice).toContainText('Chưa đọc');
  await expectAccessible(page);

  // Following it marks it read and opens her submissions, where it shows returned.
  await notice.getByRole('button', { name: `Minh chứng “${title}” bị trả lại` }).click();
  await expect(page).toHaveURL(/\/me\/submissions$/);
  await expect(page.getByRole('link', { name: 'Thông báo, không có thông báo chưa đọc' })).toBeVisible();
  const mine = page.getByTestId('submissions').locator('li', { hasText: title });
  await expect(mine).toContainText('Bị trả lại');
  await expect(mine).toContainText(reason);
});

test('an overdue case appears in the province’s weekly digest in the outbox', async ({ page, login }) => {
  test.setTimeout(300_000);
  // A case the province's board lists as overdue (the demo data has several).
  await login('province_union');
  await page.goto('/pipeline?overdue=1');
  const overdue = page.locator('main a[href^="/members/"]').first();
  await expect(overdue).toBeVisible();
  const name = (await overdue.innerText()).trim();
  expect(name.length).toBeGreaterThan(3);

  await login('admin');
  await runJobNow(page, JOB.weeklyDigest.name, JOB.weeklyDigest.label);
  // The digest asks the mail job to run; pressing it too does not wait for its 30 s.
  await runJobNow(page, JOB.mail.name, JOB.mail.label);
  const href = await findInOutbox(page, 'tinhdoan@demo.vn', 'Tổng hợp tuần');
  const frameDocument = page.waitForResponse((r) => /\/admin\/outbox\/[0-9a-f]{24}\/html$/.test(r.url()));
  await page.goto(href);
  const message = page.getByTestId('outbox-message');
  await expect(message.getByRole('heading', { level: 2 })).toContainText('Tổng hợp tuần');
  await expect(message).toContainText('tinhdoan@demo.vn');
  await expect(message).toContainText('Tổng hợp hằng tuần');
  const text = page.getByTestId('outbox-text');
  await expect(text).toContainText(/Quá hạn: [1-9]\d*/);
  await expect(text).toContainText(name);
  await expect(text).toContainText(/quá hạn \d+ ngày làm việc/);
  await expect(text).toContainText('/unsubscribe/');
  // The HTML body, in its sandboxed frame, lists the same case.
  const frame = page.frameLocator('[data-testid="outbox-html"]');
  await expect(frame.getByText(name).first()).toBeVisible();
  // The frame's document carries one policy, its own (no script, no request, inline styles
  // allowed), so the mail's styles apply there as in a mail client.
  const policies = (await (await frameDocument).headersArray()).filter(
    (h) => h.name.toLowerCase() === 'content-security-policy',
  );
  expect(policies).toHaveLength(1);
  expect(policies[0].value).toContain("default-src 'none'");
  expect(policies[0].value).toContain("style-src 'unsafe-inline'");
  expect(policies[0].value).toContain('sandbox');
  const font = await frame.locator('body').evaluate((b) => getComputedStyle(b).fontFamily);
  expect(font).toContain('Arial');
  await expectAccessible(page, { frames: false });
});

test('a school user who switched "Quá hạn" off gets no such notice', async ({ page, login }) => {
  await login('school_union');
  await page.goto('/settings/notifications');
  const group = page.getByRole('group', { name: 'Quá hạn', exact: true });
  await group.getByRole('radio', { name: 'Tắt' }).check();
  await page.getByRole('button', { name: 'Lưu cài đặt' }).click();
  await expect(page.getByTestId('toast')).toContainText('Đã lưu cài đặt nhận thông báo.');
  await expect(
    page.getByRole('group', { name: 'Quá hạn', exact: true }).getByRole('radio', { name: 'Tắt' }),
  ).toBeChecked();

  try {
    // One step_overdue notice for both school users: only the Party's committee, which kept
    // the default, gets it.
    const [union, party] = await Promise.all(
      ['doantruong.pvd@demo.vn', 'danguy.pvd@demo.vn'].map(
        async (email) => (await User.findOne({ email }).lean())!,
      ),
    );
    const eventKey = `e2e:overdue-off:${randomUUID().slice(0, 8)}`;
    const created = await notify(
      [
        {
          kind: 'step_overdue',
          eventKey,
          audience: { type: 'users', userIds: [String(union._id), String(party._id)] },
          title: { key: 'notifications.sample.title', params: { n: 7 } },
          body: { key: 'notifications.sample.body' },
          link: '/pipeline',
        },
      ],
      { now: new Date() },
    );
    expect(created).toBe(1);
    expect(await Notification.countDocuments({ eventKey, userId: party._id })).toBe(1);
    expect(await Notification.countDocuments({ eventKey, userId: union._id })).toBe(0);

    // Nothing of the kind in the Union's centre.
    await page.goto('/notifications?kind=step_overdue');
    await expect(page.getByText('Thông báo thử nghiệm số 7')).toHaveCount(0);
    // The committee sees it.
    await login('school_party');
    await page.goto('/notifications?kind=step_overdue');
    await expect(
      page.getByTestId('notification').filter({ hasText: 'Thông báo thử nghiệm số 7' }),
    ).toHaveCount(1);
  } finally {
    // Back to the default, so the other specs see the demo account as seeded.
    await User.updateOne(
      { email: 'doantruong.pvd@demo.vn' },
      { $unset: { 'notificationPreferences.step_overdue': 1 } },
    );
  }
});

/**
 * The student's journey on a phone first: consent at first sign-in (an unticked box
 * gets its message), then the portal with the stage, the criteria (✓/✗), next steps
 * and deadlines; the JSON download, the printable page, a correction request, and
 * withdrawing consent (explained, confirmed with its own box; the record is then paused).
 * Each test has a student of its own (`memberAt`), so none waits for another.
 */
import { readFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { type Page } from '@playwright/test';
import { expect, expectAccessible, openPortal, test } from './fixtures.ts';

/** At 'dossier', what the portal says comes next and who does it. */
const AT_DOSSIER = { stage: 'Lập hồ sơ', step: 'Hoàn thiện hồ sơ xin vào Đảng', actor: 'Đoàn trường' };

async function noHorizontalOverflow(page: Page) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
}

test('a student consents, follows their record, downloads it and withdraws consent', async ({
  page,
  login,
  memberAt,
}) => {
  test.setTimeout(120_000);
  const student = await memberAt('dossier', { consent: 'none' });
  await page.setViewportSize({ width: 360, height: 740 });
  await login(student);

  // First visit: the versioned consent text, with an unticked box.
  await page.goto('/me');
  await expect(page).toHaveURL(/\/me\/consent$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Đồng ý xử lý dữ liệu cá nhân' })).toBeVisible();
  const box = page.getByLabel('Tôi đã đọc và đồng ý với nội dung trên.');
  await expect(box).not.toBeChecked();
  await expectAccessible(page);
  await page.screenshot({ path: 'test-results/student-consent-360.png', fullPage: true });

  await page.getByRole('button', { name: 'Xác nhận đồng ý' }).click();
  await expect(page.getByText('Bạn cần đánh dấu ô này để đồng ý.')).toBeVisible();
  await expect(page).toHaveURL(/\/me\/consent$/);
  await expectAccessible(page);

  await box.check();
  await page.getByRole('button', { name: 'Xác nhận đồng ý' }).click();
  await expect(page).toHaveURL(/\/me$/);

  // The portal at phone width, at the stage the fixture took her to.
  await expect(page.getByRole('heading', { level: 1, name: 'Hồ sơ của tôi' })).toBeVisible();
  const expected = AT_DOSSIER;
  await expect(page.getByTestId('current-stage')).toHaveText(expected.stage);
  const steps = page.getByTestId('stage-progress');
  await expect(steps.locator('[aria-current="step"]')).toContainText(expected.stage);
  await expect(steps.locator('li').first()).toContainText('Đã xong');
  const rules = page.getByTestId('criteria-rules').locator('li');
  expect(await rules.count()).toBeGreaterThan(0);
  for (const text of await rules.allTextContents()) expect(text).toMatch(/^[✓✗]/);
  await expect(page.getByTestId('next-steps')).toContainText(expected.step);
  await expect(page.getByTestId('next-actor')).toHaveText(expected.actor);
  await expect(page.getByRole('heading', { name: 'Thời hạn sắp tới' })).toBeVisible();
  await expect(page.getByTestId('deadlines')).toContainText(/Hạn: \d{2}\/\d{2}\/\d{4}/);
  await expect(page.getByTestId('checklist')).toContainText(
    'Giấy chứng nhận lớp bồi dưỡng nhận thức về Đảng',
  );
  await noHorizontalOverflow(page);
  await expectAccessible(page);
  await page.screenshot({ path: 'test-results/student-me-360.png', fullPage: true });

  // Desktop: the steps run across the page.
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.screenshot({ path: 'test-results/student-me-1280.png', fullPage: true });
  await expectAccessible(page);

  // The JSON download holds the student's own record.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Tải toàn bộ dữ liệu (JSON)' }).click(),
  ]);
  const file = await download.path();
  const json = JSON.parse(await readFile(file!, 'utf8'));
  expect(json.member.fullName).toBe(student.name);

  // A correction request is stored and shown as sent.
  await page.getByLabel('Thông tin cần sửa').selectOption('phone');
  await page.getByLabel('Điều gì đang sai?').fill('Số điện thoại đã đổi');
  await page.getByLabel('Giá trị đúng (nếu có)').fill('0905123456');
  await page.getByRole('button', { name: 'Gửi yêu cầu' }).click();
  await expect(page.getByText('Đã gửi yêu cầu sửa thông tin.')).toBeVisible();
  await expect(page.getByTestId('corrections')).toContainText('Đã gửi ngày');

  // The printable page.
  await page.getByRole('link', { name: 'Xem bản in hồ sơ' }).click();
  await expect(page).toHaveURL(/\/me\/print$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Hồ sơ đoàn viên' })).toBeVisible();
  await expectAccessible(page);
  await page.emulateMedia({ media: 'print' });
  await page.screenshot({ path: 'test-results/student-print-1280.png', fullPage: true });
  await page.emulateMedia({ media: 'screen' });

  // Withdrawing consent says what it does (Law 91/2025), needs its own box ticked, then
  // brings the consent page back with the record paused; /me sends there too.
  await page.goto('/me/consent');
  await expect(page.getByTestId('consent-given')).toBeVisible();
  await expect(page.getByText('Luật Bảo vệ dữ liệu cá nhân số 91/2025/QH15')).toBeVisible();
  await expectAccessible(page);
  await page.getByRole('button', { name: 'Rút lại đồng ý' }).click();
  await expect(page.getByText('Bạn cần đánh dấu ô này để xác nhận rút lại đồng ý.')).toBeVisible();
  await expect(page).toHaveURL(/\/me\/consent$/);
  await page.getByLabel('Tôi hiểu hồ sơ của tôi sẽ tạm dừng xử lý và muốn rút lại đồng ý.').check();
  await page.getByRole('button', { name: 'Rút lại đồng ý' }).click();
  await expect(page).toHaveURL(/\/me\/consent\?withdrawn=1$/);
  await expect(page.getByTestId('consent-paused')).toContainText('Hồ sơ đang tạm dừng xử lý');
  await expect(page.getByRole('button', { name: 'Xác nhận đồng ý' })).toBeVisible();
  await page.goto('/me');
  await expect(page).toHaveURL(/\/me\/consent$/);
});

test('while her consent is withdrawn, the school sees the pause and cannot record a step', async ({
  page,
  login,
  memberAt,
}) => {
  // Issue 16, path 6: the student was told "tạm dừng"; staff are told too, and held to it.
  const student = await memberAt('outstanding');
  await login(student);
  await openPortal(page);
  await page.goto('/me/consent');
  await page.getByLabel('Tôi hiểu hồ sơ của tôi sẽ tạm dừng xử lý và muốn rút lại đồng ý.').check();
  await page.getByRole('button', { name: 'Rút lại đồng ý' }).click();
  await expect(page).toHaveURL(/\/me\/consent\?withdrawn=1$/);

  await page.setViewportSize({ width: 1280, height: 900 });
  await login('school_party');
  await page.goto('/members?q=' + encodeURIComponent(student.name));
  // Names repeat in a province: her row is the one linking to her record.
  await page.getByRole('rowheader').locator(`a[href="${student.path}"]`).click();
  await page
    .getByRole('navigation', { name: 'Các mục của hồ sơ' })
    .getByRole('link', { name: 'Quy trình' })
    .click();
  await expect(page.getByRole('heading', { level: 2, name: 'Các bước kết nạp' })).toBeVisible();
  await expect(page.getByTestId('consent-paused')).toContainText(
    'Đoàn viên đã rút lại đồng ý xử lý dữ liệu cá nhân ngày',
  );
  await expect(page.getByTestId('consent-paused')).toContainText('91/2025/QH15');
  // Every step the committee could record is shut, with the reason, before anyone tries.
  const first = page.locator('[data-testid^="transition-"]').first();
  await expect(first).toBeVisible();
  await expect(first.getByTestId('duty-blocked')).toContainText('rút lại sự đồng ý xử lý dữ liệu cá nhân');
  await expect(first.getByRole('button', { name: 'Ghi nhận' })).toBeDisabled();
  await expectAccessible(page);
  await page.screenshot({ path: 'test-results/consent-paused-staff-1280.png', fullPage: false });
});

test('a student submits evidence, the school Union approves it, the student sees it approved', async ({
  page,
  login,
  memberAt,
}) => {
  const student = await memberAt('member');
  // Unique, so the school's queue never holds two of them, whatever ran before on this data.
  const title = `Mùa hè xanh 2026 (e2e ${randomUUID().slice(0, 8)})`;
  await page.setViewportSize({ width: 360, height: 740 });
  await login(student);
  await openPortal(page);

  // At some stages the link is also among the next steps: either one opens the same page.
  await page.getByRole('link', { name: 'Nộp minh chứng khen thưởng, hoạt động tình nguyện' }).first().click();
  await expect(page.getByRole('heading', { level: 1, name: 'Nộp minh chứng' })).toBeVisible();
  // Nothing filled in: messages beside the fields, nothing sent.
  await page.getByRole('button', { name: 'Gửi minh chứng' }).click();
  await expect(page.getByText('Vui lòng nhập tên (ít nhất 3 ký tự).')).toBeVisible();
  await page.getByLabel('Loại minh chứng').selectOption('activity');
  await page.getByLabel('Tên khen thưởng hoặc chiến dịch').fill(title);
  await page.getByLabel('Ngày (ngày quyết định hoặc ngày tham gia)').fill('2026-07-10');
  await page.getByLabel('Số ngày tham gia').fill('12');
  await page
    .getByLabel('Minh chứng (số quyết định, đơn vị cấp, người xác nhận…)')
    .fill('Xác nhận của đội trưởng');
  await page
    .getByLabel('Tệp minh chứng (JPG, PNG hoặc PDF, tối đa 5 MB). Không tải ảnh CCCD.')
    .setInputFiles({
      name: 'mua-he-xanh.pdf',
      mimeType: 'application/pdf',
      buffer: Buffer.from('%PDF-1.4 e2e'),
    });
  await page.getByRole('button', { name: 'Gửi minh chứng' }).click();
  await expect(page.getByText('Đã gửi minh chứng. Đoàn trường sẽ xác minh.')).toBeVisible();
  await expect(page.getByRole('link', { name: 'Tệp: mua-he-xanh.pdf' }).first()).toBeVisible();
  const mine = page.getByTestId('submissions').locator('li', { hasText: title });
  // "Submitted" is never shown as approved.
  await expect(mine).toContainText('Đã gửi, chờ Đoàn trường xác minh');
  await expectAccessible(page);
  await page.screenshot({ path: 'test-results/student-submissions-360.png', fullPage: true });
  await page.setViewportSize({ width: 1280, height: 900 });

  await login('school_union');
  await page.goto('/school');
  await page.getByRole('link', { name: 'Minh chứng', exact: true }).click();
  await expect(page).toHaveURL(/\/school\/submissions$/);
  const item = page.getByTestId('queue').locator('li', { hasText: title });
  await expect(item).toContainText(student.name);
  await expect(item.getByRole('link', { name: 'Tệp: mua-he-xanh.pdf' })).toBeVisible();
  await expectAccessible(page);
  await page.screenshot({ path: 'test-results/student-queue-1280.png', fullPage: true });
  await item.getByRole('button', { name: 'Duyệt' }).click();
  await expect(page.getByText('Đã duyệt và ghi vào hồ sơ.')).toBeVisible();

  // Back as the student, whose consent still stands: /me opens, not the notice.
  await login(student);
  await page.goto('/me');
  await expect(page).toHaveURL(/\/me$/);
  await page.goto('/me/submissions');
  await expect(page.getByTestId('submissions').locator('li', { hasText: title })).toContainText(
    'Đã được duyệt và ghi vào hồ sơ',
  );
});

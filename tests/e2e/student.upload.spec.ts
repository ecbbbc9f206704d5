/**
 * What a browser alone can show (issue 18): a file over 5 MB is refused beside the field
 * with no request sent, and at 360 px every value of the identity card on /me stays inside
 * the card. Screenshots of /me at 360 and 1280 px. Each test has a student of its own.
 */
import { expect, openPortal, test } from './fixtures.ts';

test('a file over 5 MB is refused in the browser: a message beside the field, nothing sent', async ({
  page,
  login,
  memberAt,
}) => {
  await page.setViewportSize({ width: 360, height: 740 });
  await login(await memberAt('member'));
  await openPortal(page);
  await page.goto('/me/submissions');
  await page.getByLabel('Loại minh chứng').selectOption('activity');
  await page.getByLabel('Tên khen thưởng hoặc chiến dịch').fill('Tệp quá lớn (e2e)');
  await page.getByLabel('Ngày (ngày quyết định hoặc ngày tham gia)').fill('2026-07-10');
  await page.getByLabel('Số ngày tham gia').fill('3');
  await page
    .getByLabel('Minh chứng (số quyết định, đơn vị cấp, người xác nhận…)')
    .fill('Xác nhận của đội trưởng');
  const big = Buffer.alloc(5 * 1024 * 1024 + 1);
  big.write('%PDF-1.4');
  await page
    .getByLabel('Tệp minh chứng (JPG, PNG hoặc PDF, tối đa 5 MB). Không tải ảnh CCCD.')
    .setInputFiles({ name: 'lon.pdf', mimeType: 'application/pdf', buffer: big });
  const posts: string[] = [];
  page.on('request', (r) => {
    if (r.method() === 'POST') posts.push(r.url());
  });
  await page.getByRole('button', { name: 'Gửi minh chứng' }).click();
  await expect(
    page.getByText('Tệp lớn hơn 5 MB nên chưa được gửi. Vui lòng chọn tệp nhỏ hơn.'),
  ).toBeVisible();
  expect(posts).toEqual([]);
});

test('/me at 360 px: the identity card’s values stay inside the card', async ({ page, login, memberAt }) => {
  await page.setViewportSize({ width: 360, height: 740 });
  await login(await memberAt('member'));
  await openPortal(page);
  await page.goto('/me');
  const card = page.locator('dl.facts');
  await expect(card).toBeVisible();
  const box = (await card.boundingBox())!;
  const values = card.locator('dd');
  expect(await values.count()).toBeGreaterThanOrEqual(4);
  for (const dd of await values.all()) {
    // The text itself (a range), not the dd's box, which the grid sizes either way.
    const text = await dd.evaluate((el) => {
      const range = document.createRange();
      range.selectNodeContents(el);
      const r = range.getBoundingClientRect();
      return { left: r.left, right: r.right };
    });
    expect(text.left).toBeGreaterThanOrEqual(box.x - 0.5);
    expect(text.right).toBeLessThanOrEqual(box.x + box.width + 0.5);
  }
  await page.screenshot({ path: 'test-results/student-me-360.png', fullPage: true });
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.screenshot({ path: 'test-results/student-me-1280.png', fullPage: true });
});

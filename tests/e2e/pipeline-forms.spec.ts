/**
 * The Quy trình tab's own forms (conform): a bad value gets its Vietnamese message beside
 * the field as soon as the field is left, and a submit with it is stopped in the browser,
 * the keyboard on the field to fix, without any request to the server. Nothing is saved,
 * so the spec leaves the data as it found it.
 */
import { type Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { daysAgo, openFirstRowPipeline } from './pipeline-steps';

/** Counts the POSTs the page sends from now on (a round trip to the action). */
function countPosts(page: Page) {
  const posts: string[] = [];
  page.on('request', (request) => {
    if (request.method() === 'POST') posts.push(request.url());
  });
  return posts;
}

test('the dossier editor refuses a future date beside the box, without a round trip', async ({
  page,
  login,
}) => {
  await login('school_party');
  await openFirstRowPipeline(page, '/members?stage=member');
  const posts = countPosts(page);

  await page.getByText('Cập nhật ngày nhận, ngày thẩm tra').click();
  const opinions = page.getByRole('group', { name: /^5-KNĐ / });
  const received = opinions.getByLabel('Ngày nhận');
  await received.fill(daysAgo(-2));
  await received.blur();
  await expect(received).toHaveAttribute('aria-invalid', 'true');
  await expect(opinions.getByText('Ngày không được sau hôm nay.')).toBeVisible();

  // Submitting is stopped in the browser: the keyboard goes back to the box.
  await page.getByRole('button', { name: 'Lưu hồ sơ giấy' }).click();
  await expect(received).toBeFocused();
  await expect(page.getByText('Chưa lưu được hồ sơ giấy, vì có ô chưa hợp lệ (xem bên dưới).')).toBeVisible();

  // Corrected, the message goes as the box changes.
  await received.fill(daysAgo(1));
  await expect(opinions.getByText('Ngày không được sau hôm nay.')).toHaveCount(0);
  await expect(received).not.toHaveAttribute('aria-invalid', 'true');
  expect(posts).toEqual([]);
});

test('the province note asks for its text beside the box, without a round trip', async ({ page, login }) => {
  await login('province_union');
  await openFirstRowPipeline(page, '/members?stage=member');
  const posts = countPosts(page);

  const notes = page.getByTestId('review-notes');
  const text = notes.getByLabel(/Nội dung/);
  await text.focus();
  await text.blur();
  await expect(text).toHaveAttribute('aria-invalid', 'true');
  await expect(notes.getByText('Nhập nội dung.')).toBeVisible();
  await notes.getByRole('button', { name: 'Gửi' }).click();
  await expect(text).toBeFocused();
  expect(posts).toEqual([]);
});

/**
 * The unit editor's submit after a field was left for the button: the field's own message
 * (two lines under "Mã đơn vị") once pushed the button from under the click, so the form
 * was never checked as a whole (/tmp/conform-rootcause.md; useBlurCheck in forms.tsx).
 */
import { expect, test } from '@playwright/test';
import { signIn } from './fixtures.ts';

test('a field left for the submit button: the click submits, every blank required field says so, nothing is sent', async ({
  page,
}) => {
  await signIn(page, 'admin@demo.vn');
  await page.waitForURL('**/admin');
  await page.goto('/admin/units/new');
  const posts: string[] = [];
  page.on('request', (r) => {
    if (r.method() === 'POST') posts.push(r.url());
  });
  const submit = page.getByRole('button', { name: 'Tạo đơn vị' });
  const form = page.locator('form').filter({ has: submit });
  // The blank fields the browser checks (the parent is the server's: it depends on the kind).
  const blank = ['name', 'code'];
  await page.getByLabel('Mã đơn vị').focus();
  await submit.click();
  for (const name of blank) {
    const control = form.locator(`[name="${name}"]`);
    await expect(control, name).toHaveAttribute('aria-invalid', 'true');
  }
  await expect(page).toHaveURL(/\/admin\/units\/new$/);
  expect(posts).toEqual([]);
});

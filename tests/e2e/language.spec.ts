/**
 * The message catalogue comes with the page, once (root.tsx): the app's own data requests
 * leave it out, and a language that changes without a page load (signing in restores the
 * user's own) loads the page again in that language.
 */
import { expect, test } from '@playwright/test';
import { signIn } from './fixtures';

test('a filter change fetches data without the message catalogue and stays in Vietnamese', async ({
  page,
}) => {
  await signIn(page, 'doantruong.pvd@demo.vn');
  await expect(page).toHaveURL(/\/school$/);
  await page.goto('/members');
  const dataBodies: string[] = [];
  page.on('response', (response) => {
    if (!new URL(response.url()).pathname.endsWith('.data')) return;
    // A data request the page moved past (a newer one replaced it) has no body left to read;
    // every one that completed is checked, and at least one must have.
    response.text().then(
      (body) => dataBodies.push(body),
      () => undefined,
    );
  });
  await page.getByLabel('Số dòng mỗi trang').selectOption('25');
  await expect(page).toHaveURL(/25/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Đoàn viên');
  await expect.poll(() => dataBodies.length).toBeGreaterThan(0);
  // The sign-in page's words are in the catalogue, nowhere in the member list's data.
  for (const body of dataBodies) expect(body).not.toContain('Đăng nhập bằng tài khoản được đơn vị cấp');
  await expect(page.locator('html')).toHaveAttribute('lang', 'vi');
});

test('signing in restores the user’s own language, with its catalogue', async ({ page, context }) => {
  await signIn(page, 'tinhdoan@demo.vn');
  await expect(page).toHaveURL(/\/province$/);
  try {
    // Stored on the account as well as in the browser's cookie.
    await page.getByRole('button', { name: 'English' }).click();
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page).toHaveURL(/\/login/);
    await context.clearCookies();
    await signIn(page, 'tinhdoan@demo.vn');
    await expect(page.getByRole('heading', { level: 1, name: 'Provincial Youth Union' })).toBeVisible();
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  } finally {
    // Back to Vietnamese on the account, for the other specs, whatever happened above.
    await page.request.post('/settings/locale', { form: { locale: 'vi', redirectTo: '/' } });
  }
  await page.goto('/province');
  await expect(page.getByRole('heading', { level: 1, name: 'Tỉnh đoàn' })).toBeVisible();
});

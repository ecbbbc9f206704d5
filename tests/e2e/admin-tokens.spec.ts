import { expect, test } from './fixtures.ts';

test.use({ permissions: ['clipboard-read', 'clipboard-write'] });

test('a new API token: the form is empty again, the token is shown once with a working copy button', async ({
  page,
  context,
  baseURL,
  login,
}) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseURL });
  await login('admin');
  await page.goto('/admin');
  await page.waitForURL('**/admin');
  await page.goto('/admin/tokens');
  const name = `Cổng thông tin ${Date.now()}`;
  await page.locator('#token-name').fill(name);
  await page.locator('#token-unit').selectOption({ index: 1 });
  await page.getByRole('button', { name: 'Tạo mã' }).click();

  await expect(page.getByRole('heading', { name: `Đã tạo mã “${name}”` })).toBeVisible();
  // The form starts over: no name or unit left from the token just made.
  await expect(page.locator('#token-name')).toHaveValue('');
  await expect(page.locator('#token-unit')).toHaveValue('');

  const secret = await page.getByTestId('token-secret').inputValue();
  expect(secret.length).toBeGreaterThan(20);
  const copy = page.getByRole('button', { name: 'Sao chép' });
  await expect(copy).toBeVisible();
  await copy.click();
  const status = page.getByTestId('copy-status');
  await expect(status).toHaveText('Đã sao chép');
  await expect(status).toHaveAttribute('aria-live', 'polite');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
});

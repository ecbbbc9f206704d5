import { expect, test } from '@playwright/test';
import { DEMO_ACCOUNTS, expectAccessible, signIn } from './fixtures.ts';

test('the sign-in page is accessible and refuses a wrong password with one message', async ({ page }) => {
  await page.goto('/');
  await expect(page).toHaveURL(/\/login/);
  await expectAccessible(page);

  await signIn(page, 'tinhdoan@demo.vn', 'wrong-password');
  await expect(page.getByText('Email hoặc mật khẩu không đúng.')).toBeVisible();
  await signIn(page, 'nobody@demo.vn', 'wrong-password');
  await expect(page.getByText('Email hoặc mật khẩu không đúng.')).toBeVisible();

  // Empty fields get messages beside them, not a server error.
  await page.goto('/login');
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await expect(page.getByText('Vui lòng nhập mật khẩu.')).toBeVisible();
  // The keyboard goes to the first field to fix, then to the next one once that is filled.
  await expect(page.locator('input[name="email"]')).toBeFocused();
  await page.locator('input[name="email"]').fill('tinhdoan@demo.vn');
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await expect(page.locator('input[name="password"]')).toBeFocused();
});

for (const account of DEMO_ACCOUNTS) {
  test(`${account.role} signs in, lands on its home, and signs out`, async ({ page }) => {
    await signIn(page, account.email);
    // The demo student has not consented (the seed leaves her so, and no spec signs her in
    // elsewhere: student specs claim students of their own): /me sends her to the notice first.
    const landing = account.role === 'student' ? '/me/consent' : account.home;
    await expect(page).toHaveURL(new RegExp(`${landing}$`));
    await expect(page.getByRole('main')).toBeVisible();
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    await expectAccessible(page);
    await page.screenshot({ path: `test-results/home-${account.role}-1280.png`, fullPage: true });

    await page.getByRole('button', { name: 'Đăng xuất' }).first().click();
    await expect(page).toHaveURL(/\/login/);
    await page.goto(account.home);
    await expect(page).toHaveURL(/\/login/);
  });
}

test('unknown pages get a friendly 404', async ({ page }) => {
  const response = await page.goto('/khong-co-trang-nay');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await expectAccessible(page);
});

test('the home works at phone width', async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 740 });
  await signIn(page, 'doantruong.pvd@demo.vn');
  await expect(page).toHaveURL(/\/school$/);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await page.screenshot({ path: 'test-results/school-home-360.png', fullPage: true });
  await expectAccessible(page);
});

test('the language switches to English and back', async ({ page }) => {
  await signIn(page, 'tinhdoan@demo.vn');
  await expect(page).toHaveURL(/\/province$/);
  await page.getByRole('button', { name: 'English' }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByRole('heading', { level: 1, name: 'Provincial Youth Union' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
  await expectAccessible(page);
  await page.getByRole('button', { name: 'Tiếng Việt' }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'vi');
  await expect(page.getByRole('heading', { level: 1, name: 'Tỉnh đoàn' })).toBeVisible();
});

test('at 1280 px the header menu stays on one line in Vietnamese and in English', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await signIn(page, 'admin@demo.vn');
  await expect(page).toHaveURL(/\/admin$/);
  const oneLine = async () => {
    const nav = page.getByRole('navigation', { name: /./ }).first();
    const tops = await page
      .locator('.nav-list a')
      .evaluateAll((links) => links.map((a) => Math.round(a.getBoundingClientRect().top)));
    expect(tops.length).toBeGreaterThan(5);
    expect(new Set(tops).size, 'nav items on one line').toBe(1);
    // Each item on one line: no link taller than one line of text.
    const heights = await page
      .locator('.nav-list a')
      .evaluateAll((links) => links.map((a) => a.getBoundingClientRect().height));
    expect(Math.max(...heights)).toBeLessThan(48);
    // The language switch, the name and sign-out share one line too.
    const tools = await page
      .locator('.header-tools > *')
      .evaluateAll((els) => els.map((e) => Math.round(e.getBoundingClientRect().bottom)));
    expect(Math.max(...tools) - Math.min(...tools)).toBeLessThan(24);
    await expect(nav).toBeVisible();
  };
  await oneLine();
  await page.getByRole('button', { name: 'English' }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await oneLine();
  await page.screenshot({ path: 'test-results/admin-header-1280-en.png' });
  await page.getByRole('button', { name: 'Tiếng Việt' }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'vi');
});

test('the home page’s stage counts open the member list filtered by that stage', async ({ page }) => {
  await signIn(page, 'doantruong.pvd@demo.vn');
  await expect(page).toHaveURL(/\/school$/);
  const link = page.locator('a[data-testid^="stage-count-"]').first();
  await expect(link).toBeVisible();
  const stage = (await link.getAttribute('data-testid'))!.replace('stage-count-', '');
  const count = Number((await link.innerText()).replace(/\D/g, ''));
  expect(count).toBeGreaterThan(0);
  await link.click();
  await expect(page).toHaveURL(new RegExp(`/members\\?stage=${stage}$`));
  await expect(page.getByTestId('member-count')).toHaveAttribute('data-count', String(count));
});

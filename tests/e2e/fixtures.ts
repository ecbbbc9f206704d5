/**
 * Shared end-to-end helpers: the demo accounts, signing in through the real form,
 * and an axe scan that fails on serious or critical findings.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';

export const DEMO_PASSWORD = 'demo1234';

export const DEMO_ACCOUNTS = [
  { email: 'admin@demo.vn', role: 'admin', home: '/admin' },
  { email: 'tinhdoan@demo.vn', role: 'province_union', home: '/province' },
  { email: 'doantruong.pvd@demo.vn', role: 'school_union', home: '/school' },
  { email: 'danguy.pvd@demo.vn', role: 'school_party', home: '/school' },
  { email: 'sinhvien@demo.vn', role: 'student', home: '/me' },
] as const;

export async function signIn(page: Page, email: string, password = DEMO_PASSWORD) {
  await page.goto('/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Mật khẩu').fill(password);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
}

export async function expectAccessible(page: Page) {
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(serious, `accessibility findings on ${page.url()}`).toEqual([]);
}

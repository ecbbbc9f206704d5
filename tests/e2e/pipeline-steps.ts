/**
 * What the pipeline specs share: Vietnam days relative to today, the
 * step forms of the Quy trình tab, and the paper steps a candidate goes through before the
 * chi bộ vote (the awareness class, the dossier, the introduction, the 5-KNĐ opinions).
 * Switching accounts is the `login` fixture (fixtures.ts).
 */
import { expect, type Page } from '@playwright/test';

/** `YYYY-MM-DD` of the Vietnam day `n` days before today. */
export function daysAgo(n: number): string {
  return new Date(Date.now() + 7 * 3_600_000 - n * 86_400_000).toISOString().slice(0, 10);
}

/** `dd/mm/yyyy`, as the app writes a day. */
export const vnDate = (iso: string) => `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;

/** Opens a member's Quy trình tab (`/members/<id>/pipeline`). */
export async function openPipelineTab(page: Page, path: string) {
  await page.goto(path);
  await expect(page.getByRole('heading', { level: 2, name: 'Các bước kết nạp' })).toBeVisible();
}

/** From a list of members, the first row's Quy trình tab; returns its path. */
export async function openFirstRowPipeline(
  page: Page,
  listUrl: string,
): Promise<{ path: string; name: string }> {
  await page.goto(listUrl);
  const first = page.getByRole('rowheader').first().getByRole('link');
  const name = (await first.textContent())!.trim();
  await first.click();
  await page
    .getByRole('navigation', { name: 'Các mục của hồ sơ' })
    .getByRole('link', { name: 'Quy trình' })
    .click();
  await expect(page).toHaveURL(/\/members\/[0-9a-f]{24}\/pipeline$/);
  return { path: new URL(page.url()).pathname, name };
}

/**
 * Finds `member` in the list by name, opens its record (names repeat in a province: the
 * row linking to its path) and then its Quy trình tab; returns the tab's path.
 */
export async function openMemberPipeline(
  page: Page,
  member: { name: string; path: string },
): Promise<string> {
  await page.goto('/members?q=' + encodeURIComponent(member.name));
  await page.getByRole('rowheader').locator(`a[href="${member.path}"]`).click();
  await page
    .getByRole('navigation', { name: 'Các mục của hồ sơ' })
    .getByRole('link', { name: 'Quy trình' })
    .click();
  await expect(page).toHaveURL(new RegExp(`${member.path}/pipeline$`));
  return `${member.path}/pipeline`;
}

export const stepForm = (page: Page, id: string) => page.getByTestId(`transition-${id}`);
export const currentStage = (page: Page) => page.locator('[aria-current="step"]');

/**
 * Submits the step form `id` and waits for the app to confirm it. The answer to this very
 * POST is awaited first: the toast of the step before may still be showing, and switching
 * accounts (`login`) or pages while the POST is in flight would cancel it.
 */
export async function recordStep(page: Page, id: string) {
  const answered = page.waitForResponse(
    (r) => r.request().method() === 'POST' && new URL(r.url()).pathname.includes('/pipeline'),
  );
  await stepForm(page, id).getByRole('button', { name: 'Ghi nhận' }).click();
  expect((await answered).ok(), `the answer to ${id}`).toBe(true);
  await expect(page.getByTestId('toast')).toContainText('Đã ghi nhận bước của quy trình.');
}

/** The awareness class certificate, issued `issuedAgo` days ago. */
export async function recordAwarenessClass(page: Page, certificateNo: string, issuedAgo: number) {
  const form = stepForm(page, 'record_awareness_class');
  await form.getByLabel('Số giấy chứng nhận').fill(certificateNo);
  await form.getByLabel('Nơi cấp / cơ quan ban hành').fill('Trường Chính trị tỉnh Quảng Ngãi');
  await form.getByLabel('Ngày cấp').fill(daysAgo(issuedAgo));
  await recordStep(page, 'record_awareness_class');
}

/** The application and the CV received `receivedAgo` days ago, the CV verified `verifiedAgo`. */
export async function openDossier(page: Page, receivedAgo: number, verifiedAgo: number) {
  const form = stepForm(page, 'open_dossier');
  await form.getByLabel('Ngày nhận đơn').fill(daysAgo(receivedAgo));
  await form.getByLabel('Ngày nhận lý lịch').fill(daysAgo(receivedAgo));
  await form.getByLabel('Kết quả thẩm tra').selectOption('verified');
  await form.getByLabel('Ngày thẩm tra').fill(daysAgo(verifiedAgo));
  await recordStep(page, 'open_dossier');
}

/** The Union's resolution (4-KNĐ) and one official Party member (3-KNĐ), `ago` days ago. */
export async function recordIntroduction(
  page: Page,
  ago: number,
  union: { refNo: string },
  member: { name: string; monthsTogether: number },
) {
  const form = stepForm(page, 'record_introduction');
  await form.getByLabel('Ngày giới thiệu').fill(daysAgo(ago));
  const first = form.getByRole('group', { name: 'Người giới thiệu 1' });
  await first.getByLabel('Họ tên').fill('Ban Chấp hành Đoàn trường');
  await first.getByLabel('Loại').selectOption('union');
  await first.getByLabel('Số văn bản').fill(union.refNo);
  const second = form.getByRole('group', { name: 'Người giới thiệu 2' });
  await second.getByLabel('Họ tên').fill(member.name);
  await second.getByLabel('Loại').selectOption('party_member');
  await second.getByLabel('Đảng viên chính thức').check();
  await second.getByLabel('Số tháng cùng công tác').fill(String(member.monthsTogether));
  await recordStep(page, 'record_introduction');
}

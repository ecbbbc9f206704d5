/**
 * Issued documents (issue 20): record steps of a candidate, download a document of a
 * recorded step from the Quy trình tab (PDF and .docx), open the verify URL its QR code and
 * footer carry and see "current"; change the record (the candidate's name, which the paper
 * prints) and see "superseded"; an unknown code is the 404 page. Screenshots at 360 and
 * 1280 px.
 */
import { type Locator, type Page } from '@playwright/test';
import { expect, expectAccessible, openPortal, test } from './fixtures';

const WIDTHS = [360, 1280] as const;

/** The page, or only `part` of it (the tab is long: its "Văn bản" section). */
async function shoot(page: Page, name: string, part?: Locator) {
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 900 });
    const path = `test-results/documents-${name}-${width}.png`;
    await (part ? part.screenshot({ path }) : page.screenshot({ path, fullPage: true }));
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

test('download a recorded step’s document, verify it, see it superseded after a change', async ({
  page,
  login,
  memberAt,
}) => {
  // The dossier stage: the awareness class and the dossier recorded through the step forms.
  const member = await memberAt('dossier');
  await login('school_union');
  await page.goto(`${member.path}/pipeline`);
  const section = page.locator('section.issued-documents');
  await expect(section.getByRole('heading', { name: 'Văn bản' })).toBeVisible();
  const form4 = section.getByTestId('doc-4-KNĐ');
  await expect(form4).toContainText('Nghị quyết giới thiệu đoàn viên ưu tú vào Đảng');

  const pdf = page.waitForEvent('download');
  await form4.getByRole('button', { name: 'Tải 4-KNĐ dạng PDF' }).click();
  expect((await pdf).suggestedFilename()).toMatch(/^4-KND.*\.pdf$/);
  const docx = page.waitForEvent('download');
  await form4.getByRole('button', { name: 'Tải 4-KNĐ dạng .docx' }).click();
  expect((await docx).suggestedFilename()).toMatch(/^4-KND.*\.docx$/);

  // One paper, one code: the two formats share the record.
  await page.reload();
  await form4.getByText('Các lần cấp (1)').click();
  await expect(form4.getByTestId('doc-issue')).toHaveCount(1);
  await expect(form4.getByTestId('doc-status')).toHaveText('Còn hiệu lực');
  await expectAccessible(page);
  await shoot(page, 'tab', section);
  const verifyHref = (await form4.getByRole('link', { name: 'Trang xác minh' }).getAttribute('href'))!;
  expect(verifyHref).toMatch(/^\/verify\/[A-Za-z0-9_-]{22}$/);

  // The QR's URL, opened by anyone: no sign-in.
  const visitor = await page.context().browser()!.newContext({ locale: 'vi-VN' });
  const phone = await visitor.newPage();
  const base = new URL(page.url()).origin;
  await phone.goto(base + verifyHref);
  await expect(phone.getByTestId('verify-status')).toContainText('Văn bản còn hiệu lực');
  await expect(phone.getByTestId('verify-form')).toContainText('4-KNĐ');
  await expect(phone.getByTestId('verify-signature')).toHaveText('không có chữ ký số');
  await expect(phone.getByText(member.name)).toHaveCount(0);
  await expectAccessible(phone);
  await shoot(phone, 'verify');

  // Change the record: the name the resolution prints.
  await page.goto(`${member.path}/edit`);
  await page.getByLabel('Họ và tên').fill(`${member.name} Anh`);
  await page.getByRole('button', { name: 'Lưu', exact: true }).first().click();
  await expect(page.getByTestId('toast')).toContainText('Đã lưu hồ sơ đoàn viên.');

  await phone.reload();
  await expect(phone.getByTestId('verify-status')).toContainText('Văn bản đã được thay thế');
  await shoot(phone, 'verify-superseded');

  // The student sees the document about her (superseded now), not its internals.
  await login(member);
  await openPortal(page);
  const mine = page.getByTestId('my-documents');
  await expect(mine).toContainText('4-KNĐ');
  await expect(mine.getByTestId('doc-status')).toHaveText('Đã được thay thế');
  await shoot(page, 'student', page.locator('#documents'));

  await phone.goto(`${base}/verify/AAAAAAAAAAAAAAAAAAAAAA`);
  await expect(phone.getByTestId('verify-unknown')).toHaveText('Không có văn bản nào mang mã này.');
  await visitor.close();
});

test('after a bulk step, the batch’s one document downloads from the ready queue', async ({
  page,
  login,
}) => {
  await login('school_party');
  await page.goto('/pipeline/ready?step=record_committee_review');
  const boxes = page.locator('.ready-list input[type="checkbox"]');
  // Two candidates when the queue has them (one resolution for both), else the one left.
  const picked = Math.min(await boxes.count(), 2);
  expect(picked).toBeGreaterThan(0);
  for (let i = 0; i < picked; i++) await boxes.nth(i).check();
  await page.getByLabel(/Số nghị quyết/).fill(`${Date.now() % 1000}-NQ/ĐU`);
  await page.getByLabel(/Ngày nghị quyết/).fill(new Date().toISOString().slice(0, 10));
  await page.getByRole('button', { name: 'Ghi nhận cho các hồ sơ đã chọn' }).click();
  await expect(page.getByRole('status')).toContainText(`Đã ghi nhận bước này cho ${picked} hồ sơ.`);

  const batch = page.getByTestId('batch-document');
  await expect(batch).toContainText('8-KNĐ');
  await expect(batch).toContainText(`${picked} hồ sơ`);
  await expectAccessible(page);
  await shoot(page, 'batch', batch);
  const pdf = page.waitForEvent('download');
  await batch.getByRole('button', { name: 'Tải 8-KNĐ dạng PDF' }).click();
  expect((await pdf).suggestedFilename()).toMatch(/^8-KND.*\.pdf$/);
});

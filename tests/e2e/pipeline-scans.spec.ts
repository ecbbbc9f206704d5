/**
 * Signed scans on the Quy trình tab and a school's document settings (issue 20): the Party
 * committee attaches a scan to a recorded step: a PNG named .pdf is refused beside the
 * field (typed from content), a file over 10 MB is refused in the browser with nothing
 * sent, a PDF is listed, counted in the dossier and removed again. The committee edits its
 * bodies' signers on the school's unit page; a bad symbol is refused beside the field.
 * Screenshots at 360 and 1280 px.
 */
import { type Page } from '@playwright/test';
import { expect, expectAccessible, test } from './fixtures';
import { openMemberPipeline } from './pipeline-steps';

const shot = (page: Page, name: string) =>
  page.screenshot({ path: `test-results/scans-${name}.png`, fullPage: true });

const PDF = Buffer.from('%PDF-1.4\n%âãÏÓ\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]);

test('attach, refuse and remove a signed scan on a recorded step', async ({ page, login, memberAt }) => {
  test.setTimeout(120_000);
  const candidate = await memberAt('dossier');
  await page.setViewportSize({ width: 1280, height: 900 });
  await login('school_party');
  await openMemberPipeline(page, candidate);

  const section = page.getByTestId('scans');
  await expect(section.getByRole('heading', { name: 'Bản quét có chữ ký' })).toBeVisible();
  const attach = page.getByTestId('scan-attach');
  await attach.getByLabel('Mẫu').selectOption('1-KNĐ');
  const file = attach.getByLabel('Tệp bản quét (PDF hoặc JPG)');

  // A PNG under a PDF's name and type: refused by its content, beside the field.
  await file.setInputFiles({ name: 'don.pdf', mimeType: 'application/pdf', buffer: PNG });
  await attach.getByRole('button', { name: 'Đính kèm bản quét' }).click();
  await expect(
    attach.getByText('Tệp không phải PDF hoặc JPG (xét theo nội dung tệp, không theo tên).'),
  ).toBeVisible();
  await expect(section.getByTestId('scan')).toHaveCount(0);

  // Over 10 MB: refused before anything is sent.
  const big = Buffer.alloc(10 * 1024 * 1024 + 1);
  PDF.copy(big);
  await file.setInputFiles({ name: 'lon.pdf', mimeType: 'application/pdf', buffer: big });
  const posts: string[] = [];
  page.on('request', (r) => {
    if (r.method() === 'POST') posts.push(r.url());
  });
  await attach.getByRole('button', { name: 'Đính kèm bản quét' }).click();
  await expect(attach.getByText(/Tệp lớn hơn 10 MB/)).toBeVisible();
  expect(posts).toEqual([]);

  await file.setInputFiles({ name: 'don-xin-vao-dang.pdf', mimeType: 'application/pdf', buffer: PDF });
  await attach.getByRole('button', { name: 'Đính kèm bản quét' }).click();
  const scan = section.getByTestId('scan');
  await expect(scan).toHaveCount(1);
  await expect(scan).toContainText('1-KNĐ');
  await expect(scan.getByRole('link', { name: 'don-xin-vao-dang.pdf' })).toBeVisible();
  await expect(page.locator('[data-form="1-KNĐ"]').getByTestId('dossier-scanned')).toBeVisible();
  await expectAccessible(page);
  await section.screenshot({ path: 'test-results/scans-section-1280.png' });
  await shot(page, 'tab-1280');
  await page.setViewportSize({ width: 360, height: 740 });
  await section.screenshot({ path: 'test-results/scans-section-360.png' });

  const download = page.waitForEvent('download');
  await scan.getByRole('link', { name: 'don-xin-vao-dang.pdf' }).click();
  expect((await download).suggestedFilename()).toBe('don-xin-vao-dang.pdf');

  page.once('dialog', (d) => void d.accept());
  await scan.getByRole('button', { name: 'Gỡ' }).click();
  await expect(section.getByTestId('scan')).toHaveCount(0);
  await expect(page.locator('[data-form="1-KNĐ"]').getByTestId('dossier-scanned')).toHaveCount(0);
});

test("the Party committee sets its signers on the school's unit page", async ({ page, login }) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  await login('school_party');
  await page.goto('/admin/units?q=Phạm Văn Đồng');
  await page.getByRole('link', { name: 'Trường Đại học Phạm Văn Đồng', exact: true }).first().click();
  const section = page.getByTestId('document-bodies');
  await expect(section).toBeVisible();
  // The Union's executive is not the Party committee's: shown, not editable.
  await expect(section.getByTestId('document-body-union').getByLabel('Họ tên người ký')).toBeDisabled();
  const committee = section.getByTestId('document-body-committee');
  await committee.getByLabel('Ký hiệu (sau dấu gạch chéo, ví dụ ĐU)').fill('đu');
  await committee.getByLabel('Họ tên người ký').fill('Nguyễn Văn Mười');
  await section.getByRole('button', { name: 'Lưu cài đặt văn bản' }).click();
  await expect(committee.getByText(/Ký hiệu chỉ gồm chữ in hoa/)).toBeVisible();
  await committee.getByLabel('Ký hiệu (sau dấu gạch chéo, ví dụ ĐU)').fill('ĐU');
  await section.getByRole('button', { name: 'Lưu cài đặt văn bản' }).click();
  await expect(page.getByText('Đã lưu cài đặt văn bản.')).toBeVisible();
  await expect(committee.getByLabel('Họ tên người ký')).toHaveValue('Nguyễn Văn Mười');
  await expectAccessible(page);
  await section.screenshot({ path: 'test-results/scans-settings-1280.png' });
  await page.setViewportSize({ width: 360, height: 740 });
  await section.screenshot({ path: 'test-results/scans-settings-360.png' });
});

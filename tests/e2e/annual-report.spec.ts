/**
 * "Báo cáo năm" (issue 20, part 3): the provincial Union downloads the year's report from
 * /reports as PDF and as Word, and both read back with the province's header and the
 * report's sections in correct Vietnamese; a school's Union gets its own school's version.
 */
import { readFile } from 'node:fs/promises';
import type { Page } from '@playwright/test';
import { docxText, pdfPageTexts } from '../fixtures/document-files';
import { expect, test } from './fixtures';

async function downloaded(page: Page, name: RegExp): Promise<{ file: string; bytes: Uint8Array }> {
  const download = page.waitForEvent('download');
  await page.getByRole('link', { name }).click();
  const d = await download;
  return { file: d.suggestedFilename(), bytes: new Uint8Array(await readFile((await d.path())!)) };
}

test('the province downloads the annual report as PDF and Word', async ({ page, login }) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1280, height: 900 });
  await login('province_union');
  await page.goto('/reports');
  const year = await page.locator('#report-year').inputValue();

  const pdf = await downloaded(page, new RegExp(`Báo cáo năm ${year} \\(PDF\\)`));
  expect(pdf.file).toBe(`Bao-cao-nam-${year}.pdf`);
  const text = (await pdfPageTexts(pdf.bytes)).join(' ');
  expect(text).toContain('BCH ĐOÀN TỈNH QUẢNG NGÃI');
  expect(text).toContain(`Kết quả công tác phát triển đảng viên trong học sinh, sinh viên năm ${year}`);
  expect(text).toContain('II. KẾT QUẢ THỰC HIỆN');
  expect(text).toContain('Trường Đại học Phạm Văn Đồng');
  expect(text).toMatch(/\d+ đoàn viên ưu tú là học sinh, sinh viên được kết nạp vào Đảng/);

  const word = await downloaded(page, new RegExp(`Báo cáo năm ${year} \\(Word\\)`));
  expect(word.file).toBe(`Bao-cao-nam-${year}.docx`);
  expect(await docxText(word.bytes)).toContain('III. HẠN CHẾ, VƯỚNG MẮC');

  await page.setViewportSize({ width: 360, height: 800 });
  await page.reload();
  await expect(page.getByRole('link', { name: new RegExp(`Báo cáo năm ${year} \\(PDF\\)`) })).toBeVisible();
  await page.screenshot({ path: 'test-results/annual-report-360.png' });
});

test("a school Union gets its own school's version", async ({ page, login }) => {
  await login('school_union');
  await page.goto('/reports');
  const pdf = await downloaded(page, /Báo cáo năm \d{4} \(PDF\)/);
  const text = (await pdfPageTexts(pdf.bytes)).join(' ');
  expect(text).toContain('BCH ĐOÀN TRƯỜNG ĐẠI HỌC PHẠM VĂN ĐỒNG');
  expect(text).not.toContain('Trường THPT chuyên Lê Khiết');
});

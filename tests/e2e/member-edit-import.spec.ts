/**
 * The school Union's journeys through a member record and the import page:
 * edit and see it saved; two tabs on one record, the second gets the conflict
 * message with its values kept; import a file with errors, then a clean one,
 * commit, and open the imported member. Screenshots at 360 and 1280 px.
 */
import { type Page } from '@playwright/test';
import { expect, expectAccessible, test } from './fixtures';

const WIDTHS = [360, 1280] as const;

async function shoot(page: Page, name: string) {
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: `test-results/member-${name}-${width}.png`, fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

/** Adds a member through /members/new (so the journey does not depend on the list page). */
async function createMember(page: Page, name: string): Promise<string> {
  const code = `E2E${String(Date.now()).slice(-7)}${Math.floor(Math.random() * 10)}`;
  await page.goto('/members/new');
  await page.getByLabel('Họ và tên').fill(name);
  await page.getByLabel('Mã sinh viên / học sinh').fill(code);
  await page.getByLabel('Ngày sinh').fill('2005-09-05');
  await page.getByLabel('Giới tính').selectOption('female');
  await page.getByLabel('Chi đoàn').selectOption({ index: 1 });
  await page.getByLabel('Ngày vào Đoàn').fill('2021-03-26');
  await page.getByLabel('Dân tộc').fill('Kinh');
  await page.getByLabel('Số CCCD').fill('051205001234');
  await page.getByRole('button', { name: 'Thêm đoàn viên' }).click();
  await expect(page).toHaveURL(/\/members\/[0-9a-f]{24}\?ok=memberCreated$/);
  await expect(page.getByTestId('toast')).toContainText('Đã thêm đoàn viên.');
  return new URL(page.url()).pathname;
}

test.beforeEach(async ({ page, login }) => {
  await login('school_union');
  await page.goto('/school');
  await expect(page).toHaveURL(/\/school$/);
});

test('a field left for the submit button: the click submits, every blank required field says so, nothing is sent', async ({
  page,
}) => {
  await page.goto('/members/new');
  const posts: string[] = [];
  page.on('request', (r) => {
    if (r.method() === 'POST') posts.push(r.url());
  });
  const submit = page.getByRole('button', { name: 'Thêm đoàn viên' });
  const form = page.locator('form').filter({ has: submit });
  // Blank required fields before anything happens (a select may already hold its only choice).
  const blank = await form
    .locator('input[required], select[required], textarea[required]')
    .evaluateAll((els) =>
      els.filter((el) => !(el as HTMLInputElement).value).map((el) => (el as HTMLInputElement).name),
    );
  expect(blank.length).toBeGreaterThan(2);
  // Leave a field for the button: its own message must not push the button from under the click.
  await page.getByLabel('Mã sinh viên / học sinh').focus();
  await submit.click();
  for (const name of blank) {
    const control = form.locator(`[name="${name}"]`);
    await expect(control, name).toHaveAttribute('aria-invalid', 'true');
    const describedBy = (await control.getAttribute('aria-describedby')) ?? '';
    await expect(page.locator(`[id="${describedBy.split(' ').at(-1)}"]`), name).toContainText(/\S/);
  }
  await expect(page).toHaveURL(/\/members\/new$/);
  expect(posts).toEqual([]);
});

test('add a member, see the masked profile, reveal it, edit a field and see it saved', async ({ page }) => {
  await page.goto('/members/new');
  await expectAccessible(page);
  await shoot(page, 'new');
  const url = await createMember(page, 'Đặng Thị Hồ Sơ');
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await expect(page.getByTestId('sensitive-citizenId')).toHaveText('••••••••1234');
  await expect(page.getByTestId('sensitive-ethnicity')).toHaveText('Ẩn');
  await expectAccessible(page);
  await shoot(page, 'profile');

  await page.getByRole('button', { name: 'Hiện' }).click();
  await expect(page.getByText('Đã ghi nhật ký lần xem này.')).toBeVisible();
  await expect(page.getByTestId('sensitive-citizenId')).toHaveText('051205001234');
  await expect(page.getByTestId('sensitive-ethnicity')).toHaveText('Kinh');

  await page.getByRole('link', { name: 'Sửa hồ sơ' }).click();
  await expect(page).toHaveURL(`${url}/edit`);
  await expectAccessible(page);
  await shoot(page, 'edit');

  const phone = `09${String(Date.now()).slice(-8)}`;
  await page.getByLabel('Số điện thoại').fill(phone);
  await page.getByRole('button', { name: 'Lưu', exact: true }).first().click();
  await expect(page).toHaveURL(new RegExp(`${url}\\?ok=memberSaved`));
  await expect(page.getByTestId('toast')).toContainText('Đã lưu hồ sơ đoàn viên.');
  await expect(page.getByTestId('member-phone')).toHaveText(phone);

  // Field errors appear instantly, beside the field, before anything is sent.
  await page.goto(`${url}/edit`);
  await page.getByLabel('Số điện thoại').fill('123');
  await page.getByRole('button', { name: 'Lưu', exact: true }).first().click();
  await expect(page.getByText('Số điện thoại phải có 10 chữ số, bắt đầu bằng 0.')).toBeVisible();
  await expect(page).toHaveURL(`${url}/edit`);

  // A sub-record: add a term result (rank computed from the scale), then remove it.
  await page.locator('summary', { hasText: 'Thêm kết quả học kỳ' }).click();
  await page.locator('#term-new-gpa').fill('3,9');
  await page.locator('#term-new-scale').selectOption('4');
  await page.locator('#term-new-year').selectOption({ index: 0 });
  await page.locator('#term-new-term').selectOption('3');
  await page.getByRole('button', { name: 'Thêm kết quả học kỳ' }).click();
  await expect(page.getByTestId('toast')).toContainText('Đã lưu kết quả học tập.');
  const added = page.getByTestId('term-item').filter({ hasText: 'học kỳ 3' }).first();
  await expect(added).toContainText('Xuất sắc');
  page.once('dialog', (dialog) => dialog.accept());
  await added.getByRole('button', { name: /^Xóa/ }).click();
  await expect(page.getByTestId('toast')).toContainText('Đã xóa mục.');
  await expect(page.getByTestId('term-item').filter({ hasText: 'học kỳ 3' })).toHaveCount(0);
});

test('two pages edit the same record: the second save gets the conflict message and keeps its values', async ({
  page,
  context,
}) => {
  const url = await createMember(page, 'Bùi Văn Xung Đột');
  const other = await context.newPage();
  await page.goto(`${url}/edit`);
  await other.goto(`${url}/edit`);

  const first = `09${String(Date.now()).slice(-8)}`;
  await page.getByLabel('Số điện thoại').fill(first);
  await page.getByRole('button', { name: 'Lưu', exact: true }).first().click();
  await expect(page).toHaveURL(/\?ok=memberSaved/);

  const second = `08${String(Date.now() + 7).slice(-8)}`;
  await other.getByLabel('Số điện thoại').fill(second);
  await other.getByLabel('Số thẻ đoàn viên').fill('XUNG-DOT-1');
  await other.getByRole('button', { name: 'Lưu', exact: true }).first().click();
  await expect(other.getByRole('alert').filter({ hasText: 'Hồ sơ đã được người khác sửa' })).toBeVisible();
  await expect(other.getByLabel('Số điện thoại')).toHaveValue(second);
  await expect(other.getByLabel('Số thẻ đoàn viên')).toHaveValue('XUNG-DOT-1');
  await expect(other).toHaveURL(`${url}/edit`);
  await shoot(other, 'conflict');

  // The first save stands.
  await page.goto(url);
  await expect(page.getByTestId('member-phone')).toHaveText(first);
});

test('import a file with errors, see the problems, then a clean file, commit and find the member', async ({
  page,
}) => {
  // A branch code of the school, from the editor's branch picker.
  await page.goto('/members/new');
  const branchLabel = await page.getByLabel('Chi đoàn').locator('option').nth(1).textContent();
  const branch = /\(([^)]+)\)\s*$/.exec(branchLabel ?? '')?.[1];
  expect(branch).toBeTruthy();

  await page.goto('/members/import');
  await expectAccessible(page);
  await shoot(page, 'import');

  const header = 'Mã sinh viên/học sinh,Họ và tên,Ngày sinh,Giới tính,Chi đoàn,Ngày vào Đoàn';
  const bad = [
    header,
    `E2EBAD1,Lê Văn Lỗi,31/02/2005,Nam,${branch},26/03/2020`,
    `E2EBAD2,Trần Thị Sai,01/01/2005,Bê,Không có,`,
  ];
  await page.getByLabel('Tệp (.xlsx hoặc .csv)').setInputFiles({
    name: 'co-loi.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(bad.join('\n')),
  });
  await page.getByRole('button', { name: 'Kiểm tra tệp' }).click();
  const problems = page.getByTestId('import-problems');
  await expect(problems).toBeVisible();
  await expect(problems).toContainText('Không có ngày này (31/02/2005).');
  await expect(problems).toContainText('Giới tính phải là Nam, Nữ hoặc Khác.');
  await expect(problems).toContainText('Không có chi đoàn này trong trường.');
  await expect(page.getByRole('button', { name: 'Ghi vào hệ thống' })).toHaveCount(0);
  await expectAccessible(page);
  await shoot(page, 'import-problems');

  // Not a spreadsheet: a message, nothing else.
  await page.getByRole('link', { name: 'Nhập tệp khác' }).click();
  await page.getByLabel('Tệp (.xlsx hoặc .csv)').setInputFiles({
    name: 'anh.xlsx',
    mimeType: 'application/octet-stream',
    buffer: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 1, 2, 3]),
  });
  await page.getByRole('button', { name: 'Kiểm tra tệp' }).click();
  await expect(page.getByTestId('file-problems')).toContainText('không phải tệp .xlsx hoặc .csv');

  const code = `E2E${String(Date.now()).slice(-7)}`;
  const name = 'Võ Thị Nhập Khẩu';
  const clean = [header, `${code},${name},05/09/2005,Nữ,${branch},26/03/2021`];
  await page.getByLabel('Tệp (.xlsx hoặc .csv)').setInputFiles({
    name: 'sach.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(clean.join('\n')),
  });
  await page.getByRole('button', { name: 'Kiểm tra tệp' }).click();
  await expect(page.getByTestId('import-summary')).toContainText('1 sẽ thêm mới');
  // The preview: the row as it will be written, and which file column became which field.
  await expect(page.getByTestId('import-preview')).toContainText('Thêm mới');
  await expect(page.getByTestId('import-preview')).toContainText(name);
  await expect(page.getByTestId('import-mapping')).toContainText('Ngày vào Đoàn');
  await expectAccessible(page);
  await shoot(page, 'import-preview');
  await page.getByRole('button', { name: 'Ghi vào hệ thống' }).click();
  await expect(page.getByTestId('import-done')).toBeVisible({ timeout: 30_000 });
  await shoot(page, 'import-done');
  await page.getByRole('link', { name: `${name} (${code})` }).click();
  await expect(page.getByRole('heading', { level: 1, name })).toBeVisible();
  await expect(page.getByTestId('member-fullName')).toHaveText(name);
});

/**
 * A unit's signing certificate (issue 20): the administrator reaches the page from the
 * unit, a file that is not a certificate is refused beside the field, a self-made test
 * certificate installs and shows its subject, issuer and validity, and is removed again.
 * The e2e server has SIGNING_PASSPHRASE_PVD set (playwright.config.ts).
 */
import { makeTestP12 } from '../fixtures/signing.ts';
import { expect, expectAccessible, test } from './fixtures.ts';

const PASSPHRASE = 'e2e-signing-passphrase';

test('install, show and remove a unit signing certificate; a wrong file is refused beside the field', async ({
  page,
  login,
}) => {
  await login('admin');
  await page.goto('/admin/units?q=PVD');
  await page.getByRole('link', { name: 'Trường Đại học Phạm Văn Đồng' }).first().click();
  await page.getByRole('link', { name: 'Chứng thư số ký văn bản' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Chứng thư số ký văn bản');
  await expect(page.getByTestId('signing-passphrase')).toContainText('SIGNING_PASSPHRASE_PVD');

  // Whatever an earlier run left: start without a certificate.
  const remove = page.getByRole('button', { name: 'Gỡ chứng thư' });
  if (await remove.isVisible()) {
    await remove.click();
    await expect(page.getByTestId('signing-none')).toBeVisible();
  }

  const file = page.getByLabel('Tệp chứng thư (.p12, .pfx)');
  await file.setInputFiles({
    name: 'not.p12',
    mimeType: 'application/x-pkcs12',
    buffer: Buffer.from('hello'),
  });
  await page.getByRole('button', { name: 'Cài chứng thư' }).click();
  await expect(page.getByText('Tệp không phải chứng thư PKCS#12 (.p12, .pfx) hợp lệ.')).toBeVisible();
  await expect(file).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByTestId('signing-none')).toBeVisible();

  await file.setInputFiles({
    name: 'pvd.p12',
    mimeType: 'application/x-pkcs12',
    buffer: makeTestP12({ passphrase: PASSPHRASE }),
  });
  await page.getByRole('button', { name: 'Cài chứng thư' }).click();
  await expect(page.getByText('Đã cài chứng thư số.')).toBeVisible();
  const cert = page.getByTestId('signing-certificate');
  await expect(cert).toContainText('CN=Đảng ủy Trường Đại học Phạm Văn Đồng (thử nghiệm), C=VN');
  await expect(cert).toContainText('Hiệu lực');
  await expectAccessible(page);

  await page.getByRole('button', { name: 'Gỡ chứng thư' }).click();
  await expect(page.getByText('Đã gỡ chứng thư số.')).toBeVisible();
  await expect(page.getByTestId('signing-none')).toBeVisible();
});

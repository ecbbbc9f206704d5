/**
 * One candidate of ĐH Phạm Văn Đồng taken from outstanding member to probationary member
 * by the accounts whose job each step is, watching the legal deadlines appear and clear:
 *
 * - danguy (school_party): awareness class, application and personal history;
 * - tinhdoan (province_union): flags the record (it may flag, comment and return, never
 *   record a school step); danguy resolves the flag;
 * - doantruong (school_union): the Union's introduction (4-KNĐ) with one Party member;
 *   also updates the paper dossier (a bad date first: message beside the box);
 * - danguy: chi bộ vote ("admission decision" deadline appears) and committee review;
 *   then sees the decision form disabled (separation of duties);
 * - bithu (school_party, a second member of the same committee): records the decision;
 *   the decision deadline shows as met and the ceremony deadline appears;
 * - danguy: the ceremony; the end of probation appears.
 *
 * The steps share one record, so they run in order and stop at the first failure.
 * Dates are relative to today (Vietnam), so the run never depends on the calendar.
 * Screenshots at 360 px go to /tmp/pipeline-journey/.
 */
import { type Page } from '@playwright/test';
import { expect, expectAccessible, test } from './fixtures';
import {
  daysAgo,
  openDossier,
  openMemberPipeline,
  openPipelineTab,
  recordAwarenessClass,
  recordIntroduction,
  recordStep as record,
  stepForm as step,
  vnDate,
} from './pipeline-steps';

const SHOTS = '/tmp/pipeline-journey';

test.describe.configure({ mode: 'serial' });

let candidate = ''; // /members/<id>/pipeline
let candidateName = '';

const openTab = (page: Page) => openPipelineTab(page, candidate);

async function shot(page: Page, name: string) {
  await page.setViewportSize({ width: 360, height: 800 });
  // In slices of one tall screen, readable one by one.
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  for (let y = 0, k = 0; y < height; y += 1600, k++) {
    await page.screenshot({
      path: `${SHOTS}/${name}-360-${k}.png`,
      fullPage: true,
      clip: { x: 0, y, width: 360, height: Math.min(1600, height - y) },
    });
  }
  // Nothing may stick out sideways at 360 px (tables scroll inside their own box).
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow, `horizontal overflow at 360 px on ${name}`).toBeLessThanOrEqual(0);
  await page.setViewportSize({ width: 1280, height: 900 });
}

const deadline = (page: Page, label: string) => page.getByTestId('deadline').filter({ hasText: label });
const DECISION_DUE = 'Quyết định kết nạp (60 ngày làm việc';
const CEREMONY_DUE = 'Lễ kết nạp (30 ngày làm việc';
const PROBATION_END = 'Hết 12 tháng dự bị';

test('the Party committee picks an outstanding member and records the class and the dossier', async ({
  page,
  login,
  memberAt,
}) => {
  test.setTimeout(120_000);
  const member = await memberAt('outstanding');
  candidateName = member.name;
  await page.setViewportSize({ width: 1280, height: 900 });
  await login('school_party');
  candidate = await openMemberPipeline(page, member);
  await expect(page.locator('[aria-current="step"]')).toContainText('Đoàn viên ưu tú');
  await expect(deadline(page, DECISION_DUE)).toHaveCount(0);

  await recordAwarenessClass(page, '812/GCN-TCT', 40);
  await expect(page.locator('[aria-current="step"]')).toContainText('Học lớp nhận thức về Đảng');

  await openDossier(page, 35, 30);
  await expect(page.locator('[aria-current="step"]')).toContainText('Lập hồ sơ');
  // The dossier table shows what the step recorded, marked as derived.
  const row1 = page.getByTestId('dossier').getByRole('row', { name: /^1-KNĐ / });
  await expect(row1).toContainText('Đơn xin vào Đảng');
  await expect(row1).toContainText(`${vnDate(daysAgo(35))} (theo bước đã ghi nhận)`);
});

test('the province flags the record and may return it, but records no school step', async ({
  page,
  login,
}) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  await login('province_union');
  await openTab(page);
  await expect(page.getByText('Tỉnh đoàn gắn cờ, nhận xét và có thể trả lại hồ sơ')).toBeVisible();
  // Its only step is the return, shown unfolded; no school step is offered.
  await expect(step(page, 'return_for_improvement')).toBeVisible();
  await expect(step(page, 'record_introduction')).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Lưu hồ sơ giấy' })).toHaveCount(0);

  const notes = page.getByTestId('review-notes');
  await notes.getByLabel('Gắn cờ (cần trường xử lý)').check();
  await notes.getByRole('button', { name: 'Gửi' }).click();
  const text = notes.getByLabel(/Nội dung/);
  await expect(text).toHaveAttribute('aria-invalid', 'true');
  await expect(notes.getByText('Nhập nội dung.')).toBeVisible();
  await text.fill('Lý lịch chưa có xác nhận của chi ủy nơi cư trú.');
  await notes.getByRole('button', { name: 'Gửi' }).click();
  await expect(page.getByTestId('toast')).toContainText('Đã gắn cờ cho hồ sơ.');
  await expect(page.getByTestId('open-flags')).toContainText('Cờ chưa xử lý: 1');
  await expect(page.getByTestId('review-note').first()).toContainText('Ban Tổ chức Tỉnh đoàn Quảng Ngãi');
  await expect(page.getByTestId('review-note').first()).toContainText('Chưa xử lý');
  await expectAccessible(page);
  await shot(page, 'province');
});

test('the school resolves the flag, introduces the candidate and updates the paper dossier', async ({
  page,
  login,
}) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  await login('school_union');
  await openTab(page);
  const note = page.getByTestId('review-note').first();
  await note.getByRole('button', { name: 'Đánh dấu đã xử lý' }).click();
  await expect(page.getByTestId('toast')).toContainText('Đã đánh dấu cờ là đã xử lý.');
  await expect(page.getByTestId('open-flags')).toHaveCount(0);
  await expect(page.getByTestId('review-note').first()).toContainText('Đã xử lý ngày');
  await expect(page.getByTestId('review-note').first()).toContainText('Đoàn trường');

  await recordIntroduction(page, 25, { refNo: '52-NQ/ĐTN' }, { name: 'Nguyễn Thị Hạnh', monthsTogether: 16 });
  await expect(page.locator('[aria-current="step"]')).toContainText('Được giới thiệu');

  // The opinions (5-KNĐ): a verification before the receipt is refused beside the box.
  await page.getByText('Cập nhật ngày nhận, ngày thẩm tra').click();
  const opinions = page.getByRole('group', { name: /^5-KNĐ / });
  await opinions.getByLabel('Ngày nhận').fill(daysAgo(22));
  await opinions.getByLabel('Ngày thẩm tra').fill(daysAgo(24));
  await page.getByRole('button', { name: 'Lưu hồ sơ giấy' }).click();
  const verified = opinions.getByLabel('Ngày thẩm tra');
  await expect(verified).toHaveAttribute('aria-invalid', 'true');
  await expect(opinions.getByText('Ngày thẩm tra không được trước ngày nhận.')).toBeVisible();
  await expectAccessible(page);
  await shot(page, 'dossier-refused');
  await verified.fill(daysAgo(21));
  await page.getByRole('button', { name: 'Lưu hồ sơ giấy' }).click();
  await expect(page.getByTestId('toast')).toContainText('Đã lưu hồ sơ giấy.');
  const row5 = page.getByTestId('dossier').getByRole('row', { name: /^5-KNĐ / });
  await expect(row5).toContainText(vnDate(daysAgo(22)));
  await expect(row5).toContainText(vnDate(daysAgo(21)));
  await expect(row5).not.toContainText('theo bước đã ghi nhận');
});

test('the chi bộ votes: the decision deadline appears; the same person cannot record the decision', async ({
  page,
  login,
}) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  await login('school_party');
  await openTab(page);
  const vote = step(page, 'record_branch_vote');
  await vote.getByLabel('Ngày họp chi bộ').fill(daysAgo(20));
  // No typed count: the form shows the member's chi bộ register on the meeting day.
  const count = vote.getByTestId('vote-cell-count');
  await expect(count).toContainText(`vào ngày họp ${vnDate(daysAgo(20))}`);
  const n = Number(/(\d+) đảng viên chính thức/.exec((await count.textContent()) ?? '')![1]);
  await vote.getByLabel('Số tán thành').fill(String(n));
  await vote.getByLabel('Số không tán thành').fill('0');
  await vote.getByLabel('Số nghị quyết').fill('07-NQ/CB');
  await record(page, 'record_branch_vote');
  await expect(deadline(page, DECISION_DUE)).toContainText('còn');
  await expect(deadline(page, DECISION_DUE)).toHaveAttribute('data-status', /upcoming|due_soon/);

  const review = step(page, 'record_committee_review');
  await review.getByLabel('Số nghị quyết').fill('61-NQ/ĐU');
  await review.getByLabel('Ngày nghị quyết').fill(daysAgo(15));
  await record(page, 'record_committee_review');
  await expect(page.locator('[aria-current="step"]')).toContainText('Đảng ủy xét duyệt');

  const decision = step(page, 'record_decision');
  await expect(decision.getByTestId('duty-blocked')).toContainText(
    'Bạn đã ghi nhận biểu quyết của chi bộ nên không thể ghi nhận bước này; người khác trong đảng ủy cần ghi nhận.',
  );
  await expect(decision.getByRole('button', { name: 'Ghi nhận' })).toBeDisabled();
  await expect(decision.getByLabel('Số quyết định')).toBeDisabled();
  await expectAccessible(page);
  await shot(page, 'blocked');
});

test('another member of the committee records the decision: met, and the ceremony deadline appears', async ({
  page,
  login,
}) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  await login('school_party_2');
  await openTab(page);
  const decision = step(page, 'record_decision');
  await expect(decision.getByTestId('duty-blocked')).toHaveCount(0);
  await decision.getByLabel('Số quyết định').fill('95-QĐ/ĐU');
  await decision.getByLabel('Ngày quyết định').fill(daysAgo(10));
  await decision.getByLabel('Nơi cấp / cơ quan ban hành').fill('Đảng ủy Trường Đại học Phạm Văn Đồng');
  await decision.getByLabel('Ngày nhận quyết định').fill(daysAgo(9));
  await record(page, 'record_decision');
  await expect(page.locator('[aria-current="step"]')).toContainText('Có quyết định kết nạp');
  await expect(deadline(page, DECISION_DUE)).toHaveAttribute('data-status', 'met');
  await expect(deadline(page, DECISION_DUE)).toContainText(`Đã thực hiện ngày ${vnDate(daysAgo(10))}`);
  await expect(deadline(page, CEREMONY_DUE)).toContainText('còn');
  await expect(deadline(page, PROBATION_END)).toHaveCount(0);
});

test('the ceremony starts probation: the ceremony deadline is met and the end of probation appears', async ({
  page,
  login,
}) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  await login('school_party');
  await openTab(page);
  await step(page, 'record_ceremony').getByLabel('Ngày lễ kết nạp').fill(daysAgo(5));
  await record(page, 'record_ceremony');
  await expect(page.locator('[aria-current="step"]')).toContainText('Đảng viên dự bị');
  await expect(deadline(page, CEREMONY_DUE)).toHaveAttribute('data-status', 'met');
  await expect(deadline(page, PROBATION_END)).toBeVisible();
  const end = new Date(`${daysAgo(5)}T00:00:00Z`);
  end.setUTCFullYear(end.getUTCFullYear() + 1);
  await expect(deadline(page, PROBATION_END)).toContainText(vnDate(end.toISOString().slice(0, 10)));
  const timeline = page.getByTestId('timeline-entry');
  await expect(timeline.first()).toContainText('Đảng viên dự bị');
  await expect(page.getByTestId('timeline')).toContainText('Phó Bí thư Đảng ủy');
  await expect(page.getByRole('heading', { level: 1 })).toContainText(candidateName);
  await expectAccessible(page);
  await shot(page, 'probation');
});

/**
 * The paths of issue 16 a tester took to get a forbidden step accepted, now each refused
 * (or flagged and blocked) with its reason in Vietnamese, through the real forms:
 *
 * 5. selecting a member outside the criteria needs a written reason (the verdict is shown);
 * 3. a vote dated before the introduction is refused with both dates;
 * 2. the vote is judged against the chi bộ register in force on the meeting day, never a
 *    typed count: "2 of 3" is refused when the register says more;
 * 1. return and resume do not reset separation of duties: whoever recorded the committee
 *    review cannot record the decision, even after the record went round a return;
 * 4. an edit that breaks a recorded step (the date of birth, after the vote) says so on
 *    save, flags the record and blocks the next step until a different user overrides it.
 * (6., consent withdrawn, is in student.spec.ts.)
 *
 * One candidate of ĐH Phạm Văn Đồng (claimed by `memberAt`) goes through them in order; dates are relative to
 * today (Vietnam). Screenshots at 360 px go to /tmp/rules-paths/.
 */
import { type Locator, type Page } from '@playwright/test';
import { expect, expectAccessible, test } from './fixtures';
import {
  currentStage as stage,
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

const SHOTS = '/tmp/rules-paths';

test.describe.configure({ mode: 'serial' });

let candidate = ''; // /members/<id>/pipeline

const openTab = (page: Page) => openPipelineTab(page, candidate);

/** The part that shows the refusal, at 360 px; nothing may stick out sideways. */
async function shot(page: Page, name: string, part: Locator) {
  await page.setViewportSize({ width: 360, height: 800 });
  await part.screenshot({ path: `${SHOTS}/${name}-360.png` });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow, `horizontal overflow at 360 px on ${name}`).toBeLessThanOrEqual(0);
  await page.setViewportSize({ width: 1280, height: 900 });
}

async function exit(page: Page, id: string) {
  await page.getByText('Dừng, trả lại hoặc chuyển hồ sơ').click();
  return step(page, id);
}

test('path 5: selecting a member outside the criteria shows the verdict and needs a reason', async ({
  page,
  login,
  memberAt,
}) => {
  const member = await memberAt('member', { where: 'eligible=no' });
  await page.setViewportSize({ width: 1280, height: 900 });
  await login('school_union');
  await openMemberPipeline(page, member);
  const select = step(page, 'select_outstanding');
  const verdict = select.getByTestId('selection-verdict');
  await expect(verdict).toContainText('Kết quả xét tiêu chí');
  await expect(verdict).not.toHaveAttribute('data-status', 'met');
  await expect(select.getByTestId('selection-failing').locator('li').first()).toBeVisible();

  await select.getByLabel('Số nghị quyết').fill('12-NQ/ĐTN');
  await select.getByLabel('Ngày nghị quyết').fill(daysAgo(3));
  await select.getByRole('button', { name: 'Ghi nhận' }).click();
  const reasonBox = select.getByLabel('Lý do chọn ngoài tiêu chí');
  await expect(reasonBox).toHaveAttribute('aria-invalid', 'true');
  await expect(select).toContainText('cần ghi lý do chọn ngoài tiêu chí (ít nhất 20 ký tự)');
  await expect(stage(page)).toContainText('Đoàn viên');
  await expectAccessible(page);
  await shot(page, 'path5-refused', select);

  await reasonBox.fill(
    'Đạt giải Nhất Olympic Toán sinh viên toàn quốc; điểm rèn luyện học kỳ gần nhất nhập thiếu.',
  );
  await record(page, 'select_outstanding');
  await expect(stage(page)).toContainText('Đoàn viên ưu tú');
  await expect(page.getByTestId('selection-override')).toContainText('Được chọn ngoài tiêu chí');
  await expect(page.getByTestId('selection-override')).toContainText('Olympic Toán');
});

test('the Party committee records the class and the dossier of an outstanding member', async ({
  page,
  login,
  memberAt,
}) => {
  test.setTimeout(120_000);
  const member = await memberAt('outstanding');
  await page.setViewportSize({ width: 1280, height: 900 });
  await login('school_party');
  candidate = await openMemberPipeline(page, member);
  await recordAwarenessClass(page, '905/GCN-TCT', 70);
  await openDossier(page, 65, 60);
  await expect(stage(page)).toContainText('Lập hồ sơ');

  // The Union introduces the candidate (4-KNĐ) with one Party member.
  await login('school_union');
  await openTab(page);
  await recordIntroduction(page, 40, { refNo: '60-NQ/ĐTN' }, { name: 'Trần Văn Lộc', monthsTogether: 20 });
  await expect(stage(page)).toContainText('Được giới thiệu');

  // The opinions of the residence cell and mass organisations (5-KNĐ), before the vote.
  await page.getByText('Cập nhật ngày nhận, ngày thẩm tra').click();
  const opinions = page.getByRole('group', { name: /^5-KNĐ / });
  await opinions.getByLabel('Ngày nhận').fill(daysAgo(38));
  await opinions.getByLabel('Ngày thẩm tra').fill(daysAgo(37));
  await page.getByRole('button', { name: 'Lưu hồ sơ giấy' }).click();
  await expect(page.getByTestId('toast')).toContainText('Đã lưu hồ sơ giấy.');
});

test('path 3 and 2: a vote before the introduction, then "2 of 3" against the register, are refused', async ({
  page,
  login,
}) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  await login('school_party_2');
  await openTab(page);
  const vote = step(page, 'record_branch_vote');

  // 3. Before the introduction: the real reason with both dates.
  await vote.getByLabel('Ngày họp chi bộ').fill(daysAgo(45));
  await vote.getByLabel('Chi bộ họp xét').selectOption({ index: 1 });
  await vote.getByLabel('Số tán thành').fill('8');
  await vote.getByLabel('Số không tán thành').fill('0');
  await vote.getByLabel('Số nghị quyết').fill('09-NQ/CB');
  await vote.getByRole('button', { name: 'Ghi nhận' }).click();
  await expect(vote).toContainText(vnDate(daysAgo(45)));
  await expect(vote).toContainText(vnDate(daysAgo(40)));
  await expect(vote).toContainText(
    `Ngày họp chi bộ (${vnDate(daysAgo(45))}) không được trước ngày giới thiệu (3-KNĐ, 4-KNĐ) (${vnDate(daysAgo(40))})`,
  );
  await expect(vote).not.toContainText('Lý lịch chưa được thẩm tra');
  await expect(stage(page)).toContainText('Được giới thiệu');
  await shot(page, 'path3-refused', vote);

  // 2. The count comes from the register on the meeting day, shown as the day is typed.
  await vote.getByLabel('Ngày họp chi bộ').fill(daysAgo(30));
  const count = vote.getByTestId('vote-cell-count');
  await expect(count).toContainText(vnDate(daysAgo(30)));
  const shown = (await count.textContent()) ?? '';
  const n = Number(/(\d+) đảng viên chính thức/.exec(shown)?.[1]);
  expect(n, `register count in “${shown}”`).toBeGreaterThan(3);
  await vote.getByLabel('Số tán thành').fill('2');
  await vote.getByLabel('Số không tán thành').fill('1');
  await vote.getByRole('button', { name: 'Ghi nhận' }).click();
  await expect(vote.locator('.field-error, [role="alert"]').first()).toBeVisible();
  await expect(vote).toContainText(String(Math.ceil((2 * n) / 3)));
  await expect(stage(page)).toContainText('Được giới thiệu');
  await expectAccessible(page);
  await shot(page, 'path2-refused', vote);

  await vote.getByLabel('Số tán thành').fill(String(n));
  await vote.getByLabel('Số không tán thành').fill('0');
  await record(page, 'record_branch_vote');
  await expect(stage(page)).toContainText('Chi bộ xét, biểu quyết');
});

test('path 1: the committee review, a return and a resume do not let the reviewer decide', async ({
  page,
  login,
}) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  await login('school_party');
  await openTab(page);
  const review = step(page, 'record_committee_review');
  await review.getByLabel('Số nghị quyết').fill('70-NQ/ĐU');
  await review.getByLabel('Ngày nghị quyết').fill(daysAgo(20));
  await record(page, 'record_committee_review');
  await expect(stage(page)).toContainText('Đảng ủy xét duyệt');

  const back = await exit(page, 'return_for_improvement');
  await back.getByLabel('Lý do').fill('Bổ sung xác nhận của chi ủy nơi cư trú vào lý lịch.');
  await record(page, 'return_for_improvement');

  await login('school_party_2');
  await openTab(page);
  await record(page, 'resume');
  await expect(stage(page)).toContainText('Đảng ủy xét duyệt');

  await login('school_party');
  await openTab(page);
  const decision = step(page, 'record_decision');
  await expect(decision.getByTestId('duty-blocked')).toContainText('không thể ghi nhận bước này');
  await expect(decision.getByRole('button', { name: 'Ghi nhận' })).toBeDisabled();
  await expectAccessible(page);
  await shot(page, 'path1-blocked', decision);
});

test('path 4: a date of birth edited after the vote is flagged, blocks the decision, and needs another user', async ({
  page,
  login,
}) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  // One day short of 18 on the meeting day (30 days ago).
  const meeting = daysAgo(30);
  const dob = new Date(`${meeting}T00:00:00Z`);
  dob.setUTCFullYear(dob.getUTCFullYear() - 18);
  dob.setUTCDate(dob.getUTCDate() + 1);
  const dobIso = dob.toISOString().slice(0, 10);

  // The school Union keeps the personal data.
  await login('school_union');
  await page.goto(candidate.replace(/\/pipeline$/, '/edit'));
  const dobBox = page.getByLabel('Ngày sinh');
  const before = await dobBox.inputValue();
  await dobBox.fill(dobIso);
  await page.getByRole('button', { name: 'Lưu', exact: true }).first().click();
  await expect(page.getByTestId('conflict-broke')).toContainText(
    `Đã lưu. Thay đổi này làm bước "Chi bộ xét, biểu quyết" ngày ${vnDate(meeting)} không còn hợp lệ: Chưa đủ 18 tuổi vào ngày ${vnDate(meeting)}`,
  );
  await expect(page.getByTestId('conflict-broke')).toContainText(vnDate(meeting));
  await expect(page.getByTestId('conflict-banner')).toContainText('Xung đột quy tắc');

  // The author of the change may not wave it through.
  await openTab(page);
  await expect(page.getByTestId('conflict-section')).toContainText(vnDate(meeting));
  await expect(page.getByTestId('conflict-own')).toBeVisible();
  await expect(page.getByTestId('conflict-override-form').getByRole('button')).toBeDisabled();
  await expectAccessible(page);
  await shot(page, 'path4-flagged', page.getByTestId('conflict-section'));

  // Another member of the committee cannot record the decision while it is open…
  await login('school_party_2');
  await openTab(page);
  const decision = step(page, 'record_decision');
  await expect(decision.getByTestId('duty-blocked')).toContainText(
    `Xung đột quy tắc: Bước "Chi bộ xét, biểu quyết" ngày ${vnDate(meeting)}`,
  );
  await expect(decision.getByRole('button', { name: 'Ghi nhận' })).toBeDisabled();
  // …but may override it with a written reason (too short first: the message beside it).
  const form = page.getByTestId('conflict-override-form');
  await form.getByLabel(/Lý do bỏ qua/).fill('Đã kiểm tra.');
  await form.getByRole('button', { name: 'Ghi lý do bỏ qua' }).click();
  await expect(page.getByTestId('conflict-reason-error')).toContainText('ít nhất 20 ký tự');
  await form
    .getByLabel(/Lý do bỏ qua/)
    .fill('Ngày sinh vừa sửa là nhập nhầm theo giấy khai sinh cũ; đã đối chiếu CCCD, sẽ sửa lại ngay.');
  await form.getByRole('button', { name: 'Ghi lý do bỏ qua' }).click();
  await expect(page.getByTestId('conflict-section').getByTestId('conflict-override-recorded')).toContainText(
    'đã ghi lý do bỏ qua',
  );
  // The conflict no longer holds the decision back (bithu still may not record it: she
  // recorded the chi bộ vote, which is separation of duties, path 1's rule).
  await expect(step(page, 'record_decision').getByTestId('duty-blocked')).not.toContainText(
    'Xung đột quy tắc',
  );

  // Correcting the date clears the conflict altogether.
  await login('school_union');
  await page.goto(candidate.replace(/\/pipeline$/, '/edit'));
  await page.getByLabel('Ngày sinh').fill(before);
  await page.getByRole('button', { name: 'Lưu', exact: true }).first().click();
  // Wait for the save to land on the profile: the absent flash alone would pass at once.
  await expect(page).toHaveURL(/\/members\/[0-9a-f]{24}(\?.*)?$/);
  await expect(page.getByTestId('conflict-broke')).toHaveCount(0);
  await openTab(page);
  await expect(page.getByTestId('conflict-banner')).toHaveCount(0);
});

/**
 * Shared end-to-end helpers: the demo accounts, the `test` every spec uses (with the
 * `login` and `memberAt` fixtures), signing in through the real form (sign-in.spec.ts
 * only), and an axe scan that fails on serious or critical findings.
 *
 * Specs must pass alone and in any order (issue 18, review item 10), so:
 * - `login(role)` puts a session in the browser instead of typing the form: each account
 *   signs in once per worker, over HTTP, and its cookies are reused. Sessions live in the
 *   database and signing out deletes them, so no spec but sign-in.spec.ts signs out;
 *   switching accounts is another `login(...)`.
 * - `memberAt(stage)` gives a test a member of ĐH Phạm Văn Đồng that no other test touches,
 *   with a student account of its own (a fresh email). The app allows one account per
 *   member, so creating that account through the admin's own form is an atomic claim: a
 *   member claimed by an earlier test or an earlier run on the same data is refused
 *   (409) and the next one is tried. Nothing is deleted afterwards (the app has no way to
 *   delete a member, on purpose); leftovers are claimed, so they never collide.
 */
import { randomUUID } from 'node:crypto';
import AxeBuilder from '@axe-core/playwright';
import {
  test as base,
  expect,
  request as apiRequest,
  type APIRequestContext,
  type Browser,
  type Page,
} from '@playwright/test';
import { openDossier, openPipelineTab, recordAwarenessClass } from './pipeline-steps';

export { expect };

export const DEMO_PASSWORD = 'demo1234';

export const DEMO_ACCOUNTS = [
  { email: 'admin@demo.vn', role: 'admin', home: '/admin' },
  { email: 'tinhdoan@demo.vn', role: 'province_union', home: '/province' },
  { email: 'doantruong.pvd@demo.vn', role: 'school_union', home: '/school' },
  { email: 'danguy.pvd@demo.vn', role: 'school_party', home: '/school' },
  { email: 'sinhvien@demo.vn', role: 'student', home: '/me' },
] as const;

/** The demo accounts by role; `school_party_2` is bithu.pvd, a second member of the committee. */
export const ACCOUNTS = {
  ...(Object.fromEntries(DEMO_ACCOUNTS.map((a) => [a.role, a.email])) as Record<
    (typeof DEMO_ACCOUNTS)[number]['role'],
    string
  >),
  school_party_2: 'bithu.pvd@demo.vn',
};
export type DemoRole = keyof typeof ACCOUNTS;

export interface Account {
  email: string;
  password: string;
}

/** A member claimed for one test, with its own student account. */
export interface ClaimedMember extends Account {
  name: string;
  /** `/members/<id>` */
  path: string;
}

export interface MemberOptions {
  /**
   * `none`: the student has never consented (the first visit shows the notice). Either
   * way a member whose consent is withdrawn is never handed out: its record is paused.
   */
  consent?: 'none';
  /** More of the member list's query, e.g. `eligible=no`. */
  where?: string;
}

/** Signs in through the form itself: only for sign-in.spec.ts, which tests the form. */
export async function signIn(page: Page, email: string, password = DEMO_PASSWORD) {
  await page.goto('/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Mật khẩu').fill(password);
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
}

/**
 * `frames: false` leaves iframes out: axe cannot run inside a frame with an empty `sandbox`
 * (the outbox's mail body), and waits for it until the test times out.
 */
export async function expectAccessible(page: Page, { frames = true }: { frames?: boolean } = {}) {
  const axe = new AxeBuilder({ page });
  if (!frames) axe.exclude('iframe').options({ iframes: false });
  const results = await axe.analyze();
  const serious = results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(serious, `accessibility findings on ${page.url()}`).toEqual([]);
}

/**
 * Opens /me as a signed-in student, giving consent first when the notice asks for it (most
 * seeded members have consented; some never did, some withdrew).
 */
export async function openPortal(page: Page) {
  await page.goto('/me');
  await page.waitForURL(/\/me(\/consent)?$/);
  if (page.url().endsWith('/me/consent')) {
    await page.getByLabel('Tôi đã đọc và đồng ý với nội dung trên.').check();
    await page.getByRole('button', { name: 'Xác nhận đồng ý' }).click();
  }
  await expect(page).toHaveURL(/\/me$/);
}

type StorageState = Awaited<ReturnType<APIRequestContext['storageState']>>;

/** One signed-in storage state per account, made on first use and kept for the worker. */
class Sessions {
  private readonly states = new Map<string, Promise<StorageState>>();
  /** Members this worker has claimed already: skipped without asking the app again. */
  readonly claimed = new Set<string>();
  schoolId: Promise<string> | undefined;
  constructor(readonly baseURL: string) {}

  stateOf(account: Account): Promise<StorageState> {
    let state = this.states.get(account.email);
    if (!state) {
      state = this.signIn(account);
      // A failed sign-in is not kept: the next test tries again and reports its own failure.
      state.catch(() => this.states.delete(account.email));
      this.states.set(account.email, state);
    }
    return state;
  }

  /** A request context signed in as `account` (dispose it when done). */
  async api(account: Account): Promise<APIRequestContext> {
    return apiRequest.newContext({ baseURL: this.baseURL, storageState: await this.stateOf(account) });
  }

  private async signIn({ email, password }: Account): Promise<StorageState> {
    const api = await apiRequest.newContext({ baseURL: this.baseURL });
    try {
      const res = await api.post('/login', {
        form: { email, password },
        headers: { Origin: this.baseURL },
        maxRedirects: 0,
      });
      expect(res.status(), `sign-in of ${email}`).toBe(302);
      return await api.storageState();
    } finally {
      await api.dispose();
    }
  }
}

const demo = (role: DemoRole): Account => ({ email: ACCOUNTS[role], password: DEMO_PASSWORD });

/** The id of ĐH Phạm Văn Đồng as the admin's account form lists it. */
async function demoSchoolId(browser: Browser, sessions: Sessions): Promise<string> {
  const context = await browser.newContext({
    baseURL: sessions.baseURL,
    storageState: await sessions.stateOf(demo('admin')),
  });
  try {
    const page = await context.newPage();
    await page.goto('/admin/users/new');
    const option = page.locator('select[name="unitId"] option', { hasText: 'Trường Đại học Phạm Văn Đồng' });
    const id = await option.first().getAttribute('value');
    expect(id, 'ĐH Phạm Văn Đồng in the account form').toMatch(/^[0-9a-f]{24}$/);
    return id!;
  } finally {
    await context.close();
  }
}

/** The consent of the student behind `account`, as her own pages show it. */
async function consentOf(sessions: Sessions, account: Account): Promise<'given' | 'none' | 'withdrawn'> {
  const api = await sessions.api(account);
  try {
    const me = await api.get('/me', { maxRedirects: 0 });
    if (me.status() === 200) return 'given';
    expect(me.headers()['location'], 'where /me sends a student without consent').toMatch(/\/me\/consent$/);
    const notice = await (await api.get('/me/consent')).text();
    return notice.includes('data-testid="consent-paused"') ? 'withdrawn' : 'none';
  } finally {
    await api.dispose();
  }
}

/**
 * Claims a member of the demo school at `from` for one test (see the file comment), then
 * takes it on to `stage` through the step forms, as the Party committee.
 */
async function claimMember(
  browser: Browser,
  sessions: Sessions,
  stage: 'member' | 'outstanding' | 'dossier',
  options: MemberOptions,
): Promise<ClaimedMember> {
  const from = stage === 'dossier' ? 'outstanding' : stage;
  const context = await browser.newContext({
    baseURL: sessions.baseURL,
    locale: 'vi-VN',
    timezoneId: 'Asia/Ho_Chi_Minh',
    storageState: await sessions.stateOf(demo('school_party')),
  });
  const admin = await sessions.api(demo('admin'));
  try {
    const schoolId = await (sessions.schoolId ??= demoSchoolId(browser, sessions));
    const page = await context.newPage();
    await page.goto(`/members?stage=${from}${options.where ? `&${options.where}` : ''}`);
    const links = page.getByRole('rowheader').getByRole('link');
    const rows = await links.evaluateAll((as) =>
      as.map((a) => ({ name: a.textContent!.trim(), path: a.getAttribute('href')! })),
    );
    expect(rows.length, `members at ${from}`).toBeGreaterThan(0);
    for (const row of rows) {
      if (sessions.claimed.has(row.path)) continue;
      await page.goto(row.path);
      const studentCode = (
        await page.locator('dt', { hasText: 'Mã sinh viên' }).locator('+ dd').innerText()
      ).trim();
      const account = { email: `e2e-${randomUUID().slice(0, 12)}@demo.vn`, password: `e2e-${randomUUID()}` };
      const created = await admin.post('/admin/users/new', {
        form: { intent: 'save', ...account, name: row.name, role: 'student', unitId: schoolId, studentCode },
        headers: { Origin: sessions.baseURL },
        maxRedirects: 0,
      });
      // 409: this member already has an account (the demo student's, or an earlier claim).
      if (created.status() === 409) continue;
      expect(created.status(), `account for ${row.name}: ${await created.text()}`).toBe(302);
      sessions.claimed.add(row.path);
      const consent = await consentOf(sessions, account);
      if (consent === 'withdrawn' || (options.consent === 'none' && consent !== 'none')) continue;
      if (stage === 'dossier') {
        await openPipelineTab(page, `${row.path}/pipeline`);
        await recordAwarenessClass(page, `${randomUUID().slice(0, 6)}/GCN-E2E`, 40);
        await openDossier(page, 35, 30);
        await expect(page.locator('[aria-current="step"]')).toContainText('Lập hồ sơ');
      }
      return { ...row, ...account };
    }
    throw new Error(
      `no unclaimed member of the demo school at ${from}${options.where ? ` (${options.where})` : ''}` +
        `${options.consent ? ' without consent' : ''} is left: ` +
        'run on a fresh E2E_DATA_DIR',
    );
  } finally {
    await admin.dispose();
    await context.close();
  }
}

// Fixtures name their callback `provide`, not Playwright's usual `use`, which the React
// hooks lint rule would take for React's `use`.
export const test = base.extend<
  {
    /** Puts `who`'s session in this test's browser (no form); replaces whoever was in. */
    login: (who: DemoRole | Account) => Promise<void>;
    /** A member of the demo school at `stage` that only this test uses, with its own student account. */
    memberAt: (
      stage: 'member' | 'outstanding' | 'dossier',
      options?: MemberOptions,
    ) => Promise<ClaimedMember>;
  },
  { sessions: Sessions }
>({
  sessions: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, provide, workerInfo) => {
      await provide(new Sessions(String(workerInfo.project.use.baseURL)));
    },
    { scope: 'worker' },
  ],
  login: async ({ context, sessions }, provide) => {
    await provide(async (who) => {
      const state = await sessions.stateOf(typeof who === 'string' ? demo(who) : who);
      await context.clearCookies();
      await context.addCookies(state.cookies);
    });
  },
  memberAt: async ({ browser, sessions }, provide) => {
    await provide((stage, options = {}) => claimMember(browser, sessions, stage, options));
  },
});

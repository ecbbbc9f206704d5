import { defineConfig, devices } from '@playwright/test';
import { findChromium } from './scripts/find-chromium.ts';

const PORT = Number(process.env.E2E_PORT ?? 3210);
const executablePath = findChromium() ?? undefined;

// The app under test is the production build on its own throw-away database
// (DATA_DIR is set by scripts/test.ts), seeded with a small demo province.
export default defineConfig({
  testDir: 'tests/e2e',
  outputDir: 'test-results',
  fullyParallel: false,
  workers: 1,
  retries: process.env.CI ? 1 : 0,
  timeout: 60_000,
  reporter: process.env.CI ? [['list']] : [['list'], ['html', { open: 'never' }]],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    locale: 'vi-VN',
    timezoneId: 'Asia/Ho_Chi_Minh',
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    {
      name: 'chromium',
      use: {
        ...devices['Desktop Chrome'],
        launchOptions: {
          executablePath,
          args: [
            '--no-sandbox',
            '--disable-gpu',
            '--disable-quic',
            '--no-first-run',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
          ],
        },
      },
    },
  ],
  webServer: {
    command: 'node --import tsx server.ts',
    url: `http://127.0.0.1:${PORT}/healthz`,
    timeout: 180_000,
    reuseExistingServer: false,
    stdout: 'ignore',
    stderr: 'pipe',
    env: {
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(PORT),
      DATA_DIR: process.env.E2E_DATA_DIR ?? '.data/e2e',
      SEED_MEMBERS: process.env.SEED_MEMBERS ?? '600',
      SESSION_SECRET: 'e2e-secret-not-for-production',
      E2E: '1',
      // The unit-signing spec installs a test certificate for ĐH Phạm Văn Đồng with this passphrase.
      SIGNING_PASSPHRASE_PVD: 'e2e-signing-passphrase',
    },
  },
});

// End-to-end tests: Debian's Chromium against the browser-mode server (`npm run serve`), and the
// same specs against the Electron app where its binary is installed (skipped, with the reason,
// where it is not). See test/e2e/support/fixtures.ts for how each is started.
import { defineConfig } from '@playwright/test';
import { chromiumLaunchOptions } from './test/e2e/support/chromium.ts';
import type { E2EOptions } from './test/e2e/support/fixtures.ts';

export default defineConfig<E2EOptions>({
  testDir: 'test/e2e',
  globalSetup: './test/e2e/global-setup.ts',
  // One worker: each worker owns a training server, and two trainings on 2 cores slow both.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  forbidOnly: !!process.env.CI,
  // 'list', plus one line per skip reason (list shows a skipped test without its reason).
  reporter: [['list'], ['./test/e2e/support/skip-reasons.ts']],
  // Tests wait for real training: a few seconds of CPU per small epoch on a busy machine.
  timeout: 90_000,
  expect: { timeout: 30_000 },
  use: {
    viewport: { width: 1280, height: 800 },
    // These apply to the contexts the `app` fixture opens too (Playwright instruments them all).
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: chromiumLaunchOptions,
  },
  projects: [
    { name: 'browser', use: { appKind: 'browser' } },
    { name: 'electron', use: { appKind: 'electron' } },
  ],
});

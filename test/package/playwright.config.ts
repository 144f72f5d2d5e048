// `npm run test:smoke`: the packaged-app smoke test (test/package/smoke.spec.ts). Separate from
// the end-to-end suite's config: no browser, no dev server, one long test against dist/.
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: '.',
  testMatch: 'smoke.spec.ts',
  workers: 1,
  fullyParallel: false,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: [
    ['list'],
    ['html', { open: 'never', outputFolder: '../../playwright-report/package' }],
  ],
  outputDir: '../../test-results/package',
  timeout: 10 * 60_000,
  expect: { timeout: 30_000 },
  use: { trace: 'retain-on-failure', screenshot: 'only-on-failure' },
});

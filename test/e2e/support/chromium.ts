// How the suite and the measuring script launch Chromium: Debian's build (Playwright's own
// download needs the internet), flags that keep it from phoning home on an offline machine.
import type { LaunchOptions } from '@playwright/test';

export const chromiumLaunchOptions: LaunchOptions = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox', // Chromium refuses to run as root with its sandbox
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
};

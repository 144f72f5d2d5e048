// How the suite and the measuring script launch Chromium: the browser found (or installed) by
// ./browser.ts, with flags that keep it from phoning home on an offline machine. The global setup
// puts the browser it settled on in CHROMIUM_PATH, which the test workers inherit.
import type { LaunchOptions } from '@playwright/test';
import { findBrowser, realLookup } from './browser.ts';

export const chromiumLaunchOptions: LaunchOptions = {
  executablePath: findBrowser(realLookup()).found?.path,
  args: [
    '--no-sandbox', // Chromium refuses to run as root with its sandbox
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
};

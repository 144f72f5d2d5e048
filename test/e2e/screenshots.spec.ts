// Layout that must hold light and dark, at the window's default size and its minimum: nothing runs
// off the side and the controls stay on screen; a browser tab down to 800×600 cuts no text off. Each check also saves a screenshot for people to
// look at (test-results/screenshots/; not compared with baselines). The mid-run and finished set
// trains for a while, so it runs on request: E2E_SCREENSHOTS=1 npx playwright test screenshots
import type { Page } from '@playwright/test';
import { join } from 'node:path';
import { InsightsPage } from './pages/insights-page.ts';
import type { StudioPage } from './pages/studio-page.ts';
import { expect, test } from './support/fixtures.ts';
import { shortRun } from './support/runs.ts';

test.skip(
  ({ appKind }) => appKind !== 'browser',
  "browser mode only: the desktop window's size and theme follow the OS",
);

const SIZES = [
  { width: 1280, height: 800 },
  { width: 1024, height: 700 }, // the Electron window's minimum
] as const;
const SCHEMES = ['light', 'dark'] as const;

/** Lets Chart.js see the new size (it resizes from a ResizeObserver) and paint. */
async function nextFrames(page: Page): Promise<void> {
  await page.evaluate(
    () =>
      new Promise<void>((resolve) => {
        const g = globalThis as unknown as { requestAnimationFrame(cb: () => void): number };
        g.requestAnimationFrame(() => g.requestAnimationFrame(() => resolve()));
      }),
  );
}

/** The page background, which the theme sets from prefers-color-scheme. */
const background = (page: Page): Promise<string> =>
  page.evaluate(() => {
    const g = globalThis as unknown as {
      document: { body: unknown };
      getComputedStyle(e: unknown): { backgroundColor: string };
    };
    return g.getComputedStyle(g.document.body).backgroundColor;
  });

async function checkAll(studio: StudioPage, phase: string, dir: string): Promise<void> {
  const { page } = studio;
  const backgrounds: Record<string, string> = {};
  for (const scheme of SCHEMES)
    for (const size of SIZES) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.setViewportSize(size);
      await nextFrames(page);
      await page.screenshot({
        path: join(dir, `${phase}-${scheme}-${size.width}x${size.height}.png`),
      });
      backgrounds[scheme] = await background(page);

      const where = `${phase}, ${scheme}, ${size.width}×${size.height}`;
      const overflow = await page.evaluate(() => {
        const g = globalThis as unknown as {
          document: { documentElement: { scrollWidth: number; scrollHeight: number } };
          innerWidth: number;
          innerHeight: number;
        };
        const root = g.document.documentElement;
        return { x: root.scrollWidth - g.innerWidth, y: root.scrollHeight - g.innerHeight };
      });
      expect(overflow, `no scrolling the whole window (${where})`).toEqual({ x: 0, y: 0 });
      for (const target of [
        studio.trainButton,
        studio.stopButton,
        studio.runState,
        studio.lossChart,
        studio.accuracyChart,
        studio.connection,
      ])
        await expect(target, where).toBeInViewport({ ratio: 0.99 }); // sub-pixel boxes
    }
  expect(backgrounds.dark, 'dark mode changes the page').not.toBe(backgrounds.light);
}

test('the layout fits light and dark, at 1280×800 and 1024×700', async ({ app }, testInfo) => {
  const studio = await app.open(); // idle, or showing the previous test's run
  await checkAll(studio, 'opened', join(testInfo.project.outputDir, 'screenshots'));
});

test('screenshots mid-run and after the run, light and dark, both sizes', async ({
  app,
}, testInfo) => {
  test.skip(!process.env.E2E_SCREENSHOTS, 'set E2E_SCREENSHOTS=1 for the mid-run screenshots');
  const dir = join(testInfo.project.outputDir, 'screenshots');
  const studio = await app.open();
  // Mid-run: after the first epoch (a test accuracy point), with two more to go so the shots are
  // done long before the run is, even on a busy machine.
  await studio.startRun(shortRun({ epochs: 3, trainLimit: 300, batchSize: 15 }));
  await expect(studio.accuracyChart).toHaveAttribute('data-epochs', '1');
  await checkAll(studio, 'mid-run', dir);
  await studio.expectState('running'); // the mid-run shots really were mid-run

  await studio.expectState('finished');
  await checkAll(studio, 'finished', dir);
});

/** Elements under `selector` whose text is cut off (wider than their box). */
const truncated = (page: Page, selector: string): Promise<string[]> =>
  page.evaluate((sel) => {
    const g = globalThis as unknown as {
      document: {
        querySelectorAll(s: string): Iterable<{
          scrollWidth: number;
          clientWidth: number;
          textContent: string | null;
        }>;
      };
    };
    return [...g.document.querySelectorAll(sel)]
      .filter((e) => e.scrollWidth > e.clientWidth + 1)
      .map((e) => e.textContent ?? '');
  }, selector);

test('the smallest windows stay usable: pad, charts, figures, matrix counts', async ({ app }) => {
  const studio = await app.open();
  const insights = new InsightsPage(studio.page);
  const { page } = studio;
  await studio.startRun(shortRun({ testLimit: 1000 }));
  await studio.expectState('finished');

  // The desktop minimum: a pad worth drawing on, an accuracy chart worth reading.
  await page.setViewportSize({ width: 1024, height: 700 });
  await insights.openTab('draw');
  await nextFrames(page);
  expect((await insights.pad.boundingBox())!.width).toBeGreaterThanOrEqual(200);
  expect((await studio.accuracyChart.boundingBox())!.height).toBeGreaterThanOrEqual(100);

  // A browser tab at 800×600, light and dark: no figure, headline or progress text cut off.
  for (const scheme of SCHEMES) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.setViewportSize({ width: 800, height: 600 });
    await nextFrames(page);
    expect(await truncated(page, 'dd, h2, .text, .qual, .legend li')).toEqual([]);
    await page.screenshot({
      path: join(test.info().project.outputDir, 'screenshots', `finished-${scheme}-800x600.png`),
      fullPage: true,
    });
  }

  // Four-digit counts fit the confusion matrix's cells at the smallest size it is drawn at.
  await page.setViewportSize({ width: 1024, height: 700 });
  await insights.openTab('test');
  // (The counts here are small: set the largest the full test set has, as the panel would.)
  for (const [i, count] of [
    [0, '1135'], // the largest MNIST test class
    [11, '1009'],
    [5, '999'],
  ] as const)
    await insights.cells.nth(i).evaluate((cell, n) => {
      const el = cell as unknown as {
        textContent: string;
        classList: { toggle(c: string, on: boolean): void };
      };
      el.textContent = n;
      el.classList.toggle('n4', n.length === 4);
    }, count);
  expect(await truncated(page, '[data-testid="confusion-cell"]')).toEqual([]);
});

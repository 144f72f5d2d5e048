// Screenshots for people to look at (test-results/screenshots/, not compared to baselines), light and
// dark at the window's default size and its minimum, mid-run and after the run. What is asserted
// is layout that must hold at every size: nothing runs off the side and the controls are on screen.
import type { Page } from '@playwright/test';
import { join } from 'node:path';
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

async function shootAll(studio: StudioPage, phase: string, dir: string): Promise<void> {
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

test('light and dark, default and minimum window size, mid-run and finished', async ({
  app,
}, testInfo) => {
  const dir = join(testInfo.project.outputDir, 'screenshots');
  const studio = await app.open();
  // Two epochs, so mid-run shows a test accuracy point and a loss curve still growing.
  await studio.startRun(shortRun({ epochs: 2, trainLimit: 300, batchSize: 15 }));
  await expect(studio.accuracyChart).toHaveAttribute('data-epochs', '1');
  await shootAll(studio, 'mid-run', dir);

  await studio.expectState('finished');
  await shootAll(studio, 'finished', dir);
});

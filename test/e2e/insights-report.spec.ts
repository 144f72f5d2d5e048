// Figures and pictures for people, not pass/fail checks of the design:
//  - draw -> prediction latency when idle (printed, never asserted: speed is a benchmark figure);
//  - with E2E_REPORT=1: what a quickly trained model (1 epoch of 3 000 images) answers for the ten
//    hand-drawn digit shapes in pages/insights-page.ts, and screenshots of every tab in light and
//    dark at 1280×800 and 1024×700, mid-run and after (in the test's output folder, e.g.
//    test-results/insights-report-…/; pass --output to keep them apart from other runs).
import type { Page } from '@playwright/test';
import { join } from 'node:path';
import { DIGITS, InsightsPage, type InsightTab } from './pages/insights-page.ts';
import { expect, test } from './support/fixtures.ts';
import { shortRun } from './support/runs.ts';

const REPORT = process.env.E2E_REPORT === '1';

const stats = (xs: number[]): string => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number): number => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return `n=${s.length} min ${s[0]!.toFixed(1)} median ${q(0.5).toFixed(1)} p90 ${q(0.9).toFixed(1)} max ${s.at(-1)!.toFixed(1)} ms`;
};

test('draw -> updated bars latency when idle', async ({ app }, info) => {
  test.skip(app.kind !== 'browser', 'measured in browser mode');
  test.skip(!REPORT, 'a measurement, not a check: run with E2E_REPORT=1 (see BENCHMARKS.md)');
  test.setTimeout(420_000);
  const studio = await app.open();
  const insights = new InsightsPage(studio.page);
  await studio.startRun(shortRun({ trainLimit: 500, testLimit: 200, learningRate: 0.001 }));
  await expect(studio.runState).toHaveText('finished', { timeout: 180_000 });
  await insights.openTab('draw');

  const shapes = ['0', '1', '7', '2', '3', '8']; // single strokes: one measurement each
  for (let round = 0; round < 2; round++)
    for (const d of shapes) {
      await insights.clearButton.click();
      await insights.drawAndWait(DIGITS[d]!);
      await expect(insights.conv2Maps).toHaveCount(64); // the inspect answer is in, maps drawn
    }
  const bars = await insights.latencies('cnn:draw-to-bars');
  const paint = await insights.latencies('cnn:draw-to-paint');
  const predict = await insights.latencies('cnn:predict-roundtrip');
  const inspect = await insights.latencies('cnn:inspect-roundtrip');
  const line =
    `draw-to-bars ${stats(bars)}; draw-to-paint ${stats(paint)}; ` +
    `model:predict round trip ${stats(predict)}; model:inspect round trip ${stats(inspect)}`;
  console.log(`[latency] ${line}`);
  await info.attach('latency', { body: line, contentType: 'text/plain' });
  // The drawings above must each have produced a measurement; how long they took is only printed.
  expect(bars).toHaveLength(shapes.length * 2);
});

async function frames(page: Page): Promise<void> {
  await page.evaluate(
    () =>
      new Promise<void>((resolve) => {
        const g = globalThis as unknown as { requestAnimationFrame(cb: () => void): number };
        g.requestAnimationFrame(() => g.requestAnimationFrame(() => resolve()));
      }),
  );
}

async function shoot(
  dir: string,

  page: Page,
  insights: InsightsPage,
  phase: string,
  tabs: InsightTab[],
): Promise<void> {
  for (const scheme of ['light', 'dark'] as const)
    for (const size of [
      { width: 1280, height: 800 },
      { width: 1024, height: 700 },
    ]) {
      await page.emulateMedia({ colorScheme: scheme });
      await page.setViewportSize(size);
      for (const tab of tabs) {
        await insights.openTab(tab);
        await frames(page);
        await page.screenshot({
          path: join(dir, `${phase}-${tab}-${scheme}-${size.width}x${size.height}.png`),
        });
        const overflow = await page.evaluate(() => {
          const r = globalThis as unknown as {
            document: { documentElement: { scrollWidth: number } };
            innerWidth: number;
          };
          return r.document.documentElement.scrollWidth > r.innerWidth;
        });
        expect(overflow, `${phase} ${tab} ${scheme} ${size.width}: nothing runs off the side`).toBe(
          false,
        );
      }
    }
}

test('report: a quickly trained model reads hand-drawn digits; screenshots', async ({
  app,
}, info) => {
  test.skip(!REPORT, 'set E2E_REPORT=1 for the digit report and screenshots');
  test.skip(app.kind !== 'browser', 'browser mode only');
  test.setTimeout(600_000);
  const studio = await app.open();
  const { page } = studio;
  const insights = new InsightsPage(page);
  await studio.startRun(
    shortRun({ trainLimit: 3000, batchSize: 50, testLimit: 1000, learningRate: 0.001, epochs: 1 }),
  );
  // Mid-run: a drawing on the pad so the Draw tab shows live predictions too.
  await insights.openTab('draw');
  await insights.draw(DIGITS['3']!);
  await expect.poll(() => insights.filtersVersion(), { timeout: 120_000 }).toMatch(/^1\.\d+$/);
  await shoot(info.outputPath(), page, insights, 'mid-run', ['filters', 'draw']);
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize({ width: 1280, height: 800 });
  await expect(studio.runState).toHaveText('finished', { timeout: 480_000 });

  await insights.openTab('draw');
  const lines: string[] = [];
  for (const [digit, strokes] of Object.entries(DIGITS)) {
    await insights.clearButton.click();
    await insights.drawAndWait(strokes);
    const p = await insights.probabilities();
    const top = p.indexOf(Math.max(...p));
    const second = p.indexOf(Math.max(...p.filter((_, i) => i !== top)));
    lines.push(
      `drew ${digit}: predicted ${top} (${(p[top]! * 100).toFixed(1)}%), then ${second} (${(p[second]! * 100).toFixed(1)}%)`,
    );
    await page
      .getByTestId('draw-pad')
      .locator('..')
      .locator('..')
      .screenshot({ path: info.outputPath(`digit-${digit}.png`) });
  }
  console.log(`[digits]\n${lines.join('\n')}`);
  await info.attach('digits', { body: lines.join('\n'), contentType: 'text/plain' });

  await insights.openTab('test');
  const counts = (
    await insights.cells.evaluateAll((els) => els.map((e) => e.getAttribute('data-count')))
  ).map(Number);
  const mistake = counts.indexOf(Math.max(...counts.filter((_, i) => i % 11 !== 0)));
  await insights.cells.nth(mistake).click();
  await expect(insights.cellImages.first()).toBeVisible();
  await insights.openTab('filters');
  await insights.conv2.nth(3).click();
  await insights.openTab('draw');
  await insights.clearButton.click();
  await insights.draw(DIGITS['7']!);
  await expect(insights.conv2Maps).toHaveCount(64);
  await shoot(info.outputPath(), page, insights, 'after', ['filters', 'draw', 'test']);
});

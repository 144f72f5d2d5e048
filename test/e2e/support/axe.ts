// Accessibility checked by a library, not by eye: axe-core over the whole page, WCAG 2.1 A and AA
// rules; any serious or critical violation fails, listed with the elements it was found on.
import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';
import type { PageGlobals } from './page-globals.ts';

const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/**
 * `colorsOnly` checks just the rules a colour scheme can change (contrast), for a second pass over
 * a state whose structure the first pass already checked: the themes differ only in colours.
 */
export async function expectAccessible(
  page: Page,
  where: string,
  { colorsOnly = false } = {},
): Promise<void> {
  await settleTransitions(page);
  const axe = new AxeBuilder({ page });
  const results = await (
    colorsOnly ? axe.withRules(['color-contrast', 'link-in-text-block']) : axe.withTags(TAGS)
  ).analyze();
  const bad = results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => {
      const nodes = v.nodes
        .slice(0, 4)
        .map(
          (n) =>
            `${n.target.join(' ')}${n.failureSummary ? ` [${n.failureSummary.split('\n').slice(1, 2).join('').trim()}]` : ''}`,
        );
      return `${v.id} (${v.impact}, ${v.nodes.length}×): ${v.help} — ${nodes.join('; ')}`;
    });
  expect(bad, `no serious or critical axe violation: ${where}`).toEqual([]);
}

/**
 * A colour-scheme switch fades buttons' backgrounds (120 ms) while their text colour changes at
 * once, so a check in that moment reads one theme's text on the other's background. Check the
 * page as it settles, not a frame mid-fade; looping keyframe animations are left running.
 */
async function settleTransitions(page: Page): Promise<void> {
  await page.evaluate(async () => {
    const { document } = globalThis as unknown as PageGlobals;
    const fading = document.getAnimations().filter((a) => a.transitionProperty !== undefined);
    await Promise.all(fading.map((a) => a.finished.catch(() => undefined)));
  });
}

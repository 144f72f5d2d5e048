// axe-core on every main state of the window, light and dark: idle, training (with the stop
// question open), finished, each tab of the right-hand column, the runs list and a comparison,
// and the models panel's dialogs.
import type { Page } from '@playwright/test';
import { InsightsPage } from './pages/insights-page.ts';
import { RunsPage } from './pages/runs-page.ts';
import type { StudioPage } from './pages/studio-page.ts';
import { expectAccessible } from './support/axe.ts';
import { expect, test } from './support/fixtures.ts';
import { longRun, shortRun } from './support/runs.ts';

const SCHEMES = ['light', 'dark'] as const;
// Each axe pass takes ~2 s here; a state is checked in 2 schemes and up to 3 tabs.
test.describe.configure({ timeout: 180_000 });
const TABS = ['filters', 'draw', 'test', 'mine'] as const;

/** Every tab, in both schemes. */
async function checkTabs(studio: StudioPage, state: string): Promise<void> {
  const insights = new InsightsPage(studio.page);
  for (const tab of TABS) {
    await insights.openTab(tab);
    await checkSchemes(studio.page, `${state}, ${tab} tab`);
  }
}

/** Every rule in the light scheme; in the dark one the rules its colours can break. */
async function checkSchemes(page: Page, where: string): Promise<void> {
  for (const scheme of SCHEMES) {
    await page.emulateMedia({ colorScheme: scheme });
    await expectAccessible(page, `${where}, ${scheme}`, { colorsOnly: scheme !== SCHEMES[0] });
  }
}

test('idle and finished: every tab, light and dark', async ({ app }) => {
  const studio = await app.open();
  await checkTabs(studio, 'idle');
  // The layer editor open on a layer.
  await studio.page.getByTestId('network-summary').click();
  await studio.layerBlocks.first().click();
  await expect(studio.page.getByTestId('layer-edit')).toBeVisible();
  await checkSchemes(studio.page, 'layer editor');
  await studio.page.getByTestId('network-summary').click();
  await studio.startRun(shortRun());
  await studio.expectState('finished');
  await checkTabs(studio, 'finished');
  // The centre column's kept runs and a comparison.
  const runs = new RunsPage(studio.page);
  await runs.openTab('runs');
  await expect(runs.rows.first()).toBeVisible();
  await checkSchemes(studio.page, 'runs tab');
  await runs.tick(await runs.newestId());
  await runs.openTab('compare');
  await expect(studio.page.getByTestId('compare-table')).toBeVisible();
  await checkSchemes(studio.page, 'compare tab');
});

test('training, paused, and the stop question', async ({ app }) => {
  const studio = await app.open();
  await studio.startRun(longRun());
  await expect.poll(() => studio.points()).toBeGreaterThanOrEqual(2);
  await checkSchemes(studio.page, 'training');
  await studio.pauseButton.click();
  await studio.expectState('paused');
  await checkSchemes(studio.page, 'paused');
  await expect.poll(() => studio.elapsedSeconds(), { timeout: 60_000 }).toBeGreaterThan(0);
  await studio.resumeButton.click();
  await expect.poll(() => studio.elapsedSeconds(), { timeout: 60_000 }).toBeGreaterThan(11);
  await studio.stopButton.click();
  await expect(studio.confirmStop).toBeVisible();
  await checkSchemes(studio.page, 'stop question');
  await studio.confirmStopButton.click();
  await studio.expectState('stopped');
});

test('the models panel: saved model, rename, delete question, an error', async ({ app }) => {
  const studio = await app.open();
  await studio.startRun(shortRun());
  await studio.expectState('finished');
  const name = `a11y ${Date.now()}`;
  await studio.page.getByTestId('model-name').fill(name);
  await studio.page.getByTestId('btn-save-model').click();
  const row = studio.page.locator(`[data-testid="model-row"][data-name="${name}"]`);
  await expect(row).toBeVisible();
  await checkSchemes(studio.page, 'a saved model');

  await row.getByTestId('btn-rename-model').click();
  await checkSchemes(studio.page, 'rename form');
  await studio.page.keyboard.press('Escape');

  await studio.page.getByTestId('model-name').fill(name);
  await studio.page.getByTestId('btn-save-model').click();
  await expect(studio.page.getByTestId('confirm-replace')).toBeVisible();
  await checkSchemes(studio.page, 'replace question');
  await studio.page.keyboard.press('Escape');

  await row.getByTestId('btn-export-model').click();
  await expect(row.getByTestId('export-form')).toBeVisible();
  await checkSchemes(studio.page, 'export form');
  await studio.page.keyboard.press('Escape');
  await expect(row.getByTestId('export-form')).toHaveCount(0);
  await expect(row.getByTestId('btn-export-model')).toBeFocused();

  await row.getByTestId('btn-delete-model').click();
  await checkSchemes(studio.page, 'delete question');
  await row.getByTestId('btn-confirm-delete').click();
  await expect(row).toHaveCount(0);

  if (app.kind === 'browser') {
    await studio.page.getByTestId('btn-import-model').click();
    await studio.page.getByLabel(/Model folder to import/).fill('/no/such/folder');
    await studio.page.getByRole('button', { name: 'Import', exact: true }).click();
    await expect(studio.page.getByTestId('models-error')).toBeVisible();
    await checkSchemes(studio.page, 'an import error');
  }
});

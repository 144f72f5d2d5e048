// Data from a folder in the browser: Fashion-MNIST typed as a path (browser mode on 127.0.0.1),
// its class names from labels.txt in the test-set panel and the prediction, then back to MNIST.
import { existsSync } from 'node:fs';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIGITS, InsightsPage } from './pages/insights-page.ts';
import { expect, test } from './support/fixtures.ts';
import { shortRun } from './support/runs.ts';

const FASHION = '/usr/share/datasets/fashion-mnist';
const NAMES =
  'T-shirt/top\nTrouser\nPullover\nDress\nCoat\nSandal\nShirt\nSneaker\nBag\nAnkle boot\n';

test('train on Fashion-MNIST from a folder, with its class names', async ({ app }) => {
  test.skip(!existsSync(FASHION), `${FASHION} is missing: install Debian's dataset-fashion-mnist`);
  const dir = mkdtempSync(join(tmpdir(), 'fashion-e2e-'));
  for (const f of [
    'train-images-idx3-ubyte',
    'train-labels-idx1-ubyte',
    't10k-images-idx3-ubyte',
    't10k-labels-idx1-ubyte',
  ])
    symlinkSync(join(FASHION, `${f}.gz`), join(dir, `${f}.gz`));
  writeFileSync(join(dir, 'labels.txt'), NAMES);
  const studio = await app.open();
  const page = studio.page;
  const data = page.getByTestId('cfg-data');
  try {
    await data.selectOption('other');
    await page
      .getByRole('textbox', { name: /Folder with the four MNIST-format IDX files/ })
      .fill(dir);
    await page.getByRole('button', { name: 'Use', exact: true }).click();
    await expect(page.getByTestId('data-summary')).toContainText('T-shirt/top, Trouser, Pullover');
    await expect(data).toHaveValue('folder');

    await studio.network.selectOption('tiny-cnn');
    await studio.startRun(shortRun({ learningRate: 0.001 }));
    await expect(studio.runState).toHaveText('finished', { timeout: 60_000 });
    const insights = new InsightsPage(page);
    await insights.openTab('test');
    await expect(page.getByTestId('class-legend')).toContainText('Ankle boot');
    await insights.openTab('draw');
    await insights.drawAndWait(DIGITS['1']!);
    await expect(page.getByTestId('prob-bar').nth(1)).toContainText('Trouser');
  } finally {
    // The server is shared with the next specs: back to the bundled MNIST.
    await data.selectOption('bundled');
    await expect(page.getByTestId('data-summary')).toHaveCount(0);
    await expect(data).toHaveValue('bundled');
    rmSync(dir, { recursive: true, force: true });
  }
});

// The network is a choice: a preset brings its own layers and optimizer settings, the layer strip
// shows each layer's output shape before training, and a run of the plain network really trains
// it (its first layer's weights are drawn as 28×28 pictures, since it has no filters).
import { DIGITS, InsightsPage } from './pages/insights-page.ts';
import { expect, test } from './support/fixtures.ts';
import { shortRun } from './support/runs.ts';

test('pick Standard NN: its layers, its settings, and a run that trains it', async ({ app }) => {
  const studio = await app.open();
  await expect(studio.network).toHaveValue('tutorial-cnn');
  // The strip folds away (the panel must fit a small window); its summary opens it.
  await studio.page.getByTestId('network-summary').click();
  await expect(studio.layerBlocks.first()).toBeVisible();
  await expect(studio.layerBlocks).toHaveText([
    'conv1 28×28×32',
    'pool1 14×14×32',
    'conv2 14×14×64',
    'pool2 7×7×64',
    'flatten 3136',
    'fc1 1000',
    'fc2 10',
  ]);
  await expect(studio.networkParams).toContainText('3\u202f199\u202f106 parameters');

  await studio.network.selectOption('standard-nn');
  await expect(studio.layerBlocks).toHaveText(['flatten 784', 'fc1 300', 'fc2 10']);
  await expect(studio.networkParams).toContainText('238\u202f510 parameters');
  // The preset's own optimizer settings: plain SGD at 0.5, batches of 100.
  await expect(studio.field('learningRate')).toHaveValue('0.5');
  await expect(studio.field('batchSize')).toHaveValue('100');
  await expect(studio.page.getByTestId('network-summary')).toContainText('SGD ·');

  const run = shortRun({ learningRate: 0.5, batchSize: 20 });
  await studio.startRun(run);
  await expect(studio.runState).toHaveText('finished', { timeout: 60_000 });
  await expect(
    studio.page.getByRole('heading', { name: 'First dense layer weights' }),
  ).toBeVisible();
  await expect(studio.page.getByTestId('filter-conv1')).toHaveCount(300);
  await expect(studio.page.getByTestId('filters-caption')).toContainText('no convolution');
  // Drawing: the prediction comes, and the maps panel says why it has nothing to show.
  const insights = new InsightsPage(studio.page);
  await insights.openTab('draw');
  await insights.drawAndWait(DIGITS['1']!);
  expect((await insights.probabilities()).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 2);
  await expect(studio.page.getByTestId('feature-maps-none')).toContainText('no convolution');
  // After the run the picker still shows the network that ran; the tutorial is one click away.
  await expect(studio.network).toHaveValue('standard-nn');
  await studio.defaultsButton.click();
  await expect(studio.network).toHaveValue('tutorial-cnn');
});

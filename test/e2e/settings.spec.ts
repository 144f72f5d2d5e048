// Settings the host would refuse are caught in the form: each says why, and no run starts.
import type { ConfigKey, Settings } from './pages/studio-page.ts';
import { expect, hostRunId, test } from './support/fixtures.ts';
import { shortRun } from './support/runs.ts';

const INVALID: { what: string; key: ConfigKey; set: Settings; reason: string }[] = [
  {
    what: 'learning rate 0',
    key: 'learningRate',
    set: { learningRate: '0' },
    reason: 'Learning rate must be above 0 and at most 1',
  },
  {
    what: 'batch 0',
    key: 'batchSize',
    set: { batchSize: '0' },
    reason: 'Batch size must be between 1 and 4096',
  },
  {
    what: 'epochs 1.5',
    key: 'epochs',
    set: { epochs: '1.5' },
    reason: 'Epochs must be a whole number',
  },
  {
    what: 'batch larger than the training images',
    key: 'batchSize',
    set: { trainLimit: '300', batchSize: '301' },
    reason: 'Batch size must not exceed the 300 training images',
  },
];

test('invalid settings show their reason, disable Train and start nothing', async ({ app }) => {
  const studio = await app.open();
  const valid = shortRun();
  const stateBefore = await studio.runState.textContent();
  const runBefore = hostRunId(await app.host.status());

  for (const bad of INVALID) {
    await studio.configure(valid);
    await expect(studio.trainButton, 'valid settings enable Train').toBeEnabled();
    await studio.configure(bad.set);
    await expect(studio.fieldError(bad.key), bad.what).toHaveText(bad.reason);
    await expect(studio.field(bad.key)).toHaveAttribute('aria-invalid', 'true');
    await expect(studio.trainButton, bad.what).toBeDisabled();
    // Neither the button nor the keyboard shortcut gets past the form.
    await studio.trainButton.click({ force: true });
    await studio.field(bad.key).press('Control+Enter');
  }
  // A start request would be answered within a batch-free moment; give it one.
  await studio.page.waitForTimeout(1000);
  await expect(studio.runState).toHaveText(stateBefore ?? 'idle');
  const after = await app.host.status();
  expect(after.worker.state).toBe('idle');
  expect(hostRunId(after), 'no run-started since').toBe(runBefore);

  // Control: the same form, made valid again, does start a run.
  await studio.configure(valid);
  await expect(studio.fieldError('batchSize')).toHaveCount(0);
  await studio.trainButton.click();
  await studio.expectRun(valid.seed);
});

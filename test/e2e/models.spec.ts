// The models panel end to end: a trained model is saved, renamed, loaded and deleted from the
// page, and after each step the list the page shows is the list the host keeps on disk.
import type { ModelList } from '../../src/shared/models.ts';
import { ModelsPage } from './pages/models-page.ts';
import { expect, test, type App } from './support/fixtures.ts';
import { shortRun } from './support/runs.ts';

async function hostNames(app: App): Promise<string[]> {
  const r = await app.host.invoke('model:list', null);
  expect(r.ok, JSON.stringify(r)).toBe(true);
  return (r as { ok: true; value: ModelList }).value.models.map((m) => m.name).sort();
}

test('save, rename, load and delete a trained model; the list matches the disk at every step', async ({
  app,
}) => {
  const studio = await app.open();
  const models = new ModelsPage(studio.page);
  await studio.startRun(shortRun());
  await studio.expectState('finished');

  const first = `e2e digits ${Date.now()}`;
  const renamed = `${first} renamed`;
  const before = await hostNames(app);

  await models.save(first);
  expect(await hostNames(app)).toEqual([...before, first].sort());

  await models.rename(first, renamed);
  await expect(models.row(renamed)).toBeVisible();
  await expect(models.row(first)).toHaveCount(0);
  await expect(models.row(renamed).getByTestId('btn-rename-model')).toBeFocused();
  expect(await hostNames(app)).toEqual([...before, renamed].sort());

  await models.load(renamed);
  await expect(models.row(renamed)).toHaveClass(/loaded/);
  const status = await app.host.status();
  expect(status.worker.hasModel).toBe(true);

  await models.delete(renamed);
  expect(await hostNames(app)).toEqual(before);
  expect((await models.names()).sort()).toEqual(before);
});

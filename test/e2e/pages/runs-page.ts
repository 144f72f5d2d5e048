// The centre column's Runs and Compare tabs, as a test drives them.
import { expect, type Locator, type Page } from '@playwright/test';

/** Fills an open export form: the format, the typed folder, Export. */
export async function exportThrough(
  scope: Locator,
  format: 'tfjs' | 'onnx',
  folder: string,
): Promise<void> {
  const form = scope.getByTestId('export-form');
  await expect(form.getByTestId('export-tfjs')).toBeFocused();
  await form.getByTestId(`export-${format}`).check();
  await form.getByTestId('export-path').fill(folder);
  await form.getByTestId('btn-export-submit').click();
  await expect(form).toHaveCount(0);
}

export class RunsPage {
  readonly rows: Locator;
  readonly compareButton: Locator;
  readonly comparePanel: Locator;

  constructor(readonly page: Page) {
    this.rows = page.getByTestId('run-row');
    this.compareButton = page.getByTestId('btn-compare');
    this.comparePanel = page.getByTestId('compare-panel');
  }

  async openTab(tab: 'training' | 'runs' | 'compare'): Promise<void> {
    await this.page.getByTestId(`center-tab-${tab}`).click();
  }

  /** The kept run trained with this seed (the list says its settings only through the id). */
  row(id: string): Locator {
    return this.page.locator(`[data-testid="run-row"][data-run-id="${id}"]`);
  }

  /** The id of the newest kept run, once `count` runs are listed. */
  async newestId(): Promise<string> {
    return (await this.rows.first().getAttribute('data-run-id')) ?? '';
  }

  async tick(id: string): Promise<void> {
    await this.row(id).getByTestId('run-compare').check();
  }

  /** Exports a run from its row (browser mode: the folder is typed). */
  async exportRun(id: string, format: 'tfjs' | 'onnx', folder: string): Promise<void> {
    await this.row(id).getByTestId('btn-export-run').click();
    await exportThrough(this.row(id), format, folder);
  }

  async show(id: string): Promise<void> {
    await this.row(id).getByTestId('btn-show-run').click();
    await expect(this.page.getByTestId('run-origin')).toContainText('A kept run');
  }
}

// The "Saved models" panel as the specs see it (test ids only), on a StudioPage's page.
import { expect, type Locator, type Page } from '@playwright/test';

export class ModelsPage {
  readonly panel: Locator;
  readonly nameInput: Locator;
  readonly saveButton: Locator;
  readonly notice: Locator;
  readonly error: Locator;
  readonly rows: Locator;

  constructor(readonly page: Page) {
    this.panel = page.getByTestId('models-panel');
    this.nameInput = this.panel.getByTestId('model-name');
    this.saveButton = this.panel.getByTestId('btn-save-model');
    this.notice = this.panel.getByTestId('models-notice');
    this.error = this.panel.getByTestId('models-error');
    this.rows = this.panel.getByTestId('model-row');
  }

  row(name: string): Locator {
    return this.panel.locator(`[data-testid="model-row"][data-name="${name}"]`);
  }

  /** The names the list shows, in its order. */
  async names(): Promise<string[]> {
    return this.rows.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-name') ?? ''));
  }

  async save(name: string): Promise<void> {
    await this.nameInput.fill(name);
    await this.saveButton.click();
    await expect(this.notice).toHaveText(`Saved "${name}".`);
    await expect(this.row(name)).toBeVisible();
  }

  async rename(from: string, to: string): Promise<void> {
    await this.row(from).getByTestId('btn-rename-model').click();
    const input = this.panel.getByTestId('rename-input');
    await expect(input).toBeFocused();
    await input.fill(to);
    await input.press('Enter');
    await expect(this.notice).toHaveText(`Renamed "${from}" to "${to}".`);
  }

  async load(name: string): Promise<void> {
    await this.row(name).getByTestId('btn-load-model').click();
    await expect(this.notice).toHaveText(`Loaded "${name}": draw a digit to try it.`);
  }

  async delete(name: string): Promise<void> {
    await this.row(name).getByTestId('btn-delete-model').click();
    await this.row(name).getByTestId('btn-confirm-delete').click();
    await expect(this.notice).toHaveText(`Deleted "${name}".`);
    await expect(this.row(name)).toHaveCount(0);
  }
}

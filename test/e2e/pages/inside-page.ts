// The Inside tab as the specs see it: the stage strip, the open stage's map and pixel, the worked
// convolution, the pooling window, the output's softmax table and the ideas list, by test id.
import type { Locator, Page } from '@playwright/test';

export class InsidePage {
  readonly panel: Locator;
  readonly lead: Locator;
  readonly stages: Locator;
  readonly detail: Locator;
  readonly caption: Locator;
  readonly map: Locator;
  readonly pixel: Locator;
  readonly worked: Locator;
  readonly products: Locator;
  readonly sum: Locator;
  readonly output: Locator;
  readonly channelSums: Locator;
  readonly field: Locator;
  readonly poolWindow: Locator;
  readonly poolEq: Locator;
  readonly softmax: Locator;
  readonly terms: Locator;
  readonly loss: Locator;

  constructor(readonly page: Page) {
    const id = (testId: string): Locator => page.getByTestId(testId);
    this.panel = id('inside-panel');
    this.lead = id('inside-lead');
    this.stages = id('inside-stages');
    this.detail = id('inside-detail');
    this.caption = id('inside-caption');
    this.map = id('inside-map');
    this.pixel = id('inside-pixel');
    this.worked = id('inside-worked');
    this.products = id('inside-products');
    this.sum = id('inside-sum');
    this.output = id('inside-output');
    this.channelSums = id('inside-channel-sums').getByRole('button');
    this.field = id('inside-field');
    this.poolWindow = id('inside-pool-window');
    this.poolEq = id('inside-pool-eq');
    this.softmax = id('inside-softmax');
    this.terms = id('inside-terms');
    this.loss = id('inside-loss');
  }

  stage(name: string): Locator {
    return this.page.getByTestId(`inside-stage-${name}`);
  }

  /** Clicks the open map at a fraction of its size: (0, 0) top left. */
  async clickMap(fx: number, fy: number): Promise<void> {
    const box = await this.map.boundingBox();
    if (!box) throw new Error('the map is not on screen');
    await this.page.mouse.click(box.x + fx * box.width, box.y + fy * box.height);
  }

  /** The chosen pixel's row, column and value, as the live line says them. */
  async chosenPixel(): Promise<{ row: number; column: number; value: string }> {
    const text = (await this.pixel.textContent()) ?? '';
    const m = /row (\d+), column (\d+): (\S+)/.exec(text);
    if (!m) throw new Error(`no pixel in "${text}"`);
    return { row: Number(m[1]), column: Number(m[2]), value: m[3]! };
  }
}

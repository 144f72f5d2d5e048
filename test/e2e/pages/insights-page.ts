// The right-hand "inside the network" column as the specs see it: the Filters, Draw and Test set
// tabs, by test id. Works on a browser tab and an Electron window alike.
import { expect, type Locator, type Page } from '@playwright/test';

export type InsightTab = 'filters' | 'draw' | 'inside' | 'test' | 'mine';

/** A stroke as points in pad fractions: (0, 0) top left, (1, 1) bottom right. */
export type Stroke = readonly (readonly [number, number])[];

/** The page globals used inside page.evaluate (the Node tsconfig has no DOM lib). */
interface CanvasGlobals {
  performance: {
    getEntriesByName(name: string): { duration: number }[];
    clearMeasures(name?: string): void;
  };
}
interface CanvasLike {
  toDataURL(): string;
}

export class InsightsPage {
  readonly filterGrid: Locator;
  readonly conv1: Locator;
  readonly conv2: Locator;
  readonly conv2Slices: Locator;
  readonly pad: Locator;
  readonly drawPanel: Locator;
  readonly preview: Locator;
  readonly previewEmpty: Locator;
  readonly bars: Locator;
  readonly top: Locator;
  readonly status: Locator;
  readonly clearButton: Locator;
  readonly conv1Maps: Locator;
  readonly conv2Maps: Locator;
  readonly matrix: Locator;
  readonly cells: Locator;
  readonly cellImages: Locator;
  readonly wrongImages: Locator;
  readonly evaluationWhen: Locator;

  constructor(readonly page: Page) {
    const id = (testId: string): Locator => page.getByTestId(testId);
    this.filterGrid = id('filter-grid');
    this.conv1 = this.filterGrid.getByTestId('filter-conv1');
    this.conv2 = id('filter-conv2');
    this.conv2Slices = id('filter-conv2-slices').getByTestId('filter-conv2-slice');
    this.pad = id('draw-pad');
    this.drawPanel = id('draw-panel');
    this.preview = id('digit-preview');
    this.previewEmpty = id('digit-preview-empty');
    this.bars = id('prob-bars');
    this.top = id('prediction-top');
    this.status = id('predict-status');
    this.clearButton = id('draw-clear');
    this.conv1Maps = id('feature-maps-conv1').locator('canvas');
    this.conv2Maps = id('feature-maps-conv2').locator('canvas');
    this.matrix = id('confusion-matrix');
    this.cells = id('confusion-cell');
    this.cellImages = id('cell-images').getByTestId('cell-image');
    this.wrongImages = id('wrong-gallery').getByTestId('wrong-image');
    this.evaluationWhen = id('evaluation-when');
  }

  async openTab(tab: InsightTab): Promise<void> {
    const button = this.page.getByTestId(`insight-tab-${tab}`);
    await button.click();
    await expect(button).toHaveAttribute('aria-selected', 'true');
  }

  /** The snapshot shown by the filter grid ("epoch.batch"). */
  async filtersVersion(): Promise<string> {
    return (await this.filterGrid.getAttribute('data-version')) ?? '';
  }

  /**
   * The grid's snapshot version and its layer-1 filters' pixels, read in one go: read apart, a
   * snapshot arriving in between pairs one version with the next one's pixels.
   */
  async filterSnapshot(): Promise<{ version: string; pixels: string[] }> {
    return this.filterGrid.evaluate((grid) => ({
      version: grid.getAttribute('data-version') ?? '',
      pixels: Array.from(grid.querySelectorAll('[data-testid="filter-conv1"]'), (c) =>
        (c as unknown as CanvasLike).toDataURL(),
      ),
    }));
  }

  /** Each canvas's pixels as a PNG data URL, in order. */
  async canvasData(canvases: Locator): Promise<string[]> {
    return canvases.evaluateAll((els) => els.map((c) => (c as unknown as CanvasLike).toDataURL()));
  }

  /** Draws strokes with the mouse: down, moves in small steps, up. */
  async draw(strokes: readonly Stroke[]): Promise<void> {
    await this.pad.scrollIntoViewIfNeeded();
    const box = await this.pad.boundingBox();
    if (!box) throw new Error('the drawing pad is not on screen');
    const at = ([x, y]: readonly [number, number]): [number, number] => [
      box.x + x * box.width,
      box.y + y * box.height,
    ];
    for (const stroke of strokes) {
      const [first, ...rest] = stroke;
      if (!first) continue;
      await this.page.mouse.move(...at(first));
      await this.page.mouse.down();
      for (const p of rest) await this.page.mouse.move(...at(p), { steps: 2 });
      await this.page.mouse.up();
    }
  }

  /**
   * Draws, then waits for the answer to the finished drawing: a new stroke-end measurement, and
   * nothing left pending or in flight.
   */
  async drawAndWait(strokes: readonly Stroke[]): Promise<void> {
    const before = (await this.latencies()).length;
    await this.draw(strokes);
    await expect.poll(async () => (await this.latencies()).length).toBeGreaterThan(before);
    await expect(this.drawPanel).toHaveAttribute('data-settled', 'true');
  }

  /** The ten probabilities the bars show. */
  async probabilities(): Promise<number[]> {
    const bars = this.bars.getByTestId('prob-bar');
    return (await bars.evaluateAll((els) => els.map((e) => e.getAttribute('data-p') ?? ''))).map(
      Number,
    );
  }

  /** Stroke end -> updated bars, in ms, for every stroke so far (performance.measure entries). */
  async latencies(
    name:
      | 'cnn:draw-to-bars'
      | 'cnn:draw-to-paint'
      | 'cnn:predict-roundtrip'
      | 'cnn:inspect-roundtrip' = 'cnn:draw-to-bars',
  ): Promise<number[]> {
    return this.page.evaluate(
      (n) =>
        (globalThis as unknown as CanvasGlobals).performance
          .getEntriesByName(n)
          .map((e) => e.duration),
      name,
    );
  }
}

// --- digit shapes, as mouse paths ----------------------------------------------------------------

const arc = (
  cx: number,
  cy: number,
  rx: number,
  ry: number,
  from: number,
  to: number,
  n = 24,
): [number, number][] =>
  Array.from({ length: n + 1 }, (_, i) => {
    const t = ((from + ((to - from) * i) / n) * Math.PI) / 180;
    return [cx + rx * Math.cos(t), cy + ry * Math.sin(t)];
  });

/** Hand-drawn-ish digits (angles in degrees, y down), about 60 % of the pad tall. */
export const DIGITS: Record<string, readonly Stroke[]> = {
  '0': [arc(0.5, 0.5, 0.2, 0.3, -90, 275, 36)],
  '1': [
    [
      [0.5, 0.2],
      [0.49, 0.5],
      [0.48, 0.8],
    ],
  ],
  '2': [
    [
      ...arc(0.5, 0.35, 0.18, 0.15, 200, 360, 14),
      ...arc(0.5, 0.35, 0.18, 0.15, 0, 40, 4),
      [0.3, 0.8],
      [0.72, 0.8],
    ],
  ],
  '3': [
    [...arc(0.48, 0.33, 0.17, 0.14, 200, 450, 18), ...arc(0.48, 0.64, 0.19, 0.17, 270, 520, 18)],
  ],
  '4': [
    [
      [0.45, 0.2],
      [0.3, 0.58],
      [0.72, 0.58],
    ],
    [
      [0.62, 0.35],
      [0.62, 0.82],
    ],
  ],
  '5': [[[0.68, 0.2], [0.36, 0.2], [0.33, 0.46], ...arc(0.5, 0.62, 0.19, 0.18, 220, 500, 20)]],
  '6': [[[0.62, 0.18], ...arc(0.5, 0.64, 0.18, 0.17, 200, 560, 28)]],
  '7': [
    [
      [0.28, 0.2],
      [0.72, 0.2],
      [0.45, 0.82],
    ],
  ],
  '8': [[...arc(0.5, 0.33, 0.14, 0.13, 90, 450, 24), ...arc(0.5, 0.63, 0.17, 0.17, -90, 270, 24)]],
  '9': [[...arc(0.5, 0.36, 0.16, 0.15, 0, 360, 24), [0.66, 0.6], [0.62, 0.82]]],
};

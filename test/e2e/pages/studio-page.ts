// The CNN Studio window as the specs see it: stable test ids only, so a restyle does not break the
// suite. Works on a browser tab and on an Electron window alike (both are a Playwright Page).
import { expect, type Locator, type Page } from '@playwright/test';
import type { ConfigKey } from '../../../renderer/src/lib/state/config-form.ts';
import type { RunState } from '../../../renderer/src/lib/state/reducer.ts';

export type { ConfigKey, RunState };

/** What to type into the settings form; numbers are typed as written, strings verbatim. */
export type Settings = Partial<Record<ConfigKey, number | string>>;

export class StudioPage {
  readonly connection: Locator;
  readonly runState: Locator;
  readonly runHeadline: Locator;
  /** "3 000 training images · batch 10 · lr 0.0001 · seed 7": identifies the run on screen. */
  readonly runSettings: Locator;
  readonly trainButton: Locator;
  readonly pauseButton: Locator;
  readonly resumeButton: Locator;
  readonly stopButton: Locator;
  readonly defaultsButton: Locator;
  /** The network picker (a preset) and the layer strip under it, one block per layer. */
  readonly network: Locator;
  readonly layerBlocks: Locator;
  readonly networkParams: Locator;
  readonly engineLabel: Locator;
  /** Why this engine, in plain words. */
  readonly engineWhy: Locator;
  /** The host's technical reason, inside a "Technical details" disclosure. */
  readonly engineReason: Locator;
  /** "Stop training?", asked before a run older than a few seconds is stopped. */
  readonly confirmStop: Locator;
  readonly confirmStopButton: Locator;
  readonly keepTrainingButton: Locator;
  readonly lossChart: Locator;
  /** The loss chart's plot box: data-points is the number of batches drawn. */
  readonly lossPlot: Locator;
  readonly logScale: Locator;
  readonly accuracyChart: Locator;
  readonly testAccuracy: Locator;
  readonly currentLoss: Locator;
  readonly currentAccuracy: Locator;
  readonly imagesPerSec: Locator;
  readonly elapsed: Locator;
  readonly eta: Locator;
  readonly epochProgress: Locator;
  readonly batchProgress: Locator;
  readonly errorPanel: Locator;
  readonly errorMessage: Locator;
  readonly actionError: Locator;

  constructor(readonly page: Page) {
    const id = (testId: string): Locator => page.getByTestId(testId);
    this.connection = id('connection-state');
    this.runState = id('run-state');
    this.runHeadline = id('run-headline');
    // No test id of its own: the line right under the headline.
    this.runSettings = this.runHeadline.locator('xpath=following-sibling::p[1]');
    this.trainButton = id('btn-train');
    this.pauseButton = id('btn-pause');
    this.resumeButton = id('btn-resume');
    this.stopButton = id('btn-stop');
    this.defaultsButton = id('btn-defaults');
    this.network = id('cfg-network');
    this.layerBlocks = id('layer-block');
    this.networkParams = id('network-params');
    this.engineLabel = id('engine-label');
    this.engineWhy = id('engine-why');
    this.engineReason = id('engine-reason');
    this.confirmStop = id('confirm-stop');
    this.confirmStopButton = id('btn-confirm-stop');
    this.keepTrainingButton = id('btn-keep-training');
    this.lossChart = id('loss-chart');
    this.lossPlot = this.lossChart.locator('..');
    this.logScale = id('loss-log');
    this.accuracyChart = id('accuracy-chart');
    this.testAccuracy = id('test-accuracy');
    this.currentLoss = id('current-loss');
    this.currentAccuracy = id('current-accuracy');
    this.imagesPerSec = id('images-per-sec');
    this.elapsed = id('elapsed');
    this.eta = id('eta');
    this.epochProgress = id('epoch-progress');
    this.batchProgress = id('batch-progress');
    this.errorPanel = id('error-panel');
    this.errorMessage = id('error-message');
    this.actionError = id('action-error');
  }

  field(key: ConfigKey): Locator {
    return this.page.getByTestId(`cfg-${key}`);
  }

  fieldError(key: ConfigKey): Locator {
    return this.page.getByTestId(`cfg-${key}-error`);
  }

  /**
   * Waits until the app is connected to its training host and has synced with it: the engine is
   * named once training:status (or the engine event) has arrived.
   */
  async waitReady(): Promise<void> {
    await expect(this.connection).toHaveAttribute('data-state', /^(open|ipc)$/);
    await expect(this.engineLabel).not.toHaveText('Not known yet');
  }

  async configure(settings: Settings): Promise<void> {
    for (const [key, value] of Object.entries(settings) as [ConfigKey, number | string][])
      await this.field(key).fill(String(value));
  }

  /**
   * Picks the preset if one is named (the e2e server is shared, so the last spec's network is
   * still chosen), fills the form, presses Train and waits until this run (known by its seed) is
   * on screen.
   */
  async startRun({
    network,
    ...settings
  }: Settings & { seed: number; network?: string }): Promise<void> {
    if (network !== undefined) await this.network.selectOption(network);
    await this.configure(settings);
    await expect(this.trainButton).toBeEnabled();
    await this.trainButton.click();
    await this.expectRun(settings.seed);
  }

  /** The view shows the run with this seed (a new run replaces the previous one's view). */
  async expectRun(seed: number): Promise<void> {
    await expect(this.runSettings).toContainText(`seed ${seed}`);
  }

  /** Batches drawn in the loss chart. */
  async points(): Promise<number> {
    return Number(await this.lossPlot.getAttribute('data-points'));
  }

  /** Epochs drawn in the accuracy chart. */
  async epochsShown(): Promise<number> {
    return Number(await this.accuracyChart.getAttribute('data-epochs'));
  }

  /** Presses Stop and, if the run is old enough to be asked about, confirms. */
  async stop(): Promise<void> {
    await this.stopButton.click();
    // The question appears at once or not at all: the button's handler decides synchronously.
    if (await this.confirmStop.isVisible()) await this.confirmStopButton.click();
  }

  /** Seconds shown in the Elapsed tile ("12s", "1m 05s"). */
  async elapsedSeconds(): Promise<number> {
    const text = (await this.elapsed.textContent()) ?? '';
    const m = /^(?:(\d+)m )?(\d+)s$/.exec(text.trim());
    return m ? Number(m[1] ?? 0) * 60 + Number(m[2]) : 0;
  }

  async expectState(state: RunState): Promise<void> {
    await expect(this.runState).toHaveText(state);
  }
}

// Smoke test of the PACKAGED app (not out/ run by a dev Electron): launch the installed-layout
// binary with Playwright's `_electron`, train one small epoch, draw a digit and get a prediction.
//
//   CNN_STUDIO_TEST_BUILD=1 npm run dist -- --dir    the test build, in dist/test-build/
//   npm run test:smoke                               this spec
//
// It needs the TEST build: Playwright attaches through --inspect, which the release build's
// fuses switch off (scripts/fuses.ts). Skipped, with the reason, where there is no packaged app
// with a real Electron binary (e.g. here, where Electron cannot be downloaded).
// CNN_STUDIO_PACKAGE_DIR picks another output folder; CNN_STUDIO_EXPECT_ENGINE=native|wasm
// makes the engine the app chose part of the test (CI sets it per runner).
//
// Selectors are the app's data-testid contract, as in test/e2e/pages/.
import { _electron, expect, test, type Page } from '@playwright/test';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FUSE_INDEX, readFuseWire } from '../../scripts/fuses.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');
const BASE = resolve(ROOT, process.env.CNN_STUDIO_PACKAGE_DIR ?? 'dist/test-build');
const PRODUCT = 'CNN Studio';

/** The packaged executable electron-builder left in BASE for this platform, if any. */
function packagedExecutable(): string | null {
  const candidates =
    process.platform === 'darwin'
      ? ['mac', 'mac-arm64', 'mac-universal'].map((d) =>
          join(BASE, d, `${PRODUCT}.app`, 'Contents', 'MacOS', PRODUCT),
        )
      : process.platform === 'win32'
        ? ['win-unpacked', 'win-arm64-unpacked', 'win-ia32-unpacked'].map((d) =>
            join(BASE, d, `${PRODUCT}.exe`),
          )
        : ['linux-unpacked', 'linux-arm64-unpacked', 'linux-armv7l-unpacked'].map((d) =>
            join(BASE, d, 'cnn-studio'),
          );
  return candidates.find((p) => existsSync(p)) ?? null;
}

/** Where the fuse wire lives: the app binary, or the framework inside a macOS bundle. */
const fuseFile = (exe: string): string =>
  process.platform === 'darwin' ? exe.replace(/\/Contents\/MacOS\/[^/]+$/, '') : exe;

const executable = packagedExecutable();
const wire = executable ? await readFuseWire(fuseFile(executable)) : null;
const skipReason =
  executable === null
    ? `no packaged app in ${BASE} (build one: CNN_STUDIO_TEST_BUILD=1 npm run dist -- --dir)`
    : wire === null
      ? `${executable} is not a real Electron binary (the stand-in packaging): nothing can run`
      : null;
if (skipReason) console.log(`# packaged-app smoke test skipped: ${skipReason}`);

test.skip(skipReason !== null, skipReason ?? '');

test.beforeAll(() => {
  // '1' (49): Playwright's _electron needs the Node inspector, kept only in the test build.
  if (wire && wire[FUSE_INDEX.EnableNodeCliInspectArguments] !== 49)
    throw new Error(
      `${executable} is a release build (--inspect fused off), which Playwright cannot drive. ` +
        'Build the test variant: CNN_STUDIO_TEST_BUILD=1 npm run dist -- --dir',
    );
});

async function fill(page: Page, key: string, value: string): Promise<void> {
  await page.getByTestId(`cfg-${key}`).fill(value);
}

test('the packaged app starts, trains one small epoch and reads a drawn digit', async () => {
  const testInfo = test.info();
  const env = { ...process.env } as Record<string, string>;
  delete env.ELECTRON_RENDERER_URL; // a packaged app ignores it anyway
  delete env.ELECTRON_RUN_AS_NODE;
  const app = await _electron.launch({
    executablePath: executable!,
    // Root cannot use Chromium's sandbox (CI runners are not root; a container may be).
    args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
    env,
    timeout: 120_000,
  });
  try {
    const page = await app.firstWindow();
    await expect(page).toHaveTitle(/CNN Studio/);
    expect(await app.evaluate(({ app: a }) => a.isPackaged)).toBe(true);

    // The engine: named, with its reason (the portable one where tfjs-node did not install).
    const engine = page.getByTestId('engine-label');
    await expect(engine).not.toHaveText('Not known yet', { timeout: 120_000 });
    const label = (await engine.textContent())?.trim() ?? '';
    const reason = (await page.getByTestId('engine-reason').textContent())?.trim() ?? '';
    testInfo.annotations.push({ type: 'engine', description: `${label} — ${reason}` });
    const expected = process.env.CNN_STUDIO_EXPECT_ENGINE;
    if (expected === 'native') expect(label).toMatch(/Native TensorFlow/);
    if (expected === 'wasm') expect(label).toMatch(/Portable WebAssembly/);

    // One small epoch on the bundled MNIST.
    await fill(page, 'epochs', '1');
    await fill(page, 'trainLimit', '1000');
    await fill(page, 'testLimit', '500');
    await fill(page, 'batchSize', '50');
    await expect(page.getByTestId('btn-train')).toBeEnabled();
    await page.getByTestId('btn-train').click();
    await expect(page.getByTestId('run-state')).toHaveText('finished', { timeout: 8 * 60_000 });
    await expect(page.getByTestId('test-accuracy')).toHaveText(/\d/);

    // Draw a "1" and get ten probabilities and a top digit.
    const tab = page.getByTestId('insight-tab-draw');
    if ((await tab.count()) > 0) await tab.click();
    const pad = page.getByTestId('draw-pad');
    await pad.scrollIntoViewIfNeeded();
    const box = await pad.boundingBox();
    if (!box) throw new Error('the drawing pad is not on screen');
    await page.mouse.move(box.x + box.width * 0.52, box.y + box.height * 0.2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.48, box.y + box.height * 0.8, { steps: 12 });
    await page.mouse.up();
    await expect(page.getByTestId('digit-preview')).toBeVisible();
    await expect(page.getByTestId('prob-bars').getByTestId('prob-bar')).toHaveCount(10);
    await expect(page.getByTestId('prediction-top')).toHaveText(/\d/);
    testInfo.annotations.push({
      type: 'prediction',
      description: (await page.getByTestId('prediction-top').textContent())?.trim() ?? '',
    });
  } finally {
    await app.close();
  }
});

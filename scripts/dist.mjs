// `npm run dist`: build the app, then its installers for this machine's platform and architecture
// with electron-builder (config: electron-builder.config.ts; output: dist/).
//
//   npm run dist                      AppImage + deb / NSIS setup.exe / dmg, as the platform has
//   npm run dist -- --dir             the unpacked app only (dist/<platform>-unpacked, dist/mac*/)
//   CNN_STUDIO_TEST_BUILD=1 npm run dist -- --dir
//                                     the test build (keeps --inspect for Playwright) in
//                                     dist/test-build/; never ship it
//   CNN_STUDIO_ELECTRON_DIST=DIR      package this Electron distribution instead of downloading
//                                     one (a folder holding the electron executable, or a zip)
//
// Other arguments go to electron-builder as they are. electron-builder needs Electron's runtime
// for the target (~100 MB, downloaded once into the Electron cache); where that cannot be
// fetched, this says so in plain words instead of a stack trace, like `npm start` does.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);

const PLATFORM_FLAG = { linux: '--linux', win32: '--win', darwin: '--mac' };
const ARCH_FLAGS = ['--x64', '--ia32', '--armv7l', '--arm64', '--universal'];
const PLATFORM_NAME = { linux: 'Linux', win32: 'Windows', darwin: 'macOS' };
/** process.arch → electron-builder's and Electron's arch names. */
const ARCH = { x64: 'x64', arm64: 'arm64', ia32: 'ia32', arm: 'armv7l' };

/** Prints a plain explanation (no stack trace) and exits with 1. */
function giveUp(reason, detail) {
  console.error(`\nCNN Studio's installers could not be built: ${reason}`);
  if (detail) console.error(`(${detail})`);
  console.error(
    '\nFrom source, the app still runs: `npm start` (where Electron is installed), `npm run serve`\n' +
      '(in a browser) or `npm run train` (command line).\n',
  );
  process.exit(1);
}

/** The first "...Error: message" or network error line of a failed run, for the user to search. */
function errorLine(output) {
  const line = output
    .split('\n')
    .find((l) => /\b(E[A-Z]{3,}|[A-Za-z]*Error)\b.*:/.test(l) || /getaddrinfo|ENOTFOUND/.test(l));
  return line?.trim().slice(0, 300) ?? null;
}

const NETWORK =
  /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|getaddrinfo|socket hang up|RequestError|HTTPError/;

const args = process.argv.slice(2);
const platform = process.platform;
if (!PLATFORM_FLAG[platform]) giveUp(`electron-builder does not build on ${platform}.`);
const builderArgs = ['--config', 'electron-builder.config.ts', '--publish', 'never'];
if (!args.some((a) => Object.values(PLATFORM_FLAG).includes(a)))
  builderArgs.push(PLATFORM_FLAG[platform]);
const hostArch = ARCH[process.arch] ?? process.arch;
if (!args.some((a) => ARCH_FLAGS.includes(a))) builderArgs.push(`--${hostArch}`);
const electronDist = process.env.CNN_STUDIO_ELECTRON_DIST;
if (electronDist) builderArgs.push(`-c.electronDist=${electronDist}`);
if (
  process.env.CNN_STUDIO_TEST_BUILD === '1' &&
  !args.some((a) => a.includes('directories.output'))
)
  builderArgs.push('-c.directories.output=dist/test-build');
builderArgs.push(...args);

const pkg = (name) => dirname(require.resolve(`${name}/package.json`));
const electronVersion = JSON.parse(
  readFileSync(join(pkg('electron'), 'package.json'), 'utf8'),
).version;
const targetArch = args.find((a) => ARCH_FLAGS.includes(a))?.slice(2) ?? hostArch;

// 1. Electron's runtime for the target, into the cache electron-builder reads (@electron/get's,
//    the same copy electron-builder uses), before spending time on the build.
if (!electronDist) {
  let download = null;
  try {
    const fromBuilder = createRequire(join(pkg('app-builder-lib'), 'package.json'));
    ({ downloadArtifact: download } = await import(
      pathToFileURL(fromBuilder.resolve('@electron/get')).href
    ));
  } catch {
    // Not resolvable: let electron-builder download it and report failures below.
  }
  if (download) {
    console.log(
      `Fetching Electron ${electronVersion} for ${platform}-${targetArch} (cached after the first time)...`,
    );
    try {
      await download({
        version: electronVersion,
        platform,
        arch: targetArch,
        artifactName: 'electron',
      });
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      giveUp(
        `electron-builder needs Electron ${electronVersion}'s runtime for ${PLATFORM_NAME[platform]} ` +
          `${targetArch} (about 100 MB), and it could not be downloaded on this machine.`,
        `${message.split('\n')[0].slice(0, 300)}; where the internet is reachable, run it again, ` +
          'or set CNN_STUDIO_ELECTRON_DIST to an Electron distribution',
      );
    }
  }
}

// 2. The app (electron-vite build into out/).
console.log('Building CNN Studio...');
const evPackage = require.resolve('electron-vite/package.json');
const viteCli = join(dirname(evPackage), require(evPackage).bin['electron-vite']);
const build = spawnSync(process.execPath, [viteCli, 'build'], { cwd: ROOT, stdio: 'inherit' });
if (build.status !== 0) giveUp('the build failed (see the messages above).');

// 3. The installers. Output is shown as it comes and kept, to explain a failure plainly.
const ebPackage = require.resolve('electron-builder/package.json');
const builderCli = join(dirname(ebPackage), require(ebPackage).bin['electron-builder']);
console.log(`electron-builder ${builderArgs.join(' ')}`);
const child = spawn(process.execPath, [builderCli, ...builderArgs], {
  cwd: ROOT,
  stdio: ['ignore', 'pipe', 'pipe'],
});
let output = '';
const keep = (chunk, stream) => {
  stream.write(chunk);
  output = (output + chunk.toString()).slice(-200_000);
};
child.stdout.on('data', (c) => keep(c, process.stdout));
child.stderr.on('data', (c) => keep(c, process.stderr));
child.on('error', (e) => giveUp('electron-builder could not be started.', e.message));
child.on('close', (code, signal) => {
  if (code === 0) {
    const where =
      builderArgs.find((a) => a.startsWith('-c.directories.output='))?.split('=')[1] ?? 'dist';
    console.log(`\nDone: see ${where}/.`);
    process.exit(0);
  }
  if (NETWORK.test(output))
    giveUp(
      'electron-builder had to download something (Electron, or a packaging tool such as ' +
        'appimagetool, fpm, NSIS or dmgbuild) and could not reach the internet.',
      errorLine(output) ?? 'no error line found',
    );
  giveUp(
    `electron-builder failed (${signal ?? `exit code ${code}`}; see the messages above).`,
    errorLine(output),
  );
});

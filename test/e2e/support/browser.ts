// Which Chromium the end-to-end tests drive, and how the test command gets one on a machine that
// has none. `npm test` must work on a fresh machine with only Node, so nothing here assumes a
// browser at a fixed path: it looks in a fixed order, installs one where it can, and otherwise
// stops with one sentence that says what to install.
//
// Order: CHROMIUM_PATH → Playwright's own Chromium → a system Chrome/Chromium for this platform →
// install (Playwright's download; on Debian/Ubuntu as root, apt-get) → look again → give up.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

export type BrowserSource = 'CHROMIUM_PATH' | 'playwright' | 'system';

export interface FoundBrowser {
  path: string;
  source: BrowserSource;
}

/** What the resolver may look at; injected so its order can be tested without real browsers. */
export interface BrowserLookup {
  env: Record<string, string | undefined>;
  platform: NodeJS.Platform;
  exists(path: string): boolean;
  /** Where Playwright's own Chromium is (or would be) installed; null if Playwright is absent. */
  playwrightChromium(): string | null;
}

/** System install locations, most specific first. */
export function systemCandidates(
  platform: NodeJS.Platform,
  env: Record<string, string | undefined>,
): string[] {
  switch (platform) {
    case 'darwin':
      return [
        '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
        '/Applications/Chromium.app/Contents/MacOS/Chromium',
        ...(env.HOME
          ? [`${env.HOME}/Applications/Google Chrome.app/Contents/MacOS/Google Chrome`]
          : []),
      ];
    case 'win32': {
      const roots = [env.PROGRAMFILES, env['PROGRAMFILES(X86)'], env.LOCALAPPDATA].filter(
        (r): r is string => Boolean(r),
      );
      return roots.flatMap((r) => [
        `${r}\\Google\\Chrome\\Application\\chrome.exe`,
        `${r}\\Chromium\\Application\\chrome.exe`,
      ]);
    }
    default:
      return [
        '/usr/bin/chromium',
        '/usr/bin/chromium-browser',
        '/usr/bin/google-chrome',
        '/usr/bin/google-chrome-stable',
        '/snap/bin/chromium',
      ];
  }
}

export type Resolution = { found: FoundBrowser } | { found: null; problem: string | null };

/**
 * Looks without installing anything. An explicit CHROMIUM_PATH that does not exist is a mistake to
 * report, not a reason to silently take another browser.
 */
export function findBrowser(look: BrowserLookup): Resolution {
  const explicit = look.env.CHROMIUM_PATH;
  if (explicit) {
    return look.exists(explicit)
      ? { found: { path: explicit, source: 'CHROMIUM_PATH' } }
      : { found: null, problem: `CHROMIUM_PATH is set to ${explicit}, but no file is there.` };
  }
  const own = look.playwrightChromium();
  if (own !== null && look.exists(own)) return { found: { path: own, source: 'playwright' } };
  const system = systemCandidates(look.platform, look.env).find((p) => look.exists(p));
  if (system !== undefined) return { found: { path: system, source: 'system' } };
  return { found: null, problem: null };
}

/** The one sentence printed when no browser can be found or installed. */
export function noBrowserMessage(platform: NodeJS.Platform): string {
  const system =
    platform === 'linux'
      ? 'install Chromium (Debian/Ubuntu: `sudo apt-get install chromium`)'
      : 'install Google Chrome';
  return (
    `No Chromium for the end-to-end tests: ${system}, run \`npx playwright install chromium\` ` +
    'with internet access, or set CHROMIUM_PATH to a Chrome or Chromium executable.'
  );
}

/** One line per way of installing a browser, tried in order until one works. */
export interface InstallStep {
  name: string;
  /** Why this step does not apply here, or null when it may be tried. */
  skip: string | null;
  run(): boolean;
}

export function linuxDistro(osRelease: string): string[] {
  const field = (key: string): string[] => {
    const m = new RegExp(`^${key}=(.*)$`, 'm').exec(osRelease);
    return m ? m[1]!.replace(/^"|"$/g, '').split(/\s+/) : [];
  };
  return [...field('ID'), ...field('ID_LIKE')];
}

function run(command: string, args: string[], timeoutMs: number): boolean {
  const r = spawnSync(command, args, { stdio: 'inherit', timeout: timeoutMs });
  return r.status === 0;
}

/** The real install steps for this machine, in the order they are tried. */
export function installSteps(platform: NodeJS.Platform = process.platform): InstallStep[] {
  const require = createRequire(import.meta.url);
  const playwrightCli = join(require.resolve('@playwright/test/package.json'), '..', 'cli.js');
  const osRelease =
    platform === 'linux' && existsSync('/etc/os-release')
      ? readFileSync('/etc/os-release', 'utf8')
      : '';
  const debianLike = linuxDistro(osRelease).some((id) => id === 'debian' || id === 'ubuntu');
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const apt = { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } };
  return [
    {
      name: "Playwright's Chromium download (`npx playwright install chromium`)",
      skip: null,
      run: () => run(process.execPath, [playwrightCli, 'install', 'chromium'], 10 * 60_000),
    },
    {
      name: "Debian's Chromium (`apt-get install -y chromium`)",
      skip: !debianLike
        ? 'not Debian or Ubuntu'
        : !root
          ? 'needs root (run `sudo apt-get install chromium` yourself)'
          : null,
      run: () => {
        const install = (): boolean =>
          spawnSync('apt-get', ['install', '-y', '-qq', 'chromium', 'fonts-liberation'], {
            stdio: ['ignore', 'ignore', 'inherit'], // dpkg's progress is hundreds of lines
            timeout: 15 * 60_000,
            ...apt,
          }).status === 0;
        if (install()) return true;
        // A fresh machine has no package lists yet.
        spawnSync('apt-get', ['update', '-qq'], {
          stdio: ['ignore', 'ignore', 'inherit'],
          timeout: 10 * 60_000,
          ...apt,
        });
        return install();
      },
    },
  ];
}

/** The machine's real view, for findBrowser. */
export function realLookup(): BrowserLookup {
  return {
    env: process.env,
    platform: process.platform,
    exists: (p) => existsSync(p),
    playwrightChromium: () => {
      try {
        const require = createRequire(import.meta.url);
        const { chromium } = require('playwright-core') as {
          chromium: { executablePath(): string };
        };
        return chromium.executablePath();
      } catch {
        return null;
      }
    },
  };
}

/**
 * Finds a browser, installing one if needed. Returns it, or throws with the one sentence of
 * noBrowserMessage (or the CHROMIUM_PATH mistake). `log` gets a line per step taken.
 */
export function ensureBrowser(
  look: BrowserLookup = realLookup(),
  steps: () => InstallStep[] = () => installSteps(look.platform),
  log: (line: string) => void = console.log,
): FoundBrowser {
  const first = findBrowser(look);
  if (first.found) return first.found;
  if (first.problem) throw new Error(first.problem);
  log('[e2e] No Chromium found; trying to install one.');
  for (const step of steps()) {
    if (step.skip) {
      log(`[e2e] Skipping ${step.name}: ${step.skip}.`);
      continue;
    }
    log(`[e2e] Trying ${step.name}.`);
    if (!step.run()) {
      log(`[e2e] ${step.name} did not work.`);
      continue;
    }
    const again = findBrowser(look);
    if (again.found) return again.found;
  }
  throw new Error(noBrowserMessage(look.platform));
}

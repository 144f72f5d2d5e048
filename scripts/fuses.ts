// Electron fuses: switches compiled into the Electron binary that turn off features an attacker
// could use to run code as the app (https://www.electronjs.org/docs/latest/tutorial/fuses).
// electron-builder calls `afterPack` (the default export) for every packaged app, after the app
// is copied in and the asar integrity hash is written, and before code signing, which is where
// fuses must be flipped: flipping changes the binary, so it has to happen before the signature.
//
// The test build (CNN_STUDIO_TEST_BUILD=1) differs in one fuse: it keeps --inspect, because
// Playwright's `_electron.launch` drives the app through the Node inspector. Electron's docs
// advise exactly that: ship with the fuse off and test a separate build that has it on.
//
// Where no real Electron binary exists (this repository's stand-in packaging test), the binary
// has no fuse wire; the hook then says so and flips nothing, rather than pretending.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  FuseV1Options,
  FuseVersion,
  flipFuses,
  getCurrentFuseWire,
  type FuseConfig,
} from '@electron/fuses';

export const TEST_BUILD_ENV = 'CNN_STUDIO_TEST_BUILD';
/** A file that only the stand-in Electron distribution (scripts/dist-standin.mjs) contains. */
export const STAND_IN_MARKER = 'CNN-STUDIO-STAND-IN-ELECTRON.txt';

/** The fuses we set, by their @electron/fuses FuseV1Options name. */
export interface FuseSettings {
  RunAsNode: boolean;
  EnableCookieEncryption: boolean;
  EnableNodeOptionsEnvironmentVariable: boolean;
  EnableNodeCliInspectArguments: boolean;
  EnableEmbeddedAsarIntegrityValidation: boolean;
  OnlyLoadAppFromAsar: boolean;
  GrantFileProtocolExtraPrivileges: boolean;
}

/** Each fuse's position in the binary's fuse wire. */
export const FUSE_INDEX: Record<keyof FuseSettings, FuseV1Options> = {
  RunAsNode: FuseV1Options.RunAsNode,
  EnableCookieEncryption: FuseV1Options.EnableCookieEncryption,
  EnableNodeOptionsEnvironmentVariable: FuseV1Options.EnableNodeOptionsEnvironmentVariable,
  EnableNodeCliInspectArguments: FuseV1Options.EnableNodeCliInspectArguments,
  EnableEmbeddedAsarIntegrityValidation: FuseV1Options.EnableEmbeddedAsarIntegrityValidation,
  OnlyLoadAppFromAsar: FuseV1Options.OnlyLoadAppFromAsar,
  GrantFileProtocolExtraPrivileges: FuseV1Options.GrantFileProtocolExtraPrivileges,
};

export function isTestBuild(env: NodeJS.ProcessEnv = process.env): boolean {
  return env[TEST_BUILD_ENV] === '1';
}

export function fuseSettings(testBuild: boolean): FuseSettings {
  return {
    // ELECTRON_RUN_AS_NODE=1 would turn the signed app into a plain Node with its privileges.
    RunAsNode: false,
    // Cookies (and other Chromium storage) encrypted at rest with an OS-protected key.
    EnableCookieEncryption: true,
    // NODE_OPTIONS could --require arbitrary code into the main process.
    EnableNodeOptionsEnvironmentVariable: false,
    // --inspect / --inspect-brk would open a debugger on the main process. Test builds only.
    EnableNodeCliInspectArguments: testBuild,
    // Electron checks app.asar against the hash electron-builder embeds (Info.plist on macOS, a
    // resource in the .exe on Windows; Linux has no support yet, so there it is a no-op).
    EnableEmbeddedAsarIntegrityValidation: true,
    // Only resources/app.asar is loaded, never a resources/app folder dropped next to it.
    OnlyLoadAppFromAsar: true,
    // The renderer is served from app://studio, never file://, so file:// needs no extra powers.
    GrantFileProtocolExtraPrivileges: false,
  };
}

/** The argument for @electron/fuses' flipFuses. */
export function fuseConfig(
  settings: FuseSettings,
  target: { platform: string; arch: string },
): FuseConfig {
  const config: FuseConfig = {
    version: FuseVersion.V1,
    // Apple Silicon refuses to run a binary whose (ad-hoc) signature no longer matches; flipping
    // a fuse invalidates it. electron-builder re-signs afterwards when a signing identity exists.
    resetAdHocDarwinSignature: target.platform === 'darwin' && target.arch === 'arm64',
  };
  for (const name of Object.keys(FUSE_INDEX) as (keyof FuseSettings)[])
    config[FUSE_INDEX[name]] = settings[name];
  return config;
}

/** What electron-builder passes to afterPack (the part we use). */
export interface PackContext {
  appOutDir: string;
  electronPlatformName: string;
  arch: number;
  packager: { appInfo: { productFilename: string }; executableName?: string };
}

/** electron-builder's Arch enum values. */
const ARCH_NAMES: Record<number, string> = {
  0: 'ia32',
  1: 'x64',
  2: 'armv7l',
  3: 'arm64',
  4: 'universal',
};

/** The packaged Electron binary (or .app), as electron-builder names it for each platform. */
export function electronBinaryPath(context: PackContext): string {
  const { appOutDir, electronPlatformName: platform, packager } = context;
  if (platform === 'darwin' || platform === 'mas')
    return join(appOutDir, `${packager.appInfo.productFilename}.app`);
  if (platform === 'win32') return join(appOutDir, `${packager.appInfo.productFilename}.exe`);
  return join(appOutDir, packager.executableName ?? packager.appInfo.productFilename);
}

const SENTINEL_MISSING = /Could not find sentinel/;

/** Reads the binary's fuse wire; null when it has none (not a real Electron binary). */
export async function readFuseWire(binary: string): Promise<Record<number, number> | null> {
  try {
    return (await getCurrentFuseWire(binary)) as unknown as Record<number, number>;
  } catch (e) {
    if (e instanceof Error && SENTINEL_MISSING.test(e.message)) return null;
    throw e;
  }
}

const ENABLED = 49; // '1' in the wire
const DISABLED = 48; // '0'

/** Names of the fuses whose state in `wire` differs from `settings`. */
export function fuseMismatches(settings: FuseSettings, wire: Record<number, number>): string[] {
  return Object.entries(FUSE_INDEX)
    .filter(
      ([name, index]) =>
        wire[index] !== (settings[name as keyof FuseSettings] ? ENABLED : DISABLED),
    )
    .map(([name]) => name);
}

export type FuseOutcome =
  | { kind: 'flipped'; binary: string; settings: FuseSettings }
  | { kind: 'stand-in'; binary: string; message: string };

/** Flips the fuses in the packaged app and reads them back; throws on any doubt. */
export async function applyFuses(
  context: PackContext,
  env: NodeJS.ProcessEnv = process.env,
): Promise<FuseOutcome> {
  const binary = electronBinaryPath(context);
  const testBuild = isTestBuild(env);
  const settings = fuseSettings(testBuild);
  const before = await readFuseWire(binary);
  if (before === null) {
    if (existsSync(join(context.appOutDir, STAND_IN_MARKER)))
      return {
        kind: 'stand-in',
        binary,
        message:
          `${binary} is the stand-in Electron (no fuse wire): fuses NOT flipped. ` +
          'A package built from it cannot run; a real build flips them here.',
      };
    throw new Error(
      `${binary} has no Electron fuse wire, so its fuses cannot be set. Is electronDist pointing ` +
        'at something other than an Electron distribution?',
    );
  }
  const arch = ARCH_NAMES[context.arch] ?? String(context.arch);
  await flipFuses(binary, fuseConfig(settings, { platform: context.electronPlatformName, arch }));
  const after = await readFuseWire(binary);
  const wrong = after === null ? Object.keys(FUSE_INDEX) : fuseMismatches(settings, after);
  if (wrong.length > 0)
    throw new Error(`Fuses not as configured in ${binary} after flipping: ${wrong.join(', ')}`);
  return { kind: 'flipped', binary, settings };
}

/** electron-builder's afterPack hook. */
export default async function afterPack(context: PackContext): Promise<void> {
  const outcome = await applyFuses(context);
  if (outcome.kind === 'stand-in') {
    console.warn(`  • fuses: ${outcome.message}`);
    return;
  }
  const summary = Object.entries(outcome.settings)
    .map(([name, on]) => `${name}=${on ? 'on' : 'off'}`)
    .join(' ');
  const variant = isTestBuild() ? 'TEST build (keeps --inspect for Playwright)' : 'release build';
  console.log(`  • fuses flipped and verified (${variant}): ${summary}`);
}

// The end-to-end tests' browser resolver: the order it looks in, when it installs, what it says.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ensureBrowser,
  findBrowser,
  linuxDistro,
  noBrowserMessage,
  systemCandidates,
  type BrowserLookup,
  type InstallStep,
} from '../../e2e/support/browser.ts';

const PW = '/home/u/.cache/ms-playwright/chromium-1/chrome-linux64/chrome';

function lookup(
  present: string[],
  env: Record<string, string> = {},
  platform: NodeJS.Platform = 'linux',
): BrowserLookup {
  // Reads `present` on every call, so an install step can add to it.
  return { env, platform, exists: (p) => present.includes(p), playwrightChromium: () => PW };
}

describe('findBrowser', () => {
  it('takes CHROMIUM_PATH first, even when other browsers exist', () => {
    const r = findBrowser(lookup(['/opt/c', PW, '/usr/bin/chromium'], { CHROMIUM_PATH: '/opt/c' }));
    assert.deepEqual(r.found, { path: '/opt/c', source: 'CHROMIUM_PATH' });
  });

  it('reports a CHROMIUM_PATH that points nowhere instead of taking another browser', () => {
    const r = findBrowser(lookup([PW], { CHROMIUM_PATH: '/nope/chrome' }));
    assert.equal(r.found, null);
    assert.match(
      r.found === null ? (r.problem ?? '') : '',
      /CHROMIUM_PATH is set to \/nope\/chrome, but no file is there/,
    );
  });

  it("prefers Playwright's own Chromium to a system one", () => {
    const r = findBrowser(lookup([PW, '/usr/bin/chromium']));
    assert.deepEqual(r.found, { path: PW, source: 'playwright' });
  });

  it('falls back to a system browser in the platform order', () => {
    assert.deepEqual(findBrowser(lookup(['/usr/bin/google-chrome', '/usr/bin/chromium'])).found, {
      path: '/usr/bin/chromium',
      source: 'system',
    });
    const mac = '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome';
    assert.deepEqual(findBrowser(lookup([mac], {}, 'darwin')).found?.path, mac);
    const win = 'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe';
    const found = findBrowser(lookup([win], { PROGRAMFILES: 'C:\\Program Files' }, 'win32'));
    assert.equal(found.found?.path, win);
  });

  it('finds nothing, with no problem to report, on a bare machine', () => {
    assert.deepEqual(findBrowser(lookup([])), { found: null, problem: null });
  });

  it('lists only locations of the platform asked about', () => {
    assert.ok(systemCandidates('linux', {}).every((p) => p.startsWith('/')));
    assert.ok(
      systemCandidates('darwin', {}).every(
        (p) => p.startsWith('/Applications') || p.includes('Applications'),
      ),
    );
    assert.deepEqual(systemCandidates('win32', {}), []); // no Program Files known: nothing to guess
  });
});

describe('ensureBrowser', () => {
  const step = (name: string, skip: string | null, onRun: () => boolean): InstallStep => ({
    name,
    skip,
    run: onRun,
  });

  it('installs nothing when a browser is already there', () => {
    let ran = false;
    const b = ensureBrowser(
      lookup(['/usr/bin/chromium']),
      () => [step('x', null, () => (ran = true))],
      () => {},
    );
    assert.equal(b.path, '/usr/bin/chromium');
    assert.equal(ran, false);
  });

  it('tries the steps in order, skips those that do not apply, and stops at the first that works', () => {
    const present: string[] = [];
    const log: string[] = [];
    const order: string[] = [];
    const b = ensureBrowser(
      lookup(present),
      () => [
        step('download', null, () => (order.push('download'), false)),
        step('brew', 'not macOS', () => (order.push('brew'), true)),
        step('apt', null, () => (order.push('apt'), present.push('/usr/bin/chromium'), true)),
        step('never', null, () => (order.push('never'), true)),
      ],
      (l) => log.push(l),
    );
    assert.deepEqual(order, ['download', 'apt']);
    assert.ok(log.some((l) => l.includes('Skipping brew: not macOS')));
    assert.ok(log.some((l) => l.includes('download did not work')));
    assert.deepEqual(b, { path: '/usr/bin/chromium', source: 'system' });
  });

  it('stops with one sentence saying what to install when nothing works', () => {
    assert.throws(
      () =>
        ensureBrowser(
          lookup([]),
          () => [step('download', null, () => false)],
          () => {},
        ),
      (e: Error) => e.message === noBrowserMessage('linux') && !e.message.includes('\n'),
    );
    assert.match(noBrowserMessage('linux'), /apt-get install chromium/);
    assert.match(noBrowserMessage('darwin'), /Google Chrome/);
    assert.match(noBrowserMessage('win32'), /CHROMIUM_PATH/);
  });

  it('does not install over a wrong CHROMIUM_PATH', () => {
    let ran = false;
    assert.throws(
      () =>
        ensureBrowser(
          lookup([], { CHROMIUM_PATH: '/x' }),
          () => [step('s', null, () => (ran = true))],
          () => {},
        ),
      /CHROMIUM_PATH is set to \/x/,
    );
    assert.equal(ran, false);
  });
});

describe('linuxDistro', () => {
  it('reads ID and ID_LIKE, quoted or not', () => {
    assert.deepEqual(linuxDistro('NAME="Ubuntu"\nID=ubuntu\nID_LIKE=debian\n'), [
      'ubuntu',
      'debian',
    ]);
    assert.deepEqual(linuxDistro('ID="rocky"\nID_LIKE="rhel centos fedora"\n'), [
      'rocky',
      'rhel',
      'centos',
      'fedora',
    ]);
  });
});

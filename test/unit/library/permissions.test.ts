// What the user reads when the disk says no: the folder they chose, never a temporary name of
// ours, and never "missing" for a folder that exists but may not be opened. The operations run
// in a child process as another user (root, which CI runs as, may read and write anything).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmod, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { saveRealModel, tempRoot } from './model-fixture.ts';

const ROOT = process.getuid?.() === 0;
const skip = process.platform === 'win32' ? 'POSIX permissions only' : undefined;

/** Runs `body` (ES module code with `dir` and `source` defined) as nobody when root, else as us. */
function asOtherUser(body: string, dir: string, source: string): string {
  const script = `
    import { ModelLibrary } from './src/library/library.ts';
    import { readModelFolder } from './src/library/model-folder.ts';
    import { storageError } from './src/library/errors.ts';
    const [dir, source] = process.argv.slice(1);
    try { ${body} ; console.log('no error') }
    catch (e) { const env = storageError(e, 'do it'); console.log(JSON.stringify(env)); }`;
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', script, dir, source],
    { encoding: 'utf8', ...(ROOT ? { uid: 65534, gid: 65534 } : {}) },
  );
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

describe('permission errors name the user’s folder', { skip }, () => {
  let root: string;
  let source: string;
  before(async () => {
    root = await tempRoot('cnn-perm-');
    await chmod(root, 0o755); // reachable by the other user
    source = join(root, 'source');
    await saveRealModel(source);
    await chmod(source, 0o755);
  });
  after(() => rm(root, { recursive: true, force: true }));

  test('a save into a read-only folder names that folder, not .café.tmp-…', async () => {
    const library = join(root, 'read-only');
    await mkdir(library, { mode: 0o555 });
    await chmod(library, 0o555);
    const out = asOtherUser(`await new ModelLibrary(dir).importFrom(source)`, library, source);
    const env = JSON.parse(out) as { message: string; detail: string };
    assert.equal(
      env.message,
      `Could not do it: permission denied: CNN Studio may not write in ${library}.`,
    );
    assert.equal(env.detail, library);
    assert.doesNotMatch(out, /\.tmp-/);
  });

  test('a model folder that may not be opened is not reported as missing model.json', async () => {
    const closed = join(root, 'closed');
    await mkdir(closed, { mode: 0o700 });
    await saveRealModel(join(closed, 'm'));
    await chmod(closed, ROOT ? 0o700 : 0o000);
    const out = asOtherUser(`await readModelFolder(dir)`, join(closed, 'm'), source);
    await chmod(closed, 0o700);
    const env = JSON.parse(out) as { message: string };
    assert.match(env.message, /permission denied: the folder .*closed\/m cannot be opened/);
    assert.doesNotMatch(env.message, /missing/);
  });
});

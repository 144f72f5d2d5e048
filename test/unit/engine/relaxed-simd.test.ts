// The relaxed-SIMD build of our kernels (src/engine/kernels/wasm/simd.h) against tfjs-cpu: the
// kernel tests run again in a Node with relaxed SIMD (Node 20: --experimental-wasm-relaxed-simd;
// Electron's Node 22 has it), where the engine picks that build. Without the flag they test the
// plain SIMD128 build (the fallback), as the rest of the suite does.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { test } from 'node:test';

const here = (f: string): string => fileURLToPath(new URL(f, import.meta.url));
// The kernels whose inner loops multiply-add (conv5x5.c, matmul.c, filter-grad-direct.c).
const FILES = [
  'winograd.test.ts',
  'conv-kernels.test.ts',
  'matmul-kernel.test.ts',
  'kernel-threads.test.ts',
  'select.test.ts',
].map(here);
const FLAG = '--experimental-wasm-relaxed-simd';

// Without NODE_TEST_CONTEXT, which would make the inner test runner report to this one instead of
// printing its summary.
const env = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => name !== 'NODE_TEST_CONTEXT'),
);
const node = (args: string[]) =>
  promisify(execFile)(process.execPath, args, { env, maxBuffer: 64 * 2 ** 20 });

test('the relaxed-SIMD build is picked where the runtime has it, and passes the kernel tests', async (t) => {
  const probe = [
    '--import',
    'tsx',
    '-e',
    `import { relaxedSimd } from ${JSON.stringify(here('../../../src/engine/wasm-kernels.ts'))};` +
      'console.log(JSON.stringify(relaxedSimd()));',
  ];
  const flag = await node([FLAG, ...probe]).catch((e: Error) => e);
  if (flag instanceof Error) {
    // A Node that has dropped the flag (relaxed SIMD shipped) refuses it as a bad option.
    if (/bad option/.test(flag.message)) return t.skip(`this Node refuses ${FLAG}`);
    throw flag;
  }
  assert.equal(flag.stdout.trim(), 'true', 'the relaxed build was not picked');
  const { stdout } = await node([FLAG, '--import', 'tsx', '--test', ...FILES]);
  assert.match(stdout, /^# fail 0$/m);
  assert.match(stdout, /^# pass [1-9]\d*$/m);
  assert.match(stdout, /^ok \d+ - selectEngine/m); // its label says "relaxed SIMD" there
});

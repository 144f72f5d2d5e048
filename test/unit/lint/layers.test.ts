// The import-direction rule (eslint/layers.js) run by ESLint itself on small files placed, in
// name, in each layer: every rule must bite, however the path is spelt, and a clean file passes.
// If a rule is weakened or dropped from eslint.config.js, a case here fails.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ESLint } from 'eslint';

const eslint = new ESLint();

async function problems(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages
    .filter((m) => m.ruleId === 'layers/import-direction')
    .map((m) => m.message);
}

const BREAKS: [string, string, RegExp][] = [
  [
    'renderer/src/lib/x.ts',
    `import { buildModel } from '../../../src/model/cnn.ts';`,
    /the renderer imports only src\/shared/,
  ],
  [
    'renderer/src/lib/x.ts',
    `import '../../../src/shared/../model/cnn.ts';`,
    /resolves to src\/model\/cnn\.ts/,
  ],
  ['renderer/src/lib/x.ts', `export * from '../../../src/host/serve.ts';`, /renderer/],
  [
    'renderer/src/lib/x.ts',
    `const m = await import('../../../src/worker/session.ts');`,
    /renderer/,
  ],
  ['renderer/src/lib/x.ts', `import { readFile } from 'node:fs/promises';`, /no Node/],
  ['renderer/src/lib/x.ts', `import { readFile } from 'fs';`, /no Node/],
  [
    'renderer/src/App.svelte',
    `<script lang="ts">import * as tf from '@tensorflow/tfjs';</script>`,
    /TensorFlow/,
  ],
  [
    'src/shared/x.ts',
    `import { envelope } from '../host/dispatch.ts';`,
    /src\/shared imports nothing/,
  ],
  ['src/shared/x.ts', `import { WebSocket } from 'ws';`, /src\/shared imports nothing/],
  ['src/shared/x.ts', `import { join } from 'node:path';`, /src\/shared imports nothing/],
  [
    'src/host/x.ts',
    `import { selectEngine } from '../engine/select.ts';`,
    /src\/host never loads TensorFlow/,
  ],
  [
    'src/host/x.ts',
    `import { loadMnist } from '../data/mnist.ts';`,
    /src\/host never loads TensorFlow/,
  ],
  ['src/host/x.ts', `import * as tf from '@tensorflow/tfjs';`, /src\/host never loads TensorFlow/],
  [
    'src/library/x.ts',
    `import { buildModel } from '../model/cnn.ts';`,
    /src\/library is file operations only/,
  ],
  ['src/training/x.ts', `import { app } from 'electron';`, /core never imports electron or svelte/],
  ['src/model/x.ts', `import { mount } from 'svelte';`, /core never imports electron or svelte/],
  ['src/worker/x.ts', `import '../../renderer/src/lib/api.ts';`, /core never imports/],
  [
    'electron/main/x.ts',
    `import { train } from '../../src/training/trainer.ts';`,
    /electron\/main never runs TensorFlow/,
  ],
  [
    'electron/main/x.ts',
    `import '../../src/worker/session.ts';`,
    /electron\/main never runs TensorFlow/,
  ],
  [
    'electron/preload/x.ts',
    `import { TrainingHost } from '../../src/host/training-host.ts';`,
    /preload/,
  ],
  // One codec per wire: MessagePack only in src/wire, which imports nothing else of ours.
  ['renderer/src/lib/x.ts', `import { encode } from '@msgpack/msgpack';`, /only through src\/wire/],
  ['src/host/x.ts', `import { decode } from '@msgpack/msgpack';`, /src\/host/],
  ['src/wire/x.ts', `import { envelope } from '../host/dispatch.ts';`, /src\/wire is the/],
  ['src/wire/x.ts', `import { WebSocket } from 'ws';`, /src\/wire is the/],
];

describe('import directions', () => {
  for (const [file, code, message] of BREAKS)
    test(`${file}: ${code}`, async () => {
      const found = await problems(file, code);
      assert.equal(
        found.length,
        1,
        `expected one import-direction error, got ${JSON.stringify(found)}`,
      );
      assert.match(found[0]!, message);
    });

  test('allowed imports pass, in every layer', async () => {
    const clean: [string, string][] = [
      [
        'renderer/src/lib/x.ts',
        `import { envelope } from '../../../src/shared/errors.ts';\nimport { Chart } from 'chart.js';\nimport './y.ts';`,
      ],
      ['renderer/src/lib/x.ts', `import { envelope } from '$shared/errors.ts';`],
      ['src/shared/x.ts', `import { envelope } from './errors.ts';`],
      [
        'src/wire/x.ts',
        `import { encode } from '@msgpack/msgpack';\nimport { envelope } from '../shared/errors.ts';`,
      ],
      ['renderer/src/lib/x.ts', `import { readServerMessage } from '$wire/frames.ts';`],
      [
        'src/host/x.ts',
        `import { ModelLibrary } from '../library/library.ts';\nimport { WebSocket } from 'ws';\nimport { encode } from '../wire/codec.ts';`,
      ],
      [
        'src/worker/x.ts',
        `import * as tf from '@tensorflow/tfjs';\nimport { train } from '../training/trainer.ts';`,
      ],
      [
        'electron/main/x.ts',
        `import { app } from 'electron';\nimport w from '../../src/worker/training.worker.ts?nodeWorker';\nimport { TrainingHost } from '../../src/host/training-host.ts';`,
      ],
    ];
    for (const [file, code] of clean) assert.deepEqual(await problems(file, code), [], `${file}`);
  });
});

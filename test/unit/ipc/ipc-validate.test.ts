// Every invoke channel's argument check, with good and bad payloads, and the channel check itself.
import assert from 'node:assert/strict';
import { parseEngineChoice } from '../../../src/shared/config.ts';
import { describe, test } from 'node:test';
import { DEFAULT_CONFIG, type TrainConfig } from '../../../src/shared/config.ts';
import { INVOKE_CHANNELS } from '../../../src/shared/contract.ts';
import { PRESETS } from '../../../src/shared/network.ts';
import { ValidationError } from '../../../src/shared/guard.ts';
import { invokeArg, invokeChannel, parseInvoke } from '../../../src/shared/ipc-validate.ts';

const config = (patch: Record<string, unknown> = {}): Record<string, unknown> => ({
  ...DEFAULT_CONFIG,
  ...patch,
});

/** The ValidationError message parseInvoke throws, or null when it accepts. */
const refusal = (channel: unknown, arg: unknown): string | null => {
  try {
    parseInvoke(channel, arg);
    return null;
  } catch (e) {
    assert.ok(e instanceof ValidationError, `expected a ValidationError, got ${String(e)}`);
    return e.message;
  }
};

describe('invokeChannel', () => {
  test('accepts every channel of the contract and has a guard for each', () => {
    for (const c of INVOKE_CHANNELS) {
      assert.equal(invokeChannel(c, 'channel'), c);
      assert.equal(typeof invokeArg[c], 'function');
    }
    assert.deepEqual(Object.keys(invokeArg).sort(), [...INVOKE_CHANNELS].sort());
  });

  test('refuses unknown names, including prototype keys, by name', () => {
    for (const c of [
      'training:explode',
      'Training:start',
      '',
      '__proto__',
      'constructor',
      'toString',
    ])
      assert.match(refusal(c, null) ?? '', /unknown channel/, c);
    assert.match(refusal('training:explode', null) ?? '', /"training:explode".*training:start/);
  });

  test('refuses a channel that is not a string', () => {
    for (const c of [undefined, null, 1, ['training:status'], { channel: 'training:status' }])
      assert.match(refusal(c, null) ?? '', /channel must be a string/);
  });
});

describe('training:start', () => {
  test('accepts the tutorial defaults and returns a copy of them', () => {
    const r = parseInvoke('training:start', config());
    assert.equal(r.channel, 'training:start');
    assert.deepEqual(r.arg, DEFAULT_CONFIG);
  });

  test('accepts the edges of every range', () => {
    const edges: Partial<TrainConfig>[] = [
      { epochs: 1 },
      { epochs: 1000 },
      { batchSize: 1 },
      { batchSize: 4096 },
      { learningRate: 1 },
      { learningRate: 1e-9 },
      { trainLimit: 1, batchSize: 1 },
      { testLimit: 1 },
      { seed: 0 },
      { seed: 2 ** 31 - 1 },
    ];
    for (const patch of edges)
      assert.equal(refusal('training:start', config(patch)), null, JSON.stringify(patch));
  });

  const bad: [string, unknown, RegExp][] = [
    ['an unknown key', config({ momentum: 0.9 }), /^training:start: momentum: unknown field$/],
    ['a missing key', { ...config(), seed: undefined }, /seed: missing/],
    ['lr = 0', config({ learningRate: 0 }), /learningRate: .*above 0/],
    ['lr < 0', config({ learningRate: -1e-4 }), /learningRate: .*above 0/],
    ['lr = NaN', config({ learningRate: NaN }), /learningRate: expected a finite number, got NaN/],
    [
      'lr = 1e999 (JSON for Infinity)',
      config({ learningRate: JSON.parse('1e999') as number }),
      /learningRate: expected a finite number, got a number too large to use$/,
    ],
    ['lr = Infinity', config({ learningRate: Infinity }), /learningRate: expected a finite number/],
    ['lr > 1', config({ learningRate: 2 }), /learningRate/],
    [
      'lr as a string',
      config({ learningRate: '0.001' }),
      /learningRate: expected a finite number, got string/,
    ],
    [
      'batch 0',
      config({ batchSize: 0 }),
      /^training:start: batchSize: Batch size must be between 1 and 4096$/,
    ],
    ['batch > 4096', config({ batchSize: 5000 }), /batchSize: .*between 1 and 4096/],
    [
      'batch > trainLimit',
      config({ trainLimit: 100, batchSize: 101 }),
      /batchSize: .*100 training images/,
    ],
    ['epochs 1.5', config({ epochs: 1.5 }), /epochs: .*whole number/],
    ['epochs 10^6', config({ epochs: 1e6 }), /epochs: .*between 1 and 1000/],
    ['epochs 0', config({ epochs: 0 }), /epochs/],
    ['trainLimit > 60000', config({ trainLimit: 60_001 }), /trainLimit/],
    ['testLimit 0', config({ testLimit: 0 }), /testLimit/],
    ['seed < 0', config({ seed: -1 }), /seed/],
    ['null', null, /^training:start: expected an object, got null$/],
    ['an array', [config()], /expected an object, got an array/],
    ['a string', JSON.stringify(config()), /expected an object, got string/],
  ];
  for (const [what, arg, expected] of bad)
    test(`refuses ${what}`, () =>
      assert.match(refusal('training:start', arg) ?? 'accepted', expected));
});

describe('pause / resume / stop / status', () => {
  for (const channel of [
    'training:pause',
    'training:resume',
    'training:stop',
    'training:status',
  ] as const) {
    test(`${channel} takes exactly null`, () => {
      assert.deepEqual(parseInvoke(channel, null), { channel, arg: null });
      for (const arg of [undefined, 0, false, '', {}, [], config()])
        assert.match(
          refusal(channel, arg) ?? 'accepted',
          new RegExp(`^${channel}: expected null$`),
        );
    });
  }
});

describe('training:start networks', () => {
  const layers = (network: unknown) => config({ network });
  test('without a network or optimizer it is the tutorial CNN with Adam (older requests)', () => {
    const old: Partial<TrainConfig> = { ...DEFAULT_CONFIG };
    delete old.network;
    delete old.optimizer;
    const arg = parseInvoke('training:start', old).arg as TrainConfig;
    assert.deepEqual(arg.network, DEFAULT_CONFIG.network);
    assert.equal(arg.optimizer, 'adam');
  });
  test('every preset with its own optimizer is accepted', () => {
    for (const p of PRESETS)
      assert.equal(
        refusal('training:start', {
          ...config({ network: p.network, optimizer: p.optimizer }),
          batchSize: p.batchSize,
        }),
        null,
        p.name,
      );
  });
  test('impossible networks and bad fields are refused with the layer and the reason', () => {
    const pool = { kind: 'maxpool', size: 2, stride: 2, padding: 'valid' };
    const tail = [{ kind: 'flatten' }, { kind: 'dense', units: 10, activation: 'linear' }];
    assert.match(
      refusal(
        'training:start',
        layers({
          layers: [{ ...pool, size: 4, stride: 4 }, { ...pool, size: 7, stride: 4 }, pool, ...tail],
        }),
      ) ?? 'accepted',
      /^training:start: network\.layers\[2\]: Layer 3 \(max pool 2×2, stride 2, valid\): its 1×1 input is smaller than its 2×2 window/,
    );
    assert.match(
      refusal('training:start', layers({ layers: [{ kind: 'lstm' }, ...tail] })) ?? 'accepted',
      /network\.layers\[0\]\.kind: unknown layer kind "lstm"; use one of conv, maxpool/,
    );
    assert.match(
      refusal(
        'training:start',
        layers({
          layers: [
            {
              kind: 'conv',
              filters: 300,
              kernel: 5,
              stride: 1,
              padding: 'same',
              activation: 'relu',
            },
            ...tail,
          ],
        }),
      ) ?? 'accepted',
      /network\.layers\[0\]\.filters: must be between 1 and 256/,
    );
    assert.match(
      refusal('training:start', config({ optimizer: 'adagrad' })) ?? 'accepted',
      /optimizer: expected one of "adam", "sgd", "momentum", "rmsprop"/,
    );
    assert.match(
      refusal('training:start', layers({ layers: tail, extra: 1 })) ?? 'accepted',
      /network\.extra: unknown field/,
    );
  });
});

describe('arrays', () => {
  test('a hole in a sparse array is refused like the undefined it reads as', () => {
    // eslint-disable-next-line no-sparse-arrays
    const sparse = [0, , 2];
    assert.equal(refusal('data:test-images', { indices: [0, 1, 2] }), null);
    assert.match(refusal('data:test-images', { indices: sparse }) ?? 'accepted', /indices\[1\]/);
  });
});

describe('model:predict', () => {
  const pixels = (n = 784, fill = 0.5): Float32Array => new Float32Array(n).fill(fill);

  test('accepts 784 values in [0, 1], including both ends', () => {
    const p = pixels();
    p[0] = 0;
    p[783] = 1;
    const r = parseInvoke('model:predict', p);
    assert.equal(r.arg, p);
  });

  test('refuses the wrong pixel count', () => {
    assert.match(refusal('model:predict', pixels(783)) ?? '', /expected 784 values, got 783/);
    assert.match(refusal('model:predict', pixels(785)) ?? '', /expected 784 values, got 785/);
    assert.match(refusal('model:predict', pixels(0)) ?? '', /expected 784 values, got 0/);
  });

  test('refuses values outside [0, 1] and non-finite values, naming the index', () => {
    for (const v of [-0.01, 1.01, 255, NaN, Infinity, -Infinity]) {
      const p = pixels();
      p[42] = v;
      assert.match(
        refusal('model:predict', p) ?? 'accepted',
        /^model:predict: \[42\]: must be between 0 and 1$/,
        String(v),
      );
    }
  });

  test('refuses anything but a Float32Array', () => {
    for (const arg of [
      Array.from(pixels()),
      new Float64Array(784),
      new Uint8Array(784),
      pixels().buffer,
      null,
      'pixels',
      { length: 784 },
    ])
      assert.match(refusal('model:predict', arg) ?? 'accepted', /expected a Float32Array/);
  });
});

describe('parseEngineChoice: the one reading of --engine and CNN_STUDIO_ENGINE', () => {
  test('accepts the four choices in any case, unset or empty is auto, and names them when refusing', () => {
    for (const e of ['auto', 'native', 'wasm', 'cpu'])
      assert.equal(parseEngineChoice(` ${e.toUpperCase()} `, '--engine'), e);
    assert.equal(parseEngineChoice(undefined, 'CNN_STUDIO_ENGINE'), 'auto');
    assert.equal(parseEngineChoice('', 'CNN_STUDIO_ENGINE'), 'auto');
    assert.throws(
      () => parseEngineChoice('gpu', '--engine'),
      /--engine="gpu" is not an engine; use one of auto, native, wasm, cpu/,
    );
  });
});

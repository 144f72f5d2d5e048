// scripts/security-check.mjs (npm run security): its report parsing and verdicts, and one real
// Electronegativity scan of a deliberately insecure app, which must fail the check.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

interface Finding {
  id: string;
  severity: string;
  confidence: string;
  file: string;
  location: string;
  sample: string;
  description: string;
}
interface Allowed {
  id: string;
  file: string;
  reason: string;
}
interface Check {
  parseCsv(text: string): string[][];
  findingsFromCsv(text: string): Finding[];
  readAllowList(text: string): Allowed[];
  judge(
    findings: Finding[],
    allow: Allowed[],
  ): { failures: Finding[]; allowed: Finding[]; stale: Allowed[] };
  scan(root: string, dirs: string[]): { electron: string; findings: Finding[] };
}
const SCRIPT: string = '../../../scripts/security-check.mjs';
const check = (await import(SCRIPT)) as Check;
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

const HEADER = 'issue, severity, confidence, filename, location, sample, description, url\n';
const finding = (over: Partial<Finding>): Finding => ({
  id: 'X_JS_CHECK',
  severity: 'HIGH',
  confidence: 'FIRM',
  file: 'electron/main/window.ts',
  location: '1:1',
  sample: '',
  description: '',
  ...over,
});

describe('the report', () => {
  test('CSV with quoted commas, doubled quotes and CRLF lines', () => {
    const csv = `${HEADER}A_JS_CHECK,"HIGH","FIRM","f.ts","3:4","x = {a, ""b""}","d",u\r\nB_JS_CHECK,"LOW","TENTATIVE","g.ts","1:0",N/A,"d2",u\n`;
    const [a, b] = check.findingsFromCsv(csv);
    assert.deepEqual(
      a,
      finding({
        id: 'A_JS_CHECK',
        file: 'f.ts',
        location: '3:4',
        sample: 'x = {a, "b"}',
        description: 'd',
      }),
    );
    assert.equal(b!.severity, 'LOW');
    assert.equal(b!.sample, 'N/A');
  });
  test('a report without its header is refused rather than read as "no findings"', () => {
    assert.throws(() => check.findingsFromCsv(''), /expected header/);
    assert.throws(() => check.findingsFromCsv('A_JS_CHECK,"HIGH"\n'), /expected header/);
  });
});

describe('the verdict', () => {
  const allow: Allowed[] = [
    {
      id: 'PRELOAD_JS_CHECK',
      file: 'electron/main/window.ts',
      reason: 'reviewed: exposes only the studio API',
    },
  ];
  test('unexplained HIGH and MEDIUM fail; LOW does not; allowed ones pass with their reason', () => {
    const v = check.judge(
      [
        finding({ id: 'PRELOAD_JS_CHECK', severity: 'MEDIUM' }),
        finding({ id: 'NODE_INTEGRATION_JS_CHECK', severity: 'HIGH' }),
        finding({ id: 'SANDBOX_JS_CHECK', severity: 'MEDIUM', file: 'electron/main/other.ts' }),
        finding({ id: 'CSP_GLOBAL_CHECK', severity: 'LOW' }),
      ],
      allow,
    );
    assert.deepEqual(
      v.failures.map((f) => f.id),
      ['NODE_INTEGRATION_JS_CHECK', 'SANDBOX_JS_CHECK'],
    );
    assert.deepEqual(
      v.allowed.map((f) => f.id),
      ['PRELOAD_JS_CHECK'],
    );
    assert.deepEqual(v.stale, []);
  });
  test('an allowance in another file does not count, and an unused one is stale', () => {
    const v = check.judge(
      [finding({ id: 'PRELOAD_JS_CHECK', severity: 'MEDIUM', file: 'x.ts' })],
      allow,
    );
    assert.equal(v.failures.length, 1);
    assert.deepEqual(v.stale, allow);
  });
  test('every allow-list entry needs a reason', async () => {
    assert.throws(() => check.readAllowList('{"allow":[{"id":"A","file":"f"}]}'), /reason/);
    assert.throws(
      () => check.readAllowList('{"allow":[{"id":"A","file":"f","reason":"ok"}]}'),
      /reason/,
    );
    const ours = check.readAllowList(
      await readFile(join(ROOT, 'security/electronegativity-allow.json'), 'utf8'),
    );
    assert.ok(ours.length >= 1);
  });
});

test('a real scan of an app with Node in the page fails the check', async () => {
  const root = await mkdtemp(join(tmpdir(), 'cnn-insecure-'));
  try {
    await mkdir(join(root, 'electron'));
    await writeFile(
      join(root, 'electron', 'main.js'),
      `const { BrowserWindow } = require('electron');
       const win = new BrowserWindow({ webPreferences: { nodeIntegration: true, contextIsolation: false, sandbox: false } });
       win.loadURL('http://example.com/');\n`,
    );
    const { electron, findings } = check.scan(root, ['electron']);
    assert.equal(electron, '45.4.1');
    const v = check.judge(findings, []);
    const ids = v.failures.map((f) => f.id);
    for (const id of [
      'CONTEXT_ISOLATION_JS_CHECK',
      'SANDBOX_JS_CHECK',
      'LIMIT_NAVIGATION_GLOBAL_CHECK',
    ])
      assert.ok(ids.includes(id), `${id} in ${ids.join(', ')}`);
    assert.ok(v.failures.some((f) => f.severity === 'HIGH'));
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
